/*
 * render.c — the reports as JSON (shape documented in docs/trail.md) and as CSV (UTF-8 with
 * a byte-order mark so Excel reads Korean, one row per event, Korean+English headers), and
 * the pieces the HTML renderer shares: accounts, failed files, times, policy documents.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

const char rp_fifth_field_ko[] =
    "접속기록의 다섯째 항목인 '처리한 정보주체 정보'(누구의 개인정보를 처리했는지)는 CloudTrail에 "
    "기록되지 않습니다. 이 보고서는 식별자, 접속일시, 접속지, 수행업무만 보여 줍니다. 정보주체 정보는 "
    "데이터베이스 감사 로그나 애플리케이션 로그로 보완해야 합니다.";
const char rp_fifth_field_en[] =
    "The fifth access-record field the law requires, which data subjects were processed (처리한 정보주체 "
    "정보), is not in CloudTrail. This report shows the identifier, date-time, source and task only; the "
    "data "
    "subjects must come from database audit logs or application logs.";

void rp_utc(int64_t t, char *buf, size_t cap) { time_format((time_t)t, buf, cap); }

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

size_t rp_accounts(const struct rctx *c, const char ***out)
{
    const char **v = xcalloc(c->accounts.n + 1, sizeof *v);
    size_t n = 0;
    for (size_t j = 0; j < c->accounts.cap; j++)
        if (c->accounts.key[j] && c->accounts.key[j] - 1 != 0)
            v[n++] = sp_str(&c->pool, (uint32_t)(c->accounts.key[j] - 1));
    qsort(v, n, sizeof *v, cmp_str);
    *out = v;
    return n;
}

char *rp_pretty(const char *doc, int compact)
{
    if (!doc)
        return NULL;
    json_t *j = json_loads(doc, JSON_DECODE_ANY, NULL);
    if (!j || !(json_is_object(j) || json_is_array(j))) {
        json_decref(j);
        return xstrdup(doc);
    }
    char *s = json_dumps(j, JSON_PRESERVE_ORDER | (compact ? JSON_COMPACT : JSON_INDENT(2)));
    json_decref(j);
    char *out = xstrdup(s ? s : doc);
    free(s);
    return out;
}

/* ---- JSON ---- */

static void kv(struct strbuf *sb, const char *k, const char *v)
{
    sb_printf(sb, ",\"%s\":", k);
    sb_json(sb, v);
}

static void kv_time(struct strbuf *sb, const char *k, int64_t t, int valid)
{
    char buf[32];
    rp_utc(t, buf, sizeof buf);
    kv(sb, k, valid ? buf : NULL);
}

static void kv_u(struct strbuf *sb, const char *k, uint64_t v)
{
    sb_printf(sb, ",\"%s\":%llu", k, (unsigned long long)v);
}

/* The members both reports start with: {"kind", generated, timezone, accounts, files ... */
static void json_head(const struct rctx *c, struct strbuf *sb, const char *kind)
{
    const char **acc;
    size_t n = rp_accounts(c, &acc);
    char tz[16];
    int m = c->o->tz_minutes;
    snprintf(tz, sizeof tz, "%c%02d:%02d", m < 0 ? '-' : '+', abs(m) / 60, abs(m) % 60);
    sb_printf(sb, "{\"kind\":\"%s\"", kind);
    kv_time(sb, "generated", c->o->now, 1);
    kv(sb, "timezone", tz);
    sb_puts(sb, ",\"accounts\":[");
    for (size_t i = 0; i < n; i++) {
        sb_puts(sb, i ? "," : "");
        sb_json(sb, acc[i]);
    }
    free(acc);
    sb_printf(sb, "],\"files\":{\"scanned\":%zu,\"failed\":[", c->files->n);
    const char *p = c->failed.buf;
    for (int first = 1; p && *p; first = 0) {
        const char *nl = strchr(p, '\n');
        char *line = xstrndup(p, nl ? (size_t)(nl - p) : strlen(p));
        sb_puts(sb, first ? "" : ",");
        sb_json(sb, line);
        free(line);
        p = nl ? nl + 1 : p + strlen(p);
    }
    sb_puts(sb, "]}");
    kv_u(sb, "records_scanned", c->records);
    kv_time(sb, "data_from", c->oldest, c->oldest != INT64_MAX);
    kv_time(sb, "data_to", c->newest, c->newest != INT64_MIN);
}

