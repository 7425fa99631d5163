/*
 * snapshot.c — reading an ansim-snapshot/1 document into the inventory.
 *
 * The document is parsed with jansson, validated field by field (errors name the
 * resource index and field), secrets are redacted, and everything is inserted in one
 * SQLite transaction: a bad snapshot loads nothing.
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
    "aws_iam_account_summary", "aws_iam_password_policy", "aws_iam_credential_report",
    "aws_iam_user", "aws_iam_group", "aws_iam_role", "aws_iam_policy",
    "aws_s3_account_public_access_block", "aws_s3_bucket", "aws_ec2_region",
    "aws_ebs_encryption_by_default", "aws_ec2_vpc", "aws_vpc_flow_log",
    "aws_ec2_security_group", "aws_ec2_instance", "aws_rds_db_instance",
    "aws_cloudtrail_trail", "aws_kms_key",
};

/* Keys whose values are secrets wherever they appear: never stored, never reported. */
static const char *const secret_keys[] = {
    "SecretAccessKey", "SessionToken", "Password", "MasterUserPassword", "SecretString",
    "SecretBinary", "AuthToken", "PrivateKey", "aws_secret_access_key", "aws_session_token",
    "NewPassword", "OldPassword",
};

static int is_secret_key(const char *k)
{
    for (size_t i = 0; i < sizeof secret_keys / sizeof *secret_keys; i++)
        if (strcmp(k, secret_keys[i]) == 0)
            return 1;
    return 0;
}

/* Replace secret values by "REDACTED", recursively. Depth-limited against hostile input
 * (jansson itself limits nesting depth while parsing). */
static void redact(json_t *v, int depth)
{
    if (depth > 256)
        return;
    if (json_is_object(v)) {
        const char *k;
        json_t *child;
        json_object_foreach(v, k, child) {
            if (is_secret_key(k) && !json_is_null(child))
                json_object_set_new(v, k, json_string("REDACTED"));
            else
                redact(child, depth + 1);
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *child;
        json_array_foreach(v, i, child) redact(child, depth + 1);
    }
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

static const char *opt_string(json_t *obj, const char *key, int *bad)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_string(v)) {
        *bad = 1;
        return NULL;
    }
    return json_string_value(v);
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

static int insert_meta(sqlite3 *db, const char *k, const char *v)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", -1, &st,
                           NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, v, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(st);
    return rc;
}

/* Insert the resources; on error err names the resource index and field. */
static int load_resources(struct inventory *inv, json_t *list, const char *name, char *err,
                          size_t errlen)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(inv->db,
                           "INSERT INTO resources(type, region, id, arn, data) VALUES (?,?,?,?,?)",
                           -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "inventory: %s", sqlite3_errmsg(inv->db));
        return -1;
    }
    size_t i;
    json_t *r;
    int rc = 0;
    json_array_foreach(list, i, r) {
        int bad = 0;
        if (!json_is_object(r)) {
            snprintf(err, errlen, "%s: resources[%zu]: not an object", name, i);
            rc = -1;
            break;
        }
        const char *type = opt_string(r, "type", &bad);
        const char *id = opt_string(r, "id", &bad);
        const char *region = opt_string(r, "region", &bad);
        const char *arn = opt_string(r, "arn", &bad);
        json_t *data = json_object_get(r, "data");
        if (bad || !type || !*type || !id) {
            snprintf(err, errlen, "%s: resources[%zu]: `type` and `id` must be strings%s", name, i,
                     bad ? " (and `region`/`arn` strings or null)" : "");
            rc = -1;
            break;
        }
        if (data && !json_is_object(data) && !json_is_null(data)) {
            snprintf(err, errlen, "%s: resources[%zu] (%s %s): `data` must be an object", name, i,
                     type, id);
            rc = -1;
            break;
        }
        char *text = NULL;
        if (data && json_is_object(data)) {
            redact(data, 0);
            text = json_dumps(data, JSON_COMPACT | JSON_ENCODE_ANY);
        }
        sqlite3_bind_text(st, 1, type, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, region && *region ? region : "global", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, id, -1, SQLITE_STATIC);
        if (arn)
            sqlite3_bind_text(st, 4, arn, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, 4);
        sqlite3_bind_text(st, 5, text ? text : "{}", -1, SQLITE_STATIC);
        int step = sqlite3_step(st);
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        free(text);
        if (step != SQLITE_DONE) {
            snprintf(err, errlen, "%s: resources[%zu]: %s", name, i, sqlite3_errmsg(inv->db));
            rc = -1;
            break;
        }
        inv->nresources++;
    }
    sqlite3_finalize(st);
    return rc;
}

