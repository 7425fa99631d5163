/* report.c — format names and dispatch to the per-format writers. */
#include <string.h>

#include "report.h"

static const char *const names[] = {"tty", "json", "html", "sarif", "csv"};

int report_format_parse(const char *s, enum report_format *out)
{
    for (int i = 0; i < 5; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = (enum report_format)i;
            return 0;
        }
    }
    return -1;
}

const char *report_format_name(enum report_format f) { return (unsigned)f < 5 ? names[f] : "?"; }

int report_render(enum report_format f, const struct report_ctx *ctx, struct strbuf *sb, char *err,
                  size_t errlen)
{
    int rc;
    switch (f) {
    case FMT_TTY: rc = report_tty(ctx, sb); break;
    case FMT_JSON: rc = report_json(ctx, sb); break;
    case FMT_HTML: rc = report_html(ctx, sb); break;
    case FMT_SARIF: rc = report_sarif(ctx, sb); break;
    case FMT_CSV: rc = report_csv(ctx, sb); break;
    default: rc = -1;
    }
    if (rc)
        snprintf(err, errlen, "could not render the %s report", report_format_name(f));
    return rc;
}
