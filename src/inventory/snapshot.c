/*
 * snapshot.c — reading an ansim-snapshot/1 document into the inventory.
 *
 * Speed matters here (a large account's snapshot is hundreds of MB), so the document is
 * parsed once by SQLite's own JSON parser and exploded with json_each() straight into the
 * tables: no intermediate tree, no per-resource re-serialisation in C. Validation runs as
 * SQL over the same parse and reports the first bad resource by index and field; only when
 * the text is not valid JSON at all is jansson asked for the line and column. Secret
 * values are redacted after the insert (see redact_secrets). Everything happens in one
 * transaction: a bad snapshot loads nothing.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "inventory_internal.h"

#define SNAPSHOT_FORMAT "ansim-snapshot/1"

/* Resource types the bundled controls know; each gets a view even when empty, so a
 * query over a type with no resources returns no rows instead of failing. */
static const char *const known_types[] = {
    "aws_iam_account_summary",
    "aws_iam_password_policy",
    "aws_iam_credential_report",
    "aws_iam_user",
    "aws_iam_group",
    "aws_iam_role",
    "aws_iam_policy",
    "aws_iam_aws_managed_policy",
    "aws_organizations_policy_path",
    "aws_s3_account_public_access_block",
    "aws_s3_bucket",
    "aws_ec2_region",
    "aws_ebs_encryption_by_default",
    "aws_ec2_vpc",
    "aws_vpc_flow_log",
    "aws_ec2_security_group",
    "aws_ec2_instance",
    "aws_rds_db_instance",
    "aws_rds_db_cluster",
    "aws_rds_option_group",
    "aws_cloudtrail_trail",
    "aws_kms_key",
    "aws_ssm_instance_information",
    "aws_ssm_session_preferences",
    "aws_secretsmanager_secret",
    "aws_account_alternate_contact",
    "aws_budgets_budget",
    "aws_ce_anomaly_monitor",
    "aws_accessanalyzer_region",
    "aws_iam_saml_provider",
    "aws_iam_openid_connect_provider",
    "aws_ssoadmin_instance",
    "aws_lb",
    "aws_wafv2_web_acl",
    "aws_cloudfront_distribution",
    "aws_acm_certificate",
    "aws_config_region",
    "aws_guardduty_detector",
    "aws_securityhub_account",
    "aws_macie2_account",
    "aws_inspector2_enabler",
    "aws_ec2_subnet",
    "aws_ec2_route_table",
    "aws_ec2_nat_gateway",
    "aws_ec2_internet_gateway",
    "aws_ec2_vpc_endpoint",
    "aws_workspaces_directory",
    "aws_workspaces_workspace",
    "aws_directory_service_directory",
    "aws_appstream_stack",
    "aws_appstream_fleet",
    "aws_networkfirewall_firewall",
    "aws_networkfirewall_firewall_policy",
    "aws_networkfirewall_rule_group",
    "aws_cloudwatch_log_group",
    "aws_cloudwatch_metric_alarm",
    "aws_sns_topic",
};

/* Keys whose values are secrets wherever they appear: never stored, never reported. */
static const char *const secret_keys[] = {
    "SecretAccessKey", "SessionToken", "Password",   "MasterUserPassword",    "SecretString",
    "SecretBinary",    "AuthToken",    "PrivateKey", "aws_secret_access_key", "aws_session_token",
    "NewPassword",     "OldPassword",  "UserData", /* EC2 launch scripts often carry passwords and keys */
    "SharedSecret",                                /* a directory's RADIUS secret */
};

static int is_secret_key(const char *k)
{
    for (size_t i = 0; i < sizeof secret_keys / sizeof *secret_keys; i++)
        if (strcmp(k, secret_keys[i]) == 0)
            return 1;
    return 0;
}

static void redact(json_t *v);

void inv_redact(json_t *v) { redact(v); }

/* Replace secret values by "REDACTED", recursively (jansson limits the nesting depth).
 * Environment variables (Lambda's Environment.Variables, ECS's environment) keep their
 * names; every value is replaced. */
