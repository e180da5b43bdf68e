// SPDX-License-Identifier: GPL-2.0
/*
 * Helper of test_textpool.sh and fragmented.sh: load a module, once.
 *
 *   insmod_once MODULE.ko [PARAM=VALUE ...]
 *
 * Calls finit_module() with the parameters once: busybox insmod calls
 * init_module() when finit_module() failed, and test_textpool.ko fails on
 * purpose (EAGAIN) once it ran its cases, which would run them twice.
 * Exits 0 when the module was loaded; otherwise prints
 *
 *   insmod_once: MODULE.ko: ERRNO_NAME (message)
 *
 * and exits 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../kselftest.h"

#define ERRNO(e)	{ e, #e }
static const struct {
	int err;
	const char *name;
} errno_names[] = {
	ERRNO(EAGAIN), ERRNO(EBUSY), ERRNO(EEXIST), ERRNO(EINVAL),
	ERRNO(ENOENT), ERRNO(ENOEXEC), ERRNO(ENOMEM), ERRNO(EPERM),
};

static const char *errno_name(int err)
{
	static char buf[32];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(errno_names); i++)
		if (errno_names[i].err == err)
			return errno_names[i].name;
	snprintf(buf, sizeof(buf), "errno %d", err);
	return buf;
}

int main(int argc, char **argv)
{
	size_t len = 1;
	char *params;
	int i, fd;

	if (argc < 2) {
		fprintf(stderr, "usage: insmod_once MODULE.ko [PARAM=VALUE ...]\n");
		return 2;
	}
	for (i = 2; i < argc; i++)
		len += strlen(argv[i]) + 1;
	params = calloc(1, len);
	if (!params)
		return 2;
	for (i = 2; i < argc; i++) {
		if (i > 2)
			strcat(params, " ");
		strcat(params, argv[i]);
	}
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0 || syscall(__NR_finit_module, fd, params, 0)) {
		int err = errno;

		fprintf(stderr, "insmod_once: %s: %s (%s)\n", argv[1],
			errno_name(err), strerror(err));
		return 1;
	}
	close(fd);
	return 0;
}
