/* VTY commands of the ISUP node (libosmovty 1.7: DEFUN + install_element on VIEW_NODE / ENABLE_NODE). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <osmocom/vty/command.h>
#include <osmocom/vty/vty.h>

#include "isup/isup_node.h"
#include "isup/isup_vty.h"

/* The VTY has no per-command context: the node of this process. */
static struct isup_node *g_node;

static void vty_line(void *arg, const char *line)
{
	struct vty *vty = arg;

	vty_out(vty, "%s%s", line, VTY_NEWLINE);
}

#define SHOW_ISUP_STR SHOW_STR "ISUP node\n"

DEFUN(show_isup_circuits, show_isup_circuits_cmd, "show isup circuits [TRUNK]",
      SHOW_ISUP_STR "Circuits: state, blocking (LM RM LH RH), pending acknowledgements\n" "Trunk group name\n")
{
	if (!g_node)
		return CMD_WARNING;
	if (isup_node_show_circuits(g_node, argc > 0 ? argv[0] : NULL, vty_line, vty) < 0) {
		vty_out(vty, "%% no trunk group %s%s", argv[0], VTY_NEWLINE);
		return CMD_WARNING;
	}
	return CMD_SUCCESS;
}

DEFUN(show_isup_calls, show_isup_calls_cmd, "show isup calls", SHOW_ISUP_STR "ISUP calls and their states\n")
{
	if (!g_node)
		return CMD_WARNING;
	isup_node_show_calls(g_node, vty_line, vty);
	return CMD_SUCCESS;
}

DEFUN(show_m3ua, show_m3ua_cmd, "show m3ua", SHOW_STR "M3UA associations\n")
{
	if (!g_node)
		return CMD_WARNING;
	isup_node_show_m3ua(g_node, vty_line, vty);
	return CMD_SUCCESS;
}

static int maint_result(struct vty *vty, int rc)
{
	switch (rc) {
	case 0:
		return CMD_SUCCESS;
	case -ENOENT:
		vty_out(vty, "%% no such trunk group%s", VTY_NEWLINE);
		break;
	case -ERANGE:
		vty_out(vty, "%% CIC not in the trunk group, or more than 32 circuits%s", VTY_NEWLINE);
		break;
	case -EBUSY:
		vty_out(vty, "%% the circuit is not idle, or blocked%s", VTY_NEWLINE);
		break;
	default:
		vty_out(vty, "%% failed: %s%s", strerror(-rc), VTY_NEWLINE);
		break;
	}
	return CMD_WARNING;
}

/* argv: TRUNK CIC [CIC-LAST] [hardware] */
static int maint_cmd(struct vty *vty, int argc, const char *argv[], bool with_last, int op)
{
	uint16_t first, last;
	bool hw;

	if (!g_node)
		return CMD_WARNING;
	first = atoi(argv[1]);
	last = with_last ? atoi(argv[2]) : first;
	hw = argc > (with_last ? 3 : 2);
	switch (op) {
	case 0:
		return maint_result(vty, isup_cic_block(g_node, argv[0], first, last, hw));
	case 1:
		return maint_result(vty, isup_cic_unblock(g_node, argv[0], first, last, hw));
	case 2:
		return maint_result(vty, isup_cic_reset(g_node, argv[0], first, last));
	default:
		return maint_result(vty, isup_cic_continuity_test(g_node, argv[0], first));
	}
}

#define ISUP_STR "ISUP circuit maintenance\n"
#define BLK_ARGS_STR "Trunk group name\n" "CIC\n"
#define HW_STR "Hardware failure oriented (releases calls)\n"

DEFUN(isup_block, isup_block_cmd, "isup block TRUNK <0-4095> [hardware]",
      ISUP_STR "Block a circuit locally (BLO, or CGB for hardware)\n" BLK_ARGS_STR HW_STR)
{
	return maint_cmd(vty, argc, argv, false, 0);
}

DEFUN(isup_block_range, isup_block_range_cmd, "isup block TRUNK <0-4095> <0-4095> [hardware]",
      ISUP_STR "Block circuits locally (CGB)\n" BLK_ARGS_STR "Last CIC\n" HW_STR)
{
	return maint_cmd(vty, argc, argv, true, 0);
}

DEFUN(isup_unblock, isup_unblock_cmd, "isup unblock TRUNK <0-4095> [hardware]",
      ISUP_STR "Unblock a circuit (UBL, or CGU for hardware)\n" BLK_ARGS_STR HW_STR)
{
	return maint_cmd(vty, argc, argv, false, 1);
}

DEFUN(isup_unblock_range, isup_unblock_range_cmd, "isup unblock TRUNK <0-4095> <0-4095> [hardware]",
      ISUP_STR "Unblock circuits (CGU)\n" BLK_ARGS_STR "Last CIC\n" HW_STR)
{
	return maint_cmd(vty, argc, argv, true, 1);
}

DEFUN(isup_reset, isup_reset_cmd, "isup reset TRUNK <0-4095>",
      ISUP_STR "Reset a circuit (RSC)\n" BLK_ARGS_STR)
{
	return maint_cmd(vty, argc, argv, false, 2);
}

DEFUN(isup_reset_range, isup_reset_range_cmd, "isup reset TRUNK <0-4095> <0-4095>",
      ISUP_STR "Reset circuits (GRS)\n" BLK_ARGS_STR "Last CIC\n")
{
	return maint_cmd(vty, argc, argv, true, 2);
}

DEFUN(isup_cot_test, isup_cot_test_cmd, "isup continuity-test TRUNK <0-4095>",
      ISUP_STR "Test the continuity of an idle circuit (CCR, 2000 Hz through the far end's loop)\n" BLK_ARGS_STR)
{
	return maint_cmd(vty, argc, argv, false, 3);
}

void isup_vty_init(struct isup_node *node)
{
	static bool installed;

	g_node = node;
	if (installed)
		return;
	installed = true;
	install_element_ve(&show_isup_circuits_cmd);
	install_element_ve(&show_isup_calls_cmd);
	install_element_ve(&show_m3ua_cmd);
	install_element(ENABLE_NODE, &isup_block_cmd);
	install_element(ENABLE_NODE, &isup_block_range_cmd);
	install_element(ENABLE_NODE, &isup_unblock_cmd);
	install_element(ENABLE_NODE, &isup_unblock_range_cmd);
	install_element(ENABLE_NODE, &isup_reset_cmd);
	install_element(ENABLE_NODE, &isup_reset_range_cmd);
	install_element(ENABLE_NODE, &isup_cot_test_cmd);
}
