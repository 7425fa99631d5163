/*
 * scope.c — the network-separation (망분리) scope: for every principal, whether it can
 * download, destroy or set access rights on resources that hold personal data, and whether
 * every way it can is confined to the separated network by a condition (aws:SourceIp in,
 * aws:SourceVpc / aws:SourceVpce =, aws:ViaAWSService = true) in an Allow or a Deny of any
 * policy type. Personal-data resources are those carrying the tag, plus those named. The
 * actions come from the action catalogue (actions.c) and its download/destroy/grant
 * classes; IAM's own grant actions count for every account that holds personal data.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/util.h"
#include "account_internal.h"

#define MAX_LISTED 25 /* actions / resources listed per class and principal */

static const unsigned class_bits[3] = {IAM_CLASS_DOWNLOAD, IAM_CLASS_DESTROY, IAM_CLASS_GRANT};

struct ability {
    int rank;     /* 2 allow, 1 conditional, 0 none */
    int confined; /* every way found needs a separated-network condition */
    json_t *actions, *resources, *conditions, *via;
    json_t *seen; /* "<list>:<text>" -> true: what the lists hold, found by hash */
};

struct pscope {
    struct ability c[3];
};

/* Is this condition text one that confines a request to the separated network? A
 * disjunction ("A or B", what a Deny with several conditions leaves open) confines only
 * when every alternative does. */
static int network_form(const char *c);

static int network_condition(const char *c)
{
    const char * or = strstr(c, " or ");
    if (! or)
        return network_form(c);
    char *first = xstrndup(c, (size_t)(or -c));
    int r = network_form(first) && network_condition(or +4);
    free(first);
    return r;
}

static int network_form(const char *c)
{
    if (*c == '(')
        c++;
    static const char *const forms[] = {"aws:sourceip in ",        "aws:sourcevpc = ",
                                        "aws:sourcevpce = ",       "aws:sourcevpc like ",
                                        "aws:sourcevpce like ",    "aws:sourcevpc = (any case)",
                                        "aws:viaawsservice = true"};
    for (size_t i = 0; i < sizeof forms / sizeof *forms; i++)
        if (strncasecmp(c, forms[i], strlen(forms[i])) == 0)
            return 1;
    /* what a Deny with the ...IfExists operators leaves open (AWS's data-perimeter idiom):
     * the key present and in the network (an absent key would be denied) */
    static const char *const negated[] = {
        "not (notipaddressifexists aws:sourceip ",      "not (stringnotequalsifexists aws:sourcevpc ",
        "not (stringnotequalsifexists aws:sourcevpce ", "not (stringnotlikeifexists aws:sourcevpc ",
        "not (stringnotlikeifexists aws:sourcevpce ",   "not (boolifexists aws:viaawsservice false)"};
    for (size_t i = 0; i < sizeof negated / sizeof *negated; i++)
        if (strncasecmp(c, negated[i], strlen(negated[i])) == 0)
            return 1;
    return 0;
}

static int confines(const json_t *conditions)
{
    size_t i;
    json_t *x;
    json_array_foreach((json_t *)conditions, i, x) if (network_condition(json_string_value(x))) return 1;
    return 0;
}

static void add_unique(json_t *list, const char *s, size_t cap)
{
    if (json_array_size(list) >= cap)
        return;
    size_t i;
    json_t *x;
    json_array_foreach(list, i, x) if (strcmp(json_string_value(x), s) == 0) return;
    json_array_append_new(list, json_string(s));
}

/* add_unique for an ability's lists, which see the same texts thousands of times */
static void add_seen(struct ability *ab, json_t *list, char tag, const char *s)
{
    if (json_array_size(list) >= MAX_LISTED)
        return;
    char small[256];
    size_t n = strlen(s);
    char *key = n + 3 <= sizeof small ? small : xmalloc(n + 3);
    key[0] = tag;
    key[1] = ':';
    memcpy(key + 2, s, n + 1);
    if (!json_object_get(ab->seen, key)) {
        json_object_set_new(ab->seen, key, json_true());
        json_array_append_new(list, json_string(s));
    }
    if (key != small)
        free(key);
}

