/*
 * test_iam.c — the IAM engine: wildcard matching, every condition operator family with the
 * missing-key, IfExists, set-operator and negation rules, policy variables, and the tricky
 * cases of research/iam.md §6, each through iam_evaluate. Hostile input and sizes:
 * test_iam_hostile.c.
 */
#include "support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/iam/iam.h"
#include "../../src/util/util.h"

/* Evaluate one request built from JSON text: {principal, action, resource, context,
 * identity: [docs], resource_policy, boundary, session, scps: [[docs]], resource_account}. */
static enum iam_decision decide(const char *json)
{
    json_error_t je;
    json_t *q = json_loads(json, 0, &je);
    if (!q)
        fail_msg("test request is not JSON: %s: %s", je.text, json);
    char err[512] = "";
    struct iam_policy *ids[8] = {0}, *rp = NULL, *pb = NULL, *sp = NULL, *scp_levels[4][4] = {{0}};
    struct iam_policy **scps[4] = {scp_levels[0], scp_levels[1], scp_levels[2], scp_levels[3]};
    size_t nscps[4] = {0};
    struct iam_request r;
    memset(&r, 0, sizeof r);
    r.principal = json_string_value(json_object_get(q, "principal"));
    r.action = json_string_value(json_object_get(q, "action"));
    r.resource = json_string_value(json_object_get(q, "resource"));
    r.resource_account = json_string_value(json_object_get(q, "resource_account"));
    r.context = json_object_get(q, "context");
    json_t *list = json_object_get(q, "identity");
    for (size_t i = 0; i < json_array_size(list) && i < 8; i++)
        if (!(ids[r.nidentity++] = iam_policy_compile(json_array_get(list, i), "identity", err, sizeof err)))
            fail_msg("%s", err);
    r.identity = ids;
    if (json_object_get(q, "resource_policy") &&
        !(rp = iam_policy_compile(json_object_get(q, "resource_policy"), "resource", err, sizeof err)))
        fail_msg("%s", err);
    r.resource_policy = rp;
    if (json_object_get(q, "boundary") &&
        !(pb = iam_policy_compile(json_object_get(q, "boundary"), "pb", err, sizeof err)))
        fail_msg("%s", err);
    r.boundary = pb ? &pb : NULL;
    r.nboundary = pb ? 1 : 0;
    if (json_object_get(q, "session") &&
        !(sp = iam_policy_compile(json_object_get(q, "session"), "sp", err, sizeof err)))
        fail_msg("%s", err);
    r.session_policy = sp;
    json_t *levels = json_object_get(q, "scps");
    for (size_t l = 0; l < json_array_size(levels) && l < 4; l++) {
        json_t *lv = json_array_get(levels, l);
        for (size_t i = 0; i < json_array_size(lv) && i < 4; i++)
            if (!(scps[l][nscps[l]++] = iam_policy_compile(json_array_get(lv, i), "scp", err, sizeof err)))
                fail_msg("%s", err);
        r.nscp_levels++;
    }
    r.scps = scps;
    r.nscps = nscps;
    struct iam_result res;
    if (iam_evaluate(&r, &res, err, sizeof err))
        fail_msg("evaluate: %s", err);
    json_decref(res.matched);
    for (size_t i = 0; i < r.nidentity; i++)
        iam_policy_free(ids[i]);
    iam_policy_free(rp);
    iam_policy_free(pb);
    iam_policy_free(sp);
    for (size_t l = 0; l < 4; l++)
        for (size_t i = 0; i < nscps[l]; i++)
            iam_policy_free(scps[l][i]);
    json_decref(q);
    return res.decision;
}

#define USER "arn:aws:iam::111122223333:user/alice"
#define SESSION "arn:aws:sts::111122223333:assumed-role/auditor/s1"
#define ROLE "arn:aws:iam::111122223333:role/auditor"
#define OBJ "arn:aws:s3:::pii-bucket/customers.csv"

