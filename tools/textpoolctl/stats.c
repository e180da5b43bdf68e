// SPDX-License-Identifier: GPL-2.0
/*
 * textpoolctl stats and watch: the statistics of the sysfs tree.
 */
#include <errno.h>
#include <err.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "textpoolctl.h"

/*
 * Everything stats shows. A value that could not be read is !ok; one that
 * this kernel does not have (an older one) also absent.
 */
struct snapshot {
	struct tp_value tunables[TP_NR_TUNABLES];
	struct tp_value constants[TP_NR_CONSTANTS];
	struct tp_value total[TP_NR_STATS];
	struct tp_value users[TP_NR_USERS][TP_NR_USER_STATS];
	size_t nr_nodes;
	unsigned int *nodes;
	struct tp_value (*node)[TP_NR_STATS];
	int errors;
	/* Files of newer kernels missing somewhere in the tree. */
	bool missing_tunable[TP_NR_TUNABLES];
	bool missing_constant[TP_NR_CONSTANTS];
	bool missing_stat[TP_NR_STATS];
};

static void read_one(struct snapshot *s, const char *name, struct tp_value *v)
{
	if (read_newer_value(name, v))
		s->errors++;
}

/* Read the statistics files of @dir ("stats" or "nodeN") into @v. */
static void read_stats_dir(struct snapshot *s, const char *dir,
			   struct tp_value *v)
{
	char name[64];
	size_t i;

	for (i = 0; i < TP_NR_STATS; i++) {
		snprintf(name, sizeof(name), "%s/%s", dir, tp_stat_names[i]);
		read_one(s, name, &v[i]);
		if (v[i].absent)
			s->missing_stat[i] = true;
	}
}

static void read_snapshot(struct snapshot *s)
{
	char name[64];
	bool on = false;
	size_t i, j;

	s->tunables[TP_ENABLED].ok = !read_bool("enabled", &on);
	s->tunables[TP_ENABLED].val = on;
	if (!s->tunables[TP_ENABLED].ok)
		s->errors++;
	for (i = TP_ENABLED + 1; i < TP_NR_TUNABLES; i++) {
		read_one(s, tp_tunable_names[i], &s->tunables[i]);
		if (s->tunables[i].absent)
			s->missing_tunable[i] = true;
	}
	for (i = 0; i < TP_NR_CONSTANTS; i++) {
		read_one(s, tp_constant_names[i], &s->constants[i]);
		if (s->constants[i].absent)
			s->missing_constant[i] = true;
	}
	read_stats_dir(s, "stats", s->total);
	for (i = 0; i < s->nr_nodes; i++) {
		snprintf(name, sizeof(name), "node%u", s->nodes[i]);
		read_stats_dir(s, name, s->node[i]);
	}
	for (i = 0; i < TP_NR_USERS; i++) {
		for (j = 0; j < TP_NR_USER_STATS; j++) {
			snprintf(name, sizeof(name), "users/%s/%s",
				 tp_user_names[i], tp_user_stat_names[j]);
			read_one(s, name, &s->users[i][j]);
		}
	}
}

/*
 * Say in one line which files of newer kernels this one lacks: they are
 * left out of the table and of the JSON, and that is no error.
 */
static void report_missing(const struct snapshot *s)
{
	char list[512];
	size_t len = 0, i;

	list[0] = '\0';
	for (i = 0; i < TP_NR_TUNABLES; i++)
		if (s->missing_tunable[i] && len < sizeof(list))
			len += snprintf(list + len, sizeof(list) - len, "%s%s",
					len ? ", " : "", tp_tunable_names[i]);
	for (i = 0; i < TP_NR_CONSTANTS; i++)
		if (s->missing_constant[i] && len < sizeof(list))
			len += snprintf(list + len, sizeof(list) - len, "%s%s",
					len ? ", " : "", tp_constant_names[i]);
	for (i = 0; i < TP_NR_STATS; i++)
		if (s->missing_stat[i] && len < sizeof(list))
			len += snprintf(list + len, sizeof(list) - len, "%s%s",
					len ? ", " : "", tp_stat_names[i]);
	if (len)
		warnx("not in this kernel (an older textpool), not shown: %s",
		      list);
}

