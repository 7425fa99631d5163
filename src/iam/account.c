/*
 * account.c — one AWS account's IAM as the engine needs it, built from snapshot resources:
 * users (inline, managed and group policies, permissions boundary, tags), roles (the same
 * plus the trust policy), resource policies (S3 bucket and KMS key policies), resource tags,
 * and the SCP/RCP levels of the organization path. Policies are compiled once; every
 * question (can, who-can) reuses them.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "account_internal.h"

struct iam_account *iam_account_new(const char *account_id)
{
    struct iam_account *a = xcalloc(1, sizeof *a);
    a->id = xstrdup(account_id ? account_id : "");
    snprintf(a->partition, sizeof a->partition, "aws");
    a->pending = json_array();
    a->policy_index = json_object();
    a->principal_index = json_object();
    a->resource_index = json_object();
    a->problems = json_array();
    a->group_arns = json_array();
    return a;
}

int iam_account_add(struct iam_account *a, const char *type, const char *arn, const json_t *data)
{
    if (!type || !json_is_object(data))
        return -1;
    json_array_append_new(a->pending, json_pack("{s:s, s:s?, s:O}", "type", type, "arn", arn, "data", data));
    return 0;
}

static size_t own(struct iam_account *a, struct iam_policy *p)
{
    a->owned = xrealloc(a->owned, (a->nowned + 1) * sizeof *a->owned);
    a->owned[a->nowned] = p;
    return a->nowned++;
}

static void problem(struct iam_account *a, const char *fmt, const char *x, const char *y)
{
    char *s = xasprintf(fmt, x ? x : "?", y ? y : "?");
    json_array_append_new(a->problems, json_string(s));
    free(s);
}

/* Compile doc (object, or a JSON text) labelled name; NULL (and a problem) when it is not a
 * policy. */
static struct iam_policy *compile(struct iam_account *a, const json_t *doc, const char *name)
{
    json_t *parsed = NULL;
    if (json_is_string(doc)) { /* a document kept as text (undecodable, or an older snapshot) */
        parsed = json_loads(json_string_value(doc), JSON_DECODE_ANY, NULL);
        doc = parsed;
    }
    char err[256] = "";
    struct iam_policy *p = json_is_object(doc) ? iam_policy_compile(doc, name, err, sizeof err) : NULL;
    if (!p)
        problem(a, "%s cannot be read as a policy: %s", name, *err ? err : "not a JSON object");
    json_decref(parsed);
    if (p)
        own(a, p);
    return p;
}

/* Tags as {key: value}: Tags/TagList/TagSet lists of {Key, Value}, or an object. */
static json_t *tags_of(const json_t *data)
{
    json_t *out = json_object();
    static const char *const names[] = {"Tags", "TagList", "TagSet"};
    for (size_t n = 0; n < sizeof names / sizeof *names; n++) {
        json_t *t = json_object_get(data, names[n]);
        if (json_is_object(t)) {
            json_object_update(out, t);
        } else if (json_is_array(t)) {
            size_t i;
            json_t *e;
            json_array_foreach(t, i, e)
            {
                const char *k = json_string_value(json_object_get(e, "Key"));
                const char *v = json_string_value(json_object_get(e, "Value"));
                if (k)
                    json_object_set_new(out, k, json_string(v ? v : ""));
            }
        }
    }
    return out;
}

static void add_policy_ref(struct acct_principal *p, struct iam_policy *pol)
{
    if (!pol)
        return;
    for (size_t i = 0; i < p->npolicies; i++)
        if (p->policies[i] == pol)
            return;
    p->policies = xrealloc(p->policies, (p->npolicies + 1) * sizeof *p->policies);
    p->policies[p->npolicies++] = pol;
}

static struct iam_policy *managed(struct iam_account *a, const char *arn, const char *who)
{
    json_t *i = arn ? json_object_get(a->policy_index, arn) : NULL;
    if (!i) {
        problem(
            a,
            "the managed policy %s attached to %s is not in the snapshot (its permissions are not counted)",
            arn, who);
        return NULL;
    }
    return a->owned[json_integer_value(i)];
}

/* Inline (list of {PolicyName, PolicyDocument}) and attached managed policies of data. */
static void attach(struct iam_account *a, struct acct_principal *p, const json_t *data,
                   const char *inline_key, const char *owner)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(data, inline_key), i, e)
    {
        char *name = xasprintf("%s inline policy %s", owner,
                               json_string_value(json_object_get(e, "PolicyName"))
                                   ? json_string_value(json_object_get(e, "PolicyName"))
                                   : "?");
        add_policy_ref(p, compile(a, json_object_get(e, "PolicyDocument"), name));
        free(name);
    }
    json_array_foreach(json_object_get(data, "AttachedManagedPolicies"), i, e)
        add_policy_ref(p, managed(a, json_string_value(json_object_get(e, "PolicyArn")), owner));
}

