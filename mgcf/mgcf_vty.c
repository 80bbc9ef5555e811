/* VTY commands of the interworking layer: `show calls` (view and enable nodes). */
#include <osmocom/vty/command.h>
#include <osmocom/vty/vty.h>

#include "mgcf/mgcf_call.h"

/* The VTY has no per-command context: the layer of this process. */
static struct mgcf_iw *g_iw;

static void vty_line(void *arg, const char *line)
{
	struct vty *vty = arg;

	vty_out(vty, "%s%s", line, VTY_NEWLINE);
}

DEFUN(show_calls, show_calls_cmd, "show calls", SHOW_STR "Interworking calls: both legs' states, CIC, age\n")
{
	if (!g_iw)
		return CMD_WARNING;
	mgcf_iw_show_calls(g_iw, vty_line, vty);
	return CMD_SUCCESS;
}

void mgcf_iw_vty_init(struct mgcf_iw *iw)
{
	static bool installed;

	g_iw = iw;
	if (installed)
		return;
	installed = true;
	install_element_ve(&show_calls_cmd);
}
