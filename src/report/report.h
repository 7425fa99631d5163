/*
 * report.h — writing a scan result in one of the output formats.
 * Each format lives in its own file (tty.c, json.c, csv.c, sarif.c, html.c) and writes
 * into a string buffer; the caller decides where it goes (stdout or an atomic file).
 */
#ifndef ANSIM_REPORT_H
#define ANSIM_REPORT_H

#include "../controls/controls.h"
#include "../util/util.h"

enum report_format { FMT_TTY, FMT_JSON, FMT_HTML, FMT_SARIF, FMT_CSV };

struct report_ctx {
    const struct scan_result *res;
    const struct catalogue *cat;
    enum lang lang;
    int color; /* tty only: ANSI colours */
};

/* "tty" -> FMT_TTY ...; 0 ok, -1 unknown. */
int report_format_parse(const char *s, enum report_format *out);
const char *report_format_name(enum report_format f);

/* Render the report into sb (appends). Returns 0, or -1 with err. */
int report_render(enum report_format f, const struct report_ctx *ctx, struct strbuf *sb, char *err,
                  size_t errlen);

int report_tty(const struct report_ctx *ctx, struct strbuf *sb);
int report_json(const struct report_ctx *ctx, struct strbuf *sb);
int report_csv(const struct report_ctx *ctx, struct strbuf *sb);
int report_sarif(const struct report_ctx *ctx, struct strbuf *sb);
int report_html(const struct report_ctx *ctx, struct strbuf *sb);

#endif
