// SPDX-License-Identifier: GPL-2.0
/*
 * faultctl: the configuration file.
 *
 *	# comment
 *	fault-around 8
 *	anon-fault-around = 16
 *	anon-fault-around 32 cgroup /sys/fs/cgroup/build.slice
 *
 * One "key value" (or "key = value") per line, for a cgroup's scope with
 * "cgroup PATH" after it; '#' starts a comment anywhere; blank lines are
 * ignored.  The whole file is checked before anything is sent, so a bad
 * line means no change at all.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "faultctl.h"

static char *next_token(char **pp)
{
	char *p = *pp, *start;

	while (*p && isspace((unsigned char)*p))
		p++;
	if (!*p)
		return NULL;
	start = p;
	while (*p && !isspace((unsigned char)*p))
		p++;
	if (*p)
		*p++ = '\0';
	*pp = p;
	return start;
}

static int conf_line(char *line, struct ff_settings *set, char *err,
		     size_t errlen)
{
	char *p, *key, *value, *extra;

	p = strchr(line, '#');
	if (p)
		*p = '\0';

	/* "key = value", "key=value" and "key value" are all one form */
	p = strchr(line, '=');
	if (p) {
		char *q = line;

		while (q < p && isspace((unsigned char)*q))
			q++;
		if (q == p) {
			snprintf(err, errlen, "expected 'key value', found '='");
			return -1;
		}
		*p = ' ';
	}

	p = line;
	key = next_token(&p);
	if (!key)
		return 0;		/* blank or comment */
	value = next_token(&p);
	extra = next_token(&p);
	if (!value)
		return ff_settings_add(set, key, "", err, errlen);
	if (extra && !strcmp(extra, "cgroup")) {
		struct ff_scope_set *sc;
		char *path = next_token(&p), *more = next_token(&p);

		if (!path) {
			snprintf(err, errlen, "cgroup needs a PATH");
			return -1;
		}
		if (more) {
			snprintf(err, errlen, "unexpected '%s' after 'cgroup %s'",
				 more, path);
			return -1;
		}
		sc = ff_settings_scope(set, path, err, errlen);
		if (!sc)
			return -1;
		return ff_scope_add(sc, key, value, err, errlen);
	}
	if (extra) {
		snprintf(err, errlen, "unexpected '%s' after '%s %s'", extra,
			 key, value);
		return -1;
	}
	return ff_settings_add(set, key, value, err, errlen);
}

int ff_conf_read(FILE *f, const char *name, struct ff_settings *set,
		 char *err, size_t errlen)
{
	char *line = NULL, msg[384];
	size_t cap = 0;
	unsigned int lineno = 0;
	ssize_t n;
	int ret = 0;

	errno = 0;
	while ((n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (strlen(line) != (size_t)n) {
			snprintf(msg, sizeof(msg), "binary data in the file");
			ret = -1;
		} else {
			ret = conf_line(line, set, msg, sizeof(msg));
		}
		if (ret) {
			snprintf(err, errlen, "%s:%u: %s", name, lineno, msg);
			break;
		}
	}
	/*
	 * getline() also stops on a read error and when it cannot grow its
	 * buffer (ENOMEM, no error flag): only the end of the file is the
	 * end of the configuration, or the part read so far would apply.
	 */
	if (!ret && (ferror(f) || !feof(f))) {
		snprintf(err, errlen, "%s: %s", name,
			 errno ? strerror(errno) : "read error");
		ret = -1;
	}
	free(line);
	return ret;
}

/* Read the file @path into @set; a missing file is no error if @optional. */
static int conf_read_path(const char *path, bool optional,
			  struct ff_settings *set, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	int ret;

	if (!f) {
		if (optional && errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	ret = ff_conf_read(f, path, set, err, errlen);
	fclose(f);
	return ret;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int ff_conf_read_system(const char *root, struct ff_settings *set,
			char *err, size_t errlen)
{
	char path[PATH_MAX], **names = NULL;
	static struct ff_settings one;
	size_t n = 0, cap = 0, i, j, k;
	struct dirent *e;
	int ret = 0;
	DIR *d;

	memset(set, 0, sizeof(*set));
	snprintf(path, sizeof(path), "%s/etc/fastfault.conf", root);
	ret = conf_read_path(path, true, set, err, errlen);
	if (ret)
		return ret;

	snprintf(path, sizeof(path), "%s/etc/fastfault.d", root);
	d = opendir(path);
	if (!d) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	errno = 0;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (e->d_name[0] == '.' || len < 6 ||
		    strcmp(e->d_name + len - 5, ".conf"))
			continue;
		if (n == cap) {
			char **more = realloc(names, (cap = cap ? 2 * cap : 16) *
					      sizeof(*names));

			if (!more)
				goto nomem;
			names = more;
		}
		names[n] = strdup(e->d_name);
		if (!names[n])
			goto nomem;
		n++;
	}
	closedir(d);
	d = NULL;
	qsort(names, n, sizeof(*names), name_cmp);

	/* in order; a later file's value for a key replaces an earlier one */
	for (i = 0; i < n && !ret; i++) {
		snprintf(path, sizeof(path), "%s/etc/fastfault.d/%s", root,
			 names[i]);
		memset(&one, 0, sizeof(one));
		ret = conf_read_path(path, false, &one, err, errlen);
		for (k = 0; !ret && k <= FASTFAULT_A_MAX; k++) {
			if (one.has[k]) {
				set->has[k] = true;
				set->val[k] = one.val[k];
			}
		}
		/* and a scope's keys, cgroup by cgroup */
		for (j = 0; !ret && j < one.nscopes; j++) {
			struct ff_scope_set *sc;

			sc = ff_settings_scope(set, one.scope[j].path, err,
					       errlen);
			if (!sc) {
				ret = -1;
				break;
			}
			for (k = 0; k <= FASTFAULT_A_MAX; k++) {
				if (one.scope[j].has[k]) {
					sc->has[k] = true;
					sc->val[k] = one.scope[j].val[k];
				}
			}
		}
	}
	goto out;

nomem:
	snprintf(err, errlen, "%s: %s", path, strerror(ENOMEM));
	ret = -1;
	if (d)
		closedir(d);
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return ret;
}

/* A path the file's words can hold: no space, no '#', no '=' */
static bool conf_word(const char *s)
{
	for (; *s; s++)
		if (isspace((unsigned char)*s) || *s == '#' || *s == '=')
			return false;
	return true;
}

void ff_conf_write(FILE *f, const struct ff_settings *set)
{
	size_t i, j;

	fprintf(f, "# fastfault configuration; load with: faultctl apply FILE\n");
	for (i = 0; i < ff_nkeys; i++)
		if (set->has[ff_keys[i].attr])
			fprintf(f, "%s %" PRIu64 "\n", ff_keys[i].name,
				set->val[ff_keys[i].attr]);
	for (j = 0; j < set->nscopes; j++) {
		const struct ff_scope_set *sc = &set->scope[j];

		if (!conf_word(sc->path)) {
			fprintf(f, "# cgroup id %" PRIu64 " left out: its path has a space, '#' or '='\n",
				sc->id);
			continue;
		}
		for (i = 0; i < ff_nkeys; i++)
			if (sc->has[ff_keys[i].attr])
				fprintf(f, "%s %" PRIu64 " cgroup %s\n",
					ff_keys[i].name,
					sc->val[ff_keys[i].attr], sc->path);
	}
}
