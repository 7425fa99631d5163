/*
 * sigv4.c — AWS Signature Version 4: canonical request, string to sign, signing key and
 * signature, in the Authorization header or in the query string (presigned).
 *
 * The rules (docs.aws.amazon.com, "Create a signed AWS API request"), checked against the
 * aws-c-auth test vectors in ../shared/testdata/sigv4 by tests/unit/test_sigv4.c:
 *  - path: optionally normalised (dot segments and empty segments removed, a trailing '/'
 *    kept), then URI-encoded again for every service but S3;
 *  - query: each name and value %-decoded then re-encoded (RFC 3986), sorted by name then
 *    value; a name without '=' gets an empty value;
 *  - headers: names lowercased, values trimmed with inner whitespace runs (including folded
 *    lines) collapsed to one space, repeated names joined with ',' in request order;
 *  - payload: hex SHA-256 of the body.
 * Hashing and HMAC come from OpenSSL.
 */
#include <ctype.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "aws.h"

/* ---- encoding and hashing ---- */

static int unreserved(unsigned char c) { return isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~'; }

char *aws_uri_encode(const char *s, size_t len, int keep_slash)
{
    struct strbuf sb;
    sb_init(&sb);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (unreserved(c) || (keep_slash && c == '/'))
            sb_putc(&sb, (char)c);
        else
            sb_printf(&sb, "%%%02X", c);
    }
    return sb_detach(&sb);
}

char *aws_uri_decode(const char *s, size_t len, size_t *outlen)
{
    char *out = xmalloc(len + 1);
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        int hi, lo;
        if (s[i] == '%' && i + 2 < len && (hi = hex_digit(s[i + 1])) >= 0 &&
            (lo = hex_digit(s[i + 2])) >= 0) {
            out[n++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[n++] = s[i];
        }
    }
    out[n] = '\0';
    *outlen = n;
    return out;
}

static void sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256(data ? data : (const void *)"", len, md);
    hex_encode(md, sizeof md, out);
}

static void hmac(const unsigned char *key, size_t keylen, const char *msg, unsigned char out[32])
{
    unsigned int n = 32;
    HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)msg, strlen(msg), out, &n);
}

/* ---- canonical path ---- */

/* Remove "." and ".." segments and empty segments; keep a trailing '/'. */
static char *normalize_path(const char *path)
{
    size_t len = strlen(path);
    const char **seg = xcalloc(len + 1, sizeof *seg);
    size_t *seglen = xcalloc(len + 1, sizeof *seglen);
    size_t n = 0;
    for (const char *p = path; *p;) {
        while (*p == '/')
            p++;
        const char *start = p;
        while (*p && *p != '/')
            p++;
        size_t l = (size_t)(p - start);
        if (l == 0 || (l == 1 && start[0] == '.'))
            continue;
        if (l == 2 && start[0] == '.' && start[1] == '.') {
            if (n)
                n--;
            continue;
        }
        seg[n] = start;
        seglen[n++] = l;
    }
    struct strbuf sb;
    sb_init(&sb);
    for (size_t i = 0; i < n; i++) {
        sb_putc(&sb, '/');
        sb_add(&sb, seg[i], seglen[i]);
    }
    if (n == 0 || (len > 0 && path[len - 1] == '/'))
        sb_putc(&sb, '/');
    free(seg);
    free(seglen);
    return sb_detach(&sb);
}

static char *canonical_path(const char *path, const struct aws_sign_opts *o)
{
    if (!path || !*path)
        path = "/";
    char *p = o->normalize_path ? normalize_path(path) : xstrdup(path);
    if (!o->double_encode)
        return p;
    char *enc = aws_uri_encode(p, strlen(p), 1);
    free(p);
    return enc;
}

/* ---- canonical query ---- */

struct qparam {
    char *name, *value; /* encoded */
};

static int qparam_cmp(const void *a, const void *b)
{
    const struct qparam *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->value, y->value);
}

