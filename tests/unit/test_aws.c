/*
 * test_aws.c — the AWS client against the local emulator: moto in strict mode (started by
 * tests/run.sh through tests/moto.sh, which exports ANSIM_MOTO_*) verifies every SigV4
 * signature and enforces the audit user's IAM policy. Proves that signed query-protocol
 * calls are accepted, that a wrong secret is refused (SignatureDoesNotMatch), that IAM
 * denials come back as error codes, that non-read operations are never
 * sent, and that transport failures are errors. Through tests/faultproxy.py: throttling,
 * 5xx, connection resets and truncated bodies are retried with backoff, retries stop at the
 * limit with the error kept, a refused signature is not retried, timeouts end in a clear
 * error. Without the emulator these groups fail.
 */
#include "support.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/aws/aws.h"
#include "../../src/aws/shapes.h"
#include "../../src/util/util.h"

static struct aws_client client;

/* One query-protocol call (the operation's API version comes from the table). */
static int qcall(const struct aws_client *c, const char *service, const char *region, const char *op,
                 const char *const *params, size_t nparams, struct aws_result *r, char *err, size_t errlen)
{
    struct aws_call call = {service, region, op, params, nparams, NULL};
    return aws_call(c, &call, r, err, errlen);
}

static int setup(void **state)
{
    (void)state;
    const char *url = getenv("ANSIM_MOTO_URL"), *akid = getenv("ANSIM_MOTO_AKID"),
               *secret = getenv("ANSIM_MOTO_SECRET");
    if (!url || !akid || !secret) {
        fprintf(stderr, "aws: ANSIM_MOTO_URL/AKID/SECRET not set: run the tests through tests/run.sh, "
                        "which starts moto (tests/moto.sh)\n");
        return -1;
    }
    memset(&client, 0, sizeof client);
    client.cred.access_key_id = xstrdup(akid);
    client.cred.secret_access_key = xstrdup(secret);
    client.endpoint_url = url;
    client.timeout_ms = 20000;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    aws_cred_free(&client.cred);
    aws_http_thread_done();
    return 0;
}

static void signed_calls_are_accepted(void **state)
{
    (void)state;
    struct aws_result r;
    char err[ERRLEN] = "";
    assert_int_equal(
        qcall(&client, "sts", "ap-northeast-2", "GetCallerIdentity", NULL, 0, &r, err, sizeof err), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body.buf, "user/ansim-audit</Arn>"));
    aws_result_free(&r);
    const char *params[] = {"MaxItems", "100", "PathPrefix", "/"};
    assert_int_equal(qcall(&client, "iam", "ap-northeast-2", "ListUsers", params, 2, &r, err, sizeof err), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body.buf, "<UserName>ansim-audit</UserName>"));
    aws_result_free(&r);
}

static void wrong_secret_and_denials_are_error_codes(void **state)
{
    (void)state;
    struct aws_client bad = client;
    bad.cred.secret_access_key = "not-the-secret";
    struct aws_result r;
    char err[ERRLEN] = "";
    assert_int_equal(qcall(&bad, "iam", "ap-northeast-2", "ListUsers", NULL, 0, &r, err, sizeof err), 0);
    assert_int_equal(r.status, 403);
    assert_string_equal(r.code, "SignatureDoesNotMatch");
    aws_result_free(&r);
    /* the audit user's policy does not allow RDS: IAM is enforced */
    assert_int_equal(
        qcall(&client, "rds", "ap-northeast-2", "DescribeDBInstances", NULL, 0, &r, err, sizeof err), 0);
    assert_true(r.status >= 400);
    assert_non_null(r.code);
    assert_true(strstr(r.code, "Unauthorized") || strstr(r.code, "AccessDenied"));
    aws_result_free(&r);
}

static void only_reads_are_ever_sent(void **state)
{
    (void)state;
    struct aws_result r;
    char err[ERRLEN] = "";
    const char *params[] = {"UserName", "intruder"};
    assert_int_equal(qcall(&client, "iam", "us-east-1", "CreateUser", params, 1, &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "not a read-only operation"));
    aws_result_free(&r);
    /* the user really was not created */
    assert_int_equal(qcall(&client, "iam", "us-east-1", "ListUsers", NULL, 0, &r, err, sizeof err), 0);
    assert_null(strstr(r.body.buf, "intruder"));
    aws_result_free(&r);
}

