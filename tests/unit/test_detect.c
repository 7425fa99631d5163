/*
 * test_detect.c — the detection-service collectors (AWS Config, GuardDuty, Security Hub,
 * Macie, Inspector) against answers written by hand from botocore's output shapes, served by
 * a small HTTP server on 127.0.0.1 inside this test. moto lacks or misrepresents several of
 * these answers (Macie's "not enabled" denial, GetEnabledStandards, an account Inspector
 * fails on), so these tests prove what the collectors make of the real ones: "not enabled"
 * answers become data, genuine denials become snapshot errors, pages are followed, and the
 * answers keep the API's member names in the snapshot.
 */
#include "support.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/collect/collect.h"
#include "../../src/util/util.h"
#include "canned.h"

#define ACCOUNT "111122223333"
#define REGION "ap-northeast-2"

/* ---- the canned AWS (canned.c) ---- */

/* One answer: for method + path (query string ignored) and, for the JSON protocol, the
 * X-Amz-Target header; with a body containing `when` (NULL: any body). */
struct route {
    const char *method, *path, *target, *when;
    int status;
    const char *error_type; /* x-amzn-ErrorType header, or NULL */
    const char *body;
};

static struct {
    struct canned_server http;
    const struct route *routes; /* under http.lock */
    size_t nroutes;
    struct strbuf log; /* "METHOD PATH TARGET BODY\n" per request */
} srv;

static const struct route *find_route(const char *method, const char *path, const char *target,
                                      const char *body)
{
    for (size_t i = 0; i < srv.nroutes; i++) {
        const struct route *r = &srv.routes[i];
        if (strcmp(r->method, method) == 0 && strcmp(r->path, path) == 0 &&
            (!r->target || (target && strcmp(r->target, target) == 0)) && (!r->when || strstr(body, r->when)))
            return r;
    }
    return NULL;
}

static void answer(const char *head, const char *body, struct canned_reply *out)
{
    size_t tlen = 0;
    const char *t = canned_header(head, "X-Amz-Target", &tlen);
    char *target = t ? xstrndup(t, tlen) : NULL;
    char method[16] = "", path[512] = "";
    sscanf(head, "%15s %511s", method, path);
    path[strcspn(path, "?")] = '\0';
    sb_printf(&srv.log, "%s %s %s %s\n", method, path, target ? target : "-", body);
    const struct route *r = find_route(method, path, target, body);
    *out = r ? (struct canned_reply){r->status, "application/json", r->error_type, r->body}
             : (struct canned_reply){404, "application/json", NULL,
                                     "{\"message\":\"no route in the test server\"}"};
    free(target);
}

static int server_start(void **state)
{
    (void)state;
    sb_init(&srv.log);
    return canned_start(&srv.http, answer);
}

static int server_stop(void **state)
{
    (void)state;
    canned_stop(&srv.http);
    sb_free(&srv.log);
    aws_http_thread_done();
    return 0;
}

/* ---- running a collector against it ---- */

struct run {
    struct collect_sink sink;
    char *url;
};

/* Serve routes, run collect(ctx, REGION) with tasks run at once, keep what it found. */
static void run_collector(struct run *r, const struct route *routes, size_t nroutes,
                          void (*collect)(struct collect_ctx *, const char *))
{
    pthread_mutex_lock(&srv.http.lock);
    srv.routes = routes;
    srv.nroutes = nroutes;
    sb_free(&srv.log);
    sb_init(&srv.log);
    pthread_mutex_unlock(&srv.http.lock);
    r->url = xstrdup(srv.http.url);
    struct aws_client client;
    memset(&client, 0, sizeof client);
    client.cred.access_key_id = "AKIDEXAMPLE";
    client.cred.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    client.endpoint_url = r->url;
    client.timeout_ms = 5000;
    client.max_attempts = 1;
    sink_init(&r->sink);
    struct collect_ctx ctx = {&client, &r->sink, ACCOUNT, REGION, NULL};
    collect(&ctx, REGION);
}

static void run_free(struct run *r)
{
    sink_free(&r->sink);
    free(r->url);
}

/* The data of the only resource of type, failing the test unless there is exactly one. */
static json_t *only(struct run *r, const char *type)
{
    json_t *found = NULL, *x;
    size_t i, n = 0;
    json_array_foreach(r->sink.resources, i,
                       x) if (strcmp(json_string_value(json_object_get(x, "type")), type) == 0)
    {
        found = x;
        n++;
    }
    if (n != 1)
        fail_msg("%zu resources of type %s (errors: %zu)", n, type, json_array_size(r->sink.errors));
    assert_string_equal(json_string_value(json_object_get(found, "region")), REGION);
    assert_string_equal(json_string_value(json_object_get(found, "id")), REGION);
    return json_object_get(found, "data");
}