/*
 * How much of the mapped chunks is in use, in percent: what is not free
 * of chunks * chunk_size.  False when that cannot be told.
 */
static bool utilisation(const struct tp_value *st,
			const struct tp_value *chunk_size, double *pct)
{
	long double size, free;

	if (!st[TP_CHUNKS].ok || !st[TP_FREE_BYTES].ok || !chunk_size->ok)
		return false;
	size = (long double)st[TP_CHUNKS].val * chunk_size->val;
	free = st[TP_FREE_BYTES].val;
	if (size == 0 || free > size)
		return false;
	*pct = (double)(100 * (size - free) / size);
	return true;
}

static const char *fmt_util(char *buf, size_t size, const struct tp_value *st,
			    const struct tp_value *chunk_size)
{
	double pct;

	if (utilisation(st, chunk_size, &pct))
		snprintf(buf, size, "%.1f%%", pct);
	else
		snprintf(buf, size, "-");
	return buf;
}

#define UTILISATION	(-1)

static const struct row {
	const char *label;
	int stat;
	bool bytes;
} rows[] = {
	{ "used",		TP_ALLOCATED_BYTES,	true },
	{ "requested",		TP_REQUESTED_BYTES,	true },
	{ "free",		TP_FREE_BYTES,		true },
	{ "largest free",	TP_LARGEST_FREE,	true },
	{ "utilisation",	UTILISATION,		false },
	{ "chunks",		TP_CHUNKS,		false },
	{ "allocations",	TP_ALLOCATIONS,		false },
	{ "  on fallback",	TP_FALLBACK_ALLOCATIONS, false },
	{ "  fallback used",	TP_FALLBACK_ALLOCATED_BYTES, true },
	{ "fallback allocs",	TP_FALLBACK_ALLOCS,	false },
	{ "  large",		TP_FALLBACK_LARGE,	false },
	{ "  disabled",		TP_FALLBACK_DISABLED,	false },
	{ "  early",		TP_FALLBACK_EARLY,	false },
	{ "  limit",		TP_FALLBACK_LIMIT,	false },
	{ "  nomem",		TP_FALLBACK_NOMEM,	false },
	{ "remote allocs",	TP_REMOTE_ALLOCS,	false },
	{ "allocs total",	TP_ALLOC_TOTAL,		false },
	{ "frees total",	TP_FREE_TOTAL,		false },
	{ "alloc failures",	TP_ALLOC_FAILURES,	false },
	{ "grow failures",	TP_GROW_FAILURES,	false },
	{ "shrunk chunks",	TP_SHRUNK_CHUNKS,	false },
	{ "bad frees",		TP_BAD_FREES,		false },
	{ "wrong user",		TP_WRONG_USER,		false },
};

/* Is the statistic of @row absent from every column? */
static bool row_absent(const struct row *row, const struct snapshot *s,
		       bool total)
{
	size_t i;

	if (row->stat == UTILISATION)
		return false;
	if (total && !s->total[row->stat].absent)
		return false;
	for (i = 0; i < s->nr_nodes; i++)
		if (!s->node[i][row->stat].absent)
			return false;
	return true;
}

static void print_cell(const struct row *row, const struct tp_value *st,
		       const struct tp_value *chunk_size)
{
	char buf[32];

	if (row->stat == UTILISATION)
		fmt_util(buf, sizeof(buf), st, chunk_size);
	else if (row->bytes)
		fmt_size(buf, sizeof(buf), &st[row->stat]);
	else
		fmt_value(buf, sizeof(buf), &st[row->stat]);
	printf(" %12s", buf);
}

