/*
 * json.c — the JSON report (spec/cli.md schema), built with jansson.
 * Extensions beyond the spec: summary.by_severity, per-area scores, `frameworks`
 * (requirement statuses) and `controls` (metadata + remediation of evaluated controls).
 */
#include <jansson.h>
#include <stdlib.h>

#include "report.h"

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *counts_json(const struct counts *c, int with_score)
{
    json_t *o = json_object();
    for (int s = 0; s < ST__COUNT; s++)
        json_object_set_new(o, status_name((enum status)s), json_integer((json_int_t)c->n[s]));
    if (with_score)
        json_object_set_new(o, "score", json_real((double)(long)(c->score * 10 + 0.5) / 10));
    return o;
}

static json_t *i18n_pick(enum lang l, const struct i18n *t)
{
    return json_string(L(l, t->en, t->ko));
}

static json_t *fw_map(const struct control *c)
{
    json_t *o = json_object();
    for (size_t i = 0; i < c->nfw; i++) {
        json_t *a = json_array();
        for (size_t j = 0; j < c->fw[i].nreqs; j++)
            json_array_append_new(a, json_string(c->fw[i].reqs[j]));
        json_object_set_new(o, c->fw[i].framework, a);
    }
    return o;
}

int report_json(const struct report_ctx *ctx, struct strbuf *sb)
{
    const struct scan_result *res = ctx->res;
    enum lang l = ctx->lang;
    json_t *root = json_object();

    json_object_set_new(root, "tool", json_pack("{s:s, s:s}", "name", "ansim", "version", ANSIM_VERSION));
    json_t *regions = json_array();
    for (size_t i = 0; i < res->meta.nregions; i++)
        json_array_append_new(regions, json_string(res->meta.regions[i]));
    json_t *scan = json_object();
    json_object_set_new(scan, "id", json_string(res->meta.id));
    json_object_set_new(scan, "started_at", json_string(res->meta.started_at));
    json_object_set_new(scan, "finished_at", json_string(res->meta.finished_at));
    json_object_set_new(scan, "source", str_or_null(res->meta.source));
    json_object_set_new(scan, "account_id", str_or_null(res->meta.account_id));
    json_object_set_new(scan, "regions", regions);
    json_object_set_new(root, "scan", scan);

    json_t *summary = counts_json(&res->total, 1);
    json_t *by_area = json_object(), *by_sev = json_object();
    for (int a = 0; a < AREA__COUNT; a++)
        json_object_set_new(by_area, area_name((enum area)a), counts_json(&res->by_area[a], 1));
    for (int s = 0; s < SEV__COUNT; s++)
        json_object_set_new(by_sev, severity_name((enum severity)s), counts_json(&res->by_severity[s], 0));
    json_object_set_new(summary, "by_area", by_area);
    json_object_set_new(summary, "by_severity", by_sev);
    json_object_set_new(root, "summary", summary);

    json_t *findings = json_array();
    for (size_t i = 0; i < res->nfindings; i++) {
        const struct finding *f = &res->findings[i];
        const struct control *c = f->control;
        json_t *o = json_object();
        json_object_set_new(o, "control_id", json_string(c->id));
        json_object_set_new(o, "status", json_string(status_name(f->status)));
        json_object_set_new(o, "severity", json_string(severity_name(c->severity)));
        json_object_set_new(o, "area", json_string(area_name(c->area)));
        json_object_set_new(o, "title", i18n_pick(l, &c->title));
        json_object_set_new(o, "resource_type", str_or_null(f->resource_type));
        json_object_set_new(o, "resource_id", str_or_null(f->resource_id));
        json_object_set_new(o, "resource_arn", str_or_null(f->resource_arn));
        json_object_set_new(o, "region", str_or_null(f->region));
        json_object_set_new(o, "reason", json_string(L(l, f->reason, f->reason_ko)));
        json_object_set_new(o, "frameworks", fw_map(c));
        json_array_append_new(findings, o);
    }
    json_object_set_new(root, "findings", findings);

    json_t *fws = json_array();
    for (size_t i = 0; i < res->nfws; i++) {
        const struct fw_result *fr = &res->fws[i];
        json_t *reqs = json_array();
        for (size_t j = 0; j < fr->nreqs; j++) {
            const struct req_result *rr = &fr->reqs[j];
            json_t *ctl = json_array();
            for (size_t k = 0; k < rr->req->ncontrols; k++)
                json_array_append_new(ctl, json_string(rr->req->controls[k]));
            json_t *r = json_object();
            json_object_set_new(r, "id", json_string(rr->req->id));
            json_object_set_new(r, "title", i18n_pick(l, &rr->req->title));
            json_object_set_new(r, "status", json_string(status_name(rr->status)));
            json_object_set_new(r, "controls", ctl);
            if (rr->status == ST_MANUAL)
                json_object_set_new(r, "evidence", i18n_pick(l, &rr->req->evidence));
            json_array_append_new(reqs, r);
        }
        json_t *o = json_object();
        json_object_set_new(o, "id", json_string(fr->fw->id));
        json_object_set_new(o, "title", i18n_pick(l, &fr->fw->title));
        json_object_set_new(o, "version", str_or_null(fr->fw->version));
        json_object_set_new(o, "summary", counts_json(&fr->counts, 1));
        json_object_set_new(o, "requirements", reqs);
        json_array_append_new(fws, o);
    }
    json_object_set_new(root, "frameworks", fws);

    json_t *controls = json_array();
    for (size_t i = 0; i < res->ncontrols; i++) {
        const struct control *c = res->controls[i];
        json_t *o = json_object();
        json_object_set_new(o, "id", json_string(c->id));
        json_object_set_new(o, "title", i18n_pick(l, &c->title));
        json_object_set_new(o, "severity", json_string(severity_name(c->severity)));
        json_object_set_new(o, "area", json_string(area_name(c->area)));
        json_object_set_new(o, "rationale", i18n_pick(l, &c->rationale));
        json_object_set_new(o, "remediation",
                            json_pack("{s:o, s:o, s:o}", "text", i18n_pick(l, &c->remediation), "cli",
                                      str_or_null(c->remediation_cli), "terraform",
                                      str_or_null(c->remediation_terraform)));
        json_object_set_new(o, "frameworks", fw_map(c));
        json_array_append_new(controls, o);
    }
    json_object_set_new(root, "controls", controls);

    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (!text)
        return -1;
    sb_puts(sb, text);
    sb_putc(sb, '\n');
    free(text);
    return 0;
}
