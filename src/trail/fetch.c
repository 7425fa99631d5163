/*
 * fetch.c — `ansim trail fetch`: a read-only copy of a trail bucket's log and digest objects
 * into a directory, each object's S3 metadata (the digest's signature above all) kept in a
 * sidecar file beside it, and CloudTrail's public keys saved as DER files. Together they let
 * `ansim trail verify` prove the logs offline.
 *
 * How it works: the bucket is listed (ListObjectsV2, encoding-type=url so that any key
 * survives XML) level by level under [PREFIX/]AWSLogs/ — accounts (and organisation ids),
 * then CloudTrail/ and CloudTrail-Digest/, then regions — and each region's objects are
 * listed from the first selected day on (StartAfter) until past the last. The objects are
 * then copied by N threads. Each object is written to a temporary name and renamed, then
 * its sidecar likewise: the sidecar is the completion marker, so a run that stops half-way
 * resumes where it was, and an object whose file and sidecar match the listing's size and
 * ETag is not read again.
 */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../aws/aws.h"
#include "../util/util.h"
#include "trail.h"

#define MAX_OBJECT (256ull << 20) /* the HTTP layer's cap: larger objects are refused */

/* ---- keys ---- */

int trail_key_safe(const char *key, size_t len)
{
    if (!key || len == 0 || len > 1024 || key[0] == '/' || key[len - 1] == '/')
        return 0;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && key[i] != '/') {
            unsigned char ch = (unsigned char)key[i];
            if (ch < 0x20 || ch == 0x7f || ch == '\\') /* NUL, control characters, backslashes */
                return 0;
            continue;
        }
        size_t n = i - start; /* one path component: key[start..i) */
        if (n == 0 || n > 255 || (n == 1 && key[start] == '.') ||
            (n == 2 && key[start] == '.' && key[start + 1] == '.'))
            return 0;
        start = i + 1;
    }
    return 1;
}

/* The day of "YYYY/MM/DD/..." (what follows a region's prefix), or -1 when it is not one. */
static long path_day(const char *rest)
{
    int y, m, d;
    if (strlen(rest) < 11 || parse_digits(rest, 4, &y) || rest[4] != '/' || parse_digits(rest + 5, 2, &m) ||
        rest[7] != '/' || parse_digits(rest + 8, 2, &d) || rest[10] != '/' || m < 1 || m > 12 || d < 1 ||
        d > 31)
        return -1;
    return days_from_civil(y, m, d);
}

/* A digest's end time from its name ("..._20240105T235959Z.json.gz", or with "_backfill"
 * before ".json.gz"). 0, or -1 when the name holds none. */