/* kind: 0 a person (sources, no people), 1 a service or day (people, no sources), 2 a caller */
static void json_sum(struct strbuf *sb, const char *name_key, const char *name, const struct rv_sum *s,
                     int kind)
{
    sb_printf(sb, "{\"%s\":", name_key);
    sb_json(sb, name);
    kv_u(sb, "events", s->events);
    if (kind == 0)
        kv_u(sb, "sources", s->sources);
    else
        kv_u(sb, kind == 2 ? "on_behalf_of_people" : "people", s->people);
    if (kind != 2) {
        kv_u(sb, "downloads", s->downloads);
        kv_u(sb, "off_hours", s->offhours);
        kv_u(sb, "new_ips", s->newips);
    }
    kv_u(sb, "denied", s->denied);
    sb_putc(sb, '}');
}

static void json_flags(struct strbuf *sb, uint32_t flags)
{
    char fl[160];
    rp_flag_names(flags, fl, sizeof fl);
    sb_puts(sb, ",\"flags\":[");
    for (char *p = fl, *comma; *p; p = comma ? comma + 1 : p + strlen(p)) {
        comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        sb_printf(sb, "%s\"%s\"", p == fl ? "" : ",", p);
    }
    sb_putc(sb, ']');
}

static void json_row(const struct rctx *c, struct strbuf *sb, const struct arow *a)
{
    const struct strpool *p = &c->pool;
    char lt[32];
    int svc = !!(a->flags & RF_SERVICE);
    rp_local(a->t, c->o->tz_minutes, lt, sizeof lt);
    sb_printf(sb, "{\"%s\":", svc ? "caller" : "person");
    sb_json(sb, sp_str(p, a->person));
    kv(sb, svc ? "on_behalf_of" : "role", sp_str(p, a->role));
    kv(sb, "account", sp_str(p, a->account));
    kv(sb, "time", lt);
    kv_time(sb, "time_utc", a->t, 1);
    kv(sb, "source", sp_str(p, a->source));
    kv(sb, "service", sp_str(p, a->service));
    kv(sb, "action", sp_str(p, a->action));
    kv(sb, "resource", sp_str(p, a->resource));
    kv(sb, "outcome", a->outcome ? sp_str(p, a->outcome) : "Success");
    sb_printf(sb, ",\"download\":%s", a->flags & RF_DOWNLOAD ? "true" : "false");
    json_flags(sb, a->flags);
    sb_putc(sb, '}');
}

static void json_settings(const struct rctx *c, struct strbuf *sb)
{
    const struct trail_report_opts *o = c->o;
    char month[16], wh[16], from[32];
    snprintf(month, sizeof month, "%04d-%02d", o->year, o->month);
    sb_puts(sb, ",\"period\":{\"month\":");
    sb_json(sb, month);
    kv_time(sb, "start", c->t0, 1);
    kv_time(sb, "end", c->t1, 1);
    sb_puts(sb, "},\"settings\":{\"pii_buckets\":");
    if (!c->pii)
        sb_puts(sb, "null");
    else {
        sb_putc(sb, '[');
        for (size_t i = 0; i < c->npii; i++) {
            sb_puts(sb, i ? "," : "");
            sb_json(sb, c->pii[i]);
        }
        sb_putc(sb, ']');
    }
    snprintf(wh, sizeof wh, "%02d-%02d", o->work_start, o->work_end);
    kv_u(sb, "download_threshold", o->download_threshold);
    kv(sb, "work_hours", wh);
    sb_puts(sb, ",\"weekends_off_hours\":true}");
    rp_utc(c->oldest == INT64_MAX ? c->t0 : c->oldest, from, sizeof from);
    sb_puts(sb, ",\"new_ip_baseline\":{\"from\":");
    sb_json(sb, from);
    sb_puts(sb,
            ",\"rule\":\"a source (IP or VPC endpoint) the person had not used earlier in the data scanned; "
            "the person's first event sets the baseline and is not flagged\"}");
}

