/*
 * test_iam_account.c — the IAM engine over an account: open-context evaluation
 * (iam_evaluate_open: allow / conditional with readable conditions / deny, known vs unknown
 * keys), the account model built from snapshot resources (groups, managed policies,
 * boundaries, trust, bucket policies, SCP levels, missing documents), who-can through
 * trust policies, effective administrators and escalation paths.
 */
#include "support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/iam/iam.h"
#include "../../src/util/util.h"

static struct iam_policy *policy(const char *json)
{
    json_t *d = json_loads(json, 0, NULL);
    char err[256] = "";
    struct iam_policy *p = d ? iam_policy_compile(d, "test", err, sizeof err) : NULL;
    json_decref(d);
    if (!p)
        fail_msg("policy does not compile (%s): %s", err, json);
    return p;
}

/* One identity policy, optionally a resource policy; open evaluation with known keys. */
static struct iam_result open_eval(const char *identity, const char *resource_policy, const char *action,
                                   const char *resource, const char *context, const char *const *known,
                                   size_t nknown)
{
    struct iam_policy *id = policy(identity), *rp = resource_policy ? policy(resource_policy) : NULL;
    json_t *ctx = context ? json_loads(context, 0, NULL) : NULL;
    struct iam_request r;
    memset(&r, 0, sizeof r);
    r.principal = "arn:aws:iam::111122223333:user/alice";
    r.action = action;
    r.resource = resource;
    r.resource_account = "111122223333";
    r.context = ctx;
    r.identity = &id;
    r.nidentity = 1;
    r.resource_policy = rp;
    struct iam_result res;
    char err[256] = "";
    if (iam_evaluate_open(&r, known, nknown, &res, err, sizeof err))
        fail_msg("%s", err);
    iam_policy_free(id);
    iam_policy_free(rp);
    json_decref(ctx);
    return res;
}

static int has_condition(const struct iam_result *r, const char *text)
{
    size_t i;
    json_t *x;
    json_array_foreach(r->conditions, i, x) if (strcmp(json_string_value(x), text) == 0) return 1;
    return 0;
}

static void done(struct iam_result *r)
{
    json_decref(r->matched);
    json_decref(r->conditions);
}

#define S3ALL "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}}"

