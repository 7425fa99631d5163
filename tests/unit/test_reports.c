/* test_reports.c — every report format renders the same scan faithfully. */
#include "support.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/report/report.h"
#include "../../src/util/util.h"

static struct catalogue cat;
static struct scan_result res;

/* A small account: one public, unencrypted bucket; no trail; nothing else. */
static int setup(void **state)
{
    (void)state;
    char err[ERRLEN] = "";
    cat_init(&cat);
    if (cat_load_builtin(&cat, err, sizeof err) || cat_finalize(&cat, err, sizeof err))
        return -1;
    char *doc = snap_doc(
        "[{\"type\":\"aws_s3_bucket\",\"region\":\"ap-northeast-2\",\"id\":\"pics<&>\\\"\\u0001\","
        "\"arn\":\"arn:aws:s3:::pics\",\"data\":{\"Name\":\"pics\",\"Acl\":{\"Grants\":[{\"Grantee\":"
        "{\"Type\":\"Group\",\"URI\":\"http://acs.amazonaws.com/groups/global/AllUsers\"},"
        "\"Permission\":\"READ\"}]},\"Tags\":[]}}]",
        NULL);
    struct inventory *inv = NULL;
    int rc =
        inv_open(&inv, err, sizeof err) || inv_load_snapshot_buf(inv, doc, strlen(doc), "t", err, sizeof err);
    struct selection sel = {0};
    memset(&res, 0, sizeof res);
    strcpy(res.meta.id, "0123456789abcdef0123456789abcdef");
    strcpy(res.meta.started_at, "2026-11-01T00:00:00Z");
    strcpy(res.meta.finished_at, "2026-11-01T00:00:01Z");
    res.meta.source = xstrdup("snapshot");
    if (!rc)
        rc = eval_run(&cat, inv, &sel, &res, err, sizeof err);
    inv_close(inv);
    free(doc);
    if (rc)
        fprintf(stderr, "setup: %s\n", err);
    return rc ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    scan_result_free(&res);
    cat_free(&cat);
    return 0;
}

static char *render(enum report_format f, enum lang l)
{
    struct report_ctx ctx = {&res, &cat, l, 0};
    struct strbuf sb;
    char err[ERRLEN];
    sb_init(&sb);
    assert_int_equal(report_render(f, &ctx, &sb, err, sizeof err), 0);
    return sb_detach(&sb);
}

