/*
 * html.c — the HTML report: one self-contained HTML5 document (inline CSS and vanilla
 * JS, no external URL of any kind, so it works offline and can be mailed as a file).
 *
 * Layout, top to bottom: a header with the scan metadata; a summary (overall score ring,
 * counts per status, failures per severity, one card per area); one block per framework
 * (score, stacked bar of requirement statuses, a collapsible requirements table); the
 * findings table with filters.
 *
 * Every string that comes from data (snapshot, catalogue, reasons) goes through
 * sb_html(). The script embeds no data: it reads the DOM (data-status / data-severity /
 * data-area / data-control on each tr.finding) and hides the rows the filters exclude.
 * A Content-Security-Policy meta tag forbids any network load, as a second line of defence.
 *
 * Stable hooks used by tests/html_check.sh: #score, #frameworks, .framework[data-framework],
 * table#findings, tr.finding[data-*], #filter-status, #filter-severity, #filter-area,
 * #filter-text, #shown-count.
 */
#include <string.h>

#include <stdlib.h>

#include "report.h"

/* ---- small helpers ---- */

static void esc(struct strbuf *sb, const char *s) { sb_html(sb, s ? s : ""); }

static void esc_i18n(struct strbuf *sb, enum lang l, const struct i18n *t)
{
    sb_html(sb, L(l, t->en, t->ko));
}

/* Escaped value, or an em dash when missing. */
static void esc_or_dash(struct strbuf *sb, const char *s)
{
    if (s && *s)
        sb_html(sb, s);
    else
        sb_puts(sb, "\xe2\x80\x94");
}

static const char *score_class(double score) { return score >= 80 ? "good" : score >= 50 ? "warn" : "bad"; }

/* Findings that were actually checked (manual and n/a do not move a score). */
static size_t checked(const struct counts *c) { return c->n[ST_PASS] + c->n[ST_FAIL] + c->n[ST_ERROR]; }

static void status_badge(struct strbuf *sb, enum status s, enum lang l)
{
    sb_puts(sb, "<span class=\"badge st-");
    esc(sb, status_name(s));
    sb_puts(sb, "\">");
    esc(sb, status_label(s, l));
    sb_puts(sb, "</span>");
}

static void severity_badge(struct strbuf *sb, enum severity s, enum lang l)
{
    sb_puts(sb, "<span class=\"sev sev-");
    esc(sb, severity_name(s));
    sb_puts(sb, "\">");
    esc(sb, severity_label(s, l));
    sb_puts(sb, "</span>");
}

/* ---- head: CSS ---- */