static struct acct_principal *new_principal(struct iam_account *a, const char *arn, int kind,
                                            const json_t *data)
{
    a->principals = xrealloc(a->principals, (a->nprincipals + 1) * sizeof *a->principals);
    struct acct_principal *p = &a->principals[a->nprincipals];
    memset(p, 0, sizeof *p);
    p->arn = xstrdup(arn);
    p->kind = kind;
    p->tags = tags_of(data);
    p->groups = json_array();
    const char *name = strrchr(arn, '/') ? strrchr(arn, '/') + 1 : arn;
    p->name = xstrdup(name);
    const char *uid = json_string_value(json_object_get(data, kind == ACCT_USER ? "UserId" : "RoleId"));
    p->unique_id = xstrdup(uid);
    if (kind == ACCT_ROLE) /* calls are made by the role's sessions */
        p->caller = xasprintf("arn:%s:sts::%s:assumed-role/%s/ansim", a->partition, a->id, name);
    else
        p->caller = xstrdup(arn);
    json_object_set_new(a->principal_index, arn, json_integer((json_int_t)a->nprincipals));
    a->nprincipals++;
    return p;
}

static void boundary(struct iam_account *a, struct acct_principal *p, const json_t *data)
{
    const char *arn = json_string_value(
        json_object_get(json_object_get(data, "PermissionsBoundary"), "PermissionsBoundaryArn"));
    if (!arn)
        return;
    p->boundary = managed(a, arn, p->arn);
}

static struct acct_resource *new_resource(struct iam_account *a, const char *arn, const char *type)
{
    json_t *i = json_object_get(a->resource_index, arn);
    if (i)
        return &a->resources[json_integer_value(i)];
    a->resources = xrealloc(a->resources, (a->nresources + 1) * sizeof *a->resources);
    struct acct_resource *r = &a->resources[a->nresources];
    memset(r, 0, sizeof *r);
    r->arn = xstrdup(arn);
    r->type = xstrdup(type);
    json_object_set_new(a->resource_index, arn, json_integer((json_int_t)a->nresources));
    a->nresources++;
    return r;
}

/* The SCP or RCP levels of an organization path entry list. */
static void org_levels(struct iam_account *a, const json_t *path, const char *key, const char *kind,
                       struct iam_policy ****levels, size_t **counts, size_t *nlevels)
{
    size_t n = json_array_size(path);
    *levels = xcalloc(n ? n : 1, sizeof **levels);
    *counts = xcalloc(n ? n : 1, sizeof **counts);
    *nlevels = n;
    for (size_t l = 0; l < n; l++) {
        json_t *list = json_object_get(json_array_get(path, l), key);
        (*levels)[l] = xcalloc(json_array_size(list) + 1, sizeof ***levels);
        size_t i;
        json_t *e;
        json_array_foreach(list, i, e)
        {
            char *name = xasprintf("%s %s", kind,
                                   json_string_value(json_object_get(e, "Name"))
                                       ? json_string_value(json_object_get(e, "Name"))
                                       : json_string_value(json_object_get(e, "Id")));
            struct iam_policy *p = compile(a, json_object_get(e, "Content"), name);
            free(name);
            if (p)
                (*levels)[l][(*counts)[l]++] = p;
        }
    }
}

static void organization(struct iam_account *a, const json_t *data)
{
    const char *org = json_string_value(json_object_get(json_object_get(data, "Organization"), "Id"));
    free(a->org_id);
    a->org_id = xstrdup(org);
    a->in_org = 1;
    a->management = json_is_true(json_object_get(data, "IsManagementAccount"));
    if (!json_is_true(json_object_get(data, "PoliciesApply")) || a->management)
        return; /* SCPs and RCPs do not restrict the management account */
    json_t *path = json_object_get(data, "Path");
    org_levels(a, path, "ServiceControlPolicies", "SCP", &a->scps, &a->nscps, &a->nscp_levels);
    org_levels(a, path, "ResourceControlPolicies", "RCP", &a->rcps, &a->nrcps, &a->nrcp_levels);
}

static const char *item_type(json_t *e) { return json_string_value(json_object_get(e, "type")); }