static void print_table(const struct snapshot *s, bool total)
{
	const struct tp_value *chunk_size = &s->constants[TP_CHUNK_SIZE];
	const struct tp_value *enabled = &s->tunables[TP_ENABLED];
	const struct tp_value *max = &s->tunables[TP_MAX_CHUNKS];
	const struct tp_value *total_max = &s->tunables[TP_MAX_TOTAL_CHUNKS];
	char buf[32], buf2[32];
	size_t i, j;

	printf("textpool %s, reserve_chunks %s, max_chunks %s%s",
	       !enabled->ok ? "-" : enabled->val ? "enabled" : "disabled",
	       fmt_value(buf, sizeof(buf), &s->tunables[TP_RESERVE_CHUNKS]),
	       fmt_value(buf2, sizeof(buf2), max),
	       max->ok && !max->val ? " (no bound)" : "");
	if (!total_max->absent)
		printf(", max_total_chunks %s",
		       fmt_value(buf, sizeof(buf), total_max));
	if (!s->constants[TP_MAX_CHUNKS_LIMIT].absent)
		printf(", max_chunks_limit %s",
		       fmt_value(buf, sizeof(buf),
				 &s->constants[TP_MAX_CHUNKS_LIMIT]));
	printf("\n");

	printf("\n%-16s", "");
	if (total)
		printf(" %12s", "total");
	for (i = 0; i < s->nr_nodes; i++) {
		snprintf(buf, sizeof(buf), "node%u", s->nodes[i]);
		printf(" %12s", buf);
	}
	printf("\n");
	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		if (row_absent(&rows[i], s, total))
			continue;
		printf("%-16s", rows[i].label);
		if (total)
			print_cell(&rows[i], s->total, chunk_size);
		for (j = 0; j < s->nr_nodes; j++)
			print_cell(&rows[i], s->node[j], chunk_size);
		printf("\n");
	}

	printf("\n%-16s %12s %12s\n", "user (all nodes)", "allocations",
	       "used");
	for (i = 0; i < TP_NR_USERS; i++)
		printf("%-16s %12s %12s\n", tp_user_names[i],
		       fmt_value(buf, sizeof(buf),
				 &s->users[i][TP_USER_ALLOCATIONS]),
		       fmt_size(buf2, sizeof(buf2),
				&s->users[i][TP_USER_ALLOCATED_BYTES]));
}

/*
 * One object that mirrors the sysfs tree: a key per file, an object per
 * directory.  Documented in textpoolctl(8): keep the keys stable.
 */
static void print_json(const struct snapshot *s)
{
	const struct tp_value *enabled = &s->tunables[TP_ENABLED];
	char name[32];
	size_t i, j;

	jw_object(NULL);
	if (enabled->ok)
		jw_bool("enabled", enabled->val);
	else
		jw_null("enabled");
	for (i = TP_ENABLED + 1; i < TP_NR_TUNABLES; i++)
		jw_value(tp_tunable_names[i], &s->tunables[i]);
	for (i = 0; i < TP_NR_CONSTANTS; i++)
		jw_value(tp_constant_names[i], &s->constants[i]);
	jw_object("stats");
	for (i = 0; i < TP_NR_STATS; i++)
		jw_value(tp_stat_names[i], &s->total[i]);
	jw_end();
	for (i = 0; i < s->nr_nodes; i++) {
		snprintf(name, sizeof(name), "node%u", s->nodes[i]);
		jw_object(name);
		for (j = 0; j < TP_NR_STATS; j++)
			jw_value(tp_stat_names[j], &s->node[i][j]);
		jw_end();
	}
	jw_object("users");
	for (i = 0; i < TP_NR_USERS; i++) {
		jw_object(tp_user_names[i]);
		for (j = 0; j < TP_NR_USER_STATS; j++)
			jw_value(tp_user_stat_names[j], &s->users[i][j]);
		jw_end();
	}
	jw_end();
	jw_end();
}

/*
 * --prometheus: the text exposition format of Prometheus, for the textfile
 * collector of node_exporter.  One metric family per statistic, with a
 * node label (the nodeN/ directories; stats/ is their sum and is left out,
 * so that sum() over the nodes is right), users/ with a user label, and
 * the tunables and constants without a label.  Counters end in _total.
 */