static const char *const css[] = {
    ":root{--fail:#c62828;--fail-bg:#fdecea;--error:#d9480f;--error-bg:#fff1e6;"
    "--pass:#2e7d32;--pass-bg:#e8f5e9;--manual:#46607d;--manual-bg:#e6edf5;"
    "--na:#6b7280;--na-bg:#f1f3f5;--ink:#1d2433;--muted:#5f6b7a;--line:#e3e7ee;"
    "--bg:#f4f6f9;--card:#fff;--brand:#17233b;--accent:#2f6fde}\n",
    "*{box-sizing:border-box}\n"
    "html{-webkit-text-size-adjust:100%}\n"
    "body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.5 -apple-system,"
    "BlinkMacSystemFont,\"Segoe UI\",Roboto,\"Noto Sans KR\",\"Noto Sans CJK KR\","
    "\"Apple SD Gothic Neo\",\"Malgun Gothic\",\"NanumGothic\",\"Helvetica Neue\",Arial,"
    "sans-serif;-webkit-print-color-adjust:exact;print-color-adjust:exact}\n"
    "[hidden]{display:none!important}\n"
    "code,pre{font:12.5px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,\"Liberation Mono\","
    "monospace}\n"
    "a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}\n"
    "h2{font-size:18px;margin:0 0 14px}h3{font-size:15px;margin:22px 0 10px}\n"
    ".wrap{max-width:1240px;margin:0 auto;padding:0 24px}\n",
    /* header */
    "header.top{background:var(--brand);color:#fff;padding:22px 0 18px}\n"
    ".brand{display:flex;align-items:baseline;gap:14px;flex-wrap:wrap}\n"
    ".logo{font-size:26px;font-weight:800;letter-spacing:.5px}\n"
    ".logo::before{content:\"\";display:inline-block;width:12px;height:12px;border-radius:3px;"
    "background:#4ade80;margin-right:9px;vertical-align:2px}\n"
    ".subtitle{font-size:15px;opacity:.85}\n"
    "dl.meta{display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:10px 24px;"
    "margin:16px 0 0}\n"
    "dl.meta div{min-width:0}dl.meta dt{font-size:11px;text-transform:uppercase;letter-spacing:.6px;"
    "opacity:.65}\n"
    "dl.meta dd{margin:2px 0 0;font-size:13.5px;overflow-wrap:anywhere}\n"
    "nav.toc{display:flex;gap:18px;padding-top:14px;padding-bottom:4px;font-size:13px}\n",
    /* cards, summary */
    "section.card{background:var(--card);border:1px solid var(--line);border-radius:10px;"
    "padding:20px 22px;margin:14px 0 18px;box-shadow:0 1px 2px rgba(16,24,40,.04)}\n"
    ".summary-grid{display:flex;gap:32px;align-items:center;flex-wrap:wrap}\n"
    ".ring{--c:var(--pass);width:150px;height:150px;border-radius:50%;flex:none;display:grid;"
    "place-items:center;background:conic-gradient(var(--c) calc(var(--p)*1%),#e7ebf1 0)}\n"
    ".ring.warn{--c:#e8a317}.ring.bad{--c:var(--fail)}\n"
    ".ring>div{width:118px;height:118px;border-radius:50%;background:#fff;display:flex;"
    "flex-direction:column;align-items:center;justify-content:center}\n"
    "#score{font-size:34px;font-weight:800;line-height:1}\n"
    ".ring small{color:var(--muted);font-size:12px;margin-top:4px}\n"
    ".ring-label{font-weight:600;margin-bottom:8px}\n"
    "ul.counts{list-style:none;margin:0 0 12px;padding:0;display:flex;gap:10px;flex-wrap:wrap}\n"
    "ul.counts li{border-radius:8px;padding:8px 14px;min-width:92px}\n"
    "ul.counts b{display:block;font-size:22px;line-height:1.2}\n"
    ".sevline{color:var(--muted);font-size:13px;display:flex;gap:14px;flex-wrap:wrap}\n"
    ".note{color:var(--muted);font-size:12.5px;margin:10px 0 0}\n",
    /* status and severity colours */
    ".st-fail{background:var(--fail-bg);color:var(--fail)}"
    ".st-error{background:var(--error-bg);color:var(--error)}"
    ".st-pass{background:var(--pass-bg);color:var(--pass)}"
    ".st-manual{background:var(--manual-bg);color:var(--manual)}"
    ".st-not_applicable{background:var(--na-bg);color:var(--na)}\n"
    ".badge{display:inline-block;border-radius:999px;padding:1px 10px;font-size:12px;"
    "font-weight:700;white-space:nowrap}\n"
    ".sev{white-space:nowrap;font-size:12.5px}.sev::before{content:\"\";display:inline-block;"
    "width:8px;height:8px;border-radius:50%;margin-right:6px;background:currentColor}\n"
    ".sev-critical{color:#8b1a1a;font-weight:700}.sev-high{color:#c62828;font-weight:600}"
    ".sev-medium{color:#b26a00}.sev-low{color:#2f6fde}.sev-info{color:var(--na)}\n",
    /* area cards and bars */
    ".areas{display:grid;grid-template-columns:repeat(auto-fill,minmax(215px,1fr));gap:12px}\n"
    ".area{border:1px solid var(--line);border-radius:8px;padding:12px 14px}\n"
    ".area-name{font-weight:600;font-size:13px;min-height:2.9em}\n"
    ".area-score{font-size:24px;font-weight:800;margin:2px 0 6px}\n"
    ".area-score small{font-size:12px;color:var(--muted);font-weight:400}\n"
    ".bar{height:8px;background:#e7ebf1;border-radius:99px;overflow:hidden;display:flex}\n"
    ".bar>span{display:block;height:100%}\n"
    ".bar .good{background:var(--pass)}.bar .warn{background:#e8a317}.bar .bad{background:var(--fail)}\n"
    ".bar .s-pass{background:var(--pass)}.bar .s-fail{background:var(--fail)}"
    ".bar .s-error{background:var(--error)}.bar .s-manual{background:#8aa2bd}"
    ".bar .s-not_applicable{background:#c5cad3}\n"
    ".area-counts{color:var(--muted);font-size:12px;margin-top:8px}\n",
    /* frameworks */
    ".framework{border:1px solid var(--line);border-radius:8px;padding:14px 16px;margin:0 0 12px}\n"
    ".fw-head{display:flex;gap:18px;align-items:center;flex-wrap:wrap}\n"
    ".fw-title{flex:1 1 320px;min-width:0}.fw-title b{font-size:15px}\n"
    ".fw-title .fw-id{color:var(--muted);font-size:12px;margin-left:8px}\n"
    ".fw-score{font-size:26px;font-weight:800;min-width:90px;text-align:right}\n"
    ".fw-score small{font-size:12px;color:var(--muted);font-weight:400}\n"
    ".fw-score.good{color:var(--pass)}.fw-score.warn{color:#b26a00}.fw-score.bad{color:var(--fail)}\n"
    ".fw-bar{margin:10px 0 6px;height:10px}\n"
    ".fw-counts{font-size:12.5px;color:var(--muted);display:flex;gap:12px;flex-wrap:wrap}\n"
    "details>summary{cursor:pointer;color:var(--accent);font-size:13px;margin-top:8px;"
    "user-select:none}\n"
    ".evidence{color:var(--manual);font-size:12.5px;margin-top:3px}\n"
    "a.ctl{display:inline-block;margin:0 6px 2px 0}\n",
    /* tables */
    "table{width:100%;border-collapse:collapse;margin-top:8px}\n"
    "th{text-align:left;font-size:11.5px;text-transform:uppercase;letter-spacing:.5px;"
    "color:var(--muted);border-bottom:2px solid var(--line);padding:8px 10px;background:#fafbfc}\n"
    "td{padding:9px 10px;vertical-align:top;border-top:1px solid var(--line)}\n"
    "table.reqs td.rid{white-space:nowrap;font-weight:600}\n"
    "#findings{table-layout:fixed}\n"
    "#findings col.c-st{width:92px}#findings col.c-sev{width:92px}#findings col.c-area{width:150px}"
    "#findings col.c-ctl{width:25%}#findings col.c-res{width:22%}\n"
    "#findings tbody.f:hover td{background:#fafcff}\n"
    "#findings tr.detail td{border-top:0;padding-top:0}\n"
    "#findings tr.finding[data-status=fail] td:first-child{box-shadow:inset 3px 0 var(--fail)}"
    "#findings tr.finding[data-status=error] td:first-child{box-shadow:inset 3px 0 var(--error)}\n"
    ".ctl-id{font-size:12px;color:var(--muted)}\n"
    ".rtype{font-size:11.5px;color:var(--muted)}.rid-code{overflow-wrap:anywhere}\n"
    ".region{font-size:11.5px;color:var(--muted)}\n"
    ".area-cell{font-size:12.5px}\n"
    ".det{border-left:3px solid var(--line);margin:6px 0 4px;padding:2px 0 2px 14px}\n"
    ".det h4{margin:12px 0 4px;font-size:12px;text-transform:uppercase;letter-spacing:.5px;"
    "color:var(--muted)}\n"
    ".det p{margin:0;white-space:pre-line}\n"
    "pre{background:#0f172a;color:#e2e8f0;border-radius:6px;padding:10px 12px;margin:4px 0;"
    "overflow-x:auto;max-width:100%}\n"
    "pre code{white-space:pre}\n"
    ".fref{font-size:12px;color:var(--muted);display:flex;gap:12px;flex-wrap:wrap;align-items:baseline}\n"
    "a.fix{white-space:nowrap}\n"
    "details.control{border-top:1px solid var(--line);padding:4px 0 8px}\n"
    "details.control>summary{color:var(--ink);font-size:14px}\n"
    ".ctl-counts{color:var(--muted);font-size:12.5px;margin-left:8px}\n",
    /* filters */
    ".filters{display:flex;gap:10px;flex-wrap:wrap;align-items:flex-end;margin-bottom:6px}\n"
    ".filters label{display:flex;flex-direction:column;font-size:11.5px;color:var(--muted);"
    "gap:3px;text-transform:uppercase;letter-spacing:.4px}\n"
    ".filters select,.filters input{font:inherit;font-size:13px;padding:6px 8px;border:1px solid "
    "#cfd6e0;border-radius:6px;background:#fff;color:var(--ink);min-width:140px}\n"
    ".filters input{min-width:260px}\n"
    ".filters button{font:inherit;font-size:13px;padding:6px 12px;border:1px solid #cfd6e0;"
    "border-radius:6px;background:#fff;cursor:pointer}\n"
    ".filters button:hover{background:#f0f4fa}\n"
    ".counter{color:var(--muted);font-size:13px;margin:8px 0 0}\n"
    "#shown-count{font-weight:700;color:var(--ink)}\n"
    ".empty{color:var(--muted);text-align:center;padding:24px}\n"
    "footer{color:var(--muted);font-size:12px;padding:8px 0 40px}\n",
    /* print: everything expanded, no controls, no shadows */
    "@media print{body{background:#fff;font-size:11px}nav.toc,.filters,.no-print{display:none!important}"
    "section.card{box-shadow:none;border:0;padding:0;margin:0 0 16px}"
    "header.top{padding:12px 0}.wrap{max-width:none;padding:0}"
    "details>summary{display:none}details.control>summary{display:list-item}a.fix{display:none}tbody.f,."
    "framework,.area{break-inside:avoid}"
    "pre{white-space:pre-wrap;overflow:visible;background:#f3f5f8;color:#111;"
    "border:1px solid #dde2ea}pre code{white-space:pre-wrap}"
    "#findings col.c-area{width:110px}}\n",
    "@media print{details::details-content{content-visibility:visible;display:contents}}\n",
};

