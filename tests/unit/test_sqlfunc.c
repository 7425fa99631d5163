/* test_sqlfunc.c — the SQL helper functions controls rely on. */
#include "support.h"

#include <stdlib.h>
#include <string.h>

#include "../../src/util/util.h"

static struct inventory *empty_inv(void)
{
    char *doc = snap_doc(NULL, NULL);
    struct inventory *inv = load_inv(doc);
    free(doc);
    return inv;
}

static void expect_text(struct inventory *inv, const char *sql, const char *want)
{
    char *got = sql_text(inv, sql);
    if (want == NULL && got != NULL)
        fail_msg("%s: expected NULL, got %s", sql, got);
    if (want && (!got || strcmp(got, want) != 0))
        fail_msg("%s: expected %s, got %s", sql, want, got ? got : "NULL");
    free(got);
}

static void days_since_uses_collected_at(void **state)
{
    (void)state;
    struct inventory *inv = empty_inv();
    assert_int_equal(sql_int(inv, "SELECT CAST(days_since('2026-10-01T00:00:00Z') AS INTEGER)"), 31);
    assert_int_equal(sql_int(inv, "SELECT days_since('N/A') IS NULL"), 1);
    assert_int_equal(sql_int(inv, "SELECT days_since(NULL) IS NULL"), 1);
    expect_text(inv, "SELECT ansim_now()", "2026-11-01T00:00:00Z");
    expect_text(inv, "SELECT account_id()", "111122223333");
    inv_close(inv);
}

static void sg_world_open_ports_cases(void **state)
{
    (void)state;
    struct inventory *inv = empty_inv();
    /* all traffic from anywhere opens every listed port */
    expect_text(
        inv,
        "SELECT sg_world_open_ports('[{\"IpProtocol\":\"-1\",\"IpRanges\":[{\"CidrIp\":\"0.0.0.0/0\"}]}]', "
        "'22,3389')",
        "22,3389");
    /* a range covering 22 */
    expect_text(inv,
                "SELECT "
                "sg_world_open_ports('[{\"IpProtocol\":\"tcp\",\"FromPort\":20,\"ToPort\":25,\"IpRanges\":[{"
                "\"CidrIp\":\"0.0.0.0/0\"}]}]', '22,3389')",
                "22");
    /* IPv6 world */
    expect_text(inv,
                "SELECT "
                "sg_world_open_ports('[{\"IpProtocol\":\"tcp\",\"FromPort\":3306,\"ToPort\":3306,"
                "\"Ipv6Ranges\":[{\"CidrIpv6\":\"::/0\"}]}]', '3306')",
                "3306");
    /* restricted CIDR, UDP, and other ports are not open */
    expect_text(inv,
                "SELECT "
                "sg_world_open_ports('[{\"IpProtocol\":\"tcp\",\"FromPort\":22,\"ToPort\":22,\"IpRanges\":[{"
                "\"CidrIp\":\"10.0.0.0/8\"}]}]', '22')",
                NULL);
    /* a bare port is TCP; "/udp" entries name the services that answer on UDP; ICMP has no ports */
    expect_text(inv,
                "SELECT "
                "sg_world_open_ports('[{\"IpProtocol\":\"udp\",\"FromPort\":0,\"ToPort\":65535,\"IpRanges\":["
                "{\"CidrIp\":\"0.0.0.0/0\"}]}]', '22')",
                NULL);
    expect_text(inv,
                "SELECT "
                "sg_world_open_ports('[{\"IpProtocol\":\"udp\",\"FromPort\":3300,\"ToPort\":3400,"
                "\"IpRanges\":[{\"CidrIp\":\"0.0.0.0/0\"}]}]', '22,3389,3389/udp')",
                "3389/udp");
    expect_text(
        inv,
        "SELECT sg_world_open_ports('[{\"IpProtocol\":\"-1\",\"IpRanges\":[{\"CidrIp\":\"0.0.0.0/0\"}]}]', "
        "'3389,3389/udp')",
        "3389,3389/udp");
    expect_text(inv,
                "SELECT "
                "sg_world_open_rules('[{\"IpProtocol\":\"17\",\"FromPort\":1434,\"ToPort\":1434,\"IpRanges\":"
                "[{\"CidrIp\":\"0.0.0.0/0\"}]}]', '1434,1434/udp')",
                "0.0.0.0/0 \u2192 udp 1434");
    expect_text(inv,
                "SELECT "
                "sg_world_open_ports('[{\"IpProtocol\":\"icmp\",\"FromPort\":-1,\"ToPort\":-1,\"IpRanges\":[{"
                "\"CidrIp\":\"0.0.0.0/0\"}]}]', '22')",
                NULL);
    expect_text(inv,
                "SELECT "
                "sg_world_open_ports('[{\"IpProtocol\":\"tcp\",\"FromPort\":443,\"ToPort\":443,\"IpRanges\":["
                "{\"CidrIp\":\"0.0.0.0/0\"}]}]', '22,3389')",
                NULL);
    expect_text(inv, "SELECT sg_world_open_ports('not json', '22')", NULL);
    assert_int_equal(
        sql_int(inv,
                "SELECT cidr_is_world('::/0') + cidr_is_world('0.0.0.0/0') + cidr_is_world('1.2.3.4/32')"),
        2);
    inv_close(inv);
}