/* An identity policy with one Allow statement (action s3:GetObject on OBJ) and a condition. */
static enum iam_decision with_condition(const char *condition, const char *context)
{
    char *q =
        xasprintf("{\"principal\": \"" USER "\", \"action\": \"s3:GetObject\", \"resource\": \"" OBJ "\", "
                  "\"context\": %s, \"identity\": [{\"Version\": \"2012-10-17\", \"Statement\": "
                  "{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\", "
                  "\"Condition\": %s}}]}",
                  context, condition);
    enum iam_decision d = decide(q);
    free(q);
    return d;
}

#define ALLOWS(cond, ctx) assert_int_equal(with_condition(cond, ctx), IAM_ALLOW)
#define DENIES(cond, ctx) assert_int_equal(with_condition(cond, ctx), IAM_IMPLICIT_DENY)

static void wildcards(void **state)
{
    (void)state;
    assert_true(iam_glob("s3:get*", "s3:getobject", 1));
    assert_false(iam_glob("s3:get?object", "s3:getobject", 1)); /* '?' is exactly one character */
    assert_true(iam_glob("S3:GET?BJECT", "s3:getobject", 1));
    assert_true(iam_glob("s3:get?bject", "s3:getobject", 1));
    assert_true(iam_glob("iam:*accesskey*", "iam:createaccesskey", 1));
    assert_false(iam_glob("Bucket", "bucket", 0));
    assert_true(iam_resource_match("arn:aws:s3:::bucket/*/test/*", "arn:aws:s3:::bucket//test/object.jpg"));
    assert_false(iam_resource_match("arn:aws:s3:::bucket/*/test/*", "arn:aws:s3:::bucket/test/object.jpg"));
    assert_false(iam_resource_match("arn:aws:iam::111122223333:user/Alice", USER)); /* case sensitive */
    assert_true(iam_resource_match("arn:aws:dynamodb:*:111122223333:table/prod-*",
                                   "arn:aws:dynamodb:ap-northeast-2:111122223333:table/prod-users"));
    assert_true(iam_resource_match("*", "anything"));
    /* hostile patterns and sizes: test_iam_hostile.c */
}

static void string_and_negated_operators(void **state)
{
    (void)state;
    ALLOWS("{\"StringEquals\": {\"aws:PrincipalTag/team\": [\"data\", \"sec\"]}}",
           "{\"aws:PrincipalTag/team\": \"sec\"}");
    DENIES("{\"StringEquals\": {\"aws:PrincipalTag/team\": \"d*\"}}",
           "{\"aws:PrincipalTag/team\": \"data\"}");
    ALLOWS("{\"StringLike\": {\"aws:PrincipalTag/team\": \"d*\"}}", "{\"aws:PrincipalTag/team\": \"data\"}");
    ALLOWS("{\"StringEqualsIgnoreCase\": {\"aws:PrincipalTag/team\": \"DATA\"}}",
           "{\"aws:PrincipalTag/team\": \"data\"}");
    /* key names are case-insensitive */
    ALLOWS("{\"StringEquals\": {\"AWS:principaltag/TEAM\": \"data\"}}",
           "{\"aws:PrincipalTag/team\": \"data\"}");
    /* negated: NOR over the values; true when the key is absent */
    DENIES("{\"StringNotEquals\": {\"aws:PrincipalTag/team\": [\"a\", \"b\"]}}",
           "{\"aws:PrincipalTag/team\": \"b\"}");
    ALLOWS("{\"StringNotEquals\": {\"aws:PrincipalTag/team\": [\"a\", \"b\"]}}",
           "{\"aws:PrincipalTag/team\": \"c\"}");
    ALLOWS("{\"StringNotEquals\": {\"aws:PrincipalTag/team\": \"a\"}}", "{}");
    DENIES("{\"StringEquals\": {\"aws:PrincipalTag/team\": \"a\"}}", "{}");
    ALLOWS("{\"StringEqualsIfExists\": {\"aws:PrincipalTag/team\": \"a\"}}", "{}");
    DENIES("{\"StringEqualsIfExists\": {\"aws:PrincipalTag/team\": \"a\"}}",
           "{\"aws:PrincipalTag/team\": \"b\"}");
}