int iam_account_finish(struct iam_account *a)
{
    size_t i;
    json_t *e;
    /* the account's partition, from any ARN */
    json_array_foreach(a->pending, i, e)
    {
        const char *arn = json_string_value(json_object_get(e, "arn"));
        if (arn && strncmp(arn, "arn:", 4) == 0 && strchr(arn + 4, ':')) {
            size_t n = (size_t)(strchr(arn + 4, ':') - (arn + 4));
            if (n && n < sizeof a->partition) {
                memcpy(a->partition, arn + 4, n);
                a->partition[n] = '\0';
                break;
            }
        }
    }
    /* 1. managed policies (customer: the default version; AWS: the document kept) */
    json_array_foreach(a->pending, i, e)
    {
        const char *type = item_type(e), *arn = json_string_value(json_object_get(e, "arn"));
        json_t *d = json_object_get(e, "data");
        json_t *doc = NULL;
        if (strcmp(type, "aws_iam_aws_managed_policy") == 0) {
            doc = json_object_get(d, "Document");
        } else if (strcmp(type, "aws_iam_policy") == 0) {
            size_t k;
            json_t *v;
            json_array_foreach(json_object_get(d, "PolicyVersionList"), k,
                               v) if (json_is_true(json_object_get(v, "IsDefaultVersion"))) doc =
                json_object_get(v, "Document");
        } else {
            continue;
        }
        if (!arn)
            arn = json_string_value(json_object_get(d, "Arn"));
        if (!arn)
            continue;
        struct iam_policy *p = compile(a, doc, arn);
        if (p)
            json_object_set_new(a->policy_index, arn, json_integer((json_int_t)(a->nowned - 1)));
    }
    /* 2. groups: their policies, by name */
    json_t *groups = json_object();
    json_array_foreach(a->pending, i, e)
    {
        if (strcmp(item_type(e), "aws_iam_group") != 0)
            continue;
        json_t *d = json_object_get(e, "data");
        const char *name = json_string_value(json_object_get(d, "GroupName"));
        if (!name)
            continue;
        struct acct_principal g;
        memset(&g, 0, sizeof g);
        char *owner = xasprintf("group %s", name);
        attach(a, &g, d, "GroupPolicyList", owner);
        free(owner);
        json_t *list = json_array();
        for (size_t k = 0; k < g.npolicies; k++)
            for (size_t o = 0; o < a->nowned; o++)
                if (a->owned[o] == g.policies[k])
                    json_array_append_new(list, json_integer((json_int_t)o));
        free(g.policies);
        json_object_set_new(groups, name, list);
        const char *garn = json_string_value(json_object_get(d, "Arn"));
        if (garn)
            json_array_append_new(a->group_arns, json_string(garn));
    }
    /* 3. users and roles; the organization; resources with policies or tags */
    json_array_foreach(a->pending, i, e)
    {
        const char *type = item_type(e), *arn = json_string_value(json_object_get(e, "arn"));
        json_t *d = json_object_get(e, "data");
        if (!arn)
            arn = json_string_value(json_object_get(d, "Arn"));
        if (strcmp(type, "aws_iam_user") == 0 && arn) {
            struct acct_principal *p = new_principal(a, arn, ACCT_USER, d);
            attach(a, p, d, "UserPolicyList", arn);
            size_t k;
            json_t *g;
            json_array_foreach(json_object_get(d, "GroupList"), k, g)
            {
                json_t *list = json_string_value(g) ? json_object_get(groups, json_string_value(g)) : NULL;
                if (!list) {
                    problem(a, "the group %s of %s is not in the snapshot", json_string_value(g), arn);
                    continue;
                }
                size_t m;
                json_t *x;
                json_array_foreach(list, m, x) add_policy_ref(p, a->owned[json_integer_value(x)]);
                char *garn = xasprintf("arn:%s:iam::%s:group/%s", a->partition, a->id, json_string_value(g));
                json_array_append_new(p->groups, json_string(garn));
                free(garn);
            }
            boundary(a, p, d);
        } else if (strcmp(type, "aws_iam_role") == 0 && arn) {
            struct acct_principal *p = new_principal(a, arn, ACCT_ROLE, d);
            attach(a, p, d, "RolePolicyList", arn);
            boundary(a, p, d);
            char *name = xasprintf("trust policy of %s", arn);
            json_t *t = json_object_get(d, "AssumeRolePolicyDocument");
            p->trust = t && !json_is_null(t) ? compile(a, t, name) : NULL;
            free(name);
        } else if (strcmp(type, "aws_organizations_policy_path") == 0) {
            organization(a, d);
        } else if (arn && strncmp(type, "aws_iam_", 8) != 0) {
            json_t *tags = tags_of(d);
            json_t *pol = json_object_get(d, "Policy");
            int has_policy = (strcmp(type, "aws_s3_bucket") == 0 || strcmp(type, "aws_kms_key") == 0);
            if (json_object_size(tags) || has_policy) {
                struct acct_resource *r = new_resource(a, arn, type);
                json_decref(r->tags);
                r->tags = tags;
                tags = NULL;
                if (has_policy && pol && !json_is_null(pol)) {
                    char *name = xasprintf("resource policy of %s", arn);
                    r->policy = compile(a, pol, name);
                    free(name);
                }
                r->policy_known = 1;
            }
            json_decref(tags);
        }
    }
    /* each principal's own request context, the same for every question */
    for (size_t k = 0; k < a->nprincipals; k++) {
        struct acct_principal *p = &a->principals[k];
        p->context = json_object();
        const char *tk;
        json_t *tv;
        json_object_foreach(p->tags, tk, tv)
        {
            char *key = xasprintf("aws:PrincipalTag/%s", tk);
            json_object_set(p->context, key, tv);
            free(key);
        }
        json_object_set_new(p->context, "aws:PrincipalType",
                            json_string(p->kind == ACCT_USER ? "User" : "AssumedRole"));
        json_object_set_new(p->context, "aws:PrincipalIsAWSService", json_string("false"));
        if (p->unique_id)
            json_object_set_new(p->context, "aws:userid",
                                p->kind == ACCT_USER ? json_string(p->unique_id)
                                                     : json_sprintf("%s:ansim", p->unique_id));
        if (a->org_id)
            json_object_set_new(p->context, "aws:PrincipalOrgID", json_string(a->org_id));
    }
    json_decref(groups);
    json_decref(a->pending);
    a->pending = NULL;
    return 0;
}

