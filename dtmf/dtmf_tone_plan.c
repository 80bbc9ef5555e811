/* Call progress tone plans.  Values from ITU-T E.180 Supplement 2 (the
 * national tone descriptions the administrations filed with the ITU). */
#include <string.h>
#include <strings.h>
#include "dtmf/dtmf_tone_plan.h"

#define LVL (-13)

const struct dtmf_tone_plan dtmf_tone_plans[] = {
	{ .name = "itu", .country = "ITU-T E.180 recommended values",
	  .tones = {
		[DTMF_TONE_DIAL]       = { 425, 0, LVL, { 0 } },
		[DTMF_TONE_RINGBACK]   = { 425, 0, LVL, { 1000, 4000 } },
		[DTMF_TONE_BUSY]       = { 425, 0, LVL, { 500, 500 } },
		[DTMF_TONE_CONGESTION] = { 425, 0, LVL, { 200, 200 } },
	} },
	{ .name = "de", .country = "Germany",
	  .tones = {
		[DTMF_TONE_DIAL]       = { 425, 0, LVL, { 0 } },
		[DTMF_TONE_RINGBACK]   = { 425, 0, LVL, { 1000, 4000 } },
		[DTMF_TONE_BUSY]       = { 425, 0, LVL, { 480, 480 } },
		[DTMF_TONE_CONGESTION] = { 425, 0, LVL, { 240, 240 } },
	} },
	{ .name = "gb", .country = "United Kingdom",
	  .tones = {
		[DTMF_TONE_DIAL]       = { 350, 440, LVL, { 0 } },
		[DTMF_TONE_RINGBACK]   = { 400, 450, LVL, { 400, 200, 400, 2000 } },
		[DTMF_TONE_BUSY]       = { 400, 0, LVL, { 375, 375 } },
		[DTMF_TONE_CONGESTION] = { 400, 0, LVL, { 400, 350, 225, 525 } },
	} },
	{ .name = "fr", .country = "France",
	  .tones = {
		[DTMF_TONE_DIAL]       = { 440, 0, LVL, { 0 } },
		[DTMF_TONE_RINGBACK]   = { 440, 0, LVL, { 1500, 3500 } },
		[DTMF_TONE_BUSY]       = { 440, 0, LVL, { 500, 500 } },
		[DTMF_TONE_CONGESTION] = { 440, 0, LVL, { 250, 250 } },
	} },
	{ .name = "us", .country = "United States (North American Numbering Plan)",
	  .tones = {
		[DTMF_TONE_DIAL]       = { 350, 440, LVL, { 0 } },
		[DTMF_TONE_RINGBACK]   = { 440, 480, LVL, { 2000, 4000 } },
		[DTMF_TONE_BUSY]       = { 480, 620, LVL, { 500, 500 } },
		[DTMF_TONE_CONGESTION] = { 480, 620, LVL, { 250, 250 } },
	} },
	{ .name = "jp", .country = "Japan",
	  .tones = {
		[DTMF_TONE_DIAL]       = { 400, 0, LVL, { 0 } },
		[DTMF_TONE_RINGBACK]   = { 400, 0, LVL, { 1000, 2000 } },
		[DTMF_TONE_BUSY]       = { 400, 0, LVL, { 500, 500 } },
		[DTMF_TONE_CONGESTION] = { 400, 0, LVL, { 500, 500 } },
	} },
	{ .name = "au", .country = "Australia",
	  .tones = {
		[DTMF_TONE_DIAL]       = { 425, 0, LVL, { 0 } },
		[DTMF_TONE_RINGBACK]   = { 400, 450, LVL, { 400, 200, 400, 2000 } },
		[DTMF_TONE_BUSY]       = { 425, 0, LVL, { 375, 375 } },
		[DTMF_TONE_CONGESTION] = { 425, 0, LVL, { 375, 375 } },
	} },
	{ .name = NULL }
};

const struct dtmf_tone_plan *dtmf_tone_plan_find(const char *name)
{
	const struct dtmf_tone_plan *p;

	for (p = dtmf_tone_plans; p->name; p++) {
		if (!strcasecmp(p->name, name))
			return p;
	}
	return NULL;
}
