/*
 * tty.c — the terminal summary: score, per-area and per-severity tables, framework
 * scores, then every failed and errored finding (most severe first) with its reason and
 * the first line of its fix. Colours only when ctx->color (stdout is a terminal).
 */
#include <string.h>

#include "report.h"

#define C(ctx, code) ((ctx)->color ? "\033[" code "m" : "")
#define RESET(ctx) C(ctx, "0")

/* Resources listed per failing control; the other formats list every finding. */
#define TTY_PER_CONTROL 10

static const char *status_color(const struct report_ctx *ctx, enum status s)
{
    if (!ctx->color)
        return "";
    switch (s) {
    case ST_FAIL: return "\033[1;31m";
    case ST_ERROR: return "\033[1;33m";
    case ST_PASS: return "\033[32m";
    case ST_MANUAL: return "\033[36m";
    default: return "\033[2m";
    }
}

/* Display width of a UTF-8 string: Hangul and other wide characters count 2. */
static int width(const char *s)
{
    int w = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        if (*p < 0x80) {
            w++, p++;
        } else if ((*p & 0xE0) == 0xC0) {
            w++, p += 2;
        } else if ((*p & 0xF0) == 0xE0) {
            w += 2, p += 3;
        } else {
            w += 2, p += 4;
        }
    }
    return w;
}

static void pad(struct strbuf *sb, const char *s, int cols)
{
    sb_puts(sb, s);
    for (int w = width(s); w < cols; w++)
        sb_putc(sb, ' ');
}

static void first_line(struct strbuf *sb, const char *s)
{
    const char *nl = s ? strchr(s, '\n') : NULL;
    if (s)
        sb_add(sb, s, nl ? (size_t)(nl - s) : strlen(s));
}

int report_tty(const struct report_ctx *ctx, struct strbuf *sb)
{
    const struct scan_result *res = ctx->res;
    enum lang l = ctx->lang;
    const struct counts *t = &res->total;

    sb_printf(sb, "%sansim %s%s — %s %s", C(ctx, "1"), ANSIM_VERSION, RESET(ctx), L(l, "account", "계정"),
              res->meta.account_id ? res->meta.account_id : "?");
    sb_printf(sb, " (%s", res->meta.source ? res->meta.source : "");
    for (size_t i = 0; i < res->meta.nregions; i++)
        sb_printf(sb, "%s%s", i ? "," : ": ", res->meta.regions[i]);
    sb_printf(sb, ")\n%s: %s%.1f%s / 100   ", L(l, "Score", "점수"), C(ctx, "1"), t->score, RESET(ctx));
    for (int s = 0; s < ST__COUNT; s++)
        sb_printf(sb, "%s%s %zu%s  ", status_color(ctx, (enum status)s), status_label((enum status)s, l),
                  t->n[s], RESET(ctx));
    sb_puts(sb, "\n\n");

    pad(sb, L(l, "Area", "영역"), 34);
    sb_printf(sb, "%7s %6s %6s %6s\n", L(l, "score", "점수"), L(l, "fail", "실패"), L(l, "error", "오류"),
              L(l, "pass", "통과"));
    for (int a = 0; a < AREA__COUNT; a++) {
        const struct counts *c = &res->by_area[a];
        pad(sb, area_label((enum area)a, l), 34);
        if (c->n[ST_PASS] + c->n[ST_FAIL] + c->n[ST_ERROR])
            sb_printf(sb, "%7.1f", c->score);
        else
            sb_printf(sb, "%7s", "-"); /* nothing evaluated: no score */
        sb_printf(sb, " %6zu %6zu %6zu\n", c->n[ST_FAIL], c->n[ST_ERROR], c->n[ST_PASS]);
    }
    sb_putc(sb, '\n');
    pad(sb, L(l, "Severity", "위험도"), 34);
    sb_printf(sb, "%7s %6s %6s %6s\n", "", L(l, "fail", "실패"), L(l, "error", "오류"), L(l, "pass", "통과"));
    for (int s = 0; s < SEV__COUNT; s++) {
        const struct counts *c = &res->by_severity[s];
        pad(sb, severity_label((enum severity)s, l), 34);
        sb_printf(sb, "%7s %6zu %6zu %6zu\n", "", c->n[ST_FAIL], c->n[ST_ERROR], c->n[ST_PASS]);
    }
    if (res->nfws) {
        sb_printf(sb, "\n%s\n", L(l, "Frameworks", "준거 기준"));
        for (size_t i = 0; i < res->nfws; i++) {
            const struct fw_result *fr = &res->fws[i];
            sb_printf(sb, "  %-16s %5.1f  ", fr->fw->id, fr->score);
            for (int s = 0; s < ST__COUNT; s++)
                if (fr->counts.n[s])
                    sb_printf(sb, "%s %zu  ", status_label((enum status)s, l), fr->counts.n[s]);
            sb_printf(sb, "(%s)\n", L(l, fr->fw->title.en, fr->fw->title.ko));
        }
    }

    /* Failures and errors come first (findings are sorted by status, severity, control,
     * resource), so each control's failing resources are consecutive: show the control and
     * its fix once, then its first few resources. */
    size_t shown = 0;
    for (size_t i = 0; i < res->nfindings;) {
        const struct finding *f = &res->findings[i];
        if (f->status != ST_FAIL && f->status != ST_ERROR)
            break;
        const struct control *c = f->control;
        size_t n = 1;
        while (i + n < res->nfindings && res->findings[i + n].control == c &&
               res->findings[i + n].status == f->status)
            n++;
        if (!shown++)
            sb_printf(sb, "\n%s%s%s\n", C(ctx, "1"), L(l, "Findings to fix", "조치가 필요한 항목"),
                      RESET(ctx));
        sb_printf(sb, "\n%s[%s]%s %s%s%s  %s", status_color(ctx, f->status), status_label(f->status, l),
                  RESET(ctx), C(ctx, "1"), c->id, RESET(ctx), L(l, c->title.en, c->title.ko));
        if (n > 1)
            sb_printf(sb, L(l, "  (%zu resources)", "  (리소스 %zu개)"), n);
        sb_printf(sb, "\n  %s: %s · %s\n", L(l, "severity", "위험도"), severity_label(c->severity, l),
                  area_label(c->area, l));
        if (f->status == ST_FAIL) {
            sb_printf(sb, "  %s: ", L(l, "fix", "조치"));
            first_line(sb, L(l, c->remediation.en, c->remediation.ko));
            sb_putc(sb, '\n');
        }
        for (size_t k = 0; k < n && k < TTY_PER_CONTROL; k++) {
            const struct finding *g = &res->findings[i + k];
            sb_printf(sb, "  - %s %s/%s: %s\n", g->resource_type ? g->resource_type : "",
                      g->region ? g->region : "", g->resource_id ? g->resource_id : "-",
                      L(l, g->reason, g->reason_ko));
        }
        if (n > TTY_PER_CONTROL)
            sb_printf(sb,
                      L(l, "  ... and %zu more (--format csv, json or html lists every one)\n",
                        "  ... 외 %zu개 (--format csv, json, html 보고서에 모두 나옵니다)\n"),
                      n - TTY_PER_CONTROL);
        i += n;
    }
    if (!shown)
        sb_printf(sb, "\n%s\n", L(l, "No failed findings.", "실패한 항목이 없습니다."));
    sb_printf(sb, "\n%s: %s\n", L(l, "Scan", "스캔"), res->meta.id);
    return 0;
}
