/*
 * wsprices.c — the WorkSpaces price table and the SQL function workspaces_price().
 *
 * The table is TSV (format in data/workspaces-prices.tsv and docs/workspaces-prices.md):
 * one row per region, operating-system class, compute type and volume sizes, giving the
 * AlwaysOn price per month and the AutoStop fee per month and price per hour. The built-in
 * table is data/workspaces-prices.tsv, compiled in by tools/embed.c as workspaces_prices_tsv
 * and parsed on first use; the user's file (inv_load_workspaces_prices) is searched first,
 * so its rows replace built-in rows with the same key and add new ones. Both tables belong
 * to the inventory.
 *
 * A file is checked whole when it is loaded: every malformed line is an error naming the
 * file and line, never a row silently skipped, since a skipped row would turn a price the
 * user meant to give into a "no price" finding.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "inventory_internal.h"

extern const char *const workspaces_prices_tsv;
extern const size_t workspaces_prices_tsv_len;

/* One row; the strings point into the table's text. */
struct ws_price {
    const char *region, *os, *compute, *currency, *date, *source;
    long root_gib, user_gib;
    double monthly, autostop_fixed, autostop_hourly;
    size_t line;
};

struct ws_prices {
    char *name; /* the file's path (in messages and in the function's "table") */
    char *text; /* the file's text, its TABs and line ends turned into NULs */
    struct ws_price *v;
    size_t n;
};

static void prices_free(struct ws_prices *t)
{
    if (!t)
        return;
    free(t->name);
    free(t->text);
    free(t->v);
    free(t);
}

void inv_release_ws_prices(struct inventory *inv)
{
    prices_free(inv->ws_user);
    prices_free(inv->ws_builtin);
    inv->ws_user = inv->ws_builtin = NULL;
}

/* ---- field checks: each returns 1 when s is valid ---- */

static const char *const os_classes[] = {"windows", "windows-byol", "amazon-linux",
                                         "ubuntu",  "rhel",         "rocky"};

static int all_of(const char *s, const char *set, size_t max)
{
    size_t n = strlen(s);
    return n > 0 && n <= max && strspn(s, set) == n;
}

static int valid_os(const char *s)
{
    for (size_t i = 0; i < sizeof os_classes / sizeof *os_classes; i++)
        if (strcmp(s, os_classes[i]) == 0)
            return 1;
    return 0;
}

/* A volume size in GiB: 1 to 100000, digits only. */
static int parse_gib(const char *s, long *out)
{
    if (!all_of(s, "0123456789", 6))
        return 0;
    *out = strtol(s, NULL, 10);
    return *out >= 1 && *out <= 100000;
}

/* A price: digits, optionally a point and 1 to 4 more digits; at most 1,000,000. */
static int parse_price(const char *s, double *out)
{
    size_t whole = strspn(s, "0123456789");
    if (whole == 0 || whole > 7)
        return 0;
    if (s[whole] == '.') {
        size_t frac = strspn(s + whole + 1, "0123456789");
        if (frac == 0 || frac > 4 || s[whole + 1 + frac])
            return 0;
    } else if (s[whole]) {
        return 0;
    }
    *out = strtod(s, NULL);
    return *out <= 1000000.0;
}

static int two_digits_in(const char *s, int lo, int hi)
{
    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
        return 0;
    int v = (s[0] - '0') * 10 + (s[1] - '0');
    return v >= lo && v <= hi;
}

/* YYYY, YYYY-MM or YYYY-MM-DD. */
static int valid_date(const char *s)
{
    size_t n = strlen(s);
    if ((n != 4 && n != 7 && n != 10) || strspn(s, "0123456789") != 4)
        return 0;
    if (n >= 7 && (s[4] != '-' || !two_digits_in(s + 5, 1, 12)))
        return 0;
    return n < 10 || (s[7] == '-' && two_digits_in(s + 8, 1, 31));
}

/* ---- parsing ---- */

enum {
    F_REGION,
    F_OS,
    F_COMPUTE,
    F_ROOT,
    F_USER,
    F_MONTHLY,
    F_FIXED,
    F_HOURLY,
    F_CURRENCY,
    F_DATE,
    F_SOURCE,
    NFIELDS
};

static const char *const field_names[NFIELDS] = {"region",   "os",      "compute",        "root_gib",
                                                 "user_gib", "monthly", "autostop_fixed", "autostop_hourly",
                                                 "currency", "date",    "source"};

