// SPDX-License-Identifier: GPL-2.0
/*
 * textpoolctl: inspect and tune the textpool of the running kernel.
 *
 * The textpool keeps dynamically generated kernel text (BPF JIT images,
 * ftrace trampolines, kprobe slots) in per-node pools of 2 MiB chunks; its
 * admin interface is /sys/kernel/mm/textpool (see
 * Documentation/ABI/testing/sysfs-kernel-mm-textpool) and the chunk listing
 * /sys/kernel/debug/textpool/chunks.
 */
#include <err.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "textpoolctl.h"

const char *sysfs_dir = DEFAULT_SYSFS_DIR;
const char *debugfs_dir = DEFAULT_DEBUGFS_DIR;

static int do_help(int argc, char **argv);

/* The options of every command; some add their own. */
static const struct option opts[] = {
	{ "sysfs", required_argument, NULL, OPT_SYSFS },
	{ "debugfs", required_argument, NULL, OPT_DEBUGFS },
	{ "help", no_argument, NULL, 'h' },
	{}
};

static const struct cmd {
	const char *name;
	int (*func)(int argc, char **argv);
	const char *synopsis;
	const char *help;
} cmds[] = {
	{ "stats", do_stats, "stats [--node N] [--json | --prometheus]",
	  "Show usage per node and in total: used and free bytes, utilisation,\n"
	  "chunks, live fallback allocations, fallbacks by cause, remote\n"
	  "allocations, failures, chunks given back under memory pressure, bad\n"
	  "frees, and live allocations per user.\n"
	  "  -n, --node N     show node N only\n"
	  "  -j, --json       print one JSON object (keys: see textpoolctl(8))\n"
	  "  --prometheus     print the Prometheus text format, for the textfile\n"
	  "                   collector of node_exporter\n" },
	{ "get", do_get, "get NAME",
	  "Print one value.  NAME is a file of the sysfs tree: a tunable\n"
	  "(enabled, reserve_chunks, max_chunks, max_total_chunks), a constant\n"
	  "(chunk_size, slot_size), stats/STAT, nodeN/STAT or\n"
	  "users/USER/{allocations,allocated_bytes}.\n" },
	{ "set", do_set,
	  "set {enabled|reserve_chunks|max_chunks|max_total_chunks} VALUE",
	  "Set a tunable: enabled (0/1, y/n, on/off), reserve_chunks (0..64),\n"
	  "max_chunks (per node, 0 = no bound but max_chunks_limit),\n"
	  "max_total_chunks (all nodes together, 1 or more).  An empty VALUE is a\n"
	  "usage error.  Needs CAP_SYS_ADMIN.\n" },
	{ "watch", do_watch, "watch [--interval S] [--count N] [--node N] [--json]",
	  "Every S seconds, print the counters as rates per second (allocs/s,\n"
	  "frees/s, fallback/s, fail/s) and the levels (allocations, used, free,\n"
	  "utilisation, chunks).  A value that cannot be read is '-' for that\n"
	  "interval; watch gives up after 3 such intervals in a row.\n"
	  "  -i, --interval S   seconds between lines, decimals allowed (default 1)\n"
	  "  -c, --count N      stop after N lines (default: never)\n"
	  "  -n, --node N       node N only (default: all nodes together)\n"
	  "  -j, --json         one JSON object per interval: levels and rates\n" },
	{ "top", do_top, "top [--interval S] [--count N] [--node N]",
	  "Show the chunks of each node as a live map, refreshed every S\n"
	  "seconds: per chunk its utilisation, largest free extent, allocations\n"
	  "and occupancy.  Fits an 80x24 terminal.  Reads debugfs.\n"
	  "  -i, --interval S   seconds between frames (default 1)\n"
	  "  -c, --count N      stop after N frames (default: never)\n"
	  "  -n, --node N       node N only\n" },
	{ "chunks", do_chunks, "chunks",
	  "Draw the occupancy map of every chunk as a grid ('.' empty,\n"
	  "'o' partly used, '#' full).  Reads debugfs.\n" },
	{ "help", do_help, "help [COMMAND]",
	  "Show the help of textpoolctl or of one command.\n" },
};

static const struct cmd *find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	return NULL;
}

static void print_usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: textpoolctl [OPTIONS] COMMAND [ARGS]\n\nCommands:\n");
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		fprintf(f, "  textpoolctl %s\n", cmds[i].synopsis);
	fprintf(f,
		"\nOptions (anywhere on the line):\n"
		"  --sysfs DIR     the textpool sysfs tree (default %s)\n"
		"  --debugfs DIR   the textpool debugfs tree (default %s)\n"
		"  -j, --json      JSON output (stats, watch), compact\n"
		"  -p, --pretty    JSON output, indented (implies --json)\n"
		"  -V, --version   print the version and exit\n"
		"  -h, --help      show this help, or a command's help after it\n"
		"\nExit status: 0 ok, 1 error, 2 usage error.\n",
		DEFAULT_SYSFS_DIR, DEFAULT_DEBUGFS_DIR);
}

