/*
 * sigma.c — Sigma rules for CloudTrail: the loader (YAML through libfyaml) and the matcher.
 *
 * A detection rule compiles to selections (a selection is an OR of maps, a map an AND of
 * fields, a field an OR — or with `all` an AND — of values) and a condition tree over them.
 * Every value is compiled once: wildcards and the contains/startswith/endswith modifiers turn
 * into one of exact / prefix / suffix / substring / glob, lower-cased unless `cased`; `re`
 * into a POSIX ERE; `cidr` into address bytes. Records are never parsed: a field is read
 * with trail_each (arrays fan out) and compared on the record's own bytes, unescaping only
 * strings that hold an escape.
 *
 * For speed, sigma_finish indexes the rules by the eventName (else eventSource) literals
 * their condition cannot match without, so a record is tested only against the rules that
 * name its eventName or eventSource, plus the few rules that name neither.
 *
 * Correlation rules of type event_count count the matches of their base rules per group
 * (the group-by fields' values) in fixed windows of the timespan aligned to the epoch
 * (records in CloudTrail files are not in time order, so sliding windows would need every
 * event kept; fixed windows need one counter per group and window). Counts live in each
 * struct sigma_ctx and are merged; results come out after the scan.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <libfyaml.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "../util/util.h"
#include "trail.h"

/* ---- compiled rules ---- */

enum kind { K_EXACT, K_PREFIX, K_SUFFIX, K_CONTAINS, K_GLOB, K_NULL, K_RE, K_CIDR, K_EXISTS, K_FIELDREF };

struct val {
    enum kind kind;
    char *lit; /* the literal (lower-cased unless cased); K_FIELDREF: the other field's path */
    size_t len;
    unsigned char *wild; /* K_GLOB: per byte of lit, 0 literal, 1 '*', 2 '?' */
    char *need;          /* K_RE: a literal every match contains (lower-cased with i), or NULL */
    size_t needlen;
    regex_t *re;        /* checked at load; each sigma_ctx compiles its own copy (lit), as glibc's
                    regexec locks the regex_t and threads sharing one would queue */
    int family, prefix; /* K_CIDR */
    unsigned char net[16];
    int exists;        /* K_EXISTS; K_RE: case-insensitive */
    enum kind refmode; /* K_FIELDREF: exact, prefix, suffix or contains */
};

struct field {
    char *path; /* NULL: keywords, matched over the whole record text */
    int cased, all;
    size_t n;
    struct val *v;
};

struct map {
    size_t n;
    struct field *f;
};

struct sel {
    char *name;
    size_t n;
    struct map *m;
};

enum node_type { N_SEL, N_AND, N_OR, N_NOT, N_ONE_OF, N_ALL_OF };

struct node {
    enum node_type t;
    size_t sel;
    struct node *a, *b;
    size_t n;
    size_t *sels;
};

enum cmp { C_GTE, C_GT, C_LTE, C_LT, C_EQ };

struct corr {
    size_t nref;
    char **ref;   /* rule names or ids */
    size_t *base; /* resolved rule indices */
    size_t ngroup;
    char **group;
    int64_t span;
    enum cmp op;
    long long thr;
    int generate;
};

struct rule {
    struct sigma_rule_info info;
    char *id, *title, *title_ko, *desc, *desc_ko, *level, *tags, *file, *name, *why;
    size_t nsel;
    struct sel *sel;
    struct node *cond;
    struct corr *corr;
    size_t ncorrs;
    size_t *corrs; /* the correlations this rule feeds */
};

struct ph {
    char *name;
    char **v;
    size_t n;
};

/* eventName or eventSource literal -> rule indices (increasing) */
struct slot {
    char *key;
    size_t n;
    size_t *rules;
};

struct table {
    struct slot *s;
    size_t cap; /* power of two, or 0 */
};

struct sigma_set {
    struct rule *r;
    size_t n, cap;
    struct ph *ph;
    size_t nph;
    size_t skipped;
    char **notes;
    size_t nnotes;
    struct table by_name, by_source;
    size_t *always;
    size_t nalways;
};

/* ---- small helpers ---- */

static unsigned char lower(unsigned char c) { return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c; }

static void lower_str(char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        s[i] = (char)lower((unsigned char)s[i]);
}

static uint64_t hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

static void note(struct sigma_set *s, char *msg)
{
    s->notes = xrealloc(s->notes, (s->nnotes + 1) * sizeof *s->notes);
    s->notes[s->nnotes++] = msg;
}

/* ---- freeing ---- */

static void free_node(struct node *n)
{
    if (!n)
        return;
    free_node(n->a);
    free_node(n->b);
    free(n->sels);
    free(n);
}

static void free_val(struct val *v)
{
    free(v->lit);
    free(v->need);
    free(v->wild);
    if (v->re) {
        regfree(v->re);
        free(v->re);
    }
}

static void free_sels(struct sel *sel, size_t nsel)
{
    for (size_t i = 0; i < nsel; i++) {
        for (size_t j = 0; j < sel[i].n; j++) {
            struct map *m = &sel[i].m[j];
            for (size_t k = 0; k < m->n; k++) {
                for (size_t l = 0; l < m->f[k].n; l++)
                    free_val(&m->f[k].v[l]);
                free(m->f[k].v);
                free(m->f[k].path);
            }
            free(m->f);
        }
        free(sel[i].m);
        free(sel[i].name);
    }
    free(sel);
}

static void free_corr(struct corr *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nref; i++)
        free(c->ref[i]);
    for (size_t i = 0; i < c->ngroup; i++)
        free(c->group[i]);
    free(c->ref);
    free(c->base);
    free(c->group);
    free(c);
}

static void free_rule(struct rule *r)
{
    free(r->id), free(r->title), free(r->title_ko), free(r->desc), free(r->desc_ko);
    free(r->level), free(r->tags), free(r->file), free(r->name), free(r->why);
    free_sels(r->sel, r->nsel);
    free_node(r->cond);
    free_corr(r->corr);
    free(r->corrs);
}

static void free_table(struct table *t)
{
    for (size_t i = 0; i < t->cap; i++) {
        free(t->s[i].key);
        free(t->s[i].rules);
    }
    free(t->s);
}

struct sigma_set *sigma_set_new(void) { return xcalloc(1, sizeof(struct sigma_set)); }

void sigma_set_free(struct sigma_set *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        free_rule(&s->r[i]);
    free(s->r);
    for (size_t i = 0; i < s->nph; i++) {
        for (size_t j = 0; j < s->ph[i].n; j++)
            free(s->ph[i].v[j]);
        free(s->ph[i].v);
        free(s->ph[i].name);
    }
    free(s->ph);
    for (size_t i = 0; i < s->nnotes; i++)
        free(s->notes[i]);
    free(s->notes);
    free_table(&s->by_name);
    free_table(&s->by_source);
    free(s->always);
    free(s);
}

void sigma_set_placeholder(struct sigma_set *s, const char *name, const char *const *values, size_t n)
{
    s->ph = xrealloc(s->ph, (s->nph + 1) * sizeof *s->ph);
    struct ph *p = &s->ph[s->nph++];
    p->name = xstrdup(name);
    p->n = n;
    p->v = xcalloc(n ? n : 1, sizeof *p->v);
    for (size_t i = 0; i < n; i++)
        p->v[i] = xstrdup(values[i]);
}

size_t sigma_count(const struct sigma_set *s) { return s->n; }
const struct sigma_rule_info *sigma_info(const struct sigma_set *s, size_t i) { return &s->r[i].info; }
size_t sigma_skipped(const struct sigma_set *s) { return s->skipped; }
const char *sigma_notice(const struct sigma_set *s, size_t i) { return i < s->nnotes ? s->notes[i] : NULL; }

/* ---- loading: YAML access ---- */

/* Where loading is: the file name, the line of the document's start, the error. */
struct load {
    struct sigma_set *set;
    const char *name;
    char *err;
    size_t errlen;
    struct rule *r; /* the rule being built */
};

static int fail(struct load *ld, struct fy_node *n, const char *key, const char *fmt, const char *arg)
{
    char what[400];
    snprintf(what, sizeof what, fmt, arg ? arg : "");
    int line = n ? yaml_line(n) : 0;
    if (line)
        snprintf(ld->err, ld->errlen, "%s:%d: %s: %s", ld->name, line, key, what);
    else
        snprintf(ld->err, ld->errlen, "%s: %s: %s", ld->name, key, what);
    return -1;
}

/* A scalar's text as a new string, or NULL when n is not a scalar. */
static char *scalar_dup(struct fy_node *n)
{
    size_t len = 0;
    const char *t = n && fy_node_is_scalar(n) ? fy_node_get_scalar(n, &len) : NULL;
    return t ? xstrndup(t, len) : NULL;
}

