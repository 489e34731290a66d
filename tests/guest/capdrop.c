// SPDX-License-Identifier: GPL-2.0
/*
 * capdrop: run a command as root without some capabilities.
 *
 *   capdrop CAP[,CAP...] COMMAND [ARGS...]
 *
 * CAP is a number (include/uapi/linux/capability.h: 12 CAP_NET_ADMIN,
 * 21 CAP_SYS_ADMIN).  Each is dropped from the bounding set, so the
 * command, executed by root, starts without it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char *list, *tok, *save = NULL;

	if (argc < 3) {
		fprintf(stderr, "usage: capdrop CAP[,CAP...] COMMAND [ARGS...]\n");
		return 2;
	}
	list = strdup(argv[1]);
	for (tok = strtok_r(list, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *end;
		long cap = strtol(tok, &end, 10);

		if (*end || cap < 0) {
			fprintf(stderr, "capdrop: bad capability '%s'\n", tok);
			return 2;
		}
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)) {
			fprintf(stderr, "capdrop: drop %ld: %s\n", cap,
				strerror(errno));
			return 2;
		}
	}
	execvp(argv[2], argv + 2);
	fprintf(stderr, "capdrop: %s: %s\n", argv[2], strerror(errno));
	return 127;
}