static void qparams_add(struct qparam **v, size_t *n, const char *name, size_t nlen, const char *value,
                        size_t vlen)
{
    size_t dn, dv;
    char *n1 = aws_uri_decode(name, nlen, &dn), *v1 = aws_uri_decode(value, vlen, &dv);
    *v = xrealloc(*v, (*n + 1) * sizeof **v);
    (*v)[*n].name = aws_uri_encode(n1, dn, 0);
    (*v)[*n].value = aws_uri_encode(v1, dv, 0);
    (*n)++;
    free(n1);
    free(v1);
}

static void qparams_parse(struct qparam **v, size_t *n, const char *query)
{
    for (const char *p = query; p && *p;) {
        const char *end = strchr(p, '&');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len) {
            const char *eq = memchr(p, '=', len);
            if (eq)
                qparams_add(v, n, p, (size_t)(eq - p), eq + 1, len - (size_t)(eq - p) - 1);
            else
                qparams_add(v, n, p, len, "", 0);
        }
        p = end ? end + 1 : p + len;
    }
}

static char *qparams_join(struct qparam *v, size_t n)
{
    if (n)
        qsort(v, n, sizeof *v, qparam_cmp);
    struct strbuf sb;
    sb_init(&sb);
    for (size_t i = 0; i < n; i++)
        sb_printf(&sb, "%s%s=%s", i ? "&" : "", v[i].name, v[i].value);
    return sb_detach(&sb);
}

/* Free a string that may hold a session token or signature material. */
static void free_wiped(char *s)
{
    if (s) {
        OPENSSL_cleanse(s, strlen(s));
        free(s);
    }
}

static void qparams_free(struct qparam *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].name);
        free_wiped(v[i].value);
    }
    free(v);
}

/* ---- canonical headers ---- */

struct cheader {
    char *name;  /* lowercase */
    char *value; /* trimmed, whitespace runs collapsed */
    size_t order;
};

static int cheader_cmp(const void *a, const void *b)
{
    const struct cheader *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->order > y->order) - (x->order < y->order);
}

static char *canonical_value(const char *v)
{
    struct strbuf sb;
    sb_init(&sb);
    int space = 0;
    for (; v && *v; v++) {
        if (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n') {
            space = sb.len > 0;
            continue;
        }
        if (space)
            sb_putc(&sb, ' ');
        space = 0;
        sb_putc(&sb, *v);
    }
    return sb_detach(&sb);
}

struct hset {
    struct cheader *v;
    size_t n;
};

