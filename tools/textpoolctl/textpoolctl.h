/* SPDX-License-Identifier: GPL-2.0 */
/*
 * textpoolctl: inspect and tune the textpool of the running kernel.
 */
#ifndef __TEXTPOOLCTL_H
#define __TEXTPOOLCTL_H

#include <stdbool.h>
#include <stddef.h>

/*
 * __printf() comes from the kernel's tools/include in a kernel tree; outside
 * one, the Makefile defines it as tools/include/linux/compiler-gcc.h does.
 */
#ifndef __printf
#include <linux/compiler.h>
#endif

#define ARRAY_SIZE(x)	(sizeof(x) / sizeof((x)[0]))

/* The version of the tool: its ABI (sysfs, JSON keys) version. */
#define TEXTPOOLCTL_VERSION	"2.0"

#define DEFAULT_SYSFS_DIR	"/sys/kernel/mm/textpool"
#define DEFAULT_DEBUGFS_DIR	"/sys/kernel/debug/textpool"

/* Exit statuses. */
#define EXIT_OK		0
#define EXIT_ERROR	1
#define EXIT_USAGE	2

/* errno of open_regular() for a file that is not a regular file. */
#define ENOTREG		1000

extern const char *sysfs_dir;
extern const char *debugfs_dir;

/* The statistics files of stats/ and of every nodeN/, in ABI order. */
enum tp_stat {
	TP_CHUNKS,
	TP_ALLOCATIONS,
	TP_ALLOCATED_BYTES,
	TP_REQUESTED_BYTES,
	TP_FREE_BYTES,
	TP_LARGEST_FREE,
	TP_ALLOC_TOTAL,
	TP_FREE_TOTAL,
	TP_ALLOC_FAILURES,
	TP_FALLBACK_ALLOCS,
	/* Added after the first version of the ABI: see tp_is_newer(). */
	TP_FALLBACK_LARGE,
	TP_FALLBACK_DISABLED,
	TP_FALLBACK_EARLY,
	TP_FALLBACK_LIMIT,
	TP_FALLBACK_NOMEM,
	TP_FALLBACK_ALLOCATIONS,
	TP_FALLBACK_ALLOCATED_BYTES,
	TP_REMOTE_ALLOCS,
	TP_GROW_FAILURES,
	TP_SHRUNK_CHUNKS,
	TP_BAD_FREES,
	TP_WRONG_USER,
	TP_NR_STATS
};

/* The first statistic that older kernels do not have. */
#define TP_FIRST_NEWER_STAT	TP_FALLBACK_LARGE

/* The users of users/, and the files of each. */
enum tp_user {
	TP_USER_BPF,
	TP_USER_FTRACE,
	TP_USER_KPROBES,
	TP_USER_MODULES,
	TP_NR_USERS
};

enum tp_user_stat {
	TP_USER_ALLOCATIONS,
	TP_USER_ALLOCATED_BYTES,
	TP_NR_USER_STATS
};

extern const char * const tp_stat_names[TP_NR_STATS];
/* Counters only grow (watch shows their rate); the others are levels. */
extern const bool tp_stat_is_counter[TP_NR_STATS];
extern const char * const tp_user_names[TP_NR_USERS];
extern const char * const tp_user_stat_names[TP_NR_USER_STATS];
enum tp_tunable {
	TP_ENABLED,
	TP_RESERVE_CHUNKS,
	TP_MAX_CHUNKS,
	TP_MAX_TOTAL_CHUNKS,	/* not in older kernels */
	TP_NR_TUNABLES
};

enum tp_constant {
	TP_CHUNK_SIZE,
	TP_SLOT_SIZE,
	TP_MAX_CHUNKS_LIMIT,	/* not in older kernels */
	TP_NR_CONSTANTS
};

extern const char * const tp_tunable_names[TP_NR_TUNABLES];
extern const char * const tp_constant_names[TP_NR_CONSTANTS];

/*
 * A value read from sysfs; @ok is false when it could not be read, and
 * @absent also true when it is a file of a newer kernel that this one
 * does not have (not an error).
 */
struct tp_value {
	unsigned long long val;
	bool ok;
	bool absent;
};

/* sysfs.c */
bool textpool_present(void);
bool debugfs_present(void);
int sysfs_path(char *buf, size_t size, const char *dir, const char *name);
int read_u64(const char *name, unsigned long long *val);
int read_bool(const char *name, bool *val);
int read_value(const char *name, struct tp_value *v);
bool tp_is_newer(const char *name);
bool tp_file_absent(const char *name);
int read_newer_value(const char *name, struct tp_value *v);
int write_value(const char *name, const char *value);
int open_regular(const char *path, int flags);
const char *tp_strerror(int e);
int list_nodes(unsigned int **nodes, size_t *nr);
bool parse_u64(const char *s, unsigned long long *val);
bool parse_uint(const char *s, unsigned int *val);
bool parse_seconds(const char *s, double min, double max, double *val);
const char *shown(const char *s, size_t len, char *buf, size_t size);

/* format.c */
const char *fmt_bytes(char *buf, size_t size, unsigned long long bytes);
const char *fmt_value(char *buf, size_t size, const struct tp_value *v);
const char *fmt_size(char *buf, size_t size, const struct tp_value *v);

/* json.c: JSON output, compact unless --pretty, as bpftool does. */
extern bool json_output;
extern bool pretty_output;
void jw_object(const char *key);
void jw_end(void);
void jw_u64(const char *key, unsigned long long val);
void jw_double(const char *key, double val);
void jw_bool(const char *key, bool val);
void jw_null(const char *key);
void jw_string(const char *key, const char *val);
void jw_value(const char *key, const struct tp_value *v);

/* chunks.c: the chunk listing of debugfs. */
#define MAP_CELLS	64
#define MAPPING_MAX	8

struct chunk {
	unsigned int node;
	unsigned long long start;
	unsigned long long end;
	char mapping[MAPPING_MAX];
	unsigned long long allocations;
	unsigned long long used_bytes;
	unsigned long long largest_free;
	char map[MAP_CELLS + 1];
};

int read_chunks(struct chunk **chunks, size_t *nr);

/* Commands. */
int do_stats(int argc, char **argv);
int do_watch(int argc, char **argv);
int do_get(int argc, char **argv);
int do_set(int argc, char **argv);
int do_chunks(int argc, char **argv);
int do_top(int argc, char **argv);

/* main.c: the options that every command takes, for getopt_long(). */
enum {
	OPT_SYSFS = 256,
	OPT_DEBUGFS,
	OPT_PROMETHEUS,
};

int __printf(2, 3) usage_error(const char *cmd, const char *fmt, ...);
int option_error(const char *cmd, int opt, char **argv);
bool parse_common_option(int opt);
int parse_no_options(int argc, char **argv);
void print_command_help(const char *name);

#endif /* __TEXTPOOLCTL_H */