static void unreachable_endpoint_is_an_error(void **state)
{
    (void)state;
    struct aws_client dead = client;
    dead.endpoint_url = "http://127.0.0.1:9"; /* discard port: nothing listens */
    dead.timeout_ms = 3000;
    dead.max_attempts = 2;
    dead.retry_base_ms = 10;
    struct aws_result r;
    char err[ERRLEN] = "";
    assert_int_equal(qcall(&dead, "iam", "us-east-1", "ListUsers", NULL, 0, &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "iam:ListUsers"));
    assert_non_null(strstr(err, "after 2 attempts"));
    assert_null(strstr(err, client.cred.secret_access_key));
    aws_result_free(&r);
}

/* ---- responses parsed as boto3 parses them ---- */

/* Deep comparison; timestamps are {"$ts": epoch} in the expectation. Fails with the path. */
static void same_json(const json_t *got, const json_t *want, const char *path)
{
    json_t *ts = json_is_object(want) && json_object_size(want) == 1 ? json_object_get(want, "$ts") : NULL;
    if (ts) {
        time_t t;
        if (!json_is_string(got) || time_parse(json_string_value(got), &t) != 0)
            fail_msg("%s: want a timestamp, got %s", path,
                     json_is_string(got) ? json_string_value(got) : "non-string");
        if ((long long)t != json_integer_value(ts))
            fail_msg("%s: timestamp %lld, want %lld", path, (long long)t, (long long)json_integer_value(ts));
        return;
    }
    if (json_typeof(got) != json_typeof(want) && !(json_is_boolean(got) && json_is_boolean(want)))
        fail_msg("%s: JSON type %d, want %d", path, (int)json_typeof(got), (int)json_typeof(want));
    if (json_is_object(want)) {
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)want, k, v)
        {
            char *sub = xasprintf("%s.%s", path, k);
            json_t *g = json_object_get(got, k);
            if (!g)
                fail_msg("%s: missing", sub);
            same_json(g, v, sub);
            free(sub);
        }
        json_object_foreach((json_t *)got, k, v) if (!json_object_get(want, k))
            fail_msg("%s.%s: not in boto3's parse", path, k);
    } else if (json_is_array(want)) {
        if (json_array_size(got) != json_array_size(want))
            fail_msg("%s: %zu items, want %zu", path, json_array_size(got), json_array_size(want));
        for (size_t i = 0; i < json_array_size(want); i++) {
            char *sub = xasprintf("%s[%zu]", path, i);
            same_json(json_array_get(got, i), json_array_get(want, i), sub);
            free(sub);
        }
    } else if (!json_equal((json_t *)got, (json_t *)want)) {
        char *g = json_dumps(got, JSON_ENCODE_ANY), *w = json_dumps(want, JSON_ENCODE_ANY);
        fail_msg("%s: %s, want %s", path, g, w);
    }
}

static void responses_match_boto3(void **state)
{
    (void)state;
    const char *dir = getenv("ANSIM_MOTO_EXPECT");
    assert_non_null(dir);
    static const char *const ops[][2] = {
        {"iam", "GetAccountSummary"}, {"iam", "GetAccountAuthorizationDetails"}, {"iam", "ListUsers"},
        {"sts", "GetCallerIdentity"}, {"ec2", "DescribeSecurityGroups"},         {"ec2", "DescribeRegions"}};
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
        const char *svc = ops[i][0], *op = ops[i][1];
        struct aws_result r;
        char err[ERRLEN] = "";
        if (qcall(&client, svc, "us-east-1", op, NULL, 0, &r, err, sizeof err) || r.status != 200)
            fail_msg("%s:%s: %s %s", svc, op, err, r.code ? r.code : "");
        json_t *got = aws_xml_to_json(svc, op, r.body.buf, r.body.len, err, sizeof err);
        if (!got)
            fail_msg("%s", err);
        char *path = xasprintf("%s/%s.%s.json", dir, svc, op);
        json_error_t je;
        json_t *want = json_load_file(path, 0, &je);
        if (!want)
            fail_msg("%s: %s", path, je.text);
        char *where = xasprintf("%s:%s", svc, op);
        same_json(got, want, where);
        free(where);
        free(path);
        json_decref(got);
        json_decref(want);
        aws_result_free(&r);
    }
}

