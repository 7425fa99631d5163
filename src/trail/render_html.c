/*
 * render_html.c — the reports as one self-contained HTML page (no scripts, no external
 * resources; a Content-Security-Policy forbids loading any), Korean first with English
 * beneath, printable on A4. Everything from the logs is escaped. The per-person detail
 * tables stop at HTML_ROWS_PER_PERSON rows with a note that the CSV/JSON hold every row.
 *
 * Hooks the tests rely on: table#people, table#flag-downloads, table#changes,
 * table#failed-attempts, section.person[data-person], tr.flag[data-flags], p#fifth-field,
 * p#retention[data-covers].
 */
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

#define HTML_ROWS_PER_PERSON 500

static const char css[] =
    "body{font-family:'Noto Sans KR','Malgun Gothic','Apple SD Gothic Neo',sans-serif;font-size:10pt;"
    "color:#111;margin:1.5em}h1{font-size:16pt;margin:0 0 .3em}h2{font-size:13pt;border-bottom:2px solid "
    "#333;"
    "margin-top:1.6em}h3{font-size:11pt;margin:1.2em 0 "
    ".3em}.en{color:#555;font-weight:normal;font-size:.85em}"
    "table{border-collapse:collapse;width:100%;margin:.4em 0}th,td{border:1px solid #999;padding:2px 4px;"
    "vertical-align:top;text-align:left;word-break:break-all}th{background:#eee}td.n{text-align:right}"
    "tr.flag{background:#fff1d6}.note{background:#f4f4f4;border-left:4px solid #777;padding:.4em .7em}"
    ".warn{background:#fde2e2;border-left:4px solid #c00;padding:.4em .7em}pre{white-space:pre-wrap;"
    "margin:0;font-size:8pt}table.meta{width:auto}table.meta th{width:12em}"
    "@page{size:A4;margin:12mm}@media print{body{margin:0}h2{break-after:avoid}tr{break-inside:avoid}"
    "details{display:block}details>summary{display:none}}";

static void esc(struct strbuf *sb, const char *s) { sb_html(sb, s ? s : ""); }

/* <th>Korean<br><span class=en>English</span></th> per pair */
static void heads(struct strbuf *sb, const char *const *ko_en, size_t n)
{
    sb_puts(sb, "<tr>");
    for (size_t i = 0; i + 1 < n; i += 2)
        sb_printf(sb, "<th>%s<br><span class=\"en\">%s</span></th>", ko_en[i], ko_en[i + 1]);
    sb_puts(sb, "</tr>\n");
}

static void td(struct strbuf *sb, const char *s)
{
    sb_puts(sb, "<td>");
    esc(sb, s);
    sb_puts(sb, "</td>");
}

static void tdn(struct strbuf *sb, uint64_t n)
{
    sb_printf(sb, "<td class=\"n\">%llu</td>", (unsigned long long)n);
}

static void h2(struct strbuf *sb, const char *id, const char *ko, const char *en)
{
    sb_printf(sb, "<h2 id=\"%s\">%s <span class=\"en\">%s</span></h2>\n", id, ko, en);
}

static void page_head(const struct rctx *c, struct strbuf *sb, const char *ko, const char *en,
                      const char *period)
{
    const char **acc;
    size_t n = rp_accounts(c, &acc);
    char gen[32], tzl[16];
    rp_tz_label(c->o->tz_minutes, tzl, sizeof tzl);
    rp_local(c->o->now, c->o->tz_minutes, gen, sizeof gen);
    sb_printf(sb,
              "<!DOCTYPE html>\n<html lang=\"ko\"><head><meta charset=\"utf-8\">\n"
              "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
              "'unsafe-inline'\">\n<meta name=\"viewport\" content=\"width=device-width\">\n"
              "<title>%s · %s</title>\n<style>%s</style></head>\n<body>\n<header>\n"
              "<h1>%s <span class=\"en\">%s</span></h1>\n<table class=\"meta\">\n",
              ko, en, css, ko, en);
    sb_puts(sb, "<tr><th>계정 <span class=\"en\">Account(s)</span></th><td>");
    for (size_t i = 0; i < n; i++) {
        sb_puts(sb, i ? ", " : "");
        esc(sb, acc[i]);
    }
    free(acc);
    sb_printf(sb, "%s</td></tr>\n", n ? "" : "-");
    sb_puts(sb, "<tr><th>기간 <span class=\"en\">Period</span></th><td>");
    esc(sb, period);
    sb_printf(sb,
              "</td></tr>\n<tr><th>생성 시각 <span class=\"en\">Generated</span></th><td>%s %s</td></tr>\n",
              gen, tzl);
    sb_printf(sb,
              "<tr><th>원본 파일 <span class=\"en\">Source files</span></th><td>%zu (레코드 %llu "
              "records)</td></tr>\n"
              "</table>\n",
              c->files->n, (unsigned long long)c->records);
    if (c->nfailed) {
        sb_printf(
            sb,
            "<div class=\"warn\" id=\"failed-files\"><b>읽지 못한 파일 %llu개 — 이 보고서는 "
            "불완전합니다.</b> "
            "<span class=\"en\">%llu file(s) could not be read to the end; this report is incomplete.</span>"
            "<pre>",
            (unsigned long long)c->nfailed, (unsigned long long)c->nfailed);
        esc(sb, c->failed.buf);
        sb_puts(sb, "</pre></div>\n");
    }
    sb_puts(sb, "</header>\n");
}

