/* test_eval.c — evaluation rules: errors never pass, bad queries, scoring, frameworks. */
#include "support.h"

#include "../../src/aws/aws.h"

#include <stdlib.h>
#include <string.h>

#include "../../src/util/util.h"

static const char fw_yaml[] =
    "id: f\ntitle: {en: F, ko: 에프}\nrequirements:\n"
    "  - id: \"1\"\n    title: {en: One, ko: 하나}\n"
    "  - id: \"2\"\n    title: {en: Two, ko: 둘}\n    evidence: {en: Show the paper, ko: 문서}\n";

/* A control over aws_s3_bucket with the given severity, requires and query. */
static void add_control(struct catalogue *cat, const char *id, const char *sev, const char *requires,
                        const char *query)
{
    char err[ERRLEN] = "";
    char *y = xasprintf("id: %s\ntitle: {en: T, ko: 티}\nrationale: {en: R, ko: 알}\nseverity: %s\n"
                        "area: data_protection\nresource_type: aws_s3_bucket\nrequires: [%s]\n"
                        "frameworks: {f: [\"1\"]}\nremediation: {en: Fix, ko: 조치}\nquery: |\n  %s\n",
                        id, sev, requires, query);
    if (cat_load_yaml(cat, id, y, strlen(y), err, sizeof err))
        fail_msg("%s", err);
    free(y);
}

static const char buckets[] =
    "[{\"type\":\"aws_s3_bucket\",\"region\":\"ap-northeast-2\",\"id\":\"good\",\"data\":{\"Ok\":true}},"
    " {\"type\":\"aws_s3_bucket\",\"region\":\"ap-northeast-2\",\"id\":\"bad\",\"data\":{\"Ok\":false}},"
    " {\"type\":\"aws_s3_bucket\",\"region\":\"us-east-1\",\"id\":\"far\",\"data\":{\"Ok\":true}}]";

static const char ok_query[] =
    "SELECT CASE WHEN data->>'$.Ok' THEN 'pass' ELSE 'fail' END AS status, id AS resource_id, "
    "region, 'because' AS reason FROM aws_s3_bucket";

static void run(struct catalogue *cat, const char *errors, struct scan_result *res)
{
    char err[ERRLEN] = "";
    cat_load_yaml(cat, "f.yaml", fw_yaml, strlen(fw_yaml), err, sizeof err);
    if (cat_finalize(cat, err, sizeof err))
        fail_msg("%s", err);
    char *doc = snap_doc(buckets, errors);
    struct inventory *inv = load_inv(doc);
    struct selection sel = {0};
    memset(res, 0, sizeof *res);
    assert_int_equal(eval_run(cat, inv, &sel, res, err, sizeof err), 0);
    inv_close(inv);
    free(doc);
}

static const struct finding *find(const struct scan_result *res, const char *id)
{
    for (size_t i = 0; i < res->nfindings; i++)
        if (strcmp(res->findings[i].resource_id, id) == 0)
            return &res->findings[i];
    return NULL;
}

static void regional_collection_error_turns_passes_into_errors(void **state)
{
    (void)state;
    struct catalogue cat;
    struct scan_result res;
    cat_init(&cat);
    add_control(&cat, "t.a", "high", "s3:GetBucketEncryption", ok_query);
    run(&cat,
        "[{\"service\":\"s3\",\"region\":\"ap-northeast-2\",\"operation\":\"GetBucketEncryption\","
        "\"code\":\"AccessDenied\",\"message\":\"denied\"}]",
        &res);
    assert_int_equal(find(&res, "good")->status, ST_ERROR); /* pass in the failed region */
    assert_non_null(strstr(find(&res, "good")->reason, "AccessDenied"));
    assert_int_equal(find(&res, "bad")->status, ST_FAIL); /* a real failure stays */
    assert_int_equal(find(&res, "far")->status, ST_PASS); /* other region unaffected */
    assert_int_equal(res.total.n[ST_ERROR], 2);           /* + the error finding itself */
    assert_non_null(find(&res, "111122223333"));
    scan_result_free(&res);
    cat_free(&cat);
}

