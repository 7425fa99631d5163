/*
 * json.c — the JSON report (spec/cli.md schema), written straight into the buffer.
 * Extensions beyond the spec: summary.by_severity, per-area scores, `frameworks`
 * (requirement statuses) and `controls` (metadata + remediation of evaluated controls).
 * Layout: top-level keys on their own lines, one finding / requirement / control per line,
 * so large reports stay compact yet greppable. The parts of a finding that depend only on
 * its control are rendered once per control (a 100k-resource scan has ~200k findings).
 */
#include <stdlib.h>
#include <string.h>

#include "report.h"

/* with_score: 0 none; 1 a number; 2 a number, or null when nothing was evaluated (an area
 * without checks has no score rather than a perfect one). */
static void count_fields(struct strbuf *sb, const struct counts *c, int with_score)
{
    for (int s = 0; s < ST__COUNT; s++)
        sb_printf(sb, "%s\"%s\": %zu", s ? ", " : "", status_name((enum status)s), c->n[s]);
    if (with_score == 2 && c->n[ST_PASS] + c->n[ST_FAIL] + c->n[ST_ERROR] == 0)
        sb_puts(sb, ", \"score\": null");
    else if (with_score)
        sb_printf(sb, ", \"score\": %.1f", c->score);
}

static void counts(struct strbuf *sb, const struct counts *c, int with_score)
{
    sb_putc(sb, '{');
    count_fields(sb, c, with_score);
    sb_putc(sb, '}');
}

static void i18n(struct strbuf *sb, enum lang l, const struct i18n *t) { sb_json(sb, L(l, t->en, t->ko)); }

/* ["a", "b", ...] */
static void string_array(struct strbuf *sb, char *const *v, size_t n)
{
    sb_putc(sb, '[');
    for (size_t i = 0; i < n; i++) {
        sb_puts(sb, i ? ", " : "");
        sb_json(sb, v[i]);
    }
    sb_putc(sb, ']');
}

static void fw_map(struct strbuf *sb, const struct control *c)
{
    sb_putc(sb, '{');
    for (size_t i = 0; i < c->nfw; i++) {
        sb_puts(sb, i ? ", " : "");
        sb_json(sb, c->fw[i].framework);
        sb_puts(sb, ": ");
        string_array(sb, c->fw[i].reqs, c->fw[i].nreqs);
    }
    sb_putc(sb, '}');
}

/* What a finding shows of its control: severity, area, title (after control_id/status),
 * and the framework map (last). */
struct control_frag {
    const struct control *c;
    struct strbuf head, fws;
};

static const struct control_frag *frag_of(struct control_frag *frags, size_t n, const struct control *c,
                                          size_t *hint)
{
    if (*hint < n && frags[*hint].c == c)
        return &frags[*hint];
    for (size_t i = 0; i < n; i++)
        if (frags[i].c == c)
            return &frags[*hint = i];
    return NULL;
}

