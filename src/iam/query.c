/*
 * query.c — questions about one account's IAM: can a principal make a request, and who can
 * (every user and role allowed or allowed under conditions, and through trust policies
 * everyone who can become such a role: users, roles, other accounts, services, identity
 * providers). Requests are evaluated with an open context: what the snapshot knows about the
 * caller and the resource (tags, account, organization) is known, everything else (source
 * IP, MFA, VPC endpoint, ...) may take any value and turns up as conditions.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/util.h"
#include "account_internal.h"

/* The account field of an ARN, or "" */
static void arn_account_of(const char *arn, char *out, size_t len)
{
    *out = '\0';
    const char *q = arn;
    for (int i = 0; i < 4 && q; i++)
        q = strchr(q, ':') ? strchr(q, ':') + 1 : NULL;
    if (q && strncmp(arn, "arn:", 4) == 0 && strchr(q, ':')) {
        size_t n = (size_t)(strchr(q, ':') - q);
        if (n < len) {
            memcpy(out, q, n);
            out[n] = '\0';
        }
    }
}

static struct iam_policy *allow_all_policy;

static void allow_all_init(void)
{
    json_t *doc = json_pack("{s:s, s:[{s:s, s:s, s:s}]}", "Version", "2012-10-17", "Statement", "Effect",
                            "Allow", "Action", "*", "Resource", "*");
    char err[64];
    allow_all_policy =
        iam_policy_compile(doc, "(the other account's own policies, assumed to allow it)", err, sizeof err);
    json_decref(doc);
}

/* An identity policy that allows everything: stands for an outside caller's own side.
 * Compiled once; shared, never freed. */
static struct iam_policy *allow_all(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, allow_all_init);
    return allow_all_policy;
}

/* What stays the same for every principal asked one request: the resource, its policy and
 * tags, the context keys that do not depend on the caller (plus the user's), and which keys
 * are known. Built once per question; each principal then only adds its own keys. */
struct question {
    const char *action, *resource;
    const struct acct_resource *r;
    const struct iam_policy *rpolicy;
    char racct[32];
    int rcps;
    json_t *overlay; /* resource keys and the user's: they win over the principal's own */
    const char *known_in[32], *known_out[32];
    size_t nin, nout;
    char **lowered; /* the user's keys, lower-cased */
    size_t nlowered;
};

static void question_init(struct question *q, const struct iam_account *a, const char *action,
                          const char *resource, const json_t *given)
{
    memset(q, 0, sizeof *q);
    q->action = action;
    q->resource = resource;
    static const char *const common[] = {"aws:principalisawsservice", "aws:resourceaccount",
                                         "aws:principalservicename",  "aws:principalservicenamesforlist",
                                         "aws:sourceaccount",         "aws:sourcearn",
                                         "aws:sourceorgid",           "aws:sourceorgpaths"};
    for (size_t i = 0; i < sizeof common / sizeof *common; i++)
        q->known_in[q->nin++] = q->known_out[q->nout++] = common[i];
    q->known_in[q->nin++] = "aws:principaltag/";
    q->known_in[q->nin++] = "aws:principaltype";
    q->known_in[q->nin++] = "aws:userid";
    if (a->org_id)
        q->known_in[q->nin++] = "aws:principalorgid";
    q->overlay = json_object();
    arn_account_of(resource, q->racct, sizeof q->racct);
    q->r = acct_resource_find(a, resource);
    if (!*q->racct && q->r)
        snprintf(q->racct, sizeof q->racct, "%s", a->id); /* S3 ARNs name no account */
    if (*q->racct)
        json_object_set_new(q->overlay, "aws:ResourceAccount", json_string(q->racct));
    if (q->r && strcmp(q->r->arn, resource) == 0) { /* the resource's own tags */
        q->known_in[q->nin++] = q->known_out[q->nout++] = "aws:resourcetag/";
        const char *k;
        json_t *v;
        json_object_foreach(q->r->tags, k, v)
        {
            char *key = xasprintf("aws:ResourceTag/%s", k);
            json_object_set(q->overlay, key, v);
            free(key);
        }
    }
    q->rpolicy = q->r ? q->r->policy : NULL;
    if (strncasecmp(action, "sts:AssumeRole", 14) == 0) {
        const struct acct_principal *role = acct_principal_find(a, resource);
        if (role && role->kind == ACCT_ROLE && strcmp(role->arn, resource) == 0)
            q->rpolicy = role->trust;
    }
    q->rcps = strcmp(q->racct, a->id) == 0;
    if (given) { /* what the user states wins, and its keys are known, present or absent */
        json_object_update(q->overlay, (json_t *)given);
        q->lowered = xcalloc(json_object_size(given) + 1, sizeof *q->lowered);
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)given, k, v)
        {
            char *l = xstrdup(k);
            for (char *c = l; *c; c++)
                *c = (char)tolower((unsigned char)*c);
            q->lowered[q->nlowered++] = l;
        }
    }
}

