/*
 * cond.c — the Condition block: every operator family (String, Numeric, Date, Bool, Binary,
 * IP, ARN, Null), ...IfExists, ForAnyValue:/ForAllValues: with AWS's missing- and empty-key
 * rules, negated operators (true on an absent key; NOR over the policy values), and policy
 * variables (${key}, ${key, 'default'}, ${*} ${?} ${$}) in String and ARN values, one with no
 * value being a null value that only negated operators match. Operators AND, keys AND,
 * values OR.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../util/util.h"
#include "internal.h"

const struct ctx_entry *ctx_get(const struct ctx *c, const char *lkey)
{
    if (c && !c->sealed) { /* only while it is being built */
        for (size_t i = 0; i < c->n; i++)
            if (strcmp(c->v[i].key, lkey) == 0)
                return &c->v[i];
        return NULL;
    }
    size_t lo = 0, hi = c ? c->n : 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(c->v[mid].key, lkey);
        if (cmp == 0)
            return &c->v[mid];
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

int ctx_unknown(const struct ctx *c, const char *lkey)
{
    if (!c || !c->open || ctx_get(c, lkey))
        return 0;
    for (size_t i = 0; i < c->nknown; i++) {
        size_t n = strlen(c->known[i]);
        if (n && c->known[i][n - 1] == '/' ? strncmp(lkey, c->known[i], n) == 0
                                           : strcmp(lkey, c->known[i]) == 0)
            return 0;
    }
    return 1;
}

/* 1 when s reads a policy variable whose key is unknown in an open context */
static int reads_unknown(const char *s, const struct ctx *c)
{
    if (!c->open)
        return 0;
    for (const char *p = strstr(s, "${"); p; p = strstr(p + 2, "${")) {
        const char *q = p + 2;
        while (isspace((unsigned char)*q))
            q++;
        size_t n = strcspn(q, ",} \t");
        char *k = xstrndup(q, n);
        for (char *x = k; *x; x++)
            *x = (char)tolower((unsigned char)*x);
        int u = n && strcmp(k, "*") && strcmp(k, "?") && strcmp(k, "$") && ctx_unknown(c, k);
        free(k);
        if (u)
            return 1;
    }
    return 0;
}

static int entry_cmp(const void *a, const void *b)
{
    const struct ctx_entry *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->order > y->order) - (x->order < y->order);
}

void ctx_seal(struct ctx *c)
{
    if (c->n)
        qsort(c->v, c->n, sizeof *c->v, entry_cmp);
    size_t kept = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (kept && strcmp(c->v[kept - 1].key, c->v[i].key) == 0) /* a later duplicate */
            continue;
        c->v[kept++] = c->v[i];
    }
    c->n = kept;
    c->sealed = 1;
}

char *iam_substitute(const char *s, const struct ctx *c, int wildcard_escape)
{
    struct strbuf out;
    sb_init(&out);
    for (const char *p = s; *p;) {
        if (p[0] != '$' || p[1] != '{') {
            sb_putc(&out, *p++);
            continue;
        }
        const char *end = strchr(p + 2, '}');
        if (!end) { /* not a variable: literal text */
            sb_puts(&out, p);
            break;
        }
        char *inner = xstrndup(p + 2, (size_t)(end - p - 2));
        p = end + 1;
        if (strcmp(inner, "*") == 0 || strcmp(inner, "?") == 0) {
            sb_putc(&out, wildcard_escape ? (inner[0] == '*' ? '\x01' : '\x02') : inner[0]);
            free(inner);
            continue;
        }
        if (strcmp(inner, "$") == 0) {
            sb_putc(&out, '$');
            free(inner);
            continue;
        }
        char *def = NULL, *comma = strchr(inner, ',');
        if (comma) { /* ${key, 'default'} */
            *comma = '\0';
            char *q = strchr(comma + 1, '\''), *q2 = q ? strrchr(q + 1, '\'') : NULL;
            if (q && q2)
                def = xstrndup(q + 1, (size_t)(q2 - q - 1));
        }
        char *key = inner;
        while (isspace((unsigned char)*key))
            key++;
        size_t kl = strlen(key);
        while (kl && isspace((unsigned char)key[kl - 1]))
            key[--kl] = '\0';
        for (char *k = key; *k; k++)
            *k = (char)tolower((unsigned char)*k);
        const struct ctx_entry *e = ctx_get(c, key);
        const char *val = e && e->nvalues == 1 ? e->values[0] : def;
        if (!val) {
            free(def);
            free(inner);
            sb_free(&out);
            return NULL;
        }
        for (const char *v = val; *v; v++) /* substituted text is literal, never a wildcard */
            sb_putc(&out, wildcard_escape && *v == '*' ? '\x01' : wildcard_escape && *v == '?' ? '\x02' : *v);
        free(def);
        free(inner);
    }
    return sb_detach(&out);
}

