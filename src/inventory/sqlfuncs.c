/*
 * sqlfuncs.c — SQL helper functions registered on the inventory connection so that
 * control queries stay declarative (docs/catalogue.md lists them).
 *
 * Time helpers use the snapshot's collected_at as "now", so a scan of a snapshot gives
 * the same result whenever it runs. Policy helpers parse the document with jansson; a
 * malformed document is treated as granting nothing (the collector stores decoded JSON).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/util.h"
#include "../iam/iam.h"
#include "inventory_internal.h"

static struct inventory *inv_of(sqlite3_context *ctx) { return sqlite3_user_data(ctx); }

/* The JSON value of argument v as a new reference (NULL if v is NULL or not JSON). Helpers
 * are often called several times per row with the same text (a security group's ports,
 * then its rules; a policy as a whole, then per statement), so the last parse is kept. */
static json_t *json_arg(sqlite3_context *ctx, sqlite3_value *v)
{
    struct inventory *inv = inv_of(ctx);
    const char *s = (const char *)sqlite3_value_text(v);
    if (!s)
        return NULL;
    size_t len = (size_t)sqlite3_value_bytes(v);
    if (!(inv->jcache.text && inv->jcache.len == len && memcmp(inv->jcache.text, s, len) == 0)) {
        json_decref(inv->jcache.doc);
        free(inv->jcache.text);
        inv->jcache.doc = json_loadb(s, len, JSON_DECODE_ANY, NULL);
        inv->jcache.text = xmalloc(len + 1);
        memcpy(inv->jcache.text, s, len + 1);
        inv->jcache.len = len;
    }
    return json_incref(inv->jcache.doc);
}

void inv_release_functions(struct inventory *inv)
{
    json_decref(inv->jcache.doc);
    free(inv->jcache.text);
    inv->jcache.doc = NULL;
    inv->jcache.text = NULL;
}

static void fn_account_id(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc, (void)argv;
    struct inventory *inv = inv_of(ctx);
    if (inv->account_id)
        sqlite3_result_text(ctx, inv->account_id, -1, SQLITE_TRANSIENT);
    else
        sqlite3_result_null(ctx);
}

static void fn_now(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc, (void)argv;
    struct inventory *inv = inv_of(ctx);
    if (inv->collected_at)
        sqlite3_result_text(ctx, inv->collected_at, -1, SQLITE_TRANSIENT);
    else
        sqlite3_result_null(ctx);
}

static void fn_days_since(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    time_t t;
    if (!s || time_parse(s, &t) != 0 || !inv_of(ctx)->collected_at) {
        sqlite3_result_null(ctx);
        return;
    }
    sqlite3_result_double(ctx, difftime(inv_of(ctx)->now, t) / 86400.0);
}

/* ---- network ---- */

static int cidr_world(const char *c) { return c && (strcmp(c, "0.0.0.0/0") == 0 || strcmp(c, "::/0") == 0); }

static void fn_cidr_is_world(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    sqlite3_result_int(ctx, cidr_world((const char *)sqlite3_value_text(argv[0])));
}

/* The protocol of an IpPermissions entry: "all" (-1), "tcp", "udp", or NULL for others
 * (ICMP, other IP protocols: no ports). */
static const char *perm_proto(json_t *p)
{
    const char *proto = json_string_value(json_object_get(p, "IpProtocol"));
    if (!proto)
        return NULL;
    if (strcmp(proto, "-1") == 0 || strcasecmp(proto, "all") == 0)
        return "all";
    if (strcasecmp(proto, "tcp") == 0 || strcmp(proto, "6") == 0)
        return "tcp";
    if (strcasecmp(proto, "udp") == 0 || strcmp(proto, "17") == 0)
        return "udp";
    return NULL;
}

/* Does permission p (one IpPermissions entry) open port over protocol want ("tcp" or
 * "udp") to the world? Protocol -1 opens every port of every protocol. */
static int perm_world_opens(json_t *p, long port, const char *want)
{
    const char *proto = perm_proto(p);
    if (!proto)
        return 0;
    if (strcmp(proto, "all") != 0) {
        if (strcmp(proto, want) != 0)
            return 0;
        json_t *f = json_object_get(p, "FromPort"), *t = json_object_get(p, "ToPort");
        /* tcp/udp without ports (or -1) means every port */
        long from = json_is_integer(f) ? (long)json_integer_value(f) : -1;
        long to = json_is_integer(t) ? (long)json_integer_value(t) : -1;
        if (!(from == -1 && to == -1) && !(from <= port && port <= to))
            return 0;
    }
    json_t *ranges = json_object_get(p, "IpRanges"), *r;
    size_t i;
    json_array_foreach(ranges, i,
                       r) if (cidr_world(json_string_value(json_object_get(r, "CidrIp")))) return 1;
    ranges = json_object_get(p, "Ipv6Ranges");
    json_array_foreach(ranges, i,
                       r) if (cidr_world(json_string_value(json_object_get(r, "CidrIpv6")))) return 1;
    return 0;
}