static void write_head(const struct report_ctx *ctx, struct strbuf *sb)
{
    enum lang l = ctx->lang;
    sb_printf(sb, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n",
              l == LANG_KO ? "ko" : "en");
    sb_puts(sb, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; "
                "base-uri 'none'; form-action 'none'\">\n"
                "<meta name=\"generator\" content=\"ansim " ANSIM_VERSION "\">\n<title>ansim \xe2\x80\x94 ");
    esc(sb, L(l, "Compliance report", "개인정보보호 점검 보고서"));
    if (ctx->res->meta.account_id) {
        sb_puts(sb, " \xe2\x80\x94 ");
        esc(sb, ctx->res->meta.account_id);
    }
    sb_puts(sb, "</title>\n<style>\n");
    for (size_t i = 0; i < sizeof css / sizeof css[0]; i++)
        sb_puts(sb, css[i]);
    sb_puts(sb, "</style>\n</head>\n<body>\n");
}

/* ---- header ---- */

static void meta_item(struct strbuf *sb, const char *label, const char *value)
{
    sb_puts(sb, "<div><dt>");
    esc(sb, label);
    sb_puts(sb, "</dt><dd>");
    esc_or_dash(sb, value);
    sb_puts(sb, "</dd></div>\n");
}

static void write_header(const struct report_ctx *ctx, struct strbuf *sb)
{
    const struct scan_meta *m = &ctx->res->meta;
    enum lang l = ctx->lang;

    sb_puts(sb, "<header class=\"top\"><div class=\"wrap\">\n<div class=\"brand\">"
                "<span class=\"logo\">ansim</span><span class=\"subtitle\">");
    esc(sb,
        L(l, "AWS personal information protection compliance report", "AWS 개인정보보호 준수 점검 보고서"));
    sb_puts(sb, "</span></div>\n<dl class=\"meta\">\n");
    meta_item(sb, L(l, "AWS account", "AWS 계정"), m->account_id);
    meta_item(sb, L(l, "Scan ID", "스캔 ID"), m->id);
    meta_item(sb, L(l, "Source", "수집 방식"), m->source);
    if (m->snapshot_path)
        meta_item(sb, L(l, "Snapshot", "스냅샷"), m->snapshot_path);
    meta_item(sb, L(l, "Started", "시작 시각"), m->started_at);
    meta_item(sb, L(l, "Finished", "종료 시각"), m->finished_at);
    sb_puts(sb, "<div><dt>");
    esc(sb, L(l, "Regions", "리전"));
    sb_puts(sb, "</dt><dd>");
    for (size_t i = 0; i < m->nregions; i++) {
        if (i)
            sb_puts(sb, ", ");
        esc(sb, m->regions[i]);
    }
    if (!m->nregions)
        sb_puts(sb, "\xe2\x80\x94");
    sb_puts(sb, "</dd></div>\n</dl>\n</div></header>\n");

    sb_puts(sb, "<nav class=\"toc wrap\"><a href=\"#summary\">");
    esc(sb, L(l, "Summary", "요약"));
    sb_puts(sb, "</a><a href=\"#frameworks\">");
    esc(sb, L(l, "Frameworks", "준거 기준"));
    sb_puts(sb, "</a><a href=\"#findings-section\">");
    esc(sb, L(l, "Findings", "점검 결과"));
    if (ctx->res->ncontrols) {
        sb_puts(sb, "</a><a href=\"#controls-section\">");
        esc(sb, L(l, "Remediation", "조치 방법"));
    }
    sb_puts(sb, "</a></nav>\n<main class=\"wrap\">\n");
}

