// SPDX-License-Identifier: GPL-2.0
/*
 * textpoolctl: JSON output, as bpftool prints it: compact, one line per
 * document, unless --pretty asks for one key per line, indented by two.
 */
#include <stdio.h>

#include "textpoolctl.h"

#define JW_MAX_DEPTH	8

bool json_output;
bool pretty_output;

static int depth;
static bool first[JW_MAX_DEPTH + 1];

static void jw_string_raw(const char *s)
{
	const unsigned char *p;

	putchar('"');
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p == '\n')
			printf("\\n");
		else if (*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

/* The comma, the line break and the key before a value. */
static void jw_key(const char *key)
{
	if (depth) {
		if (!first[depth])
			putchar(',');
		first[depth] = false;
		if (pretty_output)
			printf("\n%*s", 2 * depth, "");
	}
	if (key) {
		jw_string_raw(key);
		fputs(pretty_output ? ": " : ":", stdout);
	}
}

/**
 * jw_object() - open an object, under @key (NULL: the document itself)
 */
void jw_object(const char *key)
{
	jw_key(key);
	putchar('{');
	if (depth < JW_MAX_DEPTH)
		depth++;
	first[depth] = true;
}

/**
 * jw_end() - close the object jw_object() opened; a newline after the last
 */
void jw_end(void)
{
	bool empty = first[depth];

	if (depth)
		depth--;
	if (pretty_output && !empty)
		printf("\n%*s", 2 * depth, "");
	putchar('}');
	if (!depth)
		putchar('\n');
}

void jw_u64(const char *key, unsigned long long val)
{
	jw_key(key);
	printf("%llu", val);
}

/**
 * jw_double() - a number with up to three decimals
 */
void jw_double(const char *key, double val)
{
	jw_key(key);
	printf("%.3f", val);
}

void jw_bool(const char *key, bool val)
{
	jw_key(key);
	fputs(val ? "true" : "false", stdout);
}

void jw_null(const char *key)
{
	jw_key(key);
	fputs("null", stdout);
}

void jw_string(const char *key, const char *val)
{
	jw_key(key);
	jw_string_raw(val);
}

/**
 * jw_value() - @v under @key: its number, null when it could not be read,
 * nothing at all when this kernel does not have it
 */
void jw_value(const char *key, const struct tp_value *v)
{
	if (v->absent)
		return;
	if (v->ok)
		jw_u64(key, v->val);
	else
		jw_null(key);
}
