/* Log category table for mgcfd, pstnsim and the tests. */
#include <osmocom/core/utils.h>
#include <mgcf/log.h>

static const struct log_info_cat mgcf_log_cats[] = {
	[DMAIN]  = { .name = "DMAIN",  .description = "daemon life cycle",            .enabled = 1, .loglevel = LOGL_NOTICE },
	[DCFG]   = { .name = "DCFG",   .description = "configuration",                .enabled = 1, .loglevel = LOGL_NOTICE },
	[DSIP]   = { .name = "DSIP",   .description = "SIP transactions and dialogs", .enabled = 1, .loglevel = LOGL_NOTICE },
	[DSIPT]  = { .name = "DSIPT",  .description = "SIP transports",               .enabled = 1, .loglevel = LOGL_NOTICE },
	[DSDP]   = { .name = "DSDP",   .description = "SDP and preconditions",        .enabled = 1, .loglevel = LOGL_NOTICE },
	[DM3UA]  = { .name = "DM3UA",  .description = "M3UA associations",            .enabled = 1, .loglevel = LOGL_NOTICE },
	[DISUP]  = { .name = "DISUP",  .description = "ISUP codec and call control",  .enabled = 1, .loglevel = LOGL_NOTICE },
	[DCIC]   = { .name = "DCIC",   .description = "ISUP circuit supervision",     .enabled = 1, .loglevel = LOGL_NOTICE },
	[DMGCF]  = { .name = "DMGCF",  .description = "interworking calls",           .enabled = 1, .loglevel = LOGL_NOTICE },
	[DMEDIA] = { .name = "DMEDIA", .description = "media plane",                  .enabled = 1, .loglevel = LOGL_NOTICE },
	[DDTMF]  = { .name = "DDTMF",  .description = "DTMF, tones, continuity tone", .enabled = 1, .loglevel = LOGL_NOTICE },
	[DCDR]   = { .name = "DCDR",   .description = "call detail records",          .enabled = 1, .loglevel = LOGL_NOTICE },
	[DSIM]   = { .name = "DSIM",   .description = "pstnsim behaviour",            .enabled = 1, .loglevel = LOGL_NOTICE },
};

const struct log_info mgcf_log_info = {
	.cat = mgcf_log_cats,
	.num_cat = ARRAY_SIZE(mgcf_log_cats),
};
