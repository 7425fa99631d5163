/*
 * test_trail_sigma.c — the Sigma matcher on single records: wildcards and escapes, case,
 * null, booleans and numbers, cidr v4/v6, condition precedence, modifiers refused with a
 * message, the event-name index and event_count correlations.
 */
#include "support.h"

#include <stdlib.h>
#include <string.h>

#include "../../src/trail/trail.h"

static const char *HEAD = "title: t\nid: r\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n";

/* A set holding one rule with the given detection body (indented two spaces). */
static struct sigma_set *one_rule(const char *detection)
{
    struct sigma_set *s = sigma_set_new();
    const char *cidrs[] = {"10.0.0.0/8", "2001:db8::/32"};
    sigma_set_placeholder(s, "allowed_cidrs", cidrs, 2);
    char *text = NULL;
    size_t n = strlen(HEAD) + strlen(detection) + 1;
    text = malloc(n);
    snprintf(text, n, "%s%s", HEAD, detection);
    char err[512] = "";
    int rc = sigma_add_text(s, "test.yml", text, strlen(text), err, sizeof err);
    free(text);
    if (rc != 0)
        fail_msg("rule did not load: %s", err);
    assert_int_equal(sigma_finish(s, err, sizeof err), 0);
    return s;
}

static int matches(struct sigma_set *s, const char *json)
{
    struct trail_rec r;
    if (trail_rec_parse(json, strlen(json), &r) != 0)
        fail_msg("bad record %s", json);
    struct sigma_ctx *c = sigma_ctx_new(s);
    int m = sigma_rule_matches(s, c, 0, &r);
    size_t hits[4];
    /* the indexed path must agree with the direct one */
    assert_int_equal(sigma_match(s, c, &r, hits, 4) == 1, m);
    sigma_ctx_free(c);
    return m;
}

static void test_sigma_wildcards_and_escapes(void **state)
{
    (void)state;
    struct sigma_set *s = one_rule("  sel:\n    eventName: 'Get*Pol?cy'\n  condition: sel\n");
    assert_true(matches(s, "{\"eventName\":\"GetBucketPolicy\"}"));
    assert_true(matches(s, "{\"eventName\":\"getpolicy\"}"));
    assert_false(matches(s, "{\"eventName\":\"GetBucketPolicyStatus\"}"));
    assert_false(matches(s, "{\"eventName\":\"GetPolcy\"}"));
    sigma_set_free(s);
    s = one_rule("  sel:\n    a: ['x\\*', 'y\\?', 'back\\\\slash', 'lone\\q']\n  condition: sel\n");
    assert_true(matches(s, "{\"a\":\"x*\"}"));
    assert_false(matches(s, "{\"a\":\"xx\"}"));
    assert_true(matches(s, "{\"a\":\"y?\"}"));
    assert_false(matches(s, "{\"a\":\"yy\"}"));
    assert_true(matches(s, "{\"a\":\"back\\\\slash\"}"));
    assert_true(matches(s, "{\"a\":\"lone\\\\q\"}"));
    sigma_set_free(s);
}

static void test_sigma_values_are_case_insensitive_unless_cased(void **state)
{
    (void)state;
    struct sigma_set *s = one_rule("  sel:\n    additionalEventData.MFAUsed: 'NO'\n  condition: sel\n");
    assert_true(matches(s, "{\"additionalEventData\":{\"MFAUsed\":\"No\"}}"));
    assert_false(matches(s, "{\"additionalEventData\":{\"MFAUsed\":\"Yes\"}}"));
    sigma_set_free(s);
    s = one_rule("  sel:\n    eventName|cased: ConsoleLogin\n  condition: sel\n");
    assert_true(matches(s, "{\"eventName\":\"ConsoleLogin\"}"));
    assert_false(matches(s, "{\"eventName\":\"consolelogin\"}"));
    sigma_set_free(s);
    s = one_rule("  sel:\n    u|contains: 'S3 Browser'\n  condition: sel\n");
    assert_true(matches(s, "{\"u\":\"[s3 browser 9.5]\"}"));
    sigma_set_free(s);
}

static void test_sigma_null_means_absent_or_null(void **state)
{
    (void)state;
    struct sigma_set *s = one_rule("  sel:\n    errorCode: null\n  condition: sel\n");
    assert_true(matches(s, "{\"eventName\":\"x\"}"));
    assert_true(matches(s, "{\"errorCode\":null}"));
    assert_false(matches(s, "{\"errorCode\":\"AccessDenied\"}"));
    assert_false(matches(s, "{\"errorCode\":\"\"}"));
    sigma_set_free(s);
    s = one_rule("  sel:\n    errorCode: ''\n  condition: sel\n");
    assert_true(matches(s, "{\"errorCode\":\"\"}"));
    assert_false(matches(s, "{\"eventName\":\"x\"}"));
    sigma_set_free(s);
}

