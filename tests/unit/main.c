/* main.c — runs every unit-test group; the exit code is the number of failed tests. */
#include "support.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/aws/aws.h"
#include "../../src/util/util.h"

char *snap_doc(const char *resources, const char *errors)
{
    return xasprintf("{\"format\":\"ansim-snapshot/1\",\"account_id\":\"111122223333\","
                     "\"partition\":\"aws\",\"collected_at\":\"2026-11-01T00:00:00Z\","
                     "\"regions\":[\"ap-northeast-2\"],\"resources\":%s,\"errors\":%s}",
                     resources ? resources : "[]", errors ? errors : "[]");
}

struct inventory *load_inv(const char *doc)
{
    struct inventory *inv = NULL;
    char err[ERRLEN] = "";
    assert_int_equal(inv_open(&inv, err, sizeof err), 0);
    if (inv_load_snapshot_buf(inv, doc, strlen(doc), "test", err, sizeof err) != 0)
        fail_msg("load failed: %s", err);
    return inv;
}

char *sql_text(struct inventory *inv, const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(inv_db(inv), sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("SQL error in %s: %s", sql, sqlite3_errmsg(inv_db(inv)));
    char *out = NULL;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        out = xstrdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return out;
}

long long sql_int(struct inventory *inv, const char *sql)
{
    char *s = sql_text(inv, sql);
    long long v = s ? atoll(s) : -1;
    free(s);
    return v;
}

json_t *from_json(const char *service, const char *op, const char *body)
{
    char err[ERRLEN] = "";
    json_t *v = aws_json_to_json(service, op, body, strlen(body), err, sizeof err);
    if (!v)
        fail_msg("%s:%s: %s", service, op, err);
    return v;
}

json_t *from_xml(const char *service, const char *op, const char *body)
{
    char err[ERRLEN] = "";
    json_t *v = aws_xml_to_json(service, op, body, strlen(body), err, sizeof err);
    if (!v)
        fail_msg("%s:%s: %s", service, op, err);
    return v;
}

const char *str_at(json_t *v, const char *path)
{
    json_t *cur = v;
    char *copy = xstrdup(path), *save = NULL;
    for (char *t = strtok_r(copy, ".", &save); t && cur; t = strtok_r(NULL, ".", &save))
        cur = (*t >= '0' && *t <= '9') ? json_array_get(cur, (size_t)atoi(t)) : json_object_get(cur, t);
    free(copy);
    return json_string_value(cur);
}

void load_builtin(struct catalogue *cat)
{
    char err[ERRLEN] = "";
    cat_init(cat);
    if (cat_load_builtin(cat, err, sizeof err) || cat_finalize(cat, err, sizeof err))
        fail_msg("built-in catalogue: %s", err);
}

int main(void)
{
    int failed = 0;
    failed += run_util_tests();
    failed += run_inventory_tests();
    failed += run_sqlfunc_tests();
    failed += run_catalogue_tests();
    failed += run_eval_tests();
    failed += run_fixture_tests();
    failed += run_report_tests();
    failed += run_history_tests();
    failed += run_sigv4_tests();
    failed += run_creds_tests();
    failed += run_aws_tests();
    failed += run_iam_tests();
    failed += run_iam_actions_tests();
    failed += run_iam_account_tests();
    failed += run_iam_hostile_tests();
    failed += run_collect_compute_tests();
    failed += run_profile_tests();
    failed += run_wsprices_tests();
    failed += run_collect_acct_tests();
    failed += run_collect_edge_tests();
    failed += run_detect_tests();
    failed += run_sepnet_tests();
    failed += run_logs_tests();
    failed += run_trail_scan_tests();
    failed += run_trail_verify_tests();
    failed += run_trail_fetch_tests();
    failed += run_trail_report_tests();
    failed += run_trail_sigma_tests();
    failed += run_baseline_tests();
    return failed ? 1 : 0;
}