static void findings(struct strbuf *sb, const struct scan_result *res, enum lang l)
{
    struct control_frag *frags = xcalloc(res->ncontrols ? res->ncontrols : 1, sizeof *frags);
    for (size_t i = 0; i < res->ncontrols; i++) {
        const struct control *c = res->controls[i];
        frags[i].c = c;
        sb_init(&frags[i].head);
        sb_init(&frags[i].fws);
        sb_printf(&frags[i].head,
                  ", \"severity\": \"%s\", \"area\": \"%s\", \"title\": ", severity_name(c->severity),
                  area_name(c->area));
        i18n(&frags[i].head, l, &c->title);
        sb_puts(&frags[i].fws, ", \"frameworks\": ");
        fw_map(&frags[i].fws, c);
    }
    sb_puts(sb, "  \"findings\": [");
    size_t hint = 0;
    for (size_t i = 0; i < res->nfindings; i++) {
        const struct finding *f = &res->findings[i];
        const struct control_frag *fr = frag_of(frags, res->ncontrols, f->control, &hint);
        sb_puts(sb, i ? ",\n    {\"control_id\": " : "\n    {\"control_id\": ");
        sb_json(sb, f->control->id);
        sb_printf(sb, ", \"status\": \"%s\"", status_name(f->status));
        if (fr) {
            sb_add(sb, fr->head.buf, fr->head.len);
        } else { /* not among res->controls: cannot happen, but stay correct */
            sb_printf(sb, ", \"severity\": \"%s\", \"area\": \"%s\", \"title\": ",
                      severity_name(f->control->severity), area_name(f->control->area));
            i18n(sb, l, &f->control->title);
        }
        sb_puts(sb, ", \"resource_type\": ");
        sb_json(sb, f->resource_type);
        sb_puts(sb, ", \"resource_id\": ");
        sb_json(sb, f->resource_id);
        sb_puts(sb, ", \"resource_arn\": ");
        sb_json(sb, f->resource_arn);
        sb_puts(sb, ", \"region\": ");
        sb_json(sb, f->region);
        sb_puts(sb, ", \"reason\": ");
        sb_json(sb, L(l, f->reason, f->reason_ko));
        if (f->fix_cli || f->fix_terraform) { /* failing findings: the fix for this resource */
            sb_puts(sb, ", \"remediation\": {\"text\": ");
            sb_json(sb, L(l, f->control->remediation.en, f->control->remediation.ko));
            sb_puts(sb, ", \"cli\": ");
            sb_json(sb, f->fix_cli);
            sb_puts(sb, ", \"terraform\": ");
            sb_json(sb, f->fix_terraform);
            sb_putc(sb, '}');
        }
        if (fr) {
            sb_add(sb, fr->fws.buf, fr->fws.len);
        } else {
            sb_puts(sb, ", \"frameworks\": ");
            fw_map(sb, f->control);
        }
        sb_putc(sb, '}');
    }
    sb_puts(sb, res->nfindings ? "\n  ]" : "]");
    for (size_t i = 0; i < res->ncontrols; i++) {
        sb_free(&frags[i].head);
        sb_free(&frags[i].fws);
    }
    free(frags);
}

static void frameworks(struct strbuf *sb, const struct scan_result *res, enum lang l)
{
    sb_puts(sb, "  \"frameworks\": [");
    for (size_t i = 0; i < res->nfws; i++) {
        const struct fw_result *fr = &res->fws[i];
        sb_puts(sb, i ? ",\n    {\"id\": " : "\n    {\"id\": ");
        sb_json(sb, fr->fw->id);
        sb_puts(sb, ", \"title\": ");
        i18n(sb, l, &fr->fw->title);
        sb_puts(sb, ", \"version\": ");
        sb_json(sb, fr->fw->version);
        sb_puts(sb, ", \"summary\": ");
        counts(sb, &fr->counts, 2);
        sb_puts(sb, ", \"requirements\": [");
        for (size_t j = 0; j < fr->nreqs; j++) {
            const struct req_result *rr = &fr->reqs[j];
            sb_puts(sb, j ? ",\n      {\"id\": " : "\n      {\"id\": ");
            sb_json(sb, rr->req->id);
            sb_puts(sb, ", \"title\": ");
            i18n(sb, l, &rr->req->title);
            sb_printf(sb, ", \"status\": \"%s\", \"controls\": ", status_name(rr->status));
            string_array(sb, rr->req->controls, rr->req->ncontrols);
            if (rr->status == ST_MANUAL) {
                sb_puts(sb, ", \"evidence\": ");
                i18n(sb, l, &rr->req->evidence);
            }
            if (rr->status == ST_FAIL) { /* every failing resource, by control */
                size_t n = eval_req_failing(res, rr, NULL, 0);
                const struct finding **fl = xcalloc(n ? n : 1, sizeof *fl);
                eval_req_failing(res, rr, fl, n);
                sb_puts(sb, ", \"failing\": [");
                for (size_t k = 0; k < n; k++) {
                    sb_puts(sb, k ? ", {\"control_id\": " : "{\"control_id\": ");
                    sb_json(sb, fl[k]->control->id);
                    sb_puts(sb, ", \"resource_id\": ");
                    sb_json(sb, fl[k]->resource_id);
                    sb_puts(sb, ", \"region\": ");
                    sb_json(sb, fl[k]->region);
                    sb_putc(sb, '}');
                }
                sb_putc(sb, ']');
                free(fl);
            }
            sb_putc(sb, '}');
        }
        sb_puts(sb, fr->nreqs ? "\n    ]}" : "]}");
    }
    sb_puts(sb, res->nfws ? "\n  ]" : "]");
}