static int digest_end(const char *key, time_t *out)
{
    size_t n = strlen(key);
    const char *tail = n >= 25 && strcmp(key + n - 17, "_backfill.json.gz") == 0 ? key + n - 17 : key + n - 8;
    if (tail - key < 16 || tail[-1] != 'Z' || tail[-8] != 'T')
        return -1;
    const char *t = tail - 16;
    int y, mo, d, h, mi, s;
    if (parse_digits(t, 4, &y) || parse_digits(t + 4, 2, &mo) || parse_digits(t + 6, 2, &d) ||
        parse_digits(t + 9, 2, &h) || parse_digits(t + 11, 2, &mi) || parse_digits(t + 13, 2, &s) || mo < 1 ||
        mo > 12 || d < 1 || d > 31)
        return -1;
    *out = (time_t)days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
    return 0;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* ---- the run ---- */

struct object {
    char *key, *etag; /* etag without its quotes */
    uint64_t size;
};

struct fetch {
    const struct aws_client *c;
    const struct trail_fetch_opts *o;
    char *region;             /* the bucket's region (after a redirect) */
    long first_day, last_day; /* selected days, inclusive (LONG_MIN / LONG_MAX: open) */
    time_t digest_until;      /* digests on later days: end time at most this */
    struct object *obj;
    size_t nobj;
    pthread_mutex_t lock;
    struct trail_fetch_stats *st;
    double t0, last_draw;
};

/* The ETag without its surrounding quotes (as a new string). */
static char *unquote(const char *etag)
{
    size_t n = etag ? strlen(etag) : 0;
    if (n >= 2 && etag[0] == '"' && etag[n - 1] == '"')
        return xstrndup(etag + 1, n - 2);
    return xstrdup(etag ? etag : "");
}

/* An S3 url-encoded name (encoding-type=url: '+' is a space) as a new string; NULL when it
 * decodes to something holding a NUL (refused: no file can have that name). */
static char *s3_decode(const char *s)
{
    char *plus = xstrdup(s);
    for (char *p = plus; *p; p++)
        if (*p == '+')
            *p = ' ';
    size_t len;
    char *out = aws_uri_decode(plus, strlen(plus), &len);
    free(plus);
    if (strlen(out) != len) {
        free(out);
        return NULL;
    }
    return out;
}

/* The first error of an answer, naming the call: "s3:ListObjectsV2 on bucket B: Code: msg". */
static void answer_error(const char *what, const struct fetch *f, const struct aws_result *r, char *err,
                         size_t errlen)
{
    snprintf(err, errlen, "%s on bucket %s (region %s): %s%s%s", what, f->o->bucket, f->region,
             r->code ? r->code : "error", r->message ? ": " : "", r->message ? r->message : "");
}

/* The region named by a redirect answer (x-amz-bucket-region), or by GetBucketLocation.
 * A new string, or NULL. */
static char *bucket_region(struct fetch *f, const struct aws_result *r)
{
    const char *h = aws_resp_header(&r->headers, "x-amz-bucket-region");
    if (h && aws_valid_label(h))
        return xstrdup(h);
    const char *params[] = {"Bucket", f->o->bucket};
    struct aws_call call = {"s3", f->region, "GetBucketLocation", params, 1, NULL};
    struct aws_result lr;
    char err[ERRLEN];
    char *out = NULL;
    if (aws_call(f->c, &call, &lr, err, sizeof err) == 0 && lr.status == 200) {
        json_t *v = aws_output("s3", "GetBucketLocation", &lr, err, sizeof err);
        const char *loc = json_string_value(json_object_get(v, "LocationConstraint"));
        if (!loc || !*loc)
            loc = "us-east-1"; /* the empty constraint is us-east-1 */
        else if (strcmp(loc, "EU") == 0)
            loc = "eu-west-1";
        out = aws_valid_label(loc) ? xstrdup(loc) : NULL;
        json_decref(v);
    }
    aws_result_free(&lr);
    return out;
}

/* One page of ListObjectsV2 (JSON with the API's names), following a redirect to the
 * bucket's region once. NULL with err when the listing failed. */
static json_t *list_page(struct fetch *f, const char *prefix, const char *delim, const char *start_after,
                         const char *token, char *err, size_t errlen)
{
    static const char *const want[] = {"x-amz-bucket-region", NULL};
    for (int redirects = 0;; redirects++) {
        const char *params[12] = {"Bucket", f->o->bucket, "?prefix", prefix, "?encoding-type", "url"};
        size_t n = 3;
        if (delim)
            params[2 * n] = "?delimiter", params[2 * n + 1] = delim, n++;
        if (start_after)
            params[2 * n] = "?start-after", params[2 * n + 1] = start_after, n++;
        if (token)
            params[2 * n] = "?continuation-token", params[2 * n + 1] = token, n++;
        struct aws_call call = {"s3", f->region, "ListObjectsV2", params, n, NULL};
        struct aws_result r;
        if (aws_call_keep(f->c, &call, want, &r, err, errlen)) {
            aws_result_free(&r);
            return NULL;
        }
        if (r.status == 200) {
            json_t *v = aws_output("s3", "ListObjectsV2", &r, err, errlen);
            aws_result_free(&r);
            return v;
        }
        int moved =
            r.status == 301 || (r.code && (strcmp(r.code, "PermanentRedirect") == 0 ||
                                           strcmp(r.code, "AuthorizationHeaderMalformed") == 0 ||
                                           strcmp(r.code, "IllegalLocationConstraintException") == 0));
        char *region = moved && redirects == 0 ? bucket_region(f, &r) : NULL;
        if (region && strcmp(region, f->region) != 0) {
            free(f->region);
            f->region = region;
            aws_result_free(&r);
            continue;
        }
        free(region);
        answer_error("s3:ListObjectsV2", f, &r, err, errlen);
        aws_result_free(&r);
        return NULL;
    }
}

/* What a listing level found: the common prefixes (decoded) or the objects. */
typedef int (*prefix_fn)(struct fetch *f, const char *prefix, char *err, size_t errlen);

/* Every common prefix under prefix (delimiter '/'), each passed to fn. 0 or -1 with err. */
static int each_prefix(struct fetch *f, const char *prefix, prefix_fn fn, char *err, size_t errlen)
{
    char *token = NULL;
    int rc = 0;
    do {
        json_t *page = list_page(f, prefix, "/", NULL, token, err, errlen);
        free(token);
        token = NULL;
        if (!page)
            return -1;
        size_t i;
        json_t *e;
        json_array_foreach(json_object_get(page, "CommonPrefixes"), i, e)
        {
            const char *p = json_string_value(json_object_get(e, "Prefix"));
            char *dec = p ? s3_decode(p) : NULL;
            /* only what lies under the prefix asked for (a faulty server cannot lead us elsewhere) */
            if (dec && strncmp(dec, prefix, strlen(prefix)) == 0 && strlen(dec) > strlen(prefix))
                rc = fn(f, dec, err, errlen);
            free(dec);
            if (rc)
                break;
        }
        const char *next = json_string_value(json_object_get(page, "NextContinuationToken"));
        if (!rc && json_is_true(json_object_get(page, "IsTruncated")) && next)
            token = xstrdup(next);
        json_decref(page);
    } while (token);
    return rc;
}

/* The last component of a common prefix ("a/b/c/" -> "c"), as a new string. */
static char *last_component(const char *p)
{
    size_t n = strlen(p);
    if (n && p[n - 1] == '/')
        n--;
    size_t s = n;
    while (s > 0 && p[s - 1] != '/')
        s--;
    return xstrndup(p + s, n - s);
}

static int all_digits(const char *s, size_t n)
{
    if (strlen(s) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static void add_object(struct fetch *f, const char *key, const char *etag, uint64_t size)
{
    if (f->nobj % 256 == 0)
        f->obj = xrealloc(f->obj, (f->nobj + 256) * sizeof *f->obj);
    f->obj[f->nobj++] = (struct object){xstrdup(key), unquote(etag), size};
}

/* Is the object under region prefix rp (with day) selected? 1 yes, 0 no, 2 no and no later
 * key of this region will be (the listing can stop). */
static int selected(const struct fetch *f, const char *key, long day, int digest)
{
    if (day < f->first_day)
        return 0;
    if (day <= f->last_day)
        return 1;
    if (!digest || f->last_day == LONG_MAX || day > f->last_day + 1)
        return 2;
    /* the day after --until: the digests delivered within the hour after it */
    time_t end;
    if (digest_end(key, &end) == 0 && end <= f->digest_until)
        return 1;
    return 0;
}

/* Every selected object of one region prefix ("…/CloudTrail[-Digest]/REGION/"). The keys are
 * listed in order from the first selected day (StartAfter, one listing per region and no
 * call for an empty day: cheaper than a prefix per day when days are many or sparse) and the
 * listing stops at the first key past the last selected day. */
static int list_region(struct fetch *f, const char *rp, char *err, size_t errlen)
{
    char *region = last_component(rp);
    int ok = aws_valid_label(region);
    free(region);
    if (!ok)
        return 0;
    int digest = strstr(rp + strlen(f->o->prefix ? f->o->prefix : ""), "/CloudTrail-Digest/") != NULL;
    char *start = NULL;
    if (f->first_day != LONG_MIN) {
        time_t t = (time_t)f->first_day * 86400;
        struct tm tm;
        gmtime_r(&t, &tm);
        start = xasprintf("%s%04d/%02d/%02d", rp, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    }
    char *token = NULL;
    int rc = 0, done = 0;
    do {
        json_t *page = list_page(f, rp, NULL, token ? NULL : start, token, err, errlen);
        free(token);
        token = NULL;
        if (!page) {
            rc = -1;
            break;
        }
        size_t i;
        json_t *e;
        json_array_foreach(json_object_get(page, "Contents"), i, e)
        {
            const char *k = json_string_value(json_object_get(e, "Key"));
            char *key = k ? s3_decode(k) : NULL;
            if (!key && k) { /* a key with a NUL: refused, named as S3 gave it (url-encoded) */
                f->st->failed++;
                if (f->o->on_failure)
                    f->o->on_failure(f->o->arg, k, "unsafe key (a NUL byte): not written");
                continue;
            }
            if (!key || strncmp(key, rp, strlen(rp)) != 0 || !ends_with(key, ".json.gz")) {
                free(key);
                continue;
            }
            long day = path_day(key + strlen(rp));
            int sel = day < 0 ? 0 : selected(f, key, day, digest);
            if (sel == 2) {
                done = 1;
                free(key);
                break;
            }
            if (sel)
                add_object(f, key, json_string_value(json_object_get(e, "ETag")),
                           (uint64_t)json_integer_value(json_object_get(e, "Size")));
            free(key);
        }
        const char *next = json_string_value(json_object_get(page, "NextContinuationToken"));
        if (!done && json_is_true(json_object_get(page, "IsTruncated")) && next)
            token = xstrdup(next);
        json_decref(page);
    } while (token);
    free(start);
    return rc;
}

/* An account's prefix: its CloudTrail/ and CloudTrail-Digest/ regions. */
static int list_account(struct fetch *f, const char *ap, char *err, size_t errlen)
{
    char *acct = last_component(ap);
    int ok = all_digits(acct, 12);
    free(acct);
    if (!ok)
        return 0;
    char *logs = xasprintf("%sCloudTrail/", ap), *digests = xasprintf("%sCloudTrail-Digest/", ap);
    int rc = each_prefix(f, logs, list_region, err, errlen);
    if (rc == 0)
        rc = each_prefix(f, digests, list_region, err, errlen);
    free(logs);
    free(digests);
    return rc;
}

/* Under AWSLogs/: an account id, or an organisation id with the member accounts under it. */
static int list_top(struct fetch *f, const char *p, char *err, size_t errlen)
{
    char *name = last_component(p);
    int org = strncmp(name, "o-", 2) == 0 && strlen(name) > 2 && aws_valid_label(name);
    int acct = all_digits(name, 12);
    free(name);
    if (org)
        return each_prefix(f, p, list_account, err, errlen);
    return acct ? list_account(f, p, err, errlen) : 0;
}

/* ---- copying one object ---- */

/* 1 when path and its sidecar exist and match the listing's size and ETag. */
static int up_to_date(const struct fetch *f, const struct object *ob, const char *path, const char *meta)
{
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode) || (uint64_t)sb.st_size != ob->size)
        return 0;
    json_t *m = json_load_file(meta, 0, NULL);
    const char *etag = json_string_value(json_object_get(m, "etag")),
               *key = json_string_value(json_object_get(m, "key")),
               *bucket = json_string_value(json_object_get(m, "bucket"));
    int same = json_is_integer(json_object_get(m, "size")) &&
               json_integer_value(json_object_get(m, "size")) == (json_int_t)ob->size && etag &&
               strcmp(etag, ob->etag) == 0 && key && strcmp(key, ob->key) == 0 && bucket &&
               strcmp(bucket, f->o->bucket) == 0;
    json_decref(m);
    return same;
}

/* "Wed, 12 Oct 2009 17:50:00 GMT" -> "2009-10-12T17:50:00Z" into buf; "" when unreadable. */
static void http_date(const char *v, char *buf, size_t len)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *end = v ? strptime(v, "%a, %d %b %Y %H:%M:%S GMT", &tm) : NULL;
    buf[0] = '\0';
    if (end && !*end)
        time_format(timegm(&tm), buf, len);
}

/* The sidecar document of a fetched object: bucket, key, size, etag, last_modified and
 * every x-amz-meta-* header (name without the prefix). NULL with why when a value is not
 * UTF-8 text. */
static json_t *sidecar(const struct fetch *f, const struct object *ob, const struct aws_result *r,
                       uint64_t size, const char **why)
{
    char lm[32];
    http_date(aws_resp_header(&r->headers, "last-modified"), lm, sizeof lm);
    char *etag = unquote(aws_resp_header(&r->headers, "etag"));
    json_t *md = json_object(), *doc = json_object();
    json_object_set_new(doc, "bucket", json_string(f->o->bucket));
    json_object_set_new(doc, "key", json_string(ob->key));
    json_object_set_new(doc, "size", json_integer((json_int_t)size));
    json_object_set_new(doc, "etag", json_string(*etag ? etag : ob->etag));
    json_object_set_new(doc, "last_modified", *lm ? json_string(lm) : json_null());
    json_object_set_new(doc, "metadata", md);
    free(etag);
    for (size_t i = 0; i < r->headers.n; i++) {
        const char *name = r->headers.h[i].name;
        if (strncmp(name, "x-amz-meta-", 11) != 0)
            continue;
        json_t *v = json_string(r->headers.h[i].value);
        if (!v || json_object_set_new(md, name + 11, v)) {
            *why = "an x-amz-meta-* header is not UTF-8 text";
            json_decref(doc);
            return NULL;
        }
    }
    return doc;
}

/* GetObject into path, then the sidecar. 0, or -1 with why (a static or err text). */
static int copy_object(const struct fetch *f, const struct object *ob, const char *path, const char *meta,
                       uint64_t *bytes, char *err, size_t errlen)
{
    static const char *const want[] = {"etag", "last-modified", "content-length", "x-amz-meta-*", NULL};
    if (ob->size > MAX_OBJECT) {
        snprintf(err, errlen, "larger than 256 MiB (%llu bytes): not a CloudTrail file",
                 (unsigned long long)ob->size);
        return -1;
    }
    const char *params[] = {"Bucket", f->o->bucket, "Key", ob->key};
    struct aws_call call = {"s3", f->region, "GetObject", params, 2, NULL};
    struct aws_result r;
    if (aws_call_keep(f->c, &call, want, &r, err, errlen)) {
        aws_result_free(&r);
        return -1;
    }
    int rc = -1;
    const char *cl = aws_resp_header(&r.headers, "content-length"), *why = NULL;
    json_t *doc = NULL;
    char *text = NULL;
    if (r.status != 200)
        snprintf(err, errlen, "s3:GetObject: %s%s%s", r.code ? r.code : "error", r.message ? ": " : "",
                 r.message ? r.message : "");
    else if (cl && strtoull(cl, NULL, 10) != r.body.len)
        snprintf(err, errlen, "s3:GetObject: %zu bytes received of %s", r.body.len, cl);
    else if (!(doc = sidecar(f, ob, &r, r.body.len, &why)))
        snprintf(err, errlen, "%s", why);
    else if (mkdir_parents(path, err, errlen) == 0 &&
             file_write_atomic(path, r.body.buf ? r.body.buf : "", r.body.len, err, errlen) == 0) {
        text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
        char *line = xasprintf("%s\n", text ? text : "");
        rc = file_write_atomic(meta, line, strlen(line), err, errlen); /* last: the completion marker */
        free(line);
        *bytes = r.body.len;
    }
    free(text);
    json_decref(doc);
    aws_result_free(&r);
    return rc;
}

/* Called with the lock held. */
static void draw(struct fetch *f, int final)
{
    double now = mono();
    if (!f->o->progress || (!final && now - f->last_draw < 0.1))
        return;
    f->last_draw = now;
    const struct trail_fetch_stats *s = f->st;
    uint64_t done = s->fetched + s->skipped + s->failed;
    int width = 30, fill = s->objects ? (int)(done * (uint64_t)width / s->objects) : width;
    fprintf(stderr, "\r\033[Kfetching [%.*s%*s] %llu/%llu objects, %.1f MiB", fill,
            "##############################", width - fill, "", (unsigned long long)done,
            (unsigned long long)s->objects, (double)s->bytes / 1048576.0);
    if (final)
        fputc('\n', stderr);
    fflush(stderr);
}

/* Copy object i (or find it up to date), and count it. */
static void fetch_one(void *arg, size_t i)
{
    struct fetch *f = arg;
    const struct object *ob = &f->obj[i];
    char err[ERRLEN] = "";
    uint64_t bytes = 0;
    int skipped = 0, rc = 0;
    char *path = NULL, *meta = NULL;
    if (!trail_key_safe(ob->key, strlen(ob->key))) {
        snprintf(err, sizeof err, "unsafe key: not written");
        rc = -1;
    } else {
        path = xasprintf("%s/%s", f->o->dir, ob->key);
        meta = xasprintf("%s.meta.json", path);
        skipped = up_to_date(f, ob, path, meta);
        if (!skipped)
            rc = copy_object(f, ob, path, meta, &bytes, err, sizeof err);
    }
    pthread_mutex_lock(&f->lock);
    if (rc) {
        f->st->failed++;
        if (f->o->on_failure)
            f->o->on_failure(f->o->arg, ob->key, err);
    } else if (skipped) {
        f->st->skipped++;
    } else {
        f->st->fetched++;
        f->st->bytes += bytes;
    }
    draw(f, 0);
    pthread_mutex_unlock(&f->lock);
    free(path);
    free(meta);
}

int trail_fetch(const struct aws_client *c, const char *region, const struct trail_fetch_opts *o,
                struct trail_fetch_stats *st, char *err, size_t errlen)
{
    memset(st, 0, sizeof *st);
    struct fetch f = {.c = c, .o = o, .st = st, .t0 = mono(), .first_day = LONG_MIN, .last_day = LONG_MAX};
    if (!o->bucket || !*o->bucket || !o->dir || !*o->dir) {
        snprintf(err, errlen, "trail fetch: a bucket and a directory are required");
        return -1;
    }
    f.region = xstrdup(region && aws_valid_label(region) ? region : "us-east-1");
    if (o->since)
        f.first_day = (long)(o->since / 86400 - (o->since < 0 && o->since % 86400));
    if (o->until) {
        f.last_day = (long)(o->until / 86400 - (o->until < 0 && o->until % 86400));
        /* the digest covering the day's last hour is delivered up to an hour after it */
        f.digest_until = (time_t)(f.last_day + 1) * 86400 + 3600;
    }
    pthread_mutex_init(&f.lock, NULL);
    const char *prefix = o->prefix ? o->prefix : "";
    char *root = xasprintf("%s%sAWSLogs/", prefix, *prefix ? "/" : "");
    int rc = each_prefix(&f, root, list_top, err, errlen);
    free(root);
    if (rc == 0) {
        st->objects = f.nobj + st->failed; /* refused keys count as objects that failed */
        trail_parallel(f.nobj, o->concurrency > 0 ? o->concurrency : 8, fetch_one, &f);
        pthread_mutex_lock(&f.lock);
        draw(&f, 1);
        pthread_mutex_unlock(&f.lock);
    }
    for (size_t i = 0; i < f.nobj; i++) {
        free(f.obj[i].key);
        free(f.obj[i].etag);
    }
    free(f.obj);
    free(f.region);
    pthread_mutex_destroy(&f.lock);
    st->seconds = mono() - f.t0;
    return rc ? -1 : 0;
}

/* ---- public keys ---- */

/* Standard base64 (padding optional, no whitespace) into a new buffer; NULL when malformed. */
static unsigned char *b64_decode(const char *s, size_t *outlen)
{
    size_t n = strlen(s);
    while (n && s[n - 1] == '=')
        n--;
    unsigned char *out = xmalloc(n * 3 / 4 + 3);
    size_t o = 0;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        const char *abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        const char *p = s[i] ? strchr(abc, s[i]) : NULL;
        if (!p) {
            free(out);
            return NULL;
        }
        acc = (acc << 6) | (unsigned)(p - abc);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    if (bits >= 6) { /* a lone trailing character cannot encode a byte */
        free(out);
        return NULL;
    }
    *outlen = o;
    return out;
}

/* Writes one PublicKeyList entry as DIR/<fingerprint>.der. */
static int save_key(json_t *k, const char *dir, char *err, size_t errlen)
{
    const char *fp = json_string_value(json_object_get(k, "Fingerprint"));
    const char *val = json_string_value(json_object_get(k, "Value"));
    char hex[33];
    if (!fp || !val || strlen(fp) != 32 || strspn(fp, "0123456789abcdefABCDEF") != 32) {
        snprintf(err, errlen, "cloudtrail:ListPublicKeys: a key without a valid Fingerprint or Value");
        return -1;
    }
    for (int i = 0; i < 33; i++)
        hex[i] = (char)(fp[i] >= 'A' && fp[i] <= 'F' ? fp[i] + 32 : fp[i]);
    size_t len = 0;
    unsigned char *der = b64_decode(val, &len), md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    char got[33] = "";
    if (der && EVP_Digest(der, len, md, &mdlen, EVP_md5(), NULL) && mdlen == 16)
        for (unsigned i = 0; i < 16; i++)
            snprintf(got + 2 * i, 3, "%02x", md[i]);
    int rc = -1;
    if (!der)
        snprintf(err, errlen, "cloudtrail:ListPublicKeys: key %s: Value is not base64", hex);
    else if (strcmp(got, hex) != 0) /* the fingerprint is MD5 of the DER bytes */
        snprintf(err, errlen, "cloudtrail:ListPublicKeys: key %s: its MD5 is %s, not its fingerprint", hex,
                 got);
    else {
        char *path = xasprintf("%s/%s.der", dir, hex);
        rc = file_write_atomic(path, (const char *)der, len, err, errlen);
        free(path);
    }
    free(der);
    return rc;
}

int trail_public_keys_save(const char *body, size_t len, const char *dir, size_t *saved, char **next_token,
                           char *err, size_t errlen)
{
    *next_token = NULL;
    json_t *v = aws_json_to_json("cloudtrail", "ListPublicKeys", body, len, err, errlen);
    if (!v)
        return -1;
    char *probe = xasprintf("%s/x", dir);
    int rc = mkdir_parents(probe, err, errlen);
    free(probe);
    size_t i;
    json_t *k;
    json_array_foreach(json_object_get(v, "PublicKeyList"), i, k)
    {
        if (rc || (rc = save_key(k, dir, err, errlen)))
            break;
        (*saved)++;
    }
    const char *next = json_string_value(json_object_get(v, "NextToken"));
    if (!rc && next && *next)
        *next_token = xstrdup(next);
    json_decref(v);
    return rc;
}

int trail_fetch_public_keys(const struct aws_client *c, const char *region, time_t start, time_t end,
                            const char *dir, size_t *saved, char *err, size_t errlen)
{
    *saved = 0;
    char *token = NULL;
    int rc = 0;
    do {
        json_t *req = json_object();
        if (start)
            json_object_set_new(req, "StartTime", json_integer((json_int_t)start));
        if (end)
            json_object_set_new(req, "EndTime", json_integer((json_int_t)end));
        if (token)
            json_object_set_new(req, "NextToken", json_string(token));
        free(token);
        token = NULL;
        char *body = json_dumps(req, JSON_COMPACT);
        json_decref(req);
        struct aws_call call = {"cloudtrail", region, "ListPublicKeys", NULL, 0, body};
        struct aws_result r;
        rc = aws_call(c, &call, &r, err, errlen);
        if (rc == 0 && r.status != 200) {
            snprintf(err, errlen, "cloudtrail:ListPublicKeys in %s: %s%s%s", region,
                     r.code ? r.code : "error", r.message ? ": " : "", r.message ? r.message : "");
            rc = -1;
        }
        if (rc == 0)
            rc = trail_public_keys_save(r.body.buf ? r.body.buf : "", r.body.len, dir, saved, &token, err,
                                        errlen);
        aws_result_free(&r);
        free(body);
    } while (rc == 0 && token);
    free(token);
    return rc;
}
