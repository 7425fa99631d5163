/*
 * policy.c — policy documents compiled once: Statement as an object or a list; Action /
 * NotAction, Resource / NotResource, Principal / NotPrincipal and condition values as a
 * string or a list; actions lower-cased (they match case-insensitively); condition keys
 * lower-cased; operators parsed with their IfExists and ForAnyValue/ForAllValues forms.
 * A document that is not a policy is refused with the reason.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/util.h"
#include "internal.h"

static char *lower(const char *s)
{
    char *d = xstrdup(s);
    for (char *p = d; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return d;
}

const char *iam_json_text(const json_t *v, char buf[64])
{
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_boolean(v))
        return json_is_true(v) ? "true" : "false";
    if (json_is_integer(v))
        snprintf(buf, 64, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        snprintf(buf, 64, "%.17g", json_real_value(v));
    else
        return NULL;
    return buf;
}

/* A string or a list of strings into a new array; unless only_strings, numbers and booleans
 * are taken as their text, as AWS does for condition values. -1 when v is anything else. */
static int strings(const json_t *v, char ***out, size_t *n, int fold, int only_strings)
{
    *out = NULL;
    *n = 0;
    size_t count = json_is_array(v) ? json_array_size(v) : 1;
    char **arr = xcalloc(count ? count : 1, sizeof *arr);
    for (size_t i = 0; i < count; i++) {
        char buf[64];
        const json_t *x = json_is_array(v) ? json_array_get(v, i) : v;
        const char *s = only_strings && !json_is_string(x) ? NULL : iam_json_text(x, buf);
        if (!s) {
            for (size_t k = 0; k < i; k++)
                free(arr[k]);
            free(arr);
            return -1;
        }
        arr[i] = fold ? lower(s) : xstrdup(s);
    }
    *out = arr;
    *n = count;
    return 0;
}

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static const struct {
    const char *name;
    enum cond_op op;
} ops[] = {
    {"StringEquals", OP_STRING_EQUALS},
    {"StringNotEquals", OP_STRING_NOT_EQUALS},
    {"StringEqualsIgnoreCase", OP_STRING_EQUALS_IC},
    {"StringNotEqualsIgnoreCase", OP_STRING_NOT_EQUALS_IC},
    {"StringLike", OP_STRING_LIKE},
    {"StringNotLike", OP_STRING_NOT_LIKE},
    {"NumericEquals", OP_NUM_EQ},
    {"NumericNotEquals", OP_NUM_NE},
    {"NumericLessThan", OP_NUM_LT},
    {"NumericLessThanEquals", OP_NUM_LE},
    {"NumericGreaterThan", OP_NUM_GT},
    {"NumericGreaterThanEquals", OP_NUM_GE},
    {"DateEquals", OP_DATE_EQ},
    {"DateNotEquals", OP_DATE_NE},
    {"DateLessThan", OP_DATE_LT},
    {"DateLessThanEquals", OP_DATE_LE},
    {"DateGreaterThan", OP_DATE_GT},
    {"DateGreaterThanEquals", OP_DATE_GE},
    {"Bool", OP_BOOL},
    {"BinaryEquals", OP_BINARY_EQUALS},
    {"IpAddress", OP_IP},
    {"NotIpAddress", OP_NOT_IP},
    {"ArnEquals", OP_ARN_LIKE},
    {"ArnLike", OP_ARN_LIKE},
    {"ArnNotEquals", OP_ARN_NOT_LIKE},
    {"ArnNotLike", OP_ARN_NOT_LIKE},
    {"Null", OP_NULL},
};

/* "ForAnyValue:StringLikeIfExists" -> op, set, if_exists. Operator names are case sensitive
 * in AWS; the set prefixes are matched case-insensitively, as iam-simulate does. */
static int parse_op(const char *name, struct cond *c)
{
    c->set = SET_NONE;
    c->if_exists = 0;
    if (strncasecmp(name, "ForAnyValue:", 12) == 0)
        c->set = SET_ANY, name += 12;
    else if (strncasecmp(name, "ForAllValues:", 13) == 0)
        c->set = SET_ALL, name += 13;
    size_t n = strlen(name);
    char buf[64];
    if (n >= sizeof buf)
        return -1;
    memcpy(buf, name, n + 1);
    if (n > 8 && strcmp(buf + n - 8, "IfExists") == 0) {
        buf[n - 8] = '\0';
        c->if_exists = 1;
    }
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++)
        if (strcmp(buf, ops[i].name) == 0) {
            c->op = ops[i].op;
            if (c->op == OP_NULL && c->if_exists)
                return -1; /* NullIfExists does not exist */
            return 0;
        }
    return -1;
}

/* How a condition reads in answers: "aws:SourceIp in 10.20.0.0/16". negate: the condition
 * under which it does NOT hold (what a conditional Deny leaves open), "not (...)" when there
 * is no plain opposite (set operators, IfExists). */
