// SPDX-License-Identifier: GPL-2.0
/* The kernel knows indirect branch tracking (asm/ibt.h, 5.18 on): ENDBR. */
#include <asm/ibt.h>

int ff_probe(void);

int ff_probe(void)
{
	return ENDBR_INSN_SIZE;
}