static const char *error_code(struct run *r, size_t i)
{
    return json_string_value(json_object_get(json_array_get(r->sink.errors, i), "code"));
}

/* ---- Macie ---- */

static void macie_not_enabled_is_data(void **state)
{
    (void)state;
    /* what AWS answers where Macie was never enabled: the code only in the header */
    const struct route routes[] = {
        {"GET", "/macie", NULL, NULL, 403,
         "AccessDeniedException:http://internal.amazon.com/coral/com.amazonaws.macie2/",
         "{\"message\":\"Macie is not enabled.\"}"}};
    struct run r;
    run_collector(&r, routes, 1, collect_macie);
    assert_int_equal(json_array_size(r.sink.errors), 0);
    json_t *d = only(&r, "aws_macie2_account");
    assert_true(json_is_null(json_object_get(d, "status")));
    run_free(&r);
}

static void macie_real_denial_is_an_error(void **state)
{
    (void)state;
    const struct route routes[] = {
        {"GET", "/macie", NULL, NULL, 403, "AccessDeniedException",
         "{\"message\":\"User: arn:aws:iam::111122223333:user/auditor is not authorized to perform: "
         "macie2:GetMacieSession on resource: arn:aws:macie2:ap-northeast-2:111122223333:* with an explicit "
         "deny in a service control policy\"}"}};
    struct run r;
    run_collector(&r, routes, 1, collect_macie);
    assert_int_equal(json_array_size(r.sink.resources), 0);
    assert_int_equal(json_array_size(r.sink.errors), 1);
    assert_string_equal(error_code(&r, 0), "AccessDeniedException");
    json_t *e = json_array_get(r.sink.errors, 0);
    assert_string_equal(json_string_value(json_object_get(e, "service")), "macie2");
    assert_string_equal(json_string_value(json_object_get(e, "operation")), "GetMacieSession");
    assert_non_null(strstr(json_string_value(json_object_get(e, "message")), "not authorized"));
    run_free(&r);
}

static void macie_session_keeps_member_names(void **state)
{
    (void)state;
    const struct route routes[] = {
        {"GET", "/macie", NULL, NULL, 200, NULL,
         "{\"createdAt\":\"2025-08-19T07:12:45.118Z\",\"findingPublishingFrequency\":\"FIFTEEN_MINUTES\","
         "\"serviceRole\":\"arn:aws:iam::111122223333:role/aws-service-role/macie.amazonaws.com/"
         "AWSServiceRoleForAmazonMacie\",\"status\":\"PAUSED\",\"updatedAt\":\"2026-09-30T00:00:00Z\"}"}};
    struct run r;
    run_collector(&r, routes, 1, collect_macie);
    json_t *d = only(&r, "aws_macie2_account");
    assert_string_equal(json_string_value(json_object_get(d, "status")), "PAUSED");
    assert_string_equal(json_string_value(json_object_get(d, "findingPublishingFrequency")),
                        "FIFTEEN_MINUTES");
    run_free(&r);
}

/* ---- Security Hub ---- */

static void securityhub_not_subscribed_is_data(void **state)
{
    (void)state;
    const struct route routes[] = {
        {"GET", "/accounts", NULL, NULL, 401, "InvalidAccessException",
         "{\"Code\":\"InvalidAccessException\",\"Message\":\"Account 111122223333 is not subscribed to AWS "
         "Security Hub\"}"}};
    struct run r;
    run_collector(&r, routes, 1, collect_securityhub);
    assert_int_equal(json_array_size(r.sink.errors), 0);
    json_t *d = only(&r, "aws_securityhub_account");
    assert_true(json_is_null(json_object_get(d, "HubArn")));
    assert_null(json_object_get(d, "StandardsSubscriptions"));
    assert_null(strstr(srv.log.buf, "/standards/get")); /* nothing more asked */
    run_free(&r);
}

static void securityhub_other_invalid_access_is_an_error(void **state)
{
    (void)state;
    const struct route routes[] = {
        {"GET", "/accounts", NULL, NULL, 401, NULL,
         "{\"Code\":\"InvalidAccessException\",\"Message\":\"The account doesn't have permission to perform "
         "this action.\"}"}};
    struct run r;
    run_collector(&r, routes, 1, collect_securityhub);
    assert_int_equal(json_array_size(r.sink.resources), 0);
    assert_string_equal(error_code(&r, 0), "InvalidAccessException");
    run_free(&r);
}

