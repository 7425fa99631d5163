/*
 * verify_keys.c — CloudTrail's public keys and digest signatures: reading key files (DER
 * or PEM, PKCS#1 or SubjectPublicKeyInfo), fingerprints (MD5 of the DER, as
 * cloudtrail:ListPublicKeys gives them), the string CloudTrail signs, and the
 * RSASSA-PKCS1-v1_5 SHA-256 check.
 */
#include <ctype.h>
#include <dirent.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "trail.h"

void trail_key_fingerprint(const unsigned char *der, size_t len, char out[33])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (!EVP_Digest(der, len, md, &mdlen, EVP_md5(), NULL) || mdlen != 16) {
        out[0] = '\0';
        return;
    }
    hex_encode(md, 16, out);
}

/* The key in DER, PKCS#1 first (what ListPublicKeys returns), then SPKI. NULL if neither. */
static EVP_PKEY *pkey_from_der(const unsigned char *der, size_t len)
{
    const unsigned char *p = der;
    EVP_PKEY *k = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)len);
    if (k && p == der + len)
        return k;
    EVP_PKEY_free(k);
    p = der;
    k = d2i_PUBKEY(NULL, &p, (long)len);
    if (k && p == der + len && EVP_PKEY_get_base_id(k) == EVP_PKEY_RSA)
        return k;
    EVP_PKEY_free(k);
    ERR_clear_error(); /* the failed decodes leave entries on this thread's error queue */
    return NULL;
}

/* PEM text to DER bytes (malloc'd), or NULL when buf is not a PEM public key. */
static unsigned char *pem_to_der(const unsigned char *buf, size_t len, size_t *derlen)
{
    BIO *bio = BIO_new_mem_buf(buf, (int)len);
    char *name = NULL, *header = NULL;
    unsigned char *data = NULL, *out = NULL;
    long n = 0;
    if (bio && PEM_read_bio(bio, &name, &header, &data, &n) == 1 && n > 0 &&
        (strcmp(name, "PUBLIC KEY") == 0 || strcmp(name, "RSA PUBLIC KEY") == 0)) {
        out = xmalloc((size_t)n);
        memcpy(out, data, (size_t)n);
        *derlen = (size_t)n;
    }
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(data);
    BIO_free(bio);
    return out;
}

int trail_key_parse(const unsigned char *buf, size_t len, struct trail_key *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (len >= 10 && memmem(buf, len, "-----BEGIN", 10)) {
        out->der = pem_to_der(buf, len, &out->len);
        if (!out->der) {
            snprintf(err, errlen, "not a PEM public key (PUBLIC KEY or RSA PUBLIC KEY)");
            return -1;
        }
    } else {
        out->der = xmalloc(len ? len : 1);
        memcpy(out->der, buf, len);
        out->len = len;
    }
    EVP_PKEY *k = pkey_from_der(out->der, out->len);
    if (!k) {
        snprintf(err, errlen, "not an RSA public key (PKCS #1 or SubjectPublicKeyInfo DER)");
        free(out->der);
        memset(out, 0, sizeof *out);
        return -1;
    }
    EVP_PKEY_free(k);
    trail_key_fingerprint(out->der, out->len, out->fingerprint);
    return 0;
}

/* MD5 of the key re-encoded as PKCS#1 RSAPublicKey ("" when it cannot be). */
static void pkcs1_fingerprint(const struct trail_key *k, char out[33])
{
    out[0] = '\0';
    EVP_PKEY *pk = pkey_from_der(k->der, k->len);
    unsigned char *der = NULL;
    int n = pk ? i2d_PublicKey(pk, &der) : -1;
    if (n > 0)
        trail_key_fingerprint(der, (size_t)n, out);
    OPENSSL_free(der);
    EVP_PKEY_free(pk);
}

int trail_key_matches(const struct trail_key *k, const char *fp)
{
    char own[33];
    if (!fp || strlen(fp) != 32)
        return 0;
    if (k->fingerprint[0] && strcasecmp(k->fingerprint, fp) == 0)
        return 1;
    trail_key_fingerprint(k->der, k->len, own);
    if (strcasecmp(own, fp) == 0)
        return 1;
    pkcs1_fingerprint(k, own);
    return own[0] && strcasecmp(own, fp) == 0;
}

