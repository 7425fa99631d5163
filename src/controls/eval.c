/*
 * eval.c — running controls over an inventory: each control's SQL query gives rows,
 * rows become findings, collection errors turn would-be passes into errors, and the
 * findings are counted and scored per area, severity and framework requirement.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "controls.h"

/* ---- selection ---- */

static int selected(const struct catalogue *cat, const struct control *c, const struct selection *sel)
{
    (void)cat;
    if (sel->framework && !control_fw(c, sel->framework))
        return 0;
    if (sel->control_ids) {
        for (size_t i = 0; i < sel->ncontrol_ids; i++)
            if (strcmp(sel->control_ids[i], c->id) == 0)
                return 1;
        return 0;
    }
    return 1;
}

int eval_check_selection(const struct catalogue *cat, const struct selection *sel, char *err, size_t errlen)
{
    if (sel->framework && !cat_framework(cat, sel->framework)) {
        snprintf(err, errlen, "unknown framework \"%s\" (see `ansim frameworks`)", sel->framework);
        return -1;
    }
    for (size_t i = 0; i < sel->ncontrol_ids; i++) {
        if (!cat_control(cat, sel->control_ids[i])) {
            snprintf(err, errlen, "unknown control \"%s\" (see `ansim controls`)", sel->control_ids[i]);
            return -1;
        }
    }
    return 0;
}

/* ---- findings ---- */

struct flist {
    struct finding *v;
    size_t n, cap;
};

static struct finding *flist_add(struct flist *l, const struct control *c, enum status st)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 256;
        l->v = xrealloc(l->v, l->cap * sizeof *l->v);
    }
    struct finding *f = &l->v[l->n++];
    memset(f, 0, sizeof *f);
    f->control = c;
    f->status = st;
    return f;
}

static void finding_free(struct finding *f)
{
    free(f->resource_type);
    free(f->resource_id);
    free(f->resource_arn);
    free(f->region);
    free(f->reason);
    free(f->reason_ko);
    free(f->fix_cli);
    free(f->fix_terraform);
}

/* A finding of control c about the account itself (resource id = account id) in region;
 * takes reason and reason_ko. */
static struct finding *account_finding(struct flist *l, const struct control *c, enum status st,
                                       const char *account, const char *region, char *reason, char *reason_ko)
{
    struct finding *f = flist_add(l, c, st);
    f->resource_type = xstrdup(c->resource_type);
    f->resource_id = xstrdup(account ? account : "unknown");
    f->region = xstrdup(region ? region : "global");
    f->reason = reason;
    f->reason_ko = reason_ko;
    return f;
}

static struct finding *control_error(struct flist *l, const struct control *c, const char *account,
                                     const char *region, char *reason, char *reason_ko)
{
    return account_finding(l, c, ST_ERROR, account, region, reason, reason_ko);
}

static int parse_status(const char *s, enum status *out)
{
    static const struct {
        const char *name;
        enum status st;
    } map[] = {{"pass", ST_PASS},
               {"fail", ST_FAIL},
               {"error", ST_ERROR},
               {"not_applicable", ST_NA},
               {"manual", ST_MANUAL}};
    for (size_t i = 0; s && i < sizeof map / sizeof *map; i++) {
        if (strcmp(s, map[i].name) == 0) {
            *out = map[i].st;
            return 0;
        }
    }
    return -1;
}

static int column_index(sqlite3_stmt *st, const char *name)
{
    int n = sqlite3_column_count(st);
    for (int i = 0; i < n; i++)
        if (strcmp(sqlite3_column_name(st, i), name) == 0)
            return i;
    return -1;
}

static char *col_text(sqlite3_stmt *st, int i)
{
    if (i < 0 || sqlite3_column_type(st, i) == SQLITE_NULL)
        return NULL;
    return xstrdup((const char *)sqlite3_column_text(st, i));
}

/* A failing finding's remediation, filled in from the finding and the query's fix_X
 * columns (remediation.c). */
