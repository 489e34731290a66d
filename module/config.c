// SPDX-License-Identifier: GPL-2.0
/*
 * fastfault: the settings.
 *
 * One struct ff_config holds every setting.  Readers take a copy under
 * the mutex; a writer hands over a complete new configuration, which is
 * applied in full or not at all: every step that can fail is undone
 * when a later one fails, so a refused request changes nothing.
 *
 * At load the settings change nothing: anonymous fault-around is off
 * (one page) and the file window is whatever the kernel already uses.
 */
#include <linux/mutex.h>
#include <linux/netlink.h>
#include "fastfault.h"

/* Read locklessly on the fault path, written under ff_config_lock. */
unsigned int ff_anon_window = 1;

static DEFINE_MUTEX(ff_config_lock);
static struct ff_config ff_config_cur;

static bool ff_config_valid(const struct ff_config *cfg,
			    struct netlink_ext_ack *extack)
{
	if (cfg->fault_around < 1 ||
	    cfg->fault_around > FASTFAULT_FAULT_AROUND_MAX) {
		NL_SET_ERR_MSG(extack, "fault-around out of range");
		return false;
	}
	if (cfg->anon_fault_around < 1 ||
	    cfg->anon_fault_around > FASTFAULT_FAULT_AROUND_MAX) {
		NL_SET_ERR_MSG(extack, "anon-fault-around out of range");
		return false;
	}
	if (cfg->file_fault_around < 1 ||
	    cfg->file_fault_around > FASTFAULT_FAULT_AROUND_MAX) {
		NL_SET_ERR_MSG(extack, "file-fault-around out of range");
		return false;
	}
	return true;
}

int ff_config_init(void)
{
	mutex_lock(&ff_config_lock);
	ff_config_cur.fault_around = 1;
	ff_config_cur.anon_fault_around = 1;
	ff_config_cur.file_fault_around = ff_knob_get();
	WRITE_ONCE(ff_anon_window, 1);
	mutex_unlock(&ff_config_lock);
	return 0;
}

/*
 * The hook and the file knob put themselves back in their own exit
 * functions; only the window read on the fault path is left to reset.
 */
void ff_config_exit(void)
{
	mutex_lock(&ff_config_lock);
	WRITE_ONCE(ff_anon_window, 1);
	mutex_unlock(&ff_config_lock);
}

void ff_config_get(struct ff_config *cfg)
{
	mutex_lock(&ff_config_lock);
	*cfg = ff_config_cur;
	/* The kernel's own knob, as it is now: it rounds what it is given. */
	cfg->file_fault_around = ff_knob_get();
	mutex_unlock(&ff_config_lock);
}

int ff_config_set(const struct ff_config *cfg, struct netlink_ext_ack *extack)
{
	u32 old_file;
	int err;

	if (!ff_config_valid(cfg, extack))
		return -EINVAL;

	mutex_lock(&ff_config_lock);

	old_file = ff_knob_get();
	if (cfg->file_fault_around != old_file) {
		err = ff_knob_set(cfg->file_fault_around, extack);
		if (err)
			goto out;
	}

	err = ff_hook_update(cfg->anon_fault_around > 1 ? FF_HOOK_FAULT : 0, extack);
	if (err) {
		/* Undo the file knob: the request is refused as a whole. */
		if (cfg->file_fault_around != old_file &&
		    ff_knob_set(old_file, NULL))
			pr_warn("could not restore file-fault-around %u\n",
				old_file);
		goto out;
	}

	WRITE_ONCE(ff_anon_window, cfg->anon_fault_around);
	ff_config_cur = *cfg;
	ff_config_cur.file_fault_around = ff_knob_get();
out:
	mutex_unlock(&ff_config_lock);
	return err;
}
