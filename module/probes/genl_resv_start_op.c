// SPDX-License-Identifier: GPL-2.0
/*
 * A generic netlink family says from which command on it validates
 * strictly (resv_start_op, 6.1 on); before, every small op did unless it
 * asked not to.
 */
#include <net/genetlink.h>

struct genl_family ff_probe_family = {
	.resv_start_op = 1,
};