void render_review_json(const struct rctx *c, const struct review *rv, struct strbuf *sb)
{
    const struct strpool *p = &c->pool;
    char date[16];
    json_head(c, sb, "access-review");
    json_settings(c, sb);
    sb_puts(sb, ",\"totals\":{\"people\":");
    sb_printf(sb, "%zu", rv->npeople);
    kv_u(sb, "events", rv->events);
    kv_u(sb, "service_events", c->nrows - rv->nperson_rows);
    kv_u(sb, "downloads", rv->downloads);
    kv_u(sb, "download_days_over_threshold", rv->dl_over);
    kv_u(sb, "denied", rv->denied);
    kv_u(sb, "off_hours", rv->offhours);
    kv_u(sb, "new_ips", rv->newips);
    sb_puts(sb, "},\"people\":[");
    for (size_t i = 0; i < rv->npeople; i++) {
        sb_puts(sb, i ? "," : "");
        json_sum(sb, "person", sp_str(p, rv->people[i].key), &rv->people[i], 0);
    }
    sb_puts(sb, "],\"services\":[");
    for (size_t i = 0; i < rv->nservices; i++) {
        sb_puts(sb, i ? "," : "");
        json_sum(sb, "service", sp_str(p, rv->services[i].key), &rv->services[i], 1);
    }
    sb_puts(sb, "],\"days\":[");
    for (size_t i = 0; i < rv->ndays; i++) {
        rp_local_date(c->t0 + (int64_t)i * 86400, c->o->tz_minutes, date, sizeof date);
        sb_puts(sb, i ? "," : "");
        json_sum(sb, "date", date, &rv->days[i], 1);
    }
    sb_puts(sb, "],\"service_callers\":[");
    for (size_t i = 0; i < rv->ncallers; i++) {
        sb_puts(sb, i ? "," : "");
        json_sum(sb, "caller", sp_str(p, rv->callers[i].key), &rv->callers[i], 2);
    }
    sb_puts(sb, "],\"downloads_over_threshold\":[");
    for (size_t i = 0; i < rv->ndl; i++) {
        rp_local_date(c->t0 + rv->dl[i].day * 86400, c->o->tz_minutes, date, sizeof date);
        sb_puts(sb, i ? ",{\"person\":" : "{\"person\":");
        sb_json(sb, sp_str(p, rv->dl[i].person));
        kv(sb, "date", date);
        kv_u(sb, "count", rv->dl[i].count);
        sb_putc(sb, '}');
    }
    sb_puts(sb, "],\"events\":[");
    for (size_t i = 0; i < c->nrows; i++) {
        sb_puts(sb, i ? "," : "");
        json_row(c, sb, &c->rows[i]);
    }
    sb_puts(sb, "],\"not_in_cloudtrail\":{\"ko\":");
    sb_json(sb, rp_fifth_field_ko);
    kv(sb, "en", rp_fifth_field_en);
    sb_puts(sb, "}}\n");
}

/* ---- CSV ---- */

static void csv_cells(struct strbuf *sb, const char *const *cells, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            sb_putc(sb, ',');
        sb_csv(sb, cells[i]);
    }
    sb_puts(sb, "\r\n");
}

void render_review_csv(const struct rctx *c, struct strbuf *sb)
{
    char tzl[16], lt_head[64], lt[32], ut[32], fl[160];
    rp_tz_label(c->o->tz_minutes, tzl, sizeof tzl);
    snprintf(lt_head, sizeof lt_head, "일시(%s) Date-time (%s)", tzl, tzl);
    const char *head[] = {"구분 Kind",
                          "식별자 Identifier",
                          "역할/대리 Role/On behalf of",
                          "계정 Account",
                          lt_head,
                          "일시(UTC) Time (UTC)",
                          "접속지 Source",
                          "서비스 Service",
                          "수행업무 Action",
                          "대상 Resource",
                          "결과 Outcome",
                          "다운로드 Download",
                          "점검 표시 Flags"};
    sb_puts(sb, "\xEF\xBB\xBF");
    csv_cells(sb, head, sizeof head / sizeof *head);
    const struct strpool *p = &c->pool;
    for (size_t i = 0; i < c->nrows; i++) {
        const struct arow *a = &c->rows[i];
        rp_local(a->t, c->o->tz_minutes, lt, sizeof lt);
        rp_utc(a->t, ut, sizeof ut);
        const char *row[] = {a->flags & RF_SERVICE ? "service" : "person",
                             sp_str(p, a->person),
                             sp_str(p, a->role),
                             sp_str(p, a->account),
                             lt,
                             ut,
                             sp_str(p, a->source),
                             sp_str(p, a->service),
                             sp_str(p, a->action),
                             sp_str(p, a->resource),
                             a->outcome ? sp_str(p, a->outcome) : "Success",
                             a->flags & RF_DOWNLOAD ? "yes" : "",
                             rp_flag_names(a->flags, fl, sizeof fl)};
        csv_cells(sb, row, sizeof row / sizeof *row);
    }
}

