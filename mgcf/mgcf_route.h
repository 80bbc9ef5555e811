/*! \file mgcf_route.h
 * Numbers and routes of the interworking layer.
 *
 *  SIP→ISUP:  Request-URI ──mgcf_number_from_uri()──▶ "+4930123" ──mgcf_route_out_find()──▶ route
 *             ──mgcf_route_out_apply()──▶ CdPN digits + NAI for the IAM
 *  ISUP→SIP:  CdPN digits + NAI ──mgcf_route_in_find(trunk)──▶ route
 *             ──mgcf_route_in_uri()──▶ Request-URI from the route's template
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "mgcf/mgcf_cfg.h"

/*! Longest digit string a number may carry (Q.763 allows more, E.164 at most 15 digits). */
#define MGCF_NUMBER_MAX	32

/*! \brief The number of a tel URI, or of a sip/sips URI whose user part is a telephone number.
 *  Visual separators (RFC 3966: - . ( )) are removed; a global number keeps its '+'.
 *  \param[in] uri the URI text (not NUL-terminated), e.g. "tel:+49-30-123" or "sip:+4930123@h;user=phone".
 *  \param[out] out NUL-terminated number ("+4930123"), at most out_len bytes including the NUL.
 *  \returns 0, -EINVAL if the URI carries no telephone number, -EMSGSIZE if it does not fit. */
int mgcf_number_from_uri(const char *uri, size_t len, char *out, size_t out_len);

/*! \brief The SIP→ISUP route with the longest prefix that matches a number ("+4930…"), NULL if none. */
const struct mgcf_route_out *mgcf_route_out_find(const struct mgcf_cfg *cfg, const char *number);

/*! \brief Called party digits for the IAM: strip, then prepend, as the route says; digits only.
 *  \returns 0, -EINVAL if what remains is not digits (or empty), -EMSGSIZE if it does not fit. */
int mgcf_route_out_apply(const struct mgcf_route_out *r, const char *number, char *digits, size_t digits_len);

/*! \brief The ISUP→SIP route for a call on a trunk group with these called digits (longest prefix;
 *  a route for the trunk group beats a route for any trunk group), NULL if none. */
const struct mgcf_route_in *mgcf_route_in_find(const struct mgcf_cfg *cfg, const char *trunk, const char *digits);

/*! \brief Request-URI of a route: {number} becomes the digits as received, {e164} the number in
 *  international form ("+" and, for a national number, the country code first).
 *  \param[in] nai nature of address of the digits (enum mgcf_nai).
 *  \param[in] country_code the own country code for national numbers ("49"), or NULL.
 *  \returns the URI (talloc'd under ctx), NULL if the number cannot be made international. */
char *mgcf_route_in_uri(void *ctx, const struct mgcf_route_in *r, const char *digits, enum mgcf_nai nai,
			const char *country_code);
