/*
 * scan.c — the streaming record scanner and field access. CloudTrail files are read through
 * a window: the scanner finds each record object's bytes in it (skipping strings with SSE2
 * where the CPU has it), indexes the record's top-level members in the same pass, and hands
 * the record to the caller; nothing is copied or built into a tree. Values are looked up
 * later by dotted path inside those bytes, so only the fields a rule or report asks for are
 * ever examined. A file may be a {"Records":[...]} document (CloudTrail's own), a bare array
 * of records, records one after another (NDJSON), or LookupEvents output (each record a JSON
 * string in an element's CloudTrailEvent, unescaped into a scratch buffer).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "../util/util.h"
#include "trail.h"

#define WINDOW_START (1u << 20)
#define WINDOW_MAX (64u << 20) /* a record larger than this is refused (CloudTrail caps at 256 KB) */

enum { SKIP_OK = 1, SKIP_MORE = 0, SKIP_BAD = -1 };

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    return p;
}

/* p at the opening quote: the byte after the closing quote, or NULL when end comes first. */
static const char *skip_string(const char *p, const char *end)
{
    p++;
#ifdef __SSE2__
    const __m128i q = _mm_set1_epi8('"'), b = _mm_set1_epi8('\\');
    while (end - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, q), _mm_cmpeq_epi8(v, b)));
        if (!m) {
            p += 16;
            continue;
        }
        p += __builtin_ctz(m);
        if (*p == '"')
            return p + 1;
        p += 2; /* an escape: the next byte is never the end */
    }
#endif
    while (p < end) {
        if (*p == '"')
            return p + 1;
        p += *p == '\\' ? 2 : 1;
    }
    return NULL;
}

/* The next '"', '{', '}', '[' or ']' at or after p, or end. */
static const char *next_structural(const char *p, const char *end)
{
#ifdef __SSE2__
    const __m128i q = _mm_set1_epi8('"'), ob = _mm_set1_epi8('{'), cb = _mm_set1_epi8('}');
    const __m128i os = _mm_set1_epi8('['), cs = _mm_set1_epi8(']');
    while (end - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        __m128i m = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(v, q), _mm_cmpeq_epi8(v, ob)),
            _mm_or_si128(_mm_cmpeq_epi8(v, cb), _mm_or_si128(_mm_cmpeq_epi8(v, os), _mm_cmpeq_epi8(v, cs))));
        unsigned bits = (unsigned)_mm_movemask_epi8(m);
        if (bits)
            return p + __builtin_ctz(bits);
        p += 16;
    }
#endif
    while (p < end && *p != '"' && *p != '{' && *p != '}' && *p != '[' && *p != ']')
        p++;
    return p;
}

/* p at '{' or '[': past the matching close. Brackets must match (checked to depth 64);
 * the scalars between them are checked only when a lookup reads them. */
static int skip_container(const char **pp, const char *end)
{
    const char *p = *pp;
    uint64_t stack = 0; /* bit per level: 1 = object */
    unsigned depth = 0;
    for (;;) {
        if (p >= end)
            return SKIP_MORE;
        char c = *p;
        if (c == '"') {
            p = skip_string(p, end);
            if (!p)
                return SKIP_MORE;
            p = next_structural(p, end);
            continue;
        }
        if (c == '{' || c == '[') {
            if (depth < 64)
                stack = (stack << 1) | (c == '{');
            depth++;
        } else { /* '}' or ']' */
            if (depth == 0)
                return SKIP_BAD;
            if (depth <= 64 && (int)(stack & 1) != (c == '}'))
                return SKIP_BAD;
            if (depth <= 64)
                stack >>= 1;
            if (--depth == 0) {
                *pp = p + 1;
                return SKIP_OK;
            }
        }
        p = next_structural(p + 1, end);
    }
}

static int is_scalar_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' ||
           c == '+' || c == '-';
}

static int valid_number(const char *p, size_t n)
{
    size_t i = 0;
    if (i < n && p[i] == '-')
        i++;
    if (i >= n || p[i] < '0' || p[i] > '9')
        return 0;
    while (i < n && ((p[i] >= '0' && p[i] <= '9') || p[i] == '.' || p[i] == 'e' || p[i] == 'E' ||
                     p[i] == '+' || p[i] == '-'))
        i++;
    return i == n;
}

