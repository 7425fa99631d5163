/*
 * test_logs.c — the logging and monitoring SQL helpers (src/inventory/logs.c):
 * cw_filter_missing, s3_lifecycle_expiration, trail_s3_read_coverage; and the logging
 * controls' account-level row when nothing applies (not_applicable).
 */
#include "support.h"

#include <stdlib.h>
#include <string.h>

#include "../../src/util/util.h"

/* ---- helpers ---- */

static struct inventory *empty_inv(void)
{
    char *doc = snap_doc(NULL, NULL);
    struct inventory *inv = load_inv(doc);
    free(doc);
    return inv;
}

/* sql with ?1 and ?2 bound to a and b (text, NULL = SQL NULL); the first column, or NULL. */
static char *call2(struct inventory *inv, const char *sql, const char *a, const char *b)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(inv_db(inv), sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("SQL error in %s: %s", sql, sqlite3_errmsg(inv_db(inv)));
    sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
    char *out = NULL;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        out = xstrdup((const char *)sqlite3_column_text(st, 0));
    else if (rc != SQLITE_ROW)
        out = xasprintf("SQL-ERROR: %s", sqlite3_errmsg(inv_db(inv)));
    sqlite3_finalize(st);
    return out;
}

static void expect(struct inventory *inv, const char *sql, const char *a, const char *b, const char *want)
{
    char *got = call2(inv, sql, a, b);
    if ((want == NULL) != (got == NULL) || (want && strcmp(want, got) != 0))
        fail_msg("%s with (%s, %s): expected %s, got %s", sql, a ? a : "NULL", b ? b : "NULL",
                 want ? want : "NULL", got ? got : "NULL");
    free(got);
}

/* ---- cw_filter_missing ---- */

#define MISSING "SELECT cw_filter_missing(?1, ?2)"

static void filter_patterns_match_whatever_the_spacing_and_quotes(void **state)
{
    (void)state;
    struct inventory *inv = empty_inv();
    expect(inv, MISSING,
           "{ $.userIdentity.type = \"Root\" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "
           "\"AwsServiceEvent\" }",
           "root-use", NULL);
    expect(inv, MISSING, "{$.userIdentity.type=Root}", "root-use", NULL);
    expect(inv, MISSING,
           "{\n\t($.eventName = \"ConsoleLogin\")\n&& ($.additionalEventData.MFAUsed != \"Yes\") }",
           "console-login-without-mfa", NULL);
    /* MFAUsed = "No" says the same as != "Yes" */
    expect(inv, MISSING, "{ ($.eventName = ConsoleLogin) && ($.additionalEventData.MFAUsed = \"No\") }",
           "console-login-without-mfa", NULL);
    expect(inv, MISSING,
           "{($.eventName=CreateTrail)||($.eventName=UpdateTrail)||($.eventName=DeleteTrail)||"
           "($.eventName=StartLogging)||($.eventName=StopLogging)}",
           "cloudtrail-changes", NULL);
    inv_close(inv);
}

static void filter_patterns_report_what_they_lack(void **state)
{
    (void)state;
    struct inventory *inv = empty_inv();
    /* the negation is a different comparison; another field is not the root type */
    expect(inv, MISSING, "{ $.userIdentity.type != \"Root\" }", "root-use", "$.userIdentity.type=Root");
    expect(inv, MISSING, "{ $.userIdentity.arn = \"Root\" }", "root-use", "$.userIdentity.type=Root");
    /* field names are case-sensitive in filter patterns */
    expect(inv, MISSING, "{ $.useridentity.type = \"Root\" }", "root-use", "$.userIdentity.type=Root");
    expect(inv, MISSING, "{ $.eventName = ConsoleLogin }", "console-login-without-mfa",
           "$.additionalEventData.MFAUsed!=Yes");
    /* CreatePolicyVersion does not stand in for CreatePolicy */
    char *p = xstrdup("{ ($.eventName = DeleteGroupPolicy) || ($.eventName = DeleteRolePolicy) || "
                      "($.eventName = DeleteUserPolicy) || ($.eventName = PutGroupPolicy) || "
                      "($.eventName = PutRolePolicy) || ($.eventName = PutUserPolicy) || "
                      "($.eventName = CreatePolicyVersion) || ($.eventName = DeletePolicy) || "
                      "($.eventName = DeletePolicyVersion) || ($.eventName = AttachRolePolicy) || "
                      "($.eventName = DetachRolePolicy) || ($.eventName = AttachUserPolicy) || "
                      "($.eventName = DetachUserPolicy) || ($.eventName = AttachGroupPolicy) }");
    expect(inv, MISSING, p, "iam-policy-changes", "$.eventName=CreatePolicy, $.eventName=DetachGroupPolicy");
    free(p);
    expect(inv, MISSING, NULL, "cloudtrail-changes",
           "$.eventName=CreateTrail, $.eventName=UpdateTrail, $.eventName=DeleteTrail, "
           "$.eventName=StartLogging, "
           "$.eventName=StopLogging");
    char *e = call2(inv, MISSING, "{}", "no-such-class");
    assert_non_null(e);
    assert_non_null(strstr(e, "SQL-ERROR"));
    free(e);
    inv_close(inv);
}

