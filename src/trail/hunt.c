/*
 * hunt.c — `trail hunt`'s engine: every rule of a Sigma set over log files on all cores.
 * Detections are handed out in file order, so the output is the same whatever the thread
 * timing: the first unfinished file's detections go out at once; the other files keep theirs
 * (as the few fields a report shows) until their turn. When more than BUFFER_CAP bytes are
 * kept, a thread with a later file waits for its turn, so memory stays bounded whatever the
 * input. Correlation counts of each file are merged into one table, whose results come
 * after the last file.
 */
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "trail.h"

#define BUFFER_CAP (8u << 20)

struct det {
    size_t rule;
    char *time, *name, *source, *principal, *ip, *region;
    uint64_t index;
};

struct fbuf {
    struct det *d;
    size_t n, cap;
    int done, failed;
    char err[512];
};

struct hunt {
    const struct sigma_set *s;
    const struct trail_files *files;
    const struct hunt_opts *o;
    pthread_mutex_t lock;
    pthread_cond_t turn; /* next moved, or buffered went down */
    size_t buffered;     /* bytes of detections kept for later files */
    struct fbuf *bufs;
    size_t next; /* the first file not yet handed out */
    struct sigma_ctx *counts;
    struct hunt_stats *st;
};

struct fstate {
    struct hunt *h;
    size_t fi;
    struct sigma_ctx *c;
    struct fbuf buf;
    size_t *hits;
};

/* A readable principal when the record has no userIdentity.arn. */
static char *principal(const struct trail_rec *r)
{
    struct trail_val v = trail_get(r, "userIdentity.arn");
    if (v.type == TRAIL_STRING)
        return trail_strdup(&v);
    v = trail_get(r, "userIdentity.type");
    if (trail_eq(&v, "Root", 1))
        return xstrdup("root");
    struct trail_val by = trail_get(r, "userIdentity.invokedBy");
    if (by.type == TRAIL_STRING) {
        char *b = trail_strdup(&by), *p = xasprintf("AWSService:%s", b);
        free(b);
        return p;
    }
    static const char *const alt[] = {"userIdentity.userName", "userIdentity.principalId",
                                      "userIdentity.accountId"};
    for (size_t i = 0; i < sizeof alt / sizeof *alt; i++) {
        struct trail_val a = trail_get(r, alt[i]);
        if (a.type == TRAIL_STRING) {
            char *t = trail_strdup(&a), *ty = v.type == TRAIL_STRING ? trail_strdup(&v) : xstrdup("unknown");
            char *p = xasprintf("%s:%s", ty, t);
            free(t);
            free(ty);
            return p;
        }
    }
    return NULL;
}

static char *text_of(const struct trail_rec *r, const char *path)
{
    struct trail_val v = trail_get(r, path);
    return v.type == TRAIL_MISSING || v.type == TRAIL_NULL ? NULL : trail_strdup(&v);
}

static void *on_begin(void *ctx, size_t fi, const char *path)
{
    (void)path;
    struct hunt *h = ctx;
    struct fstate *f = xcalloc(1, sizeof *f);
    f->h = h;
    f->fi = fi;
    f->c = sigma_ctx_new(h->s);
    f->hits = xcalloc(sigma_count(h->s) + 1, sizeof *f->hits);
    return f;
}

static size_t det_size(const struct det *d)
{
    const char *v[] = {d->time, d->name, d->source, d->principal, d->ip, d->region};
    size_t n = sizeof *d;
    for (size_t i = 0; i < 6; i++)
        n += v[i] ? strlen(v[i]) + 17 : 0; /* malloc overhead included, roughly */
    return n;
}

static void det_free(struct det *d)
{
    free(d->time), free(d->name), free(d->source), free(d->principal), free(d->ip), free(d->region);
}

/* Hand out one detection of file fi. Called with the lock held. */
static void emit(struct hunt *h, size_t fi, struct det *d)
{
    struct hunt_detection hd = {
        d->rule,   sigma_info(h->s, d->rule), d->time,  d->name, d->source, d->principal, d->ip,
        d->region, h->files->path[fi],        d->index, NULL};
    h->st->detections++;
    h->st->per_rule[d->rule]++;
    if (h->o->emit)
        h->o->emit(h->o->ctx, &hd);
    det_free(d);
}

/* A detection of f: out now when f is the first unfinished file, else kept (waiting for
 * f's turn while too much is kept already). */
static void found(struct fstate *f, struct det *d)
{
    struct hunt *h = f->h;
    pthread_mutex_lock(&h->lock);
    while (f->fi != h->next && h->buffered > BUFFER_CAP)
        pthread_cond_wait(&h->turn, &h->lock);
    if (f->fi == h->next) {
        for (size_t i = 0; i < f->buf.n; i++) { /* kept before the turn came */
            h->buffered -= det_size(&f->buf.d[i]);
            emit(h, f->fi, &f->buf.d[i]);
        }
        f->buf.n = 0;
        emit(h, f->fi, d);
    } else {
        if (f->buf.n == f->buf.cap) {
            f->buf.cap = f->buf.cap ? 2 * f->buf.cap : 16;
            f->buf.d = xrealloc(f->buf.d, f->buf.cap * sizeof *f->buf.d);
        }
        f->buf.d[f->buf.n++] = *d;
        h->buffered += det_size(d);
    }
    pthread_mutex_unlock(&h->lock);
}

static int on_record(void *state, const struct trail_rec *r)
{
    struct fstate *f = state;
    size_t n = sigma_match(f->h->s, f->c, r, f->hits, sigma_count(f->h->s) + 1);
    for (size_t i = 0; i < n; i++) {
        struct det d = {
            f->hits[i],   text_of(r, "eventTime"),       text_of(r, "eventName"), text_of(r, "eventSource"),
            principal(r), text_of(r, "sourceIPAddress"), text_of(r, "awsRegion"), r->index};
        found(f, &d);
    }
    return 0;
}

