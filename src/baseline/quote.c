/*
 * quote.c — values written into generated code as inert text: a single-quoted shell word,
 * an HCL quoted string in which no template sequence survives, and the check for a whole
 * number. Every value that comes from the user or the account passes through one of these.
 */
#include <string.h>

#include "../util/util.h"
#include "render_int.h"

void bl_sh_quote(struct strbuf *sb, const char *s)
{
    sb_putc(sb, '\'');
    for (; *s; s++)
        if (*s == '\'')
            sb_puts(sb, "'\\''");
        else
            sb_putc(sb, *s);
    sb_putc(sb, '\'');
}

void bl_hcl_quote(struct strbuf *sb, const char *s)
{
    sb_putc(sb, '"');
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c == '"' || *c == '\\')
            sb_printf(sb, "\\%c", *c);
        else if (*c == '\n')
            sb_puts(sb, "\\n");
        else if (*c < 0x20)
            sb_printf(sb, "\\u%04x", *c);
        else if ((*c == '$' || *c == '%') && c[1] == '{') /* ${ and %{ start templates */
            sb_printf(sb, "%c%c", *c, *c);
        else
            sb_putc(sb, (char)*c);
    }
    sb_putc(sb, '"');
}

int bl_whole_number(const char *s)
{
    return s && *s && strlen(s) <= 9 && strspn(s, "0123456789") == strlen(s);
}
