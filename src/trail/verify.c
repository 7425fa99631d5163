/*
 * verify.c — CloudTrail digest-chain verification, offline, as AWS defines it (awscli
 * validate-logs is the reference): every digest's signature, every listed log file's
 * SHA-256, and the chain between digests of one (account, source region, trail), with
 * backfill digests as a chain of their own.
 *
 * The work runs in passes over the files verify_tree.c found: load and parse every digest,
 * resolve each one's link to its previous digest, check signatures, check the links, hash
 * the listed log files (on several threads), and finally name the log files no digest
 * lists. Each digest gets at most one digest_invalid/unknown_key problem and each link at
 * most one chain_gap/digest_missing problem, so one tampering shows as few problems as it
 * can, at the file that was touched.
 */
#include <jansson.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "../util/util.h"
#include "trail.h"
#include "verify_int.h"

#define MAX_DIGEST_BYTES (64u << 20) /* an inflated digest is a few kB; this bounds a bomb */
#define ALGORITHM "SHA256withRSA"

/* One digest file and what was learnt about it. */
struct vdig {
    struct vobj *o;
    json_t *doc;  /* NULL when it could not be parsed */
    char sha[65]; /* SHA-256 of the inflated bytes */
    const char *end, *start, *bucket, *object, *fp, *prev_sig, *prev_hash, *prev_bucket, *prev_obj;
    json_t *logs;
    struct vdig *link;    /* the previous digest its previousDigestS3Object names */
    const char *next_sig; /* previousDigestSignature of a digest linking here */
    int bad;              /* a digest_invalid or unknown_key problem was reported */
    int proven;           /* the signature verified */
};

/* A log file to hash, once however many digests list it. */
struct vlog {
    struct vobj *o;
    char hex[65];
    int rc; /* trail_hash_gz_file's */
    char err[256];
    int listed, bad;
};

struct ctx {
    const char *root;
    struct vtree t;
    struct trail_key *keys; /* opts' keys then the directory's (the latter owned) */
    size_t nkeys, nowned;
    struct vdig *d; /* sorted by group, time, path */
    size_t nd;
    struct vdig **by_obj; /* t.o index -> its digest */
    struct vlog *logs;    /* t.o index -> its log (o NULL for digests) */
    struct trail_verify_result *r;
    int threads, progress;
};

static void problem(struct ctx *c, const char *kind, const char *path, const char *detail)
{
    struct trail_verify_result *r = c->r;
    r->problems = xrealloc(r->problems, (r->nproblems + 1) * sizeof *r->problems);
    r->problems[r->nproblems++] = (struct trail_problem){xstrdup(kind), xstrdup(path), xstrdup(detail)};
}

static const char *str_field(json_t *doc, const char *k)
{
    return json_string_value(json_object_get(doc, k));
}

/* ---- pass 1: load the digests ---- */

/* The fields every digest must have (awscli's required keys plus logFiles). */
static const char *check_fields(json_t *doc)
{
    static const char *const req[] = {"digestPublicKeyFingerprint", "digestS3Bucket", "digestS3Object",
                                      "digestEndTime", "digestStartTime"};
    static const char *const prev[] = {"previousDigestSignature", "previousDigestS3Bucket",
                                       "previousDigestS3Object", "previousDigestHashValue"};
    if (!json_is_object(doc))
        return "not a JSON object";
    for (size_t i = 0; i < sizeof req / sizeof *req; i++)
        if (!json_is_string(json_object_get(doc, req[i])))
            return req[i];
    for (size_t i = 0; i < sizeof prev / sizeof *prev; i++) {
        json_t *v = json_object_get(doc, prev[i]);
        if ((i == 0 && !v) || (v && !json_is_string(v) && !json_is_null(v)))
            return prev[i];
    }
    json_t *logs = json_object_get(doc, "logFiles"), *e;
    size_t i;
    if (!json_is_array(logs))
        return "logFiles";
    json_array_foreach(logs, i, e) if (!json_is_string(json_object_get(e, "s3Object")) ||
                                       !json_is_string(json_object_get(e, "hashValue"))) return "logFiles";
    return NULL;
}

