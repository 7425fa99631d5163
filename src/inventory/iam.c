/*
 * iam.c — the inventory's IAM model for the engine (src/iam): built from the loaded
 * snapshot on first use and kept with the inventory, and the SQL functions that let
 * controls ask it: iam_decision(principal, action, resource), iam_allowed(...),
 * iam_conditions(...), iam_who_can(action, resource), iam_scope(), iam_escalation(principal),
 * iam_is_admin(principal) and iam_problems().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../iam/iam.h"
#include "../util/util.h"
#include "inventory_internal.h"

/* The resources the model reads: IAM, organization policies, resource policies, and any
 * resource with tags (for aws:ResourceTag and the personal-data tag). */
static const char *const model_sql =
    "SELECT type, arn, data FROM resources WHERE type IN ('aws_iam_user', 'aws_iam_group', 'aws_iam_role', "
    "'aws_iam_policy', 'aws_iam_aws_managed_policy', 'aws_organizations_policy_path', 'aws_s3_bucket', "
    "'aws_kms_key') OR json_type(data, '$.Tags') IS NOT NULL OR json_type(data, '$.TagList') IS NOT NULL "
    "OR json_type(data, '$.TagSet') IS NOT NULL";

struct iam_account *inv_iam_account(struct inventory *inv, char *err, size_t errlen)
{
    if (inv->iam)
        return inv->iam;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(inv->db, model_sql, -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "inventory: %s", sqlite3_errmsg(inv->db));
        return NULL;
    }
    struct iam_account *a = iam_account_new(inv->account_id ? inv->account_id : "");
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *type = (const char *)sqlite3_column_text(st, 0);
        const char *arn = (const char *)sqlite3_column_text(st, 1);
        const char *text = (const char *)sqlite3_column_text(st, 2);
        json_t *data = text ? json_loads(text, 0, NULL) : NULL;
        if (type && data)
            iam_account_add(a, type, arn, data);
        json_decref(data);
    }
    sqlite3_finalize(st);
    iam_account_finish(a);
    inv->iam = a;
    return a;
}

/* ---- SQL functions ---- */

static int ask(sqlite3_context *ctx, sqlite3_value **argv, struct iam_result *res)
{
    struct inventory *inv = sqlite3_user_data(ctx);
    char err[512];
    const char *p = (const char *)sqlite3_value_text(argv[0]);
    const char *action = (const char *)sqlite3_value_text(argv[1]);
    const char *resource = (const char *)sqlite3_value_text(argv[2]);
    if (!p || !action || !resource)
        return 1; /* NULL in, NULL out */
    struct iam_account *a = inv_iam_account(inv, err, sizeof err);
    if (!a || iam_account_can(a, p, action, resource, NULL, res, err, sizeof err)) {
        sqlite3_result_error(ctx, err, -1);
        return -1;
    }
    return 0;
}

static void fn_iam_decision(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    struct iam_result res;
    int rc = ask(ctx, argv, &res);
    if (rc == 1)
        sqlite3_result_null(ctx);
    if (rc)
        return;
    sqlite3_result_text(ctx, iam_decision_name(res.decision), -1, SQLITE_STATIC);
    json_decref(res.matched);
    json_decref(res.conditions);
}

static void fn_iam_allowed(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    struct iam_result res;
    int rc = ask(ctx, argv, &res);
    if (rc == 1)
        sqlite3_result_null(ctx);
    if (rc)
        return;
    sqlite3_result_int(ctx, res.decision == IAM_ALLOW);
    json_decref(res.matched);
    json_decref(res.conditions);
}

static void result_json(sqlite3_context *ctx, const json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT);
    if (s)
        sqlite3_result_text(ctx, s, -1, free);
    else
        sqlite3_result_null(ctx);
}

static void fn_iam_conditions(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    struct iam_result res;
    int rc = ask(ctx, argv, &res);
    if (rc == 1)
        sqlite3_result_null(ctx);
    if (rc)
        return;
    json_t *c = res.conditions ? res.conditions : json_array();
    result_json(ctx, c);
    if (!res.conditions)
        json_decref(c);
    json_decref(res.matched);
    json_decref(res.conditions);
}

