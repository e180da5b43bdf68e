// SPDX-License-Identifier: GPL-2.0
/*
 * textpoolctl: numbers for humans.
 */
#include <stdio.h>

#include "textpoolctl.h"

/**
 * fmt_bytes() - @bytes with a binary unit: "640 B", "1.5 MiB"
 */
const char *fmt_bytes(char *buf, size_t size, unsigned long long bytes)
{
	static const char units[] = "KMGTPE";
	double v = bytes;
	size_t i = 0;

	if (bytes < 1024) {
		snprintf(buf, size, "%llu B", bytes);
		return buf;
	}
	v /= 1024;
	/* Go up a unit also when one decimal would round to 1024.0. */
	while (v >= 1023.95 && i < sizeof(units) - 2) {
		v /= 1024;
		i++;
	}
	snprintf(buf, size, "%.1f %ciB", v, units[i]);
	return buf;
}

/**
 * fmt_value() - @v as a number, or "-" when it could not be read
 */
const char *fmt_value(char *buf, size_t size, const struct tp_value *v)
{
	if (v->ok)
		snprintf(buf, size, "%llu", v->val);
	else
		snprintf(buf, size, "-");
	return buf;
}

/**
 * fmt_size() - fmt_bytes() of @v, or "-" when it could not be read
 */
const char *fmt_size(char *buf, size_t size, const struct tp_value *v)
{
	if (v->ok)
		return fmt_bytes(buf, size, v->val);
	snprintf(buf, size, "-");
	return buf;
}