void iam_account_free(struct iam_account *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->nprincipals; i++) {
        struct acct_principal *p = &a->principals[i];
        free(p->arn);
        free(p->name);
        free(p->caller);
        free(p->unique_id);
        free(p->policies);
        json_decref(p->tags);
        json_decref(p->groups);
        json_decref(p->context);
    }
    free(a->principals);
    for (size_t i = 0; i < a->nresources; i++) {
        free(a->resources[i].arn);
        free(a->resources[i].type);
        json_decref(a->resources[i].tags);
    }
    free(a->resources);
    for (size_t i = 0; i < a->nowned; i++)
        iam_policy_free(a->owned[i]);
    free(a->owned);
    for (size_t l = 0; l < a->nscp_levels; l++)
        free(a->scps[l]);
    free(a->scps);
    free(a->nscps);
    for (size_t l = 0; l < a->nrcp_levels; l++)
        free(a->rcps[l]);
    free(a->rcps);
    free(a->nrcps);
    json_decref(a->pending);
    json_decref(a->policy_index);
    json_decref(a->principal_index);
    json_decref(a->resource_index);
    json_decref(a->problems);
    json_decref(a->group_arns);
    acct_query_free(a);
    free(a->org_id);
    free(a->id);
    free(a);
}

const char *iam_account_id(const struct iam_account *a) { return a->id; }

const json_t *iam_account_problems(const struct iam_account *a) { return a->problems; }

size_t iam_account_principal_count(const struct iam_account *a) { return a->nprincipals; }

const struct acct_principal *acct_principal_find(const struct iam_account *a, const char *arn)
{
    json_t *i = arn ? json_object_get(a->principal_index, arn) : NULL;
    if (i)
        return &a->principals[json_integer_value(i)];
    /* a role session ARN: its role (the session ARN has no path) */
    if (arn && strstr(arn, ":assumed-role/")) {
        const char *r = strstr(arn, ":assumed-role/") + 14, *slash = strchr(r, '/');
        size_t n = slash ? (size_t)(slash - r) : strlen(r);
        for (size_t k = 0; k < a->nprincipals; k++) {
            const struct acct_principal *p = &a->principals[k];
            if (p->kind == ACCT_ROLE && strlen(p->name) == n && strncmp(p->name, r, n) == 0)
                return p;
        }
    }
    return NULL;
}

/* The resource that carries the policy and tags for arn: itself, or for an S3 object its
 * bucket. */
const struct acct_resource *acct_resource_find(const struct iam_account *a, const char *arn)
{
    json_t *i = json_object_get(a->resource_index, arn);
    if (i)
        return &a->resources[json_integer_value(i)];
    if (strncmp(arn, "arn:", 4) == 0 && strstr(arn, ":s3:::") && strchr(strstr(arn, ":s3:::") + 6, '/')) {
        char *bucket = xstrndup(arn, (size_t)(strchr(strstr(arn, ":s3:::") + 6, '/') - arn));
        i = json_object_get(a->resource_index, bucket);
        free(bucket);
        if (i)
            return &a->resources[json_integer_value(i)];
    }
    return NULL;
}
