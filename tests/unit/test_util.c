/* test_util.c — timestamps, escaping and language selection. */
#include "support.h"

#include <stdlib.h>
#include <string.h>

#include "../../src/util/util.h"

static void time_parse_accepts_rfc3339_forms(void **state)
{
    (void)state;
    time_t t;
    assert_int_equal(time_parse("2026-11-01T00:00:00Z", &t), 0);
    assert_int_equal((long long)t, 1793491200LL);
    assert_int_equal(time_parse("2026-11-01T09:00:00+09:00", &t), 0);
    assert_int_equal((long long)t, 1793491200LL);
    assert_int_equal(time_parse("2026-11-01T00:00:00.123456Z", &t), 0);
    assert_int_equal((long long)t, 1793491200LL);
    assert_int_equal(time_parse("2026-11-01 00:00:00+00:00", &t), 0);
    assert_int_equal((long long)t, 1793491200LL);
    assert_int_equal(time_parse("2026-11-01", &t), 0);
    assert_int_equal((long long)t, 1793491200LL);
    assert_int_equal(time_parse("1970-01-01T00:00:00Z", &t), 0);
    assert_int_equal((long long)t, 0);
}

static void time_parse_rejects_non_timestamps(void **state)
{
    (void)state;
    time_t t;
    const char *bad[] = {"N/A",
                         "no_information",
                         "",
                         "2026-13-01",
                         "2026-11-01T25:00:00Z",
                         "2026-11-01Tgarbage",
                         "2026-11-01T00:00:00Zextra",
                         "20261101"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_not_equal(time_parse(bad[i], &t), 0);
    assert_int_not_equal(time_parse(NULL, &t), 0);
}

static void csv_quotes_and_neutralises_formulas(void **state)
{
    (void)state;
    struct strbuf sb;
    sb_init(&sb);
    sb_csv(&sb, "a \"b\", c");
    sb_putc(&sb, '|');
    sb_csv(&sb, "=cmd()");
    assert_string_equal(sb.buf, "\"a \"\"b\"\", c\"|\"'=cmd()\"");
    sb_free(&sb);
}

static void html_escapes_markup(void **state)
{
    (void)state;
    struct strbuf sb;
    sb_init(&sb);
    sb_html(&sb, "<script>alert('x')</script>&\"");
    assert_string_equal(sb.buf, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;");
    sb_free(&sb);
}

static void json_strings_are_escaped_and_valid(void **state)
{
    (void)state;
    struct strbuf sb;
    sb_init(&sb);
    sb_json(&sb, "a\"b\\c\n\t\x01 점수");
    sb_putc(&sb, '|');
    sb_json(&sb, NULL);
    sb_putc(&sb, '|');
    sb_json(&sb, "x\xff\xc0\xafy\xec\xa0"); /* stray byte, overlong, truncated */
    assert_string_equal(sb.buf, "\"a\\\"b\\\\c\\n\\t\\u0001 점수\"|null|"
                                "\"x\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdy\xef\xbf\xbd\xef\xbf\xbd\"");
    assert_int_equal(utf8_invalid_at(sb.buf, sb.len), -1);
    sb_free(&sb);
}

static void lang_picks_and_falls_back(void **state)
{
    (void)state;
    assert_string_equal(L(LANG_KO, "yes", "예"), "예");
    assert_string_equal(L(LANG_EN, "yes", "예"), "yes");
    assert_string_equal(L(LANG_KO, "yes", NULL), "yes");
    assert_string_equal(L(LANG_EN, NULL, "예"), "예");
    setenv("LC_ALL", "ko_KR.UTF-8", 1);
    assert_int_equal(lang_from_env(), LANG_KO);
    setenv("LC_ALL", "C", 1);
    assert_int_equal(lang_from_env(), LANG_EN);
    unsetenv("LC_ALL");
}

static void utf8_validation(void **state)
{
    (void)state;
    assert_int_equal(utf8_invalid_at("plain", 5), -1);
    assert_int_equal(utf8_invalid_at("점수 ok", strlen("점수 ok")), -1);
    assert_int_equal(utf8_invalid_at("\xf0\x9f\x98\x80", 4), -1); /* U+1F600 */
    assert_int_equal(utf8_invalid_at("ab\xbe", 3), 2);            /* stray continuation */
    assert_int_equal(utf8_invalid_at("a\0b", 3), 1);              /* NUL */
    assert_int_equal(utf8_invalid_at("\xc0\xaf", 2), 0);          /* overlong '/' */
    assert_int_equal(utf8_invalid_at("\xed\xa0\x80", 3), 0);      /* surrogate */
    assert_int_equal(utf8_invalid_at("x\xec\xa0", 3), 1);         /* truncated */
}

int run_util_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(time_parse_accepts_rfc3339_forms),
        cmocka_unit_test(time_parse_rejects_non_timestamps),
        cmocka_unit_test(csv_quotes_and_neutralises_formulas),
        cmocka_unit_test(html_escapes_markup),
        cmocka_unit_test(json_strings_are_escaped_and_valid),
        cmocka_unit_test(lang_picks_and_falls_back),
        cmocka_unit_test(utf8_validation),
    };
    return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
