// SPDX-License-Identifier: GPL-2.0
/*
 * textpoolctl: reading and writing the files of /sys/kernel/mm/textpool.
 *
 * Every value is one unsigned decimal number (a boolean for "enabled")
 * followed by a newline.  Anything else is reported with the file name, and
 * the caller goes on or gives up; nothing here exits.
 */
#include <ctype.h>
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "textpoolctl.h"

/* The longest value: 20 digits of a 64-bit number and a newline. */
#define VALUE_MAX	32

const char * const tp_stat_names[TP_NR_STATS] = {
	[TP_CHUNKS]		= "chunks",
	[TP_ALLOCATIONS]	= "allocations",
	[TP_ALLOCATED_BYTES]	= "allocated_bytes",
	[TP_REQUESTED_BYTES]	= "requested_bytes",
	[TP_FREE_BYTES]		= "free_bytes",
	[TP_LARGEST_FREE]	= "largest_free",
	[TP_ALLOC_TOTAL]	= "alloc_total",
	[TP_FREE_TOTAL]		= "free_total",
	[TP_ALLOC_FAILURES]	= "alloc_failures",
	[TP_FALLBACK_ALLOCS]	= "fallback_allocs",
	[TP_FALLBACK_LARGE]	= "fallback_large",
	[TP_FALLBACK_DISABLED]	= "fallback_disabled",
	[TP_FALLBACK_EARLY]	= "fallback_early",
	[TP_FALLBACK_LIMIT]	= "fallback_limit",
	[TP_FALLBACK_NOMEM]	= "fallback_nomem",
	[TP_FALLBACK_ALLOCATIONS] = "fallback_allocations",
	[TP_FALLBACK_ALLOCATED_BYTES] = "fallback_allocated_bytes",
	[TP_REMOTE_ALLOCS]	= "remote_allocs",
	[TP_GROW_FAILURES]	= "grow_failures",
	[TP_SHRUNK_CHUNKS]	= "shrunk_chunks",
	[TP_BAD_FREES]		= "bad_frees",
	[TP_WRONG_USER]		= "wrong_user",
};

const bool tp_stat_is_counter[TP_NR_STATS] = {
	[TP_ALLOC_TOTAL]	= true,
	[TP_FREE_TOTAL]		= true,
	[TP_ALLOC_FAILURES]	= true,
	[TP_FALLBACK_ALLOCS]	= true,
	[TP_FALLBACK_LARGE]	= true,
	[TP_FALLBACK_DISABLED]	= true,
	[TP_FALLBACK_EARLY]	= true,
	[TP_FALLBACK_LIMIT]	= true,
	[TP_FALLBACK_NOMEM]	= true,
	[TP_REMOTE_ALLOCS]	= true,
	[TP_GROW_FAILURES]	= true,
	[TP_SHRUNK_CHUNKS]	= true,
	[TP_BAD_FREES]		= true,
	[TP_WRONG_USER]		= true,
};

const char * const tp_user_names[TP_NR_USERS] = {
	[TP_USER_BPF]		= "bpf",
	[TP_USER_FTRACE]	= "ftrace",
	[TP_USER_KPROBES]	= "kprobes",
	[TP_USER_MODULES]	= "modules",
};

const char * const tp_user_stat_names[TP_NR_USER_STATS] = {
	[TP_USER_ALLOCATIONS]		= "allocations",
	[TP_USER_ALLOCATED_BYTES]	= "allocated_bytes",
};

const char * const tp_tunable_names[TP_NR_TUNABLES] = {
	[TP_ENABLED]		= "enabled",
	[TP_RESERVE_CHUNKS]	= "reserve_chunks",
	[TP_MAX_CHUNKS]		= "max_chunks",
	[TP_MAX_TOTAL_CHUNKS]	= "max_total_chunks",
};

const char * const tp_constant_names[TP_NR_CONSTANTS] = {
	[TP_CHUNK_SIZE]		= "chunk_size",
	[TP_SLOT_SIZE]		= "slot_size",
	[TP_MAX_CHUNKS_LIMIT]	= "max_chunks_limit",
};

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/**
 * textpool_present() - is there a textpool in the sysfs tree?
 *
 * Says so in one line when there is none.
 */
bool textpool_present(void)
{
	if (is_dir(sysfs_dir))
		return true;
	warnx("this kernel has no textpool (%s: %s)", sysfs_dir,
	      errno == ENOENT ? "not found" : "not a directory");
	return false;
}

/**
 * debugfs_present() - is there a textpool in the debugfs tree?
 */
bool debugfs_present(void)
{
	if (is_dir(debugfs_dir))
		return true;
	warnx("no textpool in debugfs (%s not found; is debugfs mounted?)",
	      debugfs_dir);
	return false;
}