static void redact(json_t *v)
{
    if (json_is_object(v)) {
        const char *k;
        json_t *child;
        json_object_foreach(v, k, child)
        {
            if (is_secret_key(k) && !json_is_null(child)) {
                json_object_set_new(v, k, json_string("REDACTED"));
            } else if (strcmp(k, "Variables") == 0 && json_is_object(child)) {
                const char *name;
                json_t *value;
                json_object_foreach(child, name, value)
                    json_object_set_new(child, name, json_string("REDACTED"));
            } else {
                redact(child);
            }
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *child;
        json_array_foreach(v, i, child) redact(child);
    }
}

/* SQL function ansim_redact(json): the document with secret values replaced. */
static void fn_redact(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    json_t *doc = s ? json_loads(s, JSON_DECODE_ANY, NULL) : NULL;
    if (!doc) {
        sqlite3_result_value(ctx, argv[0]);
        return;
    }
    redact(doc);
    char *out = json_dumps(doc, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(doc);
    if (out)
        sqlite3_result_text(ctx, out, -1, free);
    else
        sqlite3_result_error_nomem(ctx);
}

/* Does the raw document mention a secret key at all? (One fast memmem pass per key over
 * the text; real snapshots rarely contain any, so the UPDATE below rarely runs.) */
static int mentions_secrets(const char *buf, size_t len)
{
    for (size_t i = 0; i < sizeof secret_keys / sizeof *secret_keys; i++) {
        char quoted[64];
        int n = snprintf(quoted, sizeof quoted, "\"%s\"", secret_keys[i]);
        if (memmem(buf, len, quoted, (size_t)n))
            return 1;
    }
    return 0;
}

/* Redact the stored data of every resource whose text mentions a secret key. */
static int redact_secrets(sqlite3 *db)
{
    if (sqlite3_create_function(db, "ansim_redact", 1, SQLITE_UTF8, NULL, fn_redact, NULL, NULL) != SQLITE_OK)
        return -1;
    struct strbuf sql;
    sb_init(&sql);
    sb_puts(&sql, "UPDATE resources SET data = ansim_redact(data) WHERE ");
    for (size_t i = 0; i < sizeof secret_keys / sizeof *secret_keys; i++)
        sb_printf(&sql, "%sinstr(data, '\"%s\"') > 0", i ? " OR " : "", secret_keys[i]);
    int rc = sqlite3_exec(db, sql.buf, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
    sb_free(&sql);
    return rc;
}

static int type_name_ok(const char *t)
{
    if (strncmp(t, "aws_", 4) != 0 || strlen(t) > 100)
        return 0;
    for (const char *p = t; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return 0;
    return 1;
}

static int exec(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "inventory: %s", msg ? msg : "SQL error");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

static int create_view(sqlite3 *db, const char *type, char *err, size_t errlen)
{
    char *sql = sqlite3_mprintf("CREATE VIEW IF NOT EXISTS \"%w\" AS SELECT type, region, id, arn, "
                                "data FROM resources WHERE type = %Q",
                                type, type);
    int rc = exec(db, sql, err, errlen);
    sqlite3_free(sql);
    return rc;
}

/* Prepare sql and bind the document as ?1. Returns NULL with err on failure. */
static sqlite3_stmt *prep(sqlite3 *db, const char *sql, const char *buf, size_t len, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "inventory: %s", sqlite3_errmsg(db));
        sqlite3_finalize(st);
        return NULL;
    }
    sqlite3_bind_text64(st, 1, buf, (sqlite3_uint64)len, SQLITE_STATIC, SQLITE_UTF8);
    return st;
}

static char *dup_col(sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    return s ? xstrdup((const char *)s) : NULL;
}

/* Not valid JSON for SQLite: ask jansson where, for a useful message. */
static void json_syntax_error(const char *buf, size_t len, const char *name, char *err, size_t errlen)
{
    json_error_t je;
    json_t *doc = json_loadb(buf, len, JSON_DECODE_ANY, &je);
    if (len == 0)
        snprintf(err, errlen, "%s: empty file, not a snapshot", name);
    else if (!doc)
        snprintf(err, errlen, "%s:%d:%d: malformed JSON: %s", name, je.line, je.column, je.text);
    else
        snprintf(err, errlen, "%s: JSON nested too deeply or too large to load", name);
    json_decref(doc);
}

/* The top-level fields, in one pass: json_each over the document parses it once, and
 * its lazy value column keeps the large `resources` list from being copied out. */
struct top {
    int not_object, seen;
    char *format, *account, *collected, *partition, *regions, *errors;
    char *ftype, *atype, *ctype, *rtype, *restype, *etype, *ptype;
};

static void top_free(struct top *t)
{
    char **f[] = {&t->format, &t->account, &t->collected, &t->partition, &t->regions, &t->errors, &t->ftype,
                  &t->atype,  &t->ctype,   &t->rtype,     &t->restype,   &t->etype,   &t->ptype};
    for (size_t i = 0; i < sizeof f / sizeof *f; i++)
        free(*f[i]);
}

static int read_top(struct inventory *inv, const char *buf, size_t len, const char *name, struct top *t,
                    char *err, size_t errlen)
{
    sqlite3_stmt *st = prep(inv->db,
                            "SELECT key, type, CASE WHEN key IN ('format', 'account_id', "
                            "'collected_at', 'partition', 'regions', 'errors') THEN value END "
                            "FROM json_each(?1)",
                            buf, len, err, errlen);
    if (!st)
        return -1;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        t->seen = 1;
        if (sqlite3_column_type(st, 0) != SQLITE_TEXT) {
            t->not_object = 1;
            continue;
        }
        const char *k = (const char *)sqlite3_column_text(st, 0);
        static const char *const keys[] = {"format",  "account_id", "collected_at", "partition",
                                           "regions", "errors",     "resources"};
        char **vals[] = {&t->format,  &t->account, &t->collected, &t->partition,
                         &t->regions, &t->errors,  NULL};
        char **types[] = {&t->ftype, &t->atype, &t->ctype, &t->ptype, &t->rtype, &t->etype, &t->restype};
        for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
            if (strcmp(k, keys[i]) != 0)
                continue;
            free(*types[i]);
            *types[i] = dup_col(st, 1);
            if (vals[i]) {
                free(*vals[i]);
                *vals[i] = dup_col(st, 2);
            }
        }
    }
    sqlite3_finalize(st);
    if (step != SQLITE_DONE) {
        json_syntax_error(buf, len, name, err, errlen);
        return -1;
    }
    return 0;
}

