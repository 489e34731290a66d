// SPDX-License-Identifier: GPL-2.0
/*
 * jsoncheck [KEY]: exit 0 iff stdin is one valid JSON text (RFC 8259).
 * With KEY, stdin must be an object; print the value of its top-level
 * KEY (strings unquoted, anything else as written) and exit 1 if absent.
 * The guest has no jq; this is the test suite's JSON validator.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *p, *end;
static int depth;

static void ws(void)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
}

static int value(void);

static int hex4(void)
{
	int i;

	for (i = 0; i < 4; i++, p++)
		if (p >= end || !strchr("0123456789abcdefABCDEF", *p))
			return -1;
	return 0;
}

static int string(void)
{
	if (p >= end || *p != '"')
		return -1;
	p++;
	while (p < end && *p != '"') {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20)
			return -1;
		if (c == '\\') {
			p++;
			if (p >= end)
				return -1;
			if (*p == 'u') {
				p++;
				if (hex4())
					return -1;
				continue;
			}
			if (!strchr("\"\\/bfnrt", *p))
				return -1;
		}
		p++;
	}
	if (p >= end)
		return -1;
	p++;
	return 0;
}

static int digits(void)
{
	const char *s = p;

	while (p < end && *p >= '0' && *p <= '9')
		p++;
	return p == s ? -1 : 0;
}

static int number(void)
{
	if (p < end && *p == '-')
		p++;
	if (p < end && *p == '0')
		p++;
	else if (digits())
		return -1;
	if (p < end && *p == '.') {
		p++;
		if (digits())
			return -1;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (digits())
			return -1;
	}
	return 0;
}

static int word(const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(end - p) < n || memcmp(p, w, n))
		return -1;
	p += n;
	return 0;
}

static int container(char close)
{
	if (++depth > 512)
		return -1;
	p++;
	ws();
	if (p < end && *p == close) {
		p++;
		depth--;
		return 0;
	}
	for (;;) {
		ws();
		if (close == '}') {
			if (string())
				return -1;
			ws();
			if (p >= end || *p != ':')
				return -1;
			p++;
		}
		if (value())
			return -1;
		ws();
		if (p < end && *p == ',') {
			p++;
			continue;
		}
		if (p < end && *p == close) {
			p++;
			depth--;
			return 0;
		}
		return -1;
	}
}

static int value(void)
{
	ws();
	if (p >= end)
		return -1;
	switch (*p) {
	case '{':
		return container('}');
	case '[':
		return container(']');
	case '"':
		return string();
	case 't':
		return word("true");
	case 'f':
		return word("false");
	case 'n':
		return word("null");
	default:
		return number();
	}
}

/* Print the top-level member @key of the (valid) object in buf. */
static int print_key(const char *buf, const char *key)
{
	const char *k, *kend, *v;

	p = buf + 1;
	for (;;) {
		ws();
		if (*p != '"')
			return 1;
		k = p;
		string();
		kend = p;
		ws();
		p++;		/* ':' */
		ws();
		v = p;
		value();
		if ((size_t)(kend - k) == strlen(key) + 2 &&
		    !memcmp(k + 1, key, strlen(key))) {
			if (*v == '"')
				printf("%.*s\n", (int)(p - v - 2), v + 1);
			else
				printf("%.*s\n", (int)(p - v), v);
			return 0;
		}
		ws();
		if (*p != ',')
			return 1;
		p++;
	}
}

int main(int argc, char **argv)
{
	size_t len = 0, cap = 4096, n;
	char *buf = malloc(cap + 1);

	while (buf && (n = fread(buf + len, 1, cap - len, stdin)) > 0) {
		len += n;
		if (len == cap) {
			cap *= 2;
			buf = realloc(buf, cap + 1);
		}
	}
	if (!buf)
		return 2;
	buf[len] = '\0';
	p = buf;
	end = buf + len;
	if (strlen(buf) != len || value())
		return 1;
	ws();
	if (p != end)
		return 1;
	if (argc > 1) {
		p = buf;
		ws();
		if (*p != '{')
			return 1;
		return print_key(p, argv[1]);
	}
	return 0;
}