/* Skip one value at *pp; its type in *t. */
static int skip_value(const char **pp, const char *end, enum trail_type *t)
{
    const char *p = *pp;
    if (p >= end)
        return SKIP_MORE;
    switch (*p) {
    case '"':
        *t = TRAIL_STRING;
        p = skip_string(p, end);
        if (!p)
            return SKIP_MORE;
        *pp = p;
        return SKIP_OK;
    case '{':
    case '[': *t = *p == '{' ? TRAIL_OBJECT : TRAIL_ARRAY; return skip_container(pp, end);
    default: break;
    }
    const char *q = p;
    while (q < end && is_scalar_char(*q))
        q++;
    if (q == end)
        return SKIP_MORE; /* the scalar may go on in the next window */
    size_t n = (size_t)(q - p);
    if (n == 4 && memcmp(p, "true", 4) == 0)
        *t = TRAIL_TRUE;
    else if (n == 5 && memcmp(p, "false", 5) == 0)
        *t = TRAIL_FALSE;
    else if (n == 4 && memcmp(p, "null", 4) == 0)
        *t = TRAIL_NULL;
    else if (valid_number(p, n))
        *t = TRAIL_NUMBER;
    else
        return SKIP_BAD;
    *pp = q;
    return SKIP_OK;
}

/* *pp at '{': index the object's members into r (when r is not NULL) and move past it. */
static int index_object(const char **pp, const char *end, struct trail_rec *r)
{
    const char *p = skip_ws(*pp + 1, end);
    if (r)
        r->ntop = 0;
    if (p < end && *p == '}') {
        *pp = p + 1;
        return SKIP_OK;
    }
    for (;;) {
        if (p >= end)
            return SKIP_MORE;
        if (*p != '"')
            return SKIP_BAD;
        const char *k = p + 1, *q = skip_string(p, end);
        if (!q)
            return SKIP_MORE;
        size_t klen = (size_t)(q - 1 - k);
        p = skip_ws(q, end);
        if (p >= end)
            return SKIP_MORE;
        if (*p != ':')
            return SKIP_BAD;
        p = skip_ws(p + 1, end);
        const char *v = p;
        enum trail_type t = TRAIL_MISSING;
        int rc = skip_value(&p, end, &t);
        if (rc != SKIP_OK)
            return rc;
        if (r && r->ntop < TRAIL_MAX_TOP) {
            r->top[r->ntop].key = k;
            r->top[r->ntop].klen = klen;
            r->top[r->ntop].val = (struct trail_val){t, v, (size_t)(p - v)};
            r->ntop++;
        }
        p = skip_ws(p, end);
        if (p >= end)
            return SKIP_MORE;
        if (*p == '}') {
            *pp = p + 1;
            return SKIP_OK;
        }
        if (*p != ',')
            return SKIP_BAD;
        p = skip_ws(p + 1, end);
    }
}

int trail_rec_parse(const char *json, size_t len, struct trail_rec *out)
{
    const char *end = json + len, *p = skip_ws(json, end);
    memset(out, 0, offsetof(struct trail_rec, top));
    out->file = NULL;
    out->index = out->offset = 0;
    if (p >= end || *p != '{')
        return -1;
    const char *start = p;
    if (index_object(&p, end, out) != SKIP_OK)
        return -1;
    out->raw = start;
    out->len = (size_t)(p - start);
    return skip_ws(p, end) == end ? 0 : -1;
}

/* ---- field access ---- */

static int key_eq(const char *k, size_t klen, const char *s, size_t slen, int nocase)
{
    return klen == slen && (nocase ? strncasecmp(k, s, slen) == 0 : memcmp(k, s, slen) == 0);
}

/* The member named s[0..slen) of an object value (exact name first, else any case). */
static struct trail_val obj_find(const struct trail_val *obj, const char *s, size_t slen)
{
    struct trail_val none = {TRAIL_MISSING, NULL, 0}, ci = none;
    if (obj->type != TRAIL_OBJECT)
        return none;
    const char *end = obj->raw + obj->len, *p = skip_ws(obj->raw + 1, end);
    while (p < end && *p == '"') {
        const char *k = p + 1, *q = skip_string(p, end);
        if (!q)
            break;
        size_t klen = (size_t)(q - 1 - k);
        p = skip_ws(q, end);
        if (p >= end || *p != ':')
            break;
        p = skip_ws(p + 1, end);
        const char *v = p;
        enum trail_type t = TRAIL_MISSING;
        if (skip_value(&p, end, &t) != SKIP_OK)
            break;
        struct trail_val val = {t, v, (size_t)(p - v)};
        if (key_eq(k, klen, s, slen, 0))
            return val;
        if (ci.type == TRAIL_MISSING && key_eq(k, klen, s, slen, 1))
            ci = val;
        p = skip_ws(p, end);
        if (p < end && *p == ',')
            p = skip_ws(p + 1, end);
    }
    return ci;
}