static int is(const char *type, const char *want) { return type && strcmp(type, want) == 0; }

/* Top-level fields. Fills inv's metadata, and the regions and errors lists as text. */
static int check_top(struct inventory *inv, const char *buf, size_t len, const char *name, char **regions_out,
                     char **errors_out, char *err, size_t errlen)
{
    struct top t = {0};
    int rc = -1;
    time_t now;
    if (read_top(inv, buf, len, name, &t, err, errlen))
        goto out;
    if (t.not_object) {
        snprintf(err, errlen, "%s: not a snapshot (top level is not a JSON object)", name);
    } else if (!is(t.ftype, "text") || strcmp(t.format, SNAPSHOT_FORMAT) != 0) {
        snprintf(err, errlen, "%s: unsupported snapshot format %s%s%s (expected \"%s\")", name,
                 t.format ? "\"" : "", t.format ? t.format : "(missing)", t.format ? "\"" : "",
                 SNAPSHOT_FORMAT);
    } else if (!is(t.atype, "text") || !*t.account) {
        snprintf(err, errlen, "%s: `account_id` must be a non-empty string", name);
    } else if (!is(t.ctype, "text") || time_parse(t.collected, &now) != 0) {
        snprintf(err, errlen, "%s: `collected_at` must be an RFC 3339 timestamp", name);
    } else if (!is(t.rtype, "array")) {
        snprintf(err, errlen, "%s: `regions` must be a list of region names", name);
    } else if (!is(t.restype, "array")) {
        snprintf(err, errlen, "%s: `resources` must be a list", name);
    } else if (t.etype && !is(t.etype, "array") && !is(t.etype, "null")) {
        snprintf(err, errlen, "%s: `errors` must be a list", name);
    } else {
        inv->account_id = xstrdup(t.account);
        inv->partition = xstrdup(is(t.ptype, "text") ? t.partition : "aws");
        inv->collected_at = xstrdup(t.collected);
        inv->now = now;
        *regions_out = t.regions;
        *errors_out = is(t.etype, "array") ? t.errors : xstrdup("[]");
        if (*errors_out != t.errors)
            free(t.errors);
        t.regions = t.errors = NULL;
        rc = 0;
    }
out:
    top_free(&t);
    return rc;
}