static int is_null(struct fy_node *n)
{
    if (!n)
        return 1;
    if (!fy_node_is_scalar(n) || fy_node_get_style(n) != FYNS_PLAIN)
        return 0;
    size_t len = 0;
    const char *t = fy_node_get_scalar(n, &len);
    return !t || len == 0 || (len == 1 && *t == '~') ||
           (len == 4 &&
            (memcmp(t, "null", 4) == 0 || memcmp(t, "Null", 4) == 0 || memcmp(t, "NULL", 4) == 0));
}

static struct fy_node *get(struct fy_node *map, const char *key)
{
    return fy_node_mapping_lookup_by_string(map, key, FY_NT);
}

/* A string attribute (NULL when absent); -1 when present but not a scalar. */
static int attr(struct load *ld, struct fy_node *root, const char *key, char **out)
{
    struct fy_node *n = get(root, key);
    *out = NULL;
    if (!n || is_null(n))
        return 0;
    if (!fy_node_is_scalar(n))
        return fail(ld, n, key, "must be a string%s", NULL);
    *out = scalar_dup(n);
    return 0;
}

/* ---- loading: values ---- */

enum mod {
    M_CONTAINS = 1 << 0,
    M_STARTS = 1 << 1,
    M_ENDS = 1 << 2,
    M_ALL = 1 << 3,
    M_RE = 1 << 4,
    M_CIDR = 1 << 5,
    M_EXISTS = 1 << 6,
    M_FIELDREF = 1 << 7,
    M_CASED = 1 << 8,
    M_EXPAND = 1 << 9,
    M_I = 1 << 10
};

static int parse_mods(struct load *ld, struct fy_node *kn, const char *key, const char *mods, unsigned *out)
{
    static const struct {
        const char *name;
        unsigned bit;
    } known[] = {{"contains", M_CONTAINS},
                 {"startswith", M_STARTS},
                 {"endswith", M_ENDS},
                 {"all", M_ALL},
                 {"re", M_RE},
                 {"cidr", M_CIDR},
                 {"exists", M_EXISTS},
                 {"fieldref", M_FIELDREF},
                 {"cased", M_CASED},
                 {"expand", M_EXPAND},
                 {"i", M_I}};
    static const char *const refused[] = {"windash", "base64", "base64offset", "utf16le", "utf16be", "utf16",
                                          "wide",    "gt",     "gte",          "lt",      "lte",     "m",
                                          "s",       "minute", "hour",         "day",     "week",    "month",
                                          "year",    "neq"};
    *out = 0;
    const char *p = mods;
    while (p && *p) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        char m[32];
        snprintf(m, sizeof m, "%.*s", (int)(n < 31 ? n : 31), p);
        int found = 0;
        for (size_t i = 0; i < sizeof known / sizeof *known; i++)
            if (strcmp(m, known[i].name) == 0) {
                *out |= known[i].bit;
                found = 1;
            }
        for (size_t i = 0; !found && i < sizeof refused / sizeof *refused; i++)
            if (strcmp(m, refused[i]) == 0)
                return fail(ld, kn, key, "the modifier '%s' is not supported by ansim", m);
        if (!found)
            return fail(ld, kn, key, "unknown modifier '%s'", m);
        p = bar ? bar + 1 : NULL;
    }
    unsigned shape = *out & (M_CONTAINS | M_STARTS | M_ENDS);
    if (shape & (shape - 1))
        return fail(ld, kn, key, "contains, startswith and endswith exclude each other%s", NULL);
    if ((*out & (M_RE | M_CIDR | M_EXISTS)) && (shape || (*out & M_FIELDREF)))
        return fail(ld, kn, key, "re, cidr and exists take no other matching modifier%s", NULL);
    if ((*out & M_I) && !(*out & M_RE))
        return fail(ld, kn, key, "the modifier 'i' goes with 're' only%s", NULL);
    return 0;
}

/* Sigma's plain-value syntax into lit/wild: `*` and `?` wildcards, `\*`, `\?`, `\\` escapes,
 * and any other backslash literal. */
static void wild_compile(struct val *v, const char *t, size_t n, unsigned mods)
{
    size_t cap = n + 3;
    v->lit = xmalloc(cap);
    v->wild = xmalloc(cap);
    size_t k = 0;
    if (mods & (M_CONTAINS | M_ENDS)) {
        v->lit[k] = '*';
        v->wild[k++] = 1;
    }
    for (size_t i = 0; i < n; i++) {
        char c = t[i];
        if (c == '\\' && i + 1 < n && (t[i + 1] == '*' || t[i + 1] == '?' || t[i + 1] == '\\')) {
            v->lit[k] = t[++i];
            v->wild[k++] = 0;
        } else {
            v->lit[k] = c;
            v->wild[k++] = c == '*' ? 1 : c == '?' ? 2 : 0;
        }
    }
    if (mods & (M_CONTAINS | M_STARTS)) {
        v->lit[k] = '*';
        v->wild[k++] = 1;
    }
    v->lit[k] = 0;
    if (!(mods & M_CASED))
        lower_str(v->lit, k);
    /* classify: stars only at the ends and no '?' -> a fast kind */
    size_t lead = 0, trail = 0, inner = 0;
    while (lead < k && v->wild[lead] == 1)
        lead++;
    while (trail < k - lead && v->wild[k - 1 - trail] == 1)
        trail++;
    for (size_t i = lead; i < k - trail; i++)
        inner |= v->wild[i];
    if (inner) {
        v->kind = K_GLOB;
        v->len = k;
        return;
    }
    memmove(v->lit, v->lit + lead, k - lead - trail);
    v->len = k - lead - trail;
    v->lit[v->len] = 0;
    free(v->wild);
    v->wild = NULL;
    v->kind = lead && trail ? K_CONTAINS : lead ? K_SUFFIX : trail ? K_PREFIX : K_EXACT;
    if (lead && !trail && v->len == 0)
        v->kind = K_CONTAINS;
}

static int cidr_compile(struct val *v, const char *t)
{
    char addr[64];
    const char *slash = strchr(t, '/');
    size_t n = slash ? (size_t)(slash - t) : strlen(t);
    if (n >= sizeof addr)
        return -1;
    memcpy(addr, t, n);
    addr[n] = 0;
    v->family = strchr(addr, ':') ? AF_INET6 : AF_INET;
    int max = v->family == AF_INET6 ? 128 : 32;
    if (inet_pton(v->family, addr, v->net) != 1)
        return -1;
    v->prefix = max;
    if (slash) {
        char *end;
        long p = strtol(slash + 1, &end, 10);
        if (end == slash + 1 || *end || p < 0 || p > max)
            return -1;
        v->prefix = (int)p;
    }
    v->kind = K_CIDR;
    return 0;
}

/* The longest run of plain characters that every match of an ERE must contain (none when
 * the pattern has an alternation): a memmem before regexec skips most records. */
static void re_literal(struct val *v, const char *t, int icase)
{
    if (strchr(t, '|'))
        return;
    size_t best = 0, bstart = 0, start = 0, n = 0, depth = 0;
    for (size_t i = 0;; i++) {
        char c = t[i];
        int plain = c && depth == 0 && !strchr(".[]()*+?{}^$\\", c);
        if (c == '[' || c == '(')
            depth++;
        if ((c == ']' || c == ')') && depth)
            depth--;
        if (plain) {
            if (!n)
                start = i;
            n++;
            continue;
        }
        size_t run = n;
        if (run && (c == '*' || c == '?' || c == '{'))
            run--; /* the last character is optional or repeated */
        if (run > best) {
            best = run;
            bstart = start;
        }
        n = 0;
        if (!c)
            break;
    }
    if (best < 3)
        return;
    v->need = xstrndup(t + bstart, best);
    v->needlen = best;
    if (icase)
        lower_str(v->need, best);
}

/* One value text into v (expansion already done). */
static int val_compile(struct load *ld, struct fy_node *vn, const char *key, struct val *v, const char *t,
                       unsigned mods)
{
    memset(v, 0, sizeof *v);
    if (mods & M_EXISTS) {
        if (strcmp(t, "true") != 0 && strcmp(t, "false") != 0)
            return fail(ld, vn, key, "exists takes true or false%s", NULL);
        v->kind = K_EXISTS;
        v->exists = t[0] == 't';
        return 0;
    }
    if (mods & M_RE) {
        v->re = xmalloc(sizeof *v->re);
        int rc = regcomp(v->re, t, REG_EXTENDED | REG_NOSUB | ((mods & M_I) ? REG_ICASE : 0));
        if (rc != 0) {
            char msg[200];
            regerror(rc, v->re, msg, sizeof msg);
            free(v->re);
            v->re = NULL;
            return fail(ld, vn, key, "invalid regular expression (POSIX ERE): %s", msg);
        }
        v->kind = K_RE;
        v->lit = xstrdup(t);
        re_literal(v, t, (mods & M_I) != 0);
        v->exists = (mods & M_I) != 0; /* K_RE: REG_ICASE */
        return 0;
    }
    if (mods & M_CIDR) {
        if (cidr_compile(v, t) != 0)
            return fail(ld, vn, key, "not an IPv4 or IPv6 CIDR: '%s'", t);
        return 0;
    }
    if (mods & M_FIELDREF) {
        v->kind = K_FIELDREF;
        v->lit = xstrdup(t);
        v->refmode = (mods & M_CONTAINS) ? K_CONTAINS
                     : (mods & M_STARTS) ? K_PREFIX
                     : (mods & M_ENDS)   ? K_SUFFIX
                                         : K_EXACT;
        return 0;
    }
    wild_compile(v, t, strlen(t), mods);
    return 0;
}