static void test_sigma_booleans_and_numbers_compare_as_text(void **state)
{
    (void)state;
    struct sigma_set *s =
        one_rule("  sel:\n    responseElements.publiclyAccessible: 'true'\n    n: 5\n  condition: sel\n");
    assert_true(matches(s, "{\"responseElements\":{\"publiclyAccessible\":true},\"n\":5}"));
    assert_true(matches(s, "{\"responseElements\":{\"publiclyAccessible\":\"TRUE\"},\"n\":\"5\"}"));
    assert_false(matches(s, "{\"responseElements\":{\"publiclyAccessible\":false},\"n\":5}"));
    assert_false(matches(s, "{\"responseElements\":{\"publiclyAccessible\":true},\"n\":5.0}"));
    sigma_set_free(s);
}

static void test_sigma_cidr_v4_and_v6(void **state)
{
    (void)state;
    struct sigma_set *s = one_rule(
        "  sel:\n    ip|cidr: ['192.0.2.0/25', '2001:db8:ab00::/40', '203.0.113.9']\n  condition: sel\n");
    assert_true(matches(s, "{\"ip\":\"192.0.2.127\"}"));
    assert_false(matches(s, "{\"ip\":\"192.0.2.128\"}"));
    assert_true(matches(s, "{\"ip\":\"2001:db8:abff::1\"}"));
    assert_false(matches(s, "{\"ip\":\"2001:db8:ac00::1\"}"));
    assert_true(matches(s, "{\"ip\":\"203.0.113.9\"}"));
    assert_false(matches(s, "{\"ip\":\"203.0.113.10\"}"));
    assert_false(matches(s, "{\"ip\":\"AWS Internal\"}"));
    assert_false(matches(s, "{\"ip\":\"::ffff:192.0.2.1\"}"));
    sigma_set_free(s);
    s = one_rule("  sel:\n    ip|cidr|expand: '%allowed_cidrs%'\n  condition: sel\n");
    assert_true(matches(s, "{\"ip\":\"10.200.1.1\"}"));
    assert_true(matches(s, "{\"ip\":\"2001:db8::9\"}"));
    assert_false(matches(s, "{\"ip\":\"11.0.0.1\"}"));
    sigma_set_free(s);
}

static void test_sigma_condition_precedence(void **state)
{
    (void)state;
    /* or < and < not: a or (b and (not c)) */
    struct sigma_set *s = one_rule("  a:\n    x: 1\n  b:\n    y: 1\n  c:\n    z: 1\n"
                                   "  condition: a or b and not c\n");
    assert_true(matches(s, "{\"x\":1,\"z\":1}"));
    assert_true(matches(s, "{\"y\":1}"));
    assert_false(matches(s, "{\"y\":1,\"z\":1}"));
    assert_false(matches(s, "{\"z\":1}"));
    sigma_set_free(s);
    s = one_rule("  a:\n    x: 1\n  b:\n    y: 1\n  c:\n    z: 1\n  condition: (a or b) and not c\n");
    assert_false(matches(s, "{\"x\":1,\"z\":1}"));
    assert_true(matches(s, "{\"x\":1}"));
    sigma_set_free(s);
    s = one_rule("  sel_a:\n    x: 1\n  sel_b:\n    y: 1\n  _c:\n    z: 1\n  condition: all of them\n");
    assert_true(matches(s, "{\"x\":1,\"y\":1}"));
    assert_false(matches(s, "{\"x\":1,\"z\":1}"));
    sigma_set_free(s);
    s = one_rule("  sel_a:\n    x: 1\n  sel_b:\n    y: 1\n  condition: not 1 of sel_*\n");
    assert_true(matches(s, "{\"z\":1}"));
    assert_false(matches(s, "{\"y\":1}"));
    sigma_set_free(s);
}

static void test_sigma_contains_reads_objects_and_json_strings(void **state)
{
    (void)state;
    struct sigma_set *s = one_rule(
        "  sel:\n    requestParameters|contains|all: ['\"s3:GetObject\"', 'Suspended']\n  condition: sel\n");
    assert_true(matches(s, "{\"requestParameters\":{\"v\":\"Suspended\",\"policyDocument\":"
                           "\"{\\\"Action\\\":\\\"s3:GetObject\\\"}\"}}"));
    assert_false(matches(s, "{\"requestParameters\":{\"v\":\"Enabled\",\"policyDocument\":"
                            "\"{\\\"Action\\\":\\\"s3:GetObject\\\"}\"}}"));
    sigma_set_free(s);
}

static void expect_error(const char *detection, const char *part)
{
    struct sigma_set *s = sigma_set_new();
    char text[1024], err[512] = "";
    snprintf(text, sizeof text, "%s%s", HEAD, detection);
    assert_int_equal(sigma_add_text(s, "bad.yml", text, strlen(text), err, sizeof err), -1);
    if (!strstr(err, part) || !strstr(err, "bad.yml"))
        fail_msg("error '%s' lacks '%s'", err, part);
    assert_int_equal(sigma_count(s), 0);
    sigma_set_free(s);
}

