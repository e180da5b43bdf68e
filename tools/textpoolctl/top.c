// SPDX-License-Identifier: GPL-2.0
/*
 * textpoolctl top: the chunks of each node as a live map, refreshed every
 * interval, that fits a terminal of 80x24 (or the one it runs in): per
 * node its chunks and use, per chunk its utilisation, largest free extent,
 * allocations and occupancy map (two cells of debugfs per character).
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "textpoolctl.h"

#define TOP_COLUMNS	80
#define TOP_ROWS	24
#define TOP_CELLS	(MAP_CELLS / 2)
/* The size of a chunk, chunk_size of the ABI. */
#define TOP_CHUNK_BYTES	(2ULL << 20)

/* Rows of the terminal, or TOP_ROWS when it is none. */
static unsigned int top_rows(void)
{
	struct winsize ws;

	if (isatty(STDOUT_FILENO) && !ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) &&
	    ws.ws_row >= 8)
		return ws.ws_row;
	return TOP_ROWS;
}

static double chunk_util(const struct chunk *c)
{
	return 100.0 * (double)c->used_bytes / (double)TOP_CHUNK_BYTES;
}

/* Two cells of the map in one character: '.', '#' when both are, else 'o'. */
static void half_map(const char *map, char *out)
{
	int i;

	for (i = 0; i < TOP_CELLS; i++) {
		char a = map[2 * i], b = map[2 * i + 1];

		out[i] = a == b && a != 'o' ? a : 'o';
	}
	out[TOP_CELLS] = '\0';
}

static void top_chunk_line(unsigned int idx, const struct chunk *c)
{
	char largest[32], map[TOP_CELLS + 1];

	half_map(c->map, map);
	printf("  %5u %6.1f%% %12s %7llu  %s\n", idx, chunk_util(c),
	       fmt_bytes(largest, sizeof(largest), c->largest_free),
	       c->allocations, map);
}

/* One frame; @rows: the lines it may take. */
static void top_frame(const struct chunk *chunks, size_t nr,
		      const unsigned int *nodes, size_t nr_nodes,
		      unsigned int rows, double interval)
{
	unsigned int budget, share, shown, idx;
	unsigned long long used, mapped;
	char clock[16], b1[32], b2[32];
	size_t i, j, count;
	time_t t = time(NULL);
	struct tm tm;

	if (!localtime_r(&t, &tm) ||
	    !strftime(clock, sizeof(clock), "%H:%M:%S", &tm))
		snprintf(clock, sizeof(clock), "-");
	printf("textpool top - %s, %zu chunk%s on %zu node%s, every %.1f s\n",
	       clock, nr, nr == 1 ? "" : "s", nr_nodes,
	       nr_nodes == 1 ? "" : "s", interval);
	/* Title, per node two lines, the legend. */
	budget = rows > 2 + 2 * nr_nodes ? rows - 2 - 2 * nr_nodes : 0;
	share = nr_nodes ? budget / nr_nodes : 0;
	if (!share)
		share = 1;
	for (i = 0; i < nr_nodes; i++) {
		used = 0;
		count = 0;
		for (j = 0; j < nr; j++) {
			if (chunks[j].node != nodes[i])
				continue;
			used += chunks[j].used_bytes;
			count++;
		}
		mapped = count * TOP_CHUNK_BYTES;
		printf("node %u: %zu chunk%s, %s of %s used (%.1f%%)\n",
		       nodes[i], count, count == 1 ? "" : "s",
		       fmt_bytes(b1, sizeof(b1), used),
		       fmt_bytes(b2, sizeof(b2), mapped),
		       mapped ? 100.0 * (double)used / (double)mapped : 0.0);
		printf("  %5s %7s %12s %7s  %s\n", "chunk", "util",
		       "largest free", "allocs", "map (a character: 64 KiB)");
		shown = 0;
		idx = 0;
		for (j = 0; j < nr; j++) {
			if (chunks[j].node != nodes[i])
				continue;
			if (count > share && shown + 1 >= share) {
				printf("  ... %zu more chunk%s\n", count - shown,
				       count - shown == 1 ? "" : "s");
				break;
			}
			top_chunk_line(idx++, &chunks[j]);
			shown++;
		}
	}
	printf("'.' empty, 'o' partly used, '#' full; util: used share of the chunk\n");
	fflush(stdout);
}

