/*
 * eval.c — one request decided as AWS decides it (research/iam.md §1): an explicit Deny in
 * any policy wins; then RCP levels of the resource's account path (RCPFullAWSAccess implied
 * at every level), SCP levels of the principal's account path (an Allow needed at every
 * level), VPC endpoint policies; then the resource policy by what it names (the caller
 * itself, the caller's role, or only its account), identity policies, the permissions
 * boundary and the session policy — a union within one account, an intersection across
 * accounts, with KMS key policies and role trust policies required even in the same account.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "internal.h"

enum who_kind { W_ANON, W_SERVICE, W_ROOT, W_USER, W_ROLE, W_SESSION, W_FEDERATED, W_OTHER };

struct who {
    enum who_kind kind;
    const char *arn;
    char account[32];
    char *role_arn;  /* sessions: arn:PARTITION:iam::ACCOUNT:role/NAME (the path is not in a session ARN) */
    char *role_name; /* sessions and roles */
    char *user_name; /* users; federated sessions: the name of the session */
};

/* The account field (the fifth) of an ARN into out; 0 when there is none. */
static int arn_account(const char *arn, char *out, size_t len)
{
    const char *q = arn;
    for (int i = 0; i < 4 && q; i++)
        q = strchr(q, ':') ? strchr(q, ':') + 1 : NULL;
    size_t n = q && strchr(q, ':') ? (size_t)(strchr(q, ':') - q) : 0;
    if (!n || n >= len)
        return 0;
    memcpy(out, q, n);
    out[n] = '\0';
    return 1;
}

static void parse_who(const char *p, struct who *w)
{
    memset(w, 0, sizeof *w);
    w->arn = p;
    if (!p || !*p) {
        w->kind = W_ANON;
        return;
    }
    if (strncmp(p, "arn:", 4) != 0) {
        w->kind = W_SERVICE;
        return;
    }
    const char *f[6];
    const char *q = p;
    for (int i = 0; i < 6; i++) {
        f[i] = q;
        const char *c = i < 5 ? strchr(q, ':') : NULL;
        if (i < 5 && !c) {
            w->kind = W_OTHER;
            return;
        }
        q = c ? c + 1 : q;
    }
    arn_account(p, w->account, sizeof w->account);
    const char *res = f[5];
    char partition[32] = "aws";
    size_t pl = (size_t)(f[2] - f[1] - 1);
    if (pl < sizeof partition) {
        memcpy(partition, f[1], pl);
        partition[pl] = '\0';
    }
    int iam = strncmp(f[2], "iam:", 4) == 0, sts = strncmp(f[2], "sts:", 4) == 0;
    if (iam && strcmp(res, "root") == 0) {
        w->kind = W_ROOT;
    } else if (iam && strncmp(res, "user/", 5) == 0) {
        w->kind = W_USER;
        w->user_name = xstrdup(strrchr(res, '/') + 1);
    } else if (iam && strncmp(res, "role/", 5) == 0) {
        w->kind = W_ROLE;
        w->role_name = xstrdup(strrchr(res, '/') + 1);
        w->role_arn = xstrdup(p);
    } else if (sts && strncmp(res, "assumed-role/", 13) == 0) {
        w->kind = W_SESSION;
        const char *r = res + 13, *slash = strchr(r, '/');
        w->role_name = slash ? xstrndup(r, (size_t)(slash - r)) : xstrdup(r);
        w->role_arn = xasprintf("arn:%s:iam::%s:role/%s", partition, w->account, w->role_name);
    } else if (sts && strncmp(res, "federated-user/", 15) == 0) {
        w->kind = W_FEDERATED;
        w->user_name = xstrdup(res + 15);
    } else {
        w->kind = W_OTHER;
    }
}

static void who_free(struct who *w)
{
    free(w->role_arn);
    free(w->role_name);
    free(w->user_name);
}

/* ---- the request context ---- */

/* Add an entry: lkey lower-cased and lasting (the arena or a literal), vals lasting for the
 * evaluation; n pointers go to the pool, which ctx_build sized for everything. */