static void global_error_and_wildcard_operation(void **state)
{
    (void)state;
    struct catalogue cat;
    struct scan_result res;
    cat_init(&cat);
    add_control(&cat, "t.a", "high", "s3:*", ok_query);
    run(&cat,
        "[{\"service\":\"s3\",\"region\":\"global\",\"operation\":\"ListBuckets\","
        "\"code\":\"Throttling\",\"message\":\"slow down\"}]",
        &res);
    assert_int_equal(res.total.n[ST_PASS], 0);
    assert_int_equal(find(&res, "far")->status, ST_ERROR);
    /* an unrelated service's error changes nothing */
    scan_result_free(&res);
    cat_free(&cat);
    cat_init(&cat);
    add_control(&cat, "t.a", "high", "s3:GetBucketEncryption", ok_query);
    run(&cat,
        "[{\"service\":\"kms\",\"region\":\"global\",\"operation\":\"ListKeys\","
        "\"code\":\"Throttling\",\"message\":\"x\"}]",
        &res);
    assert_int_equal(res.total.n[ST_ERROR], 0);
    assert_int_equal(res.total.n[ST_PASS], 2);
    scan_result_free(&res);
    cat_free(&cat);
}

static void broken_queries_become_error_findings(void **state)
{
    (void)state;
    static const char *const queries[] = {
        "SELECT nope FROM nowhere",
        "DELETE FROM resources",
        "SELECT 'pass' AS status, 'x' AS resource_id, 'r' AS reason; SELECT 1",
        "SELECT 'pass' AS status, id AS resource_id FROM aws_s3_bucket",
        "SELECT 'maybe' AS status, id AS resource_id, 'r' AS reason FROM aws_s3_bucket",
    };
    for (size_t i = 0; i < sizeof queries / sizeof *queries; i++) {
        struct catalogue cat;
        struct scan_result res;
        cat_init(&cat);
        add_control(&cat, "t.q", "low", "s3:ListBuckets", queries[i]);
        run(&cat, NULL, &res);
        if (res.total.n[ST_ERROR] == 0 || res.total.n[ST_PASS] != 0)
            fail_msg("query %zu: expected only errors", i);
        scan_result_free(&res);
        cat_free(&cat);
    }
}

/* A query may answer manual (ansim lacks a fact only the user has): a finding of its own,
 * counted but outside the score, and a collection error does not turn it into a pass. */
static void manual_rows_are_findings(void **state)
{
    (void)state;
    struct catalogue cat;
    struct scan_result res;
    cat_init(&cat);
    add_control(&cat, "t.m", "low", "s3:ListBuckets",
                "SELECT CASE WHEN data->>'$.Ok' THEN 'manual' ELSE 'fail' END AS status, id AS resource_id, "
                "region, 'ask the user' AS reason FROM aws_s3_bucket");
    run(&cat, NULL, &res);
    assert_int_equal(res.total.n[ST_MANUAL], 2);
    assert_int_equal(res.total.n[ST_FAIL], 1);
    assert_int_equal(res.total.n[ST_ERROR], 0);
    assert_int_equal(find(&res, "good")->status, ST_MANUAL);
    assert_true(res.total.score < 0.01); /* only the failure is scored */
    scan_result_free(&res);
    cat_free(&cat);
}

static void scores_frameworks_and_order(void **state)
{
    (void)state;
    struct catalogue cat;
    struct scan_result res;
    cat_init(&cat);
    add_control(&cat, "t.crit", "critical", "s3:ListBuckets", ok_query); /* 2 pass, 1 fail */
    add_control(&cat, "t.low", "low", "s3:ListBuckets",
                "SELECT 'pass' AS status, id AS resource_id, 'ok' AS reason FROM aws_s3_bucket");
    run(&cat, NULL, &res);
    /* weights: critical 10, low 1 -> (2*10 + 3*1) / (3*10 + 3*1) */
    assert_true(res.total.score > 69.69 && res.total.score < 69.70);
    assert_int_equal(res.findings[0].status, ST_FAIL); /* failures first */
    assert_int_equal(res.nfws, 1);
    assert_int_equal(res.fws[0].reqs[0].status, ST_FAIL);
    assert_int_equal(res.fws[0].reqs[0].req->ncontrols, 2);
    assert_int_equal(res.fws[0].reqs[1].status, ST_MANUAL);
    assert_int_equal(res.by_area[AREA_DATA].n[ST_PASS], 5);
    assert_int_equal(res.by_severity[SEV_CRITICAL].n[ST_FAIL], 1);
    scan_result_free(&res);
    cat_free(&cat);
}

static void selection_checks_ids(void **state)
{
    (void)state;
    struct catalogue cat;
    char err[ERRLEN] = "";
    load_builtin(&cat);
    char *ids[] = {"iam.root_mfa", "no.such"};
    struct selection sel = {NULL, ids, 2};
    assert_int_not_equal(eval_check_selection(&cat, &sel, err, sizeof err), 0);
    assert_non_null(strstr(err, "no.such"));
    struct selection fw = {"nope", NULL, 0};
    assert_int_not_equal(eval_check_selection(&cat, &fw, err, sizeof err), 0);
    struct selection ok = {"isms-p", ids, 1};
    assert_int_equal(eval_check_selection(&cat, &ok, err, sizeof err), 0);
    cat_free(&cat);
}