/* Next entry of a port list "22,3389,3389/udp": a bare number is TCP, "/udp" names UDP
 * (list it only for services that answer on UDP: RDP, the SQL Server Browser). Returns 0
 * at the end or on a malformed entry; *p advances past the entry. */
static int next_port(const char **p, long *port, const char **proto)
{
    char *end;
    if (!**p)
        return 0;
    *port = strtol(*p, &end, 10);
    if (end == *p || *port < 0 || *port > 65535)
        return 0;
    *proto = "tcp";
    if (strncmp(end, "/udp", 4) == 0)
        *proto = "udp", end += 4;
    else if (strncmp(end, "/tcp", 4) == 0)
        end += 4;
    if (*end && *end != ',')
        return 0;
    *p = *end ? end + 1 : end;
    return 1;
}

/* The function's result: the text built in out, or NULL when it is empty. Frees out. */
static void result_text_or_null(sqlite3_context *ctx, struct strbuf *out)
{
    if (out->len)
        sqlite3_result_text(ctx, out->buf, (int)out->len, SQLITE_TRANSIENT);
    else
        sqlite3_result_null(ctx);
    sb_free(out);
}

static void fn_sg_world_open_ports(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *ports = (const char *)sqlite3_value_text(argv[1]);
    json_t *arr = ports ? json_arg(ctx, argv[0]) : NULL;
    if (!json_is_array(arr)) {
        json_decref(arr);
        sqlite3_result_null(ctx);
        return;
    }
    struct strbuf out;
    sb_init(&out);
    long port;
    const char *proto;
    for (const char *p = ports; next_port(&p, &port, &proto);) {
        size_t i;
        json_t *perm;
        json_array_foreach(arr, i, perm)
        {
            if (perm_world_opens(perm, port, proto)) {
                sb_printf(&out, "%s%ld%s", out.len ? "," : "", port, strcmp(proto, "udp") ? "" : "/udp");
                break;
            }
        }
    }
    json_decref(arr);
    result_text_or_null(ctx, &out);
}

/* The world-open rules of a permission list that open any of the listed ports, e.g.
 * "0.0.0.0/0 → tcp 22; ::/0 → -1 (all)", or NULL. */
static void fn_sg_world_open_rules(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *ports = (const char *)sqlite3_value_text(argv[1]);
    json_t *arr = ports ? json_arg(ctx, argv[0]) : NULL;
    struct strbuf out;
    sb_init(&out);
    size_t i;
    json_t *perm;
    json_array_foreach(arr, i, perm)
    {
        int opens = 0;
        long port;
        const char *want;
        for (const char *p = ports; !opens && next_port(&p, &port, &want);)
            opens = perm_world_opens(perm, port, want);
        if (!opens)
            continue;
        const char *proto = perm_proto(perm);
        json_t *f = json_object_get(perm, "FromPort"), *t = json_object_get(perm, "ToPort");
        char what[64];
        if (strcmp(proto, "all") == 0)
            snprintf(what, sizeof what, "-1 (all)");
        else if (!json_is_integer(f) || json_integer_value(f) == -1)
            snprintf(what, sizeof what, "%s 0-65535", proto);
        else if (json_integer_value(f) == json_integer_value(t))
            snprintf(what, sizeof what, "%s %lld", proto, (long long)json_integer_value(f));
        else
            snprintf(what, sizeof what, "%s %lld-%lld", proto, (long long)json_integer_value(f),
                     (long long)json_integer_value(t));
        const char *keys[2][2] = {{"IpRanges", "CidrIp"}, {"Ipv6Ranges", "CidrIpv6"}};
        for (int k = 0; k < 2; k++) {
            size_t j;
            json_t *r;
            json_array_foreach(json_object_get(perm, keys[k][0]), j, r)
            {
                const char *cidr = json_string_value(json_object_get(r, keys[k][1]));
                if (cidr_world(cidr))
                    sb_printf(&out, "%s%s \u2192 %s", out.len ? "; " : "", cidr, what);
            }
        }
    }
    json_decref(arr);
    result_text_or_null(ctx, &out);
}

/* ---- tags ---- */

