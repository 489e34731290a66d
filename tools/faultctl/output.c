// SPDX-License-Identifier: GPL-2.0
/*
 * faultctl: output.  Human output is aligned columns; JSON output (-j)
 * uses the same key names, compact or indented (-p) like ip -j -p.
 */
#include <inttypes.h>
#include <string.h>

#include "faultctl.h"

void ff_json_init(struct ff_json *j, FILE *f, bool pretty)
{
	j->f = f;
	j->pretty = pretty;
	j->depth = 0;
	j->first = true;
}

static void json_string(FILE *f, const char *s)
{
	const unsigned char *p;

	fputc('"', f);
	for (p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

static void json_newline(struct ff_json *j)
{
	int i;

	if (!j->pretty)
		return;
	fputc('\n', j->f);
	for (i = 0; i < j->depth; i++)
		fputs("    ", j->f);
}

/* Separator, indentation and key before a value or a container. */
static void json_key(struct ff_json *j, const char *key)
{
	if (!j->first)
		fputc(',', j->f);
	if (j->depth)
		json_newline(j);
	j->first = false;
	if (key) {
		json_string(j->f, key);
		fputs(j->pretty ? ": " : ":", j->f);
	}
}

static void json_open(struct ff_json *j, const char *key, char c)
{
	json_key(j, key);
	fputc(c, j->f);
	j->depth++;
	j->first = true;
}

static void json_close(struct ff_json *j, char c)
{
	bool empty = j->first;

	j->depth--;
	if (!empty)
		json_newline(j);
	fputc(c, j->f);
	j->first = false;
}

void ff_json_obj_begin(struct ff_json *j, const char *key)
{
	json_open(j, key, '{');
}

void ff_json_obj_end(struct ff_json *j)
{
	json_close(j, '}');
}

void ff_json_arr_begin(struct ff_json *j, const char *key)
{
	json_open(j, key, '[');
}

void ff_json_arr_end(struct ff_json *j)
{
	json_close(j, ']');
}

void ff_json_u64(struct ff_json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	fprintf(j->f, "%" PRIu64, v);
}

void ff_json_str(struct ff_json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_string(j->f, s);
}

/* A number with one decimal (never NaN or infinite: the caller checks). */
void ff_json_dec1(struct ff_json *j, const char *key, double v)
{
	json_key(j, key);
	fprintf(j->f, "%.1f", v);
}

void ff_json_null(struct ff_json *j, const char *key)
{
	json_key(j, key);
	fputs("null", j->f);
}

void ff_json_done(struct ff_json *j)
{
	fputc('\n', j->f);
}

/* 1.5 GiB, 256 MiB, 4 KiB: for people, next to the exact byte count. */
const char *ff_human_size(uint64_t v)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	static char buf[32];
	unsigned int u = 0;
	double d = (double)v;

	while (d >= 1024 && u < sizeof(units) / sizeof(units[0]) - 1) {
		d /= 1024;
		u++;
	}
	if (d == (double)(uint64_t)d)
		snprintf(buf, sizeof(buf), "%.0f %s", d, units[u]);
	else
		snprintf(buf, sizeof(buf), "%.1f %s", d, units[u]);
	return buf;
}

static int key_width(void)
{
	size_t i, w = 0;

	for (i = 0; i < ff_nkeys; i++)
		if (strlen(ff_keys[i].name) > w)
			w = strlen(ff_keys[i].name);
	return (int)w;
}

static int stat_width(void)
{
	size_t i, w = 0;

	for (i = 0; i < ff_nstats; i++)
		if (strlen(ff_stat_names[i].name) > w)
			w = strlen(ff_stat_names[i].name);
	return (int)w;
}

static void json_keys(struct ff_json *j, const uint64_t *val, const bool *has)
{
	size_t i;

	for (i = 0; i < ff_nkeys; i++)
		if (has[ff_keys[i].attr])
			ff_json_u64(j, ff_keys[i].name, val[ff_keys[i].attr]);
}

/*
 * The keys, then "unsupported": {KEY: REASON...} where the kernel cannot
 * host one, and "scopes": [{"cgroup": PATH, "cgroup-id": ID, keys}...]
 */
static void json_config_keys(struct ff_json *j, const struct ff_settings *set)
{
	size_t i;

	json_keys(j, set->val, set->has);
	for (i = 0; i < ff_nkeys; i++)
		if (set->unsupported[ff_keys[i].attr][0])
			break;
	if (i < ff_nkeys) {
		ff_json_obj_begin(j, "unsupported");
		for (i = 0; i < ff_nkeys; i++)
			if (set->unsupported[ff_keys[i].attr][0])
				ff_json_str(j, ff_keys[i].name,
					    set->unsupported[ff_keys[i].attr]);
		ff_json_obj_end(j);
	}
	ff_json_arr_begin(j, "scopes");
	for (i = 0; i < set->nscopes; i++) {
		ff_json_obj_begin(j, NULL);
		ff_json_str(j, "cgroup", set->scope[i].path);
		ff_json_u64(j, "cgroup-id", set->scope[i].id);
		json_keys(j, set->scope[i].val, set->scope[i].has);
		ff_json_obj_end(j);
	}
	ff_json_arr_end(j);
}

static void human_keys(FILE *f, const char *indent, int w,
		       const uint64_t *val, const bool *has,
		       const struct ff_settings *set)
{
	size_t i;

	for (i = 0; i < ff_nkeys; i++) {
		const struct ff_key *k = &ff_keys[i];
		uint64_t v = val[k->attr];

		if (!has[k->attr])
			continue;
		fprintf(f, "%s%-*s  %" PRIu64, indent, w, k->name, v);
		if (*k->unit)
			fprintf(f, " %s%s", k->unit, v == 1 ? "" : "s");
		if (k->size && v >= 1024)
			fprintf(f, " (%s)", ff_human_size(v));
		if (k->value_names)
			fprintf(f, " (%s)", ff_value_name(k, v));
		else if (k->min == v && v <= 1)
			fputs(" (off)", f);
		if (set && set->unsupported[k->attr][0])
			fprintf(f, " [unsupported here: %s]",
				set->unsupported[k->attr]);
		fputc('\n', f);
	}
}

void ff_print_config(const struct ff_out *o, const struct ff_settings *set)
{
	int w = key_width();
	size_t i;

	if (o->json) {
		struct ff_json j;

		ff_json_init(&j, o->f, o->pretty);
		ff_json_obj_begin(&j, NULL);
		json_config_keys(&j, set);
		ff_json_obj_end(&j);
		ff_json_done(&j);
		return;
	}

	human_keys(o->f, "", w, set->val, set->has, set);
	for (i = 0; i < set->nscopes; i++) {
		fprintf(o->f, "cgroup %s\n", set->scope[i].path);
		human_keys(o->f, "  ", w, set->scope[i].val,
			   set->scope[i].has, NULL);
	}
}

void ff_print_event(const struct ff_out *o, const struct ff_settings *set,
		    const char *stamp)
{
	size_t i, s;

	if (o->json) {
		struct ff_json j;

		ff_json_init(&j, o->f, o->pretty);
		ff_json_obj_begin(&j, NULL);
		if (stamp)
			ff_json_str(&j, "time", stamp);
		ff_json_str(&j, "event", "config");
		json_config_keys(&j, set);
		ff_json_obj_end(&j);
		ff_json_done(&j);
	} else {
		if (stamp)
			fprintf(o->f, "%s ", stamp);
		fputs("config", o->f);
		for (i = 0; i < ff_nkeys; i++)
			if (set->has[ff_keys[i].attr])
				fprintf(o->f, " %s %" PRIu64, ff_keys[i].name,
					set->val[ff_keys[i].attr]);
		/* a scope: "cgroup PATH { KEY VALUE... }" */
		for (s = 0; s < set->nscopes; s++) {
			fprintf(o->f, " cgroup %s {", set->scope[s].path);
			for (i = 0; i < ff_nkeys; i++)
				if (set->scope[s].has[ff_keys[i].attr])
					fprintf(o->f, " %s %" PRIu64,
						ff_keys[i].name,
						set->scope[s].val[ff_keys[i].attr]);
			fputs(" }", o->f);
		}
		fputc('\n', o->f);
	}
	fflush(o->f);
}

static void json_stats(struct ff_json *j, const struct ff_stats *st)
{
	size_t i;

	for (i = 0; i < ff_nstats; i++)
		if (st->has[ff_stat_names[i].attr])
			ff_json_u64(j, ff_stat_names[i].name,
				    st->v[ff_stat_names[i].attr]);
}

/* Width of the widest counter value among @n sets. */
static int value_width(const struct ff_stats *st, size_t n)
{
	char tmp[32];
	int w = 1, len;
	size_t i, j;

	for (j = 0; j < n; j++)
		for (i = 0; i < ff_nstats; i++) {
			len = snprintf(tmp, sizeof(tmp), "%" PRIu64,
				       st[j].v[ff_stat_names[i].attr]);
			if (len > w)
				w = len;
		}
	return w;
}

static void human_stats(FILE *f, const struct ff_stats *st,
			const char *indent, int vw)
{
	int w = stat_width();
	size_t i;

	for (i = 0; i < ff_nstats; i++)
		if (st->has[ff_stat_names[i].attr])
			fprintf(f, "%s%-*s  %*" PRIu64 "\n", indent, w,
				ff_stat_names[i].name, vw,
				st->v[ff_stat_names[i].attr]);
}

/* One pool's nodes, as "NAME": [{"id":..,"pages":..,"target":..}...] */
static void json_pool_nodes(struct ff_json *j, const char *name,
			    const struct ff_pool_node *node, size_t n)
{
	size_t i;

	if (!n)
		return;
	ff_json_arr_begin(j, name);
	for (i = 0; i < n; i++) {
		ff_json_obj_begin(j, NULL);
		ff_json_u64(j, "id", node[i].id);
		ff_json_u64(j, "pages", node[i].pages);
		ff_json_u64(j, "target", node[i].target);
		ff_json_obj_end(j);
	}
	ff_json_arr_end(j);
}

void ff_print_stats(const struct ff_out *o, const struct ff_stats *st)
{
	size_t i;

	if (o->json) {
		struct ff_json j;

		ff_json_init(&j, o->f, o->pretty);
		ff_json_obj_begin(&j, NULL);
		json_stats(&j, st);
		json_pool_nodes(&j, "pool-node", st->node, st->nnodes);
		json_pool_nodes(&j, "huge-pool-node", st->hnode, st->nhnodes);
		ff_json_obj_end(&j);
		ff_json_done(&j);
		return;
	}
	human_stats(o->f, st, "", value_width(st, 1));
	for (i = 0; i < st->nnodes; i++)
		fprintf(o->f, "pool-node %" PRIu32 ": %" PRIu64 " of %" PRIu64
			" pages\n", st->node[i].id, st->node[i].pages,
			st->node[i].target);
	for (i = 0; i < st->nhnodes; i++)
		fprintf(o->f, "huge-pool-node %" PRIu32 ": %" PRIu64 " of %"
			PRIu64 " pages\n", st->hnode[i].id, st->hnode[i].pages,
			st->hnode[i].target);
}

void ff_print_stats_percpu(const struct ff_out *o, const struct ff_stats *st,
			   size_t n)
{
	size_t i;

	if (o->json) {
		struct ff_json j;

		ff_json_init(&j, o->f, o->pretty);
		ff_json_arr_begin(&j, NULL);
		for (i = 0; i < n; i++) {
			ff_json_obj_begin(&j, NULL);
			ff_json_u64(&j, "cpu", (uint64_t)st[i].cpu);
			json_stats(&j, &st[i]);
			ff_json_obj_end(&j);
		}
		ff_json_arr_end(&j);
		ff_json_done(&j);
		return;
	}
	for (i = 0; i < n; i++) {
		fprintf(o->f, "%scpu %d:\n", i ? "\n" : "", st[i].cpu);
		human_stats(o->f, &st[i], "  ", value_width(st, n));
	}
}

void ff_print_version(const struct ff_out *o, const struct ff_version *v)
{
	if (o->json) {
		struct ff_json j;

		ff_json_init(&j, o->f, o->pretty);
		ff_json_obj_begin(&j, NULL);
		ff_json_str(&j, "faultctl", v->tool);
		if (v->module)
			ff_json_str(&j, "module", v->module);
		else
			ff_json_null(&j, "module");
		ff_json_u64(&j, "abi", v->abi);
		if (v->module_abi >= 0)
			ff_json_u64(&j, "module-abi", (uint64_t)v->module_abi);
		else
			ff_json_null(&j, "module-abi");
		ff_json_obj_end(&j);
		ff_json_done(&j);
		return;
	}
	fprintf(o->f, "faultctl  %s\n", v->tool);
	fprintf(o->f, "module    %s\n", v->module ? v->module : "not loaded");
	if (v->module_abi < 0 || (unsigned int)v->module_abi == v->abi)
		fprintf(o->f, "abi       %u\n", v->abi);
	else
		fprintf(o->f, "abi       %u (module: %d)\n", v->abi,
			v->module_abi);
}

void ff_report(int status, const struct ff_err *err)
{
	ff_report_to(stderr, status, err);
}

void ff_report_to(FILE *f, int status, const struct ff_err *err)
{
	switch (status) {
	case FF_EXIT_OK:
		break;
	case FF_EXIT_NOMODULE:
		fprintf(f, "faultctl: %s\n", FF_MSG_NOMODULE);
		break;
	case FF_EXIT_PERM:
		fprintf(f,
			"faultctl: permission denied: changing fastfault settings needs CAP_SYS_ADMIN (run as root)\n");
		break;
	default:
		fprintf(f, "Error: %s",
			err->msg[0] ? err->msg : strerror(err->errnum));
		if (err->attr[0])
			fprintf(f, " (attribute %s)", err->attr);
		fputc('\n', f);
	}
}

/* ---- stats --interval ---- */

static uint64_t delta(const struct ff_stats *a, const struct ff_stats *b,
		      enum fastfault_stat s)
{
	/* a reset in between: count from zero */
	return b->v[s] >= a->v[s] ? b->v[s] - a->v[s] : b->v[s];
}

static uint64_t held(const struct ff_pool_node *n, size_t nn)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < nn; i++)
		sum += n[i].pages;
	return sum;
}