static void question_free(struct question *q)
{
    json_decref(q->overlay);
    for (size_t i = 0; i < q->nlowered; i++)
        free(q->lowered[i]);
    free(q->lowered);
}

/* One principal asked the question. p: an in-account principal (its policies, tags, SCPs),
 * or NULL for an outside caller (caller names it; its own side is assumed to allow). */
static int ask_q(const struct iam_account *a, const struct question *q, const struct acct_principal *p,
                 const char *caller, struct iam_result *out, char *err, size_t errlen)
{
    struct iam_request req;
    memset(&req, 0, sizeof req);
    req.principal = caller;
    req.action = q->action;
    req.resource = q->resource;
    req.context = q->overlay;
    json_t *own = NULL;
    struct iam_policy *outside[1] = {allow_all()};
    struct iam_policy *bound[1];
    if (p) {
        req.context_base = p->context; /* built once with the model */
        req.identity = p->policies;
        req.nidentity = p->npolicies;
        if (p->boundary) {
            bound[0] = p->boundary;
            req.boundary = bound;
            req.nboundary = 1;
        }
        if (!strstr(p->arn, ":role/aws-service-role/")) { /* SCPs do not restrict service-linked roles */
            req.scps = a->scps;
            req.nscps = a->nscps;
            req.nscp_levels = a->nscp_levels;
        }
    } else {
        own = json_pack("{s:s}", "aws:PrincipalIsAWSService",
                        strncmp(caller, "arn:", 4) == 0 ? "false" : "true");
        req.context_base = own;
        req.identity = outside;
        req.nidentity = outside[0] ? 1 : 0;
    }
    if (q->rcps || (!*q->racct && p)) {
        req.rcps = a->rcps;
        req.nrcps = a->nrcps;
        req.nrcp_levels = a->nrcp_levels;
    }
    req.resource_policy = (struct iam_policy *)q->rpolicy;
    const char *const *base = p ? q->known_in : q->known_out;
    size_t nbase = p ? q->nin : q->nout;
    const char *small[48];
    const char **known = nbase + q->nlowered <= 48 ? small : xcalloc(nbase + q->nlowered, sizeof *known);
    memcpy(known, base, nbase * sizeof *known);
    for (size_t i = 0; i < q->nlowered; i++)
        known[nbase + i] = q->lowered[i];
    int rc = iam_evaluate_open(&req, known, nbase + q->nlowered, out, err, errlen);
    if (known != small)
        free(known);
    json_decref(own);
    return rc;
}

int acct_ask(const struct iam_account *a, const struct acct_principal *p, const char *caller,
             const char *action, const char *resource, const json_t *given, struct iam_result *out, char *err,
             size_t errlen)
{
    struct question q;
    question_init(&q, a, action, resource, given);
    int rc = ask_q(a, &q, p, caller, out, err, errlen);
    question_free(&q);
    return rc;
}

