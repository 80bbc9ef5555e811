/*! \file isup_vty.h
 * VTY commands of the ISUP node: `show isup circuits [TRUNK]`, `show isup calls`, `show m3ua` (view and enable
 * nodes) and, in the enable node, `isup block|unblock TRUNK CIC [CIC-LAST] [hardware]`, `isup reset TRUNK CIC
 * [CIC-LAST]`.
 */
#pragma once

struct isup_node;

/*! \brief Install the commands for this node (one node per process; a later call replaces the node the
 *  commands act on, the commands are installed once). */
void isup_vty_init(struct isup_node *node);