void render_perm_csv(const struct rctx *c, struct strbuf *sb)
{
    char tzl[16], lt_head[64], lt[32], ut[32];
    rp_tz_label(c->o->tz_minutes, tzl, sizeof tzl);
    snprintf(lt_head, sizeof lt_head, "일시(%s) Date-time (%s)", tzl, tzl);
    const char *head[] = {lt_head,
                          "일시(UTC) Time (UTC)",
                          "수행자 Who",
                          "역할 Role",
                          "주체 ARN Principal ARN",
                          "접속지 Source",
                          "계정 Account",
                          "리전 Region",
                          "서비스 Service",
                          "작업 Action",
                          "구분 Category",
                          "대상 Target",
                          "변경 전 정책 Policy before",
                          "변경 후 정책 Policy after",
                          "결과 Outcome",
                          "오류 메시지 Error message"};
    sb_puts(sb, "\xEF\xBB\xBF");
    csv_cells(sb, head, sizeof head / sizeof *head);
    for (size_t i = 0; i < c->npe; i++) {
        const struct pentry *e = &c->pe[i];
        rp_local(e->t, c->o->tz_minutes, lt, sizeof lt);
        rp_utc(e->t, ut, sizeof ut);
        char *before = rp_pretty(e->before, 1), *after = rp_pretty(e->after, 1);
        const char *row[] = {lt,
                             ut,
                             e->who,
                             e->role,
                             e->arn,
                             e->source,
                             e->account,
                             e->region,
                             e->service,
                             e->action,
                             pcat_name(e->cat),
                             e->target,
                             before,
                             after,
                             e->error ? e->error : "Success",
                             e->message};
        csv_cells(sb, row, sizeof row / sizeof *row);
        free(before);
        free(after);
    }
}

/* ---- permission history, JSON ---- */

static void json_doc(struct strbuf *sb, const char *k, const char *doc)
{
    sb_printf(sb, ",\"%s\":", k);
    char *s = rp_pretty(doc, 1);
    json_t *j = s ? json_loads(s, 0, NULL) : NULL;
    if (j && (json_is_object(j) || json_is_array(j)))
        sb_puts(sb, s); /* a document: embedded as JSON */
    else
        sb_json(sb, s); /* text (a canned ACL, a boundary ARN) or nothing */
    json_decref(j);
    free(s);
}

static void json_pentry(const struct rctx *c, struct strbuf *sb, const struct pentry *e)
{
    char lt[32];
    rp_local(e->t, c->o->tz_minutes, lt, sizeof lt);
    sb_puts(sb, "{\"time\":");
    sb_json(sb, lt);
    kv_time(sb, "time_utc", e->t, 1);
    kv(sb, "who", e->who);
    kv(sb, "role", e->role);
    kv(sb, "principal_arn", e->arn);
    kv(sb, "source", e->source);
    kv(sb, "account", e->account);
    kv(sb, "region", e->region);
    kv(sb, "service", e->service);
    kv(sb, "action", e->action);
    kv(sb, "category", pcat_name(e->cat));
    kv(sb, "target", e->target);
    json_doc(sb, "policy_before", e->before);
    json_doc(sb, "policy_after", e->after);
    kv(sb, "error_code", e->error);
    kv(sb, "error_message", e->message);
    sb_putc(sb, '}');
}

void render_perm_json(const struct rctx *c, struct strbuf *sb)
{
    const struct trail_report_opts *o = c->o;
    json_head(c, sb, "permission-history");
    sb_puts(sb, ",\"period\":{\"since\":");
    char buf[32];
    rp_utc(o->since, buf, sizeof buf);
    sb_json(sb, o->since ? buf : NULL);
    kv_time(sb, "until", o->until, o->until != 0);
    sb_puts(sb, "},\"retention\":{\"regulation\":");
    sb_json(sb, o->regulation);
    if (o->permission_record_days)
        kv_u(sb, "required_days", (uint64_t)o->permission_record_days);
    else
        sb_puts(sb, ",\"required_days\":null");
    kv_time(sb, "oldest_event", c->oldest, c->oldest != INT64_MAX);
    kv_u(sb, "days_covered", (uint64_t)rp_days_covered(c));
    sb_printf(sb, ",\"covers\":%s}",
              o->permission_record_days && rp_days_covered(c) >= o->permission_record_days ? "true"
                                                                                           : "false");
    size_t ok = 0, bad = 0;
    for (size_t i = 0; i < c->npe; i++)
        c->pe[i].error ? bad++ : ok++;
    sb_printf(sb, ",\"totals\":{\"changes\":%zu,\"failed_attempts\":%zu}", ok, bad);
    for (int pass = 0; pass < 2; pass++) {
        sb_puts(sb, pass ? "],\"failed_attempts\":[" : ",\"changes\":[");
        size_t n = 0;
        for (size_t i = 0; i < c->npe; i++)
            if (!c->pe[i].error == !pass) {
                sb_puts(sb, n++ ? "," : "");
                json_pentry(c, sb, &c->pe[i]);
            }
    }
    sb_puts(sb, "]}\n");
}
