/* VTY set-up shared by mgcfd and pstnsim. */
#include <errno.h>

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

int mgcfd_vty_listen(void *ctx, const char *address, uint16_t port)
{
	int rc = telnet_init_dynif(ctx, NULL, address, port);

	return rc < 0 ? rc : 0;
}

void mgcfd_vty_close(void)
{
	telnet_exit();
}
