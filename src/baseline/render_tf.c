/*
 * render_tf.c — a plan as one Terraform root module (main.tf): the header as comments, the
 * AWS provider (one aliased copy per region when a step is regional), the three data
 * sources fragments may use, the variables they use (defaults from the profile and --set),
 * then every step in order. A regional step is written once per region with {{region}} and
 * {{region_id}} filled in. Fixes of several findings may each declare the same provider or
 * data block; an identical top-level block is written once.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "baseline.h"
#include "render_int.h"

static int put_variable(struct strbuf *sb, const struct bl_param *prm, const char *value, char *err,
                        size_t errlen)
{
    int list = strcmp(prm->type, "list") == 0, num = strcmp(prm->type, "number") == 0;
    sb_printf(sb, "\nvariable \"%s\" {\n  description = ", prm->tf);
    bl_hcl_quote(sb, prm->desc_en);
    sb_printf(sb, "\n  type        = %s\n", list ? "list(string)" : num ? "number" : "string");
    if (value) {
        sb_puts(sb, "  default     = ");
        if (num) {
            if (!bl_whole_number(value)) {
                snprintf(err, errlen, "parameter %s: %s is not a whole number", prm->tf, value);
                return -1;
            }
            sb_puts(sb, value);
        } else if (list) {
            size_t n;
            char **v = render_list(value, &n);
            sb_putc(sb, '[');
            for (size_t i = 0; i < n; i++) {
                if (i)
                    sb_puts(sb, ", ");
                bl_hcl_quote(sb, v[i]);
            }
            sb_putc(sb, ']');
            render_list_free(v, n);
        } else {
            bl_hcl_quote(sb, value);
        }
        sb_putc(sb, '\n');
    }
    sb_puts(sb, "}\n");
    return 0;
}

static char *region_id(const char *r)
{
    char *id = xstrdup(r);
    for (char *c = id; *c; c++)
        if (!isalnum((unsigned char)*c))
            *c = '_';
    return id;
}

static char *replace(const char *s, const char *from, const char *to)
{
    struct strbuf sb;
    sb_init(&sb);
    size_t fl = strlen(from);
    for (const char *p = s, *q; *p; p = q + fl) {
        q = strstr(p, from);
        if (!q) {
            sb_puts(&sb, p);
            break;
        }
        sb_add(&sb, p, (size_t)(q - p));
        sb_puts(&sb, to);
    }
    return sb.buf ? sb_detach(&sb) : xstrdup("");
}

struct seen {
    char **v;
    size_t n;
};

/* body into sb, leaving out any top-level block (from a line at column 0 to the next line
 * that is exactly "}") already written to this file */
static void put_dedup(struct strbuf *sb, const char *body, struct seen *seen)
{
    for (const char *l = body; *l;) {
        const char *e = strchr(l, '\n');
        size_t n = e ? (size_t)(e - l) : strlen(l);
        int top = n && !isspace((unsigned char)l[0]) && l[0] != '#' && l[0] != '}';
        int one_line = top && n >= 2 && l[n - 2] == '{' && l[n - 1] == '}';
        if (!top || (!one_line && l[n - 1] != '{')) {
            sb_add(sb, l, n);
            sb_putc(sb, '\n');
            l = e ? e + 1 : l + n;
            continue;
        }
        const char *end = e ? e + 1 : l + n; /* after the opening line */
        while (!one_line && *end) {          /* to the line that is exactly "}" */
            const char *ee = strchr(end, '\n');
            size_t en = ee ? (size_t)(ee - end) : strlen(end);
            int close = en == 1 && end[0] == '}';
            end = ee ? ee + 1 : end + en;
            if (close)
                break;
        }
        char *block = xstrndup(l, (size_t)(end - l));
        int dup = 0;
        for (size_t i = 0; i < seen->n && !dup; i++)
            dup = strcmp(seen->v[i], block) == 0;
        if (dup) {
            free(block);
        } else {
            sb_puts(sb, block);
            if (block[strlen(block) - 1] != '\n')
                sb_putc(sb, '\n');
            seen->v = xrealloc(seen->v, (seen->n + 1) * sizeof *seen->v);
            seen->v[seen->n++] = block;
        }
        l = end;
    }
}

char *render_tf(const struct bl_plan *p, const char *account, char *err, size_t errlen)
{
    struct strbuf sb;
    sb_init(&sb);
    render_header(&sb, p, account, "# ");
    int regional = 0;
    for (size_t i = 0; i < p->nsteps; i++)
        regional |= render_in_file(&p->steps[i], account) && p->steps[i].body && p->steps[i].regional;
    const char *home = p->nregions ? p->regions[0] : "ap-northeast-2";
    sb_puts(&sb, "\nterraform {\n  required_version = \">= 1.5\"\n  required_providers {\n    aws = {\n"
                 "      source  = \"hashicorp/aws\"\n      version = \">= 5.40\"\n    }\n  }\n}\n\n");
    sb_printf(&sb, "provider \"aws\" {\n  region = \"%s\"\n}\n", home);
    for (size_t r = 0; regional && r < p->nregions; r++) {
        char *id = region_id(p->regions[r]);
        sb_printf(&sb, "\nprovider \"aws\" {\n  alias  = \"%s\"\n  region = \"%s\"\n}\n", id, p->regions[r]);
        free(id);
    }
    if (!p->gap)
        sb_puts(&sb,
                "\ndata \"aws_caller_identity\" \"current\" {}\n\ndata \"aws_partition\" \"current\" {}\n\n"
                "data \"aws_region\" \"current\" {}\n");
    for (size_t k = 0; k < bl_nparams; k++)
        if (render_file_uses(p, account, &bl_params[k]) &&
            put_variable(&sb, &bl_params[k], bl_values_get(&p->values, bl_params[k].tf), err, errlen)) {
            sb_free(&sb);
            return NULL;
        }
    struct seen seen = {0};
    size_t n = 0;
    for (size_t i = 0; i < p->nsteps; i++) {
        const struct bl_step *st = &p->steps[i];
        if (!render_in_file(st, account) || !st->body)
            continue;
        sb_printf(&sb, "\n# ---- step %zu: %s\n", ++n, st->name);
        char *t = xasprintf("%s / ", st->title.en ? st->title.en : "");
        render_comment(&sb, "# ", t, st->title.ko);
        free(t);
        if (!st->regional) {
            sb_putc(&sb, '\n');
            put_dedup(&sb, st->body, &seen);
            continue;
        }
        for (size_t r = 0; r < p->nregions; r++) {
            char *id = region_id(p->regions[r]);
            char *a = replace(st->body, "{{region_id}}", id);
            char *b = replace(a, "{{region}}", p->regions[r]);
            sb_putc(&sb, '\n');
            put_dedup(&sb, b, &seen);
            free(a);
            free(b);
            free(id);
        }
    }
    for (size_t i = 0; i < seen.n; i++)
        free(seen.v[i]);
    free(seen.v);
    return sb_detach(&sb);
}