static const struct {
    enum cond_op op, opposite;
    const char *symbol;
} symbols[] = {
    {OP_STRING_EQUALS, OP_STRING_NOT_EQUALS, "="},
    {OP_STRING_NOT_EQUALS, OP_STRING_EQUALS, "!="},
    {OP_STRING_EQUALS_IC, OP_STRING_NOT_EQUALS_IC, "= (any case)"},
    {OP_STRING_NOT_EQUALS_IC, OP_STRING_EQUALS_IC, "!= (any case)"},
    {OP_STRING_LIKE, OP_STRING_NOT_LIKE, "like"},
    {OP_STRING_NOT_LIKE, OP_STRING_LIKE, "not like"},
    {OP_NUM_EQ, OP_NUM_NE, "=="},
    {OP_NUM_NE, OP_NUM_EQ, "!="},
    {OP_NUM_LT, OP_NUM_GE, "<"},
    {OP_NUM_LE, OP_NUM_GT, "<="},
    {OP_NUM_GT, OP_NUM_LE, ">"},
    {OP_NUM_GE, OP_NUM_LT, ">="},
    {OP_DATE_EQ, OP_DATE_NE, "at"},
    {OP_DATE_NE, OP_DATE_EQ, "not at"},
    {OP_DATE_LT, OP_DATE_GE, "before"},
    {OP_DATE_LE, OP_DATE_GT, "at or before"},
    {OP_DATE_GT, OP_DATE_LE, "after"},
    {OP_DATE_GE, OP_DATE_LT, "at or after"},
    {OP_BOOL, OP_BOOL, "="},
    {OP_BINARY_EQUALS, OP_BINARY_EQUALS, "="},
    {OP_IP, OP_NOT_IP, "in"},
    {OP_NOT_IP, OP_IP, "not in"},
    {OP_ARN_LIKE, OP_ARN_NOT_LIKE, "like"},
    {OP_ARN_NOT_LIKE, OP_ARN_LIKE, "not like"},
    {OP_NULL, OP_NULL, "is"},
};

static const char *symbol(enum cond_op op, enum cond_op *opposite)
{
    for (size_t i = 0; i < sizeof symbols / sizeof *symbols; i++)
        if (symbols[i].op == op) {
            if (opposite)
                *opposite = symbols[i].opposite;
            return symbols[i].symbol;
        }
    return "?";
}

static int flip_bool(const char *v, struct strbuf *sb)
{
    if (strcasecmp(v, "true") == 0 || strcasecmp(v, "false") == 0) {
        sb_puts(sb, strcasecmp(v, "true") == 0 ? "false" : "true");
        return 1;
    }
    return 0;
}

static char *describe(const struct cond *c, const char *key, const char *opname, int negate)
{
    struct strbuf sb;
    sb_init(&sb);
    enum cond_op op = c->op, opposite = c->op;
    symbol(op, &opposite);
    int plain = c->set == SET_NONE && !c->if_exists;
    int flipvals = 0;
    if (negate && plain) {
        if (op == OP_BOOL || op == OP_NULL)
            flipvals = 1;
        else if (op != OP_BINARY_EQUALS)
            op = opposite;
        else
            sb_puts(&sb, "not ("), plain = 0;
    } else if (negate) {
        sb_puts(&sb, "not (");
    }
    if (c->set != SET_NONE || c->if_exists) {
        sb_puts(&sb, opname); /* set operators and IfExists keep AWS's own wording */
        sb_putc(&sb, ' ');
        sb_puts(&sb, key);
    } else if (op == OP_NULL) {
        sb_puts(&sb, key);
    } else {
        sb_puts(&sb, key);
        sb_putc(&sb, ' ');
        sb_puts(&sb, symbol(op, NULL));
    }
    sb_putc(&sb, ' ');
    if (op == OP_NULL && c->set == SET_NONE && !c->if_exists) {
        int absent = c->nvalues && strcasecmp(c->values[0], "true") == 0;
        sb_puts(&sb, absent != flipvals ? "absent" : "present");
    } else {
        if (c->nvalues != 1)
            sb_putc(&sb, '[');
        for (size_t i = 0; i < c->nvalues; i++) {
            if (i)
                sb_puts(&sb, ", ");
            if (!(flipvals && flip_bool(c->values[i], &sb)))
                sb_puts(&sb, c->values[i]);
        }
        if (c->nvalues != 1)
            sb_putc(&sb, ']');
    }
    if (negate && !plain)
        sb_putc(&sb, ')');
    return sb_detach(&sb);
}