static void open_context(void **state)
{
    (void)state;
    /* an unconditional Allow stays allow */
    struct iam_result r = open_eval(S3ALL, NULL, "s3:GetObject", "arn:aws:s3:::b/k", NULL, NULL, 0);
    assert_int_equal(r.decision, IAM_ALLOW);
    done(&r);
    /* an IP condition on the Allow: conditional, with the condition */
    r = open_eval("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\","
                  "\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":[\"10.0.0.0/8\",\"192.168.0.0/16\"]}}}}",
                  NULL, "s3:GetObject", "arn:aws:s3:::b/k", NULL, NULL, 0);
    assert_int_equal(r.decision, IAM_CONDITIONAL);
    assert_true(has_condition(&r, "aws:SourceIp in [10.0.0.0/8, 192.168.0.0/16]"));
    done(&r);
    /* the key given: decided */
    r = open_eval("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\","
                  "\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}}}",
                  NULL, "s3:GetObject", "arn:aws:s3:::b/k", "{\"aws:SourceIp\":\"203.0.113.1\"}", NULL, 0);
    assert_int_equal(r.decision, IAM_IMPLICIT_DENY);
    done(&r);
    /* a conditional Deny contributes its way out, with the operator negated */
    r = open_eval(
        S3ALL,
        "{\"Statement\":{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"*\","
        "\"Condition\":{\"StringNotEquals\":{\"aws:SourceVpce\":\"vpce-1\"}}}}",
        "s3:GetObject", "arn:aws:s3:::b/k", NULL, NULL, 0);
    assert_int_equal(r.decision, IAM_CONDITIONAL);
    assert_true(has_condition(&r, "aws:SourceVpce = vpce-1"));
    done(&r);
    /* Bool flips its value; two conditions of one Deny give an "or" */
    r = open_eval(
        S3ALL,
        "{\"Statement\":{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"*\","
        "\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}}",
        "s3:GetObject", "arn:aws:s3:::b/k", NULL, NULL, 0);
    assert_true(has_condition(&r, "aws:SecureTransport = true"));
    done(&r);
    r = open_eval(
        S3ALL,
        "{\"Statement\":{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"*\","
        "\"Condition\":{\"StringNotEquals\":{\"aws:SourceVpce\":\"vpce-1\"},"
        "\"NotIpAddress\":{\"aws:SourceIp\":\"10.0.0.0/16\"}}}}",
        "s3:GetObject", "arn:aws:s3:::b/k", NULL, NULL, 0);
    assert_int_equal(r.decision, IAM_CONDITIONAL);
    assert_int_equal(json_array_size(r.conditions), 1);
    const char *c = json_string_value(json_array_get(r.conditions, 0));
    assert_non_null(strstr(c, "aws:SourceVpce = vpce-1"));
    assert_non_null(strstr(c, " or "));
    assert_non_null(strstr(c, "aws:SourceIp in 10.0.0.0/16"));
    done(&r);
    /* a key marked known and absent is absent: the Allow does not apply, no conditional */
    const char *known[] = {"aws:principaltag/"};
    r = open_eval("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\","
                  "\"Condition\":{\"StringEquals\":{\"aws:PrincipalTag/team\":\"data\"}}}}",
                  NULL, "s3:GetObject", "arn:aws:s3:::b/k", NULL, known, 1);
    assert_int_equal(r.decision, IAM_IMPLICIT_DENY);
    done(&r);
    /* denied even in the best case: the definite reason, not the pessimistic one */
    r = open_eval(
        "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:ListBucket\",\"Resource\":\"*\"}}",
        "{\"Statement\":{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"*\","
        "\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}}",
        "s3:GetObject", "arn:aws:s3:::b/k", NULL, NULL, 0);
    assert_int_equal(r.decision, IAM_IMPLICIT_DENY);
    done(&r);
    /* an unconditional Deny stays explicit */
    r = open_eval(
        S3ALL,
        "{\"Statement\":{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"*\"}}",
        "s3:GetObject", "arn:aws:s3:::b/k", NULL, NULL, 0);
    assert_int_equal(r.decision, IAM_EXPLICIT_DENY);
    done(&r);
}

/* ---- the account model ---- */

static void add(struct iam_account *a, const char *type, const char *arn, const char *json)
{
    json_error_t je;
    json_t *d = json_loads(json, 0, &je);
    if (!d)
        fail_msg("bad test resource: %s: %s", je.text, json);
    assert_int_equal(iam_account_add(a, type, arn, d), 0);
    json_decref(d);
}

#define ACCT "arn:aws:iam::111122223333"

static struct iam_account *small_account(void)
{
    struct iam_account *a = iam_account_new("111122223333");
    add(a, "aws_iam_policy", ACCT ":policy/Read",
        "{\"Arn\":\"" ACCT ":policy/Read\",\"PolicyVersionList\":[{\"IsDefaultVersion\":false,\"Document\":"
        "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}}},{\"IsDefaultVersion\":"
        "true,"
        "\"Document\":{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}}}]"
        "}");
    add(a, "aws_iam_group", ACCT ":group/readers",
        "{\"GroupName\":\"readers\",\"Arn\":\"" ACCT ":group/readers\",\"GroupPolicyList\":[],"
        "\"AttachedManagedPolicies\":[{\"PolicyArn\":\"" ACCT ":policy/Read\"}]}");
    add(a, "aws_iam_user", ACCT ":user/ann",
        "{\"UserName\":\"ann\",\"Arn\":\"" ACCT
        ":user/ann\",\"GroupList\":[\"readers\"],\"UserPolicyList\":[],"
        "\"AttachedManagedPolicies\":[]}");
    add(a, "aws_iam_user", ACCT ":user/ben",
        "{\"UserName\":\"ben\",\"Arn\":\"" ACCT ":user/ben\",\"GroupList\":[],\"AttachedManagedPolicies\":[],"
        "\"UserPolicyList\":[{\"PolicyName\":\"assume\",\"PolicyDocument\":{\"Statement\":{\"Effect\":"
        "\"Allow\","
        "\"Action\":\"sts:AssumeRole\",\"Resource\":\"*\"}}}]}");
    add(a, "aws_iam_user", ACCT ":user/cat",
        "{\"UserName\":\"cat\",\"Arn\":\"" ACCT ":user/cat\",\"GroupList\":[],\"UserPolicyList\":[],"
        "\"AttachedManagedPolicies\":[{\"PolicyArn\":\"arn:aws:iam::aws:policy/Missing\"}]}");
    add(a, "aws_iam_role", ACCT ":role/reader",
        "{\"RoleName\":\"reader\",\"Arn\":\"" ACCT
        ":role/reader\",\"AttachedManagedPolicies\":[{\"PolicyArn\":\"" ACCT
        ":policy/"
        "Read\"}],\"RolePolicyList\":[],\"AssumeRolePolicyDocument\":{\"Statement\":[{\"Effect\":\"Allow\","
        "\"Principal\":{\"AWS\":\"111122223333\"},\"Action\":\"sts:AssumeRole\"},{\"Effect\":\"Allow\","
        "\"Principal\":"
        "{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}}");
    add(a, "aws_s3_bucket", "arn:aws:s3:::pii",
        "{\"Name\":\"pii\",\"Tags\":[{\"Key\":\"ansim:pii\",\"Value\":\"TRUE\"}],\"Policy\":null}");
    assert_int_equal(iam_account_finish(a), 0);
    return a;
}

static const json_t *entry_of(const json_t *w, const char *arn)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(w, "principals"), i,
                       e) if (strcmp(json_string_value(json_object_get(e, "arn")), arn) == 0) return e;
    return NULL;
}