/* The nodes of the chunks and of the sysfs tree, sorted, without repeats. */
static size_t top_nodes(const struct chunk *chunks, size_t nr,
			unsigned int *sys, size_t nr_sys, unsigned int **out)
{
	unsigned int *nodes = calloc(nr + nr_sys + 1, sizeof(*nodes));
	size_t n = 0, i, j, k;

	*out = nodes;
	if (!nodes)
		return 0;
	for (i = 0; i < nr_sys + nr; i++) {
		unsigned int id = i < nr_sys ? sys[i] : chunks[i - nr_sys].node;

		for (j = 0; j < n && nodes[j] < id; j++)
			;
		if (j < n && nodes[j] == id)
			continue;
		for (k = n; k > j; k--)
			nodes[k] = nodes[k - 1];
		nodes[j] = id;
		n++;
	}
	*out = nodes;
	return n;
}

int do_top(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "sysfs", required_argument, NULL, OPT_SYSFS },
		{ "debugfs", required_argument, NULL, OPT_DEBUGFS },
		{ "help", no_argument, NULL, 'h' },
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'c' },
		{ "node", required_argument, NULL, 'n' },
		{}
	};
	unsigned long long count = 0, n;
	unsigned int *sys = NULL, *nodes, nid = 0;
	struct chunk *chunks;
	size_t nr, nr_sys = 0, nr_nodes, i, kept;
	bool one_node = false, tty = isatty(STDOUT_FILENO);
	double interval = 1;
	struct stat st;
	int opt, ret = EXIT_OK;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "+:hi:c:n:", opts, NULL)) != -1) {
		if (parse_common_option(opt))
			continue;
		switch (opt) {
		case 'h':
			print_command_help(argv[0]);
			return EXIT_OK;
		case 'i':
			if (!parse_seconds(optarg, 0.1, 86400, &interval))
				return usage_error(argv[0],
						   "invalid interval '%s' (0.1 to 86400 s)",
						   optarg);
			break;
		case 'c':
			if (!parse_u64(optarg, &count) || !count)
				return usage_error(argv[0],
						   "invalid count '%s' (frames, 1 or more)",
						   optarg);
			break;
		case 'n':
			if (!parse_uint(optarg, &nid))
				return usage_error(argv[0], "invalid node '%s'",
						   optarg);
			one_node = true;
			break;
		default:
			return option_error(argv[0], opt, argv);
		}
	}
	if (optind < argc)
		return usage_error(argv[0], "unexpected argument '%s'",
				   argv[optind]);
	if (!debugfs_present())
		return EXIT_ERROR;
	/* The nodes without chunks too, when the sysfs tree is there. */
	if (!stat(sysfs_dir, &st) && S_ISDIR(st.st_mode) &&
	    list_nodes(&sys, &nr_sys))
		nr_sys = 0;

	for (n = 0; !count || n < count; n++) {
		if (n) {
			struct timespec ts = {
				.tv_sec = (time_t)interval,
				.tv_nsec = (long)((interval - (time_t)interval) * 1e9),
			};

			while (nanosleep(&ts, &ts) && errno == EINTR)
				;
		}
		ret = read_chunks(&chunks, &nr) ? EXIT_ERROR : EXIT_OK;
		if (one_node) {
			for (i = 0, kept = 0; i < nr; i++)
				if (chunks[i].node == nid)
					chunks[kept++] = chunks[i];
			nr = kept;
			nr_nodes = 1;
			nodes = malloc(sizeof(*nodes));
			if (nodes)
				nodes[0] = nid;
		} else {
			nr_nodes = top_nodes(chunks, nr, sys, nr_sys, &nodes);
		}
		if (!nodes) {
			warnx("out of memory");
			free(chunks);
			ret = EXIT_ERROR;
			break;
		}
		if (tty)
			fputs("\033[H\033[J", stdout);
		else if (n)
			putchar('\n');
		top_frame(chunks, nr, nodes, nr_nodes, top_rows(), interval);
		free(nodes);
		free(chunks);
		if (ferror(stdout)) {
			ret = EXIT_ERROR;
			break;
		}
	}
	free(sys);
	return ret;
}
