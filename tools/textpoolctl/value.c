// SPDX-License-Identifier: GPL-2.0
/*
 * textpoolctl get NAME / set NAME VALUE: one file of the sysfs tree.
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "textpoolctl.h"

/* What the kernel takes, for the messages of set. */
static const char * const tunable_range[TP_NR_TUNABLES] = {
	[TP_ENABLED]		= "0/1, y/n or on/off",
	[TP_RESERVE_CHUNKS]	= "a number of chunks from 0 to 64",
	[TP_MAX_CHUNKS]		= "0 (no bound) or a number of chunks up to max_chunks_limit",
	[TP_MAX_TOTAL_CHUNKS]	= "a number of chunks from 1 to what the module area can hold",
};

/*
 * @name, a file of newer kernels, is not in this one: say so.
 * Return: true when it was not there.
 */
static bool newer_absent(const char *name)
{
	if (!tp_is_newer(name) || !tp_file_absent(name))
		return false;
	warnx("this kernel has no %s/%s (an older textpool)", sysfs_dir, name);
	return true;
}

static int find_name(const char * const *names, size_t nr, const char *s)
{
	size_t i;

	for (i = 0; i < nr; i++)
		if (!strcmp(names[i], s))
			return i;
	return -1;
}

static int find_tunable(const char *name)
{
	return find_name(tp_tunable_names, TP_NR_TUNABLES, name);
}

/* Is @s "stats" or "nodeN"? */
static bool is_stats_dir(const char *s, size_t len)
{
	char buf[16];
	unsigned int nid;

	if (len == 5 && !strncmp(s, "stats", 5))
		return true;
	if (len < 5 || len >= sizeof(buf) || strncmp(s, "node", 4))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	/* node0, node1, ...: no leading zero */
	return parse_uint(buf + 4, &nid) && (buf[4] != '0' || len == 5);
}

/*
 * Is @name a file of the ABI?  Only these are read or written, so that NAME
 * cannot lead out of the tree.
 */
static bool valid_name(const char *name)
{
	const char *slash = strchr(name, '/');
	const char *user;

	if (!slash)
		return find_tunable(name) >= 0 ||
		       find_name(tp_constant_names, TP_NR_CONSTANTS, name) >= 0;
	if (is_stats_dir(name, slash - name))
		return find_name(tp_stat_names, TP_NR_STATS, slash + 1) >= 0;
	if (strncmp(name, "users/", 6))
		return false;
	user = name + 6;
	slash = strchr(user, '/');
	if (!slash)
		return false;
	for (size_t i = 0; i < TP_NR_USERS; i++) {
		if (strlen(tp_user_names[i]) == (size_t)(slash - user) &&
		    !strncmp(tp_user_names[i], user, slash - user))
			return find_name(tp_user_stat_names, TP_NR_USER_STATS,
					 slash + 1) >= 0;
	}
	return false;
}

int do_get(int argc, char **argv)
{
	const char *name;
	unsigned long long val;
	bool on;
	int ret;

	ret = parse_no_options(argc, argv);
	if (ret >= 0)
		return ret;
	if (argc - optind != 1)
		return usage_error(argv[0], argc == optind ? "missing NAME" :
				   "too many arguments");
	name = argv[optind];
	if (!valid_name(name))
		return usage_error(argv[0], "unknown NAME '%s'", name);
	if (!textpool_present() || newer_absent(name))
		return EXIT_ERROR;

	if (find_tunable(name) == TP_ENABLED) {
		if (read_bool(name, &on))
			return EXIT_ERROR;
		printf("%d\n", on);
	} else {
		if (read_u64(name, &val))
			return EXIT_ERROR;
		printf("%llu\n", val);
	}
	return EXIT_OK;
}

int do_set(int argc, char **argv)
{
	const char *name, *value;
	char show[48];
	int t, ret;

	ret = parse_no_options(argc, argv);
	if (ret >= 0)
		return ret;
	if (argc - optind != 2)
		return usage_error(argv[0], argc - optind < 2 ?
				   "missing NAME or VALUE" : "too many arguments");
	name = argv[optind];
	value = argv[optind + 1];
	/* An empty write would reach no store at all and change nothing. */
	if (!*value)
		return usage_error(argv[0], "empty VALUE for %s", name);
	t = find_tunable(name);
	if (t < 0) {
		if (!valid_name(name))
			return usage_error(argv[0], "unknown tunable '%s'",
					   name);
		warnx("%s is read-only: only %s can be set", name,
		      "enabled, reserve_chunks, max_chunks and max_total_chunks");
		return EXIT_ERROR;
	}
	if (!textpool_present() || newer_absent(name))
		return EXIT_ERROR;

	ret = write_value(name, value);
	shown(value, strlen(value), show, sizeof(show));
	switch (ret) {
	case 0:
		return EXIT_OK;
	case -EINVAL:
		warnx("invalid value '%s' for %s: it takes %s", show, name,
		      tunable_range[t]);
		break;
	case -ERANGE:
		warnx("value '%s' out of range for %s: it takes %s", show, name,
		      tunable_range[t]);
		break;
	case -EACCES:
	case -EPERM:
		warnx("not allowed to set %s: %s (needs root, CAP_SYS_ADMIN)",
		      name, strerror(-ret));
		break;
	default:
		warnx("cannot set %s/%s: %s", sysfs_dir, name,
		      tp_strerror(-ret));
		break;
	}
	return EXIT_ERROR;
}