static void malformed_responses_are_errors(void **state)
{
    (void)state;
    char err[ERRLEN] = "";
    const char *trunc = "<ListUsersResponse><ListUsersResult><Users><member><UserName>a";
    assert_null(aws_xml_to_json("iam", "ListUsers", trunc, strlen(trunc), err, sizeof err));
    assert_non_null(strstr(err, "malformed XML"));
    assert_null(aws_xml_to_json("iam", "ListUsers", "<Other/>", 8, err, sizeof err));
    assert_non_null(strstr(err, "ListUsersResult"));
    assert_null(aws_xml_to_json("iam", "CreateUser", "<x/>", 4, err, sizeof err));
    const char *dtd = "<!DOCTYPE r [<!ENTITY a \"x\">]><ListUsersResponse><ListUsersResult><Users><member>"
                      "<UserName>&a;</UserName></member></Users></ListUsersResult></ListUsersResponse>";
    assert_null(aws_xml_to_json("iam", "ListUsers", dtd, strlen(dtd), err, sizeof err));
    assert_non_null(strstr(err, "document type declaration"));
    /* a region that would steer the host name elsewhere is refused before anything is sent */
    struct aws_client c = {
        .cred = {"AKIDEXAMPLE", "secret", NULL, 0, NULL}, .timeout_ms = 1000, .max_attempts = 1};
    struct aws_result r;
    assert_int_equal(qcall(&c, "iam", "x.evil.example#", "ListUsers", NULL, 0, &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "invalid region"));
    aws_result_free(&r);
    /* types: numbers and booleans typed, odd values kept as text, unknown elements ignored */
    const char *pp = "<GetAccountPasswordPolicyResponse><GetAccountPasswordPolicyResult><PasswordPolicy>"
                     "<MinimumPasswordLength>14</MinimumPasswordLength><RequireSymbols>true</RequireSymbols>"
                     "<MaxPasswordAge>soon</MaxPasswordAge><Surprise>1</Surprise></PasswordPolicy>"
                     "</GetAccountPasswordPolicyResult></GetAccountPasswordPolicyResponse>";
    json_t *v = aws_xml_to_json("iam", "GetAccountPasswordPolicy", pp, strlen(pp), err, sizeof err);
    assert_non_null(v);
    json_t *p = json_object_get(v, "PasswordPolicy");
    assert_int_equal(json_integer_value(json_object_get(p, "MinimumPasswordLength")), 14);
    assert_true(json_is_true(json_object_get(p, "RequireSymbols")));
    assert_string_equal(json_string_value(json_object_get(p, "MaxPasswordAge")), "soon");
    assert_null(json_object_get(p, "Surprise"));
    json_decref(v);
}

/* ---- through the fault-injection proxy (tests/faultproxy.py) ---- */

static struct aws_client faulty;

static int fault_setup(void **state)
{
    if (setup(state))
        return -1;
    const char *url = getenv("ANSIM_FAULT_URL");
    if (!url) {
        fprintf(stderr, "aws: ANSIM_FAULT_URL not set: run the tests through tests/run.sh\n");
        return -1;
    }
    faulty = client;
    faulty.endpoint_url = url;
    faulty.retry_base_ms = 10;
    faulty.retry_cap_ms = 50;
    return 0;
}

/* Tell the proxy what to do with the next requests (a JSON list of actions). */
static void plan(const char *actions)
{
    char *url = xasprintf("%s/__fault/plan", faulty.endpoint_url);
    struct aws_http_req req = {"POST", url, NULL, 0, actions, strlen(actions), 0, 5000};
    struct aws_http_resp resp;
    char err[ERRLEN] = "";
    if (aws_http_send(&req, &resp, err, sizeof err) || resp.status != 200)
        fail_msg("fault proxy: %s", err);
    aws_http_resp_free(&resp);
    free(url);
}

static int requests_seen(void)
{
    char *url = xasprintf("%s/__fault/count", faulty.endpoint_url);
    struct aws_http_req req = {"GET", url, NULL, 0, NULL, 0, 0, 5000};
    struct aws_http_resp resp;
    char err[ERRLEN] = "";
    if (aws_http_send(&req, &resp, err, sizeof err))
        fail_msg("fault proxy: %s", err);
    int n = atoi(resp.body.buf);
    aws_http_resp_free(&resp);
    free(url);
    return n;
}

/* ListUsers through the proxy after plan p: returns the call's rc, fills r. */
static int list_users(const struct aws_client *c, const char *p, struct aws_result *r, char *err,
                      size_t errlen)
{
    plan(p);
    return qcall(c, "iam", "us-east-1", "ListUsers", NULL, 0, r, err, errlen);
}

static void throttling_and_5xx_are_retried(void **state)
{
    (void)state;
    struct aws_result r;
    char err[ERRLEN] = "";
    assert_int_equal(list_users(&faulty, "[\"throttle\", \"503\", \"500\"]", &r, err, sizeof err), 0);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.attempts, 4);
    assert_int_equal(requests_seen(), 4);
    assert_non_null(strstr(r.body.buf, "ansim-audit"));
    aws_result_free(&r);
}