static int parse_principals(const json_t *v, struct stmt *st, char *err, size_t errlen)
{
    if (json_is_string(v) && strcmp(json_string_value(v), "*") != 0) { /* a bare ARN: read as {"AWS": ARN} */
        st->principals = xcalloc(1, sizeof *st->principals);
        st->principals[0] = (struct principal){PR_AWS, xstrdup(json_string_value(v))};
        st->nprincipals = 1;
        return 0;
    }
    if (json_is_string(v)) {
        st->principals = xcalloc(1, sizeof *st->principals);
        st->principals[0] = (struct principal){PR_ANY, xstrdup("*")};
        st->nprincipals = 1;
        return 0;
    }
    if (!json_is_object(v)) {
        snprintf(err, errlen, "Principal must be \"*\" or an object");
        return -1;
    }
    const char *k;
    json_t *x;
    json_object_foreach((json_t *)v, k, x)
    {
        enum principal_type t = strcmp(k, "AWS") == 0             ? PR_AWS
                                : strcmp(k, "Service") == 0       ? PR_SERVICE
                                : strcmp(k, "Federated") == 0     ? PR_FEDERATED
                                : strcmp(k, "CanonicalUser") == 0 ? PR_CANONICAL
                                                                  : (enum principal_type) - 1;
        char **vals;
        size_t n;
        if ((int)t < 0 || strings(x, &vals, &n, 0, 0)) {
            snprintf(err, errlen, "Principal: unknown or malformed entry \"%.100s\"", k);
            return -1;
        }
        st->principals = xrealloc(st->principals, (st->nprincipals + n) * sizeof *st->principals);
        for (size_t i = 0; i < n; i++)
            st->principals[st->nprincipals++] =
                (struct principal){t == PR_AWS && strcmp(vals[i], "*") == 0 ? PR_ANY : t, vals[i]};
        free(vals);
    }
    return 0;
}

static int parse_conditions(const json_t *v, struct stmt *st, char *err, size_t errlen)
{
    if (!json_is_object(v)) {
        snprintf(err, errlen, "Condition must be an object");
        return -1;
    }
    const char *opname;
    json_t *keys;
    size_t cap = 0;
    json_object_foreach((json_t *)v, opname, keys)
    {
        if (!json_is_object(keys)) {
            snprintf(err, errlen, "Condition %.100s must map keys to values", opname);
            return -1;
        }
        const char *key;
        json_t *vals;
        json_object_foreach(keys, key, vals)
        {
            struct cond c;
            memset(&c, 0, sizeof c);
            if (parse_op(opname, &c)) {
                snprintf(err, errlen, "unknown condition operator %.100s", opname);
                return -1;
            }
            if (strings(vals, &c.values, &c.nvalues, 0, 0)) {
                snprintf(err, errlen, "Condition %.100s %.100s: values must be strings", opname, key);
                return -1;
            }
            c.key = lower(key);
            c.text = describe(&c, key, opname, 0);
            c.negtext = describe(&c, key, opname, 1);
            if (st->nconds == cap) { /* doubling: 100,000 keys must not cost 100,000 copies */
                cap = cap ? 2 * cap : 4;
                st->conds = xrealloc(st->conds, cap * sizeof *st->conds);
            }
            st->conds[st->nconds++] = c;
        }
    }
    return 0;
}

static void stmt_free(struct stmt *s)
{
    free_strings(s->actions, s->nactions);
    free_strings(s->resources, s->nresources);
    free(s->action_kind);
    free(s->action_len);
    free(s->resource_kind);
    free(s->resource_prefix);
    for (size_t i = 0; i < s->nprincipals; i++)
        free(s->principals[i].value);
    free(s->principals);
    for (size_t i = 0; i < s->nconds; i++) {
        free(s->conds[i].key);
        free(s->conds[i].text);
        free(s->conds[i].negtext);
        free_strings(s->conds[i].values, s->conds[i].nvalues);
    }
    free(s->conds);
    free(s->label);
}

/* Pattern shapes worked out once, so that most matches are a compare, not a wildcard match:
 * "*" matches everything; a pattern without wildcards (or variables) is compared whole; an
 * action pattern "prefix*" with no other wildcard compares its prefix. */
static void classify(struct stmt *st)
{
    st->action_kind = xcalloc(st->nactions + 1, 1);
    st->action_len = xcalloc(st->nactions + 1, sizeof *st->action_len);
    for (size_t i = 0; i < st->nactions; i++) {
        const char *a = st->actions[i];
        size_t n = strlen(a), w = strcspn(a, "*?");
        st->action_len[i] = n;
        st->action_kind[i] = strcmp(a, "*") == 0         ? PAT_ANY
                             : w == n                    ? PAT_EXACT
                             : w == n - 1 && a[w] == '*' ? PAT_PREFIX
                                                         : PAT_GLOB;
        if (st->action_kind[i] == PAT_PREFIX)
            st->action_len[i] = w;
    }
    st->resource_kind = xcalloc(st->nresources + 1, 1);
    st->resource_prefix = xcalloc(st->nresources + 1, sizeof *st->resource_prefix);
    for (size_t i = 0; i < st->nresources; i++) {
        const char *r = st->resources[i];
        st->resource_kind[i] = strcmp(r, "*") == 0         ? PAT_ANY
                               : strpbrk(r, "*?$") == NULL ? PAT_EXACT
                                                           : PAT_GLOB;
        st->resource_prefix[i] = strcspn(r, "*?$"); /* literal: any match starts with it */
    }
}

