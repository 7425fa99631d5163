/*
 * report.c — the access-record reports: runs the scan, gives each file's thread its own
 * rows and string pool (review.c / permhist.c fill them), merges a finished file into the
 * report under the lock, then sorts, summarises and renders (render.c, render_html.c).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "report_int.h"

static void *on_begin(void *ctx, size_t file_index, const char *path)
{
    (void)path;
    struct fstate *f = xcalloc(1, sizeof *f);
    f->c = ctx;
    f->file = file_index;
    sp_init(&f->pool);
    f->oldest = INT64_MAX;
    f->newest = INT64_MIN;
    return f;
}

static int on_record(void *state, const struct trail_rec *r)
{
    struct fstate *f = state;
    int64_t t;
    struct trail_val tv = trail_get(r, "eventTime");
    f->index++;
    if (rp_time(&tv, &t) != 0)
        return 0; /* a record without a readable time cannot be placed in any period */
    if (t < f->oldest)
        f->oldest = t;
    if (t > f->newest)
        f->newest = t;
    struct trail_val acct = trail_get(r, "recipientAccountId");
    if (acct.type != TRAIL_STRING)
        acct = trail_get(r, "userIdentity.accountId");
    if (acct.type == TRAIL_STRING) {
        char buf[64];
        trail_text(&acct, buf, sizeof buf);
        int created;
        *u64_slot(&f->accounts, sp_add(&f->pool, buf, strlen(buf)), &created) = 1;
    }
    if (f->c->o->kind == TRAIL_REPORT_ACCESS_REVIEW)
        review_record(f, r, t);
    else
        permhist_record(f, r, t);
    return 0;
}

/* Local pool id -> report pool id, looked up once per distinct string. */
static uint32_t remap(struct rctx *c, const struct strpool *lp, uint32_t *map, uint32_t id)
{
    if (map[id] == UINT32_MAX)
        map[id] = sp_add(&c->pool, sp_str(lp, id), strlen(sp_str(lp, id)));
    return map[id];
}

static void merge_rows(struct rctx *c, struct fstate *f, uint32_t *map)
{
    if (c->nrows + f->nrows > c->caprows) {
        c->caprows = (c->nrows + f->nrows) * 3 / 2 + 1024;
        c->rows = xrealloc(c->rows, c->caprows * sizeof *c->rows);
    }
    for (size_t i = 0; i < f->nrows; i++) {
        struct arow a = f->rows[i];
        uint32_t *fld[] = {&a.person,  &a.role,   &a.account,  &a.source,
                           &a.service, &a.action, &a.resource, &a.outcome};
        for (size_t k = 0; k < sizeof fld / sizeof *fld; k++)
            *fld[k] = remap(c, &f->pool, map, *fld[k]);
        c->rows[c->nrows++] = a;
    }
    for (size_t j = 0; j < f->pairs.cap; j++) {
        if (!f->pairs.key[j])
            continue;
        uint64_t k = f->pairs.key[j] - 1;
        uint64_t gk = (uint64_t)remap(c, &f->pool, map, (uint32_t)(k >> 32)) << 32 |
                      remap(c, &f->pool, map, (uint32_t)k);
        int created;
        int64_t *v = u64_slot(&c->pairs, gk, &created);
        if (created || f->pairs.val[j] < *v)
            *v = f->pairs.val[j];
    }
}

static void merge(struct rctx *c, struct fstate *f)
{
    uint32_t *map = xmalloc((size_t)f->pool.n * sizeof *map);
    memset(map, 0xff, (size_t)f->pool.n * sizeof *map);
    merge_rows(c, f, map);
    for (size_t j = 0; j < f->accounts.cap; j++)
        if (f->accounts.key[j]) {
            int created;
            *u64_slot(&c->accounts, remap(c, &f->pool, map, (uint32_t)(f->accounts.key[j] - 1)), &created) =
                1;
        }
    free(map);
    if (c->npe + f->npe > c->cappe) {
        c->cappe = (c->npe + f->npe) * 2 + 16;
        c->pe = xrealloc(c->pe, c->cappe * sizeof *c->pe);
    }
    if (f->npe)
        memcpy(c->pe + c->npe, f->pe, f->npe * sizeof *f->pe);
    c->npe += f->npe;
    if (f->oldest < c->oldest)
        c->oldest = f->oldest;
    if (f->newest > c->newest)
        c->newest = f->newest;
}

static void on_end(void *ctx, void *state, size_t file_index, const struct trail_file_result *res)
{
    struct rctx *c = ctx;
    struct fstate *f = state;
    pthread_mutex_lock(&c->lock);
    merge(c, f);
    c->records += res->records;
    if (res->failed) {
        const char *path = c->files->path[file_index];
        c->nfailed++;
        if (strncmp(res->err, path, strlen(path)) == 0)
            sb_printf(&c->failed, "%s\n", res->err);
        else
            sb_printf(&c->failed, "%s: %s\n", path, res->err);
    }
    pthread_mutex_unlock(&c->lock);
    sp_free(&f->pool);
    free(f->rows);
    u64_free(&f->pairs);
    u64_free(&f->accounts);
    free(f->pe);
    free(f);
}

