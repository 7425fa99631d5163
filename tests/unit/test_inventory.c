/* test_inventory.c — snapshot loading: validation, views, unknown types, redaction. */
#include "support.h"

#include <stdlib.h>
#include <string.h>

#include "../../src/util/util.h"

static int load_err(const char *doc, char *err, size_t errlen)
{
    struct inventory *inv = NULL;
    assert_int_equal(inv_open(&inv, err, errlen), 0);
    int rc = inv_load_snapshot_buf(inv, doc, strlen(doc), "snap.json", err, errlen);
    inv_close(inv);
    return rc;
}

static void loads_resources_regions_errors_and_meta(void **state)
{
    (void)state;
    char *doc = snap_doc("[{\"type\":\"aws_s3_bucket\",\"region\":\"ap-northeast-2\",\"id\":\"b1\","
                         "\"arn\":\"arn:aws:s3:::b1\",\"data\":{\"Name\":\"b1\"}},"
                         "{\"type\":\"aws_iam_user\",\"id\":\"alice\",\"data\":{}}]",
                         "[{\"service\":\"GuardDuty\",\"region\":\"ap-northeast-2\","
                         "\"operation\":\"ListDetectors\",\"code\":\"AccessDenied\",\"message\":\"no\"}]");
    struct inventory *inv = load_inv(doc);
    assert_int_equal(inv_resource_count(inv), 2);
    assert_string_equal(inv_account_id(inv), "111122223333");
    assert_int_equal(inv_region_count(inv), 1);
    assert_int_equal(sql_int(inv, "SELECT count(*) FROM aws_s3_bucket"), 1);
    char *s = sql_text(inv, "SELECT region FROM aws_iam_user");
    assert_string_equal(s, "global"); /* default region */
    free(s);
    s = sql_text(inv, "SELECT service FROM collection_errors");
    assert_string_equal(s, "guardduty"); /* services are stored lower-case */
    free(s);
    /* views exist for known types even when empty */
    assert_int_equal(sql_int(inv, "SELECT count(*) FROM aws_iam_password_policy"), 0);
    inv_close(inv);
    free(doc);
}

static void unknown_types_are_kept_and_queryable(void **state)
{
    (void)state;
    char *doc = snap_doc("[{\"type\":\"aws_future_thing\",\"id\":\"x\",\"data\":{\"A\":1}},"
                         "{\"type\":\"Weird Type!\",\"id\":\"y\",\"data\":{}}]",
                         NULL);
    struct inventory *inv = load_inv(doc);
    assert_int_equal(sql_int(inv, "SELECT data->>'$.A' FROM aws_future_thing"), 1);
    assert_int_equal(sql_int(inv, "SELECT count(*) FROM resources WHERE type='Weird Type!'"), 1);
    inv_close(inv);
    free(doc);
}

static void secrets_are_redacted_on_load(void **state)
{
    (void)state;
    char *doc = snap_doc("[{\"type\":\"aws_rds_db_instance\",\"id\":\"db\",\"data\":{"
                         "\"MasterUserPassword\":\"hunter2\",\"Nested\":[{\"SecretAccessKey\":"
                         "\"wJalrXUtnFEMI\"}]}}]",
                         NULL);
    struct inventory *inv = load_inv(doc);
    char *s = sql_text(inv, "SELECT data FROM resources");
    assert_null(strstr(s, "hunter2"));
    assert_null(strstr(s, "wJalrXUtnFEMI"));
    assert_non_null(strstr(s, "REDACTED"));
    free(s);
    inv_close(inv);
    free(doc);
}

static void bad_snapshots_give_clear_errors(void **state)
{
    (void)state;
    char err[ERRLEN];
    static const struct {
        const char *doc, *expect;
    } cases[] = {
        {"{\"format\":", "malformed JSON"},
        {"", "empty file"},
        {"[1,2]", "not a snapshot"},
        {"{\"format\":\"ansim-snapshot/2\"}", "unsupported snapshot format \"ansim-snapshot/2\""},
        {"{\"format\":\"ansim-snapshot/1\",\"account_id\":\"1\",\"collected_at\":\"yesterday\","
         "\"regions\":[],\"resources\":[]}",
         "collected_at"},
        {"{\"format\":\"ansim-snapshot/1\",\"account_id\":\"1\",\"collected_at\":\"2026-01-01T00:00:00Z\","
         "\"regions\":[],\"resources\":{}}",
         "`resources` must be a list"},
        {"{\"format\":\"ansim-snapshot/1\",\"account_id\":\"1\",\"collected_at\":\"2026-01-01T00:00:00Z\","
         "\"regions\":[],\"resources\":[{\"type\":\"aws_x\",\"id\":\"a\"},{\"id\":5}]}",
         "resources[1]"},
        {"{\"format\":\"ansim-snapshot/1\",\"account_id\":\"1\",\"collected_at\":\"2026-01-01T00:00:00Z\","
         "\"regions\":[],\"resources\":[{\"type\":\"aws_x\",\"id\":\"a\",\"data\":[1]}]}",
         "`data` must be an object"},
        {"{\"format\":\"ansim-snapshot/1\",\"account_id\":\"1\",\"collected_at\":\"2026-01-01T00:00:00Z\","
         "\"regions\":[],\"resources\":[],\"errors\":[{\"region\":\"x\"}]}",
         "errors[0]"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        err[0] = '\0';
        assert_int_not_equal(load_err(cases[i].doc, err, sizeof err), 0);
        if (!strstr(err, cases[i].expect))
            fail_msg("case %zu: error \"%s\" lacks \"%s\"", i, err, cases[i].expect);
        assert_non_null(strstr(err, "snap.json"));
        assert_null(strchr(err, '\n'));
    }
    /* hostile nesting: 5000 levels deep */
    struct strbuf deep;
    sb_init(&deep);
    sb_puts(&deep, "{\"format\":\"ansim-snapshot/1\",\"x\":");
    for (int i = 0; i < 5000; i++)
        sb_putc(&deep, '[');
    for (int i = 0; i < 5000; i++)
        sb_putc(&deep, ']');
    sb_putc(&deep, '}');
    assert_int_not_equal(load_err(deep.buf, err, sizeof err), 0);
    assert_non_null(strstr(err, "snap.json"));
    sb_free(&deep);
}

static void a_failed_load_leaves_nothing(void **state)
{
    (void)state;
    char err[ERRLEN];
    struct inventory *inv = NULL;
    assert_int_equal(inv_open(&inv, err, sizeof err), 0);
    const char *doc = "{\"format\":\"ansim-snapshot/1\",\"account_id\":\"1\","
                      "\"collected_at\":\"2026-01-01T00:00:00Z\",\"regions\":[\"r\"],"
                      "\"resources\":[{\"type\":\"aws_x\",\"id\":\"a\"},{\"type\":7}]}";
    assert_int_not_equal(inv_load_snapshot_buf(inv, doc, strlen(doc), "s", err, sizeof err), 0);
    assert_int_equal(sql_int(inv, "SELECT count(*) FROM resources"), 0);
    assert_int_equal(sql_int(inv, "SELECT count(*) FROM regions"), 0);
    inv_close(inv);
}

int run_inventory_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(loads_resources_regions_errors_and_meta),
        cmocka_unit_test(unknown_types_are_kept_and_queryable),
        cmocka_unit_test(secrets_are_redacted_on_load),
        cmocka_unit_test(bad_snapshots_give_clear_errors),
        cmocka_unit_test(a_failed_load_leaves_nothing),
    };
    return cmocka_run_group_tests_name("inventory", tests, NULL, NULL);
}
