/*
 * test_profile.c — the organisation profile: which retention and separation rule each set
 * of facts gives (and that an unknown fact gives the stricter one, with a note), that bad
 * profiles are one-line errors naming the line and key, that what `ansim init` writes reads
 * back the same, and that controls see the profile through profile()/profile_note() and the
 * personal-data tag.
 */
#include "support.h"

#include <stdlib.h>
#include <string.h>

#include "../../src/profile/profile.h"
#include "../../src/util/util.h"

static struct profile load(const char *text)
{
    struct profile p;
    profile_init(&p);
    char err[ERRLEN] = "";
    if (profile_load_buf(&p, "ansim.yaml", text, strlen(text), err, sizeof err))
        fail_msg("profile rejected: %s", err);
    return p;
}

static const char *val(struct profile *p, const char *key) { return profile_get(p, key)->value; }

static void unknown_facts_give_the_stricter_rule_and_say_so(void **state)
{
    (void)state;
    struct profile p;
    profile_init(&p);
    assert_string_equal(val(&p, "regulation"), "pipa-2023");
    assert_string_equal(val(&p, "access_record_days"), "730");
    assert_string_equal(val(&p, "permission_record_days"), "1095");
    assert_string_equal(val(&p, "network_separation_required"), "1");
    assert_non_null(strstr(profile_get(&p, "access_record_days")->note_en, "number of data subjects"));
    assert_non_null(strstr(profile_get(&p, "access_record_days")->note_ko, "정보주체 수"));
    assert_non_null(strstr(profile_get(&p, "network_separation_required")->note_en, "daily users"));
    profile_free(&p);
}

static void facts_decide_retention_and_separation(void **state)
{
    (void)state;
    /* small company, all facts known: 1 year, no separation duty, no notes */
    struct profile p = load("regulation: pipa-2023\ndata_subjects: 3_000\ndaily_users: 100\n"
                            "unique_identifiers: false\nsensitive_data: no\ntelecom_carrier: false\n");
    assert_string_equal(val(&p, "access_record_days"), "365");
    assert_null(profile_get(&p, "access_record_days")->note_en);
    assert_string_equal(val(&p, "network_separation_required"), "0");
    assert_null(profile_get(&p, "network_separation_required")->note_en);
    assert_null(profile_get(&p, "regulation")->note_en);
    profile_free(&p);
    /* 50,000 subjects is the 2-year threshold; a known "yes" needs no note even if others are unknown */
    p = load("data_subjects: 50000\n");
    assert_string_equal(val(&p, "access_record_days"), "730");
    assert_null(profile_get(&p, "access_record_days")->note_en);
    profile_free(&p);
    p = load(
        "data_subjects: 49999\nunique_identifiers: false\nsensitive_data: false\ntelecom_carrier: true\n");
    assert_string_equal(val(&p, "access_record_days"), "730");
    profile_free(&p);
    /* 1,000,000 daily users: separation mandatory */
    p = load("daily_users: 1000000\n");
    assert_string_equal(val(&p, "network_separation_required"), "1");
    assert_null(profile_get(&p, "network_separation_required")->note_en);
    profile_free(&p);
    /* the 2021 notice: 5-year permission records; only a carrier keeps access records 2 years;
     * revenue of 10 billion won also triggers separation */
    p = load("regulation: pipa-tech-2021\ndata_subjects: 900000\ntelecom_carrier: false\n"
             "daily_users: 10\nict_revenue_krw: 10000000000\n");
    assert_string_equal(val(&p, "permission_record_days"), "1825");
    assert_string_equal(val(&p, "access_record_days"), "365");
    assert_string_equal(val(&p, "network_separation_required"), "1");
    profile_free(&p);
    p = load("regulation: pipa-tech-2021\ndaily_users: 10\n"); /* revenue unknown: stricter */
    assert_string_equal(val(&p, "network_separation_required"), "1");
    assert_non_null(strstr(profile_get(&p, "network_separation_required")->note_en, "revenue"));
    profile_free(&p);
}

static void separated_network_and_tag(void **state)
{
    (void)state;
    struct profile p = load("pii_tag: data-class=personal\nseparated_network:\n  cidrs: [203.0.113.0/24, "
                            "2001:db8::/32]\n  vpcs: [vpc-0a1b2c]\n  vpc_endpoints: [vpce-0123abcd]\n");
    assert_string_equal(val(&p, "pii_tag_key"), "data-class");
    assert_string_equal(val(&p, "pii_tag_value"), "personal");
    assert_string_equal(val(&p, "separated_cidrs"), "[\"203.0.113.0/24\",\"2001:db8::/32\"]");
    assert_string_equal(val(&p, "separated_vpcs"), "[\"vpc-0a1b2c\"]");
    assert_string_equal(val(&p, "separated_vpc_endpoints"), "[\"vpce-0123abcd\"]");
    assert_null(profile_get(&p, "no_such_key"));
    profile_free(&p);
}

