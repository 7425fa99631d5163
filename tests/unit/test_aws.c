/*
 * test_aws.c — the AWS client against the local emulator: moto in strict mode (started by
 * tests/run.sh through tests/moto.sh, which exports ANSIM_MOTO_*) verifies every SigV4
 * signature and enforces the audit user's IAM policy. Proves that signed query-protocol
 * calls are accepted, that a wrong secret is refused (SignatureDoesNotMatch), that IAM
 * denials come back as error codes (EC2's XML shape), that non-read operations are never
 * sent, and that transport failures are errors. Without the emulator the group fails.
 */
#include "support.h"

#include <stdlib.h>
#include <string.h>

#include "../../src/aws/aws.h"
#include "../../src/util/util.h"

static struct aws_client client;

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
    return 0;
}

static void signed_calls_are_accepted(void **state)
{
    (void)state;
    struct aws_result r;
    char err[ERRLEN] = "";
    assert_int_equal(aws_query_call(&client, "sts", "ap-northeast-2", "2011-06-15", "GetCallerIdentity", NULL, 0,
                                    &r, err, sizeof err),
                     0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body.buf, "user/ansim-audit</Arn>"));
    aws_result_free(&r);
    const char *params[] = {"MaxItems", "100", "PathPrefix", "/"};
    assert_int_equal(
        aws_query_call(&client, "iam", "ap-northeast-2", "2010-05-08", "ListUsers", params, 2, &r, err, sizeof err), 0);
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
    assert_int_equal(
        aws_query_call(&bad, "iam", "ap-northeast-2", "2010-05-08", "ListUsers", NULL, 0, &r, err, sizeof err), 0);
    assert_int_equal(r.status, 403);
    assert_string_equal(r.code, "SignatureDoesNotMatch");
    aws_result_free(&r);
    /* the audit user may read IAM only: EC2 answers with its own error shape */
    assert_int_equal(aws_query_call(&client, "ec2", "ap-northeast-2", "2016-11-15", "DescribeRegions", NULL, 0, &r,
                                    err, sizeof err),
                     0);
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
    assert_int_equal(
        aws_query_call(&client, "iam", "us-east-1", "2010-05-08", "CreateUser", params, 1, &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "not a read-only operation"));
    aws_result_free(&r);
    /* the user really was not created */
    assert_int_equal(
        aws_query_call(&client, "iam", "us-east-1", "2010-05-08", "ListUsers", NULL, 0, &r, err, sizeof err), 0);
    assert_null(strstr(r.body.buf, "intruder"));
    aws_result_free(&r);
}

static void unreachable_endpoint_is_an_error(void **state)
{
    (void)state;
    struct aws_client dead = client;
    dead.endpoint_url = "http://127.0.0.1:9"; /* discard port: nothing listens */
    dead.timeout_ms = 3000;
    struct aws_result r;
    char err[ERRLEN] = "";
    assert_int_equal(
        aws_query_call(&dead, "iam", "us-east-1", "2010-05-08", "ListUsers", NULL, 0, &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "iam:ListUsers"));
    assert_null(strstr(err, client.cred.secret_access_key));
    aws_result_free(&r);
}

static void allow_list_and_error_documents(void **state)
{
    (void)state;
    assert_true(aws_op_allowed("iam", "GetAccountAuthorizationDetails"));
    assert_true(aws_op_allowed("iam", "GenerateCredentialReport"));
    assert_true(aws_op_allowed("ec2", "DescribeSecurityGroups"));
    assert_true(aws_op_allowed("s3", "ListBuckets"));
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
}

int run_aws_tests(void)
{
    const struct CMUnitTest offline[] = {cmocka_unit_test(allow_list_and_error_documents)};
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(signed_calls_are_accepted),
        cmocka_unit_test(wrong_secret_and_denials_are_error_codes),
        cmocka_unit_test(only_reads_are_ever_sent),
        cmocka_unit_test(unreachable_endpoint_is_an_error),
    };
    return cmocka_run_group_tests_name("aws client (offline)", offline, NULL, NULL) +
           cmocka_run_group_tests_name("aws client against moto", tests, setup, teardown);
}