static const char *tag_lookup(json_t *tags, const char *key)
{
    size_t i;
    json_t *t;
    json_array_foreach(tags, i, t)
    {
        const char *k = json_string_value(json_object_get(t, "Key"));
        if (k && strcmp(k, key) == 0)
            return json_string_value(json_object_get(t, "Value"));
    }
    return NULL;
}

static void fn_tag_value(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *key = (const char *)sqlite3_value_text(argv[1]);
    json_t *arr = key ? json_arg(ctx, argv[0]) : NULL;
    const char *v = arr ? tag_lookup(arr, key) : NULL;
    if (v)
        sqlite3_result_text(ctx, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_result_null(ctx);
    json_decref(arr);
}

static void fn_is_pii(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    struct inventory *inv = inv_of(ctx);
    if (!inv->pii_in_use) {
        sqlite3_result_int(ctx, 1);
        return;
    }
    json_t *arr = json_arg(ctx, argv[0]);
    const char *v = arr ? tag_lookup(arr, inv->pii_key) : NULL;
    sqlite3_result_int(ctx, v && strcasecmp(v, inv->pii_value) == 0);
    json_decref(arr);
}

static void fn_pii_in_use(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc, (void)argv;
    sqlite3_result_int(ctx, inv_of(ctx)->pii_in_use);
}

/* ---- policies ---- */

/* Call fn on each string of a string-or-list value; stop when it returns nonzero. */
static int any_string(json_t *v, int (*fn)(const char *, void *), void *arg)
{
    if (json_is_string(v))
        return fn(json_string_value(v), arg);
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e) if (json_is_string(e) && fn(json_string_value(e), arg)) return 1;
    return 0;
}

static int is_star(const char *s, void *arg)
{
    (void)arg;
    return strcmp(s, "*") == 0;
}

static int is_s3_all_action(const char *s, void *arg)
{
    (void)arg;
    return strcmp(s, "*") == 0 || strcasecmp(s, "s3:*") == 0;
}

static int effect_is(json_t *st, const char *effect)
{
    const char *e = json_string_value(json_object_get(st, "Effect"));
    return e && strcmp(e, effect) == 0;
}

/* Statement as object or list: call fn on each statement object. */
static int any_statement(json_t *doc, int (*fn)(json_t *), json_t **parsed_out)
{
    (void)parsed_out;
    json_t *st = json_object_get(doc, "Statement");
    if (json_is_object(st))
        return fn(st);
    size_t i;
    json_t *s;
    json_array_foreach(st, i, s) if (json_is_object(s) && fn(s)) return 1;
    return 0;
}

/* Principal is everyone: "*" or {"AWS": "*"} (also in a list). */
static int principal_everyone(json_t *st)
{
    json_t *p = json_object_get(st, "Principal");
    if (json_is_string(p))
        return strcmp(json_string_value(p), "*") == 0;
    if (json_is_object(p))
        return any_string(json_object_get(p, "AWS"), is_star, NULL);
    return 0;
}

/* Condition keys that pin a wildcard principal to something specific (AWS's own
 * "is public" analysis treats these, with fixed values, as non-public). */
static const char *const restricting_keys[] = {
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourceowner",
    "aws:principalaccount",
    "aws:principalorgid",
    "aws:principalarn",
    "aws:userid",
    "aws:principalorgpaths",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:principalservicename",
    "aws:sourcevpcarn",
};

/* A value that does not pin anything down: a wildcard, or a policy variable such as
 * ${aws:PrincipalAccount} that makes the condition true for every caller. */
static int value_has_wildcard(const char *s, void *arg)
{
    (void)arg;
    return strchr(s, '*') != NULL || strchr(s, '?') != NULL || strstr(s, "${") != NULL;
}

/* A source-IP range too wide to restrict anyone: the whole internet, or wider than an IPv4
 * /8 or IPv6 /32 (e.g. 0.0.0.0/1 + 128.0.0.0/1 together cover every address). */
static int cidr_is_world_cb(const char *s, void *arg)
{
    (void)arg;
    if (cidr_world(s))
        return 1;
    const char *slash = strchr(s, '/');
    if (!slash)
        return 0;
    char *end;
    long bits = strtol(slash + 1, &end, 10);
    if (end == slash + 1 || *end)
        return 0;
    return strchr(s, ':') ? bits < 32 : bits < 8;
}