struct trail_val trail_member(const struct trail_val *obj, const char *key)
{
    return obj_find(obj, key, strlen(key));
}

/* The next element of an array value: *pp starts just after '[' (set it with arr_begin). */
static int arr_next(const char **pp, const char *end, struct trail_val *elem)
{
    const char *p = skip_ws(*pp, end);
    if (p < end && *p == ',')
        p = skip_ws(p + 1, end);
    if (p >= end || *p == ']')
        return 0;
    const char *v = p;
    enum trail_type t = TRAIL_MISSING;
    if (skip_value(&p, end, &t) != SKIP_OK)
        return 0;
    *elem = (struct trail_val){t, v, (size_t)(p - v)};
    *pp = p;
    return 1;
}

struct walk {
    trail_val_fn fn;
    void *ctx;
    size_t visited;
    int stop;
};

static void each(const struct trail_val *v, const char *path, struct walk *w)
{
    if (w->stop || v->type == TRAIL_MISSING)
        return;
    if (v->type == TRAIL_ARRAY) {
        const char *p = v->raw + 1, *end = v->raw + v->len;
        struct trail_val e;
        while (!w->stop && arr_next(&p, end, &e))
            if (e.type != TRAIL_ARRAY) /* one level: [[...]] is not a list of values */
                each(&e, path, w);
        return;
    }
    if (!*path) {
        w->visited++;
        if (w->fn && w->fn(v, w->ctx))
            w->stop = 1;
        return;
    }
    const char *dot = strchr(path, '.');
    size_t n = dot ? (size_t)(dot - path) : strlen(path);
    struct trail_val child = obj_find(v, path, n);
    each(&child, dot ? dot + 1 : path + n, w);
}

/* The top-level member named s[0..n) of r: from the index, else by a scan when the index
 * is full. */
static struct trail_val top_find(const struct trail_rec *r, const char *s, size_t n)
{
    struct trail_val ci = {TRAIL_MISSING, NULL, 0};
    for (size_t i = 0; i < r->ntop; i++) {
        if (key_eq(r->top[i].key, r->top[i].klen, s, n, 0))
            return r->top[i].val;
        if (ci.type == TRAIL_MISSING && key_eq(r->top[i].key, r->top[i].klen, s, n, 1))
            ci = r->top[i].val;
    }
    if (ci.type == TRAIL_MISSING && r->ntop == TRAIL_MAX_TOP) {
        struct trail_val whole = {TRAIL_OBJECT, r->raw, r->len};
        return obj_find(&whole, s, n);
    }
    return ci;
}

size_t trail_each(const struct trail_rec *r, const char *path, trail_val_fn fn, void *ctx)
{
    struct walk w = {fn, ctx, 0, 0};
    const char *dot = strchr(path, '.');
    size_t n = dot ? (size_t)(dot - path) : strlen(path);
    struct trail_val v = top_find(r, path, n);
    each(&v, dot ? dot + 1 : path + n, &w);
    return w.visited;
}

static int take_first(const struct trail_val *v, void *ctx)
{
    *(struct trail_val *)ctx = *v;
    return 1;
}

struct trail_val trail_get(const struct trail_rec *r, const char *path)
{
    struct trail_val v = {TRAIL_MISSING, NULL, 0};
    trail_each(r, path, take_first, &v);
    return v;
}

/* ---- text ---- */

static unsigned hex4(const char *p, const char *end)
{
    if (end - p < 4)
        return 0xFFFFFFFFu;
    unsigned u = 0;
    for (int i = 0; i < 4; i++) {
        int h = hex_digit(p[i]);
        if (h < 0)
            return 0xFFFFFFFFu;
        u = u << 4 | (unsigned)h;
    }
    return u;
}