static void retries_stop_and_the_error_remains(void **state)
{
    (void)state;
    struct aws_client c = faulty;
    c.max_attempts = 3;
    struct aws_result r;
    char err[ERRLEN] = "";
    assert_int_equal(
        list_users(&c, "[\"throttle\", \"throttle\", \"throttle\", \"throttle\"]", &r, err, sizeof err), 0);
    assert_int_equal(r.attempts, 3);
    assert_int_equal(requests_seen(), 3);
    assert_int_equal(r.status, 400);
    assert_string_equal(r.code, "Throttling"); /* the caller records it as an error, never a pass */
    aws_result_free(&r);
    plan("[]");
    /* a refused signature is not retried */
    c.cred.secret_access_key = "wrong";
    assert_int_equal(list_users(&c, "[]", &r, err, sizeof err), 0);
    assert_int_equal(r.attempts, 1);
    assert_string_equal(r.code, "SignatureDoesNotMatch");
    aws_result_free(&r);
}

static void resets_and_truncated_bodies_are_retried(void **state)
{
    (void)state;
    struct aws_result r;
    char err[ERRLEN] = "";
    assert_int_equal(list_users(&faulty, "[\"reset\", \"truncate\"]", &r, err, sizeof err), 0);
    assert_int_equal(r.status, 200);
    /* a reused connection the server closes before answering is resent once by libcurl
     * itself; either way three requests reached the proxy */
    assert_in_range(r.attempts, 2, 3);
    assert_int_equal(requests_seen(), 3);
    assert_non_null(strstr(r.body.buf, "</ListUsersResponse>"));
    aws_result_free(&r);
}

static void timeouts_end_in_a_clear_error(void **state)
{
    (void)state;
    struct aws_client c = faulty;
    c.timeout_ms = 700;
    c.max_attempts = 2;
    struct aws_result r;
    char err[ERRLEN] = "";
    assert_int_equal(list_users(&c, "[\"slow\", \"slow\"]", &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "iam:ListUsers"));
    assert_non_null(strstr(err, "after 2 attempts"));
    assert_null(strstr(err, c.cred.secret_access_key));
    aws_result_free(&r);
    plan("[]");
}

/* ---- protocols: JSON (KMS, CloudTrail), REST-XML (S3, S3 Control) ---- */

static json_t *output_of(const struct aws_client *c, const struct aws_call *call, struct aws_result *r)
{
    char err[ERRLEN] = "";
    if (aws_call(c, call, r, err, sizeof err) != 0)
        fail_msg("%s:%s: %s", call->service, call->op, err);
    if (r->status != 200)
        fail_msg("%s:%s: HTTP %d %s", call->service, call->op, r->status, r->code ? r->code : "");
    json_t *v = aws_output(call->service, call->op, r, err, sizeof err);
    if (!v)
        fail_msg("%s:%s: %s", call->service, call->op, err);
    return v;
}