/* ---- value comparisons ---- */

/* A decimal number ("-12", "3.5", "1e3"): not strtod's hex, inf, nan or leading blanks. */
static int parse_num(const char *s, double *d)
{
    const char *p = s + (*s == '-' || *s == '+');
    size_t digits = strspn(p, "0123456789");
    p += digits;
    if (*p == '.') {
        size_t frac = strspn(p + 1, "0123456789");
        digits += frac;
        p += 1 + frac;
    }
    if (!digits)
        return 0;
    if (*p == 'e' || *p == 'E') {
        p += 1 + (p[1] == '-' || p[1] == '+');
        size_t exp = strspn(p, "0123456789");
        if (!exp)
            return 0;
        p += exp;
    }
    if (*p)
        return 0;
    *d = strtod(s, NULL); /* out of range: ±HUGE_VAL or 0, which still compare sensibly */
    return 1;
}

static int parse_date(const char *s, double *out)
{
    double d;
    if (parse_num(s, &d)) { /* epoch seconds */
        *out = d;
        return 1;
    }
    time_t t;
    if (time_parse(s, &t) == 0) {
        *out = (double)t;
        return 1;
    }
    if (strlen(s) == 10) { /* a date alone */
        char buf[32];
        snprintf(buf, sizeof buf, "%sT00:00:00Z", s);
        if (time_parse(buf, &t) == 0) {
            *out = (double)t;
            return 1;
        }
    }
    return 0;
}

/* addr (bare or CIDR) within cidr; IPv4 and IPv6. */
static int ip_in(const char *addr, const char *cidr)
{
    unsigned char a[16], n[16];
    char buf[64];
    const char *slash = strchr(cidr, '/');
    size_t len = slash ? (size_t)(slash - cidr) : strlen(cidr);
    if (len >= sizeof buf)
        return 0;
    memcpy(buf, cidr, len);
    buf[len] = '\0';
    int v6 = strchr(buf, ':') != NULL;
    if (inet_pton(v6 ? AF_INET6 : AF_INET, buf, n) != 1)
        return 0;
    char abuf[64];
    size_t alen = strcspn(addr, "/");
    if (alen >= sizeof abuf)
        return 0;
    memcpy(abuf, addr, alen);
    abuf[alen] = '\0';
    if ((strchr(abuf, ':') != NULL) != v6 || inet_pton(v6 ? AF_INET6 : AF_INET, abuf, a) != 1)
        return 0;
    int bits = v6 ? 128 : 32, prefix = bits;
    if (slash) { /* 1 to 3 digits, at most bits: "/", "/abc", "/-1" and "/33" match nothing */
        size_t nd = strspn(slash + 1, "0123456789");
        if (nd < 1 || nd > 3 || slash[1 + nd] != '\0')
            return 0;
        prefix = atoi(slash + 1);
    }
    if (prefix > bits)
        return 0;
    for (int i = 0; i < prefix; i++) {
        int byte = i / 8, bit = 7 - i % 8;
        if (((a[byte] >> bit) & 1) != ((n[byte] >> bit) & 1))
            return 0;
    }
    return 1;
}

