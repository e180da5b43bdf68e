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
	for (i = 0; i < TP_NR_CONSTANTS; i++)
		read_one(s, tp_constant_names[i], &s->constants[i]);
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
	{ "  2M (huge)",	TP_HUGE_CHUNKS,		false },
	{ "  4K (fallback)",	TP_FALLBACK_CHUNKS,	false },
	{ "allocations",	TP_ALLOCATIONS,		false },
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

/* A key and its value, or nothing for a file this kernel does not have. */
static void json_value(int indent, const char *key, const struct tp_value *v,
		       bool last)
{
	if (v->absent)
		return;
	printf("%*s\"%s\": ", indent, "", key);
	if (v->ok)
		printf("%llu", v->val);
	else
		printf("null");
	printf("%s\n", last ? "" : ",");
}

static void json_object(int indent, const char *key,
			const char * const *names, const struct tp_value *v,
			size_t nr, bool last)
{
	size_t i, n;

	/* The last key printed has no comma. */
	for (n = nr; n && v[n - 1].absent; n--)
		;
	printf("%*s\"%s\": {\n", indent, "", key);
	for (i = 0; i < n; i++)
		json_value(indent + 2, names[i], &v[i], i == n - 1);
	printf("%*s}%s\n", indent, "", last ? "" : ",");
}

/*
 * One object that mirrors the sysfs tree: a key per file, an object per
 * directory.  Documented in textpoolctl(8): keep the keys stable.
 */
static void print_json(const struct snapshot *s)
{
	const struct tp_value *enabled = &s->tunables[TP_ENABLED];
	char name[32];
	size_t i;

	printf("{\n  \"enabled\": %s,\n",
	       !enabled->ok ? "null" : enabled->val ? "true" : "false");
	for (i = TP_ENABLED + 1; i < TP_NR_TUNABLES; i++)
		json_value(2, tp_tunable_names[i], &s->tunables[i], false);
	for (i = 0; i < TP_NR_CONSTANTS; i++)
		json_value(2, tp_constant_names[i], &s->constants[i], false);
	json_object(2, "stats", tp_stat_names, s->total, TP_NR_STATS, false);
	for (i = 0; i < s->nr_nodes; i++) {
		snprintf(name, sizeof(name), "node%u", s->nodes[i]);
		json_object(2, name, tp_stat_names, s->node[i], TP_NR_STATS,
			    false);
	}
	printf("  \"users\": {\n");
	for (i = 0; i < TP_NR_USERS; i++)
		json_object(4, tp_user_names[i], tp_user_stat_names,
			    s->users[i], TP_NR_USER_STATS,
			    i == TP_NR_USERS - 1);
	printf("  }\n}\n");
}

int do_stats(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "sysfs", required_argument, NULL, OPT_SYSFS },
		{ "debugfs", required_argument, NULL, OPT_DEBUGFS },
		{ "help", no_argument, NULL, 'h' },
		{ "node", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{}
	};
	struct snapshot s = {};
	bool json = false, one_node = false;
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
			json = true;
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
	if (json)
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
	char *end;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < 0.001 ||
	    v > 86400)
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

static const char *fmt_rate(char *buf, size_t size, const struct tp_value *cur,
			    const struct tp_value *prev, double secs)
{
	/* No rate on the first line, nor when a counter went back. */
	if (!prev || !cur->ok || !prev->ok || cur->val < prev->val || secs <= 0)
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%.1f", (cur->val - prev->val) / secs);
	return buf;
}

static void watch_line(const struct tp_value *cur, const struct tp_value *prev,
		       double secs, const struct tp_value *chunk_size)
{
	char b[9][32], clock[16];
	struct tm tm;
	time_t t = time(NULL);

	if (!localtime_r(&t, &tm) ||
	    !strftime(clock, sizeof(clock), "%H:%M:%S", &tm))
		snprintf(clock, sizeof(clock), "-");
	printf("%-8s %9s %9s %11s %10s %10s %6s %6s %9s %8s\n", clock,
	       fmt_rate(b[0], sizeof(b[0]), &cur[TP_ALLOC_TOTAL],
			prev ? &prev[TP_ALLOC_TOTAL] : NULL, secs),
	       fmt_rate(b[1], sizeof(b[1]), &cur[TP_FREE_TOTAL],
			prev ? &prev[TP_FREE_TOTAL] : NULL, secs),
	       fmt_value(b[2], sizeof(b[2]), &cur[TP_ALLOCATIONS]),
	       fmt_size(b[3], sizeof(b[3]), &cur[TP_ALLOCATED_BYTES]),
	       fmt_size(b[4], sizeof(b[4]), &cur[TP_FREE_BYTES]),
	       fmt_util(b[5], sizeof(b[5]), cur, chunk_size),
	       fmt_value(b[6], sizeof(b[6]), &cur[TP_CHUNKS]),
	       fmt_value(b[7], sizeof(b[7]), &cur[TP_FALLBACK_ALLOCS]),
	       fmt_value(b[8], sizeof(b[8]), &cur[TP_ALLOC_FAILURES]));
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
		{}
	};
	struct tp_value cur[TP_NR_STATS], prev[TP_NR_STATS], chunk_size;
	struct timespec interval = { .tv_sec = 1 }, next;
	unsigned long long count = 0, n;
	struct snapshot s = {};
	double t, last = 0;
	int opt;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "+:hi:c:", opts, NULL)) != -1) {
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
		default:
			return option_error(argv[0], opt, argv);
		}
	}
	if (optind < argc)
		return usage_error(argv[0], "unexpected argument '%s'",
				   argv[optind]);
	if (!textpool_present())
		return EXIT_ERROR;

	read_one(&s, tp_constant_names[TP_CHUNK_SIZE], &chunk_size);
	if (s.errors)
		return EXIT_ERROR;

	printf("%-8s %9s %9s %11s %10s %10s %6s %6s %9s %8s\n", "time",
	       "allocs/s", "frees/s", "allocations", "used", "free", "util",
	       "chunks", "fallbacks", "failures");
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (n = 0; !count || n < count; n++) {
		if (n) {
			timespec_add(&next, &interval);
			while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME,
					       &next, NULL) == EINTR)
				;
		}
		t = now();
		read_stats_dir(&s, "stats", cur);
		if (s.errors)
			return EXIT_ERROR;
		watch_line(cur, n ? prev : NULL, t - last, &chunk_size);
		if (ferror(stdout))
			return EXIT_ERROR;
		memcpy(prev, cur, sizeof(prev));
		last = t;
	}
	return EXIT_OK;
}