static void securityhub_standards_follow_pages(void **state)
{
    (void)state;
    const char *std1 = "{\"StandardsSubscriptions\":[{\"StandardsSubscriptionArn\":\"arn:aws:securityhub:"
                       "ap-northeast-2:111122223333:subscription/aws-foundational-security-best-practices/v/"
                       "1.0.0\",\"StandardsArn\":\"arn:aws:securityhub:ap-northeast-2::standards/"
                       "aws-foundational-security-best-practices/v/1.0.0\",\"StandardsInput\":{},"
                       "\"StandardsStatus\":\"READY\"}],\"NextToken\":\"page-2\"}";
    const char *std2 = "{\"StandardsSubscriptions\":[{\"StandardsSubscriptionArn\":\"arn:aws:securityhub:"
                       "ap-northeast-2:111122223333:subscription/cis-aws-foundations-benchmark/v/3.0.0\","
                       "\"StandardsArn\":\"arn:aws:securityhub:ap-northeast-2::standards/"
                       "cis-aws-foundations-benchmark/v/3.0.0\",\"StandardsInput\":{},\"StandardsStatus\":"
                       "\"INCOMPLETE\",\"StandardsStatusReason\":{\"StatusReasonCode\":"
                       "\"NO_AVAILABLE_CONFIGURATION_RECORDER\"}}]}";
    const struct route routes[] = {
        {"GET", "/accounts", NULL, NULL, 200, NULL,
         "{\"HubArn\":\"arn:aws:securityhub:ap-northeast-2:111122223333:hub/default\",\"SubscribedAt\":"
         "\"2025-02-17T06:30:12.555Z\",\"AutoEnableControls\":true,\"ControlFindingGenerator\":"
         "\"SECURITY_CONTROL\"}"},
        {"POST", "/standards/get", NULL, "page-2", 200, NULL, std2},
        {"POST", "/standards/get", NULL, NULL, 200, NULL, std1}};
    struct run r;
    run_collector(&r, routes, 3, collect_securityhub);
    assert_int_equal(json_array_size(r.sink.errors), 0);
    json_t *d = only(&r, "aws_securityhub_account");
    assert_string_equal(json_string_value(json_object_get(d, "HubArn")),
                        "arn:aws:securityhub:ap-northeast-2:111122223333:hub/default");
    json_t *subs = json_object_get(d, "StandardsSubscriptions");
    assert_int_equal(json_array_size(subs), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(subs, 1), "StandardsStatus")),
                        "INCOMPLETE");
    assert_non_null(strstr(srv.log.buf, "\"NextToken\":\"page-2\""));
    run_free(&r);
}

static void securityhub_standards_failure_leaves_them_out(void **state)
{
    (void)state;
    const struct route routes[] = {
        {"GET", "/accounts", NULL, NULL, 200, NULL,
         "{\"HubArn\":\"arn:aws:securityhub:ap-northeast-2:111122223333:hub/default\"}"},
        {"POST", "/standards/get", NULL, NULL, 400, "InvalidInputException",
         "{\"Message\":\"Invalid input\"}"}};
    struct run r;
    run_collector(&r, routes, 2, collect_securityhub);
    json_t *d = only(&r, "aws_securityhub_account");
    assert_null(json_object_get(d, "StandardsSubscriptions")); /* absent: not collected */
    assert_string_equal(error_code(&r, 0), "InvalidInputException");
    run_free(&r);
}

/* ---- Inspector ---- */

static void inspector_status_of_this_account(void **state)
{
    (void)state;
    const struct route routes[] = {
        {"POST", "/status/batch/get", NULL, "\"accountIds\":[\"111122223333\"]", 200, NULL,
         "{\"accounts\":[{\"accountId\":\"111122223333\",\"state\":{\"status\":\"ENABLED\"},"
         "\"resourceState\":"
         "{\"ec2\":{\"status\":\"ENABLED\"},\"ecr\":{\"status\":\"DISABLED\"},\"lambda\":{\"status\":"
         "\"ENABLED\"},\"lambdaCode\":{\"status\":\"DISABLED\"},\"codeRepository\":{\"status\":\"DISABLED\"}}"
         "}],"
         "\"failedAccounts\":[]}"}};
    struct run r;
    run_collector(&r, routes, 1, collect_inspector);
    assert_int_equal(json_array_size(r.sink.errors), 0);
    json_t *d = only(&r, "aws_inspector2_enabler");
    json_t *rs = json_object_get(d, "resourceState");
    assert_string_equal(json_string_value(json_object_get(json_object_get(rs, "ecr"), "status")), "DISABLED");
    assert_string_equal(json_string_value(json_object_get(json_object_get(rs, "ec2"), "status")), "ENABLED");
    run_free(&r);
}