static int negated(enum cond_op op)
{
    return op == OP_STRING_NOT_EQUALS || op == OP_STRING_NOT_EQUALS_IC || op == OP_STRING_NOT_LIKE ||
           op == OP_NUM_NE || op == OP_DATE_NE || op == OP_NOT_IP || op == OP_ARN_NOT_LIKE;
}

/* The positive comparison of one request value with one policy value (already substituted). */
static int base_match(enum cond_op op, const char *rv, const char *pv)
{
    double a, b;
    switch (op) {
    case OP_STRING_EQUALS:
    case OP_STRING_NOT_EQUALS: return strcmp(rv, pv) == 0;
    case OP_STRING_EQUALS_IC:
    case OP_STRING_NOT_EQUALS_IC: return strcasecmp(rv, pv) == 0;
    case OP_STRING_LIKE:
    case OP_STRING_NOT_LIKE: return iam_glob(pv, rv, 0);
    case OP_NUM_EQ:
    case OP_NUM_NE: return parse_num(rv, &a) && parse_num(pv, &b) && a == b;
    case OP_NUM_LT: return parse_num(rv, &a) && parse_num(pv, &b) && a < b;
    case OP_NUM_LE: return parse_num(rv, &a) && parse_num(pv, &b) && a <= b;
    case OP_NUM_GT: return parse_num(rv, &a) && parse_num(pv, &b) && a > b;
    case OP_NUM_GE: return parse_num(rv, &a) && parse_num(pv, &b) && a >= b;
    case OP_DATE_EQ:
    case OP_DATE_NE: return parse_date(rv, &a) && parse_date(pv, &b) && a == b;
    case OP_DATE_LT: return parse_date(rv, &a) && parse_date(pv, &b) && a < b;
    case OP_DATE_LE: return parse_date(rv, &a) && parse_date(pv, &b) && a <= b;
    case OP_DATE_GT: return parse_date(rv, &a) && parse_date(pv, &b) && a > b;
    case OP_DATE_GE: return parse_date(rv, &a) && parse_date(pv, &b) && a >= b;
    case OP_BOOL: return strcasecmp(rv, pv) == 0;
    case OP_BINARY_EQUALS: return strcmp(rv, pv) == 0;
    case OP_IP:
    case OP_NOT_IP: return ip_in(rv, pv);
    case OP_ARN_LIKE:
    case OP_ARN_NOT_LIKE: return iam_arn_like(pv, rv);
    case OP_NULL: return 0;
    }
    return 0;
}

static int variables_allowed(enum cond_op op)
{
    return op <= OP_STRING_NOT_LIKE || op == OP_BOOL || op == OP_ARN_LIKE || op == OP_ARN_NOT_LIKE;
}

static int wildcard_op(enum cond_op op)
{
    return op == OP_STRING_LIKE || op == OP_STRING_NOT_LIKE || op == OP_ARN_LIKE || op == OP_ARN_NOT_LIKE;
}

