/*
 * guardrails.c — `ansim iam scope` turned into guardrails for the network-separation model.
 *
 * The scope lists every principal that can download, destroy or grant access to personal
 * data, and whether each is confined to the separated network. For the unconfined ones this
 * writes, in CloudFormation, Terraform and AWS CLI form:
 *   - guardrail.network_separation_endpoints (guard_endpoints.c): VPC endpoints (S3 and
 *     DynamoDB gateways, the others interface endpoints with private DNS) so the separated
 *     VPCs reach the APIs the deny confines to them;
 *   - guardrail.network_separation_policy: customer-managed policies with Deny statements
 *     (download and destroy actions on the personal-data resources, grant actions on "*")
 *     that hold only outside the separated network, attached to each unconfined user and role;
 *   - guardrail.network_separation_scp (in an organization): the same deny as an SCP naming
 *     those principals, for the management account.
 * The actions come from the action catalogue, the way the scope finds them: every action of
 * a class for the services and resource types of the personal-data resources (plus every IAM
 * grant action), so the deny covers what the scope checks even where its lists are cut short.
 * The fragments are concrete: literal ARNs and names, quoted for YAML, HCL and the shell.
 * Text that is not printable ASCII is refused rather than escaped: no real ARN holds it.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../iam/iam.h"
#include "../util/util.h"
#include "baseline.h"
#include "guard_int.h"
#include "render_int.h"

/* IAM: characters of a managed policy, whitespace not counted */
#define MANAGED_LIMIT 6144
/* Organizations: characters of an SCP; whitespace counts when the CLI or an SDK sends it, so
 * SCPs are written compact */
#define SCP_LIMIT 5120
#define POLICY_NAME "ansim-network-separation"
#define SCP_NAME "ansim-network-separation-scp"

static const unsigned class_bits[3] = {IAM_CLASS_DOWNLOAD, IAM_CLASS_DESTROY, IAM_CLASS_GRANT};
static const char *const class_keys[3] = {"download", "destroy", "grant"};
static const char *const class_sids[3] = {"Download", "Destroy", "Grant"};

/* ---- checks ---- */

/* Printable ASCII only: what every quoting below is written for. */
static int printable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
            return 0;
    return 1;
}

static int all_of(const char *s, const char *set) { return *s && strspn(s, set) == strlen(s); }

#define HEX "0123456789abcdef"

/* A list from the profile: a JSON array of strings each checked by kind ('c' CIDR, 'v' VPC
 * id, 'e' endpoint id). NULL text: empty. */