static void sha256_hex(const unsigned char *p, size_t n, char out[65])
{
    unsigned char md[32];
    unsigned int len = 0;
    EVP_Digest(p, n, md, &len, EVP_sha256(), NULL);
    hex_encode(md, sizeof md, out);
}

static void load_digest(struct ctx *c, struct vdig *d)
{
    char e[ERRLEN];
    size_t ilen = 0;
    char *in = NULL;
    int rc = trail_gunzip_file(d->o->abs, MAX_DIGEST_BYTES, &in, &ilen, e, sizeof e);
    if (rc) {
        char *msg =
            xasprintf("%s%s", rc == -1 && strncmp(e, "invalid format", 14) ? "invalid format: " : "", e);
        problem(c, "digest_invalid", d->o->rel, msg);
        free(msg);
        d->bad = 1;
        return;
    }
    sha256_hex((const unsigned char *)in, ilen, d->sha);
    json_error_t je;
    json_t *doc = json_loadb((char *)in, ilen, 0, &je);
    free(in);
    const char *bad = doc ? check_fields(doc) : je.text;
    if (bad) {
        char *msg = xasprintf("invalid format: %s%s", bad, doc ? " missing or of the wrong type" : "");
        problem(c, "digest_invalid", d->o->rel, msg);
        free(msg);
        json_decref(doc);
        d->bad = 1;
        return;
    }
    d->doc = doc;
    d->end = str_field(doc, "digestEndTime");
    d->start = str_field(doc, "digestStartTime");
    d->bucket = str_field(doc, "digestS3Bucket");
    d->object = str_field(doc, "digestS3Object");
    d->fp = str_field(doc, "digestPublicKeyFingerprint");
    d->prev_sig = str_field(doc, "previousDigestSignature");
    d->prev_hash = str_field(doc, "previousDigestHashValue");
    d->prev_bucket = str_field(doc, "previousDigestS3Bucket");
    d->prev_obj = str_field(doc, "previousDigestS3Object");
    d->logs = json_object_get(doc, "logFiles");
}

static int cmp_dig(const void *a, const void *b)
{
    const struct vdig *x = a, *y = b;
    int r = strcmp(x->o->group, y->o->group);
    if (!r)
        r = strcmp(x->o->ts, y->o->ts);
    return r ? r : strcmp(x->o->rel, y->o->rel);
}

static void load_digests(struct ctx *c)
{
    c->d = xcalloc(c->t.ndigests, sizeof *c->d);
    c->by_obj = xcalloc(c->t.n, sizeof *c->by_obj);
    for (size_t i = 0; i < c->t.n; i++)
        if (c->t.o[i].kind == V_DIGEST)
            c->d[c->nd++].o = &c->t.o[i];
    qsort(c->d, c->nd, sizeof *c->d, cmp_dig);
    for (size_t i = 0; i < c->nd; i++) {
        c->by_obj[c->d[i].o - c->t.o] = &c->d[i];
        load_digest(c, &c->d[i]);
    }
}

/* Where a missing object named by key would be, in near's layout. */
static char *expected_path(const struct vobj *near, const char *key)
{
    const char *suf = vkey_suffix(key);
    return suf ? xasprintf("%.*s%s", (int)near->lprefix, near->rel, suf) : xstrdup(key);
}

/* ---- pass 2: links and signatures ---- */

static void resolve_links(struct ctx *c)
{
    for (size_t i = 0; i < c->nd; i++) {
        struct vdig *d = &c->d[i];
        if (!d->doc || !d->prev_obj || !d->prev_bucket)
            continue;
        const struct vobj *o = vtree_find(&c->t, V_DIGEST, d->prev_obj, d->o);
        if (o && o->sc_bucket && strcmp(o->sc_bucket, d->prev_bucket))
            o = NULL; /* the sidecar says it came from another bucket */
        d->link = o ? c->by_obj[o - c->t.o] : NULL;
        if (d->link && !d->link->next_sig)
            d->link->next_sig = d->prev_sig;
    }
}