int iam_account_can(const struct iam_account *a, const char *principal, const char *action,
                    const char *resource, const json_t *context, struct iam_result *out, char *err,
                    size_t errlen)
{
    const struct acct_principal *p = acct_principal_find(a, principal);
    if (!p) {
        snprintf(err, errlen, "%s is not a user or role of account %s in this snapshot", principal, a->id);
        return -1;
    }
    const char *caller = strstr(principal, ":assumed-role/") ? principal : p->caller;
    return acct_ask(a, p, caller, action, resource, context, out, err, errlen);
}

/* ---- who can ---- */

static int rank(enum iam_decision d) { return d == IAM_ALLOW ? 2 : d == IAM_CONDITIONAL ? 1 : 0; }

struct reach {
    int rank;           /* 2 allow, 1 conditional, 0 deny */
    json_t *conditions; /* array */
    json_t *via;        /* array of role ARNs, nearest first */
    char reason[640];
    int set;
};

static void reach_set(struct reach *x, int rank, json_t *conditions, json_t *via, const char *reason)
{
    json_decref(x->conditions);
    json_decref(x->via);
    x->rank = rank;
    x->conditions = conditions;
    x->via = via;
    snprintf(x->reason, sizeof x->reason, "%s", reason);
    x->set = 1;
}

/* union of two condition lists (new array) */
static json_t *merge(const json_t *a, const json_t *b)
{
    json_t *out = json_array();
    iam_json_extend_unique(out, a);
    iam_json_extend_unique(out, b);
    return out;
}

/* What p's identity policies could allow of sts:AssumeRole: the resource patterns of the
 * Allow statements whose actions match it (conditions are left to the full evaluation).
 * Worked out once per question; may_assume() is then a few pattern matches per role. */
struct assume_hint {
    int any;          /* some such statement covers every role (no or "*"-like patterns) */
    const char **pat; /* resource patterns (borrowed from the compiled policies) */
    size_t npat;
};

static void assume_hint(const struct acct_principal *p, struct assume_hint *h)
{
    memset(h, 0, sizeof *h);
    for (size_t i = 0; i < p->npolicies && !h->any; i++)
        for (size_t s = 0; s < p->policies[i]->nstmts && !h->any; s++) {
            const struct stmt *st = &p->policies[i]->stmts[s];
            if (!st->allow)
                continue;
            int m = 0;
            for (size_t k = 0; k < st->nactions && !m; k++)
                m = iam_glob(st->actions[k], "sts:assumerole", 1);
            if (st->not_action ? m : !m)
                continue;
            if (!st->has_resource || st->not_resource) {
                h->any = 1; /* NotResource: nearly everything; let the evaluation decide */
                break;
            }
            for (size_t k = 0; k < st->nresources; k++) {
                const char *r = st->resources[k];
                if (strcmp(r, "*") == 0 || strstr(r, "${")) {
                    h->any = 1;
                    break;
                }
                h->pat = xrealloc(h->pat, (h->npat + 1) * sizeof *h->pat);
                h->pat[h->npat++] = r;
            }
        }
}

static int may_assume(const struct assume_hint *h, const char *role_arn)
{
    if (h->any)
        return 1;
    for (size_t k = 0; k < h->npat; k++)
        if (iam_resource_match(h->pat[k], role_arn))
            return 1;
    return 0;
}

/* Does an AWS principal entry name the account itself: its id or its root ARN? */
static int names_account(const struct iam_account *a, const char *v)
{
    if (strcmp(v, a->id) == 0)
        return 1;
    char root[128];
    snprintf(root, sizeof root, "arn:%s:iam::%s:root", a->partition, a->id);
    return strcmp(v, root) == 0;
}

/* Does the trust policy let the account's own identity policies decide (it names the
 * account, its root, or everyone)? */
static int trust_grants_account(const struct iam_account *a, const struct acct_principal *role)
{
    if (!role->trust)
        return 0;
    for (size_t s = 0; s < role->trust->nstmts; s++) {
        const struct stmt *st = &role->trust->stmts[s];
        if (!st->allow)
            continue;
        if (st->not_principal)
            return 1;
        for (size_t k = 0; k < st->nprincipals; k++) {
            const struct principal *pr = &st->principals[k];
            if (pr->type == PR_ANY || (pr->type == PR_AWS && names_account(a, pr->value)))
                return 1;
        }
    }
    return 0;
}

