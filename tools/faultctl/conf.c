// SPDX-License-Identifier: GPL-2.0
/*
 * faultctl: the configuration file.
 *
 *	# comment
 *	fault-around 8
 *	anon-fault-around = 16
 *
 * One "key value" (or "key = value") per line; '#' starts a comment
 * anywhere; blank lines are ignored.  The whole file is checked before
 * anything is sent, so a bad line means no change at all.
 */
#include <ctype.h>
#include <errno.h>
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
	if (!ret && ferror(f)) {
		snprintf(err, errlen, "%s: %s", name,
			 errno ? strerror(errno) : "read error");
		ret = -1;
	}
	free(line);
	return ret;
}

void ff_conf_write(FILE *f, const struct ff_settings *set)
{
	size_t i;

	fprintf(f, "# fastfault configuration; load with: faultctl apply FILE\n");
	for (i = 0; i < ff_nkeys; i++)
		if (set->has[ff_keys[i].attr])
			fprintf(f, "%s %" PRIu64 "\n", ff_keys[i].name,
				set->val[ff_keys[i].attr]);
}
