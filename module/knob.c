// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's own file fault-around: fault_around_bytes (bytes, up to
 * 6.3) or fault_around_pages (pages, 6.4 on).  Both are static, so the
 * variable is found by name (ff_ksym(), which checks the address with
 * sprint_symbol() before it is ever dereferenced).  Which
 * of the two names exists is the feature probe: nothing here depends on
 * the kernel version.
 *
 * debugfs is not used: lockdown (Secure Boot) closes it.
 */
#include <linux/kernel.h>
#include <linux/log2.h>
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
/* what fastfault last wrote, so that unload puts back only its own change */
static bool knob_written;
static unsigned long knob_mine;

/* The variable @name, if ff_ksym() finds it and it is one long. */
static unsigned long *knob_lookup(const char *name)
{
	unsigned long size, addr = ff_ksym(name, &size);

	if (!addr || size != sizeof(long)) {
		if (addr)
			pr_warn("%s is %lu bytes, not used\n", name, size);
		return NULL;
	}
	return (unsigned long *)addr;
}

static int knob_find(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(knob_syms); i++) {
		knob_addr = knob_lookup(knob_syms[i].name);
		if (knob_addr) {
			knob_in_bytes = knob_syms[i].in_bytes;
			return 0;
		}
	}
	return -ENOENT;
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

/* Was the kernel's knob found?  Without it there is no file window to set. */
bool ff_knob_found(void)
{
	return knob_addr;
}

/*
 * The file window that fault-around @fault_around means: the kernel's
 * own (the value found at load, 16 pages on Debian), or @fault_around
 * where that is larger.  Never less: a smaller file window would only
 * take more traps than stock (1, off, gives the kernel its own back).
 * Where the knob was not found the file side stays as it is (0).
 */
u32 ff_knob_follow(u32 fault_around)
{
	u32 own;

	if (!knob_addr)
		return 0;
	own = knob_in_bytes ? knob_orig >> PAGE_SHIFT : knob_orig;
	return max(fault_around, own);
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
	knob_mine = knob_in_bytes ? v << PAGE_SHIFT : v;
	knob_written = true;
	WRITE_ONCE(*knob_addr, knob_mine);
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

/*
 * Put back the value found at load, unless fastfault never changed it or
 * someone else (debugfs) has set it since: theirs is the one to keep.
 */
void ff_knob_exit(void)
{
	if (!knob_addr || !knob_written)
		return;
	if (READ_ONCE(*knob_addr) == knob_mine)
		WRITE_ONCE(*knob_addr, knob_orig);
	else
		pr_info("file fault-around was changed behind fastfault's back: left at %lu\n",
			READ_ONCE(*knob_addr));
}