static void controls(struct strbuf *sb, const struct scan_result *res, enum lang l)
{
    sb_puts(sb, "  \"controls\": [");
    for (size_t i = 0; i < res->ncontrols; i++) {
        const struct control *c = res->controls[i];
        sb_puts(sb, i ? ",\n    {\"id\": " : "\n    {\"id\": ");
        sb_json(sb, c->id);
        sb_puts(sb, ", \"title\": ");
        i18n(sb, l, &c->title);
        sb_printf(sb, ", \"severity\": \"%s\", \"area\": \"%s\", \"rationale\": ", severity_name(c->severity),
                  area_name(c->area));
        i18n(sb, l, &c->rationale);
        sb_puts(sb, ", \"remediation\": {\"text\": ");
        i18n(sb, l, &c->remediation);
        sb_puts(sb, ", \"cli\": ");
        sb_json(sb, c->remediation_cli);
        sb_puts(sb, ", \"terraform\": ");
        sb_json(sb, c->remediation_terraform);
        sb_puts(sb, "}, \"frameworks\": ");
        fw_map(sb, c);
        sb_putc(sb, '}');
    }
    sb_puts(sb, res->ncontrols ? "\n  ]" : "]");
}

int report_json(const struct report_ctx *ctx, struct strbuf *sb)
{
    const struct scan_result *res = ctx->res;
    const struct scan_meta *m = &res->meta;

    sb_puts(sb, "{\n  \"tool\": {\"name\": \"ansim\", \"version\": ");
    sb_json(sb, ANSIM_VERSION);
    sb_puts(sb, "},\n  \"scan\": {\"id\": ");
    sb_json(sb, m->id);
    sb_puts(sb, ", \"started_at\": ");
    sb_json(sb, m->started_at);
    sb_puts(sb, ", \"finished_at\": ");
    sb_json(sb, m->finished_at);
    sb_puts(sb, ", \"source\": ");
    sb_json(sb, m->source);
    sb_puts(sb, ", \"account_id\": ");
    sb_json(sb, m->account_id);
    sb_puts(sb, ", \"regions\": ");
    string_array(sb, m->regions, m->nregions);
    sb_puts(sb, "},\n  \"summary\": {");
    count_fields(sb, &res->total, 1);
    sb_puts(sb, ",\n    \"by_area\": {");
    for (int a = 0; a < AREA__COUNT; a++) {
        sb_printf(sb, "%s\n      \"%s\": ", a ? "," : "", area_name((enum area)a));
        counts(sb, &res->by_area[a], 2);
    }
    sb_puts(sb, "\n    },\n    \"by_severity\": {");
    for (int s = 0; s < SEV__COUNT; s++) {
        sb_printf(sb, "%s\n      \"%s\": ", s ? "," : "", severity_name((enum severity)s));
        counts(sb, &res->by_severity[s], 0);
    }
    sb_puts(sb, "\n    }\n  },\n");
    findings(sb, res, ctx->lang);
    sb_puts(sb, ",\n");
    frameworks(sb, res, ctx->lang);
    sb_puts(sb, ",\n");
    controls(sb, res, ctx->lang);
    sb_puts(sb, "\n}\n");
    return 0;
}
