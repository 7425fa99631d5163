/*
 * review.c — the monthly access-record review (제8조②): each event of the month becomes a
 * row (who, when, from where, what, outcome) with the reviewer's flags; after the scan the
 * rows are ordered by person and time and summarised per person, service, day and service
 * caller. "New source IP" needs history, so every record scanned (also outside the month)
 * feeds the first time each person used each source.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "report_int.h"

static uint32_t intern_val(struct fstate *f, const struct trail_val *v)
{
    char buf[1024];
    if (v->type == TRAIL_MISSING || v->type == TRAIL_NULL)
        return 0;
    size_t n = trail_text(v, buf, sizeof buf);
    return sp_add(&f->pool, buf, n < sizeof buf ? n : sizeof buf - 1);
}

static uint32_t intern_at(struct fstate *f, const struct trail_rec *r, const char *path)
{
    struct trail_val v = trail_get(r, path);
    return intern_val(f, &v);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* A service acting (AWSService, no type but invokedBy), or a call that came from inside AWS. */
static int service_caller(const struct trail_who *w, const char *ip)
{
    return w->kind == TRAIL_WHO_SERVICE || strcmp(ip, "AWS Internal") == 0 || ends_with(ip, ".amazonaws.com");
}

static int is_denied(const struct trail_rec *r)
{
    char code[128] = "";
    struct trail_val v = trail_get(r, "errorCode");
    if (v.type == TRAIL_STRING)
        trail_text(&v, code, sizeof code);
    if (strncasecmp(code, "AccessDenied", 12) == 0 || strcasestr(code, "UnauthorizedOperation"))
        return 1;
    struct trail_val name = trail_get(r, "eventName");
    if (!trail_eq(&name, "ConsoleLogin", 0))
        return 0;
    v = trail_get(r, "responseElements.ConsoleLogin");
    struct trail_val msg = trail_get(r, "errorMessage");
    return trail_eq(&v, "Failure", 1) || trail_eq(&msg, "Failed authentication", 1);
}

static int offhours(const struct rctx *c, int64_t t)
{
    int64_t lt = t + (int64_t)c->o->tz_minutes * 60;
    int64_t day = lt >= 0 ? lt / 86400 : (lt - 86399) / 86400;
    int hour = (int)((lt - day * 86400) / 3600);
    int wd = (int)(((day + 4) % 7 + 7) % 7); /* 1970-01-01 was a Thursday; 0 = Sunday */
    return wd == 0 || wd == 6 || hour < c->o->work_start || hour >= c->o->work_end;
}

/* The bucket a download reads from: bucketName, or a CopyObject's copy source. */
static void download_bucket(const struct trail_rec *r, const char *action, char *buf, size_t cap)
{
    buf[0] = '\0';
    struct trail_val v;
    if (strcmp(action, "CopyObject") == 0) {
        v = trail_get(r, "requestParameters.x-amz-copy-source");
        trail_text(&v, buf, cap);
        char *s = buf + (buf[0] == '/');
        memmove(buf, s, strlen(s) + 1);
        char *slash = strchr(buf, '/');
        if (slash)
            *slash = '\0';
        return;
    }
    v = trail_get(r, "requestParameters.bucketName");
    trail_text(&v, buf, cap);
}

static int is_download(const struct rctx *c, const struct trail_rec *r, const char *service,
                       const char *action)
{
    if (strcmp(service, "s3") != 0 || trail_get(r, "errorCode").type == TRAIL_STRING)
        return 0;
    if (strcmp(action, "GetObject") && strcmp(action, "SelectObjectContent") && strcmp(action, "CopyObject"))
        return 0;
    if (!c->pii)
        return 1;
    char bucket[256];
    download_bucket(r, action, bucket, sizeof bucket);
    for (size_t i = 0; i < c->npii; i++)
        if (strcmp(c->pii[i], bucket) == 0)
            return 1;
    return 0;
}

struct arns {
    struct strbuf sb;
    int n;
};

static int add_arn(const struct trail_val *v, void *ctx)
{
    struct arns *a = ctx;
    struct trail_val arn = trail_member(v, "ARN");
    char buf[512];
    if (arn.type != TRAIL_STRING)
        return 0;
    if (++a->n > 3)
        return 0;
    trail_text(&arn, buf, sizeof buf);
    sb_printf(&a->sb, "%s%s", a->sb.len ? ", " : "", buf);
    return 0;
}

