/*! \file dtmf_tone_plan.h
 * Call progress tone plans per country (ITU-T E.180 and its Supplement 2).
 *
 * A tone is up to two frequencies and a cadence of up to four on/off
 * segments that repeats; a zero duration ends the cadence, and a tone whose
 * first "on" is 0 is continuous.
 */
#pragma once

#include <stdint.h>

struct dtmf_tone {
	uint16_t f1_hz;		/*!< first frequency */
	uint16_t f2_hz;		/*!< second frequency, 0: single tone */
	int8_t level_dbm0;	/*!< level of each component */
	uint16_t cadence_ms[4];	/*!< on, off, on, off; 0 ends the list; {0} is continuous */
};

enum dtmf_tone_kind {
	DTMF_TONE_DIAL,
	DTMF_TONE_RINGBACK,
	DTMF_TONE_BUSY,
	DTMF_TONE_CONGESTION,
	_NUM_DTMF_TONE,
};

struct dtmf_tone_plan {
	const char *name;	/*!< "itu" or an ISO 3166 alpha-2 country code */
	const char *country;
	struct dtmf_tone tones[_NUM_DTMF_TONE];
};

/*! \brief The tone plan of a name, NULL if unknown. */
const struct dtmf_tone_plan *dtmf_tone_plan_find(const char *name);
/*! \brief All tone plans, terminated by an entry with name == NULL. */
extern const struct dtmf_tone_plan dtmf_tone_plans[];