static void split_buckets(struct rctx *c, const char *list)
{
    if (!list)
        return;
    char *copy = xstrdup(list), *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        while (*t == ' ')
            t++;
        size_t n = strlen(t);
        while (n && t[n - 1] == ' ')
            t[--n] = '\0';
        if (!n)
            continue;
        c->pii = xrealloc(c->pii, (c->npii + 1) * sizeof *c->pii);
        c->pii[c->npii++] = xstrdup(t);
    }
    free(copy);
    if (!c->pii) /* "--pii-buckets ''" names none: no bucket is a personal-data store */
        c->pii = xcalloc(1, sizeof *c->pii);
}

static void ctx_init(struct rctx *c, const struct trail_files *files, const struct trail_report_opts *o)
{
    memset(c, 0, sizeof *c);
    c->o = o;
    c->files = files;
    pthread_mutex_init(&c->lock, NULL);
    sp_init(&c->pool);
    sb_init(&c->failed);
    c->oldest = INT64_MAX;
    c->newest = INT64_MIN;
    if (o->kind == TRAIL_REPORT_ACCESS_REVIEW) {
        int ny = o->month == 12 ? o->year + 1 : o->year, nm = o->month == 12 ? 1 : o->month + 1;
        c->t0 = rp_days(o->year, o->month, 1) * 86400 - (int64_t)o->tz_minutes * 60;
        c->t1 = rp_days(ny, nm, 1) * 86400 - (int64_t)o->tz_minutes * 60;
    }
    split_buckets(c, o->pii_buckets);
}

static void ctx_free(struct rctx *c)
{
    pthread_mutex_destroy(&c->lock);
    sp_free(&c->pool);
    free(c->rows);
    u64_free(&c->pairs);
    u64_free(&c->accounts);
    for (size_t i = 0; i < c->npe; i++)
        pentry_free(&c->pe[i]);
    free(c->pe);
    for (size_t i = 0; i < c->npii; i++)
        free(c->pii[i]);
    free(c->pii);
    sb_free(&c->failed);
}

static void render(struct rctx *c, struct strbuf *out, uint64_t *rows)
{
    const struct trail_report_opts *o = c->o;
    if (o->kind == TRAIL_REPORT_ACCESS_REVIEW) {
        struct review rv;
        review_finish(c, &rv);
        if (o->format == TRAIL_REPORT_JSON)
            render_review_json(c, &rv, out);
        else if (o->format == TRAIL_REPORT_CSV)
            render_review_csv(c, out);
        else
            render_review_html(c, &rv, out);
        *rows = c->nrows;
        review_free(&rv);
        return;
    }
    permhist_finish(c);
    if (o->format == TRAIL_REPORT_JSON)
        render_perm_json(c, out);
    else if (o->format == TRAIL_REPORT_CSV)
        render_perm_csv(c, out);
    else
        render_perm_html(c, out);
    *rows = c->npe;
}

int trail_report_build(const struct trail_files *files, const struct trail_report_opts *o, char **out,
                       size_t *outlen, struct trail_report_stats *stats, char *err, size_t errlen)
{
    struct rctx c;
    ctx_init(&c, files, o);
    struct trail_visitor v = {&c, on_begin, on_record, on_end};
    struct trail_scan_stats ss;
    memset(stats, 0, sizeof *stats);
    *out = NULL;
    if (trail_scan(files, o->threads, o->progress, &v, &ss, err, errlen) != 0) {
        ctx_free(&c);
        return -1;
    }
    struct strbuf sb;
    sb_init(&sb);
    render(&c, &sb, &stats->rows);
    stats->files = files->n;
    stats->failed_files = c.nfailed;
    stats->records = c.records;
    stats->failed = c.nfailed ? sb_detach(&c.failed) : NULL;
    *outlen = sb.len;
    *out = sb_detach(&sb);
    ctx_free(&c);
    return 0;
}

/* ---- shared by the renderers ---- */

const char *rp_flag_names(uint32_t flags, char *buf, size_t cap)
{
    static const struct {
        uint32_t bit;
        const char *name;
    } names[] = {{RF_DL_OVER, "download_over_threshold"},
                 {RF_DENIED, "denied"},
                 {RF_OFFHOURS, "off_hours"},
                 {RF_NEWIP, "new_ip"},
                 {RF_ROOT, "root"}};
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (flags & names[i].bit) {
            int w = snprintf(buf + n, cap - n, "%s%s", n ? "," : "", names[i].name);
            if (w < 0 || (size_t)w >= cap - n)
                break;
            n += (size_t)w;
        }
    return buf;
}

const char *pcat_name(enum pcat cat)
{
    return cat == PCAT_GRANT ? "grant" : cat == PCAT_CHANGE ? "change" : "revoke";
}

int64_t rp_required_days(const struct rctx *c) { return c->o->permission_record_days; }

int64_t rp_days_covered(const struct rctx *c)
{
    if (c->oldest == INT64_MAX)
        return 0;
    return (c->o->now - c->oldest) / 86400;
}