static const struct trail_key *find_key(const struct ctx *c, const char *fp)
{
    for (size_t i = 0; i < c->nkeys; i++)
        if (trail_key_matches(&c->keys[i], fp))
            return &c->keys[i];
    return NULL;
}

/* The digest's location as it claims it (awscli's "moved" check). */
static int moved(const struct vdig *d)
{
    const struct vobj *o = d->o;
    if (o->sc_key && o->sc_bucket)
        return strcmp(o->sc_bucket, d->bucket) || strcmp(o->sc_key, d->object);
    const char *suf = vkey_suffix(d->object);
    return !suf || strcmp(suf, o->loc);
}

/* Why d cannot be proven (kind into *kind), or NULL when its signature verifies. */
static char *check_signature(const struct ctx *c, struct vdig *d, const char **kind)
{
    *kind = "digest_invalid";
    if (moved(d))
        return xasprintf("has been moved from its original location s3://%s/%s", d->bucket, d->object);
    const struct trail_key *k = find_key(c, d->fp);
    if (!k) {
        *kind = "unknown_key";
        return xasprintf("no public key with fingerprint %s", d->fp);
    }
    const char *sig = d->o->sc_sig ? d->o->sc_sig : d->next_sig;
    if (d->o->sc_sig && d->o->sc_alg && strcmp(d->o->sc_alg, ALGORITHM))
        return xasprintf("unsupported signature algorithm %s", d->o->sc_alg);
    if (!sig)
        return xstrdup("signature not available: no sidecar and no later digest");
    char *msg = trail_string_to_sign(d->end, d->bucket, d->object, d->sha, d->prev_sig), e[ERRLEN];
    int ok = trail_signature_verify(k, msg, strlen(msg), sig, e, sizeof e);
    free(msg);
    if (ok == 1) {
        d->proven = 1;
        return NULL;
    }
    return ok < 0 ? xstrdup(e) : xstrdup("signature verification failed");
}

static void check_signatures(struct ctx *c)
{
    for (size_t i = 0; i < c->nd; i++) {
        struct vdig *d = &c->d[i];
        const char *kind;
        char *why = d->doc ? check_signature(c, d, &kind) : NULL;
        if (why) {
            problem(c, kind, d->o->rel, why);
            d->bad = 1;
            free(why);
        }
    }
}

/* ---- pass 3: the chain ---- */

static int same_time(const char *a, const char *b)
{
    time_t x, y;
    if (time_parse(a, &x) || time_parse(b, &y))
        return strcmp(a, b) == 0;
    return x == y;
}

/* What is wrong with the link from d to its previous digest p (NULL: nothing). */
static char *link_problem(const struct vdig *d, const struct vdig *p)
{
    if (!p->doc || p->bad) /* already reported at p; its content proves nothing */
        return same_time(d->start, p->end ? p->end : d->start)
                   ? NULL
                   : xasprintf("digestStartTime %s does not follow the previous digest's digestEndTime %s",
                               d->start, p->end);
    if (!d->prev_hash || strcasecmp(d->prev_hash, p->sha))
        return xasprintf("previousDigestHashValue does not match the previous digest %s", p->o->rel);
    if (p->o->sc_sig && d->prev_sig && strcasecmp(p->o->sc_sig, d->prev_sig))
        return xasprintf("previousDigestSignature does not match the signature of the previous digest %s",
                         p->o->rel);
    if (!same_time(d->start, p->end))
        return xasprintf("digestStartTime %s does not follow the previous digest's digestEndTime %s",
                         d->start, p->end);
    return NULL;
}

static void check_chain(struct ctx *c)
{
    for (size_t i = 0; i < c->nd; i++) {
        struct vdig *d = &c->d[i];
        const struct vdig *before = i && strcmp(c->d[i - 1].o->group, d->o->group) == 0 ? &c->d[i - 1] : NULL;
        if (!d->doc)
            continue;
        char *why = NULL;
        if (!d->prev_obj || !d->prev_bucket) {
            if (before)
                problem(c, "chain_gap", d->o->rel,
                        why = xasprintf("a new chain starts here (no previous digest) "
                                        "after %s",
                                        before->o->rel));
        } else if (!d->link) {
            char *path = expected_path(d->o, d->prev_obj);
            problem(c, "digest_missing", path,
                    why = xasprintf("not found; the previous digest of %s", d->o->rel));
            free(path);
        } else if ((why = link_problem(d, d->link)))
            problem(c, "chain_gap", d->o->rel, why);
        free(why);
    }
}