static const struct ph *find_ph(const struct sigma_set *s, const char *name, size_t n)
{
    for (size_t i = 0; i < s->nph; i++)
        if (strlen(s->ph[i].name) == n && strncmp(s->ph[i].name, name, n) == 0)
            return &s->ph[i];
    return NULL;
}

/* Add the value texts of one YAML value (after `expand`) to f. */
static int add_value(struct load *ld, struct fy_node *vn, const char *key, struct field *f, unsigned mods)
{
    f->v = xrealloc(f->v, (f->n + 1) * sizeof *f->v);
    if (is_null(vn)) {
        memset(&f->v[f->n], 0, sizeof f->v[f->n]);
        f->v[f->n++].kind = K_NULL;
        return 0;
    }
    if (!fy_node_is_scalar(vn))
        return fail(ld, vn, key, "a value must be a string, number, boolean or null%s", NULL);
    char *t = scalar_dup(vn);
    const char *a = (mods & M_EXPAND) ? strchr(t, '%') : NULL, *b = a ? strchr(a + 1, '%') : NULL;
    if (mods & M_EXPAND) {
        if (!b) {
            free(t);
            return fail(ld, vn, key, "expand needs a %%placeholder%% value%s", NULL);
        }
        const struct ph *p = find_ph(ld->set, a + 1, (size_t)(b - a - 1));
        if (!p || p->n == 0) {
            if (!ld->r->why)
                ld->r->why = xasprintf("the placeholder %.*s has no values", (int)(b - a + 1), a);
            free(t);
            return 0; /* the rule is disabled; the field keeps the values it has */
        }
        for (size_t i = 0; i < p->n; i++) {
            char *x = xasprintf("%.*s%s%s", (int)(a - t), t, p->v[i], b + 1);
            f->v = xrealloc(f->v, (f->n + 1) * sizeof *f->v);
            int rc = val_compile(ld, vn, key, &f->v[f->n], x, mods & ~M_EXPAND);
            free(x);
            if (rc != 0) {
                free(t);
                return -1;
            }
            f->n++;
        }
        free(t);
        return 0;
    }
    int rc = val_compile(ld, vn, key, &f->v[f->n], t, mods);
    free(t);
    if (rc == 0)
        f->n++;
    return rc;
}

static int build_field(struct load *ld, struct fy_node *kn, struct fy_node *vn, struct field *f)
{
    memset(f, 0, sizeof *f);
    char *key = scalar_dup(kn);
    if (!key)
        return fail(ld, kn, "detection", "a field name must be a string%s", NULL);
    char *bar = strchr(key, '|');
    unsigned mods = 0;
    int rc = 0;
    if (bar)
        *bar = 0;
    if (!*key)
        rc = fail(ld, kn, "detection", "an empty field name%s", NULL);
    else if (bar && parse_mods(ld, kn, key, bar + 1, &mods) != 0)
        rc = -1;
    f->path = key;
    f->cased = (mods & M_CASED) != 0;
    f->all = (mods & M_ALL) != 0;
    if (rc == 0 && vn && fy_node_is_sequence(vn)) {
        void *it = NULL;
        struct fy_node *e;
        while (rc == 0 && (e = fy_node_sequence_iterate(vn, &it)))
            rc = add_value(ld, e, key, f, mods);
    } else if (rc == 0) {
        rc = add_value(ld, vn, key, f, mods);
    }
    if (rc == 0 && f->all && f->n > 64)
        rc = fail(ld, kn, key, "the modifier 'all' takes at most 64 values%s", NULL);
    return rc;
}

static int build_map(struct load *ld, struct fy_node *mn, struct map *m)
{
    memset(m, 0, sizeof *m);
    void *it = NULL;
    struct fy_node_pair *kv;
    while ((kv = fy_node_mapping_iterate(mn, &it))) {
        m->f = xrealloc(m->f, (m->n + 1) * sizeof *m->f);
        if (build_field(ld, fy_node_pair_key(kv), fy_node_pair_value(kv), &m->f[m->n++]) != 0)
            return -1;
    }
    return 0;
}

static int build_keywords(struct load *ld, struct fy_node *sn, struct map *m)
{
    memset(m, 0, sizeof *m);
    m->f = xcalloc(1, sizeof *m->f);
    m->n = 1;
    void *it = NULL;
    struct fy_node *e;
    while ((e = fy_node_sequence_iterate(sn, &it)))
        if (add_value(ld, e, "keywords", &m->f[0], M_CONTAINS) != 0)
            return -1;
    return 0;
}

static int build_sel(struct load *ld, const char *name, struct fy_node *vn, struct sel *s)
{
    memset(s, 0, sizeof *s);
    s->name = xstrdup(name);
    if (vn && fy_node_is_mapping(vn)) {
        s->m = xcalloc(1, sizeof *s->m);
        s->n = 1;
        return build_map(ld, vn, s->m);
    }
    if (!vn || !fy_node_is_sequence(vn) || fy_node_sequence_item_count(vn) == 0)
        return fail(ld, vn, name, "a selection must be a map, a list of maps or a list of keywords%s", NULL);
    int maps = 0, scalars = 0;
    void *it = NULL;
    struct fy_node *e;
    while ((e = fy_node_sequence_iterate(vn, &it)))
        maps += fy_node_is_mapping(e), scalars += fy_node_is_scalar(e);
    if (scalars == fy_node_sequence_item_count(vn)) {
        s->m = xcalloc(1, sizeof *s->m);
        s->n = 1;
        return build_keywords(ld, vn, s->m);
    }
    if (maps != fy_node_sequence_item_count(vn))
        return fail(ld, vn, name, "a list mixes maps and values%s", NULL);
    s->m = xcalloc((size_t)maps, sizeof *s->m);
    it = NULL;
    while ((e = fy_node_sequence_iterate(vn, &it)))
        if (build_map(ld, e, &s->m[s->n++]) != 0)
            return -1;
    return 0;
}

/* ---- loading: conditions ---- */

struct lex {
    const char *p;
    char tok[128];
    struct load *ld;
    struct fy_node *at;
    struct rule *r;
};

/* The next token into lx->tok ("" at the end). */
static void next_tok(struct lex *lx)
{
    while (*lx->p == ' ' || *lx->p == '\t' || *lx->p == '\n' || *lx->p == '\r')
        lx->p++;
    size_t n = 0;
    if (*lx->p == '(' || *lx->p == ')' || *lx->p == '|') {
        lx->tok[n++] = *lx->p++;
    } else {
        while (*lx->p && !strchr(" \t\r\n()|", *lx->p)) {
            if (n + 1 < sizeof lx->tok)
                lx->tok[n++] = *lx->p;
            lx->p++;
        }
    }
    lx->tok[n] = 0;
}

static int glob_name(const char *pat, const char *s)
{
    if (!*pat)
        return !*s;
    if (*pat == '*')
        return glob_name(pat + 1, s) || (*s && glob_name(pat, s + 1));
    return *s == *pat && glob_name(pat + 1, s + 1);
}

static struct node *new_node(enum node_type t, struct node *a, struct node *b)
{
    struct node *n = xcalloc(1, sizeof *n);
    n->t = t;
    n->a = a;
    n->b = b;
    return n;
}

static struct node *cond_or(struct lex *lx);

static struct node *cond_fail(struct lex *lx, const char *fmt, const char *arg)
{
    fail(lx->ld, lx->at, "detection.condition", fmt, arg);
    return NULL;
}