/**
 * sysfs_path() - build DIR/NAME into @buf
 *
 * Return: 0, or -1 with a message when it does not fit.
 */
int sysfs_path(char *buf, size_t size, const char *dir, const char *name)
{
	int len = snprintf(buf, size, "%s/%s", dir, name);

	if (len < 0 || (size_t)len >= size) {
		warnx("path too long: %s/%s", dir, name);
		return -1;
	}
	return 0;
}

/**
 * open_regular() - open a file that must be a regular file
 *
 * Sysfs and debugfs files are regular files.  O_NONBLOCK keeps a FIFO put
 * in their place from blocking us; it means nothing to regular files.
 *
 * Return: the descriptor, or -1 with errno set (EISDIR for a directory,
 * ENOTREG for anything else that is not a regular file).
 */
int open_regular(const char *path, int flags)
{
	struct stat st;
	int fd, e;

	fd = open(path, flags | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		e = errno;
	else if (S_ISDIR(st.st_mode))
		e = EISDIR;
	else if (!S_ISREG(st.st_mode))
		e = ENOTREG;
	else
		return fd;
	close(fd);
	errno = e;
	return -1;
}

/**
 * tp_strerror() - strerror() that knows ENOTREG
 */
const char *tp_strerror(int e)
{
	return e == ENOTREG ? "not a regular file" : strerror(e);
}

/**
 * shown() - a value as it can be shown in a message
 *
 * Non-printable bytes become '?', and a long value is cut short.
 */
const char *shown(const char *s, size_t len, char *buf, size_t size)
{
	size_t i, n = len < size - 4 ? len : size - 4;

	for (i = 0; i < n; i++)
		buf[i] = isprint((unsigned char)s[i]) ? s[i] : '?';
	if (n < len)
		memcpy(&buf[n], "...", 3), n += 3;
	buf[n] = '\0';
	return buf;
}

/*
 * Read the value of sysfs file @name into @buf, without its newline.
 * Return 0, or -1 after saying what is wrong.
 */
static int read_raw(const char *name, char *buf, size_t size, size_t *lenp)
{
	char path[PATH_MAX];
	size_t len = 0;
	ssize_t ret;
	int fd;

	if (sysfs_path(path, sizeof(path), sysfs_dir, name))
		return -1;
	fd = open_regular(path, O_RDONLY);
	if (fd < 0) {
		warnx("cannot read %s: %s", path, tp_strerror(errno));
		return -1;
	}
	do {
		ret = read(fd, buf + len, size - len);
		if (ret > 0)
			len += ret;
	} while (len < size && (ret > 0 || (ret < 0 && errno == EINTR)));
	if (ret < 0) {
		warn("cannot read %s", path);
		close(fd);
		return -1;
	}
	close(fd);

	if (len == size) {
		warnx("%s: value too long", path);
		return -1;
	}
	if (len && buf[len - 1] == '\n')
		len--;
	buf[len] = '\0';
	if (!len) {
		warnx("%s: empty value", path);
		return -1;
	}
	*lenp = len;
	return 0;
}

/**
 * parse_u64() - parse a plain unsigned decimal number
 *
 * Unlike strtoull() alone, refuses signs, blanks and an empty string.
 * errno is ERANGE when the number does not fit.
 */
bool parse_u64(const char *s, unsigned long long *val)
{
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)*s)) {
		errno = EINVAL;
		return false;
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return false;
	if (*end) {
		errno = EINVAL;
		return false;
	}
	*val = v;
	return true;
}

/**
 * parse_uint() - parse_u64() for an unsigned int
 */
bool parse_uint(const char *s, unsigned int *val)
{
	unsigned long long v;

	if (!parse_u64(s, &v))
		return false;
	if (v > UINT_MAX) {
		errno = ERANGE;
		return false;
	}
	*val = v;
	return true;
}

/**
 * parse_seconds() - parse a number of seconds in [@min, @max]
 * @s: the text, a decimal number with an optional fraction
 * @min: smallest value accepted
 * @max: largest value accepted
 * @val: the value, when the text is valid
 */
bool parse_seconds(const char *s, double min, double max, double *val)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < min || v > max)
		return false;
	*val = v;
	return true;
}

static void bad_value(const char *name, const char *buf, size_t len,
		      const char *what)
{
	char show[48];

	warnx("%s/%s: %s: '%s'", sysfs_dir, name, what,
	      shown(buf, len, show, sizeof(show)));
}

/**
 * read_u64() - read a number from sysfs file @name (relative to the tree)
 *
 * Return: 0, or -1 after saying what is wrong.
 */
int read_u64(const char *name, unsigned long long *val)
{
	char buf[VALUE_MAX];
	size_t len;

	if (read_raw(name, buf, sizeof(buf), &len))
		return -1;
	if (memchr(buf, '\0', len) || !parse_u64(buf, val)) {
		bad_value(name, buf, len, errno == ERANGE ?
			  "number out of range" : "not a number");
		return -1;
	}
	return 0;
}

