// SPDX-License-Identifier: GPL-2.0
/*
 * runas UID CMD [ARGS]...: run CMD as UID (group UID, no supplementary
 * groups, no capabilities), without needing /etc/passwd.  For the
 * unprivileged half of the guest tests: runas 65534 faultctl show
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char *end;
	long uid;

	if (argc < 3) {
		fprintf(stderr, "usage: runas UID CMD [ARGS]...\n");
		return 125;
	}
	errno = 0;
	uid = strtol(argv[1], &end, 10);
	if (errno || *end || uid <= 0 || uid > 65535) {
		fprintf(stderr, "runas: bad uid '%s'\n", argv[1]);
		return 125;
	}
	if (setgroups(0, NULL) || setgid((gid_t)uid) || setuid((uid_t)uid)) {
		perror("runas: dropping privileges");
		return 125;
	}
	if (setuid(0) == 0) {
		fprintf(stderr, "runas: could regain root\n");
		return 125;
	}
	execvp(argv[2], argv + 2);
	fprintf(stderr, "runas: %s: %s\n", argv[2], strerror(errno));
	return 127;
}