static int is_fingerprint(const char *s, size_t n)
{
    if (n != 32)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isxdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

/* Load dir/name into k; the name's stem, when a fingerprint, must be the key's. */
static int load_key_file(const char *dir, const char *name, size_t stem, struct trail_key *k, char *err,
                         size_t errlen)
{
    char *path = xasprintf("%s/%s", dir, name), e[ERRLEN];
    size_t len = 0;
    char *buf = file_read(path, &len, e, sizeof e);
    int rc = -1;
    if (!buf)
        snprintf(err, errlen, "%s", e);
    else if (trail_key_parse((unsigned char *)buf, len, k, e, sizeof e))
        snprintf(err, errlen, "%s: %s", path, e);
    else if (is_fingerprint(name, stem)) {
        char want[33];
        memcpy(want, name, 32);
        want[32] = '\0';
        for (char *c = want; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        if (trail_key_matches(k, want)) {
            memcpy(k->fingerprint, want, sizeof want);
            rc = 0;
        } else {
            snprintf(err, errlen, "%s: the key's fingerprint is %s, not the one in its name", path,
                     k->fingerprint);
            free(k->der);
        }
    } else
        rc = 0;
    free(buf);
    free(path);
    return rc;
}

static int cmp_key(const void *a, const void *b)
{
    return strcmp(((const struct trail_key *)a)->fingerprint, ((const struct trail_key *)b)->fingerprint);
}

int trail_keys_load_dir(const char *dir, struct trail_key **keys, size_t *n, char *err, size_t errlen)
{
    *keys = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, errlen, "%s: cannot open the public-key directory", dir);
        return -1;
    }
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 5 || (strcmp(e->d_name + len - 4, ".der") && strcmp(e->d_name + len - 4, ".pem")))
            continue;
        *keys = xrealloc(*keys, (*n + 1) * sizeof **keys);
        if (load_key_file(dir, e->d_name, len - 4, &(*keys)[*n], err, errlen))
            rc = -1;
        else
            (*n)++;
    }
    closedir(d);
    if (rc == 0 && *n == 0) {
        snprintf(err, errlen, "%s: no <fingerprint>.der or <fingerprint>.pem key file", dir);
        rc = -1;
    }
    if (rc) {
        trail_keys_free(*keys, *n);
        *keys = NULL;
        *n = 0;
        return -1;
    }
    qsort(*keys, *n, sizeof **keys, cmp_key);
    return 0;
}

void trail_keys_free(struct trail_key *keys, size_t n)
{
    for (size_t i = 0; keys && i < n; i++)
        free(keys[i].der);
    free(keys);
}

char *trail_string_to_sign(const char *end_time, const char *bucket, const char *object,
                           const char *sha256_hex, const char *prev_sig)
{
    return xasprintf("%s\n%s/%s\n%s\n%s", end_time, bucket, object, sha256_hex, prev_sig ? prev_sig : "null");
}

static int unhex(const char *s, unsigned char **out, size_t *n)
{
    size_t len = strlen(s);
    if (len == 0 || len % 2)
        return -1;
    *out = xmalloc(len / 2);
    for (size_t i = 0; i < len; i += 2) {
        if (!isxdigit((unsigned char)s[i]) || !isxdigit((unsigned char)s[i + 1])) {
            free(*out);
            return -1;
        }
        char pair[3] = {s[i], s[i + 1], '\0'};
        (*out)[i / 2] = (unsigned char)strtoul(pair, NULL, 16);
    }
    *n = len / 2;
    return 0;
}

int trail_signature_verify(const struct trail_key *k, const char *msg, size_t len, const char *sig_hex,
                           char *err, size_t errlen)
{
    EVP_PKEY *pk = pkey_from_der(k->der, k->len);
    if (!pk) {
        snprintf(err, errlen, "unable to load the public key with fingerprint %s", k->fingerprint);
        return -1;
    }
    unsigned char *sig = NULL;
    size_t siglen = 0;
    int ok = 0;
    if (unhex(sig_hex, &sig, &siglen) == 0) {
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        ok = ctx && EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, pk) == 1 &&
             EVP_DigestVerify(ctx, sig, siglen, (const unsigned char *)msg, len) == 1;
        EVP_MD_CTX_free(ctx);
        free(sig);
    }
    EVP_PKEY_free(pk);
    return ok;
}