/* ---- summary: score ring, counts, areas ---- */

static void write_counts(const struct report_ctx *ctx, struct strbuf *sb)
{
    static const enum status order[] = {ST_FAIL, ST_ERROR, ST_PASS, ST_MANUAL, ST_NA};
    const struct scan_result *res = ctx->res;
    enum lang l = ctx->lang;

    sb_puts(sb, "<ul class=\"counts\">\n");
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        enum status s = order[i];
        sb_printf(sb, "<li class=\"st-%s\" data-status=\"%s\"><b>%zu</b>", status_name(s), status_name(s),
                  res->total.n[s]);
        esc(sb, status_label(s, l));
        sb_puts(sb, "</li>\n");
    }
    sb_puts(sb, "</ul>\n<div class=\"sevline\"><span>");
    esc(sb, L(l, "Failures by severity:", "위험도별 실패:"));
    sb_puts(sb, "</span>");
    for (int s = 0; s < SEV__COUNT; s++) {
        sb_puts(sb, "<span>");
        severity_badge(sb, (enum severity)s, l);
        sb_printf(sb, " %zu</span>", res->by_severity[s].n[ST_FAIL]);
    }
    sb_puts(sb, "</div>\n");
}

static void write_area(const struct report_ctx *ctx, struct strbuf *sb, enum area a)
{
    const struct counts *c = &ctx->res->by_area[a];
    enum lang l = ctx->lang;

    sb_printf(sb, "<div class=\"area\" data-area=\"%s\"><div class=\"area-name\">", area_name(a));
    esc(sb, area_label(a, l));
    sb_puts(sb, "</div>");
    if (checked(c)) {
        sb_printf(sb, "<div class=\"area-score\">%.1f <small>/ 100</small></div>", c->score);
        sb_printf(sb, "<div class=\"bar\"><span class=\"%s\" style=\"width:%.1f%%\"></span></div>",
                  score_class(c->score),
                  c->score < 0     ? 0
                  : c->score > 100 ? 100
                                   : c->score);
    } else {
        sb_puts(sb, "<div class=\"area-score\">\xe2\x80\x94 <small>");
        esc(sb, L(l, "nothing evaluated", "평가 대상 없음"));
        sb_puts(sb, "</small></div><div class=\"bar\"></div>");
    }
    sb_puts(sb, "<div class=\"area-counts\">");
    static const enum status shown[] = {ST_FAIL, ST_ERROR, ST_PASS};
    for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++) {
        if (i)
            sb_puts(sb, " \xc2\xb7 ");
        esc(sb, status_label(shown[i], l));
        sb_printf(sb, " %zu", c->n[shown[i]]);
    }
    sb_puts(sb, "</div></div>\n");
}

static void write_summary(const struct report_ctx *ctx, struct strbuf *sb)
{
    const struct counts *t = &ctx->res->total;
    enum lang l = ctx->lang;
    double p = t->score < 0 ? 0 : t->score > 100 ? 100 : t->score;

    sb_puts(sb, "<section id=\"summary\" class=\"card\">\n<h2>");
    esc(sb, L(l, "Summary", "요약"));
    sb_puts(sb, "</h2>\n<div class=\"summary-grid\">\n<div><div class=\"ring-label\">");
    esc(sb, L(l, "Overall score", "종합 점수"));
    sb_printf(sb,
              "</div><div class=\"ring %s\" style=\"--p:%.1f\"><div><span id=\"score\">%.1f</span>"
              "<small>/ 100</small></div></div></div>\n<div>\n",
              score_class(t->score), p, t->score);
    write_counts(ctx, sb);
    sb_puts(sb, "<p class=\"note\">");
    esc(sb, L(l,
              "The score weighs each automated check by severity (critical 10, high 5, medium 3, "
              "low 1). Errors count as failures: a resource that could not be read is never a pass.",
              "점수는 자동 점검 결과를 위험도로 가중한 값입니다(긴급 10, 높음 5, 보통 3, 낮음 1). "
              "읽지 못한 리소스는 통과로 보지 않으며 오류는 실패로 계산됩니다."));
    sb_puts(sb, "</p>\n</div>\n</div>\n<h3>");
    esc(sb, L(l, "Score by area", "영역별 점수"));
    sb_puts(sb, "</h3>\n<div class=\"areas\">\n");
    for (int a = 0; a < AREA__COUNT; a++)
        write_area(ctx, sb, (enum area)a);
    sb_puts(sb, "</div>\n</section>\n");
}

/* ---- frameworks ---- */