static int load_errors(struct inventory *inv, json_t *list, const char *name, char *err,
                       size_t errlen)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(inv->db,
                           "INSERT INTO collection_errors(service, region, operation, code, "
                           "message) VALUES (lower(?),?,?,?,?)",
                           -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "inventory: %s", sqlite3_errmsg(inv->db));
        return -1;
    }
    size_t i;
    json_t *e;
    int rc = 0;
    json_array_foreach(list, i, e) {
        int bad = 0;
        const char *f[5] = {NULL};
        const char *keys[5] = {"service", "region", "operation", "code", "message"};
        if (!json_is_object(e))
            bad = 1;
        for (int k = 0; k < 5 && !bad; k++)
            f[k] = opt_string(e, keys[k], &bad);
        if (bad || !f[0]) {
            snprintf(err, errlen, "%s: errors[%zu]: needs string `service` (and string region, "
                                  "operation, code, message)", name, i);
            rc = -1;
            break;
        }
        sqlite3_bind_text(st, 1, f[0], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, f[1] && *f[1] ? f[1] : "global", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, f[2] ? f[2] : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, f[3] ? f[3] : "Unknown", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, f[4] ? f[4] : "", -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE) {
            snprintf(err, errlen, "%s: errors[%zu]: %s", name, i, sqlite3_errmsg(inv->db));
            rc = -1;
        }
        sqlite3_reset(st);
        if (rc)
            break;
    }
    sqlite3_finalize(st);
    return rc;
}

