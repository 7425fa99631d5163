/*
 * render_cfn.c — a plan as one CloudFormation template (YAML): the header as comments, the
 * parameters its resources use (defaults from the profile and --set; none where the user
 * must decide, such as the alert e-mail), then every step's Resources fragment in order.
 * A template holds one region; regional steps are deployed per region with StackSets, and
 * the header says so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "baseline.h"
#include "render_int.h"

/* body, each non-empty line indented by ind spaces */
static void put_indented(struct strbuf *sb, const char *body, int ind)
{
    for (const char *l = body; *l;) {
        const char *e = strchr(l, '\n');
        size_t n = e ? (size_t)(e - l) : strlen(l);
        if (n)
            sb_printf(sb, "%*s%.*s", ind, "", (int)n, l);
        sb_putc(sb, '\n');
        l = e ? e + 1 : l + n;
    }
}

static int put_param(struct strbuf *sb, const struct bl_param *prm, const char *value, char *err,
                     size_t errlen)
{
    const char *type = strcmp(prm->type, "list") == 0     ? "CommaDelimitedList"
                       : strcmp(prm->type, "number") == 0 ? "Number"
                                                          : "String";
    sb_printf(sb, "  %s:\n    Type: %s\n    Description: ", prm->cfn, type);
    sb_json(sb, prm->desc_en);
    sb_putc(sb, '\n');
    if (!value)
        return 0;
    if (strcmp(prm->type, "number") == 0) {
        if (!bl_whole_number(value)) {
            snprintf(err, errlen, "parameter %s: %s is not a whole number", prm->tf, value);
            return -1;
        }
        sb_printf(sb, "    Default: %s\n", value);
        return 0;
    }
    sb_puts(sb, "    Default: ");
    if (strcmp(prm->type, "list") == 0) {
        char *joined = render_list_join(value, ",");
        sb_json(sb, joined);
        free(joined);
    } else {
        sb_json(sb, value);
    }
    sb_putc(sb, '\n');
    return 0;
}

char *render_cfn(const struct bl_plan *p, const char *account, char *err, size_t errlen)
{
    struct strbuf sb;
    sb_init(&sb);
    render_header(&sb, p, account, "# ");
    int regional = 0, any = 0;
    for (size_t i = 0; i < p->nsteps; i++)
        if (render_in_file(&p->steps[i], account) && p->steps[i].body) {
            regional |= p->steps[i].regional;
            any = 1;
        }
    if (regional)
        sb_puts(
            &sb,
            "#\n# A template is deployed in one region. Steps marked (regional) turn on regional services:\n"
            "# deploy this template in every region you use (for example with a StackSet), or use the\n"
            "# terraform or cli output, which cover all the regions given.\n");
    sb_puts(&sb, "\nAWSTemplateFormatVersion: \"2010-09-09\"\nDescription: ");
    char *desc = xasprintf("ansim baseline: %s model%s%s (%s)", bl_model_name(p->model), account ? ", " : "",
                           account ? account : "", p->gap ? "gap fixes" : "greenfield");
    sb_json(&sb, desc);
    free(desc);
    sb_puts(&sb, "\n");
    int params = 0;
    for (size_t k = 0; k < bl_nparams; k++) {
        if (!bl_params[k].cfn || !render_file_uses(p, account, &bl_params[k]))
            continue;
        if (!params++)
            sb_puts(&sb, "\nParameters:\n");
        if (put_param(&sb, &bl_params[k], bl_values_get(&p->values, bl_params[k].tf), err, errlen)) {
            sb_free(&sb);
            return NULL;
        }
    }
    sb_puts(&sb, "\nResources:\n");
    if (!any) /* a template needs one resource; this one creates nothing */
        sb_puts(&sb, "  # Nothing to create: every control this model covers already passes.\n"
                     "  NothingToDo:\n    Type: AWS::CloudFormation::WaitConditionHandle\n");
    size_t n = 0;
    for (size_t i = 0; i < p->nsteps; i++) {
        const struct bl_step *st = &p->steps[i];
        if (!render_in_file(st, account) || !st->body)
            continue;
        sb_printf(&sb, "\n  # ---- step %zu: %s%s\n", ++n, st->name, st->regional ? " (regional)" : "");
        char *t = xasprintf("%s / ", st->title.en ? st->title.en : "");
        render_comment(&sb, "  # ", t, st->title.ko);
        free(t);
        put_indented(&sb, st->body, 2);
    }
    return sb_detach(&sb);
}