static struct node *cond_primary(struct lex *lx)
{
    if (strcmp(lx->tok, "(") == 0) {
        next_tok(lx);
        struct node *n = cond_or(lx);
        if (!n)
            return NULL;
        if (strcmp(lx->tok, ")") != 0) {
            free_node(n);
            return cond_fail(lx, "a '(' is not closed%s", NULL);
        }
        next_tok(lx);
        return n;
    }
    if (strcmp(lx->tok, "|") == 0)
        return cond_fail(lx, "aggregations ('| count() ...') are not supported; write a correlation rule%s",
                         NULL);
    if (!*lx->tok || strcmp(lx->tok, ")") == 0 || strcmp(lx->tok, "and") == 0 || strcmp(lx->tok, "or") == 0)
        return cond_fail(lx, "a selection name is missing%s", NULL);
    if (strcmp(lx->tok, "1") == 0 || strcmp(lx->tok, "all") == 0 || strcmp(lx->tok, "any") == 0) {
        int all = strcmp(lx->tok, "all") == 0;
        next_tok(lx);
        if (strcmp(lx->tok, "of") != 0)
            return cond_fail(lx, "expected 'of' after '1' or 'all'%s", NULL);
        next_tok(lx);
        if (!*lx->tok || strchr("()|", lx->tok[0]))
            return cond_fail(lx, "expected a name pattern or 'them' after 'of'%s", NULL);
        struct node *n = new_node(all ? N_ALL_OF : N_ONE_OF, NULL, NULL);
        int them = strcmp(lx->tok, "them") == 0;
        for (size_t i = 0; i < lx->r->nsel; i++) {
            const char *name = lx->r->sel[i].name;
            if (them ? name[0] != '_' : glob_name(lx->tok, name)) {
                n->sels = xrealloc(n->sels, (n->n + 1) * sizeof *n->sels);
                n->sels[n->n++] = i;
            }
        }
        if (n->n == 0) {
            free_node(n);
            return cond_fail(lx, "no selection matches '%s'", lx->tok);
        }
        next_tok(lx);
        return n;
    }
    for (size_t i = 0; i < lx->r->nsel; i++)
        if (strcmp(lx->r->sel[i].name, lx->tok) == 0) {
            struct node *n = new_node(N_SEL, NULL, NULL);
            n->sel = i;
            next_tok(lx);
            return n;
        }
    return cond_fail(lx, "unknown selection '%s'", lx->tok);
}

static struct node *cond_not(struct lex *lx)
{
    if (strcmp(lx->tok, "not") == 0) {
        next_tok(lx);
        struct node *a = cond_not(lx);
        return a ? new_node(N_NOT, a, NULL) : NULL;
    }
    return cond_primary(lx);
}

static struct node *cond_and(struct lex *lx)
{
    struct node *a = cond_not(lx);
    while (a && strcmp(lx->tok, "and") == 0) {
        next_tok(lx);
        struct node *b = cond_not(lx);
        if (!b) {
            free_node(a);
            return NULL;
        }
        a = new_node(N_AND, a, b);
    }
    return a;
}

static struct node *cond_or(struct lex *lx)
{
    struct node *a = cond_and(lx);
    while (a && strcmp(lx->tok, "or") == 0) {
        next_tok(lx);
        struct node *b = cond_and(lx);
        if (!b) {
            free_node(a);
            return NULL;
        }
        a = new_node(N_OR, a, b);
    }
    return a;
}

static struct node *parse_cond(struct load *ld, struct fy_node *at, const char *text)
{
    struct lex lx = {text, "", ld, at, ld->r};
    next_tok(&lx);
    struct node *n = cond_or(&lx);
    if (n && *lx.tok) {
        free_node(n);
        return cond_fail(&lx,
                         strcmp(lx.tok, "|") == 0 ? "aggregations ('| count() ...') are not supported; "
                                                    "write a correlation rule%s"
                                                  : "unexpected '%s'",
                         lx.tok);
    }
    return n;
}

static int build_condition(struct load *ld, struct fy_node *cn)
{
    if (cn && fy_node_is_scalar(cn)) {
        char *t = scalar_dup(cn);
        ld->r->cond = parse_cond(ld, cn, t);
        free(t);
        return ld->r->cond ? 0 : -1;
    }
    if (!cn || !fy_node_is_sequence(cn) || fy_node_sequence_item_count(cn) == 0)
        return fail(ld, cn, "detection.condition", "must be a condition or a list of conditions%s", NULL);
    void *it = NULL;
    struct fy_node *e;
    while ((e = fy_node_sequence_iterate(cn, &it))) {
        char *t = scalar_dup(e);
        if (!t)
            return fail(ld, e, "detection.condition", "a list item must be a condition%s", NULL);
        struct node *n = parse_cond(ld, e, t);
        free(t);
        if (!n)
            return -1;
        ld->r->cond = ld->r->cond ? new_node(N_OR, ld->r->cond, n) : n;
    }
    return 0;
}

static int build_detection(struct load *ld, struct fy_node *dn)
{
    if (!dn || !fy_node_is_mapping(dn))
        return fail(ld, dn, "detection", "missing, or not a map%s", NULL);
    struct fy_node *cond = NULL;
    void *it = NULL;
    struct fy_node_pair *kv;
    while ((kv = fy_node_mapping_iterate(dn, &it))) {
        char *name = scalar_dup(fy_node_pair_key(kv));
        if (!name)
            return fail(ld, dn, "detection", "a selection name must be a string%s", NULL);
        if (strcmp(name, "condition") == 0) {
            cond = fy_node_pair_value(kv);
        } else if (strcmp(name, "timeframe") != 0) {
            struct rule *r = ld->r;
            r->sel = xrealloc(r->sel, (r->nsel + 1) * sizeof *r->sel);
            if (build_sel(ld, name, fy_node_pair_value(kv), &r->sel[r->nsel++]) != 0) {
                free(name);
                return -1;
            }
        }
        free(name);
    }
    if (!cond)
        return fail(ld, dn, "detection.condition", "missing%s", NULL);
    return build_condition(ld, cond);
}

/* ---- loading: correlations ---- */

static int parse_span(const char *t, int64_t *out)
{
    char *end;
    long long n = strtoll(t, &end, 10);
    int64_t unit = 0;
    if (end == t || n <= 0 || end[0] == 0 || end[1] != 0)
        return -1;
    switch (*end) {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    case 'w': unit = 7 * 86400; break;
    default: return -1;
    }
    if (n > (int64_t)366 * 86400 * 10 / unit)
        return -1;
    *out = n * unit;
    return 0;
}

/* A scalar or a list of scalars into a string array. */
static int str_list(struct load *ld, struct fy_node *n, const char *key, char ***out, size_t *nout)
{
    *out = NULL;
    *nout = 0;
    if (n && fy_node_is_scalar(n) && !is_null(n)) {
        *out = xcalloc(1, sizeof **out);
        (*out)[(*nout)++] = scalar_dup(n);
        return 0;
    }
    if (!n || !fy_node_is_sequence(n))
        return fail(ld, n, key, "must be a name or a list of names%s", NULL);
    void *it = NULL;
    struct fy_node *e;
    while ((e = fy_node_sequence_iterate(n, &it))) {
        char *t = scalar_dup(e);
        if (!t)
            return fail(ld, e, key, "a list item must be a string%s", NULL);
        *out = xrealloc(*out, (*nout + 1) * sizeof **out);
        (*out)[(*nout)++] = t;
    }
    return 0;
}

static int build_corr(struct load *ld, struct fy_node *cn)
{
    if (!fy_node_is_mapping(cn))
        return fail(ld, cn, "correlation", "must be a map%s", NULL);
    struct corr *c = ld->r->corr = xcalloc(1, sizeof *c);
    char *type = scalar_dup(get(cn, "type"));
    int bad = !type || strcmp(type, "event_count") != 0;
    if (bad) {
        fail(ld, cn, "correlation.type", type ? "'%s' is not supported (only event_count)" : "missing%s",
             type);
        free(type);
        return -1;
    }
    free(type);
    if (str_list(ld, get(cn, "rules"), "correlation.rules", &c->ref, &c->nref) != 0)
        return -1;
    if (c->nref == 0)
        return fail(ld, cn, "correlation.rules", "names no rule%s", NULL);
    struct fy_node *gb = get(cn, "group-by");
    if (gb && str_list(ld, gb, "correlation.group-by", &c->group, &c->ngroup) != 0)
        return -1;
    char *span = scalar_dup(get(cn, "timespan"));
    if (!span || parse_span(span, &c->span) != 0) {
        fail(ld, get(cn, "timespan") ? get(cn, "timespan") : cn, "correlation.timespan",
             "must be a duration like 10m, 1h or 1d ('%s')", span ? span : "missing");
        free(span);
        return -1;
    }
    free(span);
    struct fy_node *cond = get(cn, "condition");
    if (!cond || !fy_node_is_mapping(cond) || fy_node_mapping_item_count(cond) != 1)
        return fail(ld, cond ? cond : cn, "correlation.condition", "must be one of gte/gt/lte/lt/eq: N%s",
                    NULL);
    void *it = NULL;
    struct fy_node_pair *kv = fy_node_mapping_iterate(cond, &it);
    char *op = scalar_dup(fy_node_pair_key(kv)), *num = scalar_dup(fy_node_pair_value(kv));
    static const char *const ops[] = {"gte", "gt", "lte", "lt", "eq"};
    int found = -1;
    for (int i = 0; op && i < 5; i++)
        if (strcmp(op, ops[i]) == 0)
            found = i;
    char *end = NULL;
    c->thr = num ? strtoll(num, &end, 10) : 0;
    int ok = found >= 0 && num && end != num && !*end && c->thr >= 0;
    free(op);
    free(num);
    if (!ok)
        return fail(ld, cond, "correlation.condition", "must be one of gte/gt/lte/lt/eq: N%s", NULL);
    c->op = (enum cmp)found;
    struct fy_node *gen = get(cn, "generate");
    if (gen) {
        char *g = scalar_dup(gen);
        c->generate = g && strcmp(g, "true") == 0;
        free(g);
    }
    return 0;
}

