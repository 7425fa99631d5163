/* test_catalogue.c — the built-in catalogue and the loader's strictness. */
#include "support.h"

#include <stdlib.h>
#include <string.h>

#include "../../src/util/util.h"

static const char *shared_dir(void)
{
    const char *d = getenv("ANSIM_SHARED");
    return d && *d ? d : "../shared";
}

static void builtin_catalogue_has_every_wave1_control(void **state)
{
    (void)state;
    struct catalogue cat;
    load_builtin(&cat);
    char *path = xasprintf("%s/spec/controls.tsv", shared_dir());
    char err[ERRLEN];
    char *tsv = file_read(path, NULL, err, sizeof err);
    if (!tsv)
        fail_msg("cannot read the control contract: %s", err);
    int wave1 = 0;
    char *save = NULL;
    for (char *line = strtok_r(tsv, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *cols[6] = {0};
        int n = 0;
        for (char *p = line; n < 6 && p; n++) {
            cols[n] = p;
            p = strchr(p, '\t');
            if (p)
                *p++ = '\0';
        }
        if (n < 6 || strcmp(cols[0], "id") == 0 || strcmp(cols[5], "1") != 0)
            continue;
        wave1++;
        const struct control *c = cat_control(&cat, cols[0]);
        if (!c)
            fail_msg("wave-1 control %s is missing", cols[0]);
        assert_string_equal(area_name(c->area), cols[1]);
        assert_string_equal(severity_name(c->severity), cols[2]);
        /* every bundled control carries both languages and both remediations */
        assert_non_null(c->remediation_cli);
        assert_non_null(c->remediation_terraform);
        assert_true(c->nrequires > 0);
        assert_non_null(control_fw(c, "isms-p"));
        assert_non_null(control_fw(c, "aws-wa-sec"));
    }
    assert_int_equal(wave1, 28);
    free(tsv);
    free(path);
    assert_non_null(cat_framework(&cat, "pipa-2023"));
    assert_non_null(cat_framework(&cat, "pipa-tech-2021"));
    assert_non_null(cat_framework(&cat, "isms-p"));
    assert_non_null(cat_framework(&cat, "aws-wa-sec"));
    assert_int_equal(cat_framework(&cat, "isms-p")->nreqs, 101);
    cat_free(&cat);
}

static const char good_control[] =
    "id: t.one\n"
    "title: {en: T, ko: 티}\n"
    "rationale: {en: R, ko: 알}\n"
    "severity: high\n"
    "area: iam\n"
    "resource_type: aws_iam_user\n"
    "requires: [iam:ListUsers]\n"
    "remediation: {en: Fix, ko: 조치}\n"
    "query: SELECT 'pass' AS status, id AS resource_id, 'ok' AS reason FROM aws_iam_user\n";

static void expect_yaml_error(const char *yaml, const char *expect)
{
    struct catalogue cat;
    char err[ERRLEN] = "";
    cat_init(&cat);
    int rc = cat_load_yaml(&cat, "c.yaml", yaml, strlen(yaml), err, sizeof err);
    cat_free(&cat);
    if (rc == 0)
        fail_msg("expected an error containing \"%s\"", expect);
    if (!strstr(err, expect) || !strstr(err, "c.yaml"))
        fail_msg("error \"%s\" lacks \"%s\" or the file name", err, expect);
}

static void loader_names_file_and_field(void **state)
{
    (void)state;
    struct catalogue cat;
    char err[ERRLEN] = "";
    cat_init(&cat);
    assert_int_equal(cat_load_yaml(&cat, "c.yaml", good_control, strlen(good_control), err, sizeof err), 0);
    assert_int_equal(cat.ncontrols, 1);
    cat_free(&cat);

    char *no_query = xstrndup(good_control, strstr(good_control, "query:") - good_control);
    expect_yaml_error(no_query, "`query`");
    free(no_query);
    char *bad_sev = xasprintf("%s", good_control);
    memcpy(strstr(bad_sev, "high"), "huge", 4);
    expect_yaml_error(bad_sev, "`severity`");
    free(bad_sev);
    char *extra = xasprintf("%sseverty: low\n", good_control);
    expect_yaml_error(extra, "`severty`: unknown field");
    free(extra);
    expect_yaml_error("id: [unclosed\n", "invalid YAML");
    expect_yaml_error("- a\n- b\n", "expected a mapping");
    /* found by fuzzing: invalid UTF-8 in a directive made libfyaml loop forever */
    expect_yaml_error("%.d\xbe\xd6\x9e\x9a\x92\xd2\xd2\xd2-", "not UTF-8");
    char *no_ko = xasprintf("%s", good_control);
    memcpy(strstr(no_ko, "ko: 티"), "xx: 티", 6);
    expect_yaml_error(no_ko, "`title`");
    free(no_ko);
}

static void unknown_framework_reference_is_an_error(void **state)
{
    (void)state;
    struct catalogue cat;
    char err[ERRLEN] = "";
    char *yaml = xasprintf("%sframeworks: {nope: [\"1\"]}\n", good_control);
    cat_init(&cat);
    assert_int_equal(cat_load_yaml(&cat, "c.yaml", yaml, strlen(yaml), err, sizeof err), 0);
    assert_int_not_equal(cat_finalize(&cat, err, sizeof err), 0);
    assert_non_null(strstr(err, "unknown framework \"nope\""));
    cat_free(&cat);
    free(yaml);

    /* an unknown requirement of a known framework */
    const char *fw =
        "id: f\ntitle: {en: F, ko: 에프}\nrequirements:\n  - id: \"1\"\n    title: {en: One, ko: 하나}\n";
    yaml = xasprintf("%sframeworks: {f: [\"2\"]}\n", good_control);
    cat_init(&cat);
    assert_int_equal(cat_load_yaml(&cat, "f.yaml", fw, strlen(fw), err, sizeof err), 0);
    assert_int_equal(cat_load_yaml(&cat, "c.yaml", yaml, strlen(yaml), err, sizeof err), 0);
    assert_int_not_equal(cat_finalize(&cat, err, sizeof err), 0);
    assert_non_null(strstr(err, "unknown requirement \"2\""));
    cat_free(&cat);
    free(yaml);
}

static void user_control_replaces_builtin_with_same_id(void **state)
{
    (void)state;
    struct catalogue cat;
    char err[ERRLEN] = "";
    load_builtin(&cat);
    size_t n = cat.ncontrols;
    char *fixed = xasprintf("id: iam.root_mfa\n%s", strchr(good_control, '\n') + 1);
    assert_int_equal(cat_load_yaml(&cat, "mine.yaml", fixed, strlen(fixed), err, sizeof err), 0);
    assert_int_equal(cat_finalize(&cat, err, sizeof err), 0);
    assert_int_equal(cat.ncontrols, n);
    assert_string_equal(cat_control(&cat, "iam.root_mfa")->source, "mine.yaml");
    free(fixed);
    cat_free(&cat);
}

int run_catalogue_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(builtin_catalogue_has_every_wave1_control),
        cmocka_unit_test(loader_names_file_and_field),
        cmocka_unit_test(unknown_framework_reference_is_an_error),
        cmocka_unit_test(user_control_replaces_builtin_with_same_id),
    };
    return cmocka_run_group_tests_name("catalogue", tests, NULL, NULL);
}