static void page_end(struct strbuf *sb)
{
    sb_puts(sb, "<footer><p class=\"en\">ansim " ANSIM_VERSION "</p></footer>\n</body></html>\n");
}

/* ---- access review ---- */

/* kind: 0 people (sources), 1 services and days (people), 2 service callers (people acted for) */
static void sum_table(const struct rctx *c, struct strbuf *sb, const char *id, const char *const name[2],
                      const struct rv_sum *s, size_t n, int kind)
{
    const char *h[] = {name[0],
                       name[1],
                       "이벤트",
                       "Events",
                       kind == 0   ? "접속지 수"
                       : kind == 1 ? "사람"
                                   : "대리한 사람",
                       kind == 0   ? "Sources"
                       : kind == 1 ? "People"
                                   : "On behalf of",
                       "거부",
                       "Denied",
                       "다운로드",
                       "Downloads",
                       "업무시간 외",
                       "Off-hours",
                       "새 접속지",
                       "New sources"};
    sb_printf(sb, "<table id=\"%s\">\n", id);
    heads(sb, h, kind == 2 ? 8 : sizeof h / sizeof *h);
    for (size_t i = 0; i < n; i++) {
        char date[16];
        int dates = strcmp(id, "days") == 0;
        if (dates)
            rp_local_date(c->t0 + (int64_t)s[i].key * 86400, c->o->tz_minutes, date, sizeof date);
        sb_puts(sb, "<tr>");
        td(sb, dates ? date : sp_str(&c->pool, s[i].key));
        tdn(sb, s[i].events);
        tdn(sb, kind == 0 ? s[i].sources : s[i].people);
        tdn(sb, s[i].denied);
        if (kind != 2) {
            tdn(sb, s[i].downloads);
            tdn(sb, s[i].offhours);
            tdn(sb, s[i].newips);
        }
        sb_puts(sb, "</tr>\n");
    }
    sb_puts(sb, "</table>\n");
}

static void detail_row(const struct rctx *c, struct strbuf *sb, const struct arow *a)
{
    const struct strpool *p = &c->pool;
    char lt[32], fl[160];
    rp_local(a->t, c->o->tz_minutes, lt, sizeof lt);
    rp_flag_names(a->flags, fl, sizeof fl);
    if (fl[0]) {
        sb_puts(sb, "<tr class=\"flag\" data-flags=\"");
        esc(sb, fl);
        sb_puts(sb, "\">");
    } else
        sb_puts(sb, "<tr>");
    td(sb, lt);
    td(sb, sp_str(p, a->role));
    td(sb, sp_str(p, a->source));
    sb_puts(sb, "<td>");
    esc(sb, sp_str(p, a->service));
    sb_puts(sb, " ");
    esc(sb, sp_str(p, a->action));
    if (a->resource) {
        sb_puts(sb, "<br>");
        esc(sb, sp_str(p, a->resource));
    }
    sb_puts(sb, "</td>");
    td(sb, a->outcome ? sp_str(p, a->outcome) : "성공 Success");
    td(sb, fl);
    sb_puts(sb, "</tr>\n");
}

