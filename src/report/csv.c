/*
 * csv.c — one row per finding (RFC 4180, UTF-8, every field quoted; fields starting
 * with = + - @ are prefixed with ' so spreadsheets do not run them as formulas).
 */
#include "report.h"

int report_csv(const struct report_ctx *ctx, struct strbuf *sb)
{
    static const char *const cols[] = {"control_id", "status",        "severity",    "area",
                                       "title",      "resource_type", "resource_id", "resource_arn",
                                       "region",     "reason",        "frameworks"};
    for (size_t i = 0; i < sizeof cols / sizeof *cols; i++) {
        if (i)
            sb_putc(sb, ',');
        sb_puts(sb, cols[i]);
    }
    sb_puts(sb, "\r\n");
    for (size_t i = 0; i < ctx->res->nfindings; i++) {
        const struct finding *f = &ctx->res->findings[i];
        const struct control *c = f->control;
        struct strbuf fw;
        sb_init(&fw);
        for (size_t j = 0; j < c->nfw; j++)
            for (size_t k = 0; k < c->fw[j].nreqs; k++)
                sb_printf(&fw, "%s%s:%s", fw.len ? ";" : "", c->fw[j].framework, c->fw[j].reqs[k]);
        const char *vals[] = {c->id,
                              status_name(f->status),
                              severity_name(c->severity),
                              area_name(c->area),
                              L(ctx->lang, c->title.en, c->title.ko),
                              f->resource_type,
                              f->resource_id,
                              f->resource_arn,
                              f->region,
                              L(ctx->lang, f->reason, f->reason_ko),
                              fw.buf};
        for (size_t j = 0; j < sizeof vals / sizeof *vals; j++) {
            if (j)
                sb_putc(sb, ',');
            sb_csv(sb, vals[j] ? vals[j] : "");
        }
        sb_puts(sb, "\r\n");
        sb_free(&fw);
    }
    return 0;
}