/* The result of a function that builds JSON: the text, or the error (v NULL). Frees v. */
static void result_or_error(sqlite3_context *ctx, json_t *v, const char *err)
{
    if (!v) {
        sqlite3_result_error(ctx, err, -1);
        return;
    }
    result_json(ctx, v);
    json_decref(v);
}

static void fn_iam_who_can(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    struct inventory *inv = sqlite3_user_data(ctx);
    const char *action = (const char *)sqlite3_value_text(argv[0]);
    const char *resource = (const char *)sqlite3_value_text(argv[1]);
    char err[512];
    if (!action || !resource) {
        sqlite3_result_null(ctx);
        return;
    }
    struct iam_account *a = inv_iam_account(inv, err, sizeof err);
    result_or_error(ctx, a ? iam_account_who_can(a, action, resource, 0, NULL, err, sizeof err) : NULL, err);
}

static void fn_iam_problems(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    (void)argv;
    struct inventory *inv = sqlite3_user_data(ctx);
    char err[512];
    struct iam_account *a = inv_iam_account(inv, err, sizeof err);
    if (!a) {
        sqlite3_result_error(ctx, err, -1);
        return;
    }
    result_json(ctx, iam_account_problems(a));
}

/* iam_scope(): the network-separation scope over the personal-data tag, as JSON */
static void fn_iam_scope(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    (void)argv;
    struct inventory *inv = sqlite3_user_data(ctx);
    char err[512];
    struct iam_account *a = inv_iam_account(inv, err, sizeof err);
    result_or_error(
        ctx, a ? iam_account_scope(a, inv->pii_key, inv->pii_value, NULL, 0, err, sizeof err) : NULL, err);
}

/* iam_escalation(principal): the privilege-escalation paths, as a JSON array */
static void fn_iam_escalation(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    struct inventory *inv = sqlite3_user_data(ctx);
    const char *p = (const char *)sqlite3_value_text(argv[0]);
    char err[512];
    if (!p) {
        sqlite3_result_null(ctx);
        return;
    }
    struct iam_account *a = inv_iam_account(inv, err, sizeof err);
    result_or_error(ctx, a ? iam_account_escalation(a, p, err, sizeof err) : NULL, err);
}

/* iam_is_admin(principal): 1 when the principal is an effective administrator */
static void fn_iam_is_admin(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    struct inventory *inv = sqlite3_user_data(ctx);
    const char *p = (const char *)sqlite3_value_text(argv[0]);
    char err[512];
    if (!p) {
        sqlite3_result_null(ctx);
        return;
    }
    struct iam_account *a = inv_iam_account(inv, err, sizeof err);
    int r = a ? iam_account_is_admin(a, p, err, sizeof err) : -1;
    if (r < 0)
        sqlite3_result_error(ctx, err, -1);
    else
        sqlite3_result_int(ctx, r);
}

int inv_register_iam_functions(sqlite3 *db, struct inventory *inv)
{
    static const struct {
        const char *name;
        int nargs;
        void (*fn)(sqlite3_context *, int, sqlite3_value **);
    } fns[] = {
        {"iam_decision", 3, fn_iam_decision},     {"iam_allowed", 3, fn_iam_allowed},
        {"iam_conditions", 3, fn_iam_conditions}, {"iam_who_can", 2, fn_iam_who_can},
        {"iam_problems", 0, fn_iam_problems},     {"iam_scope", 0, fn_iam_scope},
        {"iam_escalation", 1, fn_iam_escalation}, {"iam_is_admin", 1, fn_iam_is_admin},
    };
    for (size_t i = 0; i < sizeof fns / sizeof *fns; i++)
        if (sqlite3_create_function(db, fns[i].name, fns[i].nargs, SQLITE_UTF8, inv, fns[i].fn, NULL, NULL) !=
            SQLITE_OK)
            return -1;
    return 0;
}