static const struct prom_family {
	const char *name;
	const char *help;
} prom_stats[TP_NR_STATS] = {
	[TP_CHUNKS]		= { "chunks", "Mapped 2 MiB chunks." },
	[TP_ALLOCATIONS]	= { "allocations",
				    "Live allocations, in chunks and on the fallback path." },
	[TP_ALLOCATED_BYTES]	= { "allocated_bytes",
				    "Bytes of the live allocations, rounded up to slots." },
	[TP_REQUESTED_BYTES]	= { "requested_bytes",
				    "Bytes the live allocations asked for." },
	[TP_FREE_BYTES]		= { "free_bytes", "Free bytes inside the mapped chunks." },
	[TP_LARGEST_FREE]	= { "largest_free_bytes",
				    "Largest free extent inside one chunk." },
	[TP_ALLOC_TOTAL]	= { "allocs_total", "Successful allocations." },
	[TP_FREE_TOTAL]		= { "frees_total", "Frees." },
	[TP_ALLOC_FAILURES]	= { "alloc_failures_total", "Allocations that failed." },
	[TP_FALLBACK_ALLOCS]	= { "fallback_allocs_total",
				    "Allocations served by the execmem fallback path." },
	[TP_FALLBACK_LARGE]	= { "fallback_large_total",
				    "Fallback allocations larger than a chunk." },
	[TP_FALLBACK_DISABLED]	= { "fallback_disabled_total",
				    "Fallback allocations while textpool was disabled." },
	[TP_FALLBACK_EARLY]	= { "fallback_early_total",
				    "Fallback allocations made before textpool was initialised." },
	[TP_FALLBACK_LIMIT]	= { "fallback_limit_total",
				    "Fallback allocations at max_chunks or max_total_chunks." },
	[TP_FALLBACK_NOMEM]	= { "fallback_nomem_total",
				    "Fallback allocations for want of a free 2 MiB page." },
	[TP_FALLBACK_ALLOCATIONS] = { "fallback_allocations",
				      "Live allocations on the fallback path." },
	[TP_FALLBACK_ALLOCATED_BYTES] = { "fallback_allocated_bytes",
					  "Bytes of the live allocations on the fallback path." },
	[TP_REMOTE_ALLOCS]	= { "remote_allocs_total",
				    "Allocations served by another node's pool." },
	[TP_GROW_FAILURES]	= { "grow_failures_total", "Chunks that could not be made." },
	[TP_SHRUNK_CHUNKS]	= { "shrunk_chunks_total",
				    "Empty chunks given back under memory pressure." },
	[TP_BAD_FREES]		= { "bad_frees_total",
				    "Frees of addresses that were not live allocations." },
	[TP_WRONG_USER]		= { "wrong_user_total",
				    "Frees and writes refused: the allocation is another user's." },
};

static const struct prom_family prom_tunables[TP_NR_TUNABLES] = {
	[TP_ENABLED]		= { "enabled", "1 if new allocations are served from the pools." },
	[TP_RESERVE_CHUNKS]	= { "reserve_chunks", "Empty chunks each node keeps mapped." },
	[TP_MAX_CHUNKS]		= { "max_chunks", "Chunks a node may have; 0: no bound." },
	[TP_MAX_TOTAL_CHUNKS]	= { "max_total_chunks", "Chunks all nodes may have together." },
};

static const struct prom_family prom_constants[TP_NR_CONSTANTS] = {
	[TP_CHUNK_SIZE]		= { "chunk_size_bytes", "Size of a chunk." },
	[TP_SLOT_SIZE]		= { "slot_size_bytes", "Allocation granule." },
	[TP_MAX_CHUNKS_LIMIT]	= { "max_chunks_limit", "Largest value of max_chunks." },
};

static const struct prom_family prom_users[TP_NR_USER_STATS] = {
	[TP_USER_ALLOCATIONS]	= { "user_allocations", "Live allocations of a user." },
	[TP_USER_ALLOCATED_BYTES] = { "user_allocated_bytes",
				      "Bytes of the live allocations of a user." },
};

/* A string as HELP text (@label: as a label value) of the format wants it. */
static void prom_escaped(const char *s, bool label)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", stdout);
		else if (*s == '\n')
			fputs("\\n", stdout);
		else if (*s == '"' && label)
			fputs("\\\"", stdout);
		else
			putchar(*s);
	}
}

static void prom_header(const struct prom_family *f, bool counter)
{
	printf("# HELP textpool_%s ", f->name);
	prom_escaped(f->help, false);
	printf("\n# TYPE textpool_%s %s\n", f->name, counter ? "counter" : "gauge");
}

