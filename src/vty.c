/* VTY set-up shared by mgcfd and pstnsim. */
#include <errno.h>
#include <inttypes.h>

#include <osmocom/core/utils.h>
#include <osmocom/vty/vty.h>
#include <osmocom/vty/command.h>
#include <osmocom/vty/logging.h>
#include <osmocom/vty/misc.h>
#include <osmocom/vty/stats.h>
#include <osmocom/vty/tdef_vty.h>
#include <osmocom/vty/telnet_interface.h>

#include "build_config.h"
#include "src/config.h"
#include "media/media.h"
#include "src/vty.h"

static struct vty_app_info app_info = {
	.version = PACKAGE_VERSION,
};

void mgcfd_vty_init(void *ctx, const char *app_name, const char *copyright)
{
	app_info.name = app_name;
	app_info.copyright = copyright;
	app_info.tall_ctx = ctx;
	vty_init(&app_info);
	logging_vty_add_cmds();
	osmo_stats_vty_add_cmds();
	osmo_talloc_vty_add_cmds();
	/* `show timer [GROUP]` and, in config mode, `timer GROUP TNNN VALUE` */
	osmo_tdef_vty_groups_init(CONFIG_NODE, mgcfd_tdef_groups);
}

static bool g_listening;

int mgcfd_vty_listen(void *ctx, const char *address, uint16_t port)
{
	int rc = telnet_init_dynif(ctx, NULL, address, port);

	if (rc < 0)
		return rc;
	g_listening = true;
	return 0;
}

void mgcfd_vty_close(void)
{
	/* telnet_exit() unregisters the listening fd unconditionally: it crashes when a start-up error came first */
	if (!g_listening)
		return;
	g_listening = false;
	telnet_exit();
}

static struct media_plane *g_media;

DEFUN(show_media, show_media_cmd, "show media", SHOW_STR "Media plane: channels, spans, RTP\n")
{
	struct media_plane_stats st;

	if (!g_media)
		return CMD_WARNING;
	media_plane_stats(g_media, &st);
	vty_out(vty, "channels %u, RTP ports in use %u, media CPU %.3f s (user %.3f s, kernel %.3f s), "
		"threads on io_uring %u%s", st.channels, st.ports_in_use, st.cpu_ns / 1e9, st.cpu_user_ns / 1e9,
		st.cpu_sys_ns / 1e9, st.uring_threads, VTY_NEWLINE);
	vty_out(vty, "ticks %" PRIu64 " (late %" PRIu64 "), events dropped %" PRIu64 "%s", st.ticks, st.tick_overruns,
		st.events_dropped, VTY_NEWLINE);
	vty_out(vty, "CESoPSN rx %" PRIu64 " tx %" PRIu64 " lost %" PRIu64 " reordered %" PRIu64 " duplicate %" PRIu64
		" late %" PRIu64 " malformed %" PRIu64 "%s", st.span_rx, st.span_tx, st.span_lost, st.span_reordered,
		st.span_dup, st.span_late, st.span_malformed, VTY_NEWLINE);
	vty_out(vty, "RTP rx %" PRIu64 " tx %" PRIu64 ", send errors %" PRIu64 "%s", st.rtp_rx, st.rtp_tx, st.tx_errors,
		VTY_NEWLINE);
	vty_out(vty, "talloc blocks in the media threads %zu%s", st.thread_talloc_blocks, VTY_NEWLINE);
	return CMD_SUCCESS;
}

void mgcfd_media_vty_init(struct media_plane *mp)
{
	static bool installed;

	g_media = mp;
	if (installed)
		return;
	installed = true;
	install_element_ve(&show_media_cmd);
}