static int condition_restricts(json_t *cond)
{
    const char *op;
    json_t *block;
    json_object_foreach(cond, op, block)
    {
        /* Negated and IfExists operators do not pin the caller down, nor does ForAllValues
         * (true when the key is absent, as it is for anonymous callers). */
        if (strstr(op, "Not") || strstr(op, "IfExists") || strncmp(op, "ForAnyValue", 11) == 0 ||
            strncmp(op, "ForAllValues", 12) == 0 || strcmp(op, "Null") == 0 || strncmp(op, "Bool", 4) == 0)
            continue;
        const char *key;
        json_t *val;
        json_object_foreach(block, key, val)
        {
            if (strcasecmp(key, "aws:SourceIp") == 0) {
                if ((strcmp(op, "IpAddress") == 0) && !any_string(val, cidr_is_world_cb, NULL))
                    return 1;
                continue;
            }
            for (size_t i = 0; i < sizeof restricting_keys / sizeof *restricting_keys; i++)
                if (strcasecmp(key, restricting_keys[i]) == 0 && !any_string(val, value_has_wildcard, NULL))
                    return 1;
        }
    }
    return 0;
}

static int stmt_public(json_t *st)
{
    /* Allow with NotPrincipal grants everyone but the named principals, anonymous included */
    if (!effect_is(st, "Allow") || !(principal_everyone(st) || json_object_get(st, "NotPrincipal")))
        return 0;
    json_t *cond = json_object_get(st, "Condition");
    return !(json_is_object(cond) && condition_restricts(cond));
}

static int false_value(const char *s, void *arg)
{
    (void)arg;
    return strcasecmp(s, "false") == 0;
}

/* IAM-style wildcard match: '*' any run of characters (including '/'), '?' one. */
static int glob_match(const char *p, const char *s)
{
    const char *star = NULL, *resume = NULL;
    while (*s) {
        if (*p == '*') {
            star = p++;
            resume = s;
        } else if (*p == '?' || *p == *s) {
            p++, s++;
        } else if (star) {
            p = star + 1;
            s = ++resume;
        } else {
            return 0;
        }
    }
    while (*p == '*')
        p++;
    return *p == '\0';
}

struct ssl_cover {
    const char *bucket_arn;
    int bucket, objects; /* covered by some qualifying statement */
};

/* Does Resource pattern p cover the bucket, or every object in it (B/ then a star)? */
static int ssl_resource(const char *p, void *arg)
{
    struct ssl_cover *c = arg;
    size_t n = strlen(c->bucket_arn);
    char *prefix = xmalloc(n + 2);
    memcpy(prefix, c->bucket_arn, n);
    memcpy(prefix + n, "/", 2);
    c->bucket |= glob_match(p, c->bucket_arn);
    c->objects |= p[0] && p[strlen(p) - 1] == '*' && glob_match(p, prefix);
    free(prefix);
    return 0;
}

/* A statement that denies every S3 action to everyone whenever aws:SecureTransport is
 * false, and nothing narrower: conditions are ANDed, so any other condition key (a VPC
 * endpoint, an IP range) would leave plain HTTP allowed elsewhere. */
static int stmt_ssl_deny(json_t *st)
{
    if (!effect_is(st, "Deny") || !principal_everyone(st) || json_object_get(st, "NotResource") ||
        !any_string(json_object_get(st, "Action"), is_s3_all_action, NULL))
        return 0;
    json_t *cond = json_object_get(st, "Condition");
    if (!json_is_object(cond) || json_object_size(cond) != 1)
        return 0;
    const char *op;
    json_t *block;
    json_object_foreach(cond, op, block)
    {
        if ((strcmp(op, "Bool") != 0 && strcmp(op, "BoolIfExists") != 0) || !json_is_object(block) ||
            json_object_size(block) != 1)
            return 0;
        const char *key;
        json_t *val;
        json_object_foreach(block, key, val)
        {
            if (strcasecmp(key, "aws:SecureTransport") != 0)
                return 0;
            if (json_is_false(val) || any_string(val, false_value, NULL))
                return 1;
        }
    }
    return 0;
}

static json_t *doc_arg(sqlite3_context *ctx, sqlite3_value *v)
{
    json_t *doc = json_arg(ctx, v);
    /* Tolerate a document stored as a JSON string holding JSON. */
    if (json_is_string(doc)) {
        json_t *inner = json_loads(json_string_value(doc), 0, NULL);
        json_decref(doc);
        doc = inner;
    }
    if (!json_is_object(doc)) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}

static void policy_fn(sqlite3_context *ctx, sqlite3_value *arg, int (*fn)(json_t *))
{
    json_t *doc = doc_arg(ctx, arg);
    sqlite3_result_int(ctx, doc ? any_statement(doc, fn, NULL) : 0);
    json_decref(doc);
}