/* ---- loading: documents ---- */

static int logsource_ok(struct fy_node *root)
{
    struct fy_node *ls = get(root, "logsource");
    if (!ls || !fy_node_is_mapping(ls))
        return 0;
    char *product = scalar_dup(get(ls, "product")), *service = scalar_dup(get(ls, "service"));
    int ok =
        product && strcasecmp(product, "aws") == 0 && (!service || strcasecmp(service, "cloudtrail") == 0);
    free(product);
    free(service);
    return ok;
}

static char *join_tags(struct fy_node *tn)
{
    struct strbuf sb;
    sb_init(&sb);
    sb_puts(&sb, "");
    void *it = NULL;
    struct fy_node *e;
    while (tn && fy_node_is_sequence(tn) && (e = fy_node_sequence_iterate(tn, &it))) {
        char *t = scalar_dup(e);
        if (t) {
            if (sb.len)
                sb_puts(&sb, ", ");
            sb_puts(&sb, t);
        }
        free(t);
    }
    return sb_detach(&sb);
}

static void set_info(struct rule *r, const char *file)
{
    r->file = xstrdup(file);
    if (!r->level)
        r->level = xstrdup("");
    struct sigma_rule_info *in = &r->info;
    in->id = r->id ? r->id : r->title;
    in->title = r->title;
    in->title_ko = r->title_ko ? r->title_ko : r->title;
    in->description = r->desc ? r->desc : "";
    in->description_ko = r->desc_ko ? r->desc_ko : in->description;
    in->level = r->level;
    in->tags = r->tags;
    in->file = r->file;
    in->correlation = r->corr != NULL;
    in->disabled = r->why;
}

static int load_doc(struct load *ld, struct fy_document *doc)
{
    struct fy_node *root = fy_document_root(doc);
    if (!root)
        return 0; /* an empty document */
    if (!fy_node_is_mapping(root))
        return fail(ld, root, "rule", "a rule must be a map%s", NULL);
    struct fy_node *cn = get(root, "correlation");
    if (!cn && !logsource_ok(root)) {
        ld->set->skipped++;
        return 0;
    }
    struct rule *r = ld->r = xcalloc(1, sizeof *r);
    if (attr(ld, root, "title", &r->title) || attr(ld, root, "id", &r->id) ||
        attr(ld, root, "name", &r->name) || attr(ld, root, "level", &r->level) ||
        attr(ld, root, "description", &r->desc) || attr(ld, root, "title_ko", &r->title_ko) ||
        attr(ld, root, "description_ko", &r->desc_ko))
        goto out;
    if (!r->title) {
        fail(ld, root, "title", "missing%s", NULL);
        goto out;
    }
    r->tags = join_tags(get(root, "tags"));
    if (cn ? build_corr(ld, cn) : build_detection(ld, get(root, "detection")))
        goto out;
    for (size_t i = 0; i < ld->set->n; i++)
        if (r->id && ld->set->r[i].id && strcmp(ld->set->r[i].id, r->id) == 0) {
            fail(ld, get(root, "id"), "id", "'%s' is the id of another rule", r->id);
            goto out;
        }
    set_info(r, ld->name);
    if (ld->set->n == ld->set->cap) {
        ld->set->cap = ld->set->cap ? 2 * ld->set->cap : 32;
        ld->set->r = xrealloc(ld->set->r, ld->set->cap * sizeof *ld->set->r);
    }
    ld->set->r[ld->set->n++] = *r;
    free(r);
    ld->r = NULL;
    return 0;
out:
    free_rule(r);
    free(r);
    ld->r = NULL;
    return -1;
}

/* The offset of the next document separator line ("---") at or after p, or len. */
static size_t doc_end(const char *buf, size_t len, size_t p)
{
    while (p < len) {
        if (len - p >= 3 && memcmp(buf + p, "---", 3) == 0 &&
            (len - p == 3 || buf[p + 3] == '\n' || buf[p + 3] == '\r' || buf[p + 3] == ' '))
            return p;
        const char *nl = memchr(buf + p, '\n', len - p);
        p = nl ? (size_t)(nl - buf) + 1 : len;
    }
    return len;
}

/* 1 when t[0..n) holds only blank lines and comments. */
static int blank(const char *t, size_t n)
{
    int comment = 0;
    for (size_t i = 0; i < n; i++) {
        if (t[i] == '\n')
            comment = 0;
        else if (t[i] == '#')
            comment = 1;
        else if (!comment && t[i] != ' ' && t[i] != '\t' && t[i] != '\r')
            return 0;
    }
    return 1;
}

/* One document of a text, parsed after as many newlines as lines come before it in the
 * text, so that the parser's line numbers are the file's. */
static int load_piece(struct load *ld, const char *t, size_t n, size_t lines)
{
    struct strbuf sb;
    sb_init(&sb);
    for (size_t i = 0; i < lines; i++)
        sb_putc(&sb, '\n');
    sb_add(&sb, t, n);
    sb_putc(&sb, '\n');
    struct fy_document *doc = yaml_parse(ld->name, sb.buf, sb.len, ld->err, ld->errlen);
    int rc = -1;
    if (doc) {
        rc = load_doc(ld, doc);
        fy_document_destroy(doc);
    }
    sb_free(&sb);
    return rc;
}

int sigma_add_text(struct sigma_set *s, const char *name, const char *buf, size_t len, char *err,
                   size_t errlen)
{
    struct load ld = {s, name, err, errlen, NULL};
    size_t start = 0, lines = 0, n0 = s->n;
    int rc = 0;
    while (rc == 0 && start <= len) {
        size_t end = doc_end(buf, len, start);
        if (!blank(buf + start, end - start))
            rc = load_piece(&ld, buf + start, end - start, lines);
        for (size_t i = start; i < end && i < len; i++)
            lines += buf[i] == '\n';
        if (end >= len)
            break;
        const char *nl = memchr(buf + end, '\n', len - end);
        lines++;
        start = nl ? (size_t)(nl - buf) + 1 : len + 1;
    }
    if (rc != 0) { /* nothing of a broken text is kept */
        for (size_t i = n0; i < s->n; i++)
            free_rule(&s->r[i]);
        s->n = n0;
    }
    return rc;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int list_rule_files(const char *dir, char ***out, size_t *n, char *err, size_t errlen)
{
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, errlen, "%s: cannot read the rules directory", dir);
        return -1;
    }
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *p = xasprintf("%s/%s", dir, e->d_name);
        struct stat st;
        size_t l = strlen(e->d_name);
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
            rc = list_rule_files(p, out, n, err, errlen);
            free(p);
        } else if ((l > 4 && strcmp(e->d_name + l - 4, ".yml") == 0) ||
                   (l > 5 && strcmp(e->d_name + l - 5, ".yaml") == 0)) {
            *out = xrealloc(*out, (*n + 1) * sizeof **out);
            (*out)[(*n)++] = p;
        } else {
            free(p);
        }
    }
    closedir(d);
    return rc;
}

int sigma_add_dir(struct sigma_set *s, const char *dir, char *err, size_t errlen)
{
    char **paths = NULL;
    size_t n = 0;
    int rc = list_rule_files(dir, &paths, &n, err, errlen);
    if (rc == 0)
        qsort(paths, n, sizeof *paths, cmp_str);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        size_t len = 0;
        char *buf = file_read(paths[i], &len, err, errlen);
        if (!buf)
            rc = -1;
        else
            rc = sigma_add_text(s, paths[i], buf, len, err, errlen);
        free(buf);
    }
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
    return rc;
}

/* ---- the index ---- */

struct lits {
    int any;
    size_t n;
    char **v; /* borrowed from the rules */
};

static void lits_add(struct lits *l, char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i], s) == 0)
            return;
    l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
    l->v[l->n++] = s;
}

static struct lits lits_any(void) { return (struct lits){1, 0, NULL}; }