static json_t *net_list(struct guard *g, const char *text, char kind, const char *what)
{
    json_t *a = text && *text ? json_loads(text, 0, NULL) : json_array();
    if (!json_is_array(a)) {
        snprintf(g->err, g->errlen, "separated_network.%s: not a list", what);
        json_decref(a);
        return NULL;
    }
    size_t i;
    json_t *x;
    json_array_foreach(a, i, x)
    {
        const char *s = json_string_value(x);
        int ok = s && strlen(s) < 64;
        if (ok && kind == 'c')
            ok = all_of(s, "0123456789abcdefABCDEF.:/") && strchr(s, '/');
        else if (ok && kind == 'v')
            ok = strncmp(s, "vpc-", 4) == 0 && all_of(s + 4, HEX);
        else if (ok)
            ok = strncmp(s, "vpce-", 5) == 0 && all_of(s + 5, HEX);
        if (!ok) {
            snprintf(g->err, g->errlen, "separated_network.%s: %.80s is not %s", what,
                     s ? s : "(not a string)",
                     kind == 'c'   ? "a CIDR range"
                     : kind == 'v' ? "a VPC id (vpc-...)"
                                   : "a VPC endpoint id (vpce-...)");
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

/* ---- what the scope names ---- */

static char *arn_field(const char *arn, int field) /* 0-based colon-separated field; NULL */
{
    const char *p = arn;
    for (int i = 0; i < field && p; i++)
        p = strchr(p, ':') ? strchr(p, ':') + 1 : NULL;
    return p ? xstrndup(p, field < 5 ? strcspn(p, ":") : strlen(p)) : NULL;
}

/* The resource type token the catalogue uses for arn (as scope.c reads it). */
static char *arn_type(const char *arn)
{
    char *res = arn_field(arn, 5);
    if (!res)
        return xstrdup("");
    if (strstr(arn, ":s3:::")) {
        free(res);
        return xstrdup(strchr(strstr(arn, ":s3:::") + 6, '/') ? "object" : "bucket");
    }
    char *t = xstrndup(res, strcspn(res, ":/"));
    free(res);
    return t;
}

static int has_type(const char *types, const char *t)
{
    size_t n = strlen(t);
    for (const char *p = types; p && *p;) {
        size_t l = strcspn(p, ",");
        if (l == n && strncmp(p, t, n) == 0)
            return 1;
        p += l + (p[l] == ',');
    }
    return 0;
}

static void add_action(struct guard *g, int cls, const char *action)
{
    char *svc = xstrndup(action, strcspn(action, ":"));
    for (char *c = svc; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    json_t *set = json_object_get(g->actions[cls], svc);
    if (!set) {
        set = json_object();
        json_object_set_new(g->actions[cls], svc, set);
    }
    json_object_set_new(set, action, json_true());
    json_object_set_new(g->services, svc, json_true());
    free(svc);
}

/* The catalogue's actions of each class for one personal-data resource ARN, as the scope
 * asks them: the resource's own service (and the RDS Data API for RDS), its resource type. */
static void catalogue_actions(struct guard *g, const char *arn)
{
    char *svc = arn_field(arn, 2), *type = arn_type(arn);
    size_t n = iam_action_count();
    for (size_t k = 0; k < n; k++) {
        const struct iam_action_info *a = iam_action_at(k);
        size_t pl = strcspn(a->name, ":");
        int own = svc && strlen(svc) == pl && strncasecmp(a->name, svc, pl) == 0;
        int related = svc && strcmp(svc, "rds") == 0 && pl == 8 && strncasecmp(a->name, "rds-data", 8) == 0;
        if (!a->classes || !(own || related) || !has_type(a->resource_types, type))
            continue;
        for (int c = 0; c < 3; c++)
            if (a->classes & class_bits[c])
                add_action(g, c, a->name);
    }
    free(svc);
    free(type);
}

static int read_resources(struct guard *g, const json_t *scope)
{
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(scope, "resources"), i, r)
    {
        const char *arn = json_string_value(json_object_get(r, "arn"));
        if (!arn || strncmp(arn, "arn:", 4) != 0 || !printable(arn)) {
            snprintf(g->err, g->errlen, "scope: resource %zu: the ARN is missing or not printable ASCII", i);
            return -1;
        }
        json_array_append_new(g->resources, json_string(arn));
        catalogue_actions(g, arn);
        if (strstr(arn, ":s3:::") && !strchr(strstr(arn, ":s3:::") + 6, '/')) {
            char *objects = xasprintf("%s/*", arn), *probe = xasprintf("%s/x", arn);
            json_array_append_new(g->resources, json_string(objects));
            catalogue_actions(g, probe);
            free(objects);
            free(probe);
        }
    }
    /* IAM's own grant actions reach every personal-data resource */
    size_t n = iam_action_count();
    for (size_t k = 0; k < n && json_array_size(g->resources); k++) {
        const struct iam_action_info *a = iam_action_at(k);
        if ((a->classes & IAM_CLASS_GRANT) && strncasecmp(a->name, "iam:", 4) == 0)
            add_action(g, 2, a->name);
    }
    return 0;
}

static int excluded(const struct guard *g, const char *arn)
{
    for (size_t i = 0; i < g->o->nexclude; i++)
        if (g->o->exclude[i] && strcmp(g->o->exclude[i], arn) == 0)
            return 1;
    return 0;
}

static void skip(struct guard *g, const char *arn, const char *why)
{
    char *s = xasprintf("%s: %s", printable(arn) ? arn : "(a principal whose ARN is not printable)", why);
    json_array_append_new(g->skipped, json_string(s));
    free(s);
}

/* One unconfined principal: attachable (g->p), listed as skipped, or an error for a user or
 * role name IAM would not accept (it would end up in commands). */
static int read_principal(struct guard *g, const json_t *e)
{
    const char *arn = json_string_value(json_object_get(e, "arn"));
    if (!arn)
        return 0;
    /* the actions the scope saw are denied too (they are the catalogue's, normally already in) */
    for (int c = 0; c < 3; c++) {
        size_t i;
        json_t *a;
        json_array_foreach(json_object_get(json_object_get(e, class_keys[c]), "actions"), i, a)
        {
            const char *s = json_string_value(a);
            if (s && strchr(s, ':') &&
                all_of(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:-*"))
                add_action(g, c, s);
        }
    }
    if (excluded(g, arn)) {
        skip(g, arn, "left out as asked (excluded)");
        return 0;
    }
    char *acct = arn_field(arn, 4), *res = arn_field(arn, 5), *svc = arn_field(arn, 2);
    int rc = 0;
    int ours = strncmp(arn, "arn:", 4) == 0 && svc && strcmp(svc, "iam") == 0 && acct && res &&
               strcmp(acct, g->o->account_id) == 0;
    int user = ours && strncmp(res, "user/", 5) == 0, role = ours && strncmp(res, "role/", 5) == 0;
    if (!user && !role) {
        skip(g, arn,
             ours ? "not a user or role; no policy can be attached to it"
                  : "not a user or role of this account: confine it in the trust policies of the roles it "
                    "assumes (those roles get the policy)");
    } else if (role && strncmp(res + 5, "aws-service-role/", 17) == 0) {
        skip(g, arn, "a service-linked role: AWS manages its policies and SCPs do not apply to it");
    } else {
        const char *name = strrchr(res, '/') + 1;
        if (!printable(arn) || strlen(name) > 128 ||
            !all_of(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+=,.@-")) {
            snprintf(g->err, g->errlen,
                     "scope: %.200s%s: not a name IAM accepts for a %s; refusing to write it into commands",
                     printable(arn) ? arn : "a principal",
                     printable(arn) ? "" : " with unprintable characters", role ? "role" : "user");
            rc = -1;
        } else {
            g->p = xrealloc(g->p, (g->np + 1) * sizeof *g->p);
            g->p[g->np++] = (struct gprincipal){arn, xstrdup(name), role};
        }
    }
    free(acct);
    free(res);
    free(svc);
    return rc;
}

/* ---- the policy documents ---- */

static json_t *make_condition(const struct guard *g)
{
    json_t *c = json_object();
    if (json_array_size(g->cidrs))
        json_object_set_new(c, "NotIpAddressIfExists", json_pack("{s:O}", "aws:SourceIp", g->cidrs));
    if (json_array_size(g->vpcs) || json_array_size(g->vpces)) {
        json_t *s = json_object();
        if (json_array_size(g->vpcs))
            json_object_set(s, "aws:SourceVpc", g->vpcs);
        if (json_array_size(g->vpces))
            json_object_set(s, "aws:SourceVpce", g->vpces);
        json_object_set_new(c, "StringNotEqualsIfExists", s);
    }
    json_object_set_new(c, "BoolIfExists", json_pack("{s:s}", "aws:ViaAWSService", "false"));
    return c;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The keys of an object, sorted, as a JSON array. */
json_t *guard_sorted_keys(const json_t *obj)
{
    size_t n = json_object_size(obj), i = 0;
    const char **k = xcalloc(n ? n : 1, sizeof *k);
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v) k[i++] = key;
    qsort(k, n, sizeof *k, cmp_str);
    json_t *out = json_array();
    for (i = 0; i < n; i++)
        json_array_append_new(out, json_string(k[i]));
    free(k);
    return out;
}

/* The personal-data resources a (download | destroy) statement for svc covers: those of
 * the service (RDS's for the RDS Data API), or all when none is (an action the scope saw). */
static json_t *resources_for(const struct guard *g, const char *svc)
{
    json_t *out = json_array();
    const char *want = strcmp(svc, "rds-data") == 0 ? "rds" : svc;
    size_t i;
    json_t *r;
    json_array_foreach(g->resources, i, r)
    {
        char *s = arn_field(json_string_value(r), 2);
        if (s && strcmp(s, want) == 0)
            json_array_append(out, r);
        free(s);
    }
    if (!json_array_size(out))
        json_array_extend(out, g->resources);
    return out;
}

static char *sid_of(int cls, const char *svc)
{
    struct strbuf sb;
    sb_init(&sb);
    sb_puts(&sb, class_sids[cls]);
    int up = 1;
    for (const char *c = svc; *c; c++) {
        if (!isalnum((unsigned char)*c)) {
            up = 1;
            continue;
        }
        sb_putc(&sb, up ? (char)toupper((unsigned char)*c) : *c);
        up = 0;
    }
    return sb_detach(&sb);
}

/* A Deny statement; scp: limited to the principals by aws:PrincipalArn (an SCP applies to
 * the whole account). Takes actions and resource. */
static json_t *deny(const struct guard *g, const char *sid, json_t *actions, json_t *resource, int scp)
{
    json_t *cond = json_deep_copy(g->condition);
    if (scp) {
        json_t *arns = json_array();
        for (size_t i = 0; i < g->np; i++)
            json_array_append_new(arns, json_string(g->p[i].arn));
        json_object_set_new(cond, "ArnLike", json_pack("{s:o}", "aws:PrincipalArn", arns));
    }
    return json_pack("{s:s, s:s, s:o, s:o, s:o}", "Sid", sid, "Effect", "Deny", "Action", actions, "Resource",
                     resource, "Condition", cond);
}

/* The managed policies' Deny statements: one per class and service, readable and easy to
 * split. */
static json_t *statements(const struct guard *g)
{
    json_t *out = json_array();
    for (int c = 0; c < 3; c++) {
        json_t *svcs = guard_sorted_keys(g->actions[c]);
        size_t i;
        json_t *sv;
        json_array_foreach(svcs, i, sv)
        {
            const char *svc = json_string_value(sv);
            char *sid = sid_of(c, svc);
            json_array_append_new(out, deny(g, sid, guard_sorted_keys(json_object_get(g->actions[c], svc)),
                                            c == 2 ? json_string("*") : resources_for(g, svc), 0));
            free(sid);
        }
        json_decref(svcs);
    }
    return out;
}

/* The SCP's: two statements (every download and destroy action on every personal-data
 * resource; the grant actions on "*"), since each repeats the principals and an SCP has only
 * 5,120 characters. An action on another service's resource matches nothing. */
static json_t *scp_statements(const struct guard *g)
{
    json_t *out = json_array(), *data = json_object(), *grant = json_object();
    for (int c = 0; c < 3; c++) {
        const char *svc;
        json_t *set;
        json_object_foreach(g->actions[c], svc, set) json_object_update(c == 2 ? grant : data, set);
    }
    if (json_object_size(data) && json_array_size(g->resources))
        json_array_append_new(
            out, deny(g, "DownloadDestroy", guard_sorted_keys(data), json_copy(g->resources), 1));
    if (json_object_size(grant))
        json_array_append_new(out, deny(g, "Grant", guard_sorted_keys(grant), json_string("*"), 1));
    json_decref(data);
    json_decref(grant);
    return out;
}

static size_t doc_size(const json_t *doc, int scp)
{
    (void)scp;
    char *s = json_dumps(doc, JSON_COMPACT);
    size_t n = s ? strlen(s) : (size_t)-1;
    free(s);
    return n;
}

static json_t *new_doc(void) { return json_pack("{s:s, s:[]}", "Version", "2012-10-17", "Statement"); }

/* Split a statement too big for one document: its Resource list in halves, else its Action
 * list. Appends the parts to out; -1 when one action on one
 * resource does not fit. */
static int split_statement(json_t *st, size_t limit, int scp, json_t *out)
{
    json_t *doc = new_doc();
    json_array_append(json_object_get(doc, "Statement"), st);
    size_t size = doc_size(doc, scp);
    json_decref(doc);
    if (size <= limit) {
        json_array_append_new(out, json_deep_copy(st));
        return 0;
    }
    const char *keys[2] = {"Resource", "Action"};
    for (int k = 0; k < 2; k++) {
        json_t *list = json_object_get(st, keys[k]);
        size_t n = json_array_size(list);
        if (n < 2)
            continue;
        for (int h = 0; h < 2; h++) {
            json_t *half = json_deep_copy(st), *sub = json_array();
            for (size_t i = h ? n / 2 : 0; i < (h ? n : n / 2); i++)
                json_array_append(sub, json_array_get(list, i));
            json_object_set_new(half, keys[k], sub);
            int rc = split_statement(half, limit, scp, out);
            json_decref(half);
            if (rc)
                return -1;
        }
        return 0;
    }
    return -1;
}

/* The statements packed into as few documents as fit under limit, in order. */
static json_t *pack(struct guard *g, json_t *stmts, size_t limit, int scp)
{
    json_t *pieces = json_array(), *docs = json_array(), *cur = NULL;
    size_t i;
    json_t *st;
    json_array_foreach(stmts, i, st)
    {
        json_t *parts = json_array();
        if (split_statement(st, limit, scp, parts)) {
            snprintf(g->err, g->errlen,
                     "statement %s does not fit in a policy even for one action on one resource",
                     json_string_value(json_object_get(st, "Sid")));
            json_decref(parts);
            json_decref(pieces);
            json_decref(docs);
            return NULL;
        }
        size_t k;
        json_t *x;
        json_array_foreach(parts, k, x) if (json_array_size(parts) > 1)
        {
            char *sid = xasprintf("%sPart%zu", json_string_value(json_object_get(x, "Sid")), k + 1);
            json_object_set_new(x, "Sid", json_string(sid));
            free(sid);
        }
        json_array_extend(pieces, parts);
        json_decref(parts);
    }
    json_array_foreach(pieces, i, st)
    {
        if (cur) {
            json_array_append(json_object_get(cur, "Statement"), st);
            if (doc_size(cur, scp) <= limit)
                continue;
            json_array_remove(json_object_get(cur, "Statement"),
                              json_array_size(json_object_get(cur, "Statement")) - 1);
        }
        cur = new_doc();
        json_array_append_new(docs, cur);
        json_array_append(json_object_get(cur, "Statement"), st);
    }
    json_decref(pieces);
    return docs;
}

/* ---- quoting ---- */

/* A YAML double-quoted scalar (the input is printable ASCII: only " and \ need escapes). */
static void yaml_quote(struct strbuf *sb, const char *s)
{
    sb_putc(sb, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            sb_putc(sb, '\\');
        sb_putc(sb, *s);
    }
    sb_putc(sb, '"');
}

/* Template sequences in HCL text: ${ and %{ start interpolation and directives. */
static void hcl_template_escape(struct strbuf *sb, const char *s, int quoted)
{
    for (; *s; s++) {
        if (quoted && (*s == '"' || *s == '\\'))
            sb_putc(sb, '\\');
        else if ((*s == '$' || *s == '%') && s[1] == '{')
            sb_putc(sb, *s);
        sb_putc(sb, *s);
    }
}

char *guard_tf_label(json_t *used, const char *prefix, const char *s)
{
    struct strbuf sb;
    sb_init(&sb);
    sb_puts(&sb, prefix);
    for (; *s; s++)
        sb_putc(&sb, isalnum((unsigned char)*s) ? (char)tolower((unsigned char)*s) : '_');
    char *base = sb_detach(&sb), *l = xstrdup(base);
    for (int n = 2; json_object_get(used, l); n++) {
        free(l);
        l = xasprintf("%s_%d", base, n);
    }
    json_object_set_new(used, l, json_true());
    free(base);
    return l;
}

/* Block-style YAML of a JSON value under a key, every string double-quoted. */
static void yaml_value(struct strbuf *sb, const json_t *v, int indent);

static void yaml_key(struct strbuf *sb, const char *k)
{
    if (all_of(k, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"))
        sb_puts(sb, k);
    else
        yaml_quote(sb, k);
    sb_putc(sb, ':');
}

static void yaml_scalar(struct strbuf *sb, const json_t *v)
{
    if (json_is_string(v))
        yaml_quote(sb, json_string_value(v));
    else if (json_is_true(v))
        sb_puts(sb, "true");
    else if (json_is_false(v))
        sb_puts(sb, "false");
    else if (json_is_integer(v))
        sb_printf(sb, "%lld", (long long)json_integer_value(v));
    else
        sb_puts(sb, json_is_array(v) ? "[]" : json_is_object(v) ? "{}" : "null");
}

/* Entries of an object at indent; the first one's indent already written when inline. */
static void yaml_map(struct strbuf *sb, const json_t *obj, int indent, int inline_first)
{
    const char *k;
    json_t *x;
    int first = 1;
    json_object_foreach((json_t *)obj, k, x)
    {
        if (!(first && inline_first))
            sb_printf(sb, "%*s", indent, "");
        first = 0;
        yaml_key(sb, k);
        yaml_value(sb, x, indent + 2);
    }
}

static void yaml_value(struct strbuf *sb, const json_t *v, int indent)
{
    if (json_is_object(v) && json_object_size(v)) {
        sb_putc(sb, '\n');
        yaml_map(sb, v, indent, 0);
    } else if (json_is_array(v) && json_array_size(v)) {
        sb_putc(sb, '\n');
        size_t i;
        json_t *x;
        json_array_foreach((json_t *)v, i, x)
        {
            sb_printf(sb, "%*s- ", indent, "");
            if (json_is_object(x) && json_object_size(x)) {
                yaml_map(sb, x, indent + 2, 1);
            } else {
                yaml_scalar(sb, x);
                sb_putc(sb, '\n');
            }
        }
    } else {
        sb_putc(sb, ' ');
        yaml_scalar(sb, v);
        sb_putc(sb, '\n');
    }
}

/* Lines of text as comments ("# " prefix) at indent. */
void guard_comments(struct strbuf *sb, const json_t *lines, const char *indent)
{
    size_t i;
    json_t *x;
    json_array_foreach((json_t *)lines, i, x) sb_printf(sb, "%s# %s\n", indent, json_string_value(x));
}

static char *json_pretty(const json_t *doc, int indent)
{
    char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    struct strbuf sb;
    sb_init(&sb);
    for (const char *p = s; *p;) {
        size_t n = strcspn(p, "\n");
        sb_printf(&sb, "%*s", indent, "");
        sb_add(&sb, p, n);
        sb_putc(&sb, '\n');
        p += n + (p[n] == '\n');
    }
    free(s);
    return sb_detach(&sb);
}

/* An SCP as one line (its whitespace would count against the limit), indented. */
static char *json_compact_line(const json_t *doc, int indent)
{
    char *s = json_dumps(doc, JSON_COMPACT), *out = xasprintf("%*s%s\n", indent, "", s);
    free(s);
    return out;
}

/* ---- components ---- */

static char **strv1(const char *s)
{
    char **v = xcalloc(1, sizeof *v);
    v[0] = xstrdup(s);
    return v;
}

void guard_component(struct bl_set *out, const char *id, const char *after, const char *title_en,
                     const char *title_ko, char *what_en, char *what_ko, char *cfn, char *tf, char *cli,
                     const char *cfn_note_en, const char *cfn_note_ko)
{
    struct bl_component c;
    memset(&c, 0, sizeof c);
    c.id = xstrdup(id);
    c.source = xstrdup("ansim iam scope");
    c.models = 1u << BL_NETSEP;
    c.order = 80;
    if (after) {
        c.after = strv1(after);
        c.nafter = 1;
    }
    c.title.en = xstrdup(title_en);
    c.title.ko = xstrdup(title_ko);
    c.what.en = what_en;
    c.what.ko = what_ko;
    c.controls = strv1(CONTROL);
    c.ncontrols = 1;
    c.frag[BL_CFN] = cfn;
    c.frag[BL_TF] = tf;
    c.frag[BL_CLI] = cli;
    if (cfn_note_en) {
        c.note[BL_CFN].en = xstrdup(cfn_note_en);
        c.note[BL_CFN].ko = xstrdup(cfn_note_ko);
    }
    bl_set_add(out, &c);
}

#define POLICY_TITLE_EN "Deny personal-data actions outside the separated network"
#define POLICY_TITLE_KO "분리된 망 밖의 개인정보 작업 거부"

void bl_guardrails_pending(struct bl_set *out, const char *why)
{
    guard_component(out, ID_POLICY, NULL, POLICY_TITLE_EN, POLICY_TITLE_KO, xstrdup(why),
                    xstrdup("개인정보에 접근할 수 있는 주체를 가둘 분리된 망이 프로필에 없습니다"), NULL,
                    NULL, NULL, NULL, NULL);
    struct bl_component *c = &out->c[out->n - 1];
    for (int f = 0; f < BL__NFORMATS; f++) { /* by hand in every format, saying what to set */
        c->note[f].en = xasprintf("%s; then run ansim baseline again", why);
        c->note[f].ko =
            xstrdup("ansim.yaml의 separated_network(cidrs, vpcs, vpc_endpoints)를 채운 뒤 다시 실행하십시오");
    }
}

static const char *policy_name(size_t i, char buf[64], const char *base)
{
    if (i == 0)
        snprintf(buf, 64, "%s", base);
    else
        snprintf(buf, 64, "%s-%zu", base, i + 1);
    return buf;
}

/* The header comment lines the policy and SCP fragments share. */
static json_t *header_lines(const struct guard *g, size_t ndocs, int scp)
{
    json_t *h = json_array();
    char *s = xasprintf("Deny downloading, destroying and granting access to personal data from outside the "
                        "separated network (%s); from `ansim iam scope` of account %s.",
                        CONTROL, g->o->account_id);
    json_array_append_new(h, json_string(s));
    free(s);
    json_array_append_new(h, json_string("The Deny holds only when no way in applies: not from the separated "
                                         "CIDRs, not through its VPCs or endpoints, not by an AWS service on "
                                         "the caller's behalf."));
    if (ndocs > 1) {
        s = xasprintf("%zu documents: one does not fit in %d characters.", ndocs,
                      scp ? SCP_LIMIT : MANAGED_LIMIT);
        json_array_append_new(h, json_string(s));
        free(s);
    }
    if (!scp && ndocs > 10)
        json_array_append_new(h, json_string("IAM attaches at most 10 managed policies to a user or role by "
                                             "default (20 with a quota increase): review before applying."));
    if (scp && ndocs > 4)
        json_array_append_new(h, json_string("An account takes at most 5 SCPs, FullAWSAccess included: merge "
                                             "or move some of these to the parent OU."));
    if (!json_array_size(g->cidrs) && json_object_get(g->actions[2], "iam"))
        json_array_append_new(h,
                              json_string("No separated_network.cidrs: IAM has no VPC endpoints, so these "
                                          "principals can make no IAM grant call at all until the separated "
                                          "network's egress addresses are added."));
    json_array_append_new(h, json_string("Review the principals below: a workload role used outside the "
                                         "separated VPCs loses these actions; keep a break-glass role out."));
    return h;
}

static json_t *skipped_lines(const struct guard *g)
{
    json_t *h = json_array();
    size_t i;
    json_t *x;
    json_array_foreach(g->skipped, i, x)
    {
        char *s = xasprintf("not attached: %s", json_string_value(x));
        json_array_append_new(h, json_string(s));
        free(s);
    }
    return h;
}

/* ---- guardrail.network_separation_policy ---- */

static char *policy_cfn(const struct guard *g, const json_t *docs)
{
    struct strbuf sb;
    sb_init(&sb);
    json_t *h = header_lines(g, json_array_size(docs), 0), *sk = skipped_lines(g);
    guard_comments(&sb, h, "");
    guard_comments(&sb, sk, "");
    size_t i;
    json_t *d;
    json_array_foreach(docs, i, d)
    {
        char name[64];
        if (i)
            sb_printf(&sb, "NetworkSeparationPolicy%zu:\n", i + 1);
        else
            sb_puts(&sb, "NetworkSeparationPolicy:\n");
        sb_puts(&sb, "  Type: AWS::IAM::ManagedPolicy\n  Properties:\n    ManagedPolicyName: ");
        sb_puts(&sb, policy_name(i, name, POLICY_NAME));
        sb_puts(&sb,
                "\n    Description: \"Deny personal-data actions outside the separated network (ansim)\"\n");
        sb_puts(&sb, "    PolicyDocument:");
        yaml_value(&sb, d, 6);
        for (int role = 0; role < 2; role++) {
            int any = 0;
            for (size_t k = 0; k < g->np; k++) {
                if (g->p[k].role != role)
                    continue;
                if (!any++)
                    sb_puts(&sb, role ? "    Roles:\n" : "    Users:\n");
                sb_puts(&sb, "      - ");
                yaml_quote(&sb, g->p[k].name);
                sb_putc(&sb, '\n');
            }
        }
    }
    json_decref(h);
    json_decref(sk);
    return sb_detach(&sb);
}

static char *policy_tf(const struct guard *g, const json_t *docs)
{
    struct strbuf sb;
    sb_init(&sb);
    json_t *h = header_lines(g, json_array_size(docs), 0), *sk = skipped_lines(g), *used = json_object();
    guard_comments(&sb, h, "");
    guard_comments(&sb, sk, "");
    size_t i;
    json_t *d;
    json_array_foreach(docs, i, d)
    {
        char name[64];
        policy_name(i, name, POLICY_NAME);
        char *label = guard_tf_label(used, "", name + 6); /* "network_separation", "..._2" */
        char *body = json_pretty(d, 4);
        sb_printf(&sb, "%sresource \"aws_iam_policy\" \"%s\" {\n", i ? "\n" : "", label);
        sb_printf(&sb, "  name        = \"%s\"\n", name);
        sb_puts(&sb,
                "  description = \"Deny personal-data actions outside the separated network (ansim)\"\n");
        sb_puts(&sb, "  policy      = <<-JSON\n");
        hcl_template_escape(&sb, body, 0);
        sb_puts(&sb, "  JSON\n\n  lifecycle {\n    precondition {\n");
        sb_printf(&sb, "      condition     = data.aws_caller_identity.current.account_id == \"%s\"\n",
                  g->o->account_id);
        sb_printf(&sb, "      error_message = \"These guardrails were computed for account %s.\"\n",
                  g->o->account_id);
        sb_puts(&sb, "    }\n  }\n}\n");
        for (size_t k = 0; k < g->np; k++) {
            char *pfx = xasprintf("%s_%s_", label, g->p[k].role ? "role" : "user");
            char *al = guard_tf_label(used, pfx, g->p[k].name);
            sb_printf(&sb, "\nresource \"aws_iam_%s_policy_attachment\" \"%s\" {\n",
                      g->p[k].role ? "role" : "user", al);
            sb_puts(&sb, g->p[k].role ? "  role       = " : "  user       = ");
            bl_hcl_quote(&sb, g->p[k].name);
            sb_printf(&sb, "\n  policy_arn = aws_iam_policy.%s.arn\n}\n", label);
            free(pfx);
            free(al);
        }
        free(body);
        free(label);
    }
    json_decref(h);
    json_decref(sk);
    json_decref(used);
    return sb_detach(&sb);
}

static char *policy_cli(const struct guard *g, const json_t *docs)
{
    struct strbuf sb;
    sb_init(&sb);
    json_t *h = header_lines(g, json_array_size(docs), 0), *sk = skipped_lines(g);
    guard_comments(&sb, h, "");
    guard_comments(&sb, sk, "");
    sb_printf(&sb,
              "if [ \"$ACCOUNT_ID\" != '%s' ]; then\n"
              "  echo \"%s: these principals are in account %s, not $ACCOUNT_ID\" >&2\n"
              "  return 1\n"
              "fi\n",
              g->o->account_id, ID_POLICY, g->o->account_id);
    sb_puts(&sb, "local policy_arn policy_doc\n");
    sb_puts(&sb, "# An existing policy of the same name is left as it is: compare its default version with\n"
                 "# the document below and add a version by hand if they differ.\n");
    size_t i;
    json_t *d;
    json_array_foreach(docs, i, d)
    {
        char name[64];
        policy_name(i, name, POLICY_NAME);
        char *body = json_pretty(d, 0);
        sb_printf(&sb, "policy_arn=\"arn:$PARTITION:iam::$ACCOUNT_ID:policy/%s\"\n", name);
        sb_puts(&sb, "if ! aws iam get-policy --policy-arn \"$policy_arn\" >/dev/null 2>&1; then\n");
        sb_puts(&sb, "  policy_doc=$(cat <<'JSON'\n");
        sb_puts(&sb, body);
        sb_puts(&sb, "JSON\n  )\n");
        sb_printf(&sb, "  aws iam create-policy --policy-name %s \\\n", name);
        sb_puts(&sb,
                "    --description 'Deny personal-data actions outside the separated network (ansim)' \\\n"
                "    --policy-document \"$policy_doc\" >/dev/null\nfi\n");
        for (size_t k = 0; k < g->np; k++) {
            sb_printf(&sb, "aws iam attach-%s-policy --%s-name ", g->p[k].role ? "role" : "user",
                      g->p[k].role ? "role" : "user");
            bl_sh_quote(&sb, g->p[k].name);
            sb_puts(&sb, " --policy-arn \"$policy_arn\"\n");
        }
        free(body);
    }
    json_decref(h);
    json_decref(sk);
    return sb_detach(&sb);
}

/* ---- guardrail.network_separation_scp ---- */

static const char *scp_note = "Create and attach this SCP from the organization's management account (or a "
                              "delegated administrator): member accounts cannot.";

static char *scp_cfn(const struct guard *g, const json_t *docs)
{
    struct strbuf sb;
    sb_init(&sb);
    json_t *h = header_lines(g, json_array_size(docs), 1);
    guard_comments(&sb, h, "");
    sb_printf(&sb, "# %s\n", scp_note);
    size_t i;
    json_t *d;
    json_array_foreach(docs, i, d)
    {
        char name[64];
        if (i)
            sb_printf(&sb, "NetworkSeparationScp%zu:\n", i + 1);
        else
            sb_puts(&sb, "NetworkSeparationScp:\n");
        sb_puts(&sb, "  Type: AWS::Organizations::Policy\n  Properties:\n    Name: ");
        sb_puts(&sb, policy_name(i, name, SCP_NAME));
        sb_puts(&sb, "\n    Type: SERVICE_CONTROL_POLICY\n"
                     "    Description: \"Deny personal-data actions outside the separated network (ansim)\"\n"
                     "    TargetIds:\n      - \"");
        sb_printf(&sb, "%s\"\n    Content:", g->o->account_id);
        yaml_value(&sb, d, 6);
    }
    json_decref(h);
    return sb_detach(&sb);
}

static char *scp_tf(const struct guard *g, const json_t *docs)
{
    struct strbuf sb;
    sb_init(&sb);
    json_t *h = header_lines(g, json_array_size(docs), 1), *used = json_object();
    guard_comments(&sb, h, "");
    sb_printf(&sb, "# %s\n", scp_note);
    size_t i;
    json_t *d;
    json_array_foreach(docs, i, d)
    {
        char name[64];
        policy_name(i, name, SCP_NAME);
        char *label = guard_tf_label(used, "", name + 6);
        char *body = json_compact_line(d, 4);
        sb_printf(&sb, "%sresource \"aws_organizations_policy\" \"%s\" {\n", i ? "\n" : "", label);
        sb_printf(&sb, "  name        = \"%s\"\n", name);
        sb_puts(&sb, "  type        = \"SERVICE_CONTROL_POLICY\"\n");
        sb_puts(&sb,
                "  description = \"Deny personal-data actions outside the separated network (ansim)\"\n");
        sb_puts(&sb, "  content     = <<-JSON\n");
        hcl_template_escape(&sb, body, 0);
        sb_puts(&sb, "  JSON\n}\n\n");
        sb_printf(&sb, "resource \"aws_organizations_policy_attachment\" \"%s\" {\n", label);
        sb_printf(&sb, "  policy_id = aws_organizations_policy.%s.id\n", label);
        sb_printf(&sb, "  target_id = \"%s\"\n}\n", g->o->account_id);
        free(body);
        free(label);
    }
    json_decref(h);
    json_decref(used);
    return sb_detach(&sb);
}

static char *scp_cli(const struct guard *g, const json_t *docs)
{
    struct strbuf sb;
    sb_init(&sb);
    json_t *h = header_lines(g, json_array_size(docs), 1);
    guard_comments(&sb, h, "");
    sb_printf(&sb, "# %s\n", scp_note);
    sb_puts(&sb, "local mgmt scp_id scp_doc\n");
    sb_puts(&sb,
            "mgmt=$(aws organizations describe-organization --query Organization.MasterAccountId --output "
            "text)\n");
    sb_printf(
        &sb,
        "if [ \"$mgmt\" != \"$ACCOUNT_ID\" ]; then\n"
        "  echo \"%s: run this step from the management account $mgmt (or skip it with ANSIM_SKIP)\" >&2\n"
        "  return 1\n"
        "fi\n",
        ID_SCP);
    size_t i;
    json_t *d;
    json_array_foreach(docs, i, d)
    {
        char name[64];
        policy_name(i, name, SCP_NAME);
        char *body = json_compact_line(d, 0);
        sb_printf(&sb,
                  "scp_id=$(aws organizations list-policies --filter SERVICE_CONTROL_POLICY "
                  "--query \"Policies[?Name=='%s'].Id | [0]\" --output text)\n",
                  name);
        sb_puts(&sb, "if [ -z \"$scp_id\" ] || [ \"$scp_id\" = None ]; then\n  scp_doc=$(cat <<'JSON'\n");
        sb_puts(&sb, body);
        sb_puts(&sb, "JSON\n  )\n");
        sb_printf(&sb,
                  "  scp_id=$(aws organizations create-policy --type SERVICE_CONTROL_POLICY --name %s \\\n",
                  name);
        sb_puts(&sb,
                "    --description 'Deny personal-data actions outside the separated network (ansim)' \\\n"
                "    --content \"$scp_doc\" --query Policy.PolicySummary.Id --output text)\nfi\n");
        sb_printf(&sb,
                  "if [ -z \"$(aws organizations list-policies-for-target --target-id '%s' --filter "
                  "SERVICE_CONTROL_POLICY --query \"Policies[?Id=='$scp_id'].Id\" --output text)\" ]; then\n"
                  "  aws organizations attach-policy --policy-id \"$scp_id\" --target-id '%s'\nfi\n",
                  g->o->account_id, g->o->account_id);
        free(body);
    }
    json_decref(h);
    return sb_detach(&sb);
}

static void guard_free(struct guard *g)
{
    json_decref(g->cidrs);
    json_decref(g->vpcs);
    json_decref(g->vpces);
    json_decref(g->resources);
    for (int c = 0; c < 3; c++)
        json_decref(g->actions[c]);
    for (size_t i = 0; i < g->np; i++)
        free(g->p[i].name);
    free(g->p);
    json_decref(g->skipped);
    json_decref(g->condition);
    json_decref(g->services);
}

int bl_guardrails(const json_t *scope, const struct bl_guard_opts *o, struct bl_set *out, char *err,
                  size_t errlen)
{
    struct guard g;
    memset(&g, 0, sizeof g);
    g.o = o;
    g.err = err;
    g.errlen = errlen;
    g.partition = o->partition ? o->partition : "aws";
    if (!json_is_object(scope) || !json_is_array(json_object_get(scope, "principals")) ||
        !json_is_array(json_object_get(scope, "resources"))) {
        snprintf(err, errlen, "not a scope (ansim iam scope's JSON: resources, principals)");
        return -1;
    }
    if (!o->account_id || strlen(o->account_id) != 12 || !all_of(o->account_id, "0123456789") ||
        !all_of(g.partition, "abcdefghijklmnopqrstuvwxyz-")) {
        snprintf(err, errlen, "guardrails: the account id must be 12 digits and the partition like aws-cn");
        return -1;
    }
    g.resources = json_array();
    g.skipped = json_array();
    g.services = json_object();
    for (int c = 0; c < 3; c++)
        g.actions[c] = json_object();
    size_t i, nunconfined = 0;
    json_t *e;
    int rc = read_resources(&g, scope);
    json_array_foreach(json_object_get(scope, "principals"), i, e)
    {
        if (rc || json_is_true(json_object_get(e, "confined")))
            continue;
        nunconfined++;
        rc = read_principal(&g, e);
    }
    if (rc || !nunconfined) { /* nothing unconfined: nothing to guard */
        guard_free(&g);
        return rc;
    }
    if (!(g.cidrs = net_list(&g, o->cidrs_json, 'c', "cidrs")) ||
        !(g.vpcs = net_list(&g, o->vpcs_json, 'v', "vpcs")) ||
        !(g.vpces = net_list(&g, o->vpces_json, 'e', "vpc_endpoints"))) {
        guard_free(&g);
        return -1;
    }
    if (!json_array_size(g.cidrs) && !json_array_size(g.vpcs) && !json_array_size(g.vpces)) {
        snprintf(
            err, errlen,
            "%zu principal%s can reach personal data from anywhere, but the profile names no separated "
            "network to confine them to: set separated_network (cidrs, vpcs or vpc_endpoints) in ansim.yaml",
            nunconfined, nunconfined == 1 ? "" : "s");
        guard_free(&g);
        return -1;
    }
    g.condition = make_condition(&g);
    json_t *st = statements(&g), *docs = pack(&g, st, MANAGED_LIMIT, 0);
    json_decref(st);
    json_t *scp_docs = NULL;
    if (docs && o->in_org && g.np) {
        st = scp_statements(&g);
        scp_docs = pack(&g, st, SCP_LIMIT, 1);
        json_decref(st);
        if (!scp_docs) {
            json_decref(docs);
            docs = NULL;
        }
    }
    if (!docs) {
        guard_free(&g);
        return -1;
    }
    guard_add_endpoints(&g, out);
    char *en = xasprintf(
        "Customer-managed policy %s denying downloads, deletion and permission changes of "
        "personal data from outside the separated network, attached to %zu unconfined user%s and "
        "role%s (seed 000: the computers of those who handle personal data are cut off from the "
        "internet).%s",
        POLICY_NAME, g.np, g.np == 1 ? "" : "s", g.np == 1 ? "" : "s",
        json_array_size(g.skipped) ? " Principals that cannot take a policy are listed in comments." : "");
    char *ko =
        xasprintf("분리된 망 밖에서의 개인정보 다운로드·파기·권한 변경을 거부하는 고객 관리형 정책 %s을 "
                  "제한되지 않은 사용자·역할 %zu개에 연결합니다(seed 000: 개인정보취급자의 컴퓨터는 인터넷과 "
                  "차단).%s",
                  POLICY_NAME, g.np,
                  json_array_size(g.skipped) ? " 정책을 연결할 수 없는 주체는 주석에 적었습니다." : "");
    guard_component(out, ID_POLICY, ID_ENDPOINTS, POLICY_TITLE_EN, POLICY_TITLE_KO, en, ko,
                    policy_cfn(&g, docs), policy_tf(&g, docs), policy_cli(&g, docs), NULL, NULL);
    if (scp_docs) {
        en = xasprintf("The same deny as a service control policy %s naming the %zu principals "
                       "(aws:PrincipalArn), so no permission granted in the account can undo it; create and "
                       "attach it from the management account (seed 000).",
                       SCP_NAME, g.np);
        ko = xasprintf(
            "같은 거부를 주체 %zu개를 지정한(aws:PrincipalArn) 서비스 제어 정책 %s으로도 만들어 계정 "
            "안의 어떤 권한으로도 풀 수 없게 합니다. 관리 계정에서 생성·연결해야 합니다(seed 000).",
            g.np, SCP_NAME);
        guard_component(out, ID_SCP, ID_POLICY, "The guardrail as an SCP (management account)",
                        "SCP로 만든 가드레일(관리 계정)", en, ko, scp_cfn(&g, scp_docs), scp_tf(&g, scp_docs),
                        scp_cli(&g, scp_docs), NULL, NULL);
    }
    json_decref(docs);
    json_decref(scp_docs);
    guard_free(&g);
    return 0;
}
