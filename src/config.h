/*! \file config.h
 * The mgcfd configuration file, parsed once into typed structures.
 *
 *   FILE --libconfuse--> cfg_t --config.c: check + convert--> struct mgcfd_config
 *                                                   ├── struct sip_cfg    (sip/)
 *                                                   ├── struct isup_cfg   (isup/)
 *                                                   ├── struct media_cfg  (media/)
 *                                                   └── struct mgcf_cfg   (mgcf/)
 *
 * Only this part of the program calls libconfuse.  Every error, whether
 * libconfuse's (syntax) or ours (meaning), is reported as `FILE:LINE: message`;
 * loading fails if there is any.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <osmocom/core/tdef.h>

#include "sip/sip_cfg.h"
#include "isup/isup_cfg.h"
#include "media/media_cfg.h"
#include "mgcf/mgcf_cfg.h"

enum mgcfd_log_target {
	MGCFD_LOG_STDERR,
	MGCFD_LOG_SYSLOG,
	MGCFD_LOG_FILE,
};

struct mgcfd_log_cat_level {
	int cat;		/*!< enum mgcf_log_cat */
	int level;		/*!< LOGL_* */
};

struct mgcfd_log_cfg {
	enum mgcfd_log_target target;
	char *file;
	int level;			/*!< LOGL_* for all categories */
	bool timestamp;
	bool print_category;
	struct mgcfd_log_cat_level *cats;	/*!< talloc array of per-category levels */
	unsigned int num_cats;
};

struct mgcfd_vty_cfg {
	char *address;
	uint16_t port;
};

/*! A timer value from the file, checked against its osmo_tdef entry, applied by mgcfd_config_apply_timers(). */
struct mgcfd_timer_setting {
	struct osmo_tdef *tdefs;	/*!< the group's table */
	int T;
	unsigned long val;		/*!< in the entry's own unit */
};

/*! pstnsim's behaviour (the `simulator` section; mgcfd ignores it). */
struct mgcfd_sim_cfg {
	bool present;			/*!< the file has a simulator section */
	unsigned int answer_delay_ms;	/*!< ordinary numbers: ACM at once, ANM after this */
	unsigned int hold_ms;		/*!< release after this long answered; 0: wait for the caller */
	char *calling;			/*!< calling number of originated calls (digits) */
	char *originate_number;		/*!< originate calls to this number (digits), NULL: none */
	unsigned int originate_count;
	unsigned int originate_rate;	/*!< calls per second */
	char *trunk;			/*!< trunk group originated calls use, NULL: the first */
	char *report_file;		/*!< where the final report goes, NULL: stdout */
	bool continuity;		/*!< originated IAMs ask for a continuity check on the circuit */
	bool loop_broken;		/*!< incoming continuity checks find no loop (all circuits) */
	char **on_answer;		/*!< actions on the bearer of each call answered ("play-digits 123", ...) */
	unsigned int num_on_answer;
};

struct mgcfd_config {
	char *filename;
	struct mgcfd_sim_cfg sim;
	struct mgcfd_log_cfg log;
	struct mgcfd_vty_cfg vty;
	struct sip_cfg sip;
	struct isup_cfg isup;
	struct media_cfg media;
	struct mgcf_cfg mgcf;
	struct mgcfd_timer_setting *timers;	/*!< talloc array */
	unsigned int num_timers;
};

/*! \brief The timer groups of mgcfd, as shown by `show timer` and set by `timers { … }`. */
extern struct osmo_tdef_group mgcfd_tdef_groups[];

/*! \brief Load and check a configuration file.
 *  \param[in] ctx talloc parent of the result.
 *  \param[in] path the file.
 *  \param[out] errors on failure, the `FILE:LINE: message` lines (talloc'd under ctx), else NULL.
 *  \returns the configuration, or NULL if the file has errors. */
struct mgcfd_config *mgcfd_config_load(void *ctx, const char *path, char **errors);

/*! \brief Reset every timer group to its defaults, then apply the file's timer settings. */
void mgcfd_config_apply_timers(const struct mgcfd_config *cfg);

/*! \brief Find a trunk group's per-module parts by name (NULL if absent). */
const struct isup_trunk_cfg *mgcfd_config_isup_trunk(const struct mgcfd_config *cfg, const char *name);
