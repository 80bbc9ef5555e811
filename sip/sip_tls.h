/*! \file sip_tls.h
 * OpenSSL 3 contexts for SIP over TLS (RFC 3261 §26.3.1, RFC 5922 for the server identity check).
 *
 * Only context and session set-up lives here; the non-blocking handshake, reads and writes are driven from the
 * connection's osmo_fd callbacks in sip_transport.c.
 */
#pragma once

#include <stdbool.h>
#include <openssl/ssl.h>
#include <osmocom/core/utils.h>

#include "sip/sip_cfg.h"

/*! \brief Server context with cfg->tls.certificate and private_key.  Client certificates are not requested.
 * \returns NULL on error (logged). */
SSL_CTX *sip_tls_server_ctx(const struct sip_cfg *cfg);
/*! \brief Client context: peer verification per cfg->tls.verify_peer against cfg->tls.ca_file (the system
 * store when ca_file is NULL).  \returns NULL on error (logged). */
SSL_CTX *sip_tls_client_ctx(const struct sip_cfg *cfg);
/*! \brief A session on a connected non-blocking socket.  For a client, peer_name (host name or IP literal) is
 * what the server certificate must match, and is sent as SNI when it is a name.  \returns NULL on error. */
SSL *sip_tls_session(SSL_CTX *ctx, int fd, bool server, const char *peer_name);
/*! \brief Pop OpenSSL's error queue into one log line (DSIPT, NOTICE) prefixed by what. */
void sip_tls_log_errors(const char *what);