/* Appends byte c at *n (counted always, stored while there is room). */
static void put(char *buf, size_t cap, size_t *n, char c)
{
    if (*n + 1 < cap)
        buf[*n] = c;
    (*n)++;
}

static void put_utf8(char *buf, size_t cap, size_t *n, unsigned u)
{
    if (u < 0x80) {
        put(buf, cap, n, (char)u);
    } else if (u < 0x800) {
        put(buf, cap, n, (char)(0xC0 | u >> 6));
        put(buf, cap, n, (char)(0x80 | (u & 0x3F)));
    } else if (u < 0x10000) {
        put(buf, cap, n, (char)(0xE0 | u >> 12));
        put(buf, cap, n, (char)(0x80 | ((u >> 6) & 0x3F)));
        put(buf, cap, n, (char)(0x80 | (u & 0x3F)));
    } else {
        put(buf, cap, n, (char)(0xF0 | u >> 18));
        put(buf, cap, n, (char)(0x80 | ((u >> 12) & 0x3F)));
        put(buf, cap, n, (char)(0x80 | ((u >> 6) & 0x3F)));
        put(buf, cap, n, (char)(0x80 | (u & 0x3F)));
    }
}

/* Unescape a JSON string's inside s[0..len) into buf. */
static size_t unescape(const char *s, size_t len, char *buf, size_t cap)
{
    const char *p = s, *end = s + len;
    size_t n = 0;
    while (p < end) {
        const char *bs = memchr(p, '\\', (size_t)(end - p));
        const char *stop = bs ? bs : end;
        size_t run = (size_t)(stop - p);
        if (n + 1 < cap)
            memcpy(buf + n, p, run < cap - 1 - n ? run : cap - 1 - n);
        n += run;
        p = stop;
        if (!bs)
            break;
        if (++p >= end)
            break;
        char c = *p++;
        switch (c) {
        case 'b': put(buf, cap, &n, '\b'); break;
        case 'f': put(buf, cap, &n, '\f'); break;
        case 'n': put(buf, cap, &n, '\n'); break;
        case 'r': put(buf, cap, &n, '\r'); break;
        case 't': put(buf, cap, &n, '\t'); break;
        case 'u': {
            unsigned u = hex4(p, end);
            if (u == 0xFFFFFFFFu) {
                put(buf, cap, &n, '?');
                break;
            }
            p += 4;
            if (u >= 0xD800 && u < 0xDC00 && end - p >= 6 && p[0] == '\\' && p[1] == 'u') {
                unsigned lo = hex4(p + 2, end);
                if (lo >= 0xDC00 && lo < 0xE000) {
                    u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                    p += 6;
                }
            }
            if (u >= 0xD800 && u < 0xE000)
                u = 0xFFFD; /* a lone surrogate */
            put_utf8(buf, cap, &n, u);
            break;
        }
        default: put(buf, cap, &n, c); break; /* \" \\ \/ and anything else as itself */
        }
    }
    if (cap)
        buf[n < cap ? n : cap - 1] = 0;
    return n;
}

size_t trail_text(const struct trail_val *v, char *buf, size_t cap)
{
    if (v->type == TRAIL_MISSING) {
        if (cap)
            buf[0] = 0;
        return 0;
    }
    if (v->type == TRAIL_STRING && v->len >= 2)
        return unescape(v->raw + 1, v->len - 2, buf, cap);
    if (cap) {
        size_t n = v->len < cap - 1 ? v->len : cap - 1;
        memcpy(buf, v->raw, n);
        buf[n] = 0;
    }
    return v->len;
}

char *trail_strdup(const struct trail_val *v)
{
    if (v->type == TRAIL_MISSING)
        return NULL;
    size_t n = trail_text(v, NULL, 0);
    char *s = xmalloc(n + 1);
    trail_text(v, s, n + 1);
    return s;
}

int trail_eq(const struct trail_val *v, const char *s, int nocase)
{
    if (v->type == TRAIL_MISSING || v->type == TRAIL_OBJECT || v->type == TRAIL_ARRAY)
        return 0;
    size_t slen = strlen(s);
    const char *t = v->raw;
    size_t tlen = v->len;
    if (v->type == TRAIL_STRING) {
        t++;
        tlen -= 2;
        if (memchr(t, '\\', tlen)) {
            char small[512];
            char *buf = tlen < sizeof small ? small : xmalloc(tlen + 1);
            size_t n = unescape(t, tlen, buf, tlen + 1);
            int eq = key_eq(buf, n, s, slen, nocase);
            if (buf != small)
                free(buf);
            return eq;
        }
    }
    return key_eq(t, tlen, s, slen, nocase);
}