/**
 * read_bool() - read a boolean from sysfs file @name
 *
 * Takes what kstrtobool() takes: 0/1, y/n and on/off in any case.
 */
int read_bool(const char *name, bool *val)
{
	static const char * const yes[] = { "1", "y", "yes", "on" };
	static const char * const no[] = { "0", "n", "no", "off" };
	char buf[VALUE_MAX];
	size_t len, i;

	if (read_raw(name, buf, sizeof(buf), &len))
		return -1;
	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(buf, yes[i])) {
			*val = true;
			return 0;
		}
		if (!strcasecmp(buf, no[i])) {
			*val = false;
			return 0;
		}
	}
	bad_value(name, buf, len, "not a boolean");
	return -1;
}

/**
 * read_value() - read_u64() into a &struct tp_value
 */
int read_value(const char *name, struct tp_value *v)
{
	v->ok = !read_u64(name, &v->val);
	return v->ok ? 0 : -1;
}

/**
 * tp_is_newer() - is @name a file that older kernels do not have?
 * @name: a name of the ABI (see valid_name()): "max_total_chunks",
 *	"stats/remote_allocs", ...
 */
bool tp_is_newer(const char *name)
{
	const char *base = strrchr(name, '/');
	size_t i;

	if (!base)
		return !strcmp(name, tp_tunable_names[TP_MAX_TOTAL_CHUNKS]) ||
		       !strcmp(name, tp_constant_names[TP_MAX_CHUNKS_LIMIT]);
	if (!strncmp(name, "users/", 6))
		return false;
	for (i = TP_FIRST_NEWER_STAT; i < TP_NR_STATS; i++)
		if (!strcmp(base + 1, tp_stat_names[i]))
			return true;
	return false;
}

/**
 * tp_file_absent() - is sysfs file @name not there at all?
 *
 * True only when its path does not exist (ENOENT) while the sysfs tree
 * does; anything else (no permission, not a directory) is for the reader
 * to report.
 */
bool tp_file_absent(const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	if (snprintf(path, sizeof(path), "%s/%s", sysfs_dir, name) >=
	    (int)sizeof(path))
		return false;
	return stat(path, &st) < 0 && errno == ENOENT;
}

/**
 * read_newer_value() - read_value() of a file that older kernels lack
 *
 * A file of tp_is_newer() that is not there is no error: @v is !ok and
 * absent, and nothing is said.
 *
 * Return: 0 when read or absent, or -1 after saying what is wrong.
 */
int read_newer_value(const char *name, struct tp_value *v)
{
	v->absent = false;
	if (tp_is_newer(name) && tp_file_absent(name)) {
		v->ok = false;
		v->absent = true;
		return 0;
	}
	return read_value(name, v);
}

/**
 * write_value() - write @value to sysfs file @name
 *
 * Return: 0, or the negative errno of the kernel's answer.
 */
int write_value(const char *name, const char *value)
{
	size_t len = strlen(value);
	char path[PATH_MAX];
	ssize_t ret;
	int fd;

	if (sysfs_path(path, sizeof(path), sysfs_dir, name))
		return -ENAMETOOLONG;
	fd = open_regular(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return -errno;
	do {
		ret = write(fd, value, len);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	/* A store either takes the whole value or fails. */
	if ((size_t)ret != len) {
		close(fd);
		return -EIO;
	}
	if (close(fd))
		return -errno;
	return 0;
}

static int filter_node(const struct dirent *d)
{
	unsigned int nid;

	return !strncmp(d->d_name, "node", 4) &&
	       parse_uint(d->d_name + 4, &nid) &&
	       (d->d_name[4] != '0' || !d->d_name[5]);
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return (x > y) - (x < y);
}

/**
 * list_nodes() - the nodes of the tree, the N of its nodeN/ directories
 * @nodes: set to an array sorted by node id, to be freed by the caller
 * @nr: set to the number of nodes
 *
 * Return: 0, or -1 after saying what is wrong.
 */
int list_nodes(unsigned int **nodes, size_t *nr)
{
	struct dirent **list;
	unsigned int *ids;
	int i, n;

	n = scandir(sysfs_dir, &list, filter_node, NULL);
	if (n < 0) {
		warn("cannot list %s", sysfs_dir);
		return -1;
	}
	ids = calloc(n ? n : 1, sizeof(*ids));
	for (i = 0; i < n; i++) {
		if (ids)
			parse_uint(list[i]->d_name + 4, &ids[i]);
		free(list[i]);
	}
	free(list);
	if (!ids) {
		warnx("out of memory");
		return -1;
	}
	qsort(ids, n, sizeof(*ids), cmp_uint);
	*nodes = ids;
	*nr = n;
	return 0;
}
