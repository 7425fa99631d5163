/*
 * remediation.c — a control's fix made concrete for one failing resource.
 *
 * Control files write their AWS CLI and Terraform remediation as templates with
 * placeholders: {{account_id}}, {{region}}, {{resource_id}}, {{resource_arn}},
 * {{partition}}, {{tf_name}} (the resource id as a Terraform identifier), and {{X}} for any
 * extra column fix_X the control's query returns (the trail's bucket, a key id, a whole
 * command the query composed, ...). remediation_render() fills them from the finding.
 * The finding's own identifiers come straight from the account, so they are untrusted: one
 * with a character that could end a shell word or a quoted string ($, `, quotes, spaces, ...)
 * is not inserted; the placeholder becomes <X> and a comment asks the user to fill it in.
 * fix_X columns are the query's own output: it quotes what it builds (json_quote, ...), and
 * they are inserted as they are. A placeholder with no value (a NULL column, a misspelt
 * name) becomes <X>, so no template syntax reaches the user.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "controls.h"

/* Characters an AWS identifier uses that are inert in sh words, JSON and HCL strings. */
static int safe_value(const char *v)
{
    if (!*v)
        return 0;
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        if (!isalnum(*p) && !strchr("_.:/@+=,-", *p))
            return 0;
    return 1;
}

char *remediation_tf_name(const char *id)
{
    struct strbuf sb;
    sb_init(&sb);
    if (!id || !isalpha((unsigned char)*id))
        sb_puts(&sb, "r_");
    for (const unsigned char *p = (const unsigned char *)(id ? id : ""); *p && sb.len < 64; p++)
        sb_putc(&sb, isalnum(*p) ? (char)tolower(*p) : '_');
    return sb_detach(&sb);
}

char *remediation_render(const char *tmpl, const struct remediation_vars *v, const char *comment)
{
    if (!tmpl)
        return NULL;
    struct strbuf out, unsafe;
    sb_init(&out);
    sb_init(&unsafe);
    const char *p = tmpl;
    for (;;) {
        const char *open = strstr(p, "{{");
        const char *close = open ? strstr(open + 2, "}}") : NULL;
        if (!open || !close) {
            sb_puts(&out, p);
            break;
        }
        sb_add(&out, p, (size_t)(open - p));
        char *name = xstrndup(open + 2, (size_t)(close - open - 2));
        const char *val = NULL;
        int trusted = 0;
        for (size_t i = 0; i < v->n; i++)
            if (strcmp(v->names[i], name) == 0) {
                val = v->values[i];
                trusted = v->trusted && v->trusted[i];
            }
        if (val && (trusted || safe_value(val))) {
            sb_puts(&out, val);
        } else {
            sb_printf(&out, "<%s>", name);
            if (val && !strstr(unsafe.buf ? unsafe.buf : "", name))
                sb_printf(&unsafe, "%s%s", unsafe.len ? ", " : "", name);
        }
        free(name);
        p = close + 2;
    }
    if (unsafe.len) {
        struct strbuf full;
        sb_init(&full);
        sb_printf(&full,
                  "%s fill in <%s> by hand: the value has characters that are not safe to paste here\n",
                  comment, unsafe.buf);
        sb_puts(&full, out.buf);
        sb_free(&out);
        out = full;
    }
    sb_free(&unsafe);
    return sb_detach(&out);
}