/* The resource type token of an ARN ("db", "table", "key", "bucket"/"object" for S3). */
static char *arn_type(const char *arn)
{
    const char *q = arn;
    for (int i = 0; i < 5 && q; i++)
        q = strchr(q, ':') ? strchr(q, ':') + 1 : NULL;
    if (!q)
        return xstrdup("");
    if (strstr(arn, ":s3:::") && strncmp(arn, "arn:", 4) == 0)
        return xstrdup(strchr(q, '/') ? "object" : "bucket");
    size_t n = strcspn(q, ":/");
    return xstrndup(q, n);
}

static char *arn_service(const char *arn)
{
    const char *q = strncmp(arn, "arn:", 4) == 0 ? strchr(arn + 4, ':') : NULL;
    if (!q)
        return xstrdup("");
    q++;
    return xstrndup(q, strcspn(q, ":"));
}

static int has_type(const char *types, const char *t)
{
    size_t n = strlen(t);
    for (const char *p = types; p && *p;) {
        size_t l = strcspn(p, ",");
        if (l == n && strncmp(p, t, n) == 0)
            return 1;
        p += l;
        if (*p == ',')
            p++;
    }
    return 0;
}

/* The probes for one target: the resource itself and, for an S3 bucket, an object in it and
 * one in every prefix a policy of the account names (so a grant on an "exports/" prefix is seen). */
static json_t *probes(const struct iam_account *a, const char *arn)
{
    json_t *out = json_array();
    json_array_append_new(out, json_string(arn));
    if (!(strstr(arn, ":s3:::") && !strchr(strstr(arn, ":s3:::") + 6, '/')))
        return out;
    char *obj = xasprintf("%s/ansim-any-object", arn);
    json_array_append_new(out, json_string(obj));
    free(obj);
    size_t blen = strlen(arn);
    for (size_t i = 0; i < a->nowned; i++)
        for (size_t s = 0; s < a->owned[i]->nstmts; s++) {
            const struct stmt *st = &a->owned[i]->stmts[s];
            for (size_t r = 0; r < st->nresources; r++) {
                const char *pat = st->resources[r];
                if (strncmp(pat, arn, blen) != 0 || pat[blen] != '/' || !pat[blen + 1])
                    continue;
                char *p = xstrdup(pat);
                for (char *c = p; *c; c++)
                    if (*c == '*' || *c == '?')
                        *c = 'x';
                add_unique(out, p, 64);
                free(p);
            }
        }
    return out;
}

struct job {
    const char *arn, *type, *service;
};

static void record(struct pscope *ps, int cls, const json_t *e, const char *action, const char *resource)
{
    struct ability *ab = &ps->c[cls];
    const char *d = json_string_value(json_object_get(e, "decision"));
    int r = strcmp(d, "allow") == 0 ? 2 : strcmp(d, "conditional") == 0 ? 1 : 0;
    if (!r)
        return;
    json_t *conds = json_object_get(e, "conditions");
    int conf = r == 1 && confines(conds);
    if (!ab->actions) {
        ab->actions = json_array();
        ab->resources = json_array();
        ab->conditions = json_array();
        ab->via = json_array();
        ab->seen = json_object();
        ab->confined = 1;
    }
    if (r > ab->rank)
        ab->rank = r;
    ab->confined &= conf;
    add_seen(ab, ab->actions, 'a', action);
    add_seen(ab, ab->resources, 'r', resource);
    size_t i;
    json_t *x;
    json_array_foreach(conds, i, x) add_seen(ab, ab->conditions, 'c', json_string_value(x));
    json_array_foreach(json_object_get(e, "via"), i, x) add_seen(ab, ab->via, 'v', json_string_value(x));
}