/* Hand out the finished files at the front, in order. Called with the lock held. */
static void flush(struct hunt *h)
{
    const struct hunt_opts *o = h->o;
    while (h->next < h->files->n && h->bufs[h->next].done) {
        struct fbuf *b = &h->bufs[h->next];
        for (size_t i = 0; i < b->n; i++) {
            h->buffered -= det_size(&b->d[i]);
            emit(h, h->next, &b->d[i]);
        }
        if (b->failed && o->file_error)
            o->file_error(o->ctx, h->files->path[h->next], b->err);
        free(b->d);
        b->d = NULL;
        h->next++;
        pthread_cond_broadcast(&h->turn);
    }
}

static void on_end(void *ctx, void *state, size_t fi, const struct trail_file_result *res)
{
    struct hunt *h = ctx;
    struct fstate *f = state;
    pthread_mutex_lock(&h->lock);
    sigma_ctx_merge(h->counts, f->c);
    h->st->tested += sigma_ctx_tested(f->c);
    h->bufs[fi] = f->buf;
    h->bufs[fi].done = 1;
    h->bufs[fi].failed = res->failed;
    snprintf(h->bufs[fi].err, sizeof h->bufs[fi].err, "%s", res->err);
    flush(h);
    pthread_mutex_unlock(&h->lock);
    sigma_ctx_free(f->c);
    free(f->hits);
    free(f);
}

static void emit_correlations(struct hunt *h)
{
    struct sigma_corr_hit *ch = NULL;
    size_t n = sigma_correlate(h->s, h->counts, &ch);
    for (size_t i = 0; i < n; i++) {
        struct hunt_detection hd;
        memset(&hd, 0, sizeof hd);
        hd.rule = ch[i].rule;
        hd.info = sigma_info(h->s, ch[i].rule);
        hd.corr = &ch[i];
        h->st->detections++;
        h->st->per_rule[ch[i].rule]++;
        if (h->o->emit)
            h->o->emit(h->o->ctx, &hd);
    }
    sigma_corr_hits_free(ch, n);
}

int hunt_run(const struct sigma_set *s, const struct trail_files *files, const struct hunt_opts *o,
             struct hunt_stats *stats, char *err, size_t errlen)
{
    memset(stats, 0, sizeof *stats);
    stats->per_rule = xcalloc(sigma_count(s) + 1, sizeof *stats->per_rule);
    struct hunt h = {s, files, o, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
                     0, NULL,  0, sigma_ctx_new(s),          stats};
    h.bufs = xcalloc(files->n + 1, sizeof *h.bufs);
    struct trail_visitor v = {&h, on_begin, on_record, on_end};
    int rc = trail_scan(files, o->threads, o->progress, &v, &stats->scan, err, errlen);
    if (rc == 0)
        emit_correlations(&h);
    for (size_t i = 0; i < files->n; i++) { /* only after a failed start */
        for (size_t k = 0; k < h.bufs[i].n && h.bufs[i].d; k++)
            det_free(&h.bufs[i].d[k]);
        free(h.bufs[i].d);
    }
    free(h.bufs);
    sigma_ctx_free(h.counts);
    pthread_mutex_destroy(&h.lock);
    pthread_cond_destroy(&h.turn);
    return rc;
}

/* ---- the rule set a hunt uses ---- */

/* The strings of a JSON array text (the profile's CIDR list); caller frees each and the array. */
static char **json_strings(const char *json, size_t *n)
{
    *n = 0;
    json_error_t je;
    json_t *a = json ? json_loads(json, 0, &je) : NULL;
    char **out = xcalloc(json_is_array(a) ? json_array_size(a) + 1 : 1, sizeof *out);
    size_t i;
    json_t *e;
    if (json_is_array(a))
        json_array_foreach(a, i, e) if (json_is_string(e)) out[(*n)++] = xstrdup(json_string_value(e));
    json_decref(a);
    return out;
}

static char **split_commas(const char *s, size_t *n)
{
    *n = 0;
    char **out = xcalloc(strlen(s) + 2, sizeof *out);
    const char *p = s;
    while (*p) {
        const char *c = strchr(p, ',');
        size_t len = c ? (size_t)(c - p) : strlen(p);
        if (len)
            out[(*n)++] = xstrndup(p, len);
        p += len + (c != NULL);
    }
    return out;
}

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

struct sigma_set *hunt_rules_load(const char *rules_dir, const char *cidrs_json, const char *pii_buckets,
                                  char *err, size_t errlen)
{
    struct sigma_set *s = sigma_set_new();
    size_t n = 0;
    char **v = json_strings(cidrs_json, &n);
    sigma_set_placeholder(s, "allowed_cidrs", (const char *const *)v, n);
    free_strings(v, n);
    if (pii_buckets)
        v = split_commas(pii_buckets, &n);
    else {
        v = xcalloc(1, sizeof *v);
        v[0] = xstrdup("*"); /* every bucket */
        n = 1;
    }
    sigma_set_placeholder(s, "pii_buckets", (const char *const *)v, n);
    free_strings(v, n);
    if (sigma_add_text(s, "<bundled>", trail_rules_yml, trail_rules_yml_len, err, errlen) != 0 ||
        (rules_dir && sigma_add_dir(s, rules_dir, err, errlen) != 0) || sigma_finish(s, err, errlen) != 0) {
        sigma_set_free(s);
        return NULL;
    }
    return s;
}