static void numeric_date_bool_ip_arn_null(void **state)
{
    (void)state;
    ALLOWS("{\"NumericLessThan\": {\"s3:max-keys\": \"10\"}}", "{\"s3:max-keys\": \"9\"}");
    DENIES("{\"NumericLessThan\": {\"s3:max-keys\": \"10\"}}", "{\"s3:max-keys\": \"10\"}");
    ALLOWS("{\"NumericGreaterThanEquals\": {\"s3:max-keys\": \"1.5\"}}", "{\"s3:max-keys\": \"1.5\"}");
    ALLOWS("{\"DateLessThan\": {\"aws:CurrentTime\": \"2026-12-01T00:00:00Z\"}}",
           "{\"aws:CurrentTime\": \"2026-11-25T00:00:00Z\"}");
    ALLOWS("{\"DateGreaterThan\": {\"aws:EpochTime\": \"1700000000\"}}",
           "{\"aws:EpochTime\": \"1800000000\"}");
    ALLOWS("{\"Bool\": {\"aws:SecureTransport\": \"true\"}}", "{\"aws:SecureTransport\": \"true\"}");
    DENIES("{\"Bool\": {\"aws:SecureTransport\": \"true\"}}", "{\"aws:SecureTransport\": \"false\"}");
    ALLOWS("{\"IpAddress\": {\"aws:SourceIp\": \"10.20.0.0/16\"}}", "{\"aws:SourceIp\": \"10.20.3.4\"}");
    DENIES("{\"IpAddress\": {\"aws:SourceIp\": \"10.20.0.0/16\"}}", "{\"aws:SourceIp\": \"10.21.3.4\"}");
    ALLOWS("{\"IpAddress\": {\"aws:SourceIp\": \"2001:db8::/32\"}}", "{\"aws:SourceIp\": \"2001:db8::1\"}");
    ALLOWS("{\"NotIpAddress\": {\"aws:SourceIp\": \"10.0.0.0/8\"}}", "{}"); /* absent: negated is true */
    ALLOWS("{\"ArnLike\": {\"aws:SourceArn\": \"arn:aws:s3:::pii-*\"}}",
           "{\"aws:SourceArn\": \"arn:aws:s3:::pii-bucket\"}");
    /* ARN operators go field by field: a '*' in the region field does not cross ':' */
    DENIES("{\"ArnLike\": {\"aws:SourceArn\": \"arn:aws:sqs:*:queue\"}}",
           "{\"aws:SourceArn\": \"arn:aws:sqs:ap:1:queue\"}");
    ALLOWS("{\"Null\": {\"aws:TokenIssueTime\": \"true\"}}", "{}");
    DENIES("{\"Null\": {\"aws:TokenIssueTime\": \"true\"}}",
           "{\"aws:TokenIssueTime\": \"2026-11-25T00:00:00Z\"}");
    ALLOWS("{\"Null\": {\"aws:TokenIssueTime\": \"false\"}}",
           "{\"aws:TokenIssueTime\": \"2026-11-25T00:00:00Z\"}");
    ALLOWS("{\"BinaryEquals\": {\"x:blob\": \"QmluYXJ5\"}}", "{\"x:blob\": \"QmluYXJ5\"}");
    /* several operators and keys: AND */
    DENIES(
        "{\"Bool\": {\"aws:SecureTransport\": \"true\"}, \"IpAddress\": {\"aws:SourceIp\": \"10.0.0.0/8\"}}",
        "{\"aws:SecureTransport\": \"true\", \"aws:SourceIp\": \"192.0.2.1\"}");
}