static void inspector_failed_account_is_an_error(void **state)
{
    (void)state;
    const struct route routes[] = {
        {"POST", "/status/batch/get", NULL, NULL, 200, NULL,
         "{\"accounts\":[],\"failedAccounts\":[{\"accountId\":\"111122223333\","
         "\"status\":\"DISABLED\",\"errorCode\":\"ACCESS_DENIED\",\"errorMessage\":"
         "\"Caller is not authorized to view this account\"}]}"}};
    struct run r;
    run_collector(&r, routes, 1, collect_inspector);
    assert_int_equal(json_array_size(r.sink.resources), 0);
    assert_string_equal(error_code(&r, 0), "ACCESS_DENIED");
    run_free(&r);
}

static void inspector_account_listed_nowhere_is_off(void **state)
{
    (void)state;
    const struct route routes[] = {
        {"POST", "/status/batch/get", NULL, NULL, 200, NULL, "{\"accounts\":[],\"failedAccounts\":[]}"}};
    struct run r;
    run_collector(&r, routes, 1, collect_inspector);
    json_t *d = only(&r, "aws_inspector2_enabler");
    assert_true(json_is_null(json_object_get(d, "resourceState")));
    run_free(&r);
}

/* ---- GuardDuty ---- */

static void guardduty_detector_with_settings(void **state)
{
    (void)state;
    const struct route routes[] = {
        {"GET", "/detector", NULL, NULL, 200, NULL,
         "{\"detectorIds\":[\"12c4a6b8d0e2f4a6b8c0d2e4f6a8b0c2\"]}"},
        {"GET", "/detector/12c4a6b8d0e2f4a6b8c0d2e4f6a8b0c2", NULL, NULL, 200, NULL,
         "{\"createdAt\":\"2025-06-10T04:21:09.417Z\",\"findingPublishingFrequency\":\"FIFTEEN_MINUTES\","
         "\"serviceRole\":\"arn:aws:iam::111122223333:role/aws-service-role/guardduty.amazonaws.com/"
         "AWSServiceRoleForAmazonGuardDuty\",\"status\":\"DISABLED\",\"updatedAt\":\"2026-10-02T11:40:55."
         "102Z\","
         "\"features\":[{\"name\":\"S3_DATA_EVENTS\",\"status\":\"ENABLED\",\"updatedAt\":1790000000}],"
         "\"tags\":{\"owner\":\"security\"}}"}};
    struct run r;
    run_collector(&r, routes, 2, collect_guardduty);
    assert_int_equal(json_array_size(r.sink.errors), 0);
    json_t *d = only(&r, "aws_guardduty_detector");
    assert_string_equal(json_string_value(json_object_get(d, "DetectorId")),
                        "12c4a6b8d0e2f4a6b8c0d2e4f6a8b0c2");
    assert_string_equal(json_string_value(json_object_get(d, "Status")), "DISABLED");
    json_t *f = json_array_get(json_object_get(d, "Features"), 0);
    assert_string_equal(json_string_value(json_object_get(f, "Name")), "S3_DATA_EVENTS");
    assert_string_equal(json_string_value(json_object_get(f, "UpdatedAt")), "2026-09-21T14:13:20Z");
    json_t *tag = json_array_get(json_object_get(d, "Tags"), 0);
    assert_string_equal(json_string_value(json_object_get(tag, "Key")), "owner");
    assert_string_equal(json_string_value(json_object_get(tag, "Value")), "security");
    run_free(&r);
}

static void guardduty_no_detector_and_a_failed_get(void **state)
{
    (void)state;
    const struct route none[] = {{"GET", "/detector", NULL, NULL, 200, NULL, "{\"detectorIds\":[]}"}};
    struct run r;
    run_collector(&r, none, 1, collect_guardduty);
    assert_true(json_is_null(json_object_get(only(&r, "aws_guardduty_detector"), "DetectorId")));
    run_free(&r);
    const struct route failing[] = {
        {"GET", "/detector", NULL, NULL, 200, NULL, "{\"detectorIds\":[\"abc\"]}"},
        {"GET", "/detector/abc", NULL, NULL, 500, "InternalServerErrorException",
         "{\"message\":\"Internal server error\",\"__type\":\"InternalServerErrorException\"}"}};
    run_collector(&r, failing, 2, collect_guardduty);
    json_t *d = only(&r, "aws_guardduty_detector");
    assert_string_equal(json_string_value(json_object_get(d, "DetectorId")), "abc");
    assert_null(json_object_get(d, "Status")); /* absent: not collected */
    assert_string_equal(error_code(&r, 0), "InternalServerErrorException");
    run_free(&r);
}