/* ---- pass 4: log files ---- */

struct pool {
    struct vlog **jobs;
    size_t n;
    atomic_size_t done;
    int progress;
};

static void hash_one(void *arg, size_t i)
{
    struct pool *p = arg;
    static _Thread_local double last; /* each thread redraws at most every 0.2 s */
    struct vlog *l = p->jobs[i];
    l->rc = trail_hash_gz_file(l->o->abs, l->hex, l->err, sizeof l->err);
    size_t done = atomic_fetch_add(&p->done, 1) + 1;
    if (p->progress && (mono() - last > 0.2 || done == p->n)) {
        last = mono();
        fprintf(stderr, "\rtrail verify: %zu/%zu log files hashed", done, p->n);
    }
}

/* Hash every listed log file once, on c->threads threads. */
static void hash_logs(struct ctx *c)
{
    struct pool p = {.jobs = xcalloc(c->t.n, sizeof *p.jobs), .progress = c->progress};
    for (size_t i = 0; i < c->t.n; i++)
        if (c->logs[i].o && c->logs[i].listed)
            p.jobs[p.n++] = &c->logs[i];
    atomic_init(&p.done, 0);
    trail_parallel(p.n, c->threads > 0 ? c->threads : 2, hash_one, &p);
    if (c->progress && p.n)
        fputc('\n', stderr);
    free(p.jobs);
}

/* Mark what every readable digest lists; a listed file that is absent is log_missing. */
static void list_logs(struct ctx *c)
{
    for (size_t i = 0; i < c->nd; i++) {
        struct vdig *d = &c->d[i];
        json_t *e;
        size_t j;
        if (!d->doc)
            continue;
        json_array_foreach(d->logs, j, e)
        {
            const char *key = str_field(e, "s3Object");
            const struct vobj *o = vtree_find(&c->t, V_LOG, key, d->o);
            if (o) {
                c->logs[o - c->t.o].listed = 1;
                continue;
            }
            char *path = expected_path(d->o, key), *why = xasprintf("not found; listed in %s", d->o->rel);
            problem(c, "log_missing", path, why);
            free(path);
            free(why);
        }
    }
}

/* Compare each listing's hashValue with the file's hash. */
static void judge_logs(struct ctx *c)
{
    for (size_t i = 0; i < c->nd; i++) {
        json_t *e;
        size_t j;
        if (!c->d[i].doc)
            continue;
        json_array_foreach(c->d[i].logs, j, e)
        {
            const struct vobj *o = vtree_find(&c->t, V_LOG, str_field(e, "s3Object"), c->d[i].o);
            struct vlog *l = o ? &c->logs[o - c->t.o] : NULL;
            if (!l || l->bad)
                continue;
            if (l->rc) {
                char *why = l->rc == -2 ? xasprintf("cannot be read: %s", l->err) : xstrdup(l->err);
                problem(c, "log_invalid", o->rel, why);
                free(why);
                l->bad = 1;
            } else if (strcasecmp(l->hex, str_field(e, "hashValue"))) {
                problem(c, "log_invalid", o->rel, "hash value doesn't match");
                l->bad = 1;
            }
        }
    }
}

/* "YYYYMMDDTHHMM[SS]Z" or an RFC 3339 time to epoch seconds; -1 when it is neither. */
static time_t key_time(const char *s)
{
    char buf[32];
    time_t t;
    size_t n = strlen(s);
    if ((n == 14 || n == 16) && s[8] == 'T') {
        snprintf(buf, sizeof buf, "%.4s-%.2s-%.2sT%.2s:%.2s:%.2sZ", s, s + 4, s + 6, s + 9, s + 11,
                 n == 16 ? s + 13 : "00");
        s = buf;
    }
    return time_parse(s, &t) ? -1 : t;
}