static struct lits sel_lits(const struct sel *s, const char *target)
{
    struct lits out = {0, 0, NULL};
    for (size_t i = 0; i < s->n; i++) {
        const struct field *hit = NULL;
        for (size_t j = 0; j < s->m[i].n && !hit; j++) {
            const struct field *f = &s->m[i].f[j];
            int exact = f->path && strcasecmp(f->path, target) == 0 && !f->all && f->n > 0;
            for (size_t k = 0; exact && k < f->n; k++)
                exact = f->v[k].kind == K_EXACT;
            if (exact)
                hit = f;
        }
        if (!hit) {
            free(out.v);
            return lits_any();
        }
        for (size_t k = 0; k < hit->n; k++)
            lits_add(&out, hit->v[k].lit);
    }
    return out;
}

/* The literals target must equal for the node to match (any: no such constraint). */
static struct lits node_lits(const struct rule *r, const struct node *n, const char *target)
{
    struct lits a, b;
    switch (n->t) {
    case N_SEL: return sel_lits(&r->sel[n->sel], target);
    case N_NOT: return lits_any();
    case N_AND:
        a = node_lits(r, n->a, target);
        b = node_lits(r, n->b, target);
        if (a.any || (!b.any && b.n < a.n)) { /* keep the tighter side */
            free(a.v);
            return b;
        }
        free(b.v);
        return a;
    case N_OR:
        a = node_lits(r, n->a, target);
        b = node_lits(r, n->b, target);
        if (a.any || b.any) {
            free(a.v), free(b.v);
            return lits_any();
        }
        for (size_t i = 0; i < b.n; i++)
            lits_add(&a, b.v[i]);
        free(b.v);
        return a;
    case N_ONE_OF:
    case N_ALL_OF: {
        struct lits out = {0, 0, NULL};
        for (size_t i = 0; i < n->n; i++) {
            struct lits l = sel_lits(&r->sel[n->sels[i]], target);
            if (n->t == N_ALL_OF && !l.any) {
                free(out.v);
                return l;
            }
            if (l.any) {
                free(out.v);
                if (n->t == N_ONE_OF)
                    return l;
                out = (struct lits){0, 0, NULL};
                continue;
            }
            for (size_t k = 0; k < l.n; k++)
                lits_add(&out, l.v[k]);
            free(l.v);
        }
        if (n->t == N_ALL_OF)
            return lits_any();
        return out;
    }
    }
    return lits_any();
}

static struct slot *table_slot(const struct table *t, const char *key, size_t n)
{
    if (!t->cap)
        return NULL;
    size_t i = hash(key, n) & (t->cap - 1);
    while (t->s[i].key) {
        if (strlen(t->s[i].key) == n && memcmp(t->s[i].key, key, n) == 0)
            return &t->s[i];
        i = (i + 1) & (t->cap - 1);
    }
    return &t->s[i];
}

static void table_add(struct table *t, const char *lit, size_t rule)
{
    char *key = xstrdup(lit);
    size_t n = strlen(key);
    lower_str(key, n);
    struct slot *s = table_slot(t, key, n);
    if (!s->key)
        s->key = key;
    else
        free(key);
    if (s->n && s->rules[s->n - 1] == rule)
        return;
    s->rules = xrealloc(s->rules, (s->n + 1) * sizeof *s->rules);
    s->rules[s->n++] = rule;
}

static void build_index(struct sigma_set *s)
{
    size_t total = 0;
    struct lits *byname = xcalloc(s->n ? s->n : 1, sizeof *byname);
    struct lits *bysrc = xcalloc(s->n ? s->n : 1, sizeof *bysrc);
    for (size_t i = 0; i < s->n; i++) {
        const struct rule *r = &s->r[i];
        if (r->corr || r->why)
            continue;
        byname[i] = node_lits(r, r->cond, "eventName");
        if (byname[i].any)
            bysrc[i] = node_lits(r, r->cond, "eventSource");
#ifdef SIGMA_NO_INDEX /* to measure what the index saves: every rule on every record */
        free(byname[i].v), free(bysrc[i].v);
        byname[i] = bysrc[i] = lits_any();
#endif
        total += byname[i].n + bysrc[i].n;
    }
    size_t cap = 16;
    while (cap < 2 * total + 2)
        cap *= 2;
    s->by_name.cap = s->by_source.cap = cap;
    s->by_name.s = xcalloc(cap, sizeof *s->by_name.s);
    s->by_source.s = xcalloc(cap, sizeof *s->by_source.s);
    for (size_t i = 0; i < s->n; i++) {
        const struct rule *r = &s->r[i];
        if (r->corr || r->why)
            continue;
        if (!byname[i].any)
            for (size_t k = 0; k < byname[i].n; k++)
                table_add(&s->by_name, byname[i].v[k], i);
        else if (!bysrc[i].any)
            for (size_t k = 0; k < bysrc[i].n; k++)
                table_add(&s->by_source, bysrc[i].v[k], i);
        else {
            s->always = xrealloc(s->always, (s->nalways + 1) * sizeof *s->always);
            s->always[s->nalways++] = i;
        }
        free(byname[i].v);
        free(bysrc[i].v);
    }
    free(byname);
    free(bysrc);
}

static int resolve_corr(struct sigma_set *s, size_t ci, char *err, size_t errlen)
{
    struct rule *cr = &s->r[ci];
    struct corr *c = cr->corr;
    c->base = xcalloc(c->nref, sizeof *c->base);
    for (size_t k = 0; k < c->nref; k++) {
        size_t found = s->n;
        for (size_t i = 0; i < s->n && found == s->n; i++)
            if (!s->r[i].corr && ((s->r[i].name && strcmp(s->r[i].name, c->ref[k]) == 0) ||
                                  (s->r[i].id && strcmp(s->r[i].id, c->ref[k]) == 0)))
                found = i;
        if (found == s->n) {
            snprintf(err, errlen, "%s: correlation.rules: no rule named '%s' (rule '%s')", cr->file,
                     c->ref[k], cr->info.id);
            return -1;
        }
        c->base[k] = found;
        struct rule *b = &s->r[found];
        b->corrs = xrealloc(b->corrs, (b->ncorrs + 1) * sizeof *b->corrs);
        b->corrs[b->ncorrs++] = ci;
        b->info.suppressed = 1; /* until a correlation with generate: true says otherwise */
        if (b->why && !cr->why)
            cr->why = xasprintf("its base rule %s is disabled: %s", b->info.id, b->why);
    }
    cr->info.disabled = cr->why;
    return 0;
}

int sigma_finish(struct sigma_set *s, char *err, size_t errlen)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->r[i].corr && resolve_corr(s, i, err, errlen) != 0)
            return -1;
    for (size_t i = 0; i < s->n; i++)
        for (size_t k = 0; s->r[i].corr && s->r[i].corr->generate && k < s->r[i].corr->nref; k++)
            s->r[s->r[i].corr->base[k]].info.suppressed = 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->r[i].why)
            note(s, xasprintf("rule %s (%s) is disabled: %s", s->r[i].info.id, s->r[i].file, s->r[i].why));
    build_index(s);
    return 0;
}

/* ---- matching: state ---- */

struct cnt {
    char *key; /* corr index (8 bytes), window start (8 bytes), group text */
    size_t klen;
    uint64_t n;
};

struct rx {
    const struct val *v;
    regex_t re;
    int ok;
};

struct sigma_ctx {
    const struct sigma_set *s;
    struct rx *rx; /* this context's compiled regular expressions */
    size_t nrx;
    char *buf[3];
    size_t cap[3];
    uint64_t tested;
    struct cnt *tab;
    size_t tcap, tused;
    size_t *cand;
};

struct sigma_ctx *sigma_ctx_new(const struct sigma_set *s)
{
    struct sigma_ctx *c = xcalloc(1, sizeof *c);
    c->s = s;
    c->cand = xcalloc(s->n + 1, sizeof *c->cand);
    return c;
}

void sigma_ctx_free(struct sigma_ctx *c)
{
    if (!c)
        return;
    for (int i = 0; i < 3; i++)
        free(c->buf[i]);
    for (size_t i = 0; i < c->tcap; i++)
        free(c->tab[i].key);
    free(c->tab);
    free(c->cand);
    for (size_t i = 0; i < c->nrx; i++)
        if (c->rx[i].ok)
            regfree(&c->rx[i].re);
    free(c->rx);
    free(c);
}

uint64_t sigma_ctx_tested(const struct sigma_ctx *c) { return c->tested; }

static char *scratch(struct sigma_ctx *c, int i, size_t need)
{
    if (c->cap[i] < need) {
        c->cap[i] = need < 4096 ? 4096 : need * 2;
        free(c->buf[i]);
        c->buf[i] = xmalloc(c->cap[i]);
    }
    return c->buf[i];
}