/* The resource a task touched: bucket/key, resource ARNs, or the request's main name. */
static uint32_t resource(struct fstate *f, const struct trail_rec *r, const char *action)
{
    static const char *names[] = {
        "userName",       "roleName",     "groupName", "policyArn",  "policyName",
        "bucketName",     "functionName", "secretId",  "name",       "trailName",
        "keyId",          "logGroupName", "tableName", "instanceId", "dBInstanceIdentifier",
        "repositoryName", "clusterName",  "stackName"};
    char bucket[512], key[512];
    struct trail_val b = trail_get(r, "requestParameters.bucketName");
    struct arns a = {{0}, 0};
    sb_init(&a.sb);
    if (b.type == TRAIL_STRING) {
        trail_text(&b, bucket, sizeof bucket);
        struct trail_val k = trail_get(r, "requestParameters.key");
        trail_text(&k, key, sizeof key);
        if (strcmp(action, "CopyObject") == 0) {
            struct trail_val src = trail_get(r, "requestParameters.x-amz-copy-source");
            char from[512];
            trail_text(&src, from, sizeof from);
            sb_printf(&a.sb, "%s -> ", from);
        }
        sb_printf(&a.sb, "%s%s%s", bucket, key[0] ? "/" : "", key);
    } else {
        trail_each(r, "resources", add_arn, &a);
        if (a.n > 3)
            sb_printf(&a.sb, " (+%d)", a.n - 3);
        for (size_t i = 0; !a.sb.len && i < sizeof names / sizeof *names; i++) {
            char path[64];
            snprintf(path, sizeof path, "requestParameters.%s", names[i]);
            struct trail_val v = trail_get(r, path);
            if (v.type == TRAIL_STRING) {
                trail_text(&v, key, sizeof key);
                sb_puts(&a.sb, key);
            }
        }
    }
    uint32_t id = sp_add(&f->pool, a.sb.buf ? a.sb.buf : "", a.sb.len);
    sb_free(&a.sb);
    return id;
}

static uint32_t outcome(struct fstate *f, const struct trail_rec *r)
{
    struct trail_val v = trail_get(r, "errorCode");
    if (v.type == TRAIL_STRING)
        return intern_val(f, &v);
    v = trail_get(r, "responseElements.ConsoleLogin");
    if (trail_eq(&v, "Failure", 1))
        return sp_add(&f->pool, "ConsoleLogin Failure", strlen("ConsoleLogin Failure"));
    return 0;
}

static void push_row(struct fstate *f, const struct arow *a)
{
    if (f->nrows == f->caprows) {
        f->caprows = f->caprows ? f->caprows * 2 : 256;
        f->rows = xrealloc(f->rows, f->caprows * sizeof *f->rows);
    }
    f->rows[f->nrows++] = *a;
}

void review_record(struct fstate *f, const struct trail_rec *r, int64_t t)
{
    const struct rctx *c = f->c;
    struct trail_who w;
    char ip[256] = "", src[256] = "", svc[128] = "", action[128] = "";
    trail_person(r, &w);
    struct trail_val v = trail_get(r, "sourceIPAddress");
    trail_text(&v, ip, sizeof ip);
    v = trail_get(r, "vpcEndpointId");
    if (v.type == TRAIL_STRING)
        trail_text(&v, src, sizeof src);
    if (!src[0])
        snprintf(src, sizeof src, "%s", ip);
    int svc_call = service_caller(&w, ip);
    uint32_t person = sp_add(&f->pool, w.person, strlen(w.person)),
             source = sp_add(&f->pool, src, strlen(src));
    if (!svc_call) {
        int created;
        int64_t *first = u64_slot(&f->pairs, (uint64_t)person << 32 | source, &created);
        if (created || t < *first)
            *first = t;
    }
    if (t < c->t0 || t >= c->t1)
        return;
    struct arow a;
    memset(&a, 0, sizeof a);
    a.t = t;
    a.seq = (uint64_t)f->file << 40 | (r->index & ((1ull << 40) - 1));
    v = trail_get(r, "eventSource");
    trail_text(&v, svc, sizeof svc);
    char *dot = strstr(svc, ".amazonaws.com");
    if (dot)
        *dot = '\0';
    v = trail_get(r, "eventName");
    trail_text(&v, action, sizeof action);
    if (svc_call) {
        /* the caller is the service; the person it acted for goes in the role column */
        struct trail_val inv = trail_get(r, "userIdentity.invokedBy");
        char caller[256];
        trail_text(&inv, caller, sizeof caller);
        if (!caller[0])
            snprintf(caller, sizeof caller, "%s", w.kind == TRAIL_WHO_SERVICE ? w.person : ip);
        a.person = sp_add(&f->pool, caller, strlen(caller));
        a.role = w.kind == TRAIL_WHO_SERVICE ? 0 : person;
        a.flags |= RF_SERVICE;
    } else {
        a.person = person;
        a.role = sp_add(&f->pool, w.role, strlen(w.role));
    }
    a.account = intern_at(f, r, "recipientAccountId");
    a.source = source;
    a.service = sp_add(&f->pool, svc, strlen(svc));
    a.action = sp_add(&f->pool, action, strlen(action));
    a.resource = resource(f, r, action);
    a.outcome = outcome(f, r);
    a.flags |= (is_denied(r) ? RF_DENIED : 0) | (offhours(c, t) ? RF_OFFHOURS : 0) |
               (w.kind == TRAIL_WHO_ROOT ? RF_ROOT : 0);
    if (!svc_call && is_download(c, r, svc, action))
        a.flags |= RF_DOWNLOAD;
    push_row(f, &a);
}

