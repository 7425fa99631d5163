/*
 * verify_hash.c — reading CloudTrail's gzip files the way the digest hashes them, through
 * the module's byte source (source.c): only the first gzip member is content, and bytes
 * after it make the file invalid (awscli: "unexpected data after end of compressed
 * stream"), because a reader that accepted concatenated members would let records be
 * appended to a signed log file unnoticed. Messages use awscli's words.
 */
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "trail.h"

#define TRAILING "unexpected data after end of compressed stream"

/* Called with each inflated chunk; nonzero stops with "inflated content too large". */
typedef int (*sink_fn)(void *arg, const char *p, size_t n);

/* Inflate path's first gzip member into sink. 0; -1 with err; -2 when it cannot be opened. */
static int gz_each(const char *path, sink_fn sink, void *arg, char *err, size_t errlen)
{
    char e[ERRLEN];
    struct trail_src *s = trail_src_open(path, e, sizeof e);
    if (!s) {
        snprintf(err, errlen, "%s", e);
        return -2;
    }
    int rc = 0;
    if (!trail_src_is_gzip(s)) {
        snprintf(err, errlen, "invalid format: not gzip data");
        trail_src_close(s);
        return -1;
    }
    char *buf = xmalloc(1 << 16);
    for (;;) {
        long n = trail_src_read(s, buf, 1 << 16, e, sizeof e);
        if (n == 0)
            break;
        if (n < 0) {
            switch (trail_src_fault(s)) {
            case TRAIL_SRC_TRAILING: snprintf(err, errlen, TRAILING); break;
            case TRAIL_SRC_TRUNCATED: snprintf(err, errlen, "invalid format: truncated gzip stream"); break;
            case TRAIL_SRC_CORRUPT: snprintf(err, errlen, "invalid format: corrupt gzip data"); break;
            default: snprintf(err, errlen, "%s", e); break;
            }
            rc = -1;
            break;
        }
        if (sink(arg, buf, (size_t)n) != 0) {
            snprintf(err, errlen, "inflated content too large");
            rc = -1;
            break;
        }
    }
    free(buf);
    trail_src_close(s);
    return rc;
}

struct membuf {
    char *p;
    size_t len, cap, max;
};

static int mem_sink(void *arg, const char *p, size_t n)
{
    struct membuf *m = arg;
    if (m->len + n > m->max)
        return -1;
    if (m->len + n + 1 > m->cap) {
        m->cap = (m->len + n + 1) * 2;
        m->p = xrealloc(m->p, m->cap);
    }
    memcpy(m->p + m->len, p, n);
    m->len += n;
    return 0;
}

int trail_gunzip_file(const char *path, size_t max, char **out, size_t *outlen, char *err, size_t errlen)
{
    struct membuf m = {xmalloc(4096), 0, 4096, max};
    int rc = gz_each(path, mem_sink, &m, err, errlen);
    if (rc) {
        free(m.p);
        return rc;
    }
    m.p[m.len] = '\0';
    *out = m.p;
    *outlen = m.len;
    return 0;
}

static int sha_sink(void *arg, const char *p, size_t n) { return EVP_DigestUpdate(arg, p, n) == 1 ? 0 : -1; }

int trail_hash_gz_file(const char *path, char hex[65], char *err, size_t errlen)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int rc = -1;
    if (ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1) {
        rc = gz_each(path, sha_sink, ctx, err, errlen);
        unsigned char md[32];
        unsigned int mdlen = 0;
        if (rc == 0 && EVP_DigestFinal_ex(ctx, md, &mdlen) == 1)
            hex_encode(md, sizeof md, hex);
    }
    EVP_MD_CTX_free(ctx);
    return rc;
}