static void policy_helpers(void **state)
{
    (void)state;
    struct inventory *inv = empty_inv();
    /* full admin: Action * on Resource *, statement as object or list */
    assert_int_equal(sql_int(inv, "SELECT "
                                  "policy_full_admin('{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\","
                                  "\"Resource\":\"*\"}}')"),
                     1);
    assert_int_equal(sql_int(inv, "SELECT "
                                  "policy_full_admin('{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"s3:"
                                  "*\",\"*:*\"],\"Resource\":[\"*\"]}]}')"),
                     1);
    assert_int_equal(sql_int(inv, "SELECT "
                                  "policy_full_admin('{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*"
                                  "\",\"Resource\":\"*\"}]}')"),
                     0);
    assert_int_equal(sql_int(inv, "SELECT "
                                  "policy_full_admin('{\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"*\","
                                  "\"Resource\":\"*\"}]}')"),
                     0);
    /* public bucket policies */
    assert_int_equal(sql_int(inv, "SELECT "
                                  "s3_policy_public('{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*"
                                  "\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"}]}')"),
                     1);
    assert_int_equal(sql_int(inv, "SELECT "
                                  "s3_policy_public('{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{"
                                  "\"AWS\":\"*\"},\"Action\":\"s3:GetObject\",\"Resource\":\"*\","
                                  "\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"true\"}}}]}')"),
                     1);
    assert_int_equal(sql_int(inv, "SELECT "
                                  "s3_policy_public('{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*"
                                  "\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"Condition\":{"
                                  "\"StringEquals\":{\"aws:SourceVpce\":\"vpce-1234\"}}}]}')"),
                     0);
    assert_int_equal(sql_int(inv, "SELECT "
                                  "s3_policy_public('{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*"
                                  "\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"Condition\":{"
                                  "\"IpAddress\":{\"aws:SourceIp\":\"0.0.0.0/0\"}}}]}')"),
                     1);
    assert_int_equal(sql_int(inv, "SELECT "
                                  "s3_policy_public('{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*"
                                  "\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"Condition\":{"
                                  "\"IpAddress\":{\"aws:SourceIp\":\"203.0.113.0/24\"}}}]}')"),
                     0);
    assert_int_equal(
        sql_int(inv, "SELECT "
                     "s3_policy_public('{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:"
                     "aws:iam::111122223333:root\"},\"Action\":\"s3:*\",\"Resource\":\"*\"}]}')"),
        0);
    assert_int_equal(sql_int(inv, "SELECT s3_policy_public(NULL)"), 0);
    /* NotPrincipal, ForAllValues (true without the key), policy variables, very wide ranges */
    assert_int_equal(
        sql_int(inv,
                "SELECT "
                "s3_policy_public('{\"Statement\":[{\"Effect\":\"Allow\",\"NotPrincipal\":{\"AWS\":\"arn:aws:"
                "iam::111122223333:root\"},\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}')"),
        1);
    assert_int_equal(
        sql_int(inv, "SELECT "
                     "s3_policy_public('{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":"
                     "\"s3:GetObject\",\"Resource\":\"*\",\"Condition\":{\"ForAllValues:StringEquals\":{"
                     "\"aws:PrincipalOrgID\":\"o-abc123\"}}}]}')"),
        1);
    assert_int_equal(
        sql_int(inv, "SELECT "
                     "s3_policy_public('{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":"
                     "\"s3:GetObject\",\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"aws:"
                     "PrincipalAccount\":\"${aws:PrincipalAccount}\"}}}]}')"),
        1);
    assert_int_equal(sql_int(inv, "SELECT "
                                  "s3_policy_public('{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*"
                                  "\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"Condition\":{"
                                  "\"IpAddress\":{\"aws:SourceIp\":[\"0.0.0.0/1\",\"128.0.0.0/1\"]}}}]}')"),
                     1);
    assert_int_equal(sql_int(inv, "SELECT "
                                  "s3_policy_public('{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*"
                                  "\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"Condition\":{"
                                  "\"StringEquals\":{\"aws:PrincipalOrgID\":\"o-abc123\"}}}]}')"),
                     0);
    /* SSL-only deny */
    assert_int_equal(
        sql_int(inv,
                "SELECT "
                "s3_policy_ssl_only('{\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":"
                "\"s3:*\",\"Resource\":[\"arn:aws:s3:::b\",\"arn:aws:s3:::b/"
                "*\"],\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}]}', 'arn:aws:s3:::b')"),
        1);
    assert_int_equal(sql_int(inv, "SELECT "
                                  "s3_policy_ssl_only('{\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":{"
                                  "\"AWS\":\"*\"},\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{"
                                  "\"Bool\":{\"aws:SecureTransport\":false}}}]}', 'arn:aws:s3:::b')"),
                     1);
    assert_int_equal(sql_int(inv, "SELECT "
                                  "s3_policy_ssl_only('{\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*"
                                  "\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"Condition\":{\"Bool\":"
                                  "{\"aws:SecureTransport\":\"false\"}}}]}', 'arn:aws:s3:::b')"),
                     0);
    /* the deny must cover the bucket and every object, with no other condition */
    assert_int_equal(sql_int(inv, "SELECT "
                                  "s3_policy_ssl_only('{\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*"
                                  "\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::b\",\"Condition\":{"
                                  "\"Bool\":{\"aws:SecureTransport\":\"false\"}}}]}', 'arn:aws:s3:::b')"),
                     0);
    assert_int_equal(
        sql_int(inv,
                "SELECT "
                "s3_policy_ssl_only('{\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":"
                "\"s3:*\",\"Resource\":[\"arn:aws:s3:::other\",\"arn:aws:s3:::other/"
                "*\"],\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}]}', 'arn:aws:s3:::b')"),
        0);
    assert_int_equal(
        sql_int(inv,
                "SELECT "
                "s3_policy_ssl_only('{\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":"
                "\"s3:*\",\"Resource\":[\"arn:aws:s3:::b\",\"arn:aws:s3:::b/public/"
                "*\"],\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}]}', 'arn:aws:s3:::b')"),
        0);
    assert_int_equal(sql_int(inv, "SELECT "
                                  "s3_policy_ssl_only('{\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*"
                                  "\",\"Action\":\"s3:*\",\"Resource\":[\"arn:aws:s3:::b\",\"arn:aws:s3:::b/"
                                  "*\"],\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"},"
                                  "\"StringEquals\":{\"aws:SourceVpce\":\"vpce-1\"}}}]}', 'arn:aws:s3:::b')"),
                     0);
    assert_int_equal(
        sql_int(inv, "SELECT "
                     "s3_policy_ssl_only('{\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\","
                     "\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::b*\",\"Condition\":{\"BoolIfExists\":{"
                     "\"aws:SecureTransport\":[\"false\"]}}}]}', 'arn:aws:s3:::b')"),
        1);
    assert_int_equal(sql_int(inv, "SELECT "
                                  "s3_policy_ssl_only('{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
                                  "\"*\",\"Action\":\"s3:*\",\"Resource\":\"*\",\"Condition\":{\"Bool\":{"
                                  "\"aws:SecureTransport\":\"false\"}}}]}', 'arn:aws:s3:::b')"),
                     0);
    /* ACL grants to everyone */
    assert_int_equal(
        sql_int(inv, "SELECT "
                     "s3_acl_public('{\"Grants\":[{\"Grantee\":{\"Type\":\"Group\",\"URI\":\"http://"
                     "acs.amazonaws.com/groups/global/AllUsers\"},\"Permission\":\"READ\"}]}')"),
        1);
    assert_int_equal(sql_int(inv, "SELECT "
                                  "s3_acl_public('{\"Grants\":[{\"Grantee\":{\"Type\":\"CanonicalUser\","
                                  "\"ID\":\"abc\"},\"Permission\":\"FULL_CONTROL\"}]}')"),
                     0);
    inv_close(inv);
}