static void fn_policy_full_admin(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    /* through the engine: effective administration (NotAction, wildcards, Denies), not
     * only a literal Action * on Resource * */
    json_t *doc = doc_arg(ctx, argv[0]);
    char err[256];
    struct iam_policy *p = json_is_object(doc) ? iam_policy_compile(doc, "policy", err, sizeof err) : NULL;
    int r = p ? iam_policy_is_admin(p, err, sizeof err) : -1;
    iam_policy_free(p);
    json_decref(doc);
    if (r < 0)
        sqlite3_result_null(ctx);
    else
        sqlite3_result_int(ctx, r);
}

static void fn_s3_policy_public(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    policy_fn(ctx, argv[0], stmt_public);
}

/* s3_policy_ssl_only(doc, bucket_arn): 1 when qualifying deny statements cover both the
 * bucket and all of its objects. */
static void fn_s3_policy_ssl_only(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *arn = (const char *)sqlite3_value_text(argv[1]);
    json_t *doc = arn ? doc_arg(ctx, argv[0]) : NULL;
    struct ssl_cover cover = {arn, 0, 0};
    json_t *st = json_object_get(doc, "Statement"), *one;
    size_t i, n = json_is_array(st) ? json_array_size(st) : 1;
    for (i = 0; doc && i < n; i++) {
        one = json_is_array(st) ? json_array_get(st, i) : st;
        if (json_is_object(one) && stmt_ssl_deny(one))
            any_string(json_object_get(one, "Resource"), ssl_resource, &cover);
    }
    json_decref(doc);
    sqlite3_result_int(ctx, cover.bucket && cover.objects);
}

static void fn_s3_acl_public(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    json_t *acl = doc_arg(ctx, argv[0]);
    int pub = 0;
    size_t i;
    json_t *g;
    json_array_foreach(json_object_get(acl, "Grants"), i, g)
    {
        const char *uri = json_string_value(json_object_get(json_object_get(g, "Grantee"), "URI"));
        if (uri && (strstr(uri, "/global/AllUsers") || strstr(uri, "/global/AuthenticatedUsers")))
            pub = 1;
    }
    json_decref(acl);
    sqlite3_result_int(ctx, pub);
}

static void fn_collect_error(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    struct inventory *inv = inv_of(ctx);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(inv->db,
                           "SELECT operation || ': ' || code || ': ' || message FROM "
                           "collection_errors WHERE service = lower(?1) AND (?2 IS NULL OR "
                           "region = ?2) ORDER BY rowid LIMIT 1",
                           -1, &st, NULL) != SQLITE_OK) {
        sqlite3_result_error(ctx, sqlite3_errmsg(inv->db), -1);
        return;
    }
    sqlite3_bind_value(st, 1, argv[0]);
    sqlite3_bind_value(st, 2, argv[1]);
    if (sqlite3_step(st) == SQLITE_ROW)
        sqlite3_result_value(ctx, sqlite3_column_value(st, 0));
    else
        sqlite3_result_null(ctx);
    sqlite3_finalize(st);
}

int inv_register_functions(sqlite3 *db, struct inventory *inv)
{
    static const struct {
        const char *name;
        int nargs;
        void (*fn)(sqlite3_context *, int, sqlite3_value **);
        int deterministic;
    } fns[] = {
        {"account_id", 0, fn_account_id, 1},
        {"ansim_now", 0, fn_now, 1},
        {"days_since", 1, fn_days_since, 1},
        {"cidr_is_world", 1, fn_cidr_is_world, 1},
        {"sg_world_open_ports", 2, fn_sg_world_open_ports, 1},
        {"sg_world_open_rules", 2, fn_sg_world_open_rules, 1},
        {"tag_value", 2, fn_tag_value, 1},
        {"is_pii", 1, fn_is_pii, 1},
        {"pii_tagging_in_use", 0, fn_pii_in_use, 1},
        {"policy_full_admin", 1, fn_policy_full_admin, 1},
        {"s3_policy_public", 1, fn_s3_policy_public, 1},
        {"s3_policy_ssl_only", 2, fn_s3_policy_ssl_only, 1},
        {"s3_acl_public", 1, fn_s3_acl_public, 1},
        {"collect_error", 2, fn_collect_error, 0},
    };
    for (size_t i = 0; i < sizeof fns / sizeof *fns; i++) {
        int flags = SQLITE_UTF8 | (fns[i].deterministic ? SQLITE_DETERMINISTIC : 0);
        if (sqlite3_create_function(db, fns[i].name, fns[i].nargs, flags, inv, fns[i].fn, NULL, NULL) !=
            SQLITE_OK)
            return -1;
    }
    return 0;
}
