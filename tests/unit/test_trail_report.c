/*
 * test_trail_report.c — who acted in a CloudTrail record (trail_person, trail_principal_arn)
 * for every userIdentity shape: IAM users, role sessions with and without sourceIdentity,
 * SSO sessions, SAML / web-identity / Identity Center / federated users, root, AWS services,
 * records with no type or no userIdentity at all.
 */
#include "support.h"

#include <string.h>

#include "../../src/trail/trail.h"

struct who_case {
    const char *ident; /* the userIdentity member, or NULL for none */
    enum trail_who_kind kind;
    const char *person, *role, *arn;
};

static const struct who_case cases[] = {
    {"{\"type\":\"IAMUser\",\"arn\":\"arn:aws:iam::1:user/alice\",\"userName\":\"alice\"}", TRAIL_WHO_PERSON,
     "alice", "", "arn:aws:iam::1:user/alice"},
    /* an SSO session: the role-session name is the user's e-mail */
    {"{\"type\":\"AssumedRole\",\"principalId\":\"AROA1:bob@example.com\","
     "\"arn\":\"arn:aws:sts::1:assumed-role/AWSReservedSSO_Admin_x/bob@example.com\","
     "\"sessionContext\":{\"sessionIssuer\":{\"type\":\"Role\",\"userName\":\"AWSReservedSSO_Admin_x\","
     "\"arn\":\"arn:aws:iam::1:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_x\"}}}",
     TRAIL_WHO_PERSON, "bob@example.com", "AWSReservedSSO_Admin_x",
     "arn:aws:sts::1:assumed-role/AWSReservedSSO_Admin_x/bob@example.com"},
    /* sourceIdentity wins over the session name */
    {"{\"type\":\"AssumedRole\",\"arn\":\"arn:aws:sts::1:assumed-role/DataRole/botocore-123\","
     "\"sessionContext\":{\"sourceIdentity\":\"carol\",\"sessionIssuer\":{\"userName\":\"DataRole\"}}}",
     TRAIL_WHO_PERSON, "carol", "DataRole", "arn:aws:sts::1:assumed-role/DataRole/botocore-123"},
    /* no sessionIssuer: role and session from the ARN */
    {"{\"type\":\"AssumedRole\",\"arn\":\"arn:aws:sts::1:assumed-role/R/i-0abc\"}", TRAIL_WHO_PERSON,
     "i-0abc", "R", "arn:aws:sts::1:assumed-role/R/i-0abc"},
    /* no ARN either: the principalId's session part */
    {"{\"type\":\"AssumedRole\",\"principalId\":\"AROA1:dave\"}", TRAIL_WHO_PERSON, "dave", "", ""},
    {"{\"type\":\"SAMLUser\",\"principalId\":\"x:erin@example.com\",\"userName\":\"erin@example.com\"}",
     TRAIL_WHO_PERSON, "erin@example.com", "", ""},
    {"{\"type\":\"WebIdentityUser\",\"principalId\":\"accounts.google.com:app:sub\",\"userName\":\"frank\"}",
     TRAIL_WHO_PERSON, "frank", "", ""},
    {"{\"type\":\"IdentityCenterUser\",\"accountId\":\"1\",\"onBehalfOf\":{\"userId\":\"u-123\","
     "\"identityStoreArn\":\"arn:aws:identitystore::1:identitystore/d-1\"},\"credentialId\":\"c\"}",
     TRAIL_WHO_PERSON, "u-123", "", ""},
    {"{\"type\":\"FederatedUser\",\"arn\":\"arn:aws:sts::1:federated-user/gina\",\"sessionContext\":"
     "{\"sessionIssuer\":{\"type\":\"IAMUser\",\"userName\":\"broker\",\"arn\":\"arn:aws:iam::1:user/"
     "broker\"}}}",
     TRAIL_WHO_PERSON, "gina", "", "arn:aws:sts::1:federated-user/gina"},
    {"{\"type\":\"Root\",\"principalId\":\"1\",\"arn\":\"arn:aws:iam::1:root\",\"accountId\":\"1\"}",
     TRAIL_WHO_ROOT, "root", "", "arn:aws:iam::1:root"},
    {"{\"type\":\"AWSService\",\"invokedBy\":\"cloudtrail.amazonaws.com\"}", TRAIL_WHO_SERVICE,
     "cloudtrail.amazonaws.com", "", ""},
    /* no type, only invokedBy (secretsmanager StartSecretVersionDelete) */
    {"{\"accountId\":\"1\",\"invokedBy\":\"secretsmanager.amazonaws.com\"}", TRAIL_WHO_SERVICE,
     "secretsmanager.amazonaws.com", "", ""},
    {"{\"type\":\"AWSAccount\",\"principalId\":\"AIDAOTHER\",\"accountId\":\"2\"}", TRAIL_WHO_PERSON,
     "AIDAOTHER", "", ""},
    {"{\"accountId\":\"1\"}", TRAIL_WHO_UNKNOWN, "unknown", "", ""},
    {"null", TRAIL_WHO_UNKNOWN, "unknown", "", ""},
    {NULL, TRAIL_WHO_UNKNOWN, "unknown", "", ""},
    /* escapes in names are decoded */
    {"{\"type\":\"IAMUser\",\"userName\":\"h\\u00e9l\\u00e8ne\",\"arn\":\"arn:aws:iam::1:user\\/h\"}",
     TRAIL_WHO_PERSON, "h\xc3\xa9l\xc3\xa8ne", "", "arn:aws:iam::1:user/h"},
};

