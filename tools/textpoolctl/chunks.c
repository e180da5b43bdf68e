// SPDX-License-Identifier: GPL-2.0
/*
 * textpoolctl chunks: the chunk listing of debugfs, drawn as grids.
 *
 * debugfs textpool/chunks has a line per chunk (see textpool_chunks_sops):
 *
 *   node=0 start=0xffffffffa0000000 end=0xffffffffa0200000 mapping=2M
 *   allocations=12 used_bytes=4096 largest_free=2093056 map=<64 chars>
 *
 * (on one line), where each character of the map is 1/64 of the chunk:
 * '.' empty, 'o' partly used, '#' full.  The addresses are printed with
 * %pK, like those of /proc/vmallocinfo: hashed, or 0 under kptr_restrict,
 * so they are shown as they are and never used for sizes.
 */
#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "textpoolctl.h"

#define GRID_COLUMNS	16
/* The size of a chunk, chunk_size of the ABI. */
#define CHUNK_BYTES	(2ULL << 20)

enum chunk_field {
	F_NODE,
	F_START,
	F_END,
	F_MAPPING,
	F_ALLOCATIONS,
	F_USED_BYTES,
	F_LARGEST_FREE,
	F_MAP,
	F_NR
};

static const char * const field_names[F_NR] = {
	[F_NODE]		= "node",
	[F_START]		= "start",
	[F_END]			= "end",
	[F_MAPPING]		= "mapping",
	[F_ALLOCATIONS]		= "allocations",
	[F_USED_BYTES]		= "used_bytes",
	[F_LARGEST_FREE]	= "largest_free",
	[F_MAP]			= "map",
};

static bool parse_hex(const char *s, unsigned long long *val)
{
	unsigned long long v;
	char *end;

	if (strncmp(s, "0x", 2) || !isxdigit((unsigned char)s[2]))
		return false;
	errno = 0;
	v = strtoull(s + 2, &end, 16);
	if (errno || *end)
		return false;
	*val = v;
	return true;
}

static bool parse_mapping(const char *s, char *mapping)
{
	size_t i, len = strlen(s);

	if (!len || len >= MAPPING_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]))
			return false;
	memcpy(mapping, s, len + 1);
	return true;
}

static bool parse_map(const char *s, char *map)
{
	if (strlen(s) != MAP_CELLS || strspn(s, ".o#") != MAP_CELLS)
		return false;
	memcpy(map, s, MAP_CELLS + 1);
	return true;
}

static bool parse_field(struct chunk *c, int f, const char *val)
{
	switch (f) {
	case F_NODE:
		return parse_uint(val, &c->node);
	case F_START:
		return parse_hex(val, &c->start);
	case F_END:
		return parse_hex(val, &c->end);
	case F_MAPPING:
		return parse_mapping(val, c->mapping);
	case F_ALLOCATIONS:
		return parse_u64(val, &c->allocations);
	case F_USED_BYTES:
		return parse_u64(val, &c->used_bytes);
	case F_LARGEST_FREE:
		return parse_u64(val, &c->largest_free);
	case F_MAP:
		return parse_map(val, c->map);
	}
	return false;
}

/*
 * Parse one line into @c.  Fields the tool does not know are skipped, so
 * that the kernel can add some.  Return NULL, or what is wrong.
 */
static const char *parse_chunk(char *line, struct chunk *c)
{
	static char why[64];
	unsigned int seen = 0;
	char *tok, *save, *eq;
	int f;

	for (tok = strtok_r(line, " \t\n", &save); tok;
	     tok = strtok_r(NULL, " \t\n", &save)) {
		eq = strchr(tok, '=');
		if (!eq)
			return "a field without '='";
		*eq = '\0';
		for (f = 0; f < F_NR; f++)
			if (!strcmp(tok, field_names[f]))
				break;
		if (f == F_NR)
			continue;
		if (seen & (1U << f) || !parse_field(c, f, eq + 1)) {
			snprintf(why, sizeof(why), "bad %s", field_names[f]);
			return why;
		}
		seen |= 1U << f;
	}
	for (f = 0; f < F_NR; f++) {
		if (!(seen & (1U << f))) {
			snprintf(why, sizeof(why), "no %s", field_names[f]);
			return why;
		}
	}
	return NULL;
}