static void set_operators(void **state)
{
    (void)state;
    const char *all = "{\"ForAllValues:StringEquals\": {\"aws:TagKeys\": [\"team\", \"env\"]}}";
    ALLOWS(all, "{\"aws:TagKeys\": [\"team\"]}");
    DENIES(all, "{\"aws:TagKeys\": [\"team\", \"owner\"]}");
    ALLOWS(all, "{}");                    /* ForAllValues on an absent key: true (vacuous) */
    ALLOWS(all, "{\"aws:TagKeys\": []}"); /* ... and on an empty set */
    const char *any = "{\"ForAnyValue:StringEquals\": {\"aws:TagKeys\": [\"team\", \"env\"]}}";
    ALLOWS(any, "{\"aws:TagKeys\": [\"owner\", \"env\"]}");
    DENIES(any, "{\"aws:TagKeys\": [\"owner\"]}");
    DENIES(any, "{}");
    ALLOWS("{\"ForAllValues:StringNotEquals\": {\"aws:TagKeys\": [\"secret\"]}}",
           "{\"aws:TagKeys\": [\"a\", \"b\"]}");
    DENIES("{\"ForAllValues:StringNotEquals\": {\"aws:TagKeys\": [\"secret\"]}}",
           "{\"aws:TagKeys\": [\"a\", \"secret\"]}");
    ALLOWS("{\"ForAnyValue:StringNotEquals\": {\"aws:TagKeys\": [\"secret\"]}}",
           "{\"aws:TagKeys\": [\"a\", \"secret\"]}");
}

static void policy_variables(void **state)
{
    (void)state;
    const char *q = "{\"principal\": \"" USER "\", \"action\": \"s3:GetObject\", \"resource\": "
                    "\"arn:aws:s3:::home/alice/notes.txt\", \"identity\": [{\"Version\": \"2012-10-17\", "
                    "\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", "
                    "\"Resource\": \"arn:aws:s3:::home/${aws:username}/*\"}}]}";
    assert_int_equal(decide(q), IAM_ALLOW);
    /* no Version: the variable is literal text */
    const char *old = "{\"principal\": \"" USER "\", \"action\": \"s3:GetObject\", \"resource\": "
                      "\"arn:aws:s3:::home/alice/notes.txt\", \"identity\": [{"
                      "\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", "
                      "\"Resource\": \"arn:aws:s3:::home/${aws:username}/*\"}}]}";
    assert_int_equal(decide(old), IAM_IMPLICIT_DENY);
    /* a default for a missing key; a substituted value never acts as a wildcard */
    ALLOWS("{\"StringLike\": {\"s3:prefix\": \"${aws:PrincipalTag/team, 'none'}/*\"}}",
           "{\"s3:prefix\": \"none/x\"}");
    DENIES("{\"StringLike\": {\"s3:prefix\": \"${aws:PrincipalTag/team}\"}}",
           "{\"s3:prefix\": \"anything\", \"aws:PrincipalTag/team\": \"*\"}");
    ALLOWS("{\"StringLike\": {\"s3:prefix\": \"a${*}b\"}}", "{\"s3:prefix\": \"a*b\"}");
    DENIES("{\"StringLike\": {\"s3:prefix\": \"a${*}b\"}}", "{\"s3:prefix\": \"axb\"}");
    /* a variable with no value is a null value, equal to or like nothing (IAM User Guide,
     * "Policy variables with no value"): a positive operator does not match it and a negated
     * one does, so AWS's own example Deny applies to a principal without the tag */
    const char *deny_fmt =
        "{\"principal\": \"" USER "\", \"action\": \"s3:GetObject\", \"resource\": \"" OBJ "\", "
        "\"context\": {\"s3:ExistingObjectTag/Team\": \"red\"}, "
        "\"identity\": [{\"Version\": \"2012-10-17\", \"Statement\": ["
        "{\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"},"
        "{\"Effect\": \"Deny\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\", \"Condition\": "
        "{\"%s\": {\"s3:ExistingObjectTag/Team\": \"${aws:PrincipalTag/Team}\"}}}]}]}";
    char *deny = xasprintf(deny_fmt, "StringNotEquals");
    assert_int_equal(decide(deny), IAM_EXPLICIT_DENY);
    free(deny);
    deny = xasprintf(deny_fmt, "StringEquals");
    assert_int_equal(decide(deny), IAM_ALLOW);
    free(deny);
    ALLOWS("{\"StringEquals\": {\"aws:username\": [\"${aws:PrincipalTag/x}\", \"alice\"]}}", "{}");
    /* ... and a Resource / NotResource entry holding one matches no resource */
    const char *res_fmt =
        "{\"principal\": \"" USER "\", \"action\": \"s3:GetObject\", \"resource\": \"" OBJ "\", "
        "\"identity\": [{\"Version\": \"2012-10-17\", \"Statement\": ["
        "{\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": "
        "[\"arn:aws:s3:::h/${aws:PrincipalTag/d}\", "
        "\"%s\"]},"
        "{\"Effect\": \"Deny\", \"Action\": \"s3:*\", \"NotResource\": \"%s\"}]}]}";
    char *res = xasprintf(res_fmt, OBJ, "arn:aws:s3:::nothing");
    assert_int_equal(decide(res), IAM_EXPLICIT_DENY); /* the NotResource excludes nothing */
    free(res);
    res = xasprintf(res_fmt, OBJ, "arn:aws:s3:::pii-bucket/${aws:PrincipalTag/d}*");
    assert_int_equal(decide(res), IAM_EXPLICIT_DENY);
    free(res);
    res = xasprintf(res_fmt, OBJ, OBJ);
    assert_int_equal(decide(res), IAM_ALLOW); /* the other Resource entry still matches */
    free(res);
}