/* ---- s3_lifecycle_expiration ---- */

#define EXPIRY "SELECT s3_lifecycle_expiration(?1, ?2)"

static void lifecycle_soonest_expiration_reaching_the_prefix(void **state)
{
    (void)state;
    struct inventory *inv = empty_inv();
    const char *rules =
        "{\"Rules\":["
        "{\"ID\":\"tmp\",\"Status\":\"Enabled\",\"Filter\":{\"Prefix\":\"tmp/"
        "\"},\"Expiration\":{\"Days\":1}},"
        "{\"ID\":\"tagged\",\"Status\":\"Enabled\",\"Filter\":{\"Tag\":{\"Key\":\"k\",\"Value\":\"v\"}},"
        "\"Expiration\":{\"Days\":2}},"
        "{\"ID\":\"tagged-and\",\"Status\":\"Enabled\",\"Filter\":{\"And\":{\"Prefix\":\"AWSLogs/\",\"Tags\":"
        "[{\"Key\":\"k\",\"Value\":\"v\"}]}},\"Expiration\":{\"Days\":3}},"
        "{\"ID\":\"off\",\"Status\":\"Disabled\",\"Filter\":{},\"Expiration\":{\"Days\":4}},"
        "{\"ID\":\"glacier\",\"Status\":\"Enabled\",\"Filter\":{\"Prefix\":\"AWSLogs/\"},"
        "\"Transitions\":[{\"Days\":30,\"StorageClass\":\"GLACIER\"}]},"
        "{\"ID\":\"logs\",\"Status\":\"Enabled\",\"Filter\":{\"Prefix\":\"AWSLogs/111122223333/\"},"
        "\"Expiration\":{\"Days\":800}},"
        "{\"ID\":\"everything\",\"Status\":\"Enabled\",\"Filter\":{},\"Expiration\":{\"Days\":900}}]}";
    /* tag filters, other prefixes and disabled rules do not reach the trail's files; a
     * narrower prefix under the trail's does */
    expect(inv, EXPIRY, rules, "AWSLogs/", "{\"rule\":\"logs\",\"days\":800}");
    expect(inv, EXPIRY, rules, "tmp/AWSLogs/", "{\"rule\":\"tmp\",\"days\":1}");
    expect(inv, EXPIRY, rules, "other/AWSLogs/", "{\"rule\":\"everything\",\"days\":900}");
    /* the legacy rule form, a date, and nothing at all */
    expect(inv, EXPIRY,
           "{\"Rules\":[{\"ID\":\"old\",\"Prefix\":\"\",\"Status\":\"Enabled\",\"Expiration\":{\"Days\":90}},"
           "{\"ID\":\"d\",\"Status\":\"Enabled\",\"Filter\":{\"And\":{\"Prefix\":\"AWS\","
           "\"ObjectSizeGreaterThan\":"
           "1}},\"Expiration\":{\"Date\":\"2027-01-01T00:00:00Z\"}}]}",
           "AWSLogs/", "{\"rule\":\"d\",\"date\":\"2027-01-01T00:00:00Z\"}");
    expect(inv, EXPIRY, "null", "AWSLogs/", NULL);
    expect(inv, EXPIRY, NULL, "AWSLogs/", NULL);
    expect(inv, EXPIRY, "{\"Rules\":[]}", "AWSLogs/", NULL);
    inv_close(inv);
}

/* ---- trail_s3_read_coverage ---- */

#define COVER "SELECT trail_s3_read_coverage(?1, ?2) ->> '$.level'"
#define BUCKET "arn:aws:s3:::customer-data"