static void test_sigma_malformed_rules_are_refused_with_the_key(void **state)
{
    (void)state;
    expect_error("  sel:\n    a|windash: x\n  condition: sel\n", "windash");
    expect_error("  sel:\n    a|bogus: x\n  condition: sel\n", "unknown modifier");
    expect_error("  sel:\n    a: x\n  condition: sel and\n", "detection.condition");
    expect_error("  sel:\n    a: x\n  condition: (sel\n", "not closed");
    expect_error("  sel:\n    a: x\n  condition: sel | count() > 5\n", "correlation rule");
    expect_error("  sel:\n    a|re: '('\n  condition: sel\n", "regular expression");
    expect_error("  sel:\n    a|cidr: '10.0.0.0/33'\n  condition: sel\n", "CIDR");
    expect_error("  sel:\n    a: x\n", "detection.condition");
}

static void test_sigma_other_logsources_are_skipped_and_placeholders_disable(void **state)
{
    (void)state;
    struct sigma_set *s = sigma_set_new();
    const char *t = "title: w\nlogsource: {product: windows}\ndetection:\n  s:\n    a: 1\n  condition: s\n"
                    "---\n"
                    "title: p\nid: p\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n"
                    "  s:\n    ip|cidr|expand: '%allowed_cidrs%'\n  condition: s\n";
    char err[512];
    assert_int_equal(sigma_add_text(s, "two.yml", t, strlen(t), err, sizeof err), 0);
    assert_int_equal(sigma_finish(s, err, sizeof err), 0);
    assert_int_equal(sigma_skipped(s), 1);
    assert_int_equal(sigma_count(s), 1);
    assert_non_null(sigma_info(s, 0)->disabled);
    assert_non_null(strstr(sigma_notice(s, 0), "allowed_cidrs"));
    sigma_set_free(s);
}

static void test_sigma_event_count_in_fixed_windows(void **state)
{
    (void)state;
    struct sigma_set *s = sigma_set_new();
    const char *t = "title: b\nid: b\nname: base\nlogsource: {product: aws, service: cloudtrail}\n"
                    "detection:\n  s:\n    eventName: ConsoleLogin\n  condition: s\n---\n"
                    "title: c\nid: c\ncorrelation:\n  type: event_count\n  rules: base\n  group-by: [u]\n"
                    "  timespan: 10m\n  condition: {gte: 2}\n";
    char err[512];
    assert_int_equal(sigma_add_text(s, "c.yml", t, strlen(t), err, sizeof err), 0);
    assert_int_equal(sigma_finish(s, err, sizeof err), 0);
    struct sigma_ctx *c = sigma_ctx_new(s), *all = sigma_ctx_new(s);
    const char *recs[] = {
        "{\"eventName\":\"ConsoleLogin\",\"u\":\"a\",\"eventTime\":\"2024-01-01T00:09:59Z\"}",
        "{\"eventName\":\"ConsoleLogin\",\"u\":\"a\",\"eventTime\":\"2024-01-01T00:10:00Z\"}",
        "{\"eventName\":\"ConsoleLogin\",\"u\":\"b\",\"eventTime\":\"2024-01-01T00:11:00Z\"}",
        "{\"eventName\":\"ConsoleLogin\",\"u\":\"b\",\"eventTime\":\"2024-01-01T00:19:00Z\"}",
        "{\"eventName\":\"ConsoleLogin\",\"u\":\"b\"}"};
    for (size_t i = 0; i < 5; i++) {
        struct trail_rec r;
        assert_int_equal(trail_rec_parse(recs[i], strlen(recs[i]), &r), 0);
        size_t hits[4];
        assert_int_equal(sigma_match(s, c, &r, hits, 4), 0); /* the base rule is not reported */
    }
    sigma_ctx_merge(all, c);
    struct sigma_corr_hit *h;
    size_t n = sigma_correlate(s, all, &h);
    assert_int_equal(n, 1);
    assert_string_equal(h[0].group, "u=b");
    assert_int_equal(h[0].count, 2);
    assert_int_equal(h[0].window_end - h[0].window_start, 600);
    sigma_corr_hits_free(h, n);
    sigma_ctx_free(c);
    sigma_ctx_free(all);
    sigma_set_free(s);
}

int run_trail_sigma_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sigma_wildcards_and_escapes),
        cmocka_unit_test(test_sigma_values_are_case_insensitive_unless_cased),
        cmocka_unit_test(test_sigma_null_means_absent_or_null),
        cmocka_unit_test(test_sigma_booleans_and_numbers_compare_as_text),
        cmocka_unit_test(test_sigma_cidr_v4_and_v6),
        cmocka_unit_test(test_sigma_condition_precedence),
        cmocka_unit_test(test_sigma_contains_reads_objects_and_json_strings),
        cmocka_unit_test(test_sigma_malformed_rules_are_refused_with_the_key),
        cmocka_unit_test(test_sigma_other_logsources_are_skipped_and_placeholders_disable),
        cmocka_unit_test(test_sigma_event_count_in_fixed_windows),
    };
    return cmocka_run_group_tests_name("trail_sigma", tests, NULL, NULL);
}