/* What is wrong with field i of a row (NULL when it is valid); fills the row's member. */
static const char *check_field(int i, const char *s, struct ws_price *r)
{
    switch (i) {
    case F_REGION:
        r->region = s;
        return all_of(s, "abcdefghijklmnopqrstuvwxyz0123456789-", 32)
                   ? NULL
                   : "is not a region code (e.g. ap-northeast-2)";
    case F_OS:
        r->os = s;
        return valid_os(s) ? NULL : "is not windows, windows-byol, amazon-linux, ubuntu, rhel or rocky";
    case F_COMPUTE:
        r->compute = s;
        return all_of(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_", 40)
                   ? NULL
                   : "is not a compute type name as the API spells it (e.g. STANDARD, GRAPHICS_G4DN)";
    case F_ROOT:
        return parse_gib(s, &r->root_gib) ? NULL
                                          : "is not a volume size in GiB (a whole number, 1 to 100000)";
    case F_USER:
        return parse_gib(s, &r->user_gib) ? NULL
                                          : "is not a volume size in GiB (a whole number, 1 to 100000)";
    case F_MONTHLY:
        return parse_price(s, &r->monthly) ? NULL
                                           : "is not a price (digits and an optional point, e.g. 1048.00)";
    case F_FIXED:
        return parse_price(s, &r->autostop_fixed)
                   ? NULL
                   : "is not a price (digits and an optional point, e.g. 1048.00)";
    case F_HOURLY:
        return parse_price(s, &r->autostop_hourly)
                   ? NULL
                   : "is not a price (digits and an optional point, e.g. 0.36)";
    case F_CURRENCY:
        r->currency = s;
        return all_of(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", 3) && strlen(s) == 3
                   ? NULL
                   : "is not a currency code (e.g. USD)";
    case F_DATE: r->date = s; return valid_date(s) ? NULL : "is not a date (YYYY, YYYY-MM or YYYY-MM-DD)";
    default: r->source = s; return NULL;
    }
}

static int same_key(const struct ws_price *a, const struct ws_price *b)
{
    return strcmp(a->region, b->region) == 0 && strcmp(a->os, b->os) == 0 &&
           strcmp(a->compute, b->compute) == 0 && a->root_gib == b->root_gib && a->user_gib == b->user_gib;
}

/* Split one data line (NUL-terminated, no line end) into r. 0, or -1 with err. */
static int parse_row(char *line, const char *name, size_t lineno, struct ws_price *r, char *err,
                     size_t errlen)
{
    char *f[NFIELDS];
    size_t n = 0;
    for (char *p = line;; n++) {
        char *tab = strchr(p, '\t');
        if (n < NFIELDS)
            f[n] = p;
        if (!tab)
            break;
        *tab = '\0';
        p = tab + 1;
    }
    n++;
    if (n != NFIELDS) {
        snprintf(err, errlen,
                 "%s:%zu: %zu TAB-separated fields, expected %d (region, os, compute, root_gib, user_gib, "
                 "monthly, autostop_fixed, autostop_hourly, currency, date, source)",
                 name, lineno, n, NFIELDS);
        return -1;
    }
    memset(r, 0, sizeof *r);
    r->line = lineno;
    for (int i = 0; i < NFIELDS; i++) {
        const char *bad = check_field(i, f[i], r);
        if (bad) {
            /* the value is untrusted: show at most 40 bytes of it */
            snprintf(err, errlen, "%s:%zu: field %d (%s) \"%.40s\" %s", name, lineno, i + 1, field_names[i],
                     f[i], bad);
            return -1;
        }
    }
    return 0;
}

/* Parse the table text (len bytes) into a new table named name. NULL with err. */
static struct ws_prices *prices_parse(const char *text, size_t len, const char *name, char *err,
                                      size_t errlen)
{
    if (memchr(text, '\0', len)) {
        snprintf(err, errlen, "%s: not a text file (it contains a NUL byte)", name);
        return NULL;
    }
    long bad = utf8_invalid_at(text, len);
    if (bad >= 0) {
        size_t lineno = 1;
        for (long i = 0; i < bad; i++)
            lineno += text[i] == '\n';
        snprintf(err, errlen, "%s:%zu: not valid UTF-8", name, lineno);
        return NULL;
    }
    struct ws_prices *t = xcalloc(1, sizeof *t);
    t->name = xstrdup(name);
    t->text = xstrndup(text, len);
    size_t lines = 1;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    t->v = xcalloc(lines, sizeof *t->v);
    char *line = t->text;
    for (size_t lineno = 1; line; lineno++) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        size_t n = strlen(line);
        if (n && line[n - 1] == '\r')
            line[--n] = '\0';
        if (line[0] != '#' && strspn(line, " \t") != n) {
            struct ws_price *r = &t->v[t->n];
            if (parse_row(line, name, lineno, r, err, errlen) != 0) {
                prices_free(t);
                return NULL;
            }
            for (size_t k = 0; k < t->n; k++) {
                if (same_key(&t->v[k], r)) {
                    snprintf(err, errlen, "%s:%zu: the same region, os, compute and volume sizes as line %zu",
                             name, lineno, t->v[k].line);
                    prices_free(t);
                    return NULL;
                }
            }
            t->n++;
        }
        line = nl ? nl + 1 : NULL;
    }
    if (t->n == 0) {
        snprintf(err, errlen, "%s: no price rows (only comments or empty lines)", name);
        prices_free(t);
        return NULL;
    }
    return t;
}

int inv_load_workspaces_prices(struct inventory *inv, const char *path, char *err, size_t errlen)
{
    size_t len = 0;
    char ferr[ERRLEN];
    char *text = file_read(path, &len, ferr, sizeof ferr);
    if (!text) {
        snprintf(err, errlen, "WorkSpaces prices: %s", ferr);
        return -1;
    }
    struct ws_prices *t = prices_parse(text, len, path, err, errlen);
    free(text);
    if (!t)
        return -1;
    prices_free(inv->ws_user);
    inv->ws_user = t;
    return 0;
}

/* ---- lookup and the SQL function ---- */

static const struct ws_price *prices_find(const struct ws_prices *t, const struct ws_price *key)
{
    for (size_t i = 0; t && i < t->n; i++)
        if (same_key(&t->v[i], key))
            return &t->v[i];
    return NULL;
}

/* A volume size argument: an integer, an integral real, or digits as text; else 0. */
static int gib_arg(sqlite3_value *v, long *out)
{
    switch (sqlite3_value_type(v)) {
    case SQLITE_INTEGER: {
        sqlite3_int64 i = sqlite3_value_int64(v);
        *out = (long)i;
        return i >= 1 && i <= 100000;
    }
    case SQLITE_FLOAT: {
        double d = sqlite3_value_double(v);
        *out = (long)d;
        return d >= 1 && d <= 100000 && (double)*out == d;
    }
    case SQLITE_TEXT: return parse_gib((const char *)sqlite3_value_text(v), out);
    default: return 0;
    }
}

/* workspaces_price(region, os, compute, root_gib, user_gib): the matching row as JSON
 * {"monthly", "autostop_fixed", "autostop_hourly", "currency", "date", "source", "table"}
 * ("table": the user's file path, or "built-in"),
 * or NULL when no row matches (or an argument is NULL). An error when the built-in table
 * does not parse (a build that ships a broken table must not report "no price"). */
static void fn_workspaces_price(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    struct inventory *inv = sqlite3_user_data(ctx);
    if (!inv->ws_builtin) {
        char err[ERRLEN];
        inv->ws_builtin = prices_parse(workspaces_prices_tsv, workspaces_prices_tsv_len,
                                       "data/workspaces-prices.tsv", err, sizeof err);
        if (!inv->ws_builtin) {
            char *msg = xasprintf("built-in WorkSpaces price table: %s", err);
            sqlite3_result_error(ctx, msg, -1);
            free(msg);
            return;
        }
    }
    struct ws_price key = {0};
    key.region = (const char *)sqlite3_value_text(argv[0]);
    key.os = (const char *)sqlite3_value_text(argv[1]);
    key.compute = (const char *)sqlite3_value_text(argv[2]);
    if (!key.region || !key.os || !key.compute || !gib_arg(argv[3], &key.root_gib) ||
        !gib_arg(argv[4], &key.user_gib)) {
        sqlite3_result_null(ctx);
        return;
    }
    const struct ws_prices *table = inv->ws_user;
    const struct ws_price *p = prices_find(table, &key);
    if (!p) {
        table = inv->ws_builtin;
        p = prices_find(table, &key);
    }
    if (!p) {
        sqlite3_result_null(ctx);
        return;
    }
    json_t *o =
        json_pack("{s:f, s:f, s:f, s:s, s:s, s:s, s:s}", "monthly", p->monthly, "autostop_fixed",
                  p->autostop_fixed, "autostop_hourly", p->autostop_hourly, "currency", p->currency, "date",
                  p->date, "source", p->source, "table", table == inv->ws_builtin ? "built-in" : table->name);
    char *s = o ? json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(12)) : NULL;
    json_decref(o);
    if (s)
        sqlite3_result_text(ctx, s, -1, free);
    else
        sqlite3_result_error_nomem(ctx);
}

int inv_register_ws_functions(sqlite3 *db, struct inventory *inv)
{
    /* deterministic within one inventory: the tables do not change while controls run */
    return sqlite3_create_function(db, "workspaces_price", 5, SQLITE_UTF8 | SQLITE_DETERMINISTIC, inv,
                                   fn_workspaces_price, NULL, NULL) == SQLITE_OK
               ? 0
               : -1;
}