static void fill_remediation(const struct control *c, struct inventory *inv, sqlite3_stmt *st,
                             struct finding *f)
{
    if (!c->remediation_cli && !c->remediation_terraform)
        return;
    int ncol = sqlite3_column_count(st);
    const char **names = xcalloc((size_t)ncol + 6, sizeof *names);
    const char **values = xcalloc((size_t)ncol + 6, sizeof *values);
    int *trusted = xcalloc((size_t)ncol + 6, sizeof *trusted);
    char *tf = remediation_tf_name(f->resource_id);
    size_t n = 0;
    names[n] = "account_id", values[n++] = inv_account_id(inv);
    names[n] = "region", values[n++] = f->region;
    names[n] = "resource_id", values[n++] = f->resource_id;
    names[n] = "resource_arn", values[n++] = f->resource_arn;
    names[n] = "partition", values[n++] = inv_partition(inv);
    names[n] = "tf_name", values[n++] = tf;
    for (int i = 0; i < ncol; i++) {
        const char *name = sqlite3_column_name(st, i);
        if (strncmp(name, "fix_", 4) == 0 && name[4]) {
            names[n] = name + 4;
            trusted[n] = 1;
            values[n++] = (const char *)sqlite3_column_text(st, i);
        }
    }
    struct remediation_vars v = {names, values, trusted, n};
    f->fix_cli = remediation_render(c->remediation_cli, &v, "#");
    f->fix_terraform = remediation_render(c->remediation_terraform, &v, "#");
    free(tf);
    free(names);
    free(values);
    free(trusted);
}

/* Run the control's query; append its findings. */
static void run_query(const struct control *c, struct inventory *inv, struct flist *out)
{
    sqlite3 *db = inv_db(inv);
    const char *account = inv_account_id(inv);
    sqlite3_stmt *st = NULL;
    const char *tail = NULL;
    if (sqlite3_prepare_v2(db, c->query, -1, &st, &tail) != SQLITE_OK || !st) {
        control_error(out, c, account, "global",
                      xasprintf("control query failed (%s): %s", c->source, sqlite3_errmsg(db)),
                      xasprintf("점검 쿼리 실행 실패 (%s): %s", c->source, sqlite3_errmsg(db)));
        sqlite3_finalize(st);
        return;
    }
    while (tail && (*tail == ' ' || *tail == '\n' || *tail == '\t' || *tail == '\r' || *tail == ';'))
        tail++;
    if (!sqlite3_stmt_readonly(st) || (tail && *tail)) {
        control_error(out, c, account, "global",
                      xasprintf("control query must be one read-only SELECT (%s)", c->source),
                      xasprintf("점검 쿼리는 읽기 전용 SELECT 하나여야 합니다 (%s)", c->source));
        sqlite3_finalize(st);
        return;
    }
    int ci_status = column_index(st, "status"), ci_id = column_index(st, "resource_id"),
        ci_reason = column_index(st, "reason"), ci_reason_ko = column_index(st, "reason_ko"),
        ci_type = column_index(st, "resource_type"), ci_arn = column_index(st, "resource_arn"),
        ci_region = column_index(st, "region");
    if (ci_status < 0 || ci_id < 0 || ci_reason < 0) {
        control_error(
            out, c, account, "global",
            xasprintf("control query (%s) must return columns status, resource_id, reason", c->source),
            xasprintf("점검 쿼리(%s)는 status, resource_id, reason 열을 반환해야 합니다", c->source));
        sqlite3_finalize(st);
        return;
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *s = (const char *)sqlite3_column_text(st, ci_status);
        enum status status;
        if (parse_status(s, &status) != 0) {
            control_error(
                out, c, account, "global",
                xasprintf("control query (%s) returned an invalid status \"%s\"", c->source, s ? s : "NULL"),
                NULL);
            continue;
        }
        struct finding *f = flist_add(out, c, status);
        f->resource_id = col_text(st, ci_id);
        if (!f->resource_id)
            f->resource_id = xstrdup(account);
        f->resource_type = col_text(st, ci_type);
        if (!f->resource_type)
            f->resource_type = xstrdup(c->resource_type);
        f->resource_arn = col_text(st, ci_arn);
        f->region = col_text(st, ci_region);
        if (!f->region)
            f->region = xstrdup("global");
        f->reason = col_text(st, ci_reason);
        if (!f->reason)
            f->reason = xstrdup("");
        f->reason_ko = col_text(st, ci_reason_ko);
        if (status == ST_FAIL)
            fill_remediation(c, inv, st, f);
    }
    if (rc != SQLITE_DONE)
        control_error(out, c, account, "global",
                      xasprintf("control query failed (%s): %s", c->source, sqlite3_errmsg(db)),
                      xasprintf("점검 쿼리 실행 실패 (%s): %s", c->source, sqlite3_errmsg(db)));
    sqlite3_finalize(st);
}