static void basic_selectors_cover_by_prefix(void **state)
{
    (void)state;
    struct inventory *inv = empty_inv();
    const char *fmt = "{\"EventSelectors\":[{\"ReadWriteType\":\"%s\",\"DataResources\":[{\"Type\":\"%s\","
                      "\"Values\":[\"%s\"]}]}],\"AdvancedEventSelectors\":[]}";
    struct {
        const char *rw, *type, *value, *want;
    } cases[] = {
        {"All", "AWS::S3::Object", "arn:aws:s3", "all"},
        {"ReadOnly", "AWS::S3::Object", "arn:aws:s3:::", "all"},
        {"All", "AWS::S3::Object", "arn:aws:s3:::customer-data/", "all"},
        {"All", "AWS::S3::Object", "arn:aws:s3:::customer-data/exports/", "partial"},
        {"WriteOnly", "AWS::S3::Object", "arn:aws:s3:::customer-data/", "writes"},
        {"All", "AWS::S3::Object", "arn:aws:s3:::customer-data-archive/", "none"},
        {"All", "AWS::Lambda::Function", "arn:aws:s3", "none"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *t = xasprintf(fmt, cases[i].rw, cases[i].type, cases[i].value);
        expect(inv, COVER, t, BUCKET, cases[i].want);
        free(t);
    }
    expect(inv, COVER, "{\"EventSelectors\":[],\"AdvancedEventSelectors\":[]}", BUCKET, "none");
    expect(inv, COVER, NULL, BUCKET, NULL);
    inv_close(inv);
}

static void advanced_selectors_and_their_conditions(void **state)
{
    (void)state;
    struct inventory *inv = empty_inv();
    const char *fmt = "{\"AdvancedEventSelectors\":[{\"Name\":\"s\",\"FieldSelectors\":["
                      "{\"Field\":\"eventCategory\",\"Equals\":[\"Data\"]},"
                      "{\"Field\":\"resources.type\",\"Equals\":[\"AWS::S3::Object\"]}%s]}]}";
    struct {
        const char *extra, *want;
    } cases[] = {
        {"", "all"},
        {",{\"Field\":\"resources.ARN\",\"StartsWith\":[\"arn:aws:s3:::customer-data/\"]}", "all"},
        {",{\"Field\":\"resources.ARN\",\"StartsWith\":[\"arn:aws:s3:::other/\",\"arn:aws:s3:::customer-data/"
         "x/\"]}",
         "partial"},
        {",{\"Field\":\"resources.ARN\",\"StartsWith\":[\"arn:aws:s3:::other/\"]}", "none"},
        {",{\"Field\":\"resources.ARN\",\"Equals\":[\"arn:aws:s3:::customer-data/one.csv\"]}", "partial"},
        {",{\"Field\":\"resources.ARN\",\"NotStartsWith\":[\"arn:aws:s3:::customer-data/\"]}", "none"},
        {",{\"Field\":\"resources.ARN\",\"NotStartsWith\":[\"arn:aws:s3:::customer-data/tmp/\"]}", "partial"},
        {",{\"Field\":\"resources.ARN\",\"EndsWith\":[\".csv\"]}", "partial"},
        {",{\"Field\":\"readOnly\",\"Equals\":[\"true\"]}", "all"},
        {",{\"Field\":\"readOnly\",\"Equals\":[\"false\"]}", "writes"},
        {",{\"Field\":\"eventName\",\"Equals\":[\"PutObject\",\"DeleteObject\"]}", "writes"},
        {",{\"Field\":\"eventName\",\"Equals\":[\"GetObject\"]}", "all"},
        {",{\"Field\":\"eventName\",\"NotEquals\":[\"GetObject\"]}", "writes"},
        {",{\"Field\":\"userIdentity.arn\",\"NotStartsWith\":[\"arn:aws:sts::111122223333:assumed-role/"
         "Backup\"]}",
         "all"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *t = xasprintf(fmt, cases[i].extra);
        expect(inv, COVER, t, BUCKET, cases[i].want);
        free(t);
    }
    /* management events only, or another resource type */
    expect(inv, COVER,
           "{\"AdvancedEventSelectors\":[{\"Name\":\"m\",\"FieldSelectors\":[{\"Field\":\"eventCategory\","
           "\"Equals\":[\"Management\"]}]}]}",
           BUCKET, "none");
    expect(inv, COVER,
           "{\"AdvancedEventSelectors\":[{\"FieldSelectors\":[{\"Field\":\"eventCategory\",\"Equals\":["
           "\"Data\"]},"
           "{\"Field\":\"resources.type\",\"Equals\":[\"AWS::DynamoDB::Table\"]}]}]}",
           BUCKET, "none");
    /* the best selector wins, and the detail names it */
    expect(
        inv, "SELECT trail_s3_read_coverage(?1, ?2) ->> '$.detail'",
        "{\"AdvancedEventSelectors\":["
        "{\"Name\":\"writes\",\"FieldSelectors\":[{\"Field\":\"eventCategory\",\"Equals\":[\"Data\"]},"
        "{\"Field\":\"resources.type\",\"Equals\":[\"AWS::S3::Object\"]},{\"Field\":\"readOnly\",\"Equals\":["
        "\"false\"]}]},"
        "{\"Name\":\"reads\",\"FieldSelectors\":[{\"Field\":\"eventCategory\",\"Equals\":[\"Data\"]},"
        "{\"Field\":\"resources.type\",\"Equals\":[\"AWS::S3::Object\"]},{\"Field\":\"readOnly\",\"Equals\":["
        "\"true\"]}]}]}",
        BUCKET, "advanced event selector \"reads\"");
    inv_close(inv);
}

/* ---- the controls' account-level rows ---- */

static int cmp_char(const void *a, const void *b) { return *(const char *)a - *(const char *)b; }

/* The statuses control id gives on the snapshot around resources (one letter per finding,
 * sorted: e error, f fail, n not_applicable, p pass). */
static char *statuses(const char *id, const char *resources, const char *errors)
{
    struct catalogue cat;
    load_builtin(&cat);
    char *doc = snap_doc(resources, errors);
    struct inventory *inv = load_inv(doc);
    free(doc);
    char *ids[] = {(char *)id};
    struct selection sel = {NULL, ids, 1};
    struct scan_result res;
    memset(&res, 0, sizeof res);
    char err[ERRLEN] = "";
    assert_int_equal(eval_run(&cat, inv, &sel, &res, err, sizeof err), 0);
    char *out = xcalloc(res.nfindings + 1, 1);
    for (size_t i = 0; i < res.nfindings; i++)
        out[i] = status_name(res.findings[i].status)[0];
    qsort(out, res.nfindings, 1, cmp_char);
    scan_result_free(&res);
    inv_close(inv);
    cat_free(&cat);
    return out;
}

static void nothing_to_check_is_not_applicable(void **state)
{
    (void)state;
    const char *lambda_only = "[{\"type\":\"aws_cloudwatch_log_group\",\"region\":\"ap-northeast-2\",\"id\":"
                              "\"/aws/lambda/f\",\"arn\":null,\"data\":{\"logGroupName\":\"/aws/lambda/f\","
                              "\"retentionInDays\":7,\"Tags\":[]}}]";
    char *s = statuses("logs.retention", lambda_only, NULL);
    assert_string_equal(s, "n");
    free(s);
    s = statuses("cloudtrail.retention", NULL, NULL);
    assert_string_equal(s, "n");
    free(s);
    const char *plain_bucket =
        "[{\"type\":\"aws_s3_bucket\",\"region\":\"ap-northeast-2\",\"id\":\"b\",\"arn\":"
        "\"arn:aws:s3:::b\",\"data\":{\"Name\":\"b\",\"Tags\":[]}},"
        "{\"type\":\"aws_s3_bucket\",\"region\":\"ap-northeast-2\",\"id\":\"p\",\"arn\":"
        "\"arn:aws:s3:::p\",\"data\":{\"Name\":\"p\",\"Tags\":[{\"Key\":\"team\",\"Value\":"
        "\"x\"}]}},"
        "{\"type\":\"aws_kms_key\",\"region\":\"ap-northeast-2\",\"id\":\"k\",\"arn\":null,"
        "\"data\":{\"Tags\":[{\"Key\":\"ansim:pii\",\"Value\":\"true\"}]}}]";
    s = statuses("cloudtrail.s3_data_events", plain_bucket, NULL);
    assert_string_equal(s, "n");
    free(s);
    /* the four event classes are always reported, even with no trail */
    s = statuses("cloudwatch.security_alarms", NULL, NULL);
    assert_string_equal(s, "ffff");
    free(s);
}

int run_logs_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(filter_patterns_match_whatever_the_spacing_and_quotes),
        cmocka_unit_test(filter_patterns_report_what_they_lack),
        cmocka_unit_test(lifecycle_soonest_expiration_reaching_the_prefix),
        cmocka_unit_test(basic_selectors_cover_by_prefix),
        cmocka_unit_test(advanced_selectors_and_their_conditions),
        cmocka_unit_test(nothing_to_check_is_not_applicable),
    };
    return cmocka_run_group_tests_name("logs", tests, NULL, NULL);
}