/* Variables stand only in the resource part of a Resource ARN (after the fifth colon);
 * "${...}" before it is literal text (IAM User Guide, Resource element). */
static void variables_only_in_the_resource_part(void **state)
{
    (void)state;
    const char *fmt = "{\"principal\": \"" USER "\", \"action\": \"dynamodb:GetItem\", \"resource\": "
                      "\"arn:aws:dynamodb:us-east-1:111122223333:table/alice\", \"identity\": [{\"Version\": "
                      "\"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\", \"Action\": \"dynamodb:*\", "
                      "\"Resource\": \"%s\"}}]}";
    char *q = xasprintf(fmt, "arn:aws:dynamodb:us-east-1:111122223333:table/${aws:username}");
    assert_int_equal(decide(q), IAM_ALLOW);
    free(q);
    q = xasprintf(fmt, "arn:aws:dynamodb:us-east-1:${aws:PrincipalAccount}:table/alice");
    assert_int_equal(decide(q), IAM_IMPLICIT_DENY);
    free(q);
    q = xasprintf(fmt, "arn:aws:dynamodb:us-east-1:${aws:PrincipalAccount}:table/${aws:username}");
    assert_int_equal(decide(q), IAM_IMPLICIT_DENY);
    free(q);
}

/* A resource policy naming the IAM user whose GetFederationToken made a federated session
 * grants like one naming a session's role: the session policy still limits it (IAM User
 * Guide, policy evaluation within an account); its Deny applies to the session. */
static void federated_session_and_its_iam_user(void **state)
{
    (void)state;
    const char *fmt =
        "{\"principal\": \"arn:aws:sts::111122223333:federated-user/alice\", \"action\": \"s3:GetObject\", "
        "\"resource\": \"" OBJ "\", \"resource_account\": \"111122223333\", "
        "\"session\": {\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\", "
        "\"Action\": \"%s\", \"Resource\": \"*\"}}, \"resource_policy\": {\"Version\": \"2012-10-17\", "
        "\"Statement\": {\"Effect\": \"%s\", \"Principal\": {\"AWS\": "
        "\"arn:aws:iam::111122223333:user/%s\"}, "
        "\"Action\": \"s3:GetObject\", \"Resource\": \"" OBJ "\"}}}";
    char *q = xasprintf(fmt, "s3:*", "Allow", "alice");
    assert_int_equal(decide(q), IAM_ALLOW); /* no identity policy needed in the same account */
    free(q);
    q = xasprintf(fmt, "ec2:*", "Allow", "alice");
    assert_int_equal(decide(q), IAM_IMPLICIT_DENY); /* the session policy limits the grant */
    free(q);
    q = xasprintf(fmt, "s3:*", "Allow", "bob");
    assert_int_equal(decide(q), IAM_IMPLICIT_DENY); /* another user */
    free(q);
    q = xasprintf(fmt, "s3:*", "Deny", "alice");
    assert_int_equal(decide(q), IAM_EXPLICIT_DENY);
    free(q);
}