static void person_detail(const struct rctx *c, struct strbuf *sb, const struct rv_sum *s)
{
    static const char *h[] = {"일시",     "Date-time", "역할", "Role",    "접속지",    "Source",
                              "수행업무", "Task",      "결과", "Outcome", "점검 표시", "Flags"};
    sb_puts(sb, "<section class=\"person\" data-person=\"");
    esc(sb, sp_str(&c->pool, s->key));
    sb_puts(sb, "\"><h3>");
    esc(sb, sp_str(&c->pool, s->key));
    sb_printf(sb, " <span class=\"en\">%llu건 events</span></h3>\n<table>\n", (unsigned long long)s->events);
    heads(sb, h, sizeof h / sizeof *h);
    size_t shown = s->n < HTML_ROWS_PER_PERSON ? s->n : HTML_ROWS_PER_PERSON;
    for (size_t i = 0; i < shown; i++)
        detail_row(c, sb, &c->rows[s->first + i]);
    sb_puts(sb, "</table>\n");
    if (shown < s->n)
        sb_printf(
            sb,
            "<p class=\"note\">처음 %zu건만 표시했습니다(전체 %zu건). 모든 행은 CSV/JSON 보고서에 있습니다. "
            "<span class=\"en\">First %zu of %zu rows shown; the CSV and JSON reports hold every "
            "row.</span></p>\n",
            shown, s->n, shown, s->n);
    sb_puts(sb, "</section>\n");
}

static void flags_section(const struct rctx *c, const struct review *rv, struct strbuf *sb)
{
    const struct trail_report_opts *o = c->o;
    h2(sb, "flags", "점검 표시", "Flags for the reviewer");
    sb_printf(sb,
              "<h3>기준 초과 개인정보 다운로드 — 사유 확인 필요 (제8조②) <span class=\"en\">Personal-data "
              "downloads "
              "above %u per person per day — the reason must be checked</span></h3>\n",
              o->download_threshold);
    if (!c->pii)
        sb_puts(
            sb,
            "<p class=\"warn\" id=\"pii-notice\">개인정보 버킷이 지정되지 않아(--pii-buckets) 모든 버킷의 "
            "다운로드를 셉니다. <span class=\"en\">No personal-data buckets were named (--pii-buckets): "
            "downloads from every bucket are counted.</span></p>\n");
    static const char *h[] = {"식별자",      "Identifier", "날짜",        "Date",
                              "다운로드 수", "Downloads",  "확인한 사유", "Reason checked"};
    sb_puts(sb, "<table id=\"flag-downloads\">\n");
    heads(sb, h, sizeof h / sizeof *h);
    for (size_t i = 0; i < rv->ndl; i++) {
        char date[16];
        rp_local_date(c->t0 + rv->dl[i].day * 86400, o->tz_minutes, date, sizeof date);
        sb_puts(sb, "<tr class=\"flag\" data-flags=\"download_over_threshold\">");
        td(sb, sp_str(&c->pool, rv->dl[i].person));
        td(sb, date);
        tdn(sb, rv->dl[i].count);
        sb_puts(sb, "<td></td></tr>\n");
    }
    if (!rv->ndl)
        sb_puts(sb, "<tr><td colspan=\"4\">없음 <span class=\"en\">none</span></td></tr>\n");
    sb_puts(sb, "</table>\n");
    static const char *hn[] = {"식별자", "Identifier", "새 접속지", "New source", "처음 사용", "First used"};
    sb_puts(sb, "<h3>새 접속지 <span class=\"en\">New source IPs</span></h3>\n<table id=\"flag-new-ips\">\n");
    heads(sb, hn, sizeof hn / sizeof *hn);
    for (size_t i = 0; i < rv->nperson_rows; i++) {
        const struct arow *a = &c->rows[i];
        if (!(a->flags & RF_NEWIP))
            continue;
        char lt[32];
        rp_local(a->t, o->tz_minutes, lt, sizeof lt);
        sb_puts(sb, "<tr class=\"flag\" data-flags=\"new_ip\">");
        td(sb, sp_str(&c->pool, a->person));
        td(sb, sp_str(&c->pool, a->source));
        td(sb, lt);
        sb_puts(sb, "</tr>\n");
    }
    sb_puts(sb, "</table>\n");
    char from[32];
    rp_local(c->oldest == INT64_MAX ? c->t0 : c->oldest, o->tz_minutes, from, sizeof from);
    sb_printf(sb,
              "<p class=\"note\">기준: 스캔한 데이터(%s부터)에서 그 사람이 전에 쓰지 않은 접속지(IP 또는 VPC "
              "엔드포인트). 그 사람의 첫 이벤트는 기준이 되며 표시하지 않습니다. 거부된 시도 %llu건, "
              "업무시간(%02d–%02d시) "
              "외·주말 접속 %llu건은 아래 사람별 표에 표시되어 있습니다. <span class=\"en\">Baseline: a "
              "source (IP or VPC "
              "endpoint) the person had not used earlier in the data scanned (from %s); a person's first "
              "event sets "
              "the baseline and is not flagged. %llu denied attempts and %llu events outside working hours "
              "(%02d–%02d) or on weekends are marked in the per-person tables below. Public holidays are not "
              "counted.</span></p>\n",
              from, (unsigned long long)rv->denied, o->work_start, o->work_end,
              (unsigned long long)rv->offhours, from, (unsigned long long)rv->denied,
              (unsigned long long)rv->offhours, o->work_start, o->work_end);
}