/* A value's text for matching (strings unescaped, others raw). */
static const char *val_text(struct sigma_ctx *c, int bi, const struct trail_val *v, size_t *n)
{
    if (v->type == TRAIL_STRING && v->len >= 2) {
        if (!memchr(v->raw + 1, '\\', v->len - 2)) {
            *n = v->len - 2;
            return v->raw + 1;
        }
        char *b = scratch(c, bi, v->len + 1);
        *n = trail_text(v, b, v->len + 1);
        return b;
    }
    *n = v->len;
    return v->raw;
}

/* ---- matching: values ---- */

static int eq_ci(const char *s, const char *lit, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)s[i]) != (unsigned char)lit[i])
            return 0;
    return 1;
}

static int eq_at(const char *s, const char *lit, size_t n, int cased)
{
    return cased ? memcmp(s, lit, n) == 0 : eq_ci(s, lit, n);
}

static int find(const char *s, size_t n, const char *lit, size_t len, int cased)
{
    if (len == 0)
        return 1;
    if (len > n)
        return 0;
    unsigned char f = (unsigned char)lit[0];
    unsigned char F = cased ? f : (f >= 'a' && f <= 'z') ? (unsigned char)(f - 32) : f;
    for (size_t i = 0; i + len <= n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if ((ch == f || ch == F) && eq_at(s + i + 1, lit + 1, len - 1, cased))
            return 1;
    }
    return 0;
}

static int glob(const struct val *v, const char *s, size_t n, int cased)
{
    size_t p = 0, i = 0, star = (size_t)-1, mark = 0;
    while (i < n) {
        if (p < v->len && v->wild[p] == 1) {
            star = p++;
            mark = i;
        } else if (p < v->len &&
                   (v->wild[p] == 2 ||
                    (cased ? s[i] == v->lit[p] : lower((unsigned char)s[i]) == (unsigned char)v->lit[p]))) {
            p++;
            i++;
        } else if (star != (size_t)-1) {
            p = star + 1;
            i = ++mark;
        } else {
            return 0;
        }
    }
    while (p < v->len && v->wild[p] == 1)
        p++;
    return p == v->len;
}

static int text_match(enum kind k, const char *lit, size_t len, const char *s, size_t n, int cased)
{
    switch (k) {
    case K_EXACT: return n == len && eq_at(s, lit, n, cased);
    case K_PREFIX: return n >= len && eq_at(s, lit, len, cased);
    case K_SUFFIX: return n >= len && eq_at(s + n - len, lit, len, cased);
    case K_CONTAINS: return find(s, n, lit, len, cased);
    default: return 0;
    }
}

static int cidr_match(const struct val *v, const char *s, size_t n)
{
    char ip[64];
    unsigned char a[16];
    if (n == 0 || n >= sizeof ip)
        return 0;
    memcpy(ip, s, n);
    ip[n] = 0;
    int fam = memchr(ip, ':', n) ? AF_INET6 : AF_INET;
    if (fam != v->family || inet_pton(fam, ip, a) != 1)
        return 0;
    int full = v->prefix / 8, rest = v->prefix % 8;
    if (memcmp(a, v->net, (size_t)full) != 0)
        return 0;
    if (rest) {
        unsigned char mask = (unsigned char)(0xFF << (8 - rest));
        return (a[full] & mask) == (v->net[full] & mask);
    }
    return 1;
}

static const regex_t *ctx_regex(struct sigma_ctx *c, const struct val *v)
{
    for (size_t i = 0; i < c->nrx; i++)
        if (c->rx[i].v == v)
            return c->rx[i].ok ? &c->rx[i].re : NULL;
    c->rx = xrealloc(c->rx, (c->nrx + 1) * sizeof *c->rx);
    struct rx *x = &c->rx[c->nrx++];
    x->v = v;
    x->ok = regcomp(&x->re, v->lit, REG_EXTENDED | REG_NOSUB | (v->exists ? REG_ICASE : 0)) == 0;
    return x->ok ? &x->re : NULL;
}

static int rx_match(struct sigma_ctx *c, const struct val *v, const char *s, size_t n)
{
    if (v->need && !find(s, n, v->need, v->needlen, !v->exists))
        return 0;
    const regex_t *re = ctx_regex(c, v);
    if (!re)
        return 0;
    char *b = scratch(c, 1, n + 1);
    memcpy(b, s, n);
    b[n] = 0;
    return regexec(re, b, 0, NULL, 0) == 0;
}

/* One text (a scalar's, or an object's JSON) against one value. */
static int match_text(struct sigma_ctx *c, const struct val *v, const char *s, size_t n, int cased)
{
    switch (v->kind) {
    case K_GLOB: return glob(v, s, n, cased);
    case K_RE: return rx_match(c, v, s, n);
    case K_CIDR: return cidr_match(v, s, n);
    case K_NULL:
    case K_EXISTS:
    case K_FIELDREF: return 0;
    default: return text_match(v->kind, v->lit, v->len, s, n, cased);
    }
}

/* An object's (or array's) JSON text with one level of string escapes removed (\" \\ \/),
 * so that a policy document held as a JSON string reads as JSON. */
static size_t unescape_once(const char *s, size_t n, char *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 1 < n && (s[i + 1] == '"' || s[i + 1] == '\\' || s[i + 1] == '/'))
            i++;
        out[k++] = s[i];
    }
    return k;
}

static int match_elem(struct sigma_ctx *c, const struct field *f, const struct val *v,
                      const struct trail_val *e, const char *ref, size_t reflen)
{
    if (v->kind == K_FIELDREF) {
        if (!ref || e->type == TRAIL_OBJECT || e->type == TRAIL_ARRAY)
            return 0;
        size_t n;
        const char *s = val_text(c, 0, e, &n);
        return text_match(v->refmode, ref, reflen, s, n, f->cased);
    }
    size_t n;
    const char *s = val_text(c, 0, e, &n);
    if (match_text(c, v, s, n, f->cased))
        return 1;
    if ((e->type == TRAIL_OBJECT || e->type == TRAIL_ARRAY) && v->kind != K_CIDR && memchr(s, '\\', n)) {
        char *b = scratch(c, 2, n + 1);
        size_t m = unescape_once(s, n, b);
        return match_text(c, v, b, m, f->cased);
    }
    return 0;
}

struct fm {
    struct sigma_ctx *c;
    const struct field *f;
    uint64_t got; /* with all: the values matched so far */
    int hit, any_null;
    size_t seen;
    const char *ref; /* fieldref: the other field's text (lower-cased unless cased) */
    size_t reflen;
};

static int fm_visit(const struct trail_val *e, void *arg)
{
    struct fm *m = arg;
    const struct field *f = m->f;
    m->seen++;
    if (e->type == TRAIL_NULL) {
        m->any_null = 1;
        return 0;
    }
    for (size_t i = 0; i < f->n; i++) {
        if (f->all && (m->got >> i & 1))
            continue;
        if (match_elem(m->c, f, &f->v[i], e, m->ref, m->reflen)) {
            if (!f->all) {
                m->hit = 1;
                return 1;
            }
            m->got |= (uint64_t)1 << i;
        }
    }
    return 0;
}

/* fieldref: the referenced field's first value, lower-cased unless cased. */
static void fieldref_text(struct fm *m, const struct trail_rec *r)
{
    for (size_t i = 0; i < m->f->n; i++)
        if (m->f->v[i].kind == K_FIELDREF) {
            struct trail_val o = trail_get(r, m->f->v[i].lit);
            if (o.type == TRAIL_MISSING || o.type == TRAIL_NULL)
                return;
            size_t need = trail_text(&o, NULL, 0) + 1;
            char *b = scratch(m->c, 1, need);
            m->reflen = trail_text(&o, b, need);
            if (!m->f->cased)
                lower_str(b, m->reflen);
            m->ref = b;
            return; /* one referenced field per key (Sigma writes one) */
        }
}

static int field_match(struct sigma_ctx *c, const struct field *f, const struct trail_rec *r)
{
    struct fm m = {c, f, 0, 0, 0, 0, NULL, 0};
    if (!f->path) { /* keywords: anywhere in the record's text */
        for (size_t i = 0; i < f->n; i++)
            if (match_text(c, &f->v[i], r->raw, r->len, 0))
                return 1;
        return 0;
    }
    fieldref_text(&m, r);
    trail_each(r, f->path, fm_visit, &m);
    if (m.hit)
        return 1;
    for (size_t i = 0; i < f->n; i++) {
        int ok = f->v[i].kind == K_NULL     ? (m.seen == 0 || m.any_null)
                 : f->v[i].kind == K_EXISTS ? (m.seen > 0) == f->v[i].exists
                                            : 0;
        if (ok && !f->all)
            return 1;
        if (ok)
            m.got |= (uint64_t)1 << i;
    }
    return f->all && f->n > 0 && m.got == (f->n == 64 ? ~(uint64_t)0 : (((uint64_t)1 << f->n) - 1));
}