/* The account's own principals a trust policy names itself (no identity policy needed),
 * every principal for "*" or NotPrincipal; a new array of indexes. */
static size_t *trust_candidates(const struct iam_account *a, const struct acct_principal *role, size_t *n)
{
    *n = 0;
    size_t *out = NULL;
    if (!role->trust)
        return NULL;
    for (size_t s = 0; s < role->trust->nstmts; s++) {
        const struct stmt *st = &role->trust->stmts[s];
        if (!st->allow)
            continue;
        for (size_t k = 0; k < st->nprincipals || st->not_principal; k++) {
            if (st->not_principal || st->principals[k].type == PR_ANY) {
                free(out);
                out = xcalloc(a->nprincipals + 1, sizeof *out);
                for (size_t i = 0; i < a->nprincipals; i++)
                    out[i] = i;
                *n = a->nprincipals;
                return out;
            }
            json_t *idx = st->principals[k].type == PR_AWS
                              ? json_object_get(a->principal_index, st->principals[k].value)
                              : NULL;
            if (idx) {
                out = xrealloc(out, (*n + 1) * sizeof *out);
                out[(*n)++] = (size_t)json_integer_value(idx);
            }
        }
    }
    return out;
}

struct outside {
    char *who;    /* as reported: an ARN, a service, an identity provider, or "*" */
    char *caller; /* as evaluated */
    const char *action;
};

/* Principals a role's trust policy names outside the account's own users and roles. */
static size_t outsiders(const struct iam_account *a, const struct acct_principal *role, struct outside **out)
{
    size_t n = 0;
    *out = NULL;
    if (!role->trust)
        return 0;
    for (size_t s = 0; s < role->trust->nstmts; s++) {
        const struct stmt *st = &role->trust->stmts[s];
        if (!st->allow || st->not_principal)
            continue;
        for (size_t k = 0; k < st->nprincipals; k++) {
            const struct principal *pr = &st->principals[k];
            struct outside o = {0};
            if (pr->type == PR_ANY) {
                o.who = xstrdup("*");
                o.caller = xasprintf("arn:%s:iam::000000000000:root", a->partition);
                o.action = "sts:AssumeRole";
            } else if (pr->type == PR_AWS) {
                if (names_account(a, pr->value) || json_object_get(a->principal_index, pr->value))
                    continue; /* this account's own principals are asked one by one */
                if (strspn(pr->value, "0123456789") == 12 && strlen(pr->value) == 12)
                    o.caller = xasprintf("arn:%s:iam::%s:root", a->partition, pr->value);
                else
                    o.caller = xstrdup(pr->value);
                o.who = xstrdup(o.caller);
                o.action = "sts:AssumeRole";
            } else if (pr->type == PR_SERVICE) {
                o.who = xstrdup(pr->value);
                o.caller = xstrdup(pr->value);
                o.action = "sts:AssumeRole";
            } else if (pr->type == PR_FEDERATED) {
                o.who = xstrdup(pr->value);
                o.caller = xstrdup(pr->value);
                o.action = strstr(pr->value, ":saml-provider/") ? "sts:AssumeRoleWithSAML"
                                                                : "sts:AssumeRoleWithWebIdentity";
            } else {
                continue;
            }
            int dup = 0;
            for (size_t i = 0; i < n; i++)
                dup |= strcmp((*out)[i].who, o.who) == 0 && strcmp((*out)[i].action, o.action) == 0;
            if (dup) {
                free(o.who);
                free(o.caller);
                continue;
            }
            *out = xrealloc(*out, (n + 1) * sizeof **out);
            (*out)[n++] = o;
        }
    }
    return n;
}

static int stmt_has_action(const struct stmt *st, const char *lower)
{
    int m = 0;
    for (size_t k = 0; k < st->nactions && !m; k++)
        m = iam_glob(st->actions[k], lower, 1);
    return st->not_action ? !m : m;
}