static void write_requirement(const struct report_ctx *ctx, struct strbuf *sb, const struct req_result *rr)
{
    const struct requirement *r = rr->req;
    enum lang l = ctx->lang;

    sb_printf(sb, "<tr data-status=\"%s\"><td class=\"rid\">", status_name(rr->status));
    esc(sb, r->id);
    sb_puts(sb, "</td><td>");
    esc_i18n(sb, l, &r->title);
    if (rr->status == ST_MANUAL) {
        const char *ev = L(l, r->evidence.en, r->evidence.ko);
        sb_puts(sb, "<div class=\"evidence\">");
        if (*ev) {
            esc(sb, L(l, "Evidence to prepare: ", "준비할 증적: "));
            esc(sb, ev);
        } else {
            esc(sb, L(l, "No automated check: review manually.", "자동 점검 없음: 수동으로 확인하세요."));
        }
        sb_puts(sb, "</div>");
    }
    if (rr->status == ST_FAIL) { /* the failing resources, the first few by name */
        enum { SHOWN = 8 };
        const struct finding *fl[SHOWN];
        size_t n = eval_req_failing(ctx->res, rr, fl, SHOWN);
        sb_puts(sb, "<div class=\"failing\">");
        esc(sb, L(l, "Failing: ", "미충족 리소스: "));
        for (size_t k = 0; k < n && k < SHOWN; k++) {
            sb_puts(sb, k ? ", <code>" : "<code>");
            esc(sb, fl[k]->resource_id);
            sb_puts(sb, "</code> (");
            esc(sb, fl[k]->control->id);
            sb_putc(sb, ')');
        }
        if (n > SHOWN)
            sb_printf(sb, L(l, " and %zu more", " 외 %zu건"), n - SHOWN);
        sb_puts(sb, "</div>");
    }
    sb_puts(sb, "</td><td>");
    status_badge(sb, rr->status, l);
    sb_puts(sb, "</td><td>");
    for (size_t k = 0; k < r->ncontrols; k++) {
        sb_puts(sb, "<a class=\"ctl\" href=\"#findings-section\" data-control=\"");
        esc(sb, r->controls[k]);
        sb_puts(sb, "\"><code>");
        esc(sb, r->controls[k]);
        sb_puts(sb, "</code></a>");
    }
    if (!r->ncontrols)
        sb_puts(sb, "\xe2\x80\x94");
    sb_puts(sb, "</td></tr>\n");
}

/* Stacked bar of requirement statuses, then the counts in words. */
static void write_fw_bar(const struct report_ctx *ctx, struct strbuf *sb, const struct fw_result *fr)
{
    static const enum status order[] = {ST_PASS, ST_FAIL, ST_ERROR, ST_MANUAL, ST_NA};
    size_t n = fr->nreqs ? fr->nreqs : 1;

    sb_puts(sb, "<div class=\"bar fw-bar\">");
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        if (fr->counts.n[order[i]])
            sb_printf(sb, "<span class=\"s-%s\" style=\"width:%.2f%%\"></span>", status_name(order[i]),
                      100.0 * (double)fr->counts.n[order[i]] / (double)n);
    sb_puts(sb, "</div>\n<div class=\"fw-counts\">");
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        sb_puts(sb, "<span>");
        status_badge(sb, order[i], ctx->lang);
        sb_printf(sb, " %zu</span>", fr->counts.n[order[i]]);
    }
    sb_puts(sb, "</div>\n");
}

static void write_framework(const struct report_ctx *ctx, struct strbuf *sb, const struct fw_result *fr)
{
    const struct framework *fw = fr->fw;
    enum lang l = ctx->lang;

    sb_puts(sb, "<section class=\"framework\" data-framework=\"");
    esc(sb, fw->id);
    sb_puts(sb, "\">\n<div class=\"fw-head\"><div class=\"fw-title\"><b>");
    esc_i18n(sb, l, &fw->title);
    sb_puts(sb, "</b><span class=\"fw-id\">");
    esc(sb, fw->id);
    if (fw->version) {
        sb_puts(sb, " \xc2\xb7 ");
        esc(sb, fw->version);
    }
    sb_puts(sb, "</span>");
    if (L(l, fw->source_text.en, fw->source_text.ko)[0]) {
        sb_puts(sb, "<div class=\"note\">");
        esc_i18n(sb, l, &fw->source_text);
        sb_puts(sb, "</div>");
    }
    sb_printf(sb, "</div><div class=\"fw-score %s\">%.1f <small>/ 100</small></div></div>\n",
              score_class(fr->score), fr->score);
    write_fw_bar(ctx, sb, fr);
    sb_puts(sb, "<details><summary>");
    esc(sb, L(l, "Requirements", "요구사항"));
    sb_printf(sb, " (%zu)</summary>\n<table class=\"reqs\"><thead><tr><th>ID</th><th>", fr->nreqs);
    esc(sb, L(l, "Requirement", "요구사항"));
    sb_puts(sb, "</th><th>");
    esc(sb, L(l, "Status", "상태"));
    sb_puts(sb, "</th><th>");
    esc(sb, L(l, "Controls", "통제 항목"));
    sb_puts(sb, "</th></tr></thead>\n<tbody>\n");
    for (size_t j = 0; j < fr->nreqs; j++)
        write_requirement(ctx, sb, &fr->reqs[j]);
    sb_puts(sb, "</tbody></table>\n</details>\n</section>\n");
}

static void write_frameworks(const struct report_ctx *ctx, struct strbuf *sb)
{
    sb_puts(sb, "<section id=\"frameworks\" class=\"card\">\n<h2>");
    esc(sb, L(ctx->lang, "Frameworks", "준거 기준"));
    sb_puts(sb, "</h2>\n");
    for (size_t i = 0; i < ctx->res->nfws; i++)
        write_framework(ctx, sb, &ctx->res->fws[i]);
    if (!ctx->res->nfws) {
        sb_puts(sb, "<p class=\"empty\">");
        esc(sb, L(ctx->lang, "No framework selected.", "선택된 준거 기준이 없습니다."));
        sb_puts(sb, "</p>\n");
    }
    sb_puts(sb, "</section>\n");
}