static int hset_add(struct hset *h, const char *name, const char *value, char *err, size_t errlen)
{
    if (!name || !*name) {
        snprintf(err, errlen, "sigv4: a header has no name");
        return -1;
    }
    h->v = xrealloc(h->v, (h->n + 1) * sizeof *h->v);
    char *lower = xstrdup(name);
    for (char *p = lower; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    h->v[h->n] = (struct cheader){lower, canonical_value(value), h->n};
    h->n++;
    return 0;
}

/* Sorted canonical header block ("name:v1,v2\n"...) and the signed-headers list. */
static void hset_render(struct hset *h, char **block, char **names)
{
    if (h->n)
        qsort(h->v, h->n, sizeof *h->v, cheader_cmp);
    struct strbuf b, s;
    sb_init(&b);
    sb_init(&s);
    for (size_t i = 0; i < h->n; i++) {
        int first = i == 0 || strcmp(h->v[i].name, h->v[i - 1].name) != 0;
        if (first) {
            if (i)
                sb_putc(&b, '\n');
            sb_printf(&b, "%s:%s", h->v[i].name, h->v[i].value);
            sb_printf(&s, "%s%s", s.len ? ";" : "", h->v[i].name);
        } else {
            sb_printf(&b, ",%s", h->v[i].value);
        }
    }
    if (h->n)
        sb_putc(&b, '\n');
    *block = sb_detach(&b);
    *names = sb_detach(&s);
}

static void hset_free(struct hset *h)
{
    for (size_t i = 0; i < h->n; i++) {
        free(h->v[i].name);
        free_wiped(h->v[i].value);
    }
    free(h->v);
}

/* ---- signing ---- */

static void signing_key(const char *secret, const char *date, const char *region, const char *service,
                        unsigned char out[32])
{
    size_t n = strlen(secret);
    unsigned char *k0 = xmalloc(n + 4);
    memcpy(k0, "AWS4", 4);
    memcpy(k0 + 4, secret, n);
    unsigned char k1[32], k2[32], k3[32];
    hmac(k0, n + 4, date, k1);
    hmac(k1, 32, region, k2);
    hmac(k2, 32, service, k3);
    hmac(k3, 32, "aws4_request", out);
    OPENSSL_cleanse(k0, n + 4);
    OPENSSL_cleanse(k1, 32);
    OPENSSL_cleanse(k2, 32);
    OPENSSL_cleanse(k3, 32);
    free(k0);
}

/* Build canonical request and string to sign, then the signature, into out. */
static void finish(const struct aws_request *req, const struct aws_credentials *cred,
                   const struct aws_sign_opts *o, const char *amzdate, const char *scope, const char *cquery,
                   const char *cheaders, const char *signed_names, const char *payload,
                   struct aws_signed *out)
{
    char *cpath = canonical_path(req->path, o);
    struct strbuf cr;
    sb_init(&cr);
    sb_printf(&cr, "%s\n%s\n%s\n%s\n%s\n%s", req->method, cpath, cquery, cheaders, signed_names, payload);
    free(cpath);
    char crhash[65];
    sha256_hex(cr.buf, cr.len, crhash);
    out->canonical_request = sb_detach(&cr);
    out->string_to_sign = xasprintf("AWS4-HMAC-SHA256\n%s\n%s\n%s", amzdate, scope, crhash);
    unsigned char key[32], sig[32];
    char date[9];
    memcpy(date, amzdate, 8);
    date[8] = '\0';
    signing_key(cred->secret_access_key, date, o->region, o->service, key);
    hmac(key, 32, out->string_to_sign, sig);
    OPENSSL_cleanse(key, sizeof key);
    hex_encode(sig, 32, out->signature);
}

static int check_args(const struct aws_request *req, const struct aws_credentials *cred,
                      const struct aws_sign_opts *o, char *err, size_t errlen)
{
    if (!req || !req->method || !cred || !cred->access_key_id || !cred->secret_access_key || !o ||
        !o->region || !o->service) {
        snprintf(err, errlen, "sigv4: missing method, credentials, region or service");
        return -1;
    }
    return 0;
}

static void amz_date(time_t when, char out[17])
{
    struct tm tm;
    if (!gmtime_r(&when, &tm) || strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm) != 16)
        memcpy(out, "19700101T000000Z", 17); /* unreachable for real clocks; keeps the format */
}

static void add_header(struct aws_signed *out, const char *name, const char *value)
{
    out->add[out->nadd].name = xstrdup(name);
    out->add[out->nadd].value = xstrdup(value);
    out->nadd++;
}

/* What both signing modes start from: a cleared result, checked arguments, the X-Amz-Date
 * value, the payload hash, and the request's own headers in h. 0, or -1 with err. */
static int prepare(const struct aws_request *req, const struct aws_credentials *cred,
                   const struct aws_sign_opts *o, struct aws_signed *out, char amzdate[17], char payload[65],
                   struct hset *h, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (check_args(req, cred, o, err, errlen))
        return -1;
    amz_date(o->when, amzdate);
    sha256_hex(req->body, req->body_len, payload);
    for (size_t i = 0; i < req->nheaders; i++)
        if (hset_add(h, req->headers[i].name, req->headers[i].value, err, errlen)) {
            hset_free(h);
            return -1;
        }
    return 0;
}