/* Could p's identity policies allow the action (lower-cased) at all? */
static int identity_may(const struct acct_principal *p, const char *lower)
{
    for (size_t i = 0; i < p->npolicies; i++)
        for (size_t s = 0; s < p->policies[i]->nstmts; s++)
            if (p->policies[i]->stmts[s].allow && stmt_has_action(&p->policies[i]->stmts[s], lower))
                return 1;
    return 0;
}

/* Could the resource's own policy (bucket or key policy, a role's trust policy) allow it? */
static int resource_policy_may(const struct iam_account *a, const char *lower, const char *resource)
{
    const struct acct_resource *r = acct_resource_find(a, resource);
    const struct iam_policy *pol = r ? r->policy : NULL;
    if (strncmp(lower, "sts:assumerole", 14) == 0) {
        const struct acct_principal *role = acct_principal_find(a, resource);
        if (role && role->kind == ACCT_ROLE)
            pol = role->trust;
    }
    for (size_t s = 0; pol && s < pol->nstmts; s++)
        if (pol->stmts[s].allow && stmt_has_action(&pol->stmts[s], lower))
            return 1;
    return 0;
}

/* Can principal i become role t (sts:AssumeRole)? The answer does not depend on the
 * question, so without a user-given context it is kept (a byte per principal for each role
 * asked about, and the conditions of conditional answers) for the next question. */
static int assume(const struct iam_account *ca, size_t i, size_t t, const json_t *context,
                  struct iam_result *res, char *err, size_t errlen)
{
    struct iam_account *a = (struct iam_account *)ca; /* the cache only */
    if (!context) {
        if (!a->assume_rank) {
            a->assume_rank = xcalloc(a->nprincipals + 1, sizeof *a->assume_rank);
            a->assume_conds = xcalloc(a->nprincipals + 1, sizeof *a->assume_conds);
        }
        if (!a->assume_rank[t]) {
            a->assume_rank[t] = xmalloc(a->nprincipals + 1);
            memset(a->assume_rank[t], -1, a->nprincipals + 1);
        }
        signed char r = a->assume_rank[t][i];
        if (r >= 0) {
            memset(res, 0, sizeof *res);
            res->decision = r == 2 ? IAM_ALLOW : r == 1 ? IAM_CONDITIONAL : IAM_IMPLICIT_DENY;
            if (r == 1) {
                char key[32];
                snprintf(key, sizeof key, "%zu", i);
                res->conditions = json_incref(json_object_get(a->assume_conds[t], key));
            }
            return 0;
        }
    }
    if (acct_ask(a, &a->principals[i], a->principals[i].caller, "sts:AssumeRole", a->principals[t].arn,
                 context, res, err, errlen))
        return -1;
    if (!context) {
        int r = rank(res->decision);
        a->assume_rank[t][i] = (signed char)r;
        if (r == 1 && res->conditions) {
            if (!a->assume_conds[t])
                a->assume_conds[t] = json_object();
            char key[32];
            snprintf(key, sizeof key, "%zu", i);
            json_object_set(a->assume_conds[t], key, res->conditions);
        }
    }
    return 0;
}

/* Who could assume what, indexed once per account: everyone whose policies allow assuming
 * any role; an exact role ARN -> who names it; the rest (wildcard patterns) matched role by
 * role. */
struct assume_index {
    struct assume_hint *hints;
    size_t *anyone, nany, *wild, nwild;
    json_t *exact;
};