/* One sample; nothing for a value that could not be read. */
static void prom_sample(const struct prom_family *f, const char *label,
			const char *value, const struct tp_value *v)
{
	if (!v->ok)
		return;
	printf("textpool_%s", f->name);
	if (label) {
		printf("{%s=\"", label);
		prom_escaped(value, true);
		printf("\"}");
	}
	printf(" %llu\n", v->val);
}

static void print_prometheus(const struct snapshot *s)
{
	char node[16];
	size_t i, j;

	for (i = 0; i < TP_NR_TUNABLES; i++) {
		if (s->tunables[i].absent)
			continue;
		prom_header(&prom_tunables[i], false);
		prom_sample(&prom_tunables[i], NULL, NULL, &s->tunables[i]);
	}
	for (i = 0; i < TP_NR_CONSTANTS; i++) {
		if (s->constants[i].absent)
			continue;
		prom_header(&prom_constants[i], false);
		prom_sample(&prom_constants[i], NULL, NULL, &s->constants[i]);
	}
	for (i = 0; i < TP_NR_STATS; i++) {
		for (j = 0; j < s->nr_nodes && s->node[j][i].absent; j++)
			;
		if (j == s->nr_nodes)
			continue;
		prom_header(&prom_stats[i], tp_stat_is_counter[i]);
		for (j = 0; j < s->nr_nodes; j++) {
			snprintf(node, sizeof(node), "%u", s->nodes[j]);
			prom_sample(&prom_stats[i], "node", node, &s->node[j][i]);
		}
	}
	for (i = 0; i < TP_NR_USER_STATS; i++) {
		prom_header(&prom_users[i], false);
		for (j = 0; j < TP_NR_USERS; j++)
			prom_sample(&prom_users[i], "user", tp_user_names[j],
				    &s->users[j][i]);
	}
}

int do_stats(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "sysfs", required_argument, NULL, OPT_SYSFS },
		{ "debugfs", required_argument, NULL, OPT_DEBUGFS },
		{ "help", no_argument, NULL, 'h' },
		{ "node", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "prometheus", no_argument, NULL, OPT_PROMETHEUS },
		{}
	};
	struct snapshot s = {};
	bool prometheus = false, one_node = false;
	unsigned int nid = 0;
	size_t i;
	int opt;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "+:hn:j", opts, NULL)) != -1) {
		if (parse_common_option(opt))
			continue;
		switch (opt) {
		case 'h':
			print_command_help(argv[0]);
			return EXIT_OK;
		case 'n':
			if (!parse_uint(optarg, &nid))
				return usage_error(argv[0], "invalid node '%s'",
						   optarg);
			one_node = true;
			break;
		case 'j':
			json_output = true;
			break;
		case OPT_PROMETHEUS:
			prometheus = true;
			break;
		default:
			return option_error(argv[0], opt, argv);
		}
	}
	if (optind < argc)
		return usage_error(argv[0], "unexpected argument '%s'",
				   argv[optind]);
	if (prometheus && json_output)
		return usage_error(argv[0], "--json and --prometheus exclude each other");
	if (!textpool_present())
		return EXIT_ERROR;

	if (list_nodes(&s.nodes, &s.nr_nodes))
		return EXIT_ERROR;
	if (one_node) {
		for (i = 0; i < s.nr_nodes && s.nodes[i] != nid; i++)
			;
		if (i == s.nr_nodes) {
			warnx("no node %u in %s", nid, sysfs_dir);
			free(s.nodes);
			return EXIT_ERROR;
		}
		s.nodes[0] = nid;
		s.nr_nodes = 1;
	}
	s.node = calloc(s.nr_nodes ? s.nr_nodes : 1, sizeof(*s.node));
	if (!s.node) {
		warnx("out of memory");
		free(s.nodes);
		return EXIT_ERROR;
	}

	read_snapshot(&s);
	if (prometheus)
		print_prometheus(&s);
	else if (json_output)
		print_json(&s);
	else
		print_table(&s, !one_node);
	report_missing(&s);

	free(s.node);
	free(s.nodes);
	return s.errors ? EXIT_ERROR : EXIT_OK;
}