static const char resources_insert[] =
    "INSERT INTO resources(type, region, id, arn, ord, bad, data) SELECT "
    "value ->> '$.type', coalesce(nullif(value ->> '$.region', ''), 'global'), value ->> '$.id', "
    "value ->> '$.arn', key, "
    "CASE WHEN type <> 'object' OR json_type(value, '$.type') IS NOT 'text' OR "
    "value ->> '$.type' = '' OR json_type(value, '$.id') IS NOT 'text' OR "
    "coalesce(json_type(value, '$.region'), 'null') NOT IN ('text', 'null') OR "
    "coalesce(json_type(value, '$.arn'), 'null') NOT IN ('text', 'null') THEN 'ids' "
    "WHEN coalesce(json_type(value, '$.data'), 'null') NOT IN ('object', 'null') THEN 'data' END, "
    "CASE json_type(value, '$.data') WHEN 'object' THEN value -> '$.data' ELSE '{}' END "
    "FROM json_each(?1, '$.resources')";

/* Load the resources in one pass over the big document (json_each parses its input each
 * time it is used), and stage the small regions and errors lists, already cut out by
 * check_top, for checking. */
static int stage(struct inventory *inv, const char *buf, size_t len, const char *regions, const char *errors,
                 const char *name, char *err, size_t errlen)
{
    sqlite3_stmt *st = prep(inv->db,
                            "CREATE TEMP TABLE stage AS "
                            "SELECT 1 AS part, key, type AS jt, value FROM json_each(?2) "
                            "UNION ALL SELECT 2, key, type, value FROM json_each(?3)",
                            buf, len, err, errlen);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 2, regions, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, errors, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    sqlite3_finalize(st);
    /* The resources go straight into their table, each with what is wrong with it. */
    if (step == SQLITE_DONE && (st = prep(inv->db, resources_insert, buf, len, err, errlen))) {
        step = sqlite3_step(st);
        sqlite3_finalize(st);
    }
    if (step != SQLITE_DONE && !*err)
        snprintf(err, errlen, "%s: %s", name, sqlite3_errmsg(inv->db));
    return step == SQLITE_DONE ? 0 : -1;
}

/* The first staged entry that breaks its rules, as "list[i]: what". */
static int check_entries(struct inventory *inv, const char *name, char *err, size_t errlen)
{
    static const struct {
        const char *sql, *what;
    } checks[] = {
        {"SELECT key, NULL FROM stage WHERE part = 1 AND (jt <> 'text' OR value = '') "
         "ORDER BY key LIMIT 1",
         "regions[%s]: not a region name"},
        {"SELECT ord, NULL FROM resources WHERE bad = 'ids' ORDER BY ord LIMIT 1",
         "resources[%s]: `type` and `id` must be strings (and `region`/`arn` strings or null)"},
        {"SELECT ord, type || ' ' || id FROM resources WHERE bad = 'data' ORDER BY ord LIMIT 1",
         "resources[%s] (%s): `data` must be an object"},
        {"SELECT key, NULL FROM stage WHERE part = 2 AND (jt <> 'object' OR "
         "json_type(value, '$.service') IS NOT 'text' OR "
         "coalesce(json_type(value, '$.region'), 'text') <> 'text' OR "
         "coalesce(json_type(value, '$.operation'), 'text') <> 'text' OR "
         "coalesce(json_type(value, '$.code'), 'text') <> 'text' OR "
         "coalesce(json_type(value, '$.message'), 'text') <> 'text') ORDER BY key LIMIT 1",
         "errors[%s]: needs string `service` (and string region, operation, code, message)"},
    };
    for (size_t i = 0; i < sizeof checks / sizeof *checks; i++) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(inv->db, checks[i].sql, -1, &st, NULL) != SQLITE_OK) {
            snprintf(err, errlen, "inventory: %s", sqlite3_errmsg(inv->db));
            return -1;
        }
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW) {
            char *key = dup_col(st, 0), *what = dup_col(st, 1);
            char msg[ERRLEN];
            snprintf(msg, sizeof msg, checks[i].what, key ? key : "?", what ? what : "?");
            snprintf(err, errlen, "%s: %s", name, msg);
            free(key);
            free(what);
        } else if (step != SQLITE_DONE) {
            snprintf(err, errlen, "%s: %s", name, sqlite3_errmsg(inv->db));
        }
        sqlite3_finalize(st);
        if (step != SQLITE_DONE)
            return -1;
    }
    return 0;
}