static void account_model(void **state)
{
    (void)state;
    struct iam_account *a = small_account();
    char err[256] = "";
    assert_int_equal(iam_account_principal_count(a), 4);
    /* the missing AWS-managed policy is reported, not silently dropped */
    assert_int_equal(json_array_size(iam_account_problems(a)), 1);
    assert_non_null(strstr(json_string_value(json_array_get(iam_account_problems(a), 0)), "policy/Missing"));
    /* ann reads through her group's managed policy (its default version, not v1's *) */
    struct iam_result r;
    assert_int_equal(
        iam_account_can(a, ACCT ":user/ann", "s3:GetObject", "arn:aws:s3:::pii/x", NULL, &r, err, sizeof err),
        0);
    assert_int_equal(r.decision, IAM_ALLOW);
    done(&r);
    assert_int_equal(iam_account_can(a, ACCT ":user/ann", "s3:DeleteObject", "arn:aws:s3:::pii/x", NULL, &r,
                                     err, sizeof err),
                     0);
    assert_int_equal(r.decision, IAM_IMPLICIT_DENY);
    done(&r);
    /* an unknown principal is an error, not a deny */
    assert_int_equal(iam_account_can(a, ACCT ":user/nobody", "s3:GetObject", "*", NULL, &r, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "user/nobody"));
    /* who-can: ann and the role directly; ben through the role; EC2 through its trust */
    json_t *w = iam_account_who_can(a, "s3:GetObject", "arn:aws:s3:::pii/x", 0, NULL, err, sizeof err);
    assert_non_null(w);
    assert_non_null(entry_of(w, ACCT ":user/ann"));
    assert_non_null(entry_of(w, ACCT ":role/reader"));
    const json_t *ben = entry_of(w, ACCT ":user/ben");
    assert_non_null(ben);
    assert_string_equal(json_string_value(json_array_get(json_object_get(ben, "via"), 0)),
                        ACCT ":role/reader");
    assert_non_null(entry_of(w, "ec2.amazonaws.com"));
    assert_null(entry_of(w, ACCT ":user/cat"));
    json_decref(w);
    w = iam_account_who_can(a, "s3:GetObject", "arn:aws:s3:::pii/x", 1, NULL, err, sizeof err);
    assert_string_equal(json_string_value(json_object_get(entry_of(w, ACCT ":user/cat"), "decision")),
                        "deny");
    json_decref(w);
    /* scope: the tag value is compared without case; ann, ben, the role are in, all unconfined */
    json_t *s = iam_account_scope(a, "ansim:pii", "true", NULL, 0, err, sizeof err);
    assert_non_null(s);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(s, "summary"), "resources")), 1);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(s, "summary"), "unconfined")),
                     json_integer_value(json_object_get(json_object_get(s, "summary"), "in_scope")));
    assert_non_null(entry_of(s, ACCT ":user/ben"));
    json_decref(s);
    /* ben may assume any role, but that is no escalation path of its own; nobody is admin */
    json_t *e = iam_account_escalation(a, ACCT ":user/ben", err, sizeof err);
    assert_int_equal(json_array_size(e), 0);
    json_decref(e);
    assert_int_equal(iam_account_is_admin(a, ACCT ":user/ann", err, sizeof err), 0);
    iam_account_free(a);
}