static void json_report_follows_the_schema(void **state)
{
    (void)state;
    char *text = render(FMT_JSON, LANG_EN);
    json_error_t je;
    json_t *root = json_loads(text, 0, &je);
    assert_non_null(root);
    assert_string_equal(json_string_value(json_object_get(json_object_get(root, "tool"), "name")), "ansim");
    json_t *scan = json_object_get(root, "scan");
    assert_string_equal(json_string_value(json_object_get(scan, "source")), "snapshot");
    assert_string_equal(json_string_value(json_object_get(scan, "account_id")), "111122223333");
    json_t *summary = json_object_get(root, "summary");
    const char *keys[] = {"pass", "fail", "error", "manual", "not_applicable", "score", "by_area"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        assert_non_null(json_object_get(summary, keys[i]));
    const char *areas[] = {"iam", "detection", "infrastructure", "data_protection", "incident_response"};
    for (size_t i = 0; i < 5; i++)
        assert_non_null(json_object_get(json_object_get(summary, "by_area"), areas[i]));
    json_t *findings = json_object_get(root, "findings");
    assert_int_equal(json_array_size(findings), res.nfindings);
    size_t i;
    json_t *f;
    size_t fails = 0;
    json_array_foreach(findings, i, f)
    {
        const char *fk[] = {"control_id",    "status",      "severity", "area",   "title",
                            "resource_type", "resource_id", "region",   "reason", "frameworks"};
        for (size_t k = 0; k < sizeof fk / sizeof *fk; k++)
            if (!json_object_get(f, fk[k]))
                fail_msg("finding %zu lacks %s", i, fk[k]);
        fails += strcmp(json_string_value(json_object_get(f, "status")), "fail") == 0;
    }
    assert_int_equal(fails, res.total.n[ST_FAIL]);
    assert_int_equal(json_integer_value(json_object_get(summary, "fail")), (json_int_t)fails);
    /* the public bucket is reported by s3.bucket_public */
    int seen = 0;
    json_array_foreach(findings, i, f) seen |=
        strcmp(json_string_value(json_object_get(f, "control_id")), "s3.bucket_public") == 0 &&
        strcmp(json_string_value(json_object_get(f, "status")), "fail") == 0;
    assert_true(seen);
    assert_true(json_array_size(json_object_get(root, "frameworks")) >= 4);
    /* awkward characters in data come back exactly */
    int exact = 0;
    json_array_foreach(findings, i, f) exact |=
        strcmp(json_string_value(json_object_get(f, "resource_type")), "aws_s3_bucket") == 0 &&
        strcmp(json_string_value(json_object_get(f, "resource_id")), "pics<&>\"\001") == 0;
    assert_true(exact);
    assert_true(json_is_real(json_object_get(summary, "score")));
    /* the account-level incident-response controls always report (pass, fail or error) */
    assert_true(json_is_real(
        json_object_get(json_object_get(json_object_get(summary, "by_area"), "incident_response"), "score")));
    assert_true(json_is_real(
        json_object_get(json_object_get(json_object_get(summary, "by_area"), "data_protection"), "score")));
    json_decref(root);
    free(text);
}

static void sarif_report_is_valid_2_1_0(void **state)
{
    (void)state;
    char *text = render(FMT_SARIF, LANG_EN);
    json_t *root = json_loads(text, 0, NULL);
    assert_non_null(root);
    assert_string_equal(json_string_value(json_object_get(root, "version")), "2.1.0");
    json_t *run = json_array_get(json_object_get(root, "runs"), 0);
    json_t *rules = json_object_get(json_object_get(json_object_get(run, "tool"), "driver"), "rules");
    assert_int_equal(json_array_size(rules), res.ncontrols);
    json_t *results = json_object_get(run, "results");
    assert_int_equal(json_array_size(results), res.total.n[ST_FAIL] + res.total.n[ST_ERROR]);
    size_t i;
    json_t *r;
    json_array_foreach(results, i, r)
    {
        json_int_t idx = json_integer_value(json_object_get(r, "ruleIndex"));
        json_t *rule = json_array_get(rules, (size_t)idx);
        assert_string_equal(json_string_value(json_object_get(rule, "id")),
                            json_string_value(json_object_get(r, "ruleId")));
        json_t *loc = json_array_get(json_object_get(r, "locations"), 0);
        const char *uri = json_string_value(json_object_get(
            json_object_get(json_object_get(loc, "physicalLocation"), "artifactLocation"), "uri"));
        assert_non_null(uri);
        assert_null(strchr(uri, '<')); /* resource ids are percent-encoded */
        const char *level = json_string_value(json_object_get(r, "level"));
        assert_true(!strcmp(level, "error") || !strcmp(level, "warning") || !strcmp(level, "note"));
    }
    json_decref(root);
    free(text);
}

static void csv_has_one_row_per_finding(void **state)
{
    (void)state;
    char *text = render(FMT_CSV, LANG_EN);
    size_t lines = 0;
    for (char *p = text; (p = strstr(p, "\r\n")); p += 2)
        lines++;
    assert_int_equal(lines, res.nfindings + 1);
    assert_int_equal(strncmp(text, "control_id,status,severity,area,title", 37), 0);
    free(text);
}

static void tty_lists_failures_in_both_languages(void **state)
{
    (void)state;
    char *en = render(FMT_TTY, LANG_EN), *ko = render(FMT_TTY, LANG_KO);
    assert_non_null(strstr(en, "Score"));
    assert_non_null(strstr(en, "s3.bucket_public"));
    assert_null(strstr(en, "\033[")); /* no colour unless asked */
    assert_non_null(strstr(ko, "점수"));
    assert_non_null(strstr(ko, "조치가 필요한 항목"));
    free(en);
    free(ko);
}

static void html_is_self_contained_and_escaped(void **state)
{
    (void)state;
    char *html = render(FMT_HTML, LANG_KO);
    assert_non_null(strstr(html, "<html"));
    assert_non_null(strstr(html, "lang=\"ko\""));
    assert_null(strstr(html, "src=\"http"));
    assert_null(strstr(html, "href=\"http"));
    assert_null(strstr(html, "pics<&>")); /* escaped */
    assert_non_null(strstr(html, "pics&lt;&amp;&gt;"));
    free(html);
}

int run_report_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json_report_follows_the_schema),
        cmocka_unit_test(sarif_report_is_valid_2_1_0),
        cmocka_unit_test(csv_has_one_row_per_finding),
        cmocka_unit_test(tty_lists_failures_in_both_languages),
        cmocka_unit_test(html_is_self_contained_and_escaped),
    };
    return cmocka_run_group_tests_name("reports", tests, setup, teardown);
}