/* ---- findings ---- */

static void write_select(struct strbuf *sb, enum lang l, const char *id, const char *label, int n,
                         const char *(*name)(int), const char *(*lab)(int, enum lang))
{
    sb_puts(sb, "<label>");
    esc(sb, label);
    sb_printf(sb, "<select id=\"%s\"><option value=\"\">", id);
    esc(sb, L(l, "All", "전체"));
    sb_puts(sb, "</option>");
    for (int i = 0; i < n; i++) {
        sb_puts(sb, "<option value=\"");
        esc(sb, name(i));
        sb_puts(sb, "\">");
        esc(sb, lab(i, l));
        sb_puts(sb, "</option>");
    }
    sb_puts(sb, "</select></label>\n");
}

/* Adapters so write_select() can take the three enum families alike. */
static const char *st_name(int i) { return status_name((enum status)i); }
static const char *st_label(int i, enum lang l) { return status_label((enum status)i, l); }
static const char *sev_name(int i) { return severity_name((enum severity)i); }
static const char *sev_label(int i, enum lang l) { return severity_label((enum severity)i, l); }
static const char *ar_name(int i) { return area_name((enum area)i); }
static const char *ar_label(int i, enum lang l) { return area_label((enum area)i, l); }

static void write_filters(const struct report_ctx *ctx, struct strbuf *sb)
{
    enum lang l = ctx->lang;
    size_t n = ctx->res->nfindings;

    sb_puts(sb, "<div class=\"filters\">\n");
    write_select(sb, l, "filter-status", L(l, "Status", "상태"), ST__COUNT, st_name, st_label);
    write_select(sb, l, "filter-severity", L(l, "Severity", "위험도"), SEV__COUNT, sev_name, sev_label);
    write_select(sb, l, "filter-area", L(l, "Area", "영역"), AREA__COUNT, ar_name, ar_label);
    sb_puts(sb, "<label>");
    esc(sb, L(l, "Search", "검색"));
    sb_puts(sb, "<input id=\"filter-text\" type=\"search\" autocomplete=\"off\" placeholder=\"");
    esc(sb, L(l, "Resource, control, reason\xe2\x80\xa6", "리소스, 통제 항목, 사유\xe2\x80\xa6"));
    sb_puts(sb, "\"></label>\n<button type=\"button\" id=\"filter-reset\">");
    esc(sb, L(l, "Reset", "초기화"));
    sb_puts(sb, "</button>\n</div>\n<p class=\"counter\">");
    if (l == LANG_KO)
        sb_printf(sb, "전체 %zu건 중 <span id=\"shown-count\">%zu</span>건 표시", n, n);
    else
        sb_printf(sb, "<span id=\"shown-count\">%zu</span> of %zu shown", n, n);
    sb_puts(sb, "</p>\n");
}

/* A heading and a paragraph of the detail block, skipped when the text is empty. */
static void detail_text(struct strbuf *sb, const char *heading, const char *text)
{
    if (!text || !*text)
        return;
    sb_puts(sb, "<h4>");
    esc(sb, heading);
    sb_puts(sb, "</h4><p>");
    esc(sb, text);
    sb_puts(sb, "</p>");
}

static void detail_code(struct strbuf *sb, const char *heading, const char *lang_class, const char *code)
{
    if (!code || !*code)
        return;
    sb_puts(sb, "<h4>");
    esc(sb, heading);
    sb_printf(sb, "</h4><pre><code class=\"language-%s\">", lang_class);
    esc(sb, code);
    sb_puts(sb, "</code></pre>");
}

static void write_mapping(struct strbuf *sb, enum lang l, const struct control *c)
{
    if (!c->nfw)
        return;
    sb_puts(sb, "<h4>");
    esc(sb, L(l, "Mapped requirements", "매핑된 요구사항"));
    sb_puts(sb, "</h4><p>");
    for (size_t i = 0; i < c->nfw; i++) {
        if (i)
            sb_puts(sb, "; ");
        esc(sb, c->fw[i].framework);
        sb_puts(sb, ": ");
        for (size_t j = 0; j < c->fw[i].nreqs; j++) {
            if (j)
                sb_puts(sb, ", ");
            esc(sb, c->fw[i].reqs[j]);
        }
    }
    sb_puts(sb, "</p>");
}

/* Under each finding: its ARN and a link to its control's rationale and fix, which are
 * written once per control (a large account has thousands of findings per control). */
static void write_detail_row(const struct report_ctx *ctx, struct strbuf *sb, const struct finding *f)
{
    const struct control *c = f->control;
    enum lang l = ctx->lang;
    int fix = f->status == ST_FAIL || f->status == ST_ERROR;

    sb_puts(sb, "<tr class=\"detail\"><td colspan=\"6\"><div class=\"fref\">");
    if (f->resource_arn && *f->resource_arn) {
        sb_puts(sb, "<code class=\"rid-code\">");
        esc(sb, f->resource_arn);
        sb_puts(sb, "</code> ");
    }
    sb_puts(sb, "<a class=\"fix\" href=\"#ctl-");
    esc(sb, c->id);
    sb_puts(sb, "\">");
    esc(sb, fix ? L(l, "Rationale and remediation", "근거 및 조치 방법") : L(l, "Rationale", "근거"));
    sb_puts(sb, " \xe2\x86\x92</a></div>");
    if (f->fix_cli || f->fix_terraform) { /* the fix with this resource's identifiers filled in */
        sb_puts(sb, "<details class=\"rfix\"><summary>");
        esc(sb, L(l, "Fix this resource", "이 리소스 조치"));
        sb_puts(sb, "</summary>");
        detail_code(sb, "AWS CLI", "sh", f->fix_cli);
        detail_code(sb, "Terraform", "hcl", f->fix_terraform);
        sb_puts(sb, "</details>");
    }
    sb_puts(sb, "</td></tr>\n");
}