int trail_digest_homes(const char *root, char ***regions, size_t *n, time_t *first, time_t *last, char *err,
                       size_t errlen)
{
    struct vtree t;
    *regions = NULL;
    *n = 0;
    *first = *last = 0;
    if (vtree_load(root, &t, err, errlen))
        return -1;
    for (size_t i = 0; i < t.n; i++) {
        const struct vobj *o = &t.o[i];
        time_t when = o->kind == V_DIGEST && o->home[0] && o->ts[0] ? key_time(o->ts) : -1;
        if (when < 0)
            continue;
        if (!*first || when < *first)
            *first = when;
        if (when > *last)
            *last = when;
        size_t k = 0;
        while (k < *n && strcmp((*regions)[k], o->home))
            k++;
        if (k == *n) {
            *regions = xrealloc(*regions, (*n + 1) * sizeof **regions);
            (*regions)[(*n)++] = xstrdup(o->home);
        }
    }
    vtree_free(&t);
    return 0;
}

/* The newest time a digest of area (NULL: of all) covers: its digestEndTime, or for one
 * that cannot be read, the time in its name (the file claims that hour all the same). */
static time_t newest_end(const struct ctx *c, const char *area)
{
    time_t best = -1;
    for (size_t i = 0; i < c->nd; i++) {
        const struct vdig *d = &c->d[i];
        time_t t = d->end ? key_time(d->end) : -1, n = d->o->ts[0] ? key_time(d->o->ts) : -1;
        if (area && strcmp(d->o->area, area))
            continue;
        if (n > t)
            t = n;
        if (t > best)
            best = t;
    }
    return best;
}

/* A log file older than the newest digest of its region that no digest lists was put
 * there afterwards (or its digest is gone): CloudTrail lists every file it delivers. */
static void unlisted_logs(struct ctx *c)
{
    for (size_t i = 0; i < c->t.n; i++) {
        struct vlog *l = &c->logs[i];
        if (!l->o || l->listed)
            continue;
        time_t newest = newest_end(c, l->o->area), t = l->o->ts[0] ? key_time(l->o->ts) : -1;
        if (newest < 0)
            newest = newest_end(c, NULL);
        if (t < 0 || t < newest - newest % 60) {
            problem(c, "log_invalid", l->o->rel, "not listed in any digest");
            l->bad = 1;
        }
    }
}

static void check_logs(struct ctx *c)
{
    c->logs = xcalloc(c->t.n, sizeof *c->logs);
    for (size_t i = 0; i < c->t.n; i++)
        if (c->t.o[i].kind == V_LOG)
            c->logs[i].o = &c->t.o[i];
    list_logs(c);
    hash_logs(c);
    judge_logs(c);
    unlisted_logs(c);
}

/* ---- the result ---- */

static int cmp_problem(const void *a, const void *b)
{
    const struct trail_problem *x = a, *y = b;
    int r = strcmp(x->path, y->path);
    if (!r)
        r = strcmp(x->kind, y->kind);
    return r ? r : strcmp(x->detail, y->detail);
}

/* Sort, drop repeats (two digests naming one missing file), and count. */
static void finish(struct ctx *c)
{
    struct trail_verify_result *r = c->r;
    size_t k = 0;
    if (r->nproblems)
        qsort(r->problems, r->nproblems, sizeof *r->problems, cmp_problem);
    for (size_t i = 0; i < r->nproblems; i++) {
        struct trail_problem *p = &r->problems[i];
        if (k && strcmp(r->problems[k - 1].path, p->path) == 0 &&
            strcmp(r->problems[k - 1].kind, p->kind) == 0 &&
            (strcmp(p->kind, "digest_missing") == 0 || strcmp(p->kind, "log_missing") == 0)) {
            free(p->kind), free(p->path), free(p->detail);
            continue;
        }
        r->problems[k++] = *p;
    }
    r->nproblems = k;
    for (size_t i = 0; i < k; i++) {
        const char *kind = r->problems[i].kind;
        if (!strcmp(kind, "digest_invalid") || !strcmp(kind, "unknown_key"))
            r->digests_invalid++;
        else if (!strcmp(kind, "digest_missing"))
            r->digests_missing++;
        else if (!strcmp(kind, "log_invalid"))
            r->logs_invalid++;
        else if (!strcmp(kind, "log_missing"))
            r->logs_missing++;
    }
    for (size_t i = 0; i < c->nd; i++)
        r->digests_valid += c->d[i].proven && !c->d[i].bad;
    for (size_t i = 0; i < c->t.n; i++)
        r->logs_valid += c->logs[i].o && c->logs[i].listed && !c->logs[i].bad;
}