static int sel_match(struct sigma_ctx *c, const struct sel *s, const struct trail_rec *r)
{
    for (size_t i = 0; i < s->n; i++) {
        size_t j = 0;
        while (j < s->m[i].n && field_match(c, &s->m[i].f[j], r))
            j++;
        if (j == s->m[i].n)
            return 1;
    }
    return 0;
}

static int eval(struct sigma_ctx *c, const struct rule *rl, const struct node *n, const struct trail_rec *r)
{
    switch (n->t) {
    case N_SEL: return sel_match(c, &rl->sel[n->sel], r);
    case N_AND: return eval(c, rl, n->a, r) && eval(c, rl, n->b, r);
    case N_OR: return eval(c, rl, n->a, r) || eval(c, rl, n->b, r);
    case N_NOT: return !eval(c, rl, n->a, r);
    case N_ONE_OF:
        for (size_t i = 0; i < n->n; i++)
            if (sel_match(c, &rl->sel[n->sels[i]], r))
                return 1;
        return 0;
    case N_ALL_OF:
        for (size_t i = 0; i < n->n; i++)
            if (!sel_match(c, &rl->sel[n->sels[i]], r))
                return 0;
        return 1;
    }
    return 0;
}

int sigma_rule_matches(const struct sigma_set *s, struct sigma_ctx *c, size_t i, const struct trail_rec *r)
{
    const struct rule *rl = &s->r[i];
    if (rl->corr || rl->why)
        return 0;
    return eval(c, rl, rl->cond, r);
}

/* ---- correlation counts ---- */

static struct cnt *cnt_slot(struct sigma_ctx *c, const char *key, size_t klen)
{
    if (2 * (c->tused + 1) > c->tcap) {
        size_t ncap = c->tcap ? 2 * c->tcap : 64;
        struct cnt *nt = xcalloc(ncap, sizeof *nt);
        for (size_t i = 0; i < c->tcap; i++)
            if (c->tab[i].key) {
                size_t j = hash(c->tab[i].key, c->tab[i].klen) & (ncap - 1);
                while (nt[j].key)
                    j = (j + 1) & (ncap - 1);
                nt[j] = c->tab[i];
            }
        free(c->tab);
        c->tab = nt;
        c->tcap = ncap;
    }
    size_t i = hash(key, klen) & (c->tcap - 1);
    while (c->tab[i].key && (c->tab[i].klen != klen || memcmp(c->tab[i].key, key, klen) != 0))
        i = (i + 1) & (c->tcap - 1);
    if (!c->tab[i].key) {
        c->tab[i].key = xmalloc(klen);
        memcpy(c->tab[i].key, key, klen);
        c->tab[i].klen = klen;
        c->tused++;
    }
    return &c->tab[i];
}

static void count(struct sigma_ctx *c, size_t ci, const struct trail_rec *r)
{
    const struct corr *co = c->s->r[ci].corr;
    char t[64];
    struct trail_val tv = trail_get(r, "eventTime");
    time_t when;
    if (trail_text(&tv, t, sizeof t) >= sizeof t || time_parse(t, &when) != 0)
        return; /* no usable eventTime: not counted */
    int64_t w = (int64_t)when - (((int64_t)when % co->span) + co->span) % co->span;
    struct strbuf sb;
    sb_init(&sb);
    uint64_t idx = ci;
    sb_add(&sb, (const char *)&idx, sizeof idx);
    sb_add(&sb, (const char *)&w, sizeof w);
    for (size_t g = 0; g < co->ngroup; g++) {
        struct trail_val v = trail_get(r, co->group[g]);
        size_t n = trail_text(&v, NULL, 0);
        char *b = scratch(c, 0, n + 1);
        trail_text(&v, b, n + 1);
        if (g)
            sb_putc(&sb, '\x1f');
        sb_add(&sb, b, n);
    }
    cnt_slot(c, sb.buf, sb.len)->n++;
    sb_free(&sb);
}

void sigma_ctx_merge(struct sigma_ctx *dst, struct sigma_ctx *src)
{
    for (size_t i = 0; i < src->tcap; i++)
        if (src->tab[i].key) {
            cnt_slot(dst, src->tab[i].key, src->tab[i].klen)->n += src->tab[i].n;
            free(src->tab[i].key);
            src->tab[i].key = NULL;
        }
    src->tused = 0;
}

size_t sigma_match(const struct sigma_set *s, struct sigma_ctx *c, const struct trail_rec *r, size_t *hits,
                   size_t cap)
{
    const struct slot *lists[3] = {NULL, NULL, NULL};
    char key[128];
    static const char *const fields[2] = {"eventName", "eventSource"};
    const struct table *tabs[2] = {&s->by_name, &s->by_source};
    for (int t = 0; t < 2; t++) {
        struct trail_val v = trail_get(r, fields[t]);
        size_t n = trail_text(&v, key, sizeof key);
        if (v.type == TRAIL_MISSING || n >= sizeof key)
            continue;
        lower_str(key, n);
        const struct slot *sl = table_slot(tabs[t], key, n);
        lists[t] = sl && sl->key ? sl : NULL;
    }
    /* merge the three increasing lists */
    size_t nc = 0, ia = 0, ib = 0, ic = 0;
    size_t na = s->nalways, nb = lists[0] ? lists[0]->n : 0, nd = lists[1] ? lists[1]->n : 0;
    while (ia < na || ib < nb || ic < nd) {
        size_t x = ia < na ? s->always[ia] : (size_t)-1;
        size_t y = ib < nb ? lists[0]->rules[ib] : (size_t)-1;
        size_t z = ic < nd ? lists[1]->rules[ic] : (size_t)-1;
        size_t m = x < y ? (x < z ? x : z) : (y < z ? y : z);
        ia += x == m, ib += y == m, ic += z == m;
        c->cand[nc++] = m;
    }
    size_t nhit = 0;
    size_t counted[8];
    size_t ncounted = 0;
    for (size_t k = 0; k < nc; k++) {
        const struct rule *rl = &s->r[c->cand[k]];
        c->tested++;
        if (!eval(c, rl, rl->cond, r))
            continue;
        for (size_t j = 0; j < rl->ncorrs; j++) {
            size_t ci = rl->corrs[j], seen = 0;
            for (size_t q = 0; q < ncounted; q++)
                seen |= counted[q] == ci;
            if (seen)
                continue;
            if (ncounted < 8)
                counted[ncounted++] = ci;
            count(c, ci, r);
        }
        if (!rl->info.suppressed) {
            if (nhit < cap)
                hits[nhit] = c->cand[k];
            nhit++;
        }
    }
    return nhit;
}

/* ---- correlation results ---- */

static int cmp_hit(const void *a, const void *b)
{
    const struct sigma_corr_hit *x = a, *y = b;
    if (x->rule != y->rule)
        return x->rule < y->rule ? -1 : 1;
    if (x->window_start != y->window_start)
        return x->window_start < y->window_start ? -1 : 1;
    return strcmp(x->group, y->group);
}

static int cmp_ok(enum cmp op, uint64_t n, long long thr)
{
    long long v = (long long)n;
    switch (op) {
    case C_GTE: return v >= thr;
    case C_GT: return v > thr;
    case C_LTE: return v <= thr;
    case C_LT: return v < thr;
    case C_EQ: return v == thr;
    }
    return 0;
}

static char *group_text(const struct corr *co, const char *s, size_t n)
{
    struct strbuf sb;
    sb_init(&sb);
    sb_puts(&sb, "");
    size_t g = 0;
    const char *p = s, *end = s + n;
    while (g < co->ngroup) {
        const char *sep = memchr(p, '\x1f', (size_t)(end - p));
        const char *stop = sep ? sep : end;
        sb_printf(&sb, "%s%s=%.*s", g ? ", " : "", co->group[g], (int)(stop - p), p);
        g++;
        p = sep ? sep + 1 : end;
    }
    return sb_detach(&sb);
}

size_t sigma_correlate(const struct sigma_set *s, const struct sigma_ctx *c, struct sigma_corr_hit **out)
{
    size_t n = 0;
    *out = NULL;
    for (size_t i = 0; i < c->tcap; i++) {
        const struct cnt *e = &c->tab[i];
        if (!e->key)
            continue;
        uint64_t ci;
        int64_t w;
        memcpy(&ci, e->key, sizeof ci);
        memcpy(&w, e->key + 8, sizeof w);
        const struct corr *co = s->r[ci].corr;
        if (!cmp_ok(co->op, e->n, co->thr))
            continue;
        *out = xrealloc(*out, (n + 1) * sizeof **out);
        (*out)[n++] =
            (struct sigma_corr_hit){ci, group_text(co, e->key + 16, e->klen - 16), w, w + co->span, e->n};
    }
    if (n)
        qsort(*out, n, sizeof **out, cmp_hit);
    return n;
}

void sigma_corr_hits_free(struct sigma_corr_hit *h, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(h[i].group);
    free(h);
}