static void write_finding(const struct report_ctx *ctx, struct strbuf *sb, const struct finding *f)
{
    const struct control *c = f->control;
    enum lang l = ctx->lang;

    sb_puts(sb, "<tbody class=\"f\"><tr class=\"finding\" data-status=\"");
    esc(sb, status_name(f->status));
    sb_puts(sb, "\" data-severity=\"");
    esc(sb, severity_name(c->severity));
    sb_puts(sb, "\" data-area=\"");
    esc(sb, area_name(c->area));
    sb_puts(sb, "\" data-control=\"");
    esc(sb, c->id);
    sb_puts(sb, "\"><td>");
    status_badge(sb, f->status, l);
    sb_puts(sb, "</td><td>");
    severity_badge(sb, c->severity, l);
    sb_puts(sb, "</td><td class=\"area-cell\">");
    esc(sb, area_label(c->area, l));
    sb_puts(sb, "</td><td><div>");
    esc_i18n(sb, l, &c->title);
    sb_puts(sb, "</div><code class=\"ctl-id\">");
    esc(sb, c->id);
    sb_puts(sb, "</code></td><td><div class=\"rtype\">");
    esc(sb, f->resource_type);
    sb_puts(sb, "</div><code class=\"rid-code\">");
    esc_or_dash(sb, f->resource_id);
    sb_puts(sb, "</code><div class=\"region\">");
    esc(sb, f->region);
    sb_puts(sb, "</div></td><td>");
    esc(sb, L(l, f->reason, f->reason_ko));
    sb_puts(sb, "</td></tr>\n");
    write_detail_row(ctx, sb, f);
    sb_puts(sb, "</tbody>\n");
}

static void write_findings(const struct report_ctx *ctx, struct strbuf *sb)
{
    static const char *const heads[][2] = {{"Status", "상태"},     {"Severity", "위험도"},
                                           {"Area", "영역"},       {"Control", "통제 항목"},
                                           {"Resource", "리소스"}, {"Reason", "사유"}};
    enum lang l = ctx->lang;

    sb_puts(sb, "<section id=\"findings-section\" class=\"card\">\n<h2>");
    esc(sb, L(l, "Findings", "점검 결과"));
    sb_puts(sb, "</h2>\n");
    write_filters(ctx, sb);
    sb_puts(sb, "<table id=\"findings\"><colgroup><col class=\"c-st\"><col class=\"c-sev\">"
                "<col class=\"c-area\"><col class=\"c-ctl\"><col class=\"c-res\"><col></colgroup>\n"
                "<thead><tr>");
    for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++) {
        sb_puts(sb, "<th>");
        esc(sb, L(l, heads[i][0], heads[i][1]));
        sb_puts(sb, "</th>");
    }
    sb_puts(sb, "</tr></thead>\n");
    for (size_t i = 0; i < ctx->res->nfindings; i++)
        if (ctx->res->findings[i].control)
            write_finding(ctx, sb, &ctx->res->findings[i]);
    sb_puts(sb, "</table>\n<p class=\"empty\" id=\"no-match\"");
    if (ctx->res->nfindings)
        sb_puts(sb, " hidden");
    sb_puts(sb, ">");
    esc(sb, ctx->res->nfindings ? L(l, "No findings match the filters.", "조건에 맞는 결과가 없습니다.")
                                : L(l, "No findings.", "점검 결과가 없습니다."));
    sb_puts(sb, "</p>\n</section>\n");
}

/* ---- controls: rationale and remediation, once per evaluated control ---- */

static void write_control(const struct report_ctx *ctx, struct strbuf *sb, const struct control *c,
                          const struct counts *n)
{
    enum lang l = ctx->lang;
    int failing = n->n[ST_FAIL] + n->n[ST_ERROR] > 0;
    sb_puts(sb, "<details class=\"control\" id=\"ctl-");
    esc(sb, c->id);
    sb_puts(sb, failing ? "\" open><summary>" : "\"><summary>");
    severity_badge(sb, c->severity, l);
    sb_puts(sb, " <code class=\"ctl-id\">");
    esc(sb, c->id);
    sb_puts(sb, "</code> ");
    esc_i18n(sb, l, &c->title);
    sb_puts(sb, " <span class=\"ctl-counts\">");
    for (int s = 0; s < ST__COUNT; s++)
        if (n->n[s]) {
            status_badge(sb, (enum status)s, l);
            sb_printf(sb, " %zu ", n->n[s]);
        }
    sb_puts(sb, "</span></summary><div class=\"det\">");
    detail_text(sb, L(l, "Why it matters", "필요성"), L(l, c->rationale.en, c->rationale.ko));
    detail_text(sb, L(l, "How to fix", "조치 방법"), L(l, c->remediation.en, c->remediation.ko));
    detail_code(sb, "AWS CLI", "sh", c->remediation_cli);
    detail_code(sb, "Terraform", "hcl", c->remediation_terraform);
    write_mapping(sb, l, c);
    sb_puts(sb, "<p><a class=\"ctl\" href=\"#findings-section\" data-control=\"");
    esc(sb, c->id);
    sb_puts(sb, "\">");
    esc(sb, L(l, "Show its findings", "이 항목의 점검 결과 보기"));
    sb_puts(sb, "</a></p></div></details>\n");
}