static int load_keys(struct ctx *c, const struct trail_verify_opts *o, char *err, size_t errlen)
{
    struct trail_key *dir = NULL;
    size_t ndir = 0;
    if (o->keys_dir && trail_keys_load_dir(o->keys_dir, &dir, &ndir, err, errlen))
        return -1;
    c->nkeys = o->nkeys + ndir;
    if (!c->nkeys) {
        snprintf(err, errlen,
                 "no public keys to verify with (give a directory of <fingerprint>.der/.pem files)");
        return -1;
    }
    c->keys = xcalloc(c->nkeys, sizeof *c->keys);
    if (o->nkeys)
        memcpy(c->keys, o->keys, o->nkeys * sizeof *c->keys);
    if (ndir)
        memcpy(c->keys + o->nkeys, dir, ndir * sizeof *dir);
    c->nowned = ndir;
    free(dir);
    return 0;
}

static void ctx_free(struct ctx *c)
{
    for (size_t i = 0; i < c->nd; i++)
        json_decref(c->d[i].doc);
    for (size_t i = 0; i < c->nowned; i++)
        free(c->keys[c->nkeys - c->nowned + i].der);
    free(c->keys);
    free(c->d);
    free(c->by_obj);
    free(c->logs);
    vtree_free(&c->t);
}

int trail_verify(const char *root, const struct trail_verify_opts *o, struct trail_verify_result *out,
                 char *err, size_t errlen)
{
    struct ctx c = {.root = root, .r = out, .threads = o->threads, .progress = o->progress};
    memset(out, 0, sizeof *out);
    if (load_keys(&c, o, err, errlen))
        return -1;
    if (vtree_load(root, &c.t, err, errlen)) {
        ctx_free(&c);
        return -1;
    }
    if (c.t.ndigests == 0) {
        snprintf(err, errlen,
                 "%s: no CloudTrail digest files (AWSLogs/.../CloudTrail-Digest/...) under it; nothing can "
                 "be proven",
                 root);
        ctx_free(&c);
        return -1;
    }
    load_digests(&c);
    resolve_links(&c);
    check_signatures(&c);
    check_chain(&c);
    check_logs(&c);
    finish(&c);
    ctx_free(&c);
    return 0;
}

json_t *trail_verify_json(const struct trail_verify_result *r)
{
    json_t *probs = json_array();
    for (size_t i = 0; i < r->nproblems; i++)
        json_array_append_new(probs, json_pack("{s:s, s:s, s:s}", "kind", r->problems[i].kind, "path",
                                               r->problems[i].path, "detail", r->problems[i].detail));
    return json_pack("{s:{s:I, s:I, s:I}, s:{s:I, s:I, s:I}, s:o}", "digests", "valid",
                     (json_int_t)r->digests_valid, "invalid", (json_int_t)r->digests_invalid, "missing",
                     (json_int_t)r->digests_missing, "logs", "valid", (json_int_t)r->logs_valid, "invalid",
                     (json_int_t)r->logs_invalid, "missing", (json_int_t)r->logs_missing, "problems", probs);
}

void trail_verify_result_free(struct trail_verify_result *r)
{
    for (size_t i = 0; i < r->nproblems; i++)
        free(r->problems[i].kind), free(r->problems[i].path), free(r->problems[i].detail);
    free(r->problems);
    memset(r, 0, sizeof *r);
}
