// SPDX-License-Identifier: GPL-2.0
/*
 * faultctl: cgroup v2 directories, for scopes.
 *
 * A request names its cgroup by an open directory (FASTFAULT_A_CGROUP_FD),
 * as bpftool does, so any mount point and any cgroup namespace work.  A
 * reply names it by its path from the cgroup v2 root, which is shown
 * under the cgroup v2 mount: the path the user gave.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "faultctl.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

int ff_cgroup_open(const char *path, char *err, size_t errlen)
{
	struct statfs st;
	int fd;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cgroup %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstatfs(fd, &st) || st.f_type != CGROUP2_SUPER_MAGIC) {
		snprintf(err, errlen,
			 "cgroup %s: not a cgroup v2 directory (such as /sys/fs/cgroup/NAME)",
			 path);
		close(fd);
		return -1;
	}
	return fd;
}

int ff_cgroup2_mount_in(FILE *mountinfo, char *mnt, size_t len)
{
	char *line = NULL, root[FF_PATH_MAX], point[FF_PATH_MAX];
	size_t cap = 0;
	int found = -1;

	if (len)
		mnt[0] = '\0';
	while (found && len && getline(&line, &cap, mountinfo) > 0) {
		const char *sep = strstr(line, " - cgroup2 ");
		char *p, *q;

		if (!sep || sscanf(line, "%*s %*s %*s %4095s %4095s", root,
				   point) != 2 || strcmp(root, "/"))
			continue;
		for (p = point, q = mnt; *p && q < mnt + len - 1; q++) {
			if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' &&
			    p[2] >= '0' && p[2] <= '7' && p[3] >= '0' &&
			    p[3] <= '7') {
				*q = (char)((p[1] - '0') << 6 | (p[2] - '0') << 3 |
					    (p[3] - '0'));
				p += 4;
			} else {
				*q = *p++;
			}
		}
		*q = '\0';
		found = 0;
	}
	free(line);
	return found;
}

/* The cgroup v2 mount point in this mount namespace, "" if none. */
static const char *cgroup2_mount(void)
{
	static char mnt[FF_PATH_MAX];
	static bool done;
	FILE *f;

	if (done)
		return mnt;
	done = true;
	f = fopen("/proc/self/mountinfo", "r");
	if (f) {
		ff_cgroup2_mount_in(f, mnt, sizeof(mnt));
		fclose(f);
	}
	return mnt;
}

void ff_cgroup_abs(const char *kpath, char *out, size_t len)
{
	const char *mnt = cgroup2_mount();

	if (!*mnt || !strcmp(kpath, "?"))
		snprintf(out, len, "%s", kpath);
	else if (!strcmp(mnt, "/"))
		snprintf(out, len, "%s", kpath);
	else
		snprintf(out, len, "%s%s", mnt, strcmp(kpath, "/") ? kpath : "");
}