void render_review_html(const struct rctx *c, const struct review *rv, struct strbuf *sb)
{
    char period[96], a[32], b[32], tzl[16];
    rp_tz_label(c->o->tz_minutes, tzl, sizeof tzl);
    rp_local(c->t0, c->o->tz_minutes, a, sizeof a);
    rp_local(c->t1 - 1, c->o->tz_minutes, b, sizeof b);
    snprintf(period, sizeof period, "%04d-%02d (%s – %s %s)", c->o->year, c->o->month, a, b, tzl);
    page_head(c, sb, "접속기록 점검 보고서", "Access-record review", period);
    sb_printf(sb, "<p id=\"fifth-field\" class=\"warn\">%s <span class=\"en\">%s</span></p>\n",
              rp_fifth_field_ko, rp_fifth_field_en);
    h2(sb, "summary", "요약", "Summary");
    sb_printf(
        sb,
        "<p>사람 %zu명, 이벤트 %llu건, 개인정보 다운로드 %llu건, 거부 %llu건, 업무시간 외 %llu건, 새 접속지 "
        "%llu건; 서비스 호출 %zu건. <span class=\"en\">%zu people, %llu events, %llu personal-data "
        "downloads, %llu denied, %llu off-hours, %llu new sources; %zu service-caller events.</span></p>\n",
        rv->npeople, (unsigned long long)rv->events, (unsigned long long)rv->downloads,
        (unsigned long long)rv->denied, (unsigned long long)rv->offhours, (unsigned long long)rv->newips,
        c->nrows - rv->nperson_rows, rv->npeople, (unsigned long long)rv->events,
        (unsigned long long)rv->downloads, (unsigned long long)rv->denied, (unsigned long long)rv->offhours,
        (unsigned long long)rv->newips, c->nrows - rv->nperson_rows);
    flags_section(c, rv, sb);
    h2(sb, "per-person", "사람별 요약", "Per person");
    static const char *const ident[] = {"식별자", "Identifier"}, *svc[] = {"서비스", "Service"},
                             *day[] = {"날짜", "Date"}, *caller[] = {"호출자", "Caller"};
    sum_table(c, sb, "people", ident, rv->people, rv->npeople, 0);
    h2(sb, "per-service", "서비스별", "Per service");
    sum_table(c, sb, "services", svc, rv->services, rv->nservices, 1);
    h2(sb, "per-day", "일별", "Per day");
    sum_table(c, sb, "days", day, rv->days, rv->ndays, 1);
    h2(sb, "service-callers", "서비스 호출자 (사람 아님)", "Service callers (not people)");
    sum_table(c, sb, "callers", caller, rv->callers, rv->ncallers, 2);
    h2(sb, "details", "사람별 접속기록", "Access records per person");
    for (size_t i = 0; i < rv->npeople; i++)
        person_detail(c, sb, &rv->people[i]);
    page_end(sb);
}

/* ---- permission history ---- */

static void doc_cell(struct strbuf *sb, const char *doc)
{
    sb_puts(sb, "<td>");
    if (doc) {
        char *p = rp_pretty(doc, 0);
        sb_puts(sb, "<details><summary>보기 <span class=\"en\">show</span></summary><pre>");
        esc(sb, p);
        sb_puts(sb, "</pre></details>");
        free(p);
    }
    sb_puts(sb, "</td>");
}