int aws_sign_headers(const struct aws_request *req, const struct aws_credentials *cred,
                     const struct aws_sign_opts *o, struct aws_signed *out, char *err, size_t errlen)
{
    char amzdate[17], payload[65];
    struct hset h = {0};
    if (prepare(req, cred, o, out, amzdate, payload, &h, err, errlen))
        return -1;
    int token = cred->session_token && *cred->session_token;
    hset_add(&h, "X-Amz-Date", amzdate, err, errlen);
    if (o->sign_body)
        hset_add(&h, "x-amz-content-sha256", payload, err, errlen);
    if (token && !o->omit_session_token)
        hset_add(&h, "X-Amz-Security-Token", cred->session_token, err, errlen);
    char *block, *names;
    hset_render(&h, &block, &names);
    hset_free(&h);

    struct qparam *q = NULL;
    size_t nq = 0;
    qparams_parse(&q, &nq, req->query);
    char *cquery = qparams_join(q, nq);
    qparams_free(q, nq);

    char *scope = xasprintf("%.8s/%s/%s/aws4_request", amzdate, o->region, o->service);
    finish(req, cred, o, amzdate, scope, cquery, block, names, payload, out);

    add_header(out, "X-Amz-Date", amzdate);
    if (o->sign_body)
        add_header(out, "x-amz-content-sha256", payload);
    if (token)
        add_header(out, "X-Amz-Security-Token", cred->session_token);
    char *auth = xasprintf("AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s",
                           cred->access_key_id, scope, names, out->signature);
    add_header(out, "Authorization", auth);
    free(auth);
    free(scope);
    free_wiped(cquery);
    free_wiped(block);
    free(names);
    return 0;
}

int aws_sign_query(const struct aws_request *req, const struct aws_credentials *cred,
                   const struct aws_sign_opts *o, struct aws_signed *out, char *err, size_t errlen)
{
    if (o->expires < 1 || o->expires > 604800) {
        memset(out, 0, sizeof *out);
        snprintf(err, errlen, "sigv4: X-Amz-Expires must be 1 to 604800 seconds");
        return -1;
    }
    char amzdate[17], payload[65];
    struct hset h = {0};
    if (prepare(req, cred, o, out, amzdate, payload, &h, err, errlen))
        return -1;
    int token = cred->session_token && *cred->session_token;
    char *block, *names;
    hset_render(&h, &block, &names);
    hset_free(&h);

    char *scope = xasprintf("%.8s/%s/%s/aws4_request", amzdate, o->region, o->service);
    char *credential = xasprintf("%s/%s", cred->access_key_id, scope);
    char expires[24];
    snprintf(expires, sizeof expires, "%ld", o->expires);
    /* the parameters SigV4 adds, in the order they are sent (signed ones first) */
    const char *added[][2] = {{"X-Amz-Algorithm", "AWS4-HMAC-SHA256"},
                              {"X-Amz-Credential", credential},
                              {"X-Amz-Date", amzdate},
                              {"X-Amz-SignedHeaders", names},
                              {"X-Amz-Expires", expires},
                              {"X-Amz-Security-Token", token ? cred->session_token : NULL}};
    size_t nsigned = token && !o->omit_session_token ? 6 : 5;

    struct qparam *q = NULL;
    size_t nq = 0;
    qparams_parse(&q, &nq, req->query);
    for (size_t i = 0; i < nsigned; i++)
        qparams_add(&q, &nq, added[i][0], strlen(added[i][0]), added[i][1], strlen(added[i][1]));
    char *cquery = qparams_join(q, nq);
    qparams_free(q, nq);

    finish(req, cred, o, amzdate, scope, cquery, block, names, payload, out);

    struct strbuf sb;
    sb_init(&sb);
    if (req->query && *req->query)
        sb_puts(&sb, req->query);
    for (size_t i = 0; i < (token ? 6u : 5u); i++) {
        char *v = aws_uri_encode(added[i][1], strlen(added[i][1]), 0);
        sb_printf(&sb, "%s%s=%s", sb.len ? "&" : "", added[i][0], v);
        free(v);
    }
    sb_printf(&sb, "&X-Amz-Signature=%s", out->signature);
    out->query = sb_detach(&sb);
    free(credential);
    free(scope);
    free_wiped(cquery);
    free_wiped(block);
    free(names);
    return 0;
}

void aws_signed_free(struct aws_signed *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nadd; i++) {
        free(s->add[i].name);
        free_wiped(s->add[i].value);
    }
    free_wiped(s->query); /* these three can hold the session token */
    free_wiped(s->canonical_request);
    free_wiped(s->string_to_sign);
    memset(s, 0, sizeof *s);
}