/* ---- after the scan: order, flags that need history, summaries ---- */

static int cmp_ids(const void *a, const void *b, void *pool)
{
    return strcmp(sp_str(pool, *(const uint32_t *)a), sp_str(pool, *(const uint32_t *)b));
}

static int cmp_rows(const void *pa, const void *pb)
{
    const struct arow *a = pa, *b = pb;
    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    if (a->t != b->t)
        return a->t < b->t ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Rank rows: people by name first, then service callers by name. */
static void rank_rows(struct rctx *c)
{
    struct u64map seen = {0};
    uint32_t *ids = xmalloc((c->nrows + 1) * sizeof *ids);
    size_t n = 0;
    for (int pass = 0; pass < 2; pass++) {
        size_t start = n;
        for (size_t i = 0; i < c->nrows; i++) {
            struct arow *a = &c->rows[i];
            int created;
            if (!!(a->flags & RF_SERVICE) != pass)
                continue;
            u64_slot(&seen, (uint64_t)pass << 32 | a->person, &created);
            if (created)
                ids[n++] = a->person;
        }
        qsort_r(ids + start, n - start, sizeof *ids, cmp_ids, &c->pool);
        struct u64map rank = {0};
        for (size_t i = start; i < n; i++) {
            int created;
            *u64_slot(&rank, ids[i], &created) = (int64_t)i;
        }
        for (size_t i = 0; i < c->nrows; i++)
            if (!!(c->rows[i].flags & RF_SERVICE) == pass)
                c->rows[i].rank = (uint32_t)*u64_find(&rank, c->rows[i].person);
        u64_free(&rank);
    }
    u64_free(&seen);
    free(ids);
    if (c->nrows)
        qsort(c->rows, c->nrows, sizeof *c->rows, cmp_rows);
}

static struct rv_sum *sum_for(struct u64map *idx, struct rv_sum **arr, size_t *n, uint32_t key)
{
    int created;
    int64_t *slot = u64_slot(idx, key, &created);
    if (created) {
        *arr = xrealloc(*arr, (*n + 1) * sizeof **arr);
        memset(&(*arr)[*n], 0, sizeof **arr);
        (*arr)[*n].key = key;
        *slot = (int64_t)(*n)++;
    }
    return &(*arr)[*slot];
}

static int64_t local_day(const struct rctx *c, int64_t t)
{
    return (t - c->t0) / 86400; /* t0 is local midnight; t >= t0 */
}

/* Flag the download rows [from, to) of one person-day when they exceed the threshold. */
static void close_day(struct rctx *c, struct review *rv, size_t from, size_t to, uint64_t count)
{
    if (count <= c->o->download_threshold)
        return;
    for (size_t i = from; i < to; i++)
        if (c->rows[i].flags & RF_DOWNLOAD)
            c->rows[i].flags |= RF_DL_OVER;
    rv->dl = xrealloc(rv->dl, (rv->ndl + 1) * sizeof *rv->dl);
    rv->dl[rv->ndl++] = (struct rv_dl){c->rows[from].person, local_day(c, c->rows[from].t), count};
    rv->dl_over++;
}

/* One person's rows [from, to): new sources, downloads per day, the person's totals. */
static void person_rows(struct rctx *c, struct review *rv, const struct u64map *pfirst, size_t from,
                        size_t to)
{
    struct rv_sum *s = &rv->people[rv->npeople++];
    memset(s, 0, sizeof *s);
    s->key = c->rows[from].person;
    s->first = from;
    s->n = to - from;
    struct u64map seen = {0};
    const int64_t *pf = u64_find(pfirst, s->key);
    size_t day_from = from;
    uint64_t day_dl = 0;
    for (size_t i = from; i < to; i++) {
        struct arow *a = &c->rows[i];
        int created;
        u64_slot(&seen, a->source, &created);
        const int64_t *first = u64_find(&c->pairs, (uint64_t)a->person << 32 | a->source);
        if (created) {
            s->sources++;
            if (first && pf && *first == a->t && *first > *pf)
                a->flags |= RF_NEWIP;
        }
        if (i > day_from && local_day(c, a->t) != local_day(c, c->rows[day_from].t)) {
            close_day(c, rv, day_from, i, day_dl);
            day_from = i;
            day_dl = 0;
        }
        day_dl += !!(a->flags & RF_DOWNLOAD);
    }
    close_day(c, rv, day_from, to, day_dl);
    u64_free(&seen);
    for (size_t i = from; i < to; i++) {
        uint32_t fl = c->rows[i].flags;
        s->events++;
        s->downloads += !!(fl & RF_DOWNLOAD);
        s->denied += !!(fl & RF_DENIED);
        s->offhours += !!(fl & RF_OFFHOURS);
        s->newips += !!(fl & RF_NEWIP);
    }
}

/* The first time each person appears in the data scanned (any source). */
static void person_first(const struct rctx *c, struct u64map *pfirst)
{
    for (size_t j = 0; j < c->pairs.cap; j++) {
        if (!c->pairs.key[j])
            continue;
        int created;
        int64_t *v = u64_slot(pfirst, (c->pairs.key[j] - 1) >> 32, &created);
        if (created || c->pairs.val[j] < *v)
            *v = c->pairs.val[j];
    }
}

static void count_row(struct rv_sum *s, struct u64map *distinct, uint64_t key, uint32_t fl)
{
    int created;
    u64_slot(distinct, key, &created);
    s->people += created;
    s->events++;
    s->downloads += !!(fl & RF_DOWNLOAD);
    s->denied += !!(fl & RF_DENIED);
    s->offhours += !!(fl & RF_OFFHOURS);
    s->newips += !!(fl & RF_NEWIP);
}

static int cmp_by_events(const void *pa, const void *pb, void *pool)
{
    const struct rv_sum *a = pa, *b = pb;
    if (a->events != b->events)
        return a->events > b->events ? -1 : 1;
    return strcmp(sp_str(pool, a->key), sp_str(pool, b->key));
}

static void tables(struct rctx *c, struct review *rv)
{
    struct u64map sidx = {0}, cidx = {0}, sdist = {0}, ddist = {0}, cdist = {0};
    rv->ndays = (size_t)((c->t1 - c->t0) / 86400);
    rv->days = xcalloc(rv->ndays, sizeof *rv->days);
    for (size_t d = 0; d < rv->ndays; d++)
        rv->days[d].key = (uint32_t)d;
    for (size_t i = 0; i < c->nrows; i++) {
        const struct arow *a = &c->rows[i];
        if (a->flags & RF_SERVICE) {
            struct rv_sum *s = sum_for(&cidx, &rv->callers, &rv->ncallers, a->person);
            count_row(s, &cdist, (uint64_t)a->person << 32 | a->role, a->flags);
            continue;
        }
        struct rv_sum *s = sum_for(&sidx, &rv->services, &rv->nservices, a->service);
        count_row(s, &sdist, (uint64_t)a->service << 32 | a->person, a->flags);
        uint64_t d = (uint64_t)local_day(c, a->t);
        count_row(&rv->days[d], &ddist, d << 32 | a->person, a->flags);
        rv->events++;
        rv->denied += !!(a->flags & RF_DENIED);
        rv->offhours += !!(a->flags & RF_OFFHOURS);
        rv->newips += !!(a->flags & RF_NEWIP);
        rv->downloads += !!(a->flags & RF_DOWNLOAD);
    }
    if (rv->nservices)
        qsort_r(rv->services, rv->nservices, sizeof *rv->services, cmp_by_events, &c->pool);
    if (rv->ncallers)
        qsort_r(rv->callers, rv->ncallers, sizeof *rv->callers, cmp_by_events, &c->pool);
    u64_free(&sidx);
    u64_free(&cidx);
    u64_free(&sdist);
    u64_free(&ddist);
    u64_free(&cdist);
}

void review_finish(struct rctx *c, struct review *rv)
{
    memset(rv, 0, sizeof *rv);
    rank_rows(c);
    struct u64map pfirst = {0};
    person_first(c, &pfirst);
    size_t groups = 0;
    for (size_t k = 0; k < c->nrows && !(c->rows[k].flags & RF_SERVICE); k++)
        groups += k == 0 || c->rows[k].rank != c->rows[k - 1].rank;
    rv->people = xcalloc(groups + 1, sizeof *rv->people);
    size_t i = 0;
    while (i < c->nrows && !(c->rows[i].flags & RF_SERVICE)) {
        size_t j = i + 1;
        while (j < c->nrows && c->rows[j].rank == c->rows[i].rank && !(c->rows[j].flags & RF_SERVICE))
            j++;
        person_rows(c, rv, &pfirst, i, j);
        i = j;
    }
    rv->nperson_rows = i;
    u64_free(&pfirst);
    tables(c, rv);
}

void review_free(struct review *rv)
{
    free(rv->people);
    free(rv->services);
    free(rv->days);
    free(rv->callers);
    free(rv->dl);
    memset(rv, 0, sizeof *rv);
}