static void write_controls(const struct report_ctx *ctx, struct strbuf *sb)
{
    const struct scan_result *res = ctx->res;
    enum lang l = ctx->lang;
    if (!res->ncontrols)
        return;
    struct counts *per = xcalloc(res->ncontrols, sizeof *per);
    size_t hint = 0;
    for (size_t i = 0; i < res->nfindings; i++) {
        const struct control *c = res->findings[i].control;
        if (hint >= res->ncontrols || res->controls[hint] != c)
            for (hint = 0; hint < res->ncontrols && res->controls[hint] != c; hint++)
                ;
        if (hint < res->ncontrols)
            per[hint].n[res->findings[i].status]++;
    }
    sb_puts(sb, "<section id=\"controls-section\" class=\"card\">\n<h2>");
    esc(sb, L(l, "Controls: rationale and remediation", "점검 항목별 근거와 조치 방법"));
    sb_puts(sb, "</h2>\n");
    /* failing controls first, each group by severity, then in catalogue order */
    for (int pass = 0; pass < 2; pass++)
        for (int sev = 0; sev < SEV__COUNT; sev++)
            for (size_t i = 0; i < res->ncontrols; i++)
                if ((per[i].n[ST_FAIL] + per[i].n[ST_ERROR] > 0) == (pass == 0) &&
                    res->controls[i]->severity == (enum severity)sev)
                    write_control(ctx, sb, res->controls[i], &per[i]);
    sb_puts(sb, "</section>\n");
    free(per);
}

/* ---- footer and script ---- */

/* Reads only the DOM; embeds no data. ES5 so that old viewers cope. */
static const char script[] =
    "<script>\n(function(){\n"
    "'use strict';\n"
    "var $=function(id){return document.getElementById(id);};\n"
    "var rows=Array.prototype.slice.call(document.querySelectorAll('#findings tr.finding'));\n"
    "var fs=$('filter-status'),fv=$('filter-severity'),fa=$('filter-area'),ft=$('filter-text');\n"
    "var out=$('shown-count'),none=$('no-match');\n"
    "if(!fs||!fv||!fa||!ft||!out)return;\n"
    "function apply(){\n"
    " var s=fs.value,v=fv.value,a=fa.value,t=ft.value.trim().toLowerCase(),n=0;\n"
    /* a query that is exactly a control id selects that control only, not its prefixes */
    " var exact=t!==''&&rows.some(function(r){return r.getAttribute('data-control').toLowerCase()===t;});\n"
    " rows.forEach(function(r){\n"
    "  var ok=(!s||r.getAttribute('data-status')===s)&&(!v||r.getAttribute('data-severity')===v)"
    "&&(!a||r.getAttribute('data-area')===a)"
    "&&(!t||(exact?r.getAttribute('data-control').toLowerCase()===t"
    ":r.textContent.toLowerCase().indexOf(t)>=0));\n"
    "  r.hidden=!ok;r.parentNode.hidden=!ok;if(ok)n++;\n"
    " });\n"
    " out.textContent=String(n);\n"
    " if(none&&rows.length)none.hidden=n>0;\n"
    "}\n"
    "[fs,fv,fa].forEach(function(e){e.addEventListener('change',apply);});\n"
    "ft.addEventListener('input',apply);\n"
    "$('filter-reset').addEventListener('click',function(){fs.value=fv.value=fa.value=ft.value='';apply();});"
    "\n"

    "function openTarget(){var h=location.hash.slice(1),d=h&&document.getElementById(h);"
    "if(d&&d.tagName==='DETAILS')d.open=true;}\n"
    "window.addEventListener('hashchange',openTarget);openTarget();\n"
    "document.addEventListener('click',function(e){\n"
    " var a=e.target.closest&&e.target.closest('a.ctl');if(!a)return;\n"
    " fs.value=fv.value=fa.value='';ft.value=a.getAttribute('data-control');apply();\n"
    "});\n"
    /* print everything expanded, then put the page back as it was */
    "var closed=[];\n"
    "window.addEventListener('beforeprint',function(){closed=Array.prototype.filter.call("
    "document.querySelectorAll('details'),function(d){return !d.open;});"
    "closed.forEach(function(d){d.open=true;});});\n"
    "window.addEventListener('afterprint',function(){closed.forEach(function(d){d.open=false;});closed=[];});"
    "\n"
    "apply();\n"
    "})();\n</script>\n";

static void write_footer(const struct report_ctx *ctx, struct strbuf *sb)
{
    enum lang l = ctx->lang;
    sb_puts(sb, "<footer class=\"wrap\">");
    esc(sb, L(l,
              "Generated by ansim " ANSIM_VERSION ". Automated checks cover technical controls only; "
              "requirements marked Manual need documentary evidence.",
              "ansim " ANSIM_VERSION "(으)로 생성되었습니다. 자동 점검은 기술적 보호조치만 다루며, "
              "'수동 확인' 요구사항은 별도의 증적이 필요합니다."));
    sb_puts(sb, "</footer>\n");
    sb_puts(sb, script);
    sb_puts(sb, "</body>\n</html>\n");
}

int report_html(const struct report_ctx *ctx, struct strbuf *sb)
{
    if (!ctx || !ctx->res)
        return -1;
    write_head(ctx, sb);
    write_header(ctx, sb);
    write_summary(ctx, sb);
    write_frameworks(ctx, sb);
    write_findings(ctx, sb);
    write_controls(ctx, sb);
    sb_puts(sb, "</main>\n");
    write_footer(ctx, sb);
    return 0;
}