static void ctx_add(struct ctx *c, const char *lkey, const char *const *vals, size_t n)
{
    if (c->n == c->cap) { /* duplicates are dropped by ctx_seal */
        c->cap = c->cap ? 2 * c->cap : 16;
        c->v = xrealloc(c->v, c->cap * sizeof *c->v);
    }
    c->sealed = 0;
    struct ctx_entry *e = &c->v[c->n];
    e->order = c->n++;
    e->key = lkey;
    e->nvalues = n;
    e->values = c->pool + c->npool;
    for (size_t i = 0; i < n; i++)
        c->pool[c->npool++] = vals[i];
}

/* The request's context, from `j` and then `base` (a key in both: j's values count); room
 * for `extra` more single-valued entries (the engine's own). */
static int ctx_build(const json_t *j, const json_t *base, struct ctx *c, size_t extra, char *err,
                     size_t errlen)
{
    memset(c, 0, sizeof *c);
    const json_t *objs[2] = {j, base};
    for (int o = 0; o < 2; o++)
        if (objs[o] && !json_is_object(objs[o])) {
            snprintf(err, errlen, "context must be an object of key -> string or list of strings");
            return -1;
        }
    /* sizes first: one arena for the keys and number texts, one pool for value pointers */
    size_t bytes = 1, nvals = extra + 1; /* room for the engine's own entries, one value each */
    size_t nkeys = nvals;
    const char *k;
    json_t *v;
    for (int o = 0; o < 2; o++) {
        if (!objs[o])
            continue;
        json_object_foreach((json_t *)objs[o], k, v)
        {
            size_t n = json_is_array(v) ? json_array_size(v) : 1;
            bytes += strlen(k) + 1 + 64 * n;
            nvals += n;
            nkeys++;
        }
    }
    c->arena = xmalloc(bytes);
    c->pool = xcalloc(nvals, sizeof *c->pool);
    c->pool_cap = nvals;
    c->cap = nkeys;
    c->v = xcalloc(c->cap, sizeof *c->v);
    char *a = c->arena;
    for (int o = 0; o < 2; o++) {
        if (!objs[o])
            continue;
        json_object_foreach((json_t *)objs[o], k, v)
        {
            char *lk = a;
            for (const char *x = k; *x; x++)
                *a++ = (char)tolower((unsigned char)*x);
            *a++ = '\0';
            size_t n = json_is_array(v) ? json_array_size(v) : 1;
            const char **vals = c->pool + c->npool;
            for (size_t i = 0; i < n; i++) {
                const json_t *x = json_is_array(v) ? json_array_get(v, i) : v;
                const char *t = json_is_string(x) ? json_string_value(x) : iam_json_text(x, a);
                if (!t) {
                    snprintf(err, errlen, "context key %.100s: values must be strings", k);
                    return -1;
                }
                if (t == a)
                    a += strlen(a) + 1; /* a number's text, kept in the arena */
                vals[i] = t;
            }
            struct ctx_entry *e = &c->v[c->n];
            e->order = c->n++;
            e->key = lk;
            e->nvalues = n;
            e->values = vals;
            c->npool += n;
        }
    }
    return 0;
}

static void ctx_free(struct ctx *c)
{
    free(c->v);
    free(c->pool);
    free(c->arena);
}

/* ---- statements ---- */

enum grant { G_NONE = 0, G_ACCOUNT, G_ROLE, G_DIRECT };