/* ---- the streaming scanner ---- */

struct window {
    struct trail_src *src;
    const char *path;
    char *buf;
    size_t len, cap, pos;
    uint64_t base; /* file offset of buf[0] */
    int eof;
    struct trail_file_result *res;
};

/* Keep buf[pos..len) and read more behind it, growing the window when a record fills it.
 * 0, or -1 with res->err. */
static int refill(struct window *w)
{
    if (w->pos > 0) {
        memmove(w->buf, w->buf + w->pos, w->len - w->pos);
        w->base += w->pos;
        w->len -= w->pos;
        w->pos = 0;
    }
    if (w->len == w->cap) {
        if (w->cap >= WINDOW_MAX) {
            snprintf(w->res->err, sizeof w->res->err, "%s: offset %llu: a record larger than %u MiB", w->path,
                     (unsigned long long)w->base, WINDOW_MAX >> 20);
            return -1;
        }
        w->cap *= 2;
        w->buf = xrealloc(w->buf, w->cap);
    }
    long n = trail_src_read(w->src, w->buf + w->len, w->cap - w->len, w->res->err, sizeof w->res->err);
    if (n < 0)
        return -1;
    if (n == 0)
        w->eof = 1;
    w->len += (size_t)n;
    w->res->bytes_out += (uint64_t)n;
    return 0;
}

static int fail_at(struct window *w, const char *p, const char *what)
{
    snprintf(w->res->err, sizeof w->res->err, "%s: offset %llu: %s", w->path,
             (unsigned long long)(w->base + (uint64_t)(p - w->buf)), what);
    return -1;
}

/* At '{': 1 when the object's first member is key (quoted) holding an array (*after set past
 * '['), -1 when it is not, 0 when the window ends first. */
static int doc_head_key(const char *p, const char *end, const char *key, const char **after)
{
    p = skip_ws(p + 1, end);
    size_t n = strlen(key);
    if ((size_t)(end - p) < n)
        return memcmp(p, key, (size_t)(end - p)) == 0 ? 0 : -1;
    if (memcmp(p, key, n) != 0)
        return -1;
    p = skip_ws(p + n, end);
    if (p >= end)
        return 0;
    if (*p != ':')
        return -1;
    p = skip_ws(p + 1, end);
    if (p >= end)
        return 0;
    if (*p != '[')
        return -1;
    *after = p + 1;
    return 1;
}

/* A {"Records":[ document (CloudTrail's files), or an {"Events":[ one (LookupEvents output,
 * *events set: each element holds the record as a JSON string in CloudTrailEvent). */
static int doc_head(const char *p, const char *end, const char **after, int *events)
{
    int r = doc_head_key(p, end, "\"Records\"", after);
    *events = 0;
    if (r != -1)
        return r;
    r = doc_head_key(p, end, "\"Events\"", after);
    *events = r == 1;
    return r;
}

/* The record an element of an {"Events":[...]} document carries: its CloudTrailEvent string
 * unescaped into *scratch and indexed into out. 0; 1 when the element has no such string (it
 * is taken as it is); -1 when the string is not one JSON object. */
static int lookup_event(const struct trail_rec *el, struct strbuf *scratch, struct trail_rec *out)
{
    struct trail_val v = trail_get(el, "CloudTrailEvent");
    if (v.type != TRAIL_STRING)
        return 1;
    scratch->len = 0;
    size_t n = trail_text(&v, NULL, 0);
    if (scratch->cap < n + 1) {
        scratch->buf = xrealloc(scratch->buf, n + 1);
        scratch->cap = n + 1;
    }
    trail_text(&v, scratch->buf, n + 1);
    scratch->len = n;
    return trail_rec_parse(scratch->buf, n, out) == 0 ? 0 : -1;
}

enum mode { M_TOP, M_ARRAY, M_AFTER_ARRAY };