static void admin_and_escalation(void **state)
{
    (void)state;
    char err[256];
    /* a literal *:*, a NotAction that leaves IAM out, and * with a Deny on IAM */
    struct iam_policy *star =
        policy("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*:*\",\"Resource\":\"*\"}}");
    struct iam_policy *power =
        policy("{\"Statement\":{\"Effect\":\"Allow\",\"NotAction\":\"iam:*\",\"Resource\":\"*\"}}");
    struct iam_policy *denied =
        policy("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"},"
               "{\"Effect\":\"Deny\",\"Action\":\"iam:*\",\"Resource\":\"*\"}]}");
    struct iam_policy *not_res =
        policy("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"NotResource\":\"arn:aws:s3:::x\"}}");
    assert_int_equal(iam_policy_is_admin(star, err, sizeof err), 1);
    assert_int_equal(iam_policy_is_admin(power, err, sizeof err), 0);
    assert_int_equal(iam_policy_is_admin(denied, err, sizeof err), 0);
    assert_int_equal(iam_policy_is_admin(not_res, err, sizeof err), 1);
    iam_policy_free(star);
    iam_policy_free(power);
    iam_policy_free(denied);
    iam_policy_free(not_res);

    struct iam_account *a = iam_account_new("111122223333");
    add(a, "aws_iam_user", ACCT ":user/eve",
        "{\"UserName\":\"eve\",\"Arn\":\"" ACCT ":user/eve\",\"GroupList\":[],\"AttachedManagedPolicies\":[],"
        "\"UserPolicyList\":[{\"PolicyName\":\"p\",\"PolicyDocument\":{\"Statement\":[{\"Effect\":\"Allow\","
        "\"Action\":[\"iam:PassRole\",\"lambda:CreateFunction\",\"lambda:InvokeFunction\"],\"Resource\":\"*"
        "\"}]}}]}");
    add(a, "aws_iam_user", ACCT ":user/fay",
        "{\"UserName\":\"fay\",\"Arn\":\"" ACCT ":user/fay\",\"GroupList\":[],\"AttachedManagedPolicies\":[],"
        "\"UserPolicyList\":[{\"PolicyName\":\"p\",\"PolicyDocument\":{\"Statement\":[{\"Effect\":\"Allow\","
        "\"Action\":[\"iam:PassRole\"],\"Resource\":\"*\"}]}}]}");
    assert_int_equal(iam_account_finish(a), 0);
    json_t *e = iam_account_escalation(a, ACCT ":user/eve", err, sizeof err);
    assert_int_equal(json_array_size(e), 1);
    assert_non_null(strstr(json_string_value(json_object_get(json_array_get(e, 0), "path")), "Lambda"));
    json_decref(e);
    e = iam_account_escalation(a, ACCT ":user/fay", err, sizeof err); /* PassRole alone runs nothing */
    assert_int_equal(json_array_size(e), 0);
    json_decref(e);
    iam_account_free(a);
}

int run_iam_account_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(open_context),
        cmocka_unit_test(account_model),
        cmocka_unit_test(admin_and_escalation),
    };
    return cmocka_run_group_tests_name("iam_account", tests, NULL, NULL);
}