static void json_and_rest_protocols_read_the_seeded_account(void **state)
{
    (void)state;
    struct aws_result r;
    /* JSON 1.1 (KMS): two keys in Seoul, timestamps as RFC 3339 text */
    struct aws_call keys = {"kms", "ap-northeast-2", "ListKeys", NULL, 0, NULL};
    json_t *v = output_of(&client, &keys, &r);
    assert_int_equal(json_array_size(json_object_get(v, "Keys")), 2);
    const char *id =
        json_string_value(json_object_get(json_array_get(json_object_get(v, "Keys"), 0), "KeyId"));
    char *body = xasprintf("{\"KeyId\": \"%s\"}", id);
    aws_result_free(&r);
    struct aws_call describe = {"kms", "ap-northeast-2", "DescribeKey", NULL, 0, body};
    json_t *d = output_of(&client, &describe, &r);
    const char *created =
        json_string_value(json_object_get(json_object_get(d, "KeyMetadata"), "CreationDate"));
    assert_non_null(created);
    time_t t;
    assert_int_equal(time_parse(created, &t), 0);
    assert_true(t > 1700000000);
    json_decref(d);
    json_decref(v);
    free(body);
    aws_result_free(&r);
    /* JSON error shape: an unknown key is NotFoundException */
    struct aws_call missing = {
        "kms", "ap-northeast-2", "DescribeKey", NULL, 0, "{\"KeyId\": \"no-such-key\"}"};
    char err[ERRLEN] = "";
    assert_int_equal(aws_call(&client, &missing, &r, err, sizeof err), 0);
    assert_int_equal(r.status, 400);
    assert_string_equal(r.code, "NotFoundException");
    aws_result_free(&r);
    /* CloudTrail: the multi-region trail, once, from its home region */
    struct aws_call trails = {"cloudtrail", "us-east-1", "DescribeTrails",
                              NULL,         0,           "{\"includeShadowTrails\": false}"};
    v = output_of(&client, &trails, &r);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(json_object_get(v, "trailList"), 0), "Name")),
        "main-trail");
    json_decref(v);
    aws_result_free(&r);
    /* REST-XML (S3): buckets, a bucket's region, its ACL with the xsi:type attribute */
    struct aws_call list = {"s3", "us-east-1", "ListBuckets", NULL, 0, NULL};
    v = output_of(&client, &list, &r);
    assert_int_equal(json_array_size(json_object_get(v, "Buckets")), 2);
    json_decref(v);
    aws_result_free(&r);
    const char *b[] = {"Bucket", "public-images"};
    struct aws_call loc = {"s3", "us-east-1", "GetBucketLocation", b, 1, NULL};
    v = output_of(&client, &loc, &r);
    assert_string_equal(json_string_value(json_object_get(v, "LocationConstraint")), "ap-northeast-2");
    json_decref(v);
    aws_result_free(&r);
    struct aws_call acl = {"s3", "ap-northeast-2", "GetBucketAcl", b, 1, NULL};
    v = output_of(&client, &acl, &r);
    int all_users = 0;
    size_t i;
    json_t *g;
    json_array_foreach(json_object_get(v, "Grants"), i, g)
    {
        json_t *grantee = json_object_get(g, "Grantee");
        const char *uri = json_string_value(json_object_get(grantee, "URI"));
        if (uri && strstr(uri, "AllUsers") && json_string_value(json_object_get(grantee, "Type")) &&
            strcmp(json_string_value(json_object_get(grantee, "Type")), "Group") == 0)
            all_users = 1;
    }
    assert_true(all_users);
    json_decref(v);
    aws_result_free(&r);
    /* REST-XML error shape and payload members */
    struct aws_call sse = {"s3", "ap-northeast-2", "GetBucketEncryption", b, 1, NULL};
    assert_int_equal(aws_call(&client, &sse, &r, err, sizeof err), 0);
    assert_string_equal(r.code, "ServerSideEncryptionConfigurationNotFoundError");
    aws_result_free(&r);
    const char *lb[] = {"Bucket", "secure-logs"};
    struct aws_call pol = {"s3", "us-east-1", "GetBucketPolicy", lb, 1, NULL};
    v = output_of(&client, &pol, &r);
    json_t *doc = json_loads(json_string_value(json_object_get(v, "Policy")), 0, NULL);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(json_object_get(doc, "Statement"), 0), "Sid")),
        "TLSOnly");
    json_decref(doc);
    json_decref(v);
    aws_result_free(&r);
    /* REST-JSON (GuardDuty, on the permissive moto of the clean account: strict moto cannot
     * verify GuardDuty signatures, boto3's included): GET with the id in the path */
    struct aws_client clean = client;
    clean.endpoint_url = getenv("ANSIM_CLEAN_URL");
    if (!clean.endpoint_url)
        fail_msg("ANSIM_CLEAN_URL not set: run the tests through tests/run.sh");
    struct aws_call detectors = {"guardduty", "ap-northeast-2", "ListDetectors", NULL, 0, NULL};
    v = output_of(&clean, &detectors, &r);
    assert_int_equal(json_array_size(json_object_get(v, "DetectorIds")), 1);
    const char *gd[] = {"DetectorId",
                        json_string_value(json_array_get(json_object_get(v, "DetectorIds"), 0))};
    aws_result_free(&r);
    struct aws_call detector = {"guardduty", "ap-northeast-2", "GetDetector", gd, 1, NULL};
    json_t *det = output_of(&clean, &detector, &r);
    assert_string_equal(json_string_value(json_object_get(det, "Status")), "ENABLED");
    assert_string_equal(json_string_value(json_object_get(det, "FindingPublishingFrequency")), "SIX_HOURS");
    json_decref(det);
    json_decref(v);
    aws_result_free(&r);
    const char *nogd[] = {"DetectorId", "0000/../x"}; /* encoded into one path segment */
    struct aws_call missing_gd = {"guardduty", "ap-northeast-2", "GetDetector", nogd, 1, NULL};
    assert_int_equal(aws_call(&clean, &missing_gd, &r, err, sizeof err), 0);
    assert_true(r.status >= 400);
    assert_non_null(r.code);
    aws_result_free(&r);
    /* S3 Control: the account id travels in x-amz-account-id; not configured in moto */
    const char *acct[] = {"AccountId", getenv("ANSIM_MOTO_ACCOUNT")};
    struct aws_call pab = {"s3control", "us-east-1", "GetPublicAccessBlock", acct, 1, NULL};
    assert_int_equal(aws_call(&client, &pab, &r, err, sizeof err), 0);
    assert_string_equal(r.code, "NoSuchPublicAccessBlockConfiguration");
    aws_result_free(&r);
    const char *bad[] = {"AccountId", "evil.example"};
    struct aws_call evil = {"s3control", "us-east-1", "GetPublicAccessBlock", bad, 1, NULL};
    assert_int_equal(aws_call(&client, &evil, &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "AccountId"));
    aws_result_free(&r);
}