static void not_offered_reasons(const char *region, const char *msg, char **en, char **ko)
{
    *en = xasprintf("%s, so there is nothing to check here.", msg);
    *ko = xasprintf("%s 리전에서 제공되지 않는 서비스라 점검할 대상이 없습니다 (%s).", region, msg);
}

/* The service is not offered in region: whatever the control found there (most likely
 * errors for the missing data) is not_applicable, and the region gets one such finding. */
static void region_not_offered(const struct control *c, struct inventory *inv, struct flist *out,
                               size_t first, const char *region, const char *msg)
{
    int any = 0;
    for (size_t i = first; i < out->n; i++) {
        struct finding *f = &out->v[i];
        if (strcmp(f->region, region) != 0)
            continue;
        any = 1;
        if (f->status == ST_NA && strstr(f->reason, "is not offered in"))
            continue;
        f->status = ST_NA;
        free(f->reason);
        free(f->reason_ko);
        free(f->fix_cli);
        free(f->fix_terraform);
        f->fix_cli = f->fix_terraform = NULL;
        not_offered_reasons(region, msg, &f->reason, &f->reason_ko);
    }
    if (!any) {
        char *en, *ko;
        not_offered_reasons(region, msg, &en, &ko);
        account_finding(out, c, ST_NA, inv_account_id(inv), region, en, ko);
    }
}

/* Apply recorded collection errors to the findings of control c (from index first). */
static void apply_collection_errors(const struct control *c, struct inventory *inv, struct flist *out,
                                    size_t first)
{
    sqlite3 *db = inv_db(inv);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT service, region, operation, code, message FROM collection_errors "
                           "WHERE service = lower(?1) AND (?2 = '*' OR operation = ?2) "
                           "GROUP BY service, region, operation ORDER BY region, operation",
                           -1, &st, NULL) != SQLITE_OK)
        return;
    for (size_t r = 0; r < c->nrequires; r++) {
        const char *req = c->requires[r];
        const char *colon = strchr(req, ':');
        sqlite3_bind_text(st, 1, req, (int)(colon - req), SQLITE_STATIC);
        sqlite3_bind_text(st, 2, colon + 1, -1, SQLITE_STATIC);
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *svc = (const char *)sqlite3_column_text(st, 0);
            const char *region = (const char *)sqlite3_column_text(st, 1);
            const char *op = (const char *)sqlite3_column_text(st, 2);
            const char *code = (const char *)sqlite3_column_text(st, 3);
            const char *msg = (const char *)sqlite3_column_text(st, 4);
            int global = strcmp(region, "global") == 0;
            size_t end = out->n;

            for (size_t i = first; i < end; i++) {
                struct finding *f = &out->v[i];
                if ((f->status != ST_PASS && f->status != ST_NA) ||
                    (!global && strcmp(f->region, region) != 0))
                    continue;
                f->status = ST_ERROR;
                char *en =
                    xasprintf("%s (not trusted: %s:%s failed in %s: %s)", f->reason, svc, op, region, code);
                char *ko = xasprintf("%s (신뢰 불가: %s 리전의 %s:%s 호출 실패: %s)",
                                     f->reason_ko ? f->reason_ko : f->reason, region, svc, op, code);
                free(f->reason);
                free(f->reason_ko);
                f->reason = en;
                f->reason_ko = ko;
            }
            control_error(
                out, c, inv_account_id(inv), region,
                xasprintf("could not read %s:%s in %s: %s: %s", svc, op, region, code, msg),
                xasprintf("%s 리전에서 %s:%s 를 읽지 못했습니다: %s: %s", region, svc, op, code, msg));
        }
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(
            db, "SELECT DISTINCT region, message FROM services_not_offered WHERE service = lower(?1)", -1,
            &st, NULL) != SQLITE_OK)
        return;
    for (size_t r = 0; r < c->nrequires; r++) {
        const char *req = c->requires[r];
        sqlite3_bind_text(st, 1, req, (int)(strchr(req, ':') - req), SQLITE_STATIC);
        while (sqlite3_step(st) == SQLITE_ROW)
            region_not_offered(c, inv, out, first, (const char *)sqlite3_column_text(st, 0),
                               (const char *)sqlite3_column_text(st, 1));
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
}

/* ---- ordering and counting ---- */

