/*
 * render_cli.c — a plan as a bash script of AWS CLI commands a person can read and re-run.
 *
 * The prelude stops on the first error (set -euo pipefail), takes every parameter from the
 * environment or its default (a parameter without one stops the script before any change),
 * and keeps a state file of finished steps: a second run skips them, so a run that stopped
 * half-way resumes where it stopped. ANSIM_SKIP names steps not to run. Each step is a
 * function with a comment saying what it changes and which controls it makes pass; the
 * fragments themselves are written to be idempotent too (create only after a failed get).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "baseline.h"
#include "render_int.h"

/* a comment line of the script */
static void comment(struct strbuf *sb, const char *a, const char *b) { render_comment(sb, "# ", a, b); }

static int put_param(struct strbuf *sb, const struct bl_param *prm, const char *value, char *err,
                     size_t errlen)
{
    comment(sb, prm->desc_en, strcmp(prm->type, "list") == 0 ? " (space-separated)" : "");
    if (!value) {
        sb_printf(sb, "if [ -z \"${%s:-}\" ]; then\n  echo ", prm->sh);
        char *msg = xasprintf("set %s: %s", prm->sh, prm->desc_en);
        bl_sh_quote(sb, msg);
        free(msg);
        sb_puts(sb, " >&2\n  exit 2\nfi\n");
        return 0;
    }
    if (strcmp(prm->type, "number") == 0 && !bl_whole_number(value)) {
        snprintf(err, errlen, "parameter %s: %s is not a whole number", prm->tf, value);
        return -1;
    }
    sb_printf(sb, "if [ -z \"${%s+x}\" ]; then %s=", prm->sh, prm->sh);
    if (strcmp(prm->type, "list") == 0) {
        char *joined = render_list_join(value, " ");
        bl_sh_quote(sb, joined);
        free(joined);
    } else {
        bl_sh_quote(sb, value);
    }
    sb_puts(sb, "; fi\n");
    return 0;
}

static const char prelude[] =
    "export AWS_PAGER=\"\"\n"
    "ACCOUNT_ID=\"$(aws sts get-caller-identity --query Account --output text)\"\n"
    "PARTITION=\"$(aws sts get-caller-identity --query Arn --output text | cut -d: -f2)\"\n"
    "\n"
    "# Finished steps are recorded here; a second run skips them (delete the file to redo all).\n"
    "STATE=\"${ANSIM_STATE:-${0%.sh}.done}\"\n"
    "# Step names listed here (space-separated) are not run.\n"
    "ANSIM_SKIP=\"${ANSIM_SKIP:-}\"\n"
    "touch \"$STATE\"\n"
    "\n"
    "ansim_run() { # NAME FUNCTION\n"
    "  case \" $ANSIM_SKIP \" in *\" $1 \"*)\n"
    "    echo \"ansim: skip  $1 (ANSIM_SKIP)\" >&2\n"
    "    return 0 ;;\n"
    "  esac\n"
    "  if grep -qxF -- \"$1\" \"$STATE\"; then\n"
    "    echo \"ansim: done  $1 (already; see $STATE)\" >&2\n"
    "    return 0\n"
    "  fi\n"
    "  echo \"ansim: run   $1\" >&2\n"
    "  \"$2\"\n"
    "  echo \"$1\" >>\"$STATE\"\n"
    "}\n";

static void put_step(struct strbuf *sb, const struct bl_step *st, size_t n)
{
    sb_puts(sb, "\n# ==============================================================================\n");
    char *head =
        st->body ? xasprintf("step %zu: %s%s", n, st->name, st->regional ? " (every region in $REGIONS)" : "")
                 : xasprintf("MANUAL, not run: %s", st->name);
    comment(sb, head, NULL);
    free(head);
    comment(sb, st->title.en, NULL);
    comment(sb, st->title.ko, NULL);
    if (st->ncontrols) {
        struct strbuf c;
        sb_init(&c);
        for (size_t j = 0; j < st->ncontrols; j++)
            sb_printf(&c, "%s%s", j ? ", " : "", st->controls[j]);
        comment(sb, st->body ? "makes pass: " : "would make pass: ", c.buf);
        sb_free(&c);
    }
    if (st->what.en)
        comment(sb, "why: ", st->what.en);
    if (st->what.ko)
        comment(sb, "     ", st->what.ko);
    if (!st->body) {
        comment(sb, "not run: ", st->manual.en);
        if (st->manual.ko)
            comment(sb, "         ", st->manual.ko);
        for (const char *l = st->held; l && *l;) { /* the commands, for review */
            const char *e = strchr(l, '\n');
            size_t len = e ? (size_t)(e - l) : strlen(l);
            char *line = xstrndup(l, len);
            comment(sb, "    ", line);
            free(line);
            l = e ? e + 1 : l + len;
        }
        return;
    }
    if (st->manual.en) {
        comment(sb, "by hand afterwards: ", st->manual.en);
        if (st->manual.ko)
            comment(sb, "                    ", st->manual.ko);
    }
    sb_printf(sb, "step_%zu() {\n", n);
    if (st->regional)
        sb_puts(sb, "for region in $REGIONS; do\n");
    sb_puts(sb, st->body);
    if (!*st->body || st->body[strlen(st->body) - 1] != '\n')
        sb_putc(sb, '\n');
    if (st->regional)
        sb_puts(sb, "done\n");
    sb_puts(sb, "}\nansim_run ");
    bl_sh_quote(sb, st->name);
    sb_printf(sb, " step_%zu\n", n);
}

char *render_cli(const struct bl_plan *p, const char *account, char *err, size_t errlen)
{
    struct strbuf sb;
    sb_init(&sb);
    sb_puts(&sb, "#!/usr/bin/env bash\n");
    render_header(&sb, p, account, "# ");
    sb_puts(&sb, "#\n# Run:  bash THIS-FILE   (with the AWS credentials and AWS_DEFAULT_REGION of the target "
                 "account)\n");
    sb_puts(&sb, "\nset -euo pipefail\n\n# ---- parameters: export any of them before running to change its "
                 "value ----\n");
    const char *home = p->nregions ? p->regions[0] : "ap-northeast-2";
    comment(&sb, "Region for the account's global resources (trail, buckets, keys)", NULL);
    sb_puts(&sb, "if [ -z \"${HOME_REGION+x}\" ]; then HOME_REGION=");
    bl_sh_quote(&sb, home);
    sb_puts(&sb, "; fi\n");
    for (size_t k = 0; k < bl_nparams; k++)
        if (render_file_uses(p, account, &bl_params[k]) &&
            put_param(&sb, &bl_params[k], bl_values_get(&p->values, bl_params[k].tf), err, errlen)) {
            sb_free(&sb);
            return NULL;
        }
    sb_puts(&sb, "\n");
    sb_puts(&sb, prelude);
    size_t n = 0;
    for (size_t i = 0; i < p->nsteps; i++)
        if (render_in_file(&p->steps[i], account))
            put_step(&sb, &p->steps[i], p->steps[i].body ? ++n : 0);
    sb_puts(&sb, "\necho \"ansim: all steps done; rescan with: ansim scan\" >&2\n");
    return sb_detach(&sb);
}