static void endpoints_follow_partitions_and_overrides(void **state)
{
    (void)state;
    struct aws_client c;
    memset(&c, 0, sizeof c);
    const char *sr;
    int custom;
    unsetenv("AWS_ENDPOINT_URL");
    unsetenv("AWS_ENDPOINT_URL_S3");
    char *u = aws_endpoint(&c, "iam", "ap-northeast-2", &sr, &custom);
    assert_string_equal(u, "https://iam.amazonaws.com");
    assert_string_equal(sr, "us-east-1");
    assert_false(custom);
    free(u);
    u = aws_endpoint(&c, "iam", "cn-northwest-1", &sr, &custom);
    assert_string_equal(u, "https://iam.cn-north-1.amazonaws.com.cn");
    assert_string_equal(sr, "cn-north-1");
    free(u);
    u = aws_endpoint(&c, "organizations", "ap-northeast-2", &sr, &custom);
    assert_string_equal(u, "https://organizations.us-east-1.amazonaws.com");
    assert_string_equal(sr, "us-east-1");
    free(u);
    u = aws_endpoint(&c, "s3control", "ap-northeast-2", &sr, &custom);
    assert_string_equal(u, "https://s3-control.ap-northeast-2.amazonaws.com");
    free(u);
    u = aws_endpoint(&c, "kms", "us-gov-west-1", &sr, &custom);
    assert_string_equal(u, "https://kms.us-gov-west-1.amazonaws.com");
    free(u);
    /* the endpoint prefix, not the model name; global services in the home region */
    u = aws_endpoint(&c, "elbv2", "ap-northeast-2", &sr, &custom);
    assert_string_equal(u, "https://elasticloadbalancing.ap-northeast-2.amazonaws.com");
    free(u);
    u = aws_endpoint(&c, "cloudwatch", "ap-northeast-2", &sr, &custom);
    assert_string_equal(u, "https://monitoring.ap-northeast-2.amazonaws.com");
    free(u);
    u = aws_endpoint(&c, "budgets", "ap-northeast-2", &sr, &custom);
    assert_string_equal(u, "https://budgets.amazonaws.com");
    assert_string_equal(sr, "us-east-1");
    free(u);
    u = aws_endpoint(&c, "cloudfront", "eu-west-1", &sr, &custom);
    assert_string_equal(u, "https://cloudfront.amazonaws.com");
    assert_string_equal(sr, "us-east-1");
    free(u);
    u = aws_endpoint(&c, "ce", "cn-north-1", &sr, &custom);
    assert_string_equal(u, "https://ce.cn-north-1.amazonaws.com.cn");
    assert_string_equal(sr, "cn-north-1");
    free(u);
    setenv("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "http://127.0.0.1:4", 1);
    u = aws_endpoint(&c, "logs", "us-east-1", &sr, &custom);
    assert_string_equal(u, "http://127.0.0.1:4");
    free(u);
    unsetenv("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS");
    assert_string_equal(aws_partition("cn-north-1"), "aws-cn");
    assert_string_equal(aws_partition("ap-northeast-2"), "aws");
    setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1/", 1);
    setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:2", 1);
    u = aws_endpoint(&c, "s3", "us-east-1", &sr, &custom);
    assert_string_equal(u, "http://127.0.0.1:2");
    assert_true(custom);
    free(u);
    u = aws_endpoint(&c, "kms", "us-east-1", &sr, &custom);
    assert_string_equal(u, "http://127.0.0.1:1");
    free(u);
    setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
    u = aws_endpoint(&c, "kms", "us-east-1", &sr, &custom);
    assert_string_equal(u, "https://kms.us-east-1.amazonaws.com");
    free(u);
    c.endpoint_url = "http://127.0.0.1:3"; /* --endpoint-url wins over everything */
    unsetenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
    u = aws_endpoint(&c, "s3", "us-east-1", &sr, &custom);
    assert_string_equal(u, "http://127.0.0.1:3");
    free(u);
    unsetenv("AWS_ENDPOINT_URL");
    unsetenv("AWS_ENDPOINT_URL_S3");
    char *code, *msg;
    const char *j = "{\"__type\": \"com.amazonaws.kms#AccessDeniedException\", \"message\": \"no\"}";
    assert_int_equal(aws_json_error(j, strlen(j), &code, &msg), 0);
    assert_string_equal(code, "AccessDeniedException");
    assert_string_equal(msg, "no");
    free(code);
    free(msg);
    assert_int_equal(aws_json_error("{\"x\": 1", 8, &code, &msg), -1);
    char err[ERRLEN];
    const char *ts = "{\"KeyMetadata\": {\"KeyId\": \"k\", \"CreationDate\": 1700000000.5}}";
    json_t *v = aws_json_to_json("kms", "DescribeKey", ts, strlen(ts), err, sizeof err);
    assert_string_equal(json_string_value(json_object_get(json_object_get(v, "KeyMetadata"), "CreationDate")),
                        "2023-11-14T22:13:20.500Z");
    json_decref(v);
    assert_null(aws_json_to_json("kms", "DescribeKey", "[1]", 3, err, sizeof err));
    assert_null(aws_json_to_json("kms", "DescribeKey", "{\"a\":", 6, err, sizeof err));
}

static void json_and_s3_faults_are_retried_or_errors(void **state)
{
    (void)state;
    struct aws_result r;
    char err[ERRLEN] = "";
    struct aws_call keys = {"kms", "ap-northeast-2", "ListKeys", NULL, 0, NULL};
    plan("[\"throttle\", \"500\"]");
    assert_int_equal(aws_call(&faulty, &keys, &r, err, sizeof err), 0);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.attempts, 3);
    aws_result_free(&r);
    struct aws_call list = {"s3", "us-east-1", "ListBuckets", NULL, 0, NULL};
    plan("[\"503\", \"reset\"]");
    assert_int_equal(aws_call(&faulty, &list, &r, err, sizeof err), 0);
    assert_int_equal(r.status, 200);
    assert_in_range(r.attempts, 2, 3); /* see resets_and_truncated_bodies_are_retried */
    assert_int_equal(requests_seen(), 3);
    aws_result_free(&r);
    /* a complete answer holding half a document: an error, never a partial result */
    plan("[\"halfbody\"]");
    assert_int_equal(aws_call(&faulty, &keys, &r, err, sizeof err), 0);
    assert_null(aws_output("kms", "ListKeys", &r, err, sizeof err));
    assert_non_null(strstr(err, "malformed JSON"));
    aws_result_free(&r);
    plan("[\"halfbody\"]");
    assert_int_equal(aws_call(&faulty, &list, &r, err, sizeof err), 0);
    assert_null(aws_output("s3", "ListBuckets", &r, err, sizeof err));
    aws_result_free(&r);
    plan("[]");
}