static const struct assume_index *assume_index(const struct iam_account *ca)
{
    struct iam_account *a = (struct iam_account *)ca; /* the cache only */
    if (a->aidx)
        return a->aidx;
    size_t np = a->nprincipals;
    struct assume_index *x = xcalloc(1, sizeof *x);
    x->hints = xcalloc(np + 1, sizeof *x->hints);
    x->anyone = xcalloc(np + 1, sizeof *x->anyone);
    x->wild = xcalloc(np + 1, sizeof *x->wild);
    x->exact = json_object();
    for (size_t i = 0; i < np; i++) {
        assume_hint(&a->principals[i], &x->hints[i]);
        if (x->hints[i].any) {
            x->anyone[x->nany++] = i;
            continue;
        }
        int w = 0;
        for (size_t k = 0; k < x->hints[i].npat; k++) {
            const char *pat = x->hints[i].pat[k];
            if (strpbrk(pat, "*?")) {
                w = 1;
                continue;
            }
            json_t *list = json_object_get(x->exact, pat);
            if (!list)
                json_object_set_new(x->exact, pat, list = json_array());
            if (!json_array_size(list) ||
                (size_t)json_integer_value(json_array_get(list, json_array_size(list) - 1)) != i)
                json_array_append_new(list, json_integer((json_int_t)i));
        }
        if (w)
            x->wild[x->nwild++] = i;
    }
    a->aidx = x;
    return x;
}

void acct_query_free(struct iam_account *a)
{
    if (a->aidx) {
        for (size_t i = 0; i < a->nprincipals; i++)
            free(a->aidx->hints[i].pat);
        free(a->aidx->hints);
        free(a->aidx->anyone);
        free(a->aidx->wild);
        json_decref(a->aidx->exact);
        free(a->aidx);
    }
    for (size_t t = 0; a->assume_rank && t < a->nprincipals; t++) {
        free(a->assume_rank[t]);
        json_decref(a->assume_conds[t]);
    }
    free(a->assume_rank);
    free(a->assume_conds);
}

static json_t *entry(const char *arn, const struct reach *x)
{
    const char *d = x->rank == 2 ? "allow" : x->rank == 1 ? "conditional" : "deny";
    return json_pack("{s:s, s:s, s:o, s:o, s:s}", "arn", arn, "decision", d, "conditions",
                     x->conditions ? json_incref(x->conditions) : json_array(), "via",
                     x->via ? json_incref(x->via) : json_array(), "reason", x->reason);
}

