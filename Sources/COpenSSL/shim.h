#ifndef CACHECTL_COPENSSL_SHIM_H
#define CACHECTL_COPENSSL_SHIM_H
// OpenSSL 3 is loaded with dlopen the first time a TLS connection is opened, not linked: linking
// libssl and libcrypto doubled the start-up of every command (dynamic relocations of libcrypto),
// TLS or not. The headers give the types and constants; each function used is reached through
// the table below as cachectl_NAME. Calling an OpenSSL function directly fails to link, on purpose.
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <arpa/inet.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

typedef void (*cachectl_message_callback)(int, int, int, const void *, size_t, SSL *, void *);

struct cachectl_openssl_functions {
    const SSL_METHOD *(*TLS_client_method)(void);
    SSL_CTX *(*SSL_CTX_new)(const SSL_METHOD *method);
    long (*SSL_CTX_ctrl)(SSL_CTX *ctx, int cmd, long larg, void *parg);
    void (*SSL_CTX_set_verify)(SSL_CTX *ctx, int mode, SSL_verify_cb callback);
    int (*SSL_CTX_load_verify_locations)(SSL_CTX *ctx, const char *file, const char *directory);
    int (*SSL_CTX_set_default_verify_paths)(SSL_CTX *ctx);
    int (*SSL_CTX_use_certificate_chain_file)(SSL_CTX *ctx, const char *file);
    int (*SSL_CTX_use_PrivateKey_file)(SSL_CTX *ctx, const char *file, int type);
    int (*SSL_CTX_check_private_key)(const SSL_CTX *ctx);
    void (*SSL_CTX_free)(SSL_CTX *ctx);
    unsigned long (*ERR_get_error)(void);
    void (*ERR_clear_error)(void);
    const char *(*ERR_reason_error_string)(unsigned long code);
    void (*ERR_error_string_n)(unsigned long code, char *buffer, size_t length);
    SSL *(*SSL_new)(SSL_CTX *ctx);
    BIO *(*BIO_new)(const BIO_METHOD *type);
    const BIO_METHOD *(*BIO_s_mem)(void);
    void (*SSL_set_bio)(SSL *ssl, BIO *input, BIO *output);
    void (*SSL_set_connect_state)(SSL *ssl);
    long (*SSL_ctrl)(SSL *ssl, int cmd, long larg, void *parg);
    X509_VERIFY_PARAM *(*SSL_get0_param)(SSL *ssl);
    int (*X509_VERIFY_PARAM_set1_ip_asc)(X509_VERIFY_PARAM *param, const char *address);
    void (*X509_VERIFY_PARAM_set_hostflags)(X509_VERIFY_PARAM *param, unsigned int flags);
    int (*X509_VERIFY_PARAM_set1_host)(X509_VERIFY_PARAM *param, const char *name, size_t length);
    int (*SSL_is_init_finished)(const SSL *ssl);
    int (*SSL_shutdown)(SSL *ssl);
    void (*SSL_free)(SSL *ssl);
    int (*SSL_write)(SSL *ssl, const void *buffer, int count);
    int (*SSL_get_error)(const SSL *ssl, int status);
    int (*SSL_read)(SSL *ssl, void *buffer, int count);
    int (*SSL_peek)(SSL *ssl, void *buffer, int count);
    int (*SSL_do_handshake)(SSL *ssl);
    size_t (*BIO_ctrl_pending)(BIO *bio);
    int (*BIO_read)(BIO *bio, void *buffer, int count);
    int (*BIO_write)(BIO *bio, const void *buffer, int count);
    long (*SSL_get_verify_result)(const SSL *ssl);
    const char *(*X509_verify_cert_error_string)(long code);
    int (*SSL_version)(const SSL *ssl);
    void (*SSL_set_msg_callback)(SSL *ssl, cachectl_message_callback callback);
    struct stack_st_X509 *(*SSL_get_peer_cert_chain)(const SSL *ssl);
    int (*OPENSSL_sk_num)(const OPENSSL_STACK *stack);
    void *(*OPENSSL_sk_value)(const OPENSSL_STACK *stack, int index);
    int (*X509_up_ref)(X509 *certificate);
    X509 *(*SSL_get1_peer_certificate)(const SSL *ssl);
    void *(*X509_get_ext_d2i)(const X509 *certificate, int nid, int *critical, int *index);
    int (*ASN1_STRING_length)(const ASN1_STRING *string);
    const unsigned char *(*ASN1_STRING_get0_data)(const ASN1_STRING *string);
    void (*GENERAL_NAMES_free)(GENERAL_NAMES *names);
    int (*X509_NAME_get_text_by_NID)(const X509_NAME *name, int nid, char *buffer, int length);
    X509_NAME *(*X509_get_subject_name)(const X509 *certificate);
    void (*X509_free)(X509 *certificate);
};