static void tricky_cases(void **state)
{
    (void)state;
    const char *allow_get = "{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\", "
                            "\"Action\": \"S3:getOBJECT\", \"Resource\": \"" OBJ "\"}}";
    char *q;
    /* 1. actions case-insensitive */
    q = xasprintf("{\"principal\": \"" USER "\", \"action\": \"s3:GetObject\", \"resource\": \"" OBJ
                  "\", \"identity\": [%s]}",
                  allow_get);
    assert_int_equal(decide(q), IAM_ALLOW);
    free(q);
    /* 2. a resource policy naming the role is cut by the boundary; naming the session is not */
    const char *pb =
        "{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\", \"Action\": \"ec2:*\", "
        "\"Resource\": \"*\"}}";
    q = xasprintf(
        "{\"principal\": \"" SESSION "\", \"action\": \"s3:GetObject\", \"resource\": \"" OBJ
        "\", \"resource_account\": \"111122223333\", \"boundary\": %s, \"resource_policy\": {\"Version\": "
        "\"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"" ROLE
        "\"}, \"Action\": \"s3:GetObject\", \"Resource\": \"" OBJ "\"}}}",
        pb);
    assert_int_equal(decide(q), IAM_IMPLICIT_DENY);
    free(q);
    q = xasprintf(
        "{\"principal\": \"" SESSION "\", \"action\": \"s3:GetObject\", \"resource\": \"" OBJ
        "\", \"resource_account\": \"111122223333\", \"boundary\": %s, \"resource_policy\": {\"Version\": "
        "\"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"" SESSION
        "\"}, \"Action\": \"s3:GetObject\", \"Resource\": \"" OBJ "\"}}}",
        pb);
    assert_int_equal(decide(q), IAM_ALLOW);
    free(q);
    /* 3. naming the account grants nothing by itself */
    q = xasprintf(
        "{\"principal\": \"" USER "\", \"action\": \"s3:GetObject\", \"resource\": \"" OBJ
        "\", \"resource_account\": \"111122223333\", \"resource_policy\": {\"Version\": \"2012-10-17\", "
        "\"Statement\": {\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"111122223333\"}, "
        "\"Action\": \"s3:GetObject\", \"Resource\": \"" OBJ "\"}}}");
    assert_int_equal(decide(q), IAM_IMPLICIT_DENY);
    free(q);
    /* 5. cross account needs both sides */
    q = xasprintf(
        "{\"principal\": \"arn:aws:iam::444455556666:user/bob\", \"action\": \"s3:GetObject\", "
        "\"resource\": \"" OBJ "\", \"resource_account\": \"111122223333\", \"resource_policy\": "
        "{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\", \"Principal\": {\"AWS\": "
        "\"arn:aws:iam::444455556666:user/bob\"}, \"Action\": \"s3:GetObject\", \"Resource\": \"" OBJ
        "\"}}}");
    assert_int_equal(decide(q), IAM_IMPLICIT_DENY);
    free(q);
    /* 6. a KMS key policy must allow even the same account; IAM counts once it delegates */
    const char *key = "arn:aws:kms:ap-northeast-2:111122223333:key/1234";
    q = xasprintf(
        "{\"principal\": \"" USER "\", \"action\": \"kms:Decrypt\", \"resource\": \"%s\", \"identity\": "
        "[{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\", \"Action\": \"kms:*\", "
        "\"Resource\": \"*\"}}], \"resource_policy\": {\"Version\": \"2012-10-17\", \"Statement\": "
        "{\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::999999999999:root\"}, "
        "\"Action\": \"kms:*\", \"Resource\": \"*\"}}}",
        key);
    assert_int_equal(decide(q), IAM_IMPLICIT_DENY);
    free(q);
    q = xasprintf(
        "{\"principal\": \"" USER "\", \"action\": \"kms:Decrypt\", \"resource\": \"%s\", \"identity\": "
        "[{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\", \"Action\": \"kms:*\", "
        "\"Resource\": \"*\"}}], \"resource_policy\": {\"Version\": \"2012-10-17\", \"Statement\": "
        "{\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:root\"}, "
        "\"Action\": \"kms:*\", \"Resource\": \"*\"}}}",
        key);
    assert_int_equal(decide(q), IAM_ALLOW);
    free(q);
    /* 8. NotAction with Allow grants everything else, other services included */
    q = xasprintf(
        "{\"principal\": \"" USER "\", \"action\": \"ec2:RunInstances\", \"resource\": \"*\", \"identity\": "
        "[{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\", \"NotAction\": \"iam:*\", "
        "\"Resource\": \"*\"}}]}");
    assert_int_equal(decide(q), IAM_ALLOW);
    free(q);
    /* 16. SCPs need an Allow at every level */
    const char *full =
        "{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*\", "
        "\"Resource\": \"*\"}}";
    q = xasprintf("{\"principal\": \"" USER "\", \"action\": \"s3:GetObject\", \"resource\": \"" OBJ
                  "\", \"identity\": [%s], \"scps\": [[%s], []]}",
                  full, full);
    assert_int_equal(decide(q), IAM_IMPLICIT_DENY);
    free(q);
    q = xasprintf("{\"principal\": \"" USER "\", \"action\": \"s3:GetObject\", \"resource\": \"" OBJ
                  "\", \"identity\": [%s], \"scps\": [[%s], [%s]]}",
                  full, full, full);
    assert_int_equal(decide(q), IAM_ALLOW);
    free(q);
    /* explicit deny wins over every allow */
    q = xasprintf(
        "{\"principal\": \"" USER "\", \"action\": \"s3:GetObject\", \"resource\": \"" OBJ
        "\", \"identity\": [%s, {\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Deny\", "
        "\"Action\": \"s3:Get*\", \"Resource\": \"arn:aws:s3:::pii-*\"}}]}",
        full);
    assert_int_equal(decide(q), IAM_EXPLICIT_DENY);
    free(q);
    /* 19. a wildcard-only action is authorized against "*": a specific ARN does not match */
    q = xasprintf(
        "{\"principal\": \"" USER "\", \"action\": \"ec2:DescribeInstances\", \"resource\": \"*\", "
        "\"identity\": [{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\", \"Action\": "
        "\"ec2:*\", \"Resource\": \"arn:aws:ec2:*:*:instance/*\"}}]}");
    assert_int_equal(decide(q), IAM_IMPLICIT_DENY);
    free(q);
    /* 23. a federated session without a session policy has no permissions */
    q = xasprintf(
        "{\"principal\": \"arn:aws:sts::111122223333:federated-user/carol\", \"action\": \"s3:GetObject\", "
        "\"resource\": \"" OBJ "\", \"identity\": [%s]}",
        full);
    assert_int_equal(decide(q), IAM_IMPLICIT_DENY);
    free(q);
}