/* watch: parse the interval, in seconds with decimals. */
static bool parse_interval(const char *s, struct timespec *ts)
{
	double v;

	if (!parse_seconds(s, 0.001, 86400, &v))
		return false;
	ts->tv_sec = (time_t)v;
	ts->tv_nsec = (long)((v - (double)ts->tv_sec) * 1e9);
	return true;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* After this many intervals in a row with a read error, watch gives up. */
#define WATCH_MAX_BAD	3

/*
 * What watch remembers of the last good read of each statistic: the
 * value and when it was read, so that a rate spans an interval with a
 * read error.
 */
struct watch_prev {
	struct tp_value v[TP_NR_STATS];
	double t[TP_NR_STATS];
};

/* The rate of counter @i per second; false on the first line, after a
 * read error of it, or when it went back.
 */
static bool rate_of(int i, const struct tp_value *cur,
		    const struct watch_prev *prev, double t, double *rate)
{
	const struct tp_value *p = &prev->v[i];
	double secs = t - prev->t[i];

	if (!cur[i].ok || !p->ok || cur[i].val < p->val || secs <= 0)
		return false;
	*rate = (cur[i].val - p->val) / secs;
	return true;
}

static const char *fmt_rate(char *buf, size_t size, int i,
			    const struct tp_value *cur,
			    const struct watch_prev *prev, double t)
{
	double rate;

	if (rate_of(i, cur, prev, t, &rate))
		snprintf(buf, size, "%.1f", rate);
	else
		snprintf(buf, size, "-");
	return buf;
}

static void clock_now(char *clock, size_t size)
{
	time_t t = time(NULL);
	struct tm tm;

	if (!localtime_r(&t, &tm) || !strftime(clock, size, "%H:%M:%S", &tm))
		snprintf(clock, size, "-");
}

#define WATCH_FORMAT	"%-8s %9s %9s %11s %10s %10s %6s %6s %10s %7s\n"

static void watch_line(const struct tp_value *cur,
		       const struct watch_prev *prev, double t,
		       const struct tp_value *chunk_size)
{
	char b[9][32], clock[16];

	clock_now(clock, sizeof(clock));
	printf(WATCH_FORMAT, clock,
	       fmt_rate(b[0], sizeof(b[0]), TP_ALLOC_TOTAL, cur, prev, t),
	       fmt_rate(b[1], sizeof(b[1]), TP_FREE_TOTAL, cur, prev, t),
	       fmt_value(b[2], sizeof(b[2]), &cur[TP_ALLOCATIONS]),
	       fmt_size(b[3], sizeof(b[3]), &cur[TP_ALLOCATED_BYTES]),
	       fmt_size(b[4], sizeof(b[4]), &cur[TP_FREE_BYTES]),
	       fmt_util(b[5], sizeof(b[5]), cur, chunk_size),
	       fmt_value(b[6], sizeof(b[6]), &cur[TP_CHUNKS]),
	       fmt_rate(b[7], sizeof(b[7]), TP_FALLBACK_ALLOCS, cur, prev, t),
	       fmt_rate(b[8], sizeof(b[8]), TP_ALLOC_FAILURES, cur, prev, t));
	fflush(stdout);
}

/*
 * One JSON object per interval: "levels" holds the gauges as read (null:
 * could not be read), "rates" the counters per second (null: no rate).
 */
static void watch_json(const struct tp_value *cur,
		       const struct watch_prev *prev, double t, double t0,
		       const struct tp_value *chunk_size, long node)
{
	char clock[16];
	double rate, pct;
	size_t i;

	clock_now(clock, sizeof(clock));
	jw_object(NULL);
	jw_string("time", clock);
	jw_double("elapsed", t - t0);
	if (node >= 0)
		jw_u64("node", node);
	jw_object("levels");
	for (i = 0; i < TP_NR_STATS; i++)
		if (!tp_stat_is_counter[i])
			jw_value(tp_stat_names[i], &cur[i]);
	if (utilisation(cur, chunk_size, &pct))
		jw_double("utilisation", pct);
	else
		jw_null("utilisation");
	jw_end();
	jw_object("rates");
	for (i = 0; i < TP_NR_STATS; i++) {
		if (!tp_stat_is_counter[i] || cur[i].absent)
			continue;
		if (rate_of(i, cur, prev, t, &rate))
			jw_double(tp_stat_names[i], rate);
		else
			jw_null(tp_stat_names[i]);
	}
	jw_end();
	jw_end();
	fflush(stdout);
}

static void timespec_add(struct timespec *t, const struct timespec *d)
{
	t->tv_sec += d->tv_sec;
	t->tv_nsec += d->tv_nsec;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

int do_watch(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "sysfs", required_argument, NULL, OPT_SYSFS },
		{ "debugfs", required_argument, NULL, OPT_DEBUGFS },
		{ "help", no_argument, NULL, 'h' },
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'c' },
		{ "node", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{}
	};
	struct tp_value cur[TP_NR_STATS], chunk_size;
	struct timespec interval = { .tv_sec = 1 }, next;
	unsigned long long count = 0, n;
	struct watch_prev prev = {};
	struct snapshot s = {};
	int opt, bad = 0, errors;
	unsigned int nid = 0;
	char dir[32] = "stats";
	long node = -1;
	double t, t0;
	size_t i;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "+:hi:c:n:j", opts, NULL)) != -1) {
		if (parse_common_option(opt))
			continue;
		switch (opt) {
		case 'h':
			print_command_help(argv[0]);
			return EXIT_OK;
		case 'i':
			if (!parse_interval(optarg, &interval))
				return usage_error(argv[0],
						   "invalid interval '%s' (0.001 to 86400 s)",
						   optarg);
			break;
		case 'c':
			if (!parse_u64(optarg, &count) || !count)
				return usage_error(argv[0],
						   "invalid count '%s' (lines, 1 or more)",
						   optarg);
			break;
		case 'n':
			if (!parse_uint(optarg, &nid))
				return usage_error(argv[0], "invalid node '%s'",
						   optarg);
			node = nid;
			break;
		case 'j':
			json_output = true;
			break;
		default:
			return option_error(argv[0], opt, argv);
		}
	}
	if (optind < argc)
		return usage_error(argv[0], "unexpected argument '%s'",
				   argv[optind]);
	if (!textpool_present())
		return EXIT_ERROR;

	if (node >= 0) {
		if (list_nodes(&s.nodes, &s.nr_nodes))
			return EXIT_ERROR;
		for (i = 0; i < s.nr_nodes && s.nodes[i] != nid; i++)
			;
		free(s.nodes);
		if (i == s.nr_nodes) {
			warnx("no node %u in %s", nid, sysfs_dir);
			return EXIT_ERROR;
		}
		snprintf(dir, sizeof(dir), "node%u", nid);
	}
	read_one(&s, tp_constant_names[TP_CHUNK_SIZE], &chunk_size);
	if (s.errors)
		return EXIT_ERROR;

	if (!json_output)
		printf(WATCH_FORMAT, "time", "allocs/s", "frees/s",
		       "allocations", "used", "free", "util", "chunks",
		       "fallback/s", "fail/s");
	clock_gettime(CLOCK_MONOTONIC, &next);
	t0 = now();
	for (n = 0; !count || n < count; n++) {
		if (n) {
			timespec_add(&next, &interval);
			while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME,
					       &next, NULL) == EINTR)
				;
		}
		t = now();
		errors = s.errors;
		read_stats_dir(&s, dir, cur);
		if (json_output)
			watch_json(cur, &prev, t, t0, &chunk_size, node);
		else
			watch_line(cur, &prev, t, &chunk_size);
		if (ferror(stdout))
			return EXIT_ERROR;
		/* A read error: the value is "-" or null, and watch goes on. */
		bad = s.errors > errors ? bad + 1 : 0;
		if (bad >= WATCH_MAX_BAD) {
			warnx("giving up: read errors in %d intervals in a row",
			      bad);
			return EXIT_ERROR;
		}
		for (i = 0; i < TP_NR_STATS; i++) {
			if (!cur[i].ok)
				continue;
			prev.v[i] = cur[i];
			prev.t[i] = t;
		}
	}
	/* The last line must have been read whole. */
	return bad ? EXIT_ERROR : EXIT_OK;
}