static int load_tables(struct inventory *inv, const char *name, char *err, size_t errlen)
{
    static const char *const inserts[] = {
        "INSERT OR IGNORE INTO regions(name) SELECT value FROM stage WHERE part = 1 ORDER BY key",
        "INSERT INTO collection_errors(service, region, operation, code, message) SELECT "
        "lower(value ->> '$.service'), coalesce(nullif(value ->> '$.region', ''), 'global'), "
        "coalesce(value ->> '$.operation', ''), coalesce(value ->> '$.code', 'Unknown'), "
        "coalesce(value ->> '$.message', '') FROM stage WHERE part = 2 "
        /* AWS's "not configured" answers are facts, not failures (docs/resources.md): a
         * collector that records them anyway must not turn a definite fail into an error */
        "AND coalesce(value ->> '$.code', '') NOT IN ('NoSuchEntity', 'NoSuchBucketPolicy', "
        "'NoSuchPublicAccessBlockConfiguration', 'ServerSideEncryptionConfigurationNotFoundError', "
        "'ObjectLockConfigurationNotFoundError', 'NoSuchLifecycleConfiguration', "
        "'OwnershipControlsNotFoundError', 'NoSuchTagSet', 'ReplicationConfigurationNotFoundError', "
        "'ServiceNotInRegion') "
        "ORDER BY key",
        /* a service not offered in a region is no failure either: its own table, which the
         * evaluation turns into not_applicable findings for that region */
        "INSERT INTO services_not_offered(service, region, message) SELECT DISTINCT "
        "lower(value ->> '$.service'), coalesce(nullif(value ->> '$.region', ''), 'global'), "
        "coalesce(value ->> '$.message', '') FROM stage WHERE part = 2 "
        "AND value ->> '$.code' = 'ServiceNotInRegion'",
        "DROP TABLE stage",
    };
    for (size_t i = 0; i < sizeof inserts / sizeof *inserts; i++) {
        if (sqlite3_exec(inv->db, inserts[i], NULL, NULL, NULL) != SQLITE_OK) {
            snprintf(err, errlen, "%s: %s", name, sqlite3_errmsg(inv->db));
            return -1;
        }
    }
    if (inv->secrets_seen && redact_secrets(inv->db)) {
        snprintf(err, errlen, "%s: redaction failed: %s", name, sqlite3_errmsg(inv->db));
        return -1;
    }
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(inv->db,
                           "INSERT INTO meta(key, value) VALUES ('format', ?1), "
                           "('account_id', ?2), ('partition', ?3), ('collected_at', ?4)",
                           -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "inventory: %s", sqlite3_errmsg(inv->db));
        return -1;
    }
    sqlite3_bind_text(st, 1, SNAPSHOT_FORMAT, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, inv->account_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, inv->partition, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, inv->collected_at, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    sqlite3_finalize(st);
    if (step != SQLITE_DONE) {
        snprintf(err, errlen, "inventory: %s", sqlite3_errmsg(inv->db));
        return -1;
    }
    /* Views for the known types and every well-named type in the snapshot. */
    for (size_t k = 0; k < sizeof known_types / sizeof *known_types; k++)
        if (create_view(inv->db, known_types[k], err, errlen))
            return -1;
    if (sqlite3_prepare_v2(inv->db, "SELECT DISTINCT type FROM resources", -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "inventory: %s", sqlite3_errmsg(inv->db));
        return -1;
    }
    int rc = 0;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        if (t && type_name_ok(t))
            rc = create_view(inv->db, t, err, errlen);
        else if (t)
            log_debug("%s: resource type \"%s\" kept without a view (not aws_[a-z0-9_]+)", name, t);
    }
    sqlite3_finalize(st);
    return rc;
}

