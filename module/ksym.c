// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel symbols the module must find by name: kallsyms_lookup_name() is
 * not exported, but register_kprobe() resolves a name with it and leaves
 * the address in the probe even when it then refuses the probe (a data
 * symbol).  The address is believed only when sprint_symbol() names
 * exactly that symbol, at offset 0 or, for text on an IBT kernel, just
 * past its ENDBR (where kprobes put a probe); it also gives the size.  Nothing
 * found this way is ever called (IBT's sealing does not matter): data is
 * read and written, text is traced or compared with return addresses.
 */
#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/string.h>

#include "fastfault.h"
#include "compat.h"

/* @name's address and size, or 0 if it is not there (or not alone). */
unsigned long ff_ksym(const char *name, unsigned long *size)
{
	/* disabled: registering it arms nothing, even on text */
	struct kprobe kp = {
		.symbol_name = name,
		.flags = KPROBE_FLAG_DISABLED,
	};
	char want[KSYM_SYMBOL_LEN];
	char buf[KSYM_SYMBOL_LEN];
	unsigned long addr, off, sz;
	int len;

	if (!register_kprobe(&kp))
		unregister_kprobe(&kp);
	addr = (unsigned long)kp.addr;
	if (!addr)
		return 0;
	sprint_symbol(buf, addr);
	len = snprintf(want, sizeof(want), "%s+0x", name);
	if (strncmp(buf, want, len) ||
	    sscanf(buf + len, "%lx/%lx", &off, &sz) != 2 ||
	    (off && off != ENDBR_INSN_SIZE) || !sz || strchr(buf, ' ')) {
		pr_warn("%s resolved to %s, not used\n", name, buf);
		return 0;
	}
	*size = sz;
	return addr - off;
}

/*
 * Is @addr a function's ftrace call site?  ftrace_location() is not
 * exported, but kprobes ask it of every probe they register and mark one
 * that ftrace would carry (KPROBE_FLAG_FTRACE), before any later check
 * can refuse the probe.  Disabled, the probe is never armed.
 */
bool ff_ftrace_location(unsigned long addr)
{
	struct kprobe kp = {
		.addr = (kprobe_opcode_t *)addr,
		.flags = KPROBE_FLAG_DISABLED,
	};
	bool ftrace;

	if (!register_kprobe(&kp))
		unregister_kprobe(&kp);
	ftrace = kp.flags & KPROBE_FLAG_FTRACE;
	return ftrace;
}