void ff_live_compute(const struct ff_stats *a, const struct ff_stats *b,
		     uint64_t dt_ns, struct ff_live *l)
{
	double dt = dt_ns ? (double)dt_ns / 1e9 : 1.0;
	uint64_t batches = delta(a, b, FASTFAULT_STAT_BATCHES);
	uint64_t hits = delta(a, b, FASTFAULT_STAT_POOL_HITS) +
			delta(a, b, FASTFAULT_STAT_HUGE_POOL_HITS);
	uint64_t tries = hits + delta(a, b, FASTFAULT_STAT_POOL_MISSES) +
			 delta(a, b, FASTFAULT_STAT_HUGE_POOL_MISSES);
	uint64_t zero_ns = delta(a, b, FASTFAULT_STAT_POOL_ZERO_NS) +
			   delta(a, b, FASTFAULT_STAT_HUGE_POOL_ZERO_NS);

	l->faults_s = (double)delta(a, b, FASTFAULT_STAT_FAULTS) / dt;
	l->prefaulted_s = (double)delta(a, b, FASTFAULT_STAT_PREFAULTED) / dt;
	l->window = batches ?
		(double)delta(a, b, FASTFAULT_STAT_WINDOW_TOTAL) / (double)batches : -1;
	l->hit_pct = tries ? 100.0 * (double)hits / (double)tries : -1;
	l->pool_pages = held(b->node, b->nnodes) + held(b->hnode, b->nhnodes);
	l->clear_cpu_pct = dt_ns ? 100.0 * (double)zero_ns / (double)dt_ns : 0;
}