// The process's OpenSSL state. A static local rather than a static global: Swift emits the
// header's inline functions, with their static locals, but not its global variables.
struct cachectl_openssl_state {
    struct cachectl_openssl_functions functions;
    const char *error;
    char error_text[512];
    pthread_once_t once;
};

static inline struct cachectl_openssl_state *cachectl_openssl_state(void) {
    static struct cachectl_openssl_state state = {.once = PTHREAD_ONCE_INIT};
    return &state;
}

#define cachectl_openssl (cachectl_openssl_state()->functions)

static void cachectl_openssl_load_once(void) {
    struct cachectl_openssl_state *state = cachectl_openssl_state();
    void *ssl = dlopen("libssl.so.3", RTLD_LAZY | RTLD_LOCAL);
    void *crypto = ssl ? dlopen("libcrypto.so.3", RTLD_LAZY | RTLD_LOCAL) : NULL;
    if (ssl == NULL || crypto == NULL) {
        snprintf(state->error_text, sizeof(state->error_text), "%s", dlerror());
        state->error = state->error_text;
        return;
    }
#define CACHECTL_OPENSSL_LOAD(name)                                                                 \
    do {                                                                                            \
        void *symbol = dlsym(ssl, #name);                                                           \
        if (symbol == NULL) symbol = dlsym(crypto, #name);                                          \
        if (symbol == NULL) {                                                                       \
            state->error = "libssl.so.3 or libcrypto.so.3 lacks " #name;                           \
            return;                                                                                 \
        }                                                                                           \
        memcpy(&state->functions.name, &symbol, sizeof(symbol));                                    \
    } while (0)
    CACHECTL_OPENSSL_LOAD(TLS_client_method);
    CACHECTL_OPENSSL_LOAD(SSL_CTX_new);
    CACHECTL_OPENSSL_LOAD(SSL_CTX_ctrl);
    CACHECTL_OPENSSL_LOAD(SSL_CTX_set_verify);
    CACHECTL_OPENSSL_LOAD(SSL_CTX_load_verify_locations);
    CACHECTL_OPENSSL_LOAD(SSL_CTX_set_default_verify_paths);
    CACHECTL_OPENSSL_LOAD(SSL_CTX_use_certificate_chain_file);
    CACHECTL_OPENSSL_LOAD(SSL_CTX_use_PrivateKey_file);
    CACHECTL_OPENSSL_LOAD(SSL_CTX_check_private_key);
    CACHECTL_OPENSSL_LOAD(SSL_CTX_free);
    CACHECTL_OPENSSL_LOAD(ERR_get_error);
    CACHECTL_OPENSSL_LOAD(ERR_clear_error);
    CACHECTL_OPENSSL_LOAD(ERR_reason_error_string);
    CACHECTL_OPENSSL_LOAD(ERR_error_string_n);
    CACHECTL_OPENSSL_LOAD(SSL_new);
    CACHECTL_OPENSSL_LOAD(BIO_new);
    CACHECTL_OPENSSL_LOAD(BIO_s_mem);
    CACHECTL_OPENSSL_LOAD(SSL_set_bio);
    CACHECTL_OPENSSL_LOAD(SSL_set_connect_state);
    CACHECTL_OPENSSL_LOAD(SSL_ctrl);
    CACHECTL_OPENSSL_LOAD(SSL_get0_param);
    CACHECTL_OPENSSL_LOAD(X509_VERIFY_PARAM_set1_ip_asc);
    CACHECTL_OPENSSL_LOAD(X509_VERIFY_PARAM_set_hostflags);
    CACHECTL_OPENSSL_LOAD(X509_VERIFY_PARAM_set1_host);
    CACHECTL_OPENSSL_LOAD(SSL_is_init_finished);
    CACHECTL_OPENSSL_LOAD(SSL_shutdown);
    CACHECTL_OPENSSL_LOAD(SSL_free);
    CACHECTL_OPENSSL_LOAD(SSL_write);
    CACHECTL_OPENSSL_LOAD(SSL_get_error);
    CACHECTL_OPENSSL_LOAD(SSL_read);
    CACHECTL_OPENSSL_LOAD(SSL_peek);
    CACHECTL_OPENSSL_LOAD(SSL_do_handshake);
    CACHECTL_OPENSSL_LOAD(BIO_ctrl_pending);
    CACHECTL_OPENSSL_LOAD(BIO_read);
    CACHECTL_OPENSSL_LOAD(BIO_write);
    CACHECTL_OPENSSL_LOAD(SSL_get_verify_result);
    CACHECTL_OPENSSL_LOAD(X509_verify_cert_error_string);
    CACHECTL_OPENSSL_LOAD(SSL_version);
    CACHECTL_OPENSSL_LOAD(SSL_set_msg_callback);
    CACHECTL_OPENSSL_LOAD(SSL_get_peer_cert_chain);
    CACHECTL_OPENSSL_LOAD(OPENSSL_sk_num);
    CACHECTL_OPENSSL_LOAD(OPENSSL_sk_value);
    CACHECTL_OPENSSL_LOAD(X509_up_ref);
    CACHECTL_OPENSSL_LOAD(SSL_get1_peer_certificate);
    CACHECTL_OPENSSL_LOAD(X509_get_ext_d2i);
    CACHECTL_OPENSSL_LOAD(ASN1_STRING_length);
    CACHECTL_OPENSSL_LOAD(ASN1_STRING_get0_data);
    CACHECTL_OPENSSL_LOAD(GENERAL_NAMES_free);
    CACHECTL_OPENSSL_LOAD(X509_NAME_get_text_by_NID);
    CACHECTL_OPENSSL_LOAD(X509_get_subject_name);
    CACHECTL_OPENSSL_LOAD(X509_free);
#undef CACHECTL_OPENSSL_LOAD
}

// Loads OpenSSL once per process; NULL when it is ready, else why it is not.
static inline const char *cachectl_openssl_load(void) {
    struct cachectl_openssl_state *state = cachectl_openssl_state();
    pthread_once(&state->once, cachectl_openssl_load_once);
    return state->error;
}

static inline const SSL_METHOD *cachectl_TLS_client_method(void) { return (cachectl_openssl.TLS_client_method)(); }
static inline SSL_CTX *cachectl_SSL_CTX_new(const SSL_METHOD *method) { return (cachectl_openssl.SSL_CTX_new)(method); }
static inline long cachectl_SSL_CTX_ctrl(SSL_CTX *ctx, int cmd, long larg, void *parg) { return (cachectl_openssl.SSL_CTX_ctrl)(ctx, cmd, larg, parg); }
static inline void cachectl_SSL_CTX_set_verify(SSL_CTX *ctx, int mode, SSL_verify_cb callback) { (cachectl_openssl.SSL_CTX_set_verify)(ctx, mode, callback); }
static inline int cachectl_SSL_CTX_load_verify_locations(SSL_CTX *ctx, const char *file, const char *directory) { return (cachectl_openssl.SSL_CTX_load_verify_locations)(ctx, file, directory); }
static inline int cachectl_SSL_CTX_set_default_verify_paths(SSL_CTX *ctx) { return (cachectl_openssl.SSL_CTX_set_default_verify_paths)(ctx); }
static inline int cachectl_SSL_CTX_use_certificate_chain_file(SSL_CTX *ctx, const char *file) { return (cachectl_openssl.SSL_CTX_use_certificate_chain_file)(ctx, file); }
static inline int cachectl_SSL_CTX_use_PrivateKey_file(SSL_CTX *ctx, const char *file, int type) { return (cachectl_openssl.SSL_CTX_use_PrivateKey_file)(ctx, file, type); }
static inline int cachectl_SSL_CTX_check_private_key(const SSL_CTX *ctx) { return (cachectl_openssl.SSL_CTX_check_private_key)(ctx); }
static inline void cachectl_SSL_CTX_free(SSL_CTX *ctx) { (cachectl_openssl.SSL_CTX_free)(ctx); }
static inline unsigned long cachectl_ERR_get_error(void) { return (cachectl_openssl.ERR_get_error)(); }
static inline void cachectl_ERR_clear_error(void) { (cachectl_openssl.ERR_clear_error)(); }
static inline const char *cachectl_ERR_reason_error_string(unsigned long code) { return (cachectl_openssl.ERR_reason_error_string)(code); }
static inline void cachectl_ERR_error_string_n(unsigned long code, char *buffer, size_t length) { (cachectl_openssl.ERR_error_string_n)(code, buffer, length); }
static inline SSL *cachectl_SSL_new(SSL_CTX *ctx) { return (cachectl_openssl.SSL_new)(ctx); }
static inline BIO *cachectl_BIO_new(const BIO_METHOD *type) { return (cachectl_openssl.BIO_new)(type); }
static inline const BIO_METHOD *cachectl_BIO_s_mem(void) { return (cachectl_openssl.BIO_s_mem)(); }
static inline void cachectl_SSL_set_bio(SSL *ssl, BIO *input, BIO *output) { (cachectl_openssl.SSL_set_bio)(ssl, input, output); }
static inline void cachectl_SSL_set_connect_state(SSL *ssl) { (cachectl_openssl.SSL_set_connect_state)(ssl); }
static inline long cachectl_SSL_ctrl(SSL *ssl, int cmd, long larg, void *parg) { return (cachectl_openssl.SSL_ctrl)(ssl, cmd, larg, parg); }
static inline X509_VERIFY_PARAM *cachectl_SSL_get0_param(SSL *ssl) { return (cachectl_openssl.SSL_get0_param)(ssl); }
static inline int cachectl_X509_VERIFY_PARAM_set1_ip_asc(X509_VERIFY_PARAM *param, const char *address) { return (cachectl_openssl.X509_VERIFY_PARAM_set1_ip_asc)(param, address); }
static inline void cachectl_X509_VERIFY_PARAM_set_hostflags(X509_VERIFY_PARAM *param, unsigned int flags) { (cachectl_openssl.X509_VERIFY_PARAM_set_hostflags)(param, flags); }
static inline int cachectl_X509_VERIFY_PARAM_set1_host(X509_VERIFY_PARAM *param, const char *name, size_t length) { return (cachectl_openssl.X509_VERIFY_PARAM_set1_host)(param, name, length); }
static inline int cachectl_SSL_is_init_finished(const SSL *ssl) { return (cachectl_openssl.SSL_is_init_finished)(ssl); }
static inline int cachectl_SSL_shutdown(SSL *ssl) { return (cachectl_openssl.SSL_shutdown)(ssl); }
static inline void cachectl_SSL_free(SSL *ssl) { (cachectl_openssl.SSL_free)(ssl); }
static inline int cachectl_SSL_write(SSL *ssl, const void *buffer, int count) { return (cachectl_openssl.SSL_write)(ssl, buffer, count); }
static inline int cachectl_SSL_get_error(const SSL *ssl, int status) { return (cachectl_openssl.SSL_get_error)(ssl, status); }
static inline int cachectl_SSL_read(SSL *ssl, void *buffer, int count) { return (cachectl_openssl.SSL_read)(ssl, buffer, count); }
static inline int cachectl_SSL_peek(SSL *ssl, void *buffer, int count) { return (cachectl_openssl.SSL_peek)(ssl, buffer, count); }
static inline int cachectl_SSL_do_handshake(SSL *ssl) { return (cachectl_openssl.SSL_do_handshake)(ssl); }
static inline size_t cachectl_BIO_ctrl_pending(BIO *bio) { return (cachectl_openssl.BIO_ctrl_pending)(bio); }
static inline int cachectl_BIO_read(BIO *bio, void *buffer, int count) { return (cachectl_openssl.BIO_read)(bio, buffer, count); }
static inline int cachectl_BIO_write(BIO *bio, const void *buffer, int count) { return (cachectl_openssl.BIO_write)(bio, buffer, count); }
static inline long cachectl_SSL_get_verify_result(const SSL *ssl) { return (cachectl_openssl.SSL_get_verify_result)(ssl); }
static inline const char *cachectl_X509_verify_cert_error_string(long code) { return (cachectl_openssl.X509_verify_cert_error_string)(code); }
static inline int cachectl_SSL_version(const SSL *ssl) { return (cachectl_openssl.SSL_version)(ssl); }
static inline void cachectl_SSL_set_msg_callback(SSL *ssl, cachectl_message_callback callback) { (cachectl_openssl.SSL_set_msg_callback)(ssl, callback); }
static inline struct stack_st_X509 *cachectl_SSL_get_peer_cert_chain(const SSL *ssl) { return (cachectl_openssl.SSL_get_peer_cert_chain)(ssl); }
static inline int cachectl_OPENSSL_sk_num(const OPENSSL_STACK *stack) { return (cachectl_openssl.OPENSSL_sk_num)(stack); }
static inline void *cachectl_OPENSSL_sk_value(const OPENSSL_STACK *stack, int index) { return (cachectl_openssl.OPENSSL_sk_value)(stack, index); }
static inline int cachectl_X509_up_ref(X509 *certificate) { return (cachectl_openssl.X509_up_ref)(certificate); }
static inline X509 *cachectl_SSL_get1_peer_certificate(const SSL *ssl) { return (cachectl_openssl.SSL_get1_peer_certificate)(ssl); }
static inline void *cachectl_X509_get_ext_d2i(const X509 *certificate, int nid, int *critical, int *index) { return (cachectl_openssl.X509_get_ext_d2i)(certificate, nid, critical, index); }
static inline int cachectl_ASN1_STRING_length(const ASN1_STRING *string) { return (cachectl_openssl.ASN1_STRING_length)(string); }
static inline const unsigned char *cachectl_ASN1_STRING_get0_data(const ASN1_STRING *string) { return (cachectl_openssl.ASN1_STRING_get0_data)(string); }
static inline void cachectl_GENERAL_NAMES_free(GENERAL_NAMES *names) { (cachectl_openssl.GENERAL_NAMES_free)(names); }
static inline int cachectl_X509_NAME_get_text_by_NID(const X509_NAME *name, int nid, char *buffer, int length) { return (cachectl_openssl.X509_NAME_get_text_by_NID)(name, nid, buffer, length); }
static inline X509_NAME *cachectl_X509_get_subject_name(const X509 *certificate) { return (cachectl_openssl.X509_get_subject_name)(certificate); }
static inline void cachectl_X509_free(X509 *certificate) { (cachectl_openssl.X509_free)(certificate); }

// SSL_CTX_set_min_proto_version is a macro over SSL_CTX_ctrl.
static inline int cachectl_ssl_ctx_require_tls12(SSL_CTX *ctx) {
    return (int)cachectl_SSL_CTX_ctrl(ctx, SSL_CTRL_SET_MIN_PROTO_VERSION, TLS1_2_VERSION, NULL);
}

// SSL_set_tlsext_host_name is a macro over SSL_ctrl.
static inline int cachectl_ssl_set_server_name(SSL *ssl, const char *name) {
    return (int)cachectl_SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, (void *)name);
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
    cachectl_SSL_set_msg_callback(ssl, cachectl_note_certificate_request);
    cachectl_SSL_ctrl(ssl, SSL_CTRL_SET_MSG_CALLBACK_ARG, 0, flag);
}

// The DNS names and IP addresses of the peer certificate's subjectAltName (its common name when
// it has none), comma separated, for a host-mismatch message. The stack macros are not importable.
// The chain is read rather than the peer certificate, which is only kept when verification passed.
static inline void cachectl_peer_names(const SSL *ssl, char *out, size_t size) {
    if (size == 0) return;
    out[0] = 0;
    const OPENSSL_STACK *chain = (const OPENSSL_STACK *)cachectl_SSL_get_peer_cert_chain(ssl);
    X509 *cert = NULL;
    if (chain != NULL && cachectl_OPENSSL_sk_num(chain) > 0) {
        cert = (X509 *)cachectl_OPENSSL_sk_value(chain, 0);
        cachectl_X509_up_ref(cert);
    } else {
        cert = cachectl_SSL_get1_peer_certificate(ssl);
    }
    if (cert == NULL) return;
    size_t used = 0;
    GENERAL_NAMES *names = cachectl_X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
    if (names != NULL) {
        for (int i = 0; i < cachectl_OPENSSL_sk_num((const OPENSSL_STACK *)names); i++) {
            const GENERAL_NAME *name = cachectl_OPENSSL_sk_value((const OPENSSL_STACK *)names, i);
            char text[INET6_ADDRSTRLEN + 1] = {0};
            if (name->type == GEN_DNS) {
                int length = cachectl_ASN1_STRING_length(name->d.dNSName);
                if (length <= 0 || (size_t)length >= sizeof(text)) continue;
                memcpy(text, cachectl_ASN1_STRING_get0_data(name->d.dNSName), (size_t)length);
            } else if (name->type == GEN_IPADD) {
                int length = cachectl_ASN1_STRING_length(name->d.iPAddress);
                const unsigned char *bytes = cachectl_ASN1_STRING_get0_data(name->d.iPAddress);
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
        cachectl_GENERAL_NAMES_free(names);
    }
    if (used == 0) {
        cachectl_X509_NAME_get_text_by_NID(cachectl_X509_get_subject_name(cert), NID_commonName, out, (int)size);
    }
    cachectl_X509_free(cert);
}
#endif
