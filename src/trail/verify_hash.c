/*
 * verify_hash.c — inflating CloudTrail's gzip files the way the digest hashes them: only
 * the first gzip member is content, and bytes after it make the file invalid (awscli:
 * "unexpected data after end of compressed stream"), because a reader that accepts
 * concatenated members would let records be appended to a signed log file unnoticed.
 */
#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../util/util.h"
#include "trail.h"

#define TRAILING "unexpected data after end of compressed stream"

/* Called with each inflated chunk. */
typedef int (*sink_fn)(void *arg, const unsigned char *p, size_t n);

/* The compressed bytes: a buffer in memory, or a file read in chunks. */
struct gz_in {
    const unsigned char *buf; /* whole input (memory), or NULL */
    size_t len;
    FILE *f; /* or a file */
    unsigned char chunk[1 << 16];
};

static size_t gz_next(struct gz_in *in, const unsigned char **p)
{
    if (in->buf) {
        size_t n = in->len;
        *p = in->buf;
        in->buf += n;
        in->len = 0;
        return n;
    }
    *p = in->chunk;
    return in->f ? fread(in->chunk, 1, sizeof in->chunk, in->f) : 0;
}

/* 1 when anything is left after the member (the rest of the current chunk or of the file). */
static int gz_has_more(struct gz_in *in, z_stream *z)
{
    if (z->avail_in > 0)
        return 1;
    if (in->buf)
        return in->len > 0;
    return in->f && fgetc(in->f) != EOF;
}

/* Inflate one gzip member from in, feeding sink (nonzero stops). 0, or -1 with err. */
static int gz_inflate(struct gz_in *in, sink_fn sink, void *arg, char *err, size_t errlen)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
        snprintf(err, errlen, "cannot start zlib");
        return -1;
    }
    unsigned char out[1 << 16];
    int zr = Z_OK, rc = 0;
    while (zr != Z_STREAM_END) {
        if (z.avail_in == 0) {
            const unsigned char *p;
            size_t n = gz_next(in, &p);
            if (n == 0) {
                snprintf(err, errlen, "invalid format: %s",
                         z.total_in ? "truncated gzip stream" : "empty file");
                rc = -1;
                break;
            }
            z.next_in = (unsigned char *)p;
            z.avail_in = (uInt)n;
        }
        z.next_out = out;
        z.avail_out = sizeof out;
        zr = inflate(&z, Z_NO_FLUSH);
        if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR) {
            snprintf(err, errlen, "invalid format: %s", z.msg ? z.msg : "not gzip data");
            rc = -1;
            break;
        }
        if (sink(arg, out, sizeof out - z.avail_out) != 0) {
            snprintf(err, errlen, "inflated content too large");
            rc = -1;
            break;
        }
    }
    if (rc == 0 && gz_has_more(in, &z)) {
        snprintf(err, errlen, TRAILING);
        rc = -1;
    }
    inflateEnd(&z);
    return rc;
}

struct membuf {
    unsigned char *p;
    size_t len, cap, max;
};

static int mem_sink(void *arg, const unsigned char *p, size_t n)
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

int trail_gunzip(const unsigned char *in, size_t len, size_t max, unsigned char **out, size_t *outlen,
                 char *err, size_t errlen)
{
    struct gz_in *src = xcalloc(1, sizeof *src);
    struct membuf m = {xmalloc(4096), 0, 4096, max};
    src->buf = in;
    src->len = len;
    int rc = gz_inflate(src, mem_sink, &m, err, errlen);
    free(src);
    if (rc) {
        free(m.p);
        return -1;
    }
    m.p[m.len] = '\0';
    *out = m.p;
    *outlen = m.len;
    return 0;
}

static int sha_sink(void *arg, const unsigned char *p, size_t n)
{
    return EVP_DigestUpdate(arg, p, n) == 1 ? 0 : -1;
}

int trail_hash_gz_file(const char *path, char hex[65], char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s", strerror(errno));
        return -2;
    }
    struct gz_in *src = xcalloc(1, sizeof *src);
    src->f = f;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int rc = -1;
    if (ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1) {
        rc = gz_inflate(src, sha_sink, ctx, err, errlen);
        if (rc == 0 && ferror(f)) {
            snprintf(err, errlen, "read error");
            rc = -1;
        }
        unsigned char md[32];
        unsigned int mdlen = 0;
        if (rc == 0 && EVP_DigestFinal_ex(ctx, md, &mdlen) == 1) {
            static const char hx[] = "0123456789abcdef";
            for (int i = 0; i < 32; i++) {
                hex[2 * i] = hx[md[i] >> 4];
                hex[2 * i + 1] = hx[md[i] & 15];
            }
            hex[64] = '\0';
        }
    }
    EVP_MD_CTX_free(ctx);
    free(src);
    fclose(f);
    return rc;
}