static int status_rank(enum status s)
{
    static const int rank[ST__COUNT] = {
        [ST_FAIL] = 0, [ST_ERROR] = 1, [ST_MANUAL] = 2, [ST_PASS] = 3, [ST_NA] = 4};
    return rank[s];
}

static int cmp_nullable(const char *a, const char *b) { return strcmp(a ? a : "", b ? b : ""); }

static int cmp_finding(const void *pa, const void *pb)
{
    const struct finding *a = pa, *b = pb;
    int d = status_rank(a->status) - status_rank(b->status);
    if (!d)
        d = (int)a->control->severity - (int)b->control->severity;
    if (!d)
        d = strcmp(a->control->id, b->control->id);
    if (!d)
        d = cmp_nullable(a->region, b->region);
    if (!d)
        d = cmp_nullable(a->resource_id, b->resource_id);
    if (!d)
        d = cmp_nullable(a->reason, b->reason);
    return d;
}

double score_of(const struct counts by_sev[SEV__COUNT])
{
    double good = 0, all = 0;
    for (int s = 0; s < SEV__COUNT; s++) {
        int w = severity_weight((enum severity)s);
        good += w * (double)by_sev[s].n[ST_PASS];
        all += w * (double)(by_sev[s].n[ST_PASS] + by_sev[s].n[ST_FAIL] + by_sev[s].n[ST_ERROR]);
    }
    return all > 0 ? 100.0 * good / all : 100.0;
}

/* Count findings accepted by keep() into c (with score). */
static void count(const struct scan_result *res, int (*keep)(const struct finding *, const void *),
                  const void *arg, struct counts *c)
{
    struct counts by_sev[SEV__COUNT];
    memset(by_sev, 0, sizeof by_sev);
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < res->nfindings; i++) {
        const struct finding *f = &res->findings[i];
        if (keep && !keep(f, arg))
            continue;
        c->n[f->status]++;
        by_sev[f->control->severity].n[f->status]++;
    }
    c->score = score_of(by_sev);
}

static int keep_area(const struct finding *f, const void *arg)
{
    return f->control->area == *(const enum area *)arg;
}

static int keep_severity(const struct finding *f, const void *arg)
{
    return f->control->severity == *(const enum severity *)arg;
}

/* Counts over a set of controls, from per-control status counts (index = position in
 * cat->controls); the score weighs each control's findings by its severity. */
static void sum_controls(const struct catalogue *cat, const size_t (*per)[ST__COUNT],
                         const struct control *const *set, size_t n, struct counts *c)
{
    struct counts by_sev[SEV__COUNT];
    memset(by_sev, 0, sizeof by_sev);
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < n; i++) {
        size_t idx = (size_t)(set[i] - cat->controls);
        for (int s = 0; s < ST__COUNT; s++) {
            c->n[s] += per[idx][s];
            by_sev[set[i]->severity].n[s] += per[idx][s];
        }
    }
    c->score = score_of(by_sev);
}

static void framework_results(const struct catalogue *cat, const struct selection *sel,
                              struct scan_result *res)
{
    size_t(*per)[ST__COUNT] = xcalloc(cat->ncontrols ? cat->ncontrols : 1, sizeof *per);
    for (size_t i = 0; i < res->nfindings; i++)
        per[res->findings[i].control - cat->controls][res->findings[i].status]++;
    const struct control **set = xcalloc(cat->ncontrols ? cat->ncontrols : 1, sizeof *set);