static void draw_chunk(const struct chunk *c)
{
	unsigned long long size = CHUNK_BYTES;
	char used[32], largest[32], cell[32];
	int row;

	printf("node %u  %#llx-%#llx  %s  ", c->node, c->start, c->end,
	       c->mapping);
	printf("%llu allocation%s, %s used, largest free %s\n", c->allocations,
	       c->allocations == 1 ? "" : "s",
	       fmt_bytes(used, sizeof(used), c->used_bytes),
	       fmt_bytes(largest, sizeof(largest), c->largest_free));
	for (row = 0; row < MAP_CELLS / GRID_COLUMNS; row++)
		printf("  +0x%06llx |%.*s|\n",
		       size / (MAP_CELLS / GRID_COLUMNS) * row, GRID_COLUMNS,
		       c->map + row * GRID_COLUMNS);
	printf("  (a cell is %s)\n\n",
	       fmt_bytes(cell, sizeof(cell), size / MAP_CELLS));
}

/**
 * read_chunks() - read and parse debugfs textpool/chunks
 * @chunks: set to an array of the chunks, to be freed by the caller
 * @nr: set to their number
 *
 * Malformed lines are reported and skipped.
 *
 * Return: 0, or -1 when the file could not be read whole or a line was
 * malformed (@chunks then holds the good ones).
 */
int read_chunks(struct chunk **chunks, size_t *nr)
{
	char path[PATH_MAX], *line = NULL, show[48];
	size_t len = 0, lineno = 0, cap = 0;
	struct chunk c, *all = NULL, *bigger;
	const char *why;
	int fd, errors = 0;
	ssize_t n;
	FILE *f;

	*chunks = NULL;
	*nr = 0;
	if (sysfs_path(path, sizeof(path), debugfs_dir, "chunks"))
		return -1;
	fd = open_regular(path, O_RDONLY);
	f = fd < 0 ? NULL : fdopen(fd, "r");
	if (!f) {
		warnx("cannot read %s: %s", path, tp_strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}

	while ((n = getline(&line, &len, f)) > 0) {
		lineno++;
		if (memchr(line, '\0', n)) {
			warnx("%s:%zu: malformed line: a NUL byte", path,
			      lineno);
			errors++;
			continue;
		}
		shown(line, line[n - 1] == '\n' ? n - 1 : n, show,
		      sizeof(show));
		memset(&c, 0, sizeof(c));
		why = parse_chunk(line, &c);
		if (why) {
			warnx("%s:%zu: malformed line (%s): %s", path, lineno,
			      why, show);
			errors++;
			continue;
		}
		if (*nr == cap) {
			cap = cap ? 2 * cap : 16;
			bigger = realloc(all, cap * sizeof(*all));
			if (!bigger) {
				warnx("out of memory");
				errors++;
				break;
			}
			all = bigger;
		}
		all[(*nr)++] = c;
	}
	if (ferror(f)) {
		warn("cannot read %s", path);
		errors++;
	}
	free(line);
	fclose(f);
	*chunks = all;
	return errors ? -1 : 0;
}

int do_chunks(int argc, char **argv)
{
	struct chunk *chunks;
	size_t nr, i;
	int ret;

	ret = parse_no_options(argc, argv);
	if (ret >= 0)
		return ret;
	if (optind < argc)
		return usage_error(argv[0], "unexpected argument '%s'",
				   argv[optind]);
	if (!debugfs_present())
		return EXIT_ERROR;
	ret = read_chunks(&chunks, &nr);
	for (i = 0; i < nr; i++)
		draw_chunk(&chunks[i]);
	free(chunks);

	if (!nr && !ret)
		printf("no chunks mapped\n");
	else if (nr)
		printf("%zu chunk%s; '.' empty, 'o' partly used, '#' full\n",
		       nr, nr == 1 ? "" : "s");
	return ret ? EXIT_ERROR : EXIT_OK;
}