static int load_doc(struct inventory *inv, json_t *doc, const char *name, char *err, size_t errlen)
{
    if (!json_is_object(doc)) {
        snprintf(err, errlen, "%s: not a snapshot (top level is not a JSON object)", name);
        return -1;
    }
    int bad = 0;
    const char *format = opt_string(doc, "format", &bad);
    if (!format || strcmp(format, SNAPSHOT_FORMAT) != 0) {
        snprintf(err, errlen, "%s: unsupported snapshot format %s%s%s (expected \"%s\")", name,
                 format ? "\"" : "", format ? format : "(missing)", format ? "\"" : "",
                 SNAPSHOT_FORMAT);
        return -1;
    }
    const char *account = opt_string(doc, "account_id", &bad);
    const char *partition = opt_string(doc, "partition", &bad);
    const char *collected = opt_string(doc, "collected_at", &bad);
    if (bad || !account || !*account) {
        snprintf(err, errlen, "%s: `account_id` must be a non-empty string", name);
        return -1;
    }
    time_t now;
    if (!collected || time_parse(collected, &now) != 0) {
        snprintf(err, errlen, "%s: `collected_at` must be an RFC 3339 timestamp", name);
        return -1;
    }
    json_t *regions = json_object_get(doc, "regions");
    json_t *resources = json_object_get(doc, "resources");
    json_t *errors = json_object_get(doc, "errors");
    if (!json_is_array(regions)) {
        snprintf(err, errlen, "%s: `regions` must be a list of region names", name);
        return -1;
    }
    if (!json_is_array(resources)) {
        snprintf(err, errlen, "%s: `resources` must be a list", name);
        return -1;
    }
    if (errors && !json_is_null(errors) && !json_is_array(errors)) {
        snprintf(err, errlen, "%s: `errors` must be a list", name);
        return -1;
    }
    size_t i;
    json_t *r;
    json_array_foreach(regions, i, r) {
        if (!json_is_string(r) || !*json_string_value(r)) {
            snprintf(err, errlen, "%s: regions[%zu]: not a region name", name, i);
            return -1;
        }
    }

    if (exec(inv->db, "BEGIN", err, errlen))
        return -1;
    int rc = 0;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(inv->db, "INSERT OR IGNORE INTO regions(name) VALUES (?)", -1, &st,
                           NULL) != SQLITE_OK)
        rc = -1;
    json_array_foreach(regions, i, r) {
        if (rc)
            break;
        sqlite3_bind_text(st, 1, json_string_value(r), -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = -1;
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    if (rc)
        snprintf(err, errlen, "inventory: %s", sqlite3_errmsg(inv->db));
    if (!rc)
        rc = load_resources(inv, resources, name, err, errlen);
    if (!rc && json_is_array(errors))
        rc = load_errors(inv, errors, name, err, errlen);
    if (!rc && (insert_meta(inv->db, "format", format) || insert_meta(inv->db, "account_id", account) ||
                insert_meta(inv->db, "partition", partition ? partition : "aws") ||
                insert_meta(inv->db, "collected_at", collected))) {
        snprintf(err, errlen, "inventory: %s", sqlite3_errmsg(inv->db));
        rc = -1;
    }
    /* Views for the known types and every well-named type in the snapshot. */
    for (size_t k = 0; !rc && k < sizeof known_types / sizeof *known_types; k++)
        rc = create_view(inv->db, known_types[k], err, errlen);
    if (!rc) {
        sqlite3_stmt *ts;
        if (sqlite3_prepare_v2(inv->db, "SELECT DISTINCT type FROM resources", -1, &ts, NULL) !=
            SQLITE_OK) {
            snprintf(err, errlen, "inventory: %s", sqlite3_errmsg(inv->db));
            rc = -1;
        } else {
            while (!rc && sqlite3_step(ts) == SQLITE_ROW) {
                const char *t = (const char *)sqlite3_column_text(ts, 0);
                if (t && type_name_ok(t))
                    rc = create_view(inv->db, t, err, errlen);
                else if (t)
                    log_debug("%s: resource type \"%s\" kept without a view (not aws_[a-z0-9_]+)",
                              name, t);
            }
            sqlite3_finalize(ts);
        }
    }
    if (rc) {
        sqlite3_exec(inv->db, "ROLLBACK", NULL, NULL, NULL);
        inv->nresources = 0;
        return -1;
    }
    if (exec(inv->db, "COMMIT", err, errlen))
        return -1;

    inv->account_id = xstrdup(account);
    inv->partition = xstrdup(partition ? partition : "aws");
    inv->collected_at = xstrdup(collected);
    inv->now = now;
    inv->nregions = json_array_size(regions);
    inv->regions = xcalloc(inv->nregions + 1, sizeof *inv->regions);
    json_array_foreach(regions, i, r) inv->regions[i] = xstrdup(json_string_value(r));

    /* Is the personal-data tag used anywhere? Decides the strict default of is_pii(). */
    sqlite3_stmt *ps;
    if (sqlite3_prepare_v2(inv->db,
                           "SELECT 1 FROM resources r, json_each(r.data, '$.Tags') t "
                           "WHERE json_type(r.data, '$.Tags') = 'array' AND t.value->>'Key' = ? "
                           "AND lower(t.value->>'Value') = lower(?) LIMIT 1",
                           -1, &ps, NULL) == SQLITE_OK) {
        sqlite3_bind_text(ps, 1, inv->pii_key, -1, SQLITE_STATIC);
        sqlite3_bind_text(ps, 2, inv->pii_value, -1, SQLITE_STATIC);
        inv->pii_in_use = sqlite3_step(ps) == SQLITE_ROW;
        sqlite3_finalize(ps);
    }
    return 0;
}

int inv_load_snapshot_buf(struct inventory *inv, const char *buf, size_t len, const char *name,
                          char *err, size_t errlen)
{
    if (inv->account_id) {
        snprintf(err, errlen, "%s: an inventory holds one snapshot", name);
        return -1;
    }
    json_error_t je;
    json_t *doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
    if (!doc) {
        if (len == 0)
            snprintf(err, errlen, "%s: empty file, not a snapshot", name);
        else
            snprintf(err, errlen, "%s:%d:%d: malformed JSON: %s", name, je.line, je.column,
                     je.text);
        return -1;
    }
    int rc = load_doc(inv, doc, name, err, errlen);
    json_decref(doc);
    return rc;
}

int inv_load_snapshot_file(struct inventory *inv, const char *path, char *err, size_t errlen)
{
    size_t len;
    char *buf = file_read(path, &len, err, errlen);
    if (!buf)
        return -1;
    int rc = inv_load_snapshot_buf(inv, buf, len, strcmp(path, "-") == 0 ? "<stdin>" : path, err,
                                   errlen);
    free(buf);
    return rc;
}
