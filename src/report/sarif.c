/*
 * sarif.c — SARIF 2.1.0 for code-scanning dashboards (e.g. GitHub code scanning).
 * One rule per evaluated control; one result per failed or errored finding. Cloud
 * resources have no source file, so each result's location is a logical path
 * aws/ACCOUNT/REGION/TYPE/ID (an artifact URI GitHub accepts) plus a logical location
 * naming the ARN; partialFingerprints keep alerts stable across scans.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

static const char *level_of(enum severity s)
{
    return s <= SEV_HIGH ? "error" : s == SEV_MEDIUM ? "warning" : "note";
}

static const char *security_severity(enum severity s)
{
    static const char *const v[] = {"9.5", "8.0", "5.5", "3.0", "0.0"};
    return v[s];
}

/* Keep URI path segments to safe characters. */
static void uri_segment(struct strbuf *sb, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
            c == '_' || c == '.')
            sb_putc(sb, (char)c);
        else
            sb_printf(sb, "%%%02X", c);
    }
}

int report_sarif(const struct report_ctx *ctx, struct strbuf *sb)
{
    const struct scan_result *res = ctx->res;
    enum lang l = ctx->lang;
    json_t *rules = json_array();
    for (size_t i = 0; i < res->ncontrols; i++) {
        const struct control *c = res->controls[i];
        struct strbuf help;
        sb_init(&help);
        sb_printf(&help, "%s\n\n%s", L(l, c->rationale.en, c->rationale.ko),
                  L(l, c->remediation.en, c->remediation.ko));
        if (c->remediation_cli)
            sb_printf(&help, "\n\nAWS CLI:\n%s", c->remediation_cli);
        json_t *tags = json_pack("[s, s]", "security", area_name(c->area));
        for (size_t j = 0; j < c->nfw; j++)
            json_array_append_new(tags, json_string(c->fw[j].framework));
        json_t *rule =
            json_pack("{s:s, s:s, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s, s:o, s:s}}", "id", c->id,
                      "name", c->id, "shortDescription", "text", L(l, c->title.en, c->title.ko),
                      "fullDescription", "text", L(l, c->rationale.en, c->rationale.ko), "help", "text",
                      help.buf, "defaultConfiguration", "level", level_of(c->severity), "properties",
                      "security-severity", security_severity(c->severity), "tags", tags, "precision", "high");
        sb_free(&help);
        json_array_append_new(rules, rule);
    }
    json_t *results = json_array();
    for (size_t i = 0; i < res->nfindings; i++) {
        const struct finding *f = &res->findings[i];
        if (f->status != ST_FAIL && f->status != ST_ERROR)
            continue;
        size_t idx = 0;
        while (idx < res->ncontrols && res->controls[idx] != f->control)
            idx++;
        struct strbuf uri, fp;
        sb_init(&uri);
        sb_init(&fp);
        sb_puts(&uri, "aws/");
        uri_segment(&uri, res->meta.account_id);
        sb_putc(&uri, '/');
        uri_segment(&uri, f->region);
        sb_putc(&uri, '/');
        uri_segment(&uri, f->resource_type);
        sb_putc(&uri, '/');
        uri_segment(&uri, f->resource_id);
        sb_printf(&fp, "%s|%s|%s|%s", f->control->id, f->region ? f->region : "",
                  f->resource_type ? f->resource_type : "", f->resource_id ? f->resource_id : "");
        char *msg =
            xasprintf("%s%s: %s", f->status == ST_ERROR ? "[error] " : "",
                      f->resource_arn ? f->resource_arn : f->resource_id, L(l, f->reason, f->reason_ko));
        json_t *r = json_pack(
            "{s:s, s:I, s:s, s:{s:s}, s:[{s:{s:{s:s}, s:{s:i}}, s:[{s:s, s:s}]}], s:{s:s}, s:{s:s, s:s}}",
            "ruleId", f->control->id, "ruleIndex", (json_int_t)idx, "level",
            f->status == ST_ERROR ? "warning" : level_of(f->control->severity), "message", "text", msg,
            "locations", "physicalLocation", "artifactLocation", "uri", uri.buf, "region", "startLine", 1,
            "logicalLocations", "fullyQualifiedName",
            f->resource_arn  ? f->resource_arn
            : f->resource_id ? f->resource_id
                             : "",
            "kind", "resource", "partialFingerprints", "ansimFinding/v1", fp.buf, "properties", "status",
            status_name(f->status), "region", f->region ? f->region : "");
        free(msg);
        sb_free(&uri);
        sb_free(&fp);
        if (r)
            json_array_append_new(results, r);
    }
    json_t *root =
        json_pack("{s:s, s:s, s:[{s:{s:{s:s, s:s, s:s, s:o}}, s:o, s:{s:s}}]}", "$schema",
                  "https://json.schemastore.org/sarif-2.1.0.json", "version", "2.1.0", "runs", "tool",
                  "driver", "name", "ansim", "version", ANSIM_VERSION, "semanticVersion", ANSIM_VERSION,
                  "rules", rules, "results", results, "automationDetails", "id", res->meta.id);
    if (!root)
        return -1;
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (!text)
        return -1;
    sb_puts(sb, text);
    sb_putc(sb, '\n');
    free(text);
    return 0;
}