/* Regions, resource count and whether the personal-data tag is in use. */
static int read_back(struct inventory *inv)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(inv->db, "SELECT name FROM regions ORDER BY rowid", -1, &st, NULL) != SQLITE_OK)
        return -1;
    while (sqlite3_step(st) == SQLITE_ROW) {
        inv->regions = xrealloc(inv->regions, (inv->nregions + 2) * sizeof *inv->regions);
        inv->regions[inv->nregions++] = xstrdup((const char *)sqlite3_column_text(st, 0));
        inv->regions[inv->nregions] = NULL;
    }
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(inv->db, "SELECT count(*) FROM resources", -1, &st, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        inv->nresources = (size_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    /* Is the personal-data tag used anywhere? Decides the strict default of is_pii(). */
    if (!inv->pii_seen)
        return 0;
    if (sqlite3_prepare_v2(inv->db,
                           "SELECT 1 FROM resources r, json_each(r.data, '$.Tags') t "
                           "WHERE instr(r.data, ?1) > 0 AND json_type(r.data, '$.Tags') = 'array' "
                           "AND t.value->>'Key' = ?1 AND lower(t.value->>'Value') = lower(?2) LIMIT 1",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, inv->pii_key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, inv->pii_value, -1, SQLITE_STATIC);
    inv->pii_in_use = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return 0;
}

static void forget(struct inventory *inv)
{
    free(inv->account_id);
    free(inv->partition);
    free(inv->collected_at);
    inv->account_id = inv->partition = inv->collected_at = NULL;
}

int inv_load_snapshot_buf(struct inventory *inv, const char *buf, size_t len, const char *name, char *err,
                          size_t errlen)
{
    if (inv->account_id) {
        snprintf(err, errlen, "%s: an inventory holds one snapshot", name);
        return -1;
    }
    if (len == 0) {
        snprintf(err, errlen, "%s: empty file, not a snapshot", name);
        return -1;
    }
    char *regions = NULL, *errors = NULL;
    inv->secrets_seen = mentions_secrets(buf, len);
    inv->pii_seen = memmem(buf, len, inv->pii_key, strlen(inv->pii_key)) != NULL;
    if (check_top(inv, buf, len, name, &regions, &errors, err, errlen))
        return -1;
    int rc = exec(inv->db, "BEGIN", err, errlen);
    if (!rc && (stage(inv, buf, len, regions, errors, name, err, errlen) ||
                check_entries(inv, name, err, errlen) || load_tables(inv, name, err, errlen)))
        rc = -1;
    free(regions);
    free(errors);
    if (rc) {
        sqlite3_exec(inv->db, "ROLLBACK", NULL, NULL, NULL);
        forget(inv);
        return -1;
    }
    if (exec(inv->db, "COMMIT", err, errlen) || read_back(inv)) {
        if (!*err)
            snprintf(err, errlen, "inventory: %s", sqlite3_errmsg(inv->db));
        forget(inv);
        return -1;
    }
    return 0;
}

int inv_load_snapshot_file(struct inventory *inv, const char *path, char *err, size_t errlen)
{
    size_t len;
    char *buf = file_read(path, &len, err, errlen);
    if (!buf)
        return -1;
    int rc = inv_load_snapshot_buf(inv, buf, len, strcmp(path, "-") == 0 ? "<stdin>" : path, err, errlen);
    free(buf);
    return rc;
}