struct sctx {
    const struct iam_account *a;
    json_t *who; /* arn -> index into scopes */
    struct pscope *scopes;
    size_t nscopes;
    char **arns;
    int failed;
    char *err;
    size_t errlen;
    /* actions that every Action/NotAction pattern of the account treats alike get the same
     * answer: one who-can per (resource, signature) */
    const char **patterns;
    size_t npatterns;
    json_t *answers; /* "resource|signature" -> who-can result */
};

/* Every distinct action pattern of the account's policies (borrowed). */
static void collect_patterns(struct sctx *c)
{
    json_t *seen = json_object();
    for (size_t i = 0; i < c->a->nowned; i++)
        for (size_t s = 0; s < c->a->owned[i]->nstmts; s++) {
            const struct stmt *st = &c->a->owned[i]->stmts[s];
            for (size_t k = 0; k < st->nactions; k++)
                if (!json_object_get(seen, st->actions[k])) {
                    json_object_set_new(seen, st->actions[k], json_true());
                    c->patterns = xrealloc(c->patterns, (c->npatterns + 1) * sizeof *c->patterns);
                    c->patterns[c->npatterns++] = st->actions[k];
                }
        }
    json_decref(seen);
}

/* resource|service|which patterns match: equal keys, equal answers. The engine treats some
 * IAM, KMS and STS actions specially by name, so those are never shared. */
static char *answer_key(const struct sctx *c, const char *action, const char *resource)
{
    struct strbuf sb;
    sb_init(&sb);
    sb_puts(&sb, resource);
    sb_putc(&sb, '|');
    char *lower = xstrdup(action);
    for (char *x = lower; *x; x++)
        *x = (char)tolower((unsigned char)*x);
    if (strncmp(lower, "iam:", 4) == 0 || strncmp(lower, "kms:", 4) == 0 || strncmp(lower, "sts:", 4) == 0) {
        sb_puts(&sb, lower);
    } else {
        sb_add(&sb, lower, strcspn(lower, ":"));
        sb_putc(&sb, ':');
        for (size_t i = 0; i < c->npatterns; i++)
            sb_putc(&sb, iam_glob(c->patterns[i], lower, 1) ? '1' : '0');
    }
    free(lower);
    return sb_detach(&sb);
}

static struct pscope *scope_of(struct sctx *c, const char *arn)
{
    json_t *i = json_object_get(c->who, arn);
    if (i)
        return &c->scopes[json_integer_value(i)];
    c->scopes = xrealloc(c->scopes, (c->nscopes + 1) * sizeof *c->scopes);
    c->arns = xrealloc(c->arns, (c->nscopes + 1) * sizeof *c->arns);
    memset(&c->scopes[c->nscopes], 0, sizeof *c->scopes);
    c->arns[c->nscopes] = xstrdup(arn);
    json_object_set_new(c->who, arn, json_integer((json_int_t)c->nscopes));
    return &c->scopes[c->nscopes++];
}

static void ask_action(struct sctx *c, const struct iam_action_info *act, const char *resource)
{
    if (c->failed)
        return;
    char *key = answer_key(c, act->name, resource);
    json_t *w = json_incref(json_object_get(c->answers, key));
    if (!w) {
        w = iam_account_who_can(c->a, act->name, resource, 0, NULL, c->err, c->errlen);
        if (!w) {
            free(key);
            c->failed = 1;
            return;
        }
        json_object_set(c->answers, key, w);
    }
    free(key);
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(w, "principals"), i, e)
    {
        struct pscope *ps = scope_of(c, json_string_value(json_object_get(e, "arn")));
        for (int k = 0; k < 3; k++)
            if (act->classes & class_bits[k])
                record(ps, k, e, act->name, resource);
    }
    json_decref(w);
}