/* Every operation of every AWS service botocore knows (ANSIM_ALL_OPS: "service op" lines
 * that tests/run.sh writes from botocore's models): only the read operations of ansim's
 * table may be sent, and every one of those exists in AWS's models. */
static void no_operation_but_the_reads_can_be_sent(void **state)
{
    (void)state;
    const char *path = getenv("ANSIM_ALL_OPS");
    if (!path)
        fail_msg("ANSIM_ALL_OPS not set: run the tests through tests/run.sh");
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s", path);
    char line[512];
    size_t total = 0, allowed = 0;
    while (fgets(line, sizeof line, f)) {
        char service[128], op[256];
        if (sscanf(line, "%127s %255s", service, op) != 2)
            continue;
        total++;
        if (!aws_op_allowed(service, op))
            continue;
        allowed++;
        int read =
            strncmp(op, "Describe", 8) == 0 || strncmp(op, "Get", 3) == 0 || strncmp(op, "List", 4) == 0;
        /* the same exceptions as WRITES_ALLOWED in tools/gen_shapes.py */
        int exception = (strcmp(service, "iam") == 0 && strcmp(op, "GenerateCredentialReport") == 0) ||
                        (strcmp(service, "sts") == 0 && strcmp(op, "AssumeRole") == 0) ||
                        (strcmp(service, "inspector2") == 0 && strcmp(op, "BatchGetAccountStatus") == 0);
        if (!read && !exception)
            fail_msg("%s:%s is allowed but is not a read", service, op);
        static const char *const data_ops[] = {"GetSecretValue",  "BatchGetSecretValue", "GetPasswordData",
                                               "GetObject",       "GetObjectTorrent",    "GetParameter",
                                               "GetParameters",   "GetParametersByPath", "GetSessionToken",
                                               "GetConsoleOutput"};
        for (size_t i = 0; i < sizeof data_ops / sizeof *data_ops; i++)
            if (strcmp(op, data_ops[i]) == 0)
                fail_msg("%s:%s is allowed but returns secrets or data", service, op);
    }
    fclose(f);
    assert_true(total > 10000); /* the whole of AWS, not a sample */
    assert_true(allowed > 30);
    /* each table entry is one of AWS's operations: nothing outside the models is allowed */
    assert_int_equal(allowed, aws_nops);
    assert_false(aws_op_allowed("iam", "DeleteUser"));
    assert_false(aws_op_allowed("made-up", "GetThing"));
    char msg[64];
    snprintf(msg, sizeof msg, "%zu of %zu operations allowed", allowed, total);
    print_message("read-only: %s\n", msg);
}

