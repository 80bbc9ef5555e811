/* SIP over TLS: OpenSSL contexts and sessions (see sip_tls.h). */
#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <mgcf/log.h>
#include "sip/sip_tls.h"

void sip_tls_log_errors(const char *what)
{
	char buf[256];
	unsigned long e;
	bool any = false;

	while ((e = ERR_get_error())) {
		ERR_error_string_n(e, buf, sizeof(buf));
		LOGP(DSIPT, LOGL_NOTICE, "%s: %s\n", what, buf);
		any = true;
	}
	if (!any)
		LOGP(DSIPT, LOGL_NOTICE, "%s\n", what);
}

static SSL_CTX *ctx_new(const SSL_METHOD *m)
{
	SSL_CTX *ctx = SSL_CTX_new(m);

	if (!ctx) {
		sip_tls_log_errors("SSL_CTX_new");
		return NULL;
	}
	/* RFC 8996: nothing below TLS 1.2 */
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	/* the write queue may retry a write with a different (moved) buffer after WANT_WRITE, and accepts that
	 * a record is written in parts */
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	return ctx;
}

SSL_CTX *sip_tls_server_ctx(const struct sip_cfg *cfg)
{
	SSL_CTX *ctx;

	if (!cfg->tls.certificate || !cfg->tls.private_key) {
		LOGP(DSIPT, LOGL_ERROR, "TLS listener without certificate / private key\n");
		return NULL;
	}
	ctx = ctx_new(TLS_server_method());
	if (!ctx)
		return NULL;
	if (SSL_CTX_use_certificate_chain_file(ctx, cfg->tls.certificate) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, cfg->tls.private_key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		sip_tls_log_errors("TLS certificate / key");
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

SSL_CTX *sip_tls_client_ctx(const struct sip_cfg *cfg)
{
	SSL_CTX *ctx = ctx_new(TLS_client_method());

	if (!ctx)
		return NULL;
	if (cfg->tls.verify_peer) {
		int rc = cfg->tls.ca_file ? SSL_CTX_load_verify_locations(ctx, cfg->tls.ca_file, NULL)
					  : SSL_CTX_set_default_verify_paths(ctx);

		if (rc != 1) {
			sip_tls_log_errors("TLS CA file");
			SSL_CTX_free(ctx);
			return NULL;
		}
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	} else {
		SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	}
	/* a client certificate is offered when we have one (mutual TLS towards trunks that want it) */
	if (cfg->tls.certificate && cfg->tls.private_key &&
	    (SSL_CTX_use_certificate_chain_file(ctx, cfg->tls.certificate) != 1 ||
	     SSL_CTX_use_PrivateKey_file(ctx, cfg->tls.private_key, SSL_FILETYPE_PEM) != 1)) {
		sip_tls_log_errors("TLS client certificate / key");
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

static bool is_ip_literal(const char *s)
{
	unsigned char b[16];

	return inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1;
}

SSL *sip_tls_session(SSL_CTX *ctx, int fd, bool server, const char *peer_name)
{
	SSL *ssl = SSL_new(ctx);

	if (!ssl) {
		sip_tls_log_errors("SSL_new");
		return NULL;
	}
	if (SSL_set_fd(ssl, fd) != 1)
		goto err;
	if (server) {
		SSL_set_accept_state(ssl);
		return ssl;
	}
	SSL_set_connect_state(ssl);
	if (peer_name && *peer_name) {
		/* RFC 5922 §7.2: the certificate must name the host we meant to reach */
		if (is_ip_literal(peer_name)) {
			if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), peer_name) != 1)
				goto err;
		} else {
			if (SSL_set1_host(ssl, peer_name) != 1 || SSL_set_tlsext_host_name(ssl, peer_name) != 1)
				goto err;
		}
	}
	return ssl;
err:
	sip_tls_log_errors("TLS session set-up");
	SSL_free(ssl);
	return NULL;
}