static int compile_stmt(const json_t *j, size_t index, struct stmt *st, char *err, size_t errlen)
{
    memset(st, 0, sizeof *st);
    if (!json_is_object(j)) {
        snprintf(err, errlen, "statement %zu is not an object", index);
        return -1;
    }
    const char *effect = json_string_value(json_object_get(j, "Effect"));
    const char *sid = json_string_value(json_object_get(j, "Sid"));
    /* a Sid is quoted in every message about the statement: at most 64 bytes of it, cut
     * between two UTF-8 characters */
    size_t sl = sid ? strlen(sid) : 0, cut = sl > 64 ? 64 : sl;
    while (cut < sl && cut > 0 && ((unsigned char)sid[cut] & 0xc0) == 0x80)
        cut--;
    st->label = sl ? xasprintf("statement %zu (Sid %.*s%s)", index, (int)cut, sid, cut < sl ? "..." : "")
                   : xasprintf("statement %zu", index);
    if (!effect || (strcmp(effect, "Allow") != 0 && strcmp(effect, "Deny") != 0)) {
        snprintf(err, errlen, "%s: Effect must be Allow or Deny", st->label);
        return -1;
    }
    st->allow = strcmp(effect, "Allow") == 0;
    const json_t *a = json_object_get(j, "Action"), *na = json_object_get(j, "NotAction");
    if ((a && na) || (!a && !na)) {
        snprintf(err, errlen, "%s: exactly one of Action and NotAction is required", st->label);
        return -1;
    }
    st->not_action = na != NULL;
    if (strings(a ? a : na, &st->actions, &st->nactions, 1, 1)) {
        snprintf(err, errlen, "%s: Action must be a string or a list of strings", st->label);
        return -1;
    }
    const json_t *r = json_object_get(j, "Resource"), *nr = json_object_get(j, "NotResource");
    if (r && nr) {
        snprintf(err, errlen, "%s: Resource and NotResource together", st->label);
        return -1;
    }
    st->has_resource = r || nr;
    st->not_resource = nr != NULL;
    if (st->has_resource && strings(r ? r : nr, &st->resources, &st->nresources, 0, 1)) {
        snprintf(err, errlen, "%s: Resource must be a string or a list of strings", st->label);
        return -1;
    }
    classify(st);
    const json_t *p = json_object_get(j, "Principal"), *np = json_object_get(j, "NotPrincipal");
    if (p && np) {
        snprintf(err, errlen, "%s: Principal and NotPrincipal together", st->label);
        return -1;
    }
    st->has_principal = p || np;
    st->not_principal = np != NULL;
    if (st->has_principal && parse_principals(p ? p : np, st, err, errlen))
        return -1;
    const json_t *c = json_object_get(j, "Condition");
    if (c && parse_conditions(c, st, err, errlen))
        return -1;
    return 0;
}

struct iam_policy *iam_policy_compile(const json_t *doc, const char *name, char *err, size_t errlen)
{
    if (!json_is_object(doc)) {
        snprintf(err, errlen, "%s: a policy must be a JSON object", name);
        return NULL;
    }
    const json_t *stmts = json_object_get(doc, "Statement");
    if (!stmts || (!json_is_object(stmts) && !json_is_array(stmts))) {
        snprintf(err, errlen, "%s: Statement must be an object or a list", name);
        return NULL;
    }
    struct iam_policy *p = xcalloc(1, sizeof *p);
    p->name = xstrdup(name);
    const char *version = json_string_value(json_object_get(doc, "Version"));
    p->variables = version && strcmp(version, "2012-10-17") == 0;
    size_t n = json_is_array(stmts) ? json_array_size(stmts) : 1;
    p->stmts = xcalloc(n ? n : 1, sizeof *p->stmts);
    char serr[256];
    for (size_t i = 0; i < n; i++) {
        const json_t *s = json_is_array(stmts) ? json_array_get(stmts, i) : stmts;
        int rc = compile_stmt(s, i, &p->stmts[i], serr, sizeof serr);
        p->nstmts = i + 1;
        if (rc) {
            snprintf(err, errlen, "%s: %s", name, serr);
            iam_policy_free(p);
            return NULL;
        }
    }
    return p;
}

void iam_policy_free(struct iam_policy *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->nstmts; i++)
        stmt_free(&p->stmts[i]);
    free(p->stmts);
    free(p->name);
    free(p);
}