static int is_account_id(const char *s)
{
    size_t n = strlen(s);
    if (n != 12)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

/* What one Principal entry grants the caller. */
static enum grant principal_grant(const struct principal *pr, const struct who *w)
{
    if (pr->type == PR_ANY)
        return G_DIRECT;
    if (pr->type == PR_SERVICE)
        return w->kind == W_SERVICE && w->arn && strcmp(pr->value, w->arn) == 0 ? G_DIRECT : G_NONE;
    if (pr->type != PR_AWS)
        return w->arn && strcmp(pr->value, w->arn) == 0 ? G_DIRECT : G_NONE;
    if (w->kind == W_ANON || w->kind == W_SERVICE)
        return G_NONE;
    const char *v = pr->value;
    char root[64];
    snprintf(root, sizeof root, ":iam::%s:root", w->account);
    if ((is_account_id(v) && strcmp(v, w->account) == 0) ||
        (strncmp(v, "arn:", 4) == 0 && strlen(v) > strlen(root) &&
         strcmp(v + strlen(v) - strlen(root), root) == 0))
        return w->kind == W_ROOT ? G_DIRECT : G_ACCOUNT;
    if (strcmp(v, w->arn) == 0)
        return w->kind == W_ROLE ? G_ROLE : G_DIRECT;
    if ((w->kind == W_SESSION || w->kind == W_ROLE) && strstr(v, ":role/")) {
        /* the role of the session: same account, same name (a session ARN has no path) */
        const char *name = strrchr(v, '/') + 1;
        char acct[32];
        if (arn_account(v, acct, sizeof acct) && strcmp(acct, w->account) == 0 &&
            strcmp(name, w->role_name) == 0)
            return G_ROLE;
    }
    if (w->kind == W_FEDERATED && strstr(v, ":user/")) {
        /* the IAM user whose GetFederationToken made the session, which bears its name: like a
         * session's role, the grant is still limited by the session policy */
        char acct[32];
        if (arn_account(v, acct, sizeof acct) && strcmp(acct, w->account) == 0 &&
            strcmp(strrchr(v, '/') + 1, w->user_name) == 0)
            return G_ROLE;
    }
    return G_NONE;
}

/* NotPrincipal (Deny only): the caller is left out when it is listed. For a role session
 * AWS checks the account, the role and the session in turn, so all three must be listed. */
static int not_principal_excludes(const struct stmt *st, const struct who *w)
{
    int account = 0, self = 0, role = 0;
    for (size_t i = 0; i < st->nprincipals; i++) {
        enum grant g = principal_grant(&st->principals[i], w);
        if (st->principals[i].type == PR_ANY)
            return 1;
        account |= g == G_ACCOUNT;
        self |= g == G_DIRECT;
        role |= g == G_ROLE;
    }
    if (w->kind == W_SESSION)
        return account && role && self;
    return account || self || role;
}

struct evalctx {
    const struct iam_request *req;
    struct who who;
    struct ctx ctx;
    char *action; /* lower-cased */
    size_t action_len;
    int has_boundary;
    /* open context: statements whose conditions are unknown apply (optimistic: Allows yes,
     * Denies no; pessimistic: the reverse); assumed collects, per policy kind, what the
     * optimistic pass had to assume */
    int optimistic;
    json_t *assumed;
    int saw_unknown; /* some statement that applies had unknown conditions */
};

/* action: lower-cased, alen its length (patterns are lower-cased when compiled) */
static int action_matches(const struct stmt *st, const char *action, size_t alen)
{
    int m = 0;
    for (size_t i = 0; i < st->nactions && !m; i++)
        switch (st->action_kind[i]) {
        case PAT_ANY: m = 1; break;
        case PAT_EXACT: m = st->action_len[i] == alen && memcmp(st->actions[i], action, alen) == 0; break;
        case PAT_PREFIX:
            m = alen >= st->action_len[i] && memcmp(st->actions[i], action, st->action_len[i]) == 0;
            break;
        default: m = iam_glob(st->actions[i], action, 1);
        }
    return st->not_action ? !m : m;
}

/* Where policy variables may stand in a Resource pattern: only in the resource part of an
 * ARN, after the fifth colon ("${...}" before it is literal text, which no ARN holds); the
 * whole pattern when it is not an ARN. */
static const char *variable_part(const char *pat)
{
    const char *q = pat;
    for (int i = 0; i < 5 && q; i++)
        q = strchr(q, ':') ? strchr(q, ':') + 1 : NULL;
    return q ? q : pat;
}

/* A Resource / NotResource entry whose variable has no value matches no resource (IAM User
 * Guide, "Policy variables with no value"), so it excludes nothing from a NotResource. */
static int resource_matches(const struct stmt *st, const struct iam_policy *p, const char *resource,
                            const struct ctx *c)
{
    if (!st->has_resource)
        return 1;
    int m = 0;
    for (size_t i = 0; i < st->nresources && !m; i++) {
        const char *pat = st->resources[i];
        if (st->resource_kind[i] == PAT_ANY) {
            m = 1;
            break;
        }
        if (st->resource_kind[i] == PAT_EXACT) {
            m = strcmp(pat, resource) == 0;
            continue;
        }
        if (strncmp(pat, resource, st->resource_prefix[i]) != 0)
            continue; /* the literal start differs: no wildcard can make up for it */
        const char *var = variable_part(pat);
        if (p->variables && strstr(var, "${")) {
            char *sub = iam_substitute(var, c, 1);
            if (!sub)
                continue;
            char *s = xasprintf("%.*s%s", (int)(var - pat), pat, sub);
            m = iam_resource_match(s, resource);
            free(s);
            free(sub);
        } else {
            m = iam_resource_match(pat, resource);
        }
    }
    return st->not_resource ? !m : m;
}

/* Does st apply to the request? For resource policies (principals=1) *grant says what the
 * Principal names. */
static int applies(struct evalctx *e, const struct iam_policy *p, const struct stmt *st, int principals,
                   enum grant *grant)
{
    *grant = G_NONE;
    if (!action_matches(st, e->action, e->action_len))
        return 0;
    if (resource_matches(st, p, e->req->resource, &e->ctx) != 1)
        return 0;
    if (principals == 2 && !st->has_principal) {
        *grant = G_DIRECT; /* an endpoint policy statement without Principal covers every caller */
    } else if (principals) {
        if (!st->has_principal)
            return 0;
        if (st->not_principal) {
            /* with Allow (which AWS no longer accepts in new policies) it grants everyone not
             * listed, anonymous callers included; a Deny applies to every caller with a
             * permissions boundary, whatever is listed */
            if (!(e->has_boundary && !st->allow) && not_principal_excludes(st, &e->who))
                return 0;
            *grant = G_DIRECT;
        } else {
            for (size_t i = 0; i < st->nprincipals; i++) {
                enum grant g = principal_grant(&st->principals[i], &e->who);
                if (g > *grant)
                    *grant = g;
            }
            if (*grant == G_NONE)
                return 0;
        }
    }
    return iam_conditions_hold(st, p, &e->ctx);
}

/* The unknown conditions of st, as text: all of them for an Allow ("A and B"), what leaves
 * a Deny out for a Deny ("not A or not B"). */
static char *unknown_text(struct evalctx *e, const struct iam_policy *p, const struct stmt *st)
{
    struct strbuf sb;
    sb_init(&sb);
    int n = 0;
    for (size_t i = 0; i < st->nconds; i++) {
        if (iam_cond_state(&st->conds[i], p, &e->ctx) != 2)
            continue;
        if (n++)
            sb_puts(&sb, st->allow ? " and " : " or ");
        sb_puts(&sb, st->allow ? st->conds[i].text : st->conds[i].negtext);
    }
    return sb_detach(&sb);
}

/* Remember an assumption of the optimistic pass: assumed[kind] = {"definite": bool,
 * "allows": [texts], "denies": [texts]} */
static void assume(struct evalctx *e, const char *kind, const struct iam_policy *p, const struct stmt *st,
                   int definite)
{
    json_t *k = json_object_get(e->assumed, kind);
    if (!k) {
        k = json_pack("{s:b, s:[], s:[]}", "definite", 0, "allows", "denies");
        json_object_set_new(e->assumed, kind, k);
    }
    if (definite) {
        json_object_set_new(k, "definite", json_true());
        return;
    }
    char *t = unknown_text(e, p, st);
    json_t *list = json_object_get(k, st->allow ? "allows" : "denies");
    int dup = 0;
    size_t i;
    json_t *x;
    json_array_foreach(list, i, x) dup |= strcmp(json_string_value(x), t) == 0;
    if (!dup)
        json_array_append_new(list, json_string(t));
    free(t);
}

/* The statements that applied, kept as pointers; their text is written only for the list
 * the decision reports. kind: "identity", "resource", ...; level >= 0 for "scp"/"rcp". */
struct noted {
    const char *kind;
    int level;
    const struct iam_policy *p;
    const struct stmt *st;
};

struct notes {
    struct noted *v;
    size_t n, cap;
};

static void note(struct notes *ns, const char *kind, int level, const struct iam_policy *p,
                 const struct stmt *st)
{
    if (ns->n == ns->cap) {
        ns->cap = ns->cap ? 2 * ns->cap : 8;
        ns->v = xrealloc(ns->v, ns->cap * sizeof *ns->v);
    }
    ns->v[ns->n++] = (struct noted){kind, level, p, st};
}

static json_t *notes_json(const struct notes *ns)
{
    json_t *out = json_array();
    struct strbuf sb;
    sb_init(&sb);
    for (size_t i = 0; i < ns->n; i++) {
        const struct noted *x = &ns->v[i];
        sb.len = 0;
        sb_puts(&sb, x->kind);
        if (x->level >= 0) {
            char lv[32];
            snprintf(lv, sizeof lv, " level %d", x->level);
            sb_puts(&sb, lv);
        }
        sb_putc(&sb, ' ');
        sb_puts(&sb, x->p->name);
        sb_putc(&sb, ' ');
        sb_puts(&sb, x->st->label);
        sb_puts(&sb, x->st->allow ? " (Allow)" : " (Deny)");
        json_array_append_new(out, json_stringn(sb.buf, sb.len));
    }
    sb_free(&sb);
    return out;
}

/* Scan a policy: 1 if some Deny applies (noted), sets *allowed when some Allow applies, and
 * (resource policies) the best grant of an applying Allow. */
static int scan(struct evalctx *e, const struct iam_policy *p, const char *kind, int level, int principals,
                int *allowed, enum grant *best, struct notes *denies, struct notes *allows)
{
    int denied = 0;
    char key[64];
    if (e->assumed) /* the open evaluation's bookkeeping is per policy kind and level */
        snprintf(key, sizeof key, level >= 0 ? "%s level %d" : "%s", kind, level);
    for (size_t i = 0; p && i < p->nstmts; i++) {
        const struct stmt *st = &p->stmts[i];
        enum grant g;
        int a = applies(e, p, st, principals, &g);
        if (!a)
            continue;
        if (a == 2)
            e->saw_unknown = 1;
        if (a == 2 && e->optimistic == !st->allow) { /* an unknown statement this pass leaves out */
            if (e->assumed && !st->allow)
                assume(e, key, p, st, 0);
            continue;
        }
        if (e->assumed && st->allow)
            assume(e, key, p, st, a == 1);
        if (!st->allow) {
            denied = 1;
            note(denies, kind, level, p, st);
        } else {
            if (allowed && !*allowed)
                note(allows, kind, level, p, st);
            if (allowed)
                *allowed = 1;
            if (best && g > *best)
                *best = g;
        }
    }
    return denied;
}

const char *iam_decision_name(enum iam_decision d)
{
    return d == IAM_ALLOW           ? "allow"
           : d == IAM_EXPLICIT_DENY ? "explicit_deny"
           : d == IAM_CONDITIONAL   ? "conditional"
                                    : "implicit_deny";
}

static int finish(struct iam_result *out, enum iam_decision d, json_t *matched, const char *fmt,
                  const char *arg)
{
    out->decision = d;
    snprintf(out->reason, sizeof out->reason, fmt, arg ? arg : "");
    out->matched = matched;
    return 0;
}

/* The account that owns the resource: given, from the ARN, else the caller's. */
static void resource_account(const struct iam_request *r, const struct who *w, char *out, size_t len)
{
    if (r->resource_account && *r->resource_account) {
        snprintf(out, len, "%s", r->resource_account);
        return;
    }
    if (!arn_account(r->resource, out, len))
        snprintf(out, len, "%s", w->account);
}

/* A request made ready once: its context (with the keys AWS adds), its caller, its action
 * lower-cased and the resource's account. Evaluating it is then only the policies' work. */
struct iam_prepared {
    struct evalctx e;
    char racct[64];
    int same_account;
};

static int prepare(const struct iam_request *r, struct iam_prepared *pr, char *err, size_t errlen)
{
    memset(pr, 0, sizeof *pr);
    if (!r->action || !strchr(r->action, ':') || !r->resource) {
        snprintf(err, errlen, "a request needs an action (service:Name) and a resource");
        return -1;
    }
    struct evalctx *e = &pr->e;
    e->req = r;
    if (ctx_build(r->context, r->context_base, &e->ctx, 3, err, errlen)) {
        ctx_free(&e->ctx);
        return -1;
    }
    parse_who(r->principal, &e->who);
    e->has_boundary = r->nboundary > 0;
    e->action = xstrdup(r->action);
    for (char *a = e->action; *a; a++)
        *a = (char)tolower((unsigned char)*a);
    e->action_len = strlen(e->action);
    /* keys AWS puts in every authenticated request context */
    if (e->who.kind != W_ANON && e->who.kind != W_SERVICE && e->who.kind != W_OTHER) {
        const char *parn = e->who.kind == W_SESSION ? e->who.role_arn : e->who.arn;
        const char *acct = e->who.account;
        ctx_add(&e->ctx, "aws:principalarn", &parn, 1);
        ctx_add(&e->ctx, "aws:principalaccount", &acct, 1);
        if (e->who.kind == W_USER) {
            const char *u = e->who.user_name;
            ctx_add(&e->ctx, "aws:username", &u, 1);
        }
    }
    ctx_seal(&e->ctx);
    resource_account(r, &e->who, pr->racct, sizeof pr->racct);
    pr->same_account = strcmp(pr->racct, e->who.account) == 0;
    return 0;
}

static void prepared_release(struct iam_prepared *pr)
{
    free(pr->e.action);
    who_free(&pr->e.who);
    ctx_free(&pr->e.ctx);
}

static int run(const struct iam_prepared *pr, const char *const *known, size_t nknown, int open,
               int optimistic, json_t *assumed, int *saw_unknown, struct iam_result *out)
{
    memset(out, 0, sizeof *out);
    struct evalctx e = pr->e; /* this evaluation's own settings; the context is shared, read-only */
    const struct iam_request *r = e.req;
    e.ctx.open = open;
    e.ctx.known = known;
    e.ctx.nknown = nknown;
    e.optimistic = optimistic;
    e.assumed = assumed;
    e.saw_unknown = 0;
    int same_account = pr->same_account;
    struct notes denies = {0}, allows = {0};
    int denied = 0;
    char label[64];
    /* 1. explicit denies everywhere (and the allows each policy type gives) */
    int small_ok[8] = {0};
    int *scp_ok = r->nscp_levels < 8 ? small_ok : xcalloc(r->nscp_levels + 1, sizeof *scp_ok);
    int scps_apply = e.who.kind != W_SERVICE && e.who.kind != W_ANON; /* SCPs limit the org's principals */
    for (size_t l = 0; l < r->nscp_levels && scps_apply; l++)
        for (size_t i = 0; i < r->nscps[l]; i++)
            denied |= scan(&e, r->scps[l][i], "scp", (int)l, 0, &scp_ok[l], NULL, &denies, &allows);
    for (size_t l = 0; l < r->nrcp_levels; l++)
        for (size_t i = 0; i < r->nrcps[l]; i++)
            denied |= scan(&e, r->rcps[l][i], "rcp", (int)l, 1, NULL, NULL, &denies, &allows);
    int id = 0, pb = 0, sp = 0, vpce = r->nendpoint == 0;
    enum grant g = G_NONE;
    for (size_t i = 0; i < r->nidentity; i++)
        denied |= scan(&e, r->identity[i], "identity", -1, 0, &id, NULL, &denies, &allows);
    if (r->resource_policy)
        denied |= scan(&e, r->resource_policy, "resource", -1, 1, NULL, &g, &denies, &allows);
    for (size_t i = 0; i < r->nboundary; i++)
        denied |= scan(&e, r->boundary[i], "boundary", -1, 0, &pb, NULL, &denies, &allows);
    if (r->session_policy)
        denied |= scan(&e, r->session_policy, "session", -1, 0, &sp, NULL, &denies, &allows);
    int vpce_allow = 0;
    for (size_t i = 0; i < r->nendpoint; i++)
        denied |= scan(&e, r->endpoint[i], "endpoint", -1, 2, &vpce_allow, NULL, &denies, &allows);
    vpce = vpce || vpce_allow;
    int rc = 0;
    int session = e.who.kind == W_SESSION || e.who.kind == W_FEDERATED;
    if (strcmp(e.action, "sts:getcalleridentity") == 0 && e.who.kind != W_ANON) {
        rc = finish(out, IAM_ALLOW, json_array(), "%ssts:GetCallerIdentity is always allowed", NULL);
        goto done;
    }
    if (denied) {
        rc = finish(out, IAM_EXPLICIT_DENY, notes_json(&denies), "%sexplicitly denied", NULL);
        goto done;
    }
    /* 2. SCPs: an Allow at every level of the principal's path (not for service or anonymous callers) */
    if (e.who.kind != W_SERVICE && e.who.kind != W_ANON)
        for (size_t l = 0; l < r->nscp_levels; l++)
            if (!scp_ok[l]) {
                snprintf(label, sizeof label, "%zu", l);
                rc = finish(out, IAM_IMPLICIT_DENY, json_array(),
                            "no service control policy at level %s allows it", label);
                goto done;
            }
    if (!vpce) {
        rc = finish(out, IAM_IMPLICIT_DENY, json_array(), "%sno VPC endpoint policy allows it", NULL);
        goto done;
    }
    /* roles AWS creates and manages (service-linked, IAM Identity Center) cannot be changed or
     * passed by anyone in the account */
    if (strncmp(e.action, "iam:", 4) == 0 &&
        (strstr(r->resource, ":role/aws-service-role/") || strstr(r->resource, ":role/aws-reserved/")) &&
        strncmp(e.action + 4, "get", 3) != 0 && strncmp(e.action + 4, "list", 4) != 0 &&
        strncmp(e.action + 4, "generate", 8) != 0 && strncmp(e.action + 4, "simulate", 8) != 0) {
        rc = finish(out, IAM_IMPLICIT_DENY, json_array(),
                    "%sthe role is managed by AWS; only AWS can change it", NULL);
        goto done;
    }
    /* AWS managed KMS aliases (alias/aws/...) cannot be created, changed or deleted */
    if (strncmp(e.action, "kms:", 4) == 0 && strstr(e.action, "alias") &&
        strstr(r->resource, ":alias/aws/") && strncmp(e.action + 4, "list", 4) != 0) {
        rc = finish(out, IAM_IMPLICIT_DENY, json_array(), "%sthe alias is managed by AWS", NULL);
        goto done;
    }
    /* 3. who grants: resource policy by kind, identity, boundary, session */
    if (e.who.kind == W_ROOT && same_account)
        id = 1; /* the root user of the account */
    int pb_ok = r->nboundary == 0 || pb;
    int sp_ok;
    if (r->session_policy && session)
        sp_ok = sp;
    else
        sp_ok = e.who.kind != W_FEDERATED; /* a federated session without a session policy has none */
    const char *res = r->resource;
    int special = (strstr(res, ":kms:") != NULL && strstr(res, ":key/") != NULL) ||
                  (strncmp(e.action, "sts:assumerole", 14) == 0 && strstr(res, ":role/") != NULL);
    /* grant: the identity and resource policies together give access; then the boundary and
     * the session policy must not take it away */
    int grant;
    const char *granted, *not_granted = "";
    if (e.who.kind == W_ANON || e.who.kind == W_SERVICE) {
        grant = g == G_DIRECT;
        granted = "the resource policy allows this caller";
        not_granted = "only a resource policy can allow this caller, and none does";
        pb_ok = sp_ok = 1; /* neither applies to such callers */
    } else if (same_account && g == G_DIRECT) {
        grant = 1;
        granted = "the resource policy names the caller";
        pb_ok = sp_ok = 1; /* a grant to the caller itself is not cut by them */
    } else if (same_account) {
        grant = special ? (g == G_ROLE || (g == G_ACCOUNT && id)) : (g == G_ROLE || id);
        granted = id            ? "an identity policy allows it"
                  : g == G_ROLE ? "the resource policy names the caller's role"
                                : "the resource policy allows it";
        not_granted = !special ? "no identity or resource policy allows it"
                      : strstr(res, ":kms:")
                          ? "the key policy does not allow it (IAM policies count only when the "
                            "key policy delegates to the account)"
                          : "the role's trust policy does not allow it";
    } else {
        grant = id && g != G_NONE;
        granted = "allowed by both accounts";
        not_granted =
            !id ? "no identity policy allows it (a cross-account request needs both sides)"
                : "the resource policy does not allow this caller (a cross-account request needs both sides)";
    }
    int allow = grant && pb_ok && sp_ok;
    const char *why = allow    ? granted
                      : !grant ? not_granted
                      : !pb_ok ? "the permissions boundary does not allow it"
                               : "the session policy does not allow it";
    if (allow)
        rc = finish(out, IAM_ALLOW, notes_json(&allows), "%s", why);
    else
        rc = finish(out, IAM_IMPLICIT_DENY, json_array(), "%s", why);
done:
    if (saw_unknown)
        *saw_unknown = e.saw_unknown;
    free(denies.v);
    free(allows.v);
    if (scp_ok != small_ok)
        free(scp_ok);
    return rc;
}

static int evaluate(const struct iam_request *r, const char *const *known, size_t nknown, int open,
                    int optimistic, json_t *assumed, int *saw_unknown, struct iam_result *out, char *err,
                    size_t errlen)
{
    memset(out, 0, sizeof *out);
    struct iam_prepared pr;
    if (prepare(r, &pr, err, errlen))
        return -1;
    int rc = run(&pr, known, nknown, open, optimistic, assumed, saw_unknown, out);
    prepared_release(&pr);
    return rc;
}

struct iam_prepared *iam_prepare(const struct iam_request *req, char *err, size_t errlen)
{
    struct iam_prepared *pr = xcalloc(1, sizeof *pr);
    if (prepare(req, pr, err, errlen)) {
        free(pr);
        return NULL;
    }
    return pr;
}

int iam_evaluate_prepared(const struct iam_prepared *pr, struct iam_result *out)
{
    return run(pr, NULL, 0, 0, 0, NULL, NULL, out);
}

void iam_prepared_free(struct iam_prepared *pr)
{
    if (!pr)
        return;
    prepared_release(pr);
    free(pr);
}

int iam_evaluate(const struct iam_request *r, struct iam_result *out, char *err, size_t errlen)
{
    return evaluate(r, NULL, 0, 0, 0, NULL, NULL, out, err, errlen);
}

/* The conditions an optimistic pass assumed: for each policy kind without a definite
 * Allow, its unknown Allows (one of them must hold), and every unknown Deny's way out. */
static json_t *assumed_conditions(json_t *assumed)
{
    json_t *out = json_array();
    const char *kind;
    json_t *k;
    json_object_foreach(assumed, kind, k)
    {
        json_t *allows = json_object_get(k, "allows");
        if (!json_is_true(json_object_get(k, "definite")) && json_array_size(allows)) {
            struct strbuf sb;
            sb_init(&sb);
            size_t i;
            json_t *x;
            json_array_foreach(allows, i, x)
            {
                if (i)
                    sb_puts(&sb, " or ");
                if (json_array_size(allows) > 1)
                    sb_putc(&sb, '(');
                sb_puts(&sb, json_string_value(x));
                if (json_array_size(allows) > 1)
                    sb_putc(&sb, ')');
            }
            char *t = sb_detach(&sb);
            json_array_append_new(out, json_string(t));
            free(t);
        }
    }
    json_object_foreach(assumed, kind, k) iam_json_extend_unique(out, json_object_get(k, "denies"));
    return out;
}

void iam_json_extend_unique(json_t *list, const json_t *more)
{
    size_t i;
    json_t *x;
    json_array_foreach((json_t *)more, i, x)
    {
        int dup = 0;
        size_t j;
        json_t *y;
        json_array_foreach(list, j, y) dup |= json_equal(x, y);
        if (!dup)
            json_array_append(list, x);
    }
}

int iam_evaluate_open(const struct iam_request *r, const char *const *known, size_t nknown,
                      struct iam_result *out, char *err, size_t errlen)
{
    /* the keys the engine itself sets for an IAM caller are known too */
    static const char *const own[] = {"aws:principalarn", "aws:principalaccount", "aws:username"};
    size_t n = nknown + sizeof own / sizeof *own;
    const char **all = xcalloc(n, sizeof *all);
    for (size_t i = 0; i < nknown; i++)
        all[i] = known[i];
    for (size_t i = 0; i < sizeof own / sizeof *own; i++)
        all[nknown + i] = own[i];
    int unknown = 0;
    int rc = evaluate(r, all, n, 1, 0, NULL, &unknown, out, err, errlen); /* pessimistic */
    if (rc || out->decision == IAM_ALLOW || !unknown) { /* nothing unknown: the answer is final */
        free(all);
        return rc;
    }
    struct iam_result opt;
    json_t *assumed = json_object();
    rc = evaluate(r, all, n, 1, 1, assumed, NULL, &opt, err, errlen);
    free(all);
    if (rc == 0 && opt.decision == IAM_ALLOW) {
        json_decref(out->matched);
        *out = opt;
        out->decision = IAM_CONDITIONAL;
        out->conditions = assumed_conditions(assumed);
        snprintf(out->reason, sizeof out->reason, "allowed only under conditions");
    } else if (rc == 0) { /* denied even when every unknown key is favourable: that is the reason */
        json_decref(out->matched);
        *out = opt;
    }
    json_decref(assumed);
    return rc;
}