static void remediation_is_filled_safely(void **state)
{
    (void)state;
    const char *names[] = {"resource_id", "bucket", "evil", "missing", "tf_name"};
    const char *values[] = {"my-bucket", "logs.example-1", "x; rm -rf $HOME", NULL, "r_1"};
    struct remediation_vars v = {names, values, NULL, 5};
    char *out =
        remediation_render("aws s3api x --bucket {{bucket}} --id {{resource_id}} {{evil}} {{missing}} "
                           "{{nosuch}}\n",
                           &v, "#");
    assert_string_equal(out,
                        "# fill in <evil> by hand: the value has characters that are not safe to paste here\n"
                        "aws s3api x --bucket logs.example-1 --id my-bucket <evil> <missing> <nosuch>\n");
    free(out);
    /* a value the query composed itself (fix_X) goes in as it is */
    const int trusted[] = {0, 0, 1, 0, 0};
    struct remediation_vars tv = {names, values, trusted, 5};
    out = remediation_render("{{evil}}", &tv, "#");
    assert_string_equal(out, "x; rm -rf $HOME");
    free(out);
    out = remediation_render("no placeholders {{unterminated", &v, "#");
    assert_string_equal(out, "no placeholders {{unterminated");
    free(out);
    assert_null(remediation_render(NULL, &v, "#"));
    char *tf = remediation_tf_name("My-Bucket.2024");
    assert_string_equal(tf, "my_bucket_2024");
    free(tf);
    tf = remediation_tf_name("123abc");
    assert_string_equal(tf, "r_123abc");
    free(tf);
}

/* A service botocore says is not offered in a region: the region is not_applicable, not an
 * error, and other regions keep their findings. */
static void service_not_in_region_is_not_applicable(void **state)
{
    (void)state;
    assert_int_equal(aws_service_in_region("workspaces", "eu-north-1"), 0);
    assert_int_equal(aws_service_in_region("workspaces", "ap-northeast-2"), 1);
    assert_int_equal(aws_service_in_region("workspaces", "xx-future-9"), 1); /* newer than the data */
    assert_int_equal(aws_service_in_region("iam", "eu-north-1"), 1);
    assert_int_equal(aws_service_in_region("ec2", "eu-north-1"), 1);
    struct catalogue cat;
    load_builtin(&cat);
    char *doc = snap_doc("[]", "[{\"service\":\"workspaces\",\"region\":\"eu-north-1\",\"operation\":"
                               "\"DescribeWorkspaces\",\"code\":\"ServiceNotInRegion\",\"message\":"
                               "\"WorkSpaces is not offered in eu-north-1 (botocore's endpoint data)\"}]");
    struct inventory *inv = load_inv(doc);
    free(doc);
    char *ids[] = {"workspaces.volume_encryption"};
    struct selection sel = {NULL, ids, 1};
    struct scan_result res;
    memset(&res, 0, sizeof res);
    char err[ERRLEN] = "";
    assert_int_equal(eval_run(&cat, inv, &sel, &res, err, sizeof err), 0);
    int na = 0;
    for (size_t i = 0; i < res.nfindings; i++) {
        const struct finding *f = &res.findings[i];
        assert_int_not_equal(f->status, ST_ERROR);
        if (strcmp(f->region, "eu-north-1") == 0) {
            assert_int_equal(f->status, ST_NA);
            assert_non_null(strstr(f->reason, "not offered in eu-north-1"));
            na++;
        }
    }
    assert_int_equal(na, 1);
    scan_result_free(&res);
    inv_close(inv);
    cat_free(&cat);
}

int run_eval_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(regional_collection_error_turns_passes_into_errors),
        cmocka_unit_test(global_error_and_wildcard_operation),
        cmocka_unit_test(broken_queries_become_error_findings),
        cmocka_unit_test(manual_rows_are_findings),
        cmocka_unit_test(scores_frameworks_and_order),
        cmocka_unit_test(selection_checks_ids),
        cmocka_unit_test(remediation_is_filled_safely),
        cmocka_unit_test(service_not_in_region_is_not_applicable),
    };
    return cmocka_run_group_tests_name("eval", tests, NULL, NULL);
}