static void allow_list_and_error_documents(void **state)
{
    (void)state;
    assert_true(aws_op_allowed("iam", "GetAccountAuthorizationDetails"));
    assert_true(aws_op_allowed("iam", "GenerateCredentialReport"));
    assert_true(aws_op_allowed("ec2", "DescribeSecurityGroups"));
    assert_true(aws_op_allowed("s3", "ListBuckets"));
    assert_false(aws_op_allowed("s3", "GetBucketWebsite")); /* a read no collector needs: default deny */
    assert_false(aws_op_allowed("redshift", "GetClusterCredentials"));
    assert_false(aws_op_allowed("ec2", "GetLaunchTemplateData"));
    assert_true(aws_op_allowed("sts", "AssumeRole"));
    assert_false(aws_op_allowed("iam", "CreateUser"));
    assert_false(aws_op_allowed("secretsmanager", "GetSecretValue"));
    assert_false(aws_op_allowed("s3", "GetObject"));
    assert_false(aws_op_allowed("ec2", "GetPasswordData"));
    assert_false(aws_op_allowed("ssm", "GetParameters"));
    assert_false(aws_op_allowed("s3", "PutBucketPolicy"));
    assert_false(aws_op_allowed("ec2", "AssumeRole"));
    assert_false(aws_op_allowed("iam", ""));
    char *code, *msg;
    const char *q = "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>"
                    "<Message>Rate exceeded</Message></Error></ErrorResponse>";
    assert_int_equal(aws_xml_error(q, strlen(q), &code, &msg), 0);
    assert_string_equal(code, "Throttling");
    assert_string_equal(msg, "Rate exceeded");
    free(code);
    free(msg);
    const char *e = "<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>no</Message></Error>"
                    "</Errors><RequestID>1</RequestID></Response>";
    assert_int_equal(aws_xml_error(e, strlen(e), &code, &msg), 0);
    assert_string_equal(code, "UnauthorizedOperation");
    free(code);
    free(msg);
    assert_int_equal(aws_xml_error("<html>bad gateway", 17, &code, &msg), -1);
    free(code);
    free(msg);
    /* entity games (a DTD) are refused, not expanded or walked */
    const char *dtd = "<!DOCTYPE r [<!ENTITY a \"x\"><!ENTITY b \"&a;&a;\">]><ErrorResponse><Error>"
                      "<Code>&b;</Code><Message>&b;</Message></Error></ErrorResponse>";
    assert_int_equal(aws_xml_error(dtd, strlen(dtd), &code, &msg), -1);
    free(code);
    free(msg);
}

int run_aws_tests(void)
{
    const struct CMUnitTest offline[] = {cmocka_unit_test(allow_list_and_error_documents),
                                         cmocka_unit_test(endpoints_follow_partitions_and_overrides),
                                         cmocka_unit_test(no_operation_but_the_reads_can_be_sent),
                                         cmocka_unit_test(malformed_responses_are_errors)};
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(signed_calls_are_accepted),
        cmocka_unit_test(wrong_secret_and_denials_are_error_codes),
        cmocka_unit_test(only_reads_are_ever_sent),
        cmocka_unit_test(unreachable_endpoint_is_an_error),
        cmocka_unit_test(responses_match_boto3),
        cmocka_unit_test(json_and_rest_protocols_read_the_seeded_account),
    };
    const struct CMUnitTest faults[] = {
        cmocka_unit_test(throttling_and_5xx_are_retried),
        cmocka_unit_test(retries_stop_and_the_error_remains),
        cmocka_unit_test(resets_and_truncated_bodies_are_retried),
        cmocka_unit_test(timeouts_end_in_a_clear_error),
        cmocka_unit_test(json_and_s3_faults_are_retried_or_errors),
    };
    return cmocka_run_group_tests_name("aws client (offline)", offline, NULL, NULL) +
           cmocka_run_group_tests_name("aws client against moto", tests, setup, teardown) +
           cmocka_run_group_tests_name("aws client through injected faults", faults, fault_setup, teardown);
}