/**
 * print_command_help() - the help of command @name, on stdout
 */
void print_command_help(const char *name)
{
	const struct cmd *cmd = find_cmd(name);

	printf("Usage: textpoolctl [OPTIONS] %s\n\n%s", cmd->synopsis,
	       cmd->help);
}

/**
 * usage_error() - complain about the command line
 * @cmd: the command, or NULL
 *
 * Return: EXIT_USAGE, for the caller to return.
 */
int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	if (fmt) {
		va_start(ap, fmt);
		vwarnx(fmt, ap);
		va_end(ap);
	}
	if (cmd)
		fprintf(stderr, "Usage: textpoolctl %s\nTry 'textpoolctl %s --help'.\n",
			find_cmd(cmd)->synopsis, cmd);
	else
		fprintf(stderr, "Try 'textpoolctl --help'.\n");
	return EXIT_USAGE;
}

/**
 * option_error() - complain about an option getopt_long() did not take
 * @cmd: the command, or NULL
 * @opt: what getopt_long() returned: ':' or '?'
 *
 * The option strings start with ":" so that getopt_long() says nothing and
 * tells a missing argument (':') from an unknown option ('?').
 *
 * Return: EXIT_USAGE.
 */
int option_error(const char *cmd, int opt, char **argv)
{
	if (opt == ':')
		return usage_error(cmd, "option '%s' needs an argument",
				   argv[optind - 1]);
	if (optopt)
		return usage_error(cmd, "unknown option '-%c'", optopt);
	return usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
}

/**
 * parse_common_option() - handle an option that every command takes
 * @opt: the value getopt_long() returned
 *
 * Return: whether @opt was one.
 */
bool parse_common_option(int opt)
{
	switch (opt) {
	case OPT_SYSFS:
		sysfs_dir = optarg;
		return true;
	case OPT_DEBUGFS:
		debugfs_dir = optarg;
		return true;
	}
	return false;
}

/**
 * parse_no_options() - getopt for a command that has only the common options
 *
 * Return: -1 when the command should go on with argv[optind], else the exit
 * status to return (help shown, or a usage error).
 */
int parse_no_options(int argc, char **argv)
{
	int opt;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		if (parse_common_option(opt))
			continue;
		if (opt == 'h') {
			print_command_help(argv[0]);
			return EXIT_OK;
		}
		return option_error(argv[0], opt, argv);
	}
	return -1;
}

static int do_help(int argc, char **argv)
{
	int ret = parse_no_options(argc, argv);

	if (ret >= 0)
		return ret;
	if (argc - optind > 1)
		return usage_error(argv[0], "too many arguments");
	if (argc == optind) {
		print_usage(stdout);
		return EXIT_OK;
	}
	if (!find_cmd(argv[optind]))
		return usage_error(NULL, "unknown command '%s'", argv[optind]);
	print_command_help(argv[optind]);
	return EXIT_OK;
}

/*
 * The global options of bpftool's conventions, -j/--json, -p/--pretty and
 * -V/--version, are taken anywhere on the line up to "--", and removed
 * from it before the command parses its own.  Return -1 to go on, or the
 * exit status.
 */
static int global_options(int *argc, char **argv)
{
	int i, n = 1;
	bool version = false, end = false;

	for (i = 1; i < *argc; i++) {
		const char *a = argv[i];

		if (!end && !strcmp(a, "--"))
			end = true;
		if (!end && (!strcmp(a, "-j") || !strcmp(a, "--json"))) {
			json_output = true;
		} else if (!end && (!strcmp(a, "-p") || !strcmp(a, "--pretty"))) {
			json_output = true;
			pretty_output = true;
		} else if (!end && (!strcmp(a, "-V") || !strcmp(a, "--version"))) {
			version = true;
		} else {
			argv[n++] = argv[i];
		}
	}
	argv[n] = NULL;
	*argc = n;
	if (!version)
		return -1;
	if (json_output) {
		jw_object(NULL);
		jw_string("version", TEXTPOOLCTL_VERSION);
		jw_end();
	} else {
		printf("textpoolctl %s\n", TEXTPOOLCTL_VERSION);
	}
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	const struct cmd *cmd;
	int opt, ret;

	ret = global_options(&argc, argv);
	if (ret >= 0)
		return ret;

	while ((opt = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		if (parse_common_option(opt))
			continue;
		if (opt == 'h') {
			print_usage(stdout);
			return EXIT_OK;
		}
		return option_error(NULL, opt, argv);
	}
	if (optind == argc)
		return usage_error(NULL, "missing command");
	cmd = find_cmd(argv[optind]);
	if (!cmd)
		return usage_error(NULL, "unknown command '%s'", argv[optind]);

	ret = cmd->func(argc - optind, argv + optind);

	/* Output that could not be written is an error too. */
	if (fflush(stdout) || ferror(stdout)) {
		warn("cannot write the output");
		ret = EXIT_ERROR;
	}
	return ret;
}