    res->fws = xcalloc(cat->nframeworks ? cat->nframeworks : 1, sizeof *res->fws);
    for (size_t i = 0; i < cat->nframeworks; i++) {
        const struct framework *fw = &cat->frameworks[i];
        if (sel->framework && strcmp(sel->framework, fw->id) != 0)
            continue;
        struct fw_result *fr = &res->fws[res->nfws++];
        fr->fw = fw;
        fr->nreqs = fw->nreqs;
        fr->reqs = xcalloc(fw->nreqs ? fw->nreqs : 1, sizeof *fr->reqs);
        for (size_t j = 0; j < fw->nreqs; j++) {
            struct req_result *rr = &fr->reqs[j];
            rr->req = &fw->reqs[j];
            size_t n = 0;
            for (size_t k = 0; k < rr->req->ncontrols; k++)
                set[n++] = cat_control(cat, rr->req->controls[k]);
            sum_controls(cat, (const size_t(*)[ST__COUNT])per, set, n, &rr->counts);
            if (rr->req->ncontrols == 0)
                rr->status = ST_MANUAL;
            else if (rr->counts.n[ST_FAIL])
                rr->status = ST_FAIL;
            else if (rr->counts.n[ST_ERROR])
                rr->status = ST_ERROR;
            else if (rr->counts.n[ST_PASS])
                rr->status = ST_PASS;
            else /* its controls found nothing to check (or were filtered out): an auditor
                  * still needs the evidence, so the requirement is manual */
                rr->status = ST_MANUAL;
            fr->counts.n[rr->status]++;
        }
        size_t n = 0;
        for (size_t k = 0; k < cat->ncontrols; k++)
            if (control_fw(&cat->controls[k], fw->id))
                set[n++] = &cat->controls[k];
        struct counts c;
        sum_controls(cat, (const size_t(*)[ST__COUNT])per, set, n, &c);
        fr->score = c.score;
        fr->counts.score = c.score;
    }
    free(set);
    free(per);
}

size_t eval_req_failing(const struct scan_result *res, const struct req_result *rr,
                        const struct finding **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < res->nfindings; i++) {
        const struct finding *f = &res->findings[i];
        if (f->status != ST_FAIL)
            continue;
        for (size_t k = 0; k < rr->req->ncontrols; k++)
            if (strcmp(rr->req->controls[k], f->control->id) == 0) {
                if (n < max)
                    out[n] = f;
                n++;
                break;
            }
    }
    return n;
}

int eval_run(const struct catalogue *cat, struct inventory *inv, const struct selection *sel,
             struct scan_result *res, char *err, size_t errlen)
{
    if (eval_check_selection(cat, sel, err, errlen))
        return -1;
    struct flist out = {0};
    res->controls = xcalloc(cat->ncontrols ? cat->ncontrols : 1, sizeof *res->controls);
    for (size_t i = 0; i < cat->ncontrols; i++) {
        const struct control *c = &cat->controls[i];
        if (!selected(cat, c, sel))
            continue;
        res->controls[res->ncontrols++] = c;
        size_t first = out.n;
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        run_query(c, inv, &out);
        apply_collection_errors(c, inv, &out, first);
        if (out.n == first) /* nothing to judge and nothing failed to read: the control still shows */
            account_finding(
                &out, c, ST_NA, inv_account_id(inv), "global",
                xasprintf("Nothing to check: the account has no %s in the scanned regions.",
                          c->resource_type),
                xasprintf("점검할 대상이 없습니다: 점검한 리전에 %s 리소스가 없습니다.", c->resource_type));
        clock_gettime(CLOCK_MONOTONIC, &t1);
        log_debug("control %s: %zu findings in %.3f s", c->id, out.n - first,
                  (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    }
    if (out.n > 1)
        qsort(out.v, out.n, sizeof *out.v, cmp_finding);
    res->findings = out.v;
    res->nfindings = out.n;
    count(res, NULL, NULL, &res->total);
    for (int a = 0; a < AREA__COUNT; a++) {
        enum area area = (enum area)a;
        count(res, keep_area, &area, &res->by_area[a]);
    }
    for (int s = 0; s < SEV__COUNT; s++) {
        enum severity sev = (enum severity)s;
        count(res, keep_severity, &sev, &res->by_severity[s]);
    }
    framework_results(cat, sel, res);
    res->meta.account_id = xstrdup(inv_account_id(inv));
    res->meta.nregions = inv_region_count(inv);
    res->meta.regions = xcalloc(res->meta.nregions + 1, sizeof *res->meta.regions);
    for (size_t i = 0; i < res->meta.nregions; i++)
        res->meta.regions[i] = xstrdup(inv_region(inv, i));
    return 0;
}

void scan_result_free(struct scan_result *res)
{
    for (size_t i = 0; i < res->nfindings; i++)
        finding_free(&res->findings[i]);
    free(res->findings);
    for (size_t i = 0; i < res->nfws; i++)
        free(res->fws[i].reqs);
    free(res->fws);
    free(res->controls);
    free(res->meta.source);
    free(res->meta.snapshot_path);
    free(res->meta.account_id);
    for (size_t i = 0; i < res->meta.nregions; i++)
        free(res->meta.regions[i]);
    free(res->meta.regions);
    memset(res, 0, sizeof *res);
}
