#ifndef CACHECTL_COPENSSL_SHIM_H
#define CACHECTL_COPENSSL_SHIM_H
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

// SSL_CTX_set_min_proto_version is a macro over SSL_CTX_ctrl.
static inline int cachectl_ssl_ctx_require_tls12(SSL_CTX *ctx) {
    return (int)SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
}

// SSL_set_tlsext_host_name is a macro over SSL_ctrl.
static inline int cachectl_ssl_set_server_name(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}

// Records in *flag whether the server sent a CertificateRequest: in TLS 1.3 its verdict on our
// certificate (or on our lack of one) comes after the handshake, and is worth waiting for.
static void cachectl_note_certificate_request(int write_p, int version, int content_type, const void *buf, size_t len,
                                              SSL *ssl, void *flag) {
    (void)version;
    (void)ssl;
    if (!write_p && content_type == SSL3_RT_HANDSHAKE && len > 0
        && ((const unsigned char *)buf)[0] == SSL3_MT_CERTIFICATE_REQUEST) {
        *(int *)flag = 1;
    }
}

// SSL_set_msg_callback_arg is a macro over SSL_ctrl.
static inline void cachectl_watch_certificate_request(SSL *ssl, int *flag) {
    SSL_set_msg_callback(ssl, cachectl_note_certificate_request);
    SSL_set_msg_callback_arg(ssl, flag);
}

// The DNS names and IP addresses of the peer certificate's subjectAltName (its common name when
// it has none), comma separated, for a host-mismatch message. The stack macros are not importable.
// The chain is read rather than the peer certificate, which is only kept when verification passed.
static inline void cachectl_peer_names(const SSL *ssl, char *out, size_t size) {
    if (size == 0) return;
    out[0] = 0;
    STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);
    X509 *cert = NULL;
    if (chain != NULL && sk_X509_num(chain) > 0) {
        cert = sk_X509_value(chain, 0);
        X509_up_ref(cert);
    } else {
        cert = SSL_get1_peer_certificate(ssl);
    }
    if (cert == NULL) return;
    size_t used = 0;
    GENERAL_NAMES *names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
    if (names != NULL) {
        for (int i = 0; i < sk_GENERAL_NAME_num(names); i++) {
            const GENERAL_NAME *name = sk_GENERAL_NAME_value(names, i);
            char text[INET6_ADDRSTRLEN + 1] = {0};
            if (name->type == GEN_DNS) {
                int length = ASN1_STRING_length(name->d.dNSName);
                if (length <= 0 || (size_t)length >= sizeof(text)) continue;
                memcpy(text, ASN1_STRING_get0_data(name->d.dNSName), (size_t)length);
            } else if (name->type == GEN_IPADD) {
                int length = ASN1_STRING_length(name->d.iPAddress);
                const unsigned char *bytes = ASN1_STRING_get0_data(name->d.iPAddress);
                if (length == 4) inet_ntop(AF_INET, bytes, text, sizeof(text));
                else if (length == 16) inet_ntop(AF_INET6, bytes, text, sizeof(text));
                else continue;
            } else {
                continue;
            }
            int written = snprintf(out + used, size - used, "%s%s", used ? ", " : "", text);
            if (written < 0 || (size_t)written >= size - used) break;
            used += (size_t)written;
        }
        GENERAL_NAMES_free(names);
    }
    if (used == 0) {
        X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, out, (int)size);
    }
    X509_free(cert);
}
#endif