static json_t *ability_json(const struct ability *ab)
{
    const char *d = ab->rank == 2 ? "allow" : ab->rank == 1 ? "conditional" : "none";
    return json_pack("{s:s, s:b, s:O*, s:O*, s:O*, s:O*}", "decision", d, "confined",
                     ab->rank && ab->confined, "actions", ab->actions, "resources", ab->resources,
                     "conditions", ab->conditions, "via", ab->via);
}

json_t *iam_account_scope(const struct iam_account *a, const char *tag_key, const char *tag_value,
                          const char *const *named, size_t nnamed, char *err, size_t errlen)
{
    return iam_account_scope_progress(a, tag_key, tag_value, named, nnamed, NULL, NULL, err, errlen);
}

json_t *iam_account_scope_progress(const struct iam_account *a, const char *tag_key, const char *tag_value,
                                   const char *const *named, size_t nnamed, iam_progress_fn progress,
                                   void *progress_arg, char *err, size_t errlen)
{
    struct sctx c = {a, json_object(), NULL, 0, NULL, 0, err, errlen, NULL, 0, json_object()};
    collect_patterns(&c);
    json_t *targets = json_array();
    for (size_t i = 0; i < a->nresources; i++) {
        const char *v = json_string_value(json_object_get(a->resources[i].tags, tag_key));
        if (v && strcasecmp(v, tag_value) == 0) {
            char *why = xasprintf("tag %s=%s", tag_key, v);
            json_array_append_new(targets, json_pack("{s:s, s:s}", "arn", a->resources[i].arn, "why", why));
            free(why);
        }
    }
    for (size_t i = 0; i < nnamed; i++) {
        int dup = 0;
        size_t k;
        json_t *t;
        json_array_foreach(targets, k, t) dup |=
            strcmp(json_string_value(json_object_get(t, "arn")), named[i]) == 0;
        if (!dup)
            json_array_append_new(targets,
                                  json_pack("{s:s, s:s}", "arn", named[i], "why", "named by the user"));
    }
    size_t ncat = iam_action_count();
    size_t ti;
    json_t *t;
    size_t steps = json_array_size(targets) + (json_array_size(targets) ? 2 : 0);
    json_array_foreach(targets, ti, t)
    {
        if (progress)
            progress(ti, steps, json_string_value(json_object_get(t, "arn")), progress_arg);
        json_t *pr = probes(a, json_string_value(json_object_get(t, "arn")));
        size_t pi;
        json_t *p;
        json_array_foreach(pr, pi, p)
        {
            const char *arn = json_string_value(p);
            char *type = arn_type(arn), *svc = arn_service(arn);
            size_t slen = strlen(svc);
            /* the service's own actions, and those of services that act on its resources
             * by the same ARN (the RDS Data API on an Aurora cluster) */
            const char *also = strcmp(svc, "rds") == 0 ? "rds-data" : NULL;
            size_t alen = also ? strlen(also) : 0;
            for (size_t k = 0; k < ncat && !c.failed; k++) {
                const struct iam_action_info *act = iam_action_at(k);
                int own = strncasecmp(act->name, svc, slen) == 0 && act->name[slen] == ':';
                int related = also && strncasecmp(act->name, also, alen) == 0 && act->name[alen] == ':';
                if (!act->classes || !(own || related) || !has_type(act->resource_types, type))
                    continue;
                ask_action(&c, act, arn);
            }
            free(type);
            free(svc);
        }
        json_decref(pr);
    }
    /* IAM's grant actions reach every personal-data resource of the account */
    if (progress && json_array_size(targets))
        progress(steps - 2, steps, "IAM grant actions", progress_arg);
    if (json_array_size(targets)) {
        static const char *const kinds[] = {"user", "role", "group", "policy"};
        for (size_t k = 0; k < ncat && !c.failed; k++) {
            const struct iam_action_info *act = iam_action_at(k);
            if (!(act->classes & IAM_CLASS_GRANT) || strncasecmp(act->name, "iam:", 4) != 0)
                continue;
            for (size_t j = 0; j < sizeof kinds / sizeof *kinds; j++)
                if (has_type(act->resource_types, kinds[j])) {
                    char *probe =
                        xasprintf("arn:%s:iam::%s:%s/ansim-any-%s", a->partition, a->id, kinds[j], kinds[j]);
                    struct iam_action_info grant_only = *act;
                    grant_only.classes = IAM_CLASS_GRANT;
                    ask_action(&c, &grant_only, probe);
                    free(probe);
                    break;
                }
        }
    }
    if (progress && json_array_size(targets))
        progress(steps - 1, steps, "IAM grant actions on each principal itself", progress_arg);
    /* ... and on the principal itself: a user that may write its own policies can give
     * itself anything (the shared probes above name nobody in particular) */
    for (size_t i = 0; i < a->nprincipals && json_array_size(targets) && !c.failed; i++) {
        const struct acct_principal *p = &a->principals[i];
        const char *kind = p->kind == ACCT_USER ? "user" : "role";
        for (size_t k = 0; k < ncat && !c.failed; k++) {
            const struct iam_action_info *act = iam_action_at(k);
            if (!(act->classes & IAM_CLASS_GRANT) || strncasecmp(act->name, "iam:", 4) != 0 ||
                !has_type(act->resource_types, kind))
                continue;
            struct iam_result res;
            if (acct_ask(a, p, p->caller, act->name, p->arn, NULL, &res, err, errlen)) {
                c.failed = 1;
                break;
            }
            if (res.decision == IAM_ALLOW || res.decision == IAM_CONDITIONAL) {
                json_t *e =
                    json_pack("{s:s, s:o, s:[]}", "decision", iam_decision_name(res.decision), "conditions",
                              res.conditions ? json_incref(res.conditions) : json_array(), "via");
                record(scope_of(&c, p->arn), 2, e, act->name, p->arn);
                json_decref(e);
            }
            json_decref(res.matched);
            json_decref(res.conditions);
        }
    }
    if (progress)
        progress(steps, steps, NULL, progress_arg);
    json_t *out = NULL;
    if (!c.failed) {
        json_t *list = json_array();
        size_t in_scope = 0, unconfined = 0;
        for (size_t i = 0; i < c.nscopes; i++) {
            struct pscope *ps = &c.scopes[i];
            int any = 0, conf = 1;
            for (int k = 0; k < 3; k++)
                if (ps->c[k].rank) {
                    any = 1;
                    conf &= ps->c[k].confined;
                }
            if (!any)
                continue;
            in_scope++;
            unconfined += !conf;
            json_array_append_new(list, json_pack("{s:s, s:b, s:o, s:o, s:o}", "arn", c.arns[i], "confined",
                                                  conf, "download", ability_json(&ps->c[0]), "destroy",
                                                  ability_json(&ps->c[1]), "grant", ability_json(&ps->c[2])));
        }
        char *tag = xasprintf("%s=%s", tag_key, tag_value);
        out = json_pack("{s:s, s:O, s:o, s:{s:I, s:I, s:I}}", "pii_tag", tag, "resources", targets,
                        "principals", list, "summary", "resources", (json_int_t)json_array_size(targets),
                        "in_scope", (json_int_t)in_scope, "unconfined", (json_int_t)unconfined);
        free(tag);
    }
    for (size_t i = 0; i < c.nscopes; i++) {
        for (int k = 0; k < 3; k++) {
            json_decref(c.scopes[i].c[k].actions);
            json_decref(c.scopes[i].c[k].resources);
            json_decref(c.scopes[i].c[k].conditions);
            json_decref(c.scopes[i].c[k].via);
            json_decref(c.scopes[i].c[k].seen);
        }
        free(c.arns[i]);
    }
    free(c.scopes);
    free(c.arns);
    json_decref(c.who);
    log_debug("scope: %zu distinct questions over %zu principals", json_object_size(c.answers),
              a->nprincipals);
    json_decref(c.answers);
    free(c.patterns);
    json_decref(targets);
    return out;
}