static void test_trail_person_each_identity_type(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const struct who_case *c = &cases[i];
        char json[2048];
        if (c->ident)
            snprintf(json, sizeof json, "{\"eventName\":\"X\",\"userIdentity\":%s}", c->ident);
        else
            snprintf(json, sizeof json, "{\"eventName\":\"X\"}");
        struct trail_rec r;
        assert_int_equal(trail_rec_parse(json, strlen(json), &r), 0);
        struct trail_who w;
        enum trail_who_kind k = trail_person(&r, &w);
        if (k != c->kind || strcmp(w.person, c->person) || strcmp(w.role, c->role))
            fail_msg("case %zu: got kind %d person \"%s\" role \"%s\", want %d \"%s\" \"%s\"", i, (int)k,
                     w.person, w.role, (int)c->kind, c->person, c->role);
        char arn[256];
        size_t n = trail_principal_arn(&r, arn, sizeof arn);
        if (strcmp(arn, c->arn) != 0 &&
            !(c->arn[0] == '\0' && strstr(c->ident ? c->ident : "", "sessionIssuer")))
            fail_msg("case %zu: arn \"%s\", want \"%s\"", i, arn, c->arn);
        assert_int_equal(n, strlen(arn));
    }
}

static void test_trail_principal_arn_falls_back_to_the_session_issuer(void **state)
{
    (void)state;
    const char *json = "{\"userIdentity\":{\"type\":\"AssumedRole\",\"sessionContext\":{\"sessionIssuer\":"
                       "{\"arn\":\"arn:aws:iam::1:role/R\"}}}}";
    struct trail_rec r;
    assert_int_equal(trail_rec_parse(json, strlen(json), &r), 0);
    char small[8];
    assert_int_equal(trail_principal_arn(&r, small, sizeof small), strlen("arn:aws:iam::1:role/R"));
    assert_string_equal(small, "arn:aws"); /* truncated, still terminated */
}

static void test_trail_person_truncates_long_names(void **state)
{
    (void)state;
    char json[1024], name[600];
    memset(name, 'a', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    snprintf(json, sizeof json, "{\"userIdentity\":{\"type\":\"IAMUser\",\"userName\":\"%s\"}}", name);
    struct trail_rec r;
    assert_int_equal(trail_rec_parse(json, strlen(json), &r), 0);
    struct trail_who w;
    assert_int_equal(trail_person(&r, &w), TRAIL_WHO_PERSON);
    assert_int_equal(strlen(w.person), sizeof w.person - 1);
}

int run_trail_report_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trail_person_each_identity_type),
        cmocka_unit_test(test_trail_principal_arn_falls_back_to_the_session_issuer),
        cmocka_unit_test(test_trail_person_truncates_long_names),
    };
    return cmocka_run_group_tests_name("trail_report", tests, NULL, NULL);
}