json_t *iam_account_who_can(const struct iam_account *a, const char *action, const char *resource, int all,
                            const json_t *context, char *err, size_t errlen)
{
    size_t np = a->nprincipals;
    struct reach *best = xcalloc(np + 1, sizeof *best);
    int failed = 0;
    /* 1. every user and role, directly. A principal with no identity statement for the
     * action, when the resource's policy has none either, is denied without asking. */
    char *lower = xstrdup(action);
    for (char *x = lower; *x; x++)
        *x = (char)tolower((unsigned char)*x);
    int everyone = strcmp(lower, "sts:getcalleridentity") == 0 || resource_policy_may(a, lower, resource);
    struct question direct;
    question_init(&direct, a, action, resource, context);
    for (size_t i = 0; i < np && !failed; i++) {
        if (!everyone && !identity_may(&a->principals[i], lower)) {
            reach_set(&best[i], 0, json_array(), json_array(), "no identity or resource policy allows it");
            continue;
        }
        struct iam_result res;
        if (ask_q(a, &direct, &a->principals[i], a->principals[i].caller, &res, err, errlen)) {
            failed = 1;
            break;
        }
        reach_set(&best[i], rank(res.decision), res.conditions ? json_incref(res.conditions) : json_array(),
                  json_array(), res.reason);
        json_decref(res.matched);
        json_decref(res.conditions);
    }
    /* 2. through trust policies: who can become a role that can (breadth first, so the
     * shortest path is kept; a principal is revisited only when its rank improves) */
    json_t *outside = json_object(); /* who -> entry */
    size_t *queue = xcalloc(2 * np + 1, sizeof *queue), head = 0, tail = 0;
    for (size_t i = 0; i < np && !failed; i++)
        if (a->principals[i].kind == ACCT_ROLE && best[i].rank > 0)
            queue[tail++] = i;
    const struct assume_index *ix = assume_index(a);
    while (head < tail && !failed) {
        size_t t = queue[head++];
        const struct acct_principal *role = &a->principals[t];
        json_t *via = json_array();
        json_array_append_new(via, json_string(role->arn));
        json_array_extend(via, best[t].via);
        /* who is asked: the principals the trust policy names (or everyone, for "*"), and
         * when it names the account, those whose own policies could allow it; and only
         * when this role could improve their answer */
        size_t ncand = 0;
        size_t *cand = trust_candidates(a, role, &ncand);
        if (trust_grants_account(a, role)) {
            json_t *list = json_object_get(ix->exact, role->arn);
            size_t extra = ix->nany + ix->nwild + json_array_size(list);
            cand = xrealloc(cand, (ncand + extra + 1) * sizeof *cand);
            for (size_t k = 0; k < ix->nany; k++)
                cand[ncand++] = ix->anyone[k];
            size_t k;
            json_t *x;
            json_array_foreach(list, k, x) cand[ncand++] = (size_t)json_integer_value(x);
            for (k = 0; k < ix->nwild; k++)
                if (may_assume(&ix->hints[ix->wild[k]], role->arn))
                    cand[ncand++] = ix->wild[k];
        }
        for (size_t c = 0; c < ncand && !failed; c++) {
            size_t i = cand[c];
            if (i == t || best[i].rank >= best[t].rank)
                continue;
            struct iam_result res;
            if (assume(a, i, t, context, &res, err, errlen)) {
                failed = 1;
                break;
            }
            int r = rank(res.decision) < best[t].rank ? rank(res.decision) : best[t].rank;
            if (r > best[i].rank) {
                json_t *conds = merge(best[t].conditions, res.conditions);
                char reason[600];
                snprintf(reason, sizeof reason, "can become %s, which %s", role->arn,
                         best[t].rank == 2 ? "is allowed" : "is allowed under conditions");
                reach_set(&best[i], r, conds, json_incref(via), reason);
                if (a->principals[i].kind == ACCT_ROLE && tail < 2 * np)
                    queue[tail++] = i;
            }
            json_decref(res.matched);
            json_decref(res.conditions);
        }
        free(cand);
        struct outside *o;
        size_t no = outsiders(a, role, &o);
        for (size_t k = 0; k < no; k++) {
            struct iam_result res;
            if (!failed &&
                acct_ask(a, NULL, o[k].caller, o[k].action, role->arn, context, &res, err, errlen) == 0) {
                int r = rank(res.decision) < best[t].rank ? rank(res.decision) : best[t].rank;
                json_t *prev = json_object_get(outside, o[k].who);
                const char *pd = prev ? json_string_value(json_object_get(prev, "decision")) : NULL;
                int prank = !pd ? -1 : strcmp(pd, "allow") == 0 ? 2 : strcmp(pd, "conditional") == 0 ? 1 : 0;
                if (r > prank && (r > 0 || all)) {
                    struct reach x = {0};
                    char reason[600];
                    snprintf(reason, sizeof reason, "%s by the trust policy of %s%s",
                             r ? "can become the role" : "cannot become the role", role->arn,
                             strncmp(o[k].caller, "arn:", 4) == 0 ? " (its own account must allow it too)"
                                                                  : "");
                    reach_set(&x, r, merge(best[t].conditions, res.conditions), json_incref(via), reason);
                    json_object_set_new(outside, o[k].who, entry(o[k].who, &x));
                    json_decref(x.conditions);
                    json_decref(x.via);
                }
                json_decref(res.matched);
                json_decref(res.conditions);
            } else {
                failed = 1;
            }
            free(o[k].who);
            free(o[k].caller);
        }
        free(o);
        json_decref(via);
    }
    free(lower);
    question_free(&direct);
    json_t *list = NULL;
    if (!failed) {
        list = json_array();
        for (size_t i = 0; i < np; i++)
            if (best[i].rank > 0 || all)
                json_array_append_new(list, entry(a->principals[i].arn, &best[i]));
        const char *k;
        json_t *v;
        json_object_foreach(outside, k, v) json_array_append(list, v);
    }
    for (size_t i = 0; i < np; i++) {
        json_decref(best[i].conditions);
        json_decref(best[i].via);
    }
    free(best);
    free(queue);
    json_decref(outside);
    if (!list)
        return NULL;
    return json_pack("{s:s, s:s, s:o}", "action", action, "resource", resource, "principals", list);
}