static void bad_profiles_name_line_and_key(void **state)
{
    (void)state;
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"regulation: pipa-2023\ndaily_users: many\n", "ansim.yaml:2: daily_users: must be a whole number"},
        {"regulation: gdpr\n", "ansim.yaml:1: regulation: must be pipa-2023 or pipa-tech-2021"},
        {"\n\ndata_subject: 10\n", "ansim.yaml:3: data_subject: unknown key"},
        {"sensitive_data: maybe\n", "ansim.yaml:1: sensitive_data: must be true, false or `unknown`"},
        {"pii_tag: nokey\n", "ansim.yaml:1: pii_tag: must be KEY=VALUE"},
        {"separated_network:\n  cidrs: [10.0.0.0/8]\n  vpcs: [subnet-1]\n",
         "ansim.yaml:3: separated_network.vpcs: `subnet-1` is not a VPC id"},
        {"separated_network:\n  cidrs: 10.0.0.0/8\n",
         "ansim.yaml:2: separated_network.cidrs: must be a list"},
        {"separated_network:\n  cidr: []\n", "ansim.yaml:2: separated_network.cidr: unknown key"},
        {"separated_network: [1]\n", "separated_network: must be a mapping"},
        {"data_subjects: 99999999999999999999999\n", "data_subjects: must be a whole number"},
        {"regulation: [unclosed\n", "ansim.yaml:"},
        {"- a\n- b\n", "expected a mapping"},
        {"x: \xff\n", "not UTF-8"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct profile p;
        profile_init(&p);
        char err[ERRLEN] = "";
        assert_int_equal(
            profile_load_buf(&p, "ansim.yaml", cases[i].text, strlen(cases[i].text), err, sizeof err), -1);
        if (!strstr(err, cases[i].want))
            fail_msg("case %zu: got \"%s\", want \"%s\"", i, err, cases[i].want);
        assert_null(strchr(err, '\n'));
        assert_string_equal(val(&p, "regulation"), "pipa-2023"); /* left at the defaults */
        profile_free(&p);
    }
    struct profile p = load(""); /* an empty profile is every fact unknown */
    assert_string_equal(val(&p, "access_record_days"), "730");
    profile_free(&p);
}

static void written_profile_reads_back(void **state)
{
    (void)state;
    struct profile p = load("regulation: pipa-tech-2021\ndata_subjects: 120000\nunique_identifiers: true\n"
                            "pii_tag: 'a\"b=c'\nseparated_network:\n  vpc_endpoints: [vpce-0abc]\n");
    for (int ko = 0; ko < 2; ko++) {
        char *text = profile_to_yaml(&p, ko ? "ko" : "en");
        struct profile q = load(text);
        for (size_t i = 0; i < PROFILE_NPARAMS; i++)
            assert_string_equal(q.params[i].value, p.params[i].value);
        assert_string_equal(q.pii_key, "a\"b");
        profile_free(&q);
        free(text);
    }
    profile_free(&p);
}

static void controls_see_the_profile(void **state)
{
    (void)state;
    struct profile p = load("data_subjects: 10\nunique_identifiers: false\nsensitive_data: false\n"
                            "telecom_carrier: false\npii_tag: class=pii\n");
    char err[ERRLEN] = "";
    struct inventory *inv = NULL;
    assert_int_equal(inv_open(&inv, err, sizeof err), 0);
    inv_set_profile(inv, &p);
    char *doc =
        snap_doc("[{\"type\":\"aws_s3_bucket\",\"region\":\"ap-northeast-2\",\"id\":\"b\",\"arn\":\"arn:aws:"
                 "s3:::b\",\"data\":{\"Tags\":[{\"Key\":\"class\",\"Value\":\"pii\"}]}}]",
                 NULL);
    assert_int_equal(inv_load_snapshot_buf(inv, doc, strlen(doc), "t", err, sizeof err), 0);
    free(doc);
    assert_int_equal(sql_int(inv, "SELECT profile('access_record_days')"), 365);
    char *s = sql_text(inv, "SELECT profile_note('access_record_days', 'en')");
    assert_null(s);
    s = sql_text(inv, "SELECT profile_note('network_separation_required', 'ko')");
    assert_non_null(s);
    assert_non_null(strstr(s, "일평균 이용자 수"));
    free(s);
    assert_null(sql_text(inv, "SELECT profile('nope')"));
    assert_int_equal(sql_int(inv, "SELECT pii_tagging_in_use()"), 1);
    assert_int_equal(sql_int(inv, "SELECT is_pii(data -> '$.Tags') FROM aws_s3_bucket"), 1);
    inv_close(inv);
    profile_free(&p);
    /* without a profile: the defaults */
    assert_int_equal(inv_open(&inv, err, sizeof err), 0);
    assert_int_equal(sql_int(inv, "SELECT profile('access_record_days')"), 730);
    inv_close(inv);
}

int run_profile_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unknown_facts_give_the_stricter_rule_and_say_so),
        cmocka_unit_test(facts_decide_retention_and_separation),
        cmocka_unit_test(separated_network_and_tag),
        cmocka_unit_test(bad_profiles_name_line_and_key),
        cmocka_unit_test(written_profile_reads_back),
        cmocka_unit_test(controls_see_the_profile),
    };
    return cmocka_run_group_tests_name("profile", tests, NULL, NULL);
}