/* ---- AWS Config ---- */

static void config_region_merges_three_calls(void **state)
{
    (void)state;
    const struct route routes[] = {
        {"POST", "/", "StarlingDoveService.DescribeConfigurationRecorders", NULL, 200, NULL,
         "{\"ConfigurationRecorders\":[{\"name\":\"default\",\"roleARN\":\"arn:aws:iam::111122223333:role/"
         "config\",\"recordingGroup\":{\"allSupported\":true,\"includeGlobalResourceTypes\":true,"
         "\"resourceTypes\":[],\"recordingStrategy\":{\"useOnly\":\"ALL_SUPPORTED_RESOURCE_TYPES\"}},"
         "\"recordingMode\":{\"recordingFrequency\":\"CONTINUOUS\"}}]}"},
        {"POST", "/", "StarlingDoveService.DescribeConfigurationRecorderStatus", NULL, 200, NULL,
         "{\"ConfigurationRecordersStatus\":[{\"name\":\"default\",\"lastStartTime\":1772414142.0,"
         "\"recording\":true,\"lastStatus\":\"Failure\",\"lastErrorCode\":\"AccessDenied\","
         "\"lastErrorMessage\":\"Insufficient delivery policy to s3 bucket\"}]}"},
        {"POST", "/", "StarlingDoveService.DescribeDeliveryChannels", NULL, 400, NULL,
         "{\"__type\":\"com.amazonaws.starling.dove#AccessDeniedException\",\"message\":\"not "
         "authorized\"}"}};
    struct run r;
    run_collector(&r, routes, 3, collect_config);
    json_t *d = only(&r, "aws_config_region");
    json_t *rec = json_array_get(json_object_get(d, "ConfigurationRecorders"), 0);
    assert_true(json_is_true(json_object_get(json_object_get(rec, "recordingGroup"), "allSupported")));
    json_t *st = json_array_get(json_object_get(d, "ConfigurationRecordersStatus"), 0);
    assert_string_equal(json_string_value(json_object_get(st, "lastStatus")), "Failure");
    assert_string_equal(json_string_value(json_object_get(st, "lastStartTime")), "2026-03-02T01:15:42Z");
    assert_null(json_object_get(d, "DeliveryChannels")); /* absent: not collected */
    assert_int_equal(json_array_size(r.sink.errors), 1);
    assert_string_equal(error_code(&r, 0), "AccessDeniedException");
    run_free(&r);
}

static void config_listing_failure_means_no_resource(void **state)
{
    (void)state;
    const struct route routes[] = {
        {"POST", "/", "StarlingDoveService.DescribeConfigurationRecorders", NULL, 400, NULL,
         "{\"__type\":\"AccessDeniedException\",\"message\":\"User is not authorized\"}"}};
    struct run r;
    run_collector(&r, routes, 1, collect_config);
    assert_int_equal(json_array_size(r.sink.resources), 0);
    assert_string_equal(error_code(&r, 0), "AccessDeniedException");
    run_free(&r);
}

int run_detect_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(macie_not_enabled_is_data),
        cmocka_unit_test(macie_real_denial_is_an_error),
        cmocka_unit_test(macie_session_keeps_member_names),
        cmocka_unit_test(securityhub_not_subscribed_is_data),
        cmocka_unit_test(securityhub_other_invalid_access_is_an_error),
        cmocka_unit_test(securityhub_standards_follow_pages),
        cmocka_unit_test(securityhub_standards_failure_leaves_them_out),
        cmocka_unit_test(inspector_status_of_this_account),
        cmocka_unit_test(inspector_failed_account_is_an_error),
        cmocka_unit_test(inspector_account_listed_nowhere_is_off),
        cmocka_unit_test(guardduty_detector_with_settings),
        cmocka_unit_test(guardduty_no_detector_and_a_failed_get),
        cmocka_unit_test(config_region_merges_three_calls),
        cmocka_unit_test(config_listing_failure_means_no_resource),
    };
    return cmocka_run_group_tests_name("detection collectors against hand-written answers", tests,
                                       server_start, server_stop);
}