static void perm_table(const struct rctx *c, struct strbuf *sb, const char *id, int failed)
{
    static const char *h[] = {"일시",    "Date-time", "수행자",  "Who",      "접속지", "Source",
                              "작업",    "Action",    "구분",    "Category", "대상",   "Target",
                              "변경 전", "Before",    "변경 후", "After",    "결과",   "Outcome"};
    static const char *cat_ko[] = {"부여", "변경", "회수"};
    sb_printf(sb, "<table id=\"%s\">\n", id);
    heads(sb, h, sizeof h / sizeof *h);
    size_t n = 0;
    for (size_t i = 0; i < c->npe; i++) {
        const struct pentry *e = &c->pe[i];
        if (!e->error != !failed)
            continue;
        char lt[32];
        n++;
        rp_local(e->t, c->o->tz_minutes, lt, sizeof lt);
        sb_printf(sb, "<tr data-action=\"%s\">", e->action); /* an entry of the fixed event table */
        td(sb, lt);
        sb_puts(sb, "<td>");
        esc(sb, e->who);
        if (e->role && e->role[0]) {
            sb_puts(sb, " (");
            esc(sb, e->role);
            sb_puts(sb, ")");
        }
        sb_puts(sb, "<br><span class=\"en\">");
        esc(sb, e->arn);
        sb_puts(sb, "</span></td>");
        td(sb, e->source);
        sb_puts(sb, "<td>");
        esc(sb, e->service);
        sb_puts(sb, " ");
        esc(sb, e->action);
        sb_puts(sb, "</td>");
        sb_printf(sb, "<td>%s <span class=\"en\">%s</span></td>", cat_ko[e->cat], pcat_name(e->cat));
        td(sb, e->target);
        doc_cell(sb, e->before);
        doc_cell(sb, e->after);
        sb_puts(sb, "<td>");
        esc(sb, e->error ? e->error : "성공 Success");
        if (e->message) {
            sb_puts(sb, "<br>");
            esc(sb, e->message);
        }
        sb_puts(sb, "</td></tr>\n");
    }
    if (!n)
        sb_puts(sb, "<tr><td colspan=\"9\">없음 <span class=\"en\">none</span></td></tr>\n");
    sb_puts(sb, "</table>\n");
}

static void retention(const struct rctx *c, struct strbuf *sb)
{
    const struct trail_report_opts *o = c->o;
    int64_t need = o->permission_record_days, have = rp_days_covered(c);
    int covers = need && have >= need;
    char from[32] = "-";
    if (c->oldest != INT64_MAX)
        rp_local(c->oldest, o->tz_minutes, from, sizeof from);
    sb_printf(sb, "<p id=\"retention\" class=\"%s\" data-covers=\"%s\">", covers ? "note" : "warn",
              covers ? "true" : "false");
    sb_puts(sb, "규정(");
    esc(sb, o->regulation);
    sb_printf(
        sb,
        ")은 권한 부여·변경·말소 기록을 %lld일 이상 보관하도록 요구합니다(2023 기준 제5조③ 3년, 2021 기준 "
        "제4조③ 5년). 스캔한 데이터의 가장 오래된 이벤트는 %s로, %lld일을 포함합니다: %s. "
        "<span class=\"en\">The regulation (",
        (long long)need, from, (long long)have, covers ? "충족" : "부족");
    esc(sb, o->regulation);
    sb_printf(
        sb,
        ") requires records of every grant, change and revocation of access rights for %lld days. The "
        "oldest event in the data scanned is %s, covering %lld days: %s. Whether the trail bucket keeps "
        "them that long is a question for `ansim scan` (cloudtrail.retention).</span></p>\n",
        (long long)need, from, (long long)have, covers ? "covered" : "not covered");
}

void render_perm_html(const struct rctx *c, struct strbuf *sb)
{
    char period[96] = "", a[32] = "", b[32] = "", tzl[16];
    const struct trail_report_opts *o = c->o;
    rp_tz_label(o->tz_minutes, tzl, sizeof tzl);
    if (o->since)
        rp_local(o->since, o->tz_minutes, a, sizeof a);
    else if (c->oldest != INT64_MAX)
        rp_local(c->oldest, o->tz_minutes, a, sizeof a);
    if (o->until)
        rp_local(o->until, o->tz_minutes, b, sizeof b);
    else if (c->newest != INT64_MIN)
        rp_local(c->newest, o->tz_minutes, b, sizeof b);
    snprintf(period, sizeof period, "%s – %s %s", a, b, tzl);
    page_head(c, sb, "접근권한 부여·변경·말소 기록", "Access-right grant/change/revoke history", period);
    retention(c, sb);
    h2(sb, "changes-h", "권한 변경 이력", "Changes");
    perm_table(c, sb, "changes", 0);
    h2(sb, "failed-h", "실패한 시도", "Failed attempts");
    perm_table(c, sb, "failed-attempts", 1);
    page_end(sb);
}