static void malformed_policies_are_refused(void **state)
{
    (void)state;
    char err[256];
    const char *bad[] = {
        "[]",
        "{\"Statement\": 3}",
        "{\"Statement\": {\"Effect\": \"allow\", \"Action\": \"*\", \"Resource\": \"*\"}}",
        "{\"Statement\": {\"Effect\": \"Allow\", \"Resource\": \"*\"}}",
        "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*\", \"NotAction\": \"s3:*\", \"Resource\": "
        "\"*\"}}",
        "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\", \"Condition\": "
        "{\"StringEqualz\": {\"a\": \"b\"}}}}",
        "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": [1, {}], \"Resource\": \"*\"}}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        json_t *doc = json_loads(bad[i], 0, NULL);
        struct iam_policy *p = iam_policy_compile(doc, "p", err, sizeof err);
        if (p)
            fail_msg("accepted: %s", bad[i]);
        assert_true(strlen(err) > 0);
        json_decref(doc);
    }
}

int run_iam_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(wildcards),
        cmocka_unit_test(string_and_negated_operators),
        cmocka_unit_test(numeric_date_bool_ip_arn_null),
        cmocka_unit_test(set_operators),
        cmocka_unit_test(policy_variables),
        cmocka_unit_test(variables_only_in_the_resource_part),
        cmocka_unit_test(federated_session_and_its_iam_user),
        cmocka_unit_test(tricky_cases),
        cmocka_unit_test(malformed_policies_are_refused),
    };
    return cmocka_run_group_tests_name("iam engine", tests, NULL, NULL);
}