static int cmp_exact(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int cmp_nocase(const void *a, const void *b)
{
    return strcasecmp(*(char *const *)a, *(char *const *)b);
}

/* For operators that test equality, the order their values can be sorted in so that a
 * request value is looked up by binary search: many request values against many policy
 * values (ForAnyValue over 100,000 of each) then cost n log n, not n². NULL for the others. */
static int (*equality_order(enum cond_op op))(const void *, const void *)
{
    if (op == OP_STRING_EQUALS || op == OP_STRING_NOT_EQUALS || op == OP_BINARY_EQUALS)
        return cmp_exact;
    if (op == OP_STRING_EQUALS_IC || op == OP_STRING_NOT_EQUALS_IC || op == OP_BOOL)
        return cmp_nocase;
    return NULL;
}

/* Does request value rv match any of the (substituted) policy values? sorted: pvs is sorted
 * in equality_order(op). */
static int any_value(enum cond_op op, const char *rv, char **pvs, size_t n, int sorted)
{
    if (sorted)
        return bsearch(&rv, pvs, n, sizeof *pvs, equality_order(op)) != NULL;
    for (size_t i = 0; i < n; i++)
        if (base_match(op, rv, pvs[i]))
            return 1;
    return 0;
}

/* The request values of e against the policy values: every one (ForAllValues), some
 * (ForAnyValue), or the single-valued rule; negated operators invert per value. */
static int compare_values(const struct cond *c, const struct ctx_entry *e, char **pvs, size_t n, int sorted)
{
    int neg = negated(c->op), result;
    if (c->set == SET_ALL) { /* every request value matches (positive) / matches none (negated) */
        result = 1;
        for (size_t i = 0; i < e->nvalues && result; i++) {
            int m = any_value(c->op, e->values[i], pvs, n, sorted);
            result = neg ? !m : m;
        }
    } else if (c->set == SET_ANY) { /* some request value matches / matches none */
        result = 0;
        for (size_t i = 0; i < e->nvalues && !result; i++) {
            int m = any_value(c->op, e->values[i], pvs, n, sorted);
            result = neg ? !m : m;
        }
    } else { /* a single-valued key */
        int m = 0;
        for (size_t i = 0; i < e->nvalues && !m; i++)
            m = any_value(c->op, e->values[i], pvs, n, sorted);
        result = neg ? !m : m;
    }
    return result;
}

int iam_cond_state(const struct cond *c, const struct iam_policy *p, const struct ctx *ctx)
{
    if (ctx_unknown(ctx, c->key))
        return 2;
    if (p->variables && variables_allowed(c->op))
        for (size_t i = 0; i < c->nvalues; i++)
            if (strstr(c->values[i], "${") && reads_unknown(c->values[i], ctx))
                return 2;
    const struct ctx_entry *e = ctx_get(ctx, c->key);
    int present = e && e->nvalues > 0;
    if (c->op == OP_NULL) {
        for (size_t i = 0; i < c->nvalues; i++)
            if ((strcasecmp(c->values[i], "true") == 0 && !present) ||
                (strcasecmp(c->values[i], "false") == 0 && present))
                return 1;
        return 0;
    }
    if (!present) { /* decided without the policy values */
        if (c->if_exists)
            return 1;
        if (c->set == SET_ANY)
            return 0;
        if (c->set == SET_ALL)
            return 1;
        return negated(c->op);
    }
    /* the policy values, borrowed, or with variables substituted where the operator takes
     * them (those are freed after) */
    char *small[16];
    char **pvs = c->nvalues <= 16 ? small : xcalloc(c->nvalues, sizeof *pvs);
    unsigned char owned_small[16] = {0};
    unsigned char *owned = c->nvalues <= 16 ? owned_small : xcalloc(c->nvalues, 1);
    size_t n = 0;
    int vars = p->variables && variables_allowed(c->op);
    for (size_t i = 0; i < c->nvalues; i++) {
        if (vars && strstr(c->values[i], "${")) {
            char *s = iam_substitute(c->values[i], ctx, wildcard_op(c->op));
            if (!s)
                continue; /* a variable with no value: a null value, equal to or like nothing */
            owned[n] = 1;
            pvs[n++] = s;
        } else {
            owned[n] = 0;
            pvs[n++] = c->values[i];
        }
    }
    int sorted = n > 8 && e->nvalues > 1 && equality_order(c->op) != NULL;
    char **order = pvs;
    if (sorted) { /* many values on both sides: sort a copy once, then binary search */
        order = xcalloc(n, sizeof *order);
        memcpy(order, pvs, n * sizeof *order);
        qsort(order, n, sizeof *order, equality_order(c->op));
    }
    int result = compare_values(c, e, order, n, sorted);
    if (order != pvs)
        free(order);
    for (size_t i = 0; i < n; i++)
        if (owned[i])
            free(pvs[i]);
    if (pvs != small)
        free(pvs);
    if (owned != owned_small)
        free(owned);
    return result;
}

int iam_conditions_hold(const struct stmt *st, const struct iam_policy *p, const struct ctx *c)
{
    int unknown = 0;
    for (size_t i = 0; i < st->nconds; i++) {
        int r = iam_cond_state(&st->conds[i], p, c);
        if (!r)
            return 0;
        unknown |= r == 2;
    }
    return unknown ? 2 : 1;
}
