// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's own file fault-around: fault_around_bytes (bytes, up to
 * 6.3) or fault_around_pages (pages, 6.4 on).  Both are static, so the
 * variable is found the way a root user would find it, in
 * /proc/kallsyms (read with modprobe's credentials at load), and the
 * address is then checked with sprint_symbol() before it is ever
 * dereferenced.  Which of the two names exists is the feature probe:
 * nothing here depends on the kernel version.
 *
 * debugfs is not used: lockdown (Secure Boot) closes it.
 */
#include <linux/fs.h>
#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/netlink.h>

#include "fastfault.h"

struct knob_sym {
	const char *name;
	bool in_bytes;
};

static const struct knob_sym knob_syms[] = {
	{ "fault_around_pages", false },
	{ "fault_around_bytes", true },
};

static unsigned long *knob_addr;
static bool knob_in_bytes;
static unsigned long knob_orig;

#define KALLSYMS_CHUNK	(64 * 1024)

/* "ffffffff82a4b2c8 d fault_around_bytes" (modules add " [mod]") */
static bool knob_parse_line(char *line)
{
	char *addr, *type, *name;
	unsigned long val;
	char want[KSYM_SYMBOL_LEN];
	char buf[KSYM_SYMBOL_LEN];
	unsigned int i;

	addr = strsep(&line, " ");
	type = strsep(&line, " ");
	name = line;
	if (!addr || !type || !name || strlen(type) != 1)
		return false;
	if (*type != 'd' && *type != 'b' && *type != 'D' && *type != 'B')
		return false;

	for (i = 0; i < ARRAY_SIZE(knob_syms); i++) {
		if (strcmp(name, knob_syms[i].name))
			continue;
		if (kstrtoul(addr, 16, &val) || !val)
			return false;
		/* the symbol must be exactly this variable, 8 bytes long */
		sprint_symbol(buf, val);
		snprintf(want, sizeof(want), "%s+0x0/0x8", knob_syms[i].name);
		if (strcmp(buf, want)) {
			pr_warn("kallsyms entry %s does not match %s\n",
				name, buf);
			return false;
		}
		knob_addr = (unsigned long *)val;
		knob_in_bytes = knob_syms[i].in_bytes;
		return true;
	}
	return false;
}

static int knob_find(void)
{
	struct file *f;
	char *buf;
	size_t have = 0;
	loff_t pos = 0;
	ssize_t n;
	int ret = -ENOENT;

	f = filp_open("/proc/kallsyms", O_RDONLY, 0);
	if (IS_ERR(f))
		return PTR_ERR(f);

	buf = kvmalloc(KALLSYMS_CHUNK + 1, GFP_KERNEL);
	if (!buf) {
		ret = -ENOMEM;
		goto out_close;
	}

	while ((n = kernel_read(f, buf + have, KALLSYMS_CHUNK - have,
				&pos)) > 0) {
		char *line = buf, *nl;

		have += n;
		buf[have] = '\0';
		while ((nl = memchr(line, '\n', buf + have - line))) {
			*nl = '\0';
			if (knob_parse_line(line)) {
				ret = 0;
				goto out_free;
			}
			line = nl + 1;
		}
		have = buf + have - line;
		memmove(buf, line, have);
		if (have == KALLSYMS_CHUNK)	/* absurd line: give up */
			break;
	}
	if (n < 0)
		ret = n;
out_free:
	kvfree(buf);
out_close:
	filp_close(f, NULL);
	return ret;
}

static u32 knob_read_pages(void)
{
	unsigned long v = READ_ONCE(*knob_addr);

	return knob_in_bytes ? v >> PAGE_SHIFT : v;
}

/* Serialised by the config mutex. */
u32 ff_knob_get(void)
{
	return knob_addr ? knob_read_pages() : 0;
}

int ff_knob_set(u32 pages, struct netlink_ext_ack *extack)
{
	unsigned long v;

	if (!knob_addr) {
		NL_SET_ERR_MSG(extack,
			       "the kernel's file fault-around knob was not found (see dmesg)");
		return -EOPNOTSUPP;
	}
	if (!pages)
		return -EINVAL;
	/* as the kernel's own debugfs setter does */
	v = rounddown_pow_of_two(pages);
	WRITE_ONCE(*knob_addr, knob_in_bytes ? v << PAGE_SHIFT : v);
	return 0;
}

int ff_knob_init(void)
{
	int ret = knob_find();

	if (ret) {
		/* not fatal: anonymous fault-around works without it */
		pr_warn("file fault-around knob not found (%d): file-fault-around cannot be set\n",
			ret);
		knob_addr = NULL;
		return 0;
	}
	knob_orig = READ_ONCE(*knob_addr);
	return 0;
}

void ff_knob_exit(void)
{
	if (knob_addr)
		WRITE_ONCE(*knob_addr, knob_orig);
}