static const char live_head[] =
	"  faults/s  prefault/s  window  pool-hit%  pool-pages  clear-cpu%";

void ff_print_live(const struct ff_out *o, const struct ff_live *l,
		   bool header, const char *stamp)
{
	if (o->json) {
		struct ff_json j;

		ff_json_init(&j, o->f, false);
		ff_json_obj_begin(&j, NULL);
		if (stamp)
			ff_json_str(&j, "time", stamp);
		ff_json_dec1(&j, "faults-per-s", l->faults_s);
		ff_json_dec1(&j, "prefaulted-per-s", l->prefaulted_s);
		if (l->window < 0)
			ff_json_null(&j, "window");
		else
			ff_json_dec1(&j, "window", l->window);
		if (l->hit_pct < 0)
			ff_json_null(&j, "pool-hit-pct");
		else
			ff_json_dec1(&j, "pool-hit-pct", l->hit_pct);
		ff_json_u64(&j, "pool-pages", l->pool_pages);
		ff_json_dec1(&j, "clear-cpu-pct", l->clear_cpu_pct);
		ff_json_obj_end(&j);
		ff_json_done(&j);
	} else {
		char w[16], h[16];

		if (header)
			fprintf(o->f, "%s%s\n", stamp ? "                    " : "",
				live_head);
		if (l->window < 0)
			snprintf(w, sizeof(w), "-");
		else
			snprintf(w, sizeof(w), "%.1f", l->window);
		if (l->hit_pct < 0)
			snprintf(h, sizeof(h), "-");
		else
			snprintf(h, sizeof(h), "%.1f", l->hit_pct);
		if (stamp)
			fprintf(o->f, "%-20s", stamp);
		fprintf(o->f, "%10.0f  %10.0f  %6s  %9s  %10" PRIu64 "  %10.1f\n",
			l->faults_s, l->prefaulted_s, w, h, l->pool_pages,
			l->clear_cpu_pct);
	}
	fflush(o->f);
}