static void pii_strict_default_and_tags(void **state)
{
    (void)state;
    /* no resource tagged: everything counts as personal data */
    char *doc = snap_doc("[{\"type\":\"aws_s3_bucket\",\"id\":\"a\",\"data\":{\"Tags\":[]}}]", NULL);
    struct inventory *inv = load_inv(doc);
    assert_int_equal(sql_int(inv, "SELECT is_pii(data->'$.Tags') FROM aws_s3_bucket"), 1);
    assert_int_equal(sql_int(inv, "SELECT pii_tagging_in_use()"), 0);
    inv_close(inv);
    free(doc);
    /* once the tag is used, only tagged resources count */
    doc = snap_doc("[{\"type\":\"aws_s3_bucket\",\"id\":\"a\",\"data\":{\"Tags\":[]}},"
                   "{\"type\":\"aws_s3_bucket\",\"id\":\"b\",\"data\":{\"Tags\":[{\"Key\":\"ansim:pii\","
                   "\"Value\":\"TRUE\"}]}}]",
                   NULL);
    inv = load_inv(doc);
    assert_int_equal(sql_int(inv, "SELECT pii_tagging_in_use()"), 1);
    assert_int_equal(sql_int(inv, "SELECT is_pii(data->'$.Tags') FROM aws_s3_bucket WHERE id='a'"), 0);
    assert_int_equal(sql_int(inv, "SELECT is_pii(data->'$.Tags') FROM aws_s3_bucket WHERE id='b'"), 1);
    expect_text(inv, "SELECT tag_value(data->'$.Tags', 'ansim:pii') FROM aws_s3_bucket WHERE id='b'", "TRUE");
    inv_close(inv);
    free(doc);
}

static void collect_error_reports_recorded_failures(void **state)
{
    (void)state;
    char *doc = snap_doc(NULL, "[{\"service\":\"kms\",\"region\":\"ap-northeast-2\",\"operation\":"
                               "\"ListKeys\",\"code\":\"AccessDenied\",\"message\":\"denied\"}]");
    struct inventory *inv = load_inv(doc);
    expect_text(inv, "SELECT collect_error('KMS', NULL)", "ListKeys: AccessDenied: denied");
    expect_text(inv, "SELECT collect_error('kms', 'us-east-1')", NULL);
    inv_close(inv);
    free(doc);
}

int run_sqlfunc_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(days_since_uses_collected_at),
        cmocka_unit_test(sg_world_open_ports_cases),
        cmocka_unit_test(policy_helpers),
        cmocka_unit_test(pii_strict_default_and_tags),
        cmocka_unit_test(collect_error_reports_recorded_failures),
    };
    return cmocka_run_group_tests_name("sqlfuncs", tests, NULL, NULL);
}
