// SPDX-License-Identifier: GPL-2.0
/*
 * fastfault: cheaper page faults on stock kernels.
 *
 * Module entry and exit.  Init takes its parts in order and exit gives
 * them back in reverse; the netlink family comes last in init and goes
 * first in exit, so no request ever sees a half-built module.
 */
#include <linux/module.h>
#include <linux/init.h>
#include <linux/kernel.h>

#include "fastfault.h"

static int __init fastfault_init(void)
{
	int ret;

	ret = ff_knob_init();
	if (ret)
		return ret;

	ret = ff_pool_init();
	if (ret)
		goto err_knob;

	ret = ff_zero_once_init();
	if (ret)
		goto err_pool;

	ret = ff_hook_init();
	if (ret)
		goto err_pool;

	ret = ff_config_init();
	if (ret)
		goto err_hook;

	/* Last: from here on requests can arrive. */
	ret = ff_netlink_init();
	if (ret)
		goto err_config;

	pr_info("fastfault %s loaded\n", FASTFAULT_VERSION);
	return 0;

err_config:
	ff_config_exit();
err_hook:
	ff_hook_exit();
err_pool:
	ff_pool_exit();
err_knob:
	ff_knob_exit();
	return ret;
}

static void __exit fastfault_exit(void)
{
	/* First: no request may run while the rest goes away. */
	ff_config_stop();
	ff_netlink_exit();
	ff_config_exit();
	ff_hook_exit();
	ff_pool_exit();
	ff_knob_exit();
	pr_info("fastfault %s unloaded\n", FASTFAULT_VERSION);
}

module_init(fastfault_init);
module_exit(fastfault_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The fastfault developers");
MODULE_DESCRIPTION("Anonymous fault-around and pre-zeroed pages for stock kernels");
MODULE_VERSION(FASTFAULT_VERSION);