int trail_scan_src(struct trail_src *src, const char *path, int (*fn)(void *, const struct trail_rec *),
                   void *arg, struct trail_file_result *res)
{
    struct window w = {src, path, xmalloc(WINDOW_START), 0, WINDOW_START, 0, 0, 0, res};
    enum mode mode = M_TOP;
    int in_doc = 0, events = 0, need_comma = 0, rc = 0;
    struct trail_rec *rec = xmalloc(sizeof *rec), *inner = NULL;
    struct strbuf scratch;
    sb_init(&scratch);
    for (;;) {
        const char *end = w.buf + w.len, *p = skip_ws(w.buf + w.pos, end);
        w.pos = (size_t)(p - w.buf);
        if (p >= end) {
            if (!w.eof) {
                if (refill(&w) < 0) {
                    rc = -1;
                    break;
                }
                continue;
            }
            if (mode != M_TOP)
                rc = fail_at(&w, p, "truncated JSON: the file ends inside the Records array");
            break;
        }
        int step = SKIP_OK;
        const char *q = p;
        if (mode == M_ARRAY && *p == ']') {
            w.pos++;
            mode = in_doc ? M_AFTER_ARRAY : M_TOP;
            need_comma = 0;
            continue;
        }
        if (mode == M_ARRAY && *p == ',' && need_comma) {
            w.pos++;
            need_comma = 0;
            continue;
        }
        if (mode == M_AFTER_ARRAY) {
            if (*p == '}') {
                w.pos++;
                mode = M_TOP;
                continue;
            }
            if (*p != ',') {
                rc = fail_at(&w, p, "malformed JSON after the Records array");
                break;
            }
            /* another member of the document: skip it */
            q = skip_ws(p + 1, end);
            enum trail_type t;
            if (q < end && *q != '"')
                step = SKIP_BAD;
            else if ((step = skip_value(&q, end, &t)) == SKIP_OK) {
                q = skip_ws(q, end);
                if (q >= end)
                    step = SKIP_MORE;
                else if (*q != ':')
                    step = SKIP_BAD;
                else {
                    q = skip_ws(q + 1, end);
                    step = skip_value(&q, end, &t);
                }
            }
        } else if (mode == M_TOP && *p == '[') {
            w.pos++;
            mode = M_ARRAY;
            in_doc = need_comma = 0;
            continue;
        } else if (*p != '{' || need_comma) {
            rc = fail_at(&w, p,
                         mode == M_TOP ? "expected a JSON object or array" : "expected a record object");
            break;
        } else if (mode == M_TOP && (step = doc_head(p, end, &q, &events)) == 1) {
            w.pos = (size_t)(q - w.buf);
            mode = M_ARRAY;
            in_doc = 1;
            need_comma = 0;
            continue;
        } else if (step == -1 || step == SKIP_OK) {
            step = index_object(&q, end, rec);
            if (step == SKIP_OK) {
                rec->raw = p;
                rec->len = (size_t)(q - p);
                rec->file = path;
                rec->index = res->records;
                rec->offset = w.base + (uint64_t)(p - w.buf);
                need_comma = mode == M_ARRAY;
                w.pos = (size_t)(q - w.buf);
                const struct trail_rec *give = rec;
                if (events && mode == M_ARRAY) {
                    if (!inner)
                        inner = xmalloc(sizeof *inner);
                    int got = lookup_event(rec, &scratch, inner);
                    if (got < 0) {
                        rc = fail_at(&w, p, "CloudTrailEvent is not one JSON object");
                        break;
                    }
                    if (got == 0) {
                        inner->file = path;
                        inner->index = rec->index;
                        inner->offset = rec->offset;
                        give = inner;
                    }
                }
                res->records++;
                if (fn && fn(arg, give))
                    break;
                continue;
            }
        }
        if (step == SKIP_OK) { /* a skipped member after the Records array */
            w.pos = (size_t)(q - w.buf);
            continue;
        }
        if (step == SKIP_BAD) {
            rc = fail_at(&w, p, "malformed JSON");
            break;
        }
        /* SKIP_MORE: the value goes on past the window */
        if (w.eof) {
            rc = fail_at(&w, p, "truncated JSON: the file ends inside a record");
            break;
        }
        if (refill(&w) < 0) {
            rc = -1;
            break;
        }
    }
    free(rec);
    free(inner);
    sb_free(&scratch);
    free(w.buf);
    res->bytes_in = trail_src_consumed(src);
    if (rc < 0)
        res->failed = 1;
    return rc;
}
