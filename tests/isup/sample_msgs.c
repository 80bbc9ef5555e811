/* A sample of every Q.763 message type, for the round-trip test and the tshark cross-check. */
#include <stdlib.h>

#include "isup/isup_codec.h"
#include "isup/isup_codec_int.h"
#include "sample_msgs.h"

/* Fill every mandatory parameter of a message type from the table, plus some optional ones. */
static const uint8_t opaque_bytes[32] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 };
static const uint8_t unknown_val[] = { 0xde, 0xad };
static const uint8_t pci_val[] = { 0xf7, 0x90 };	/* unknown 0xF7: discard parameter */

void isup_sample_msg(struct isup_msg *m, uint8_t type, bool with_opt)
{
	const struct isup_msg_def *md = &isup_msg_defs[type];
	unsigned int i;

	isup_msg_init(m, type, SAMPLE_CIC);
	if (md->opaque_body) {
		m->body.data = opaque_bytes;
		m->body.len = 5;
		return;
	}
	for (i = 0; i < md->n_fixed + md->n_var; i++) {
		uint8_t code = i < md->n_fixed ? md->fixed[i] : md->var[i - md->n_fixed].code;
		uint8_t min = i < md->n_fixed ? isup_param_defs[code].min : md->var[i - md->n_fixed].min;

		switch (code) {
		case ISUP_P_NCI:
			m->nci.continuity = 2;
			m->nci.echo_device = true;
			break;
		case ISUP_P_FCI:
			m->fci.isup_all_the_way = true;
			m->fci.isup_pref = 2;
			m->fci.sccp_method = 1;
			break;
		case ISUP_P_CPC:
			m->cpc = 0x0a;
			break;
		case ISUP_P_TMR:
			m->tmr = 3;
			break;
		case ISUP_P_CALLED_NUMBER:
			m->called.nai = 4;
			m->called.npi = 1;
			m->called.inn_ni = true;
			m->called.ascii = SAMPLE_CALLED;
			break;
		case ISUP_P_SUBSEQUENT_NUMBER:
			m->subsequent.ascii = "789";
			break;
		case ISUP_P_BCI:
			m->bci.charge = 2;
			m->bci.called_status = 1;
			m->bci.called_category = 1;
			m->bci.isup_all_the_way = true;
			break;
		case ISUP_P_CONTINUITY_IND:
			m->continuity_ok = true;
			break;
		case ISUP_P_SUS_RES_IND:
			m->sus_res_network = true;
			break;
		case ISUP_P_EVENT_INFO:
			m->event.event = 1;
			break;
		case ISUP_P_CAUSE:
			m->cause.location = 4;
			m->cause.value = 17;
			break;
		case ISUP_P_CGSMT:
			m->cgsmt = 1;
			break;
		case ISUP_P_RANGE_STATUS:
			m->rs.range = 9;
			m->rs.status_len = min > 1 ? 2 : 0;
			m->rs.status[0] = 0x0f;
			m->rs.status[1] = 0x02;
			break;
		default:
			if (isup_param_typed(code))
				abort();
			m->mand[i].data = opaque_bytes;
			m->mand[i].len = min;
			continue;
		}
		isup_msg_set(m, code);
	}
	if (!with_opt || !md->opt)
		return;
	m->calling.nai = 3;
	m->calling.npi = 1;
	m->calling.screening = 1;
	m->calling.ascii = SAMPLE_CALLING;
	isup_msg_set(m, ISUP_P_CALLING_NUMBER);
	m->obci.inband = true;
	isup_msg_set(m, ISUP_P_OBCI);
	m->hop_counter = 20;
	isup_msg_set(m, ISUP_P_HOP_COUNTER);
	m->generic[0].nqi = 6;
	m->generic[0].nai = 3;
	m->generic[0].npi = 1;
	m->generic[0].ascii = "12345";
	m->generic[1].nqi = 1;
	m->generic[1].nai = 4;
	m->generic[1].ascii = "5551234";
	m->n_generic = 2;
	isup_msg_set(m, ISUP_P_GENERIC_NUMBER);
	m->pci.data = pci_val;
	m->pci.len = sizeof(pci_val);
	isup_msg_set(m, ISUP_P_PCI);
	if (isup_msg_add_raw(m, 0xf7, unknown_val, sizeof(unknown_val)) ||
	    isup_msg_add_raw(m, ISUP_P_CALL_REFERENCE, opaque_bytes, 5))
		abort();
}

