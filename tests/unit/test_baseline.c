/* test_baseline.c — baseline components (loading, errors, dependency order), the safety
 * classification of fixes, and what the three renderers write for a plan. */
#include "support.h"

#include <stdlib.h>
#include <string.h>

#include "../../src/baseline/baseline.h"
#include "../../src/util/util.h"

#define COMP(id, extra)                                                                                      \
    "id: " id "\nmodels: [standard]\ntitle: {en: T, ko: T}\nwhat: {en: W, ko: W}\n" extra                    \
    "cloudformation: |\n  X:\n    Type: AWS::SNS::Topic\nterraform: |\n  resource \"aws_sns_topic\" \"x\" "  \
    "{}\n"                                                                                                   \
    "cli: |\n  aws sns create-topic --name x\n"

static int load(struct bl_set *s, const char *name, const char *doc, char *err)
{
    return bl_load_yaml(s, name, doc, strlen(doc), err, ERRLEN);
}

static void component_errors_name_file_and_key(void **state)
{
    (void)state;
    struct bl_set s = {0};
    char err[ERRLEN] = "";
    assert_int_equal(load(&s, "a.yaml", COMP("a.x", "colour: red\n"), err), -1);
    assert_non_null(strstr(err, "a.yaml:"));
    assert_non_null(strstr(err, "colour: unknown key"));
    assert_int_equal(
        load(&s, "b.yaml", "id: b.x\nmodels: [standard]\ntitle: {en: T, ko: T}\nwhat: {en: W, ko: W}\n", err),
        -1);
    assert_non_null(strstr(err, "cloudformation"));
    assert_int_equal(load(&s, "c.yaml", COMP("c.x", "regional: maybe\n"), err), -1);
    assert_non_null(strstr(err, "regional"));
    assert_int_equal(
        load(&s, "d.yaml", "id: d.x\nmodels: [big]\ntitle: {en: T, ko: T}\nwhat: {en: W, ko: W}\n", err), -1);
    assert_non_null(strstr(err, "models"));
    assert_int_equal(load(&s, "e.yaml", COMP("e.x", "title: {en: only}\n"), err), -1);
    assert_int_equal(load(&s, "f.yaml", "[1, 2", err), -1);
    assert_non_null(strstr(err, "f.yaml"));
    assert_int_equal(load(&s, "g.yaml", COMP("g.x", ""), err), 0);
    assert_int_equal(load(&s, "h.yaml", COMP("g.x", ""), err), -1);
    assert_non_null(strstr(err, "also used by g.yaml"));
    /* a format it cannot express, with the note saying why */
    assert_int_equal(load(&s, "i.yaml",
                          "id: i.x\nmodels: [account]\ntitle: {en: T, ko: T}\nwhat: {en: W, ko: W}\n"
                          "cli: |\n  aws iam update-account-password-policy --minimum-password-length 8\n"
                          "terraform: |\n  resource \"aws_iam_account_password_policy\" \"p\" {}\n"
                          "note:\n  cloudformation: {en: no resource type, ko: 리소스 없음}\n",
                          err),
                     0);
    assert_null(s.c[1].frag[BL_CFN]);
    assert_string_equal(s.c[1].note[BL_CFN].en, "no resource type");
    bl_set_free(&s);
}

static void order_follows_after_then_rank(void **state)
{
    (void)state;
    struct bl_set s = {0};
    char err[ERRLEN] = "";
    assert_int_equal(load(&s, "t", COMP("trail", "order: 10\nafter: [key, bucket]\n"), err), 0);
    assert_int_equal(load(&s, "k", COMP("key", "order: 20\n"), err), 0);
    assert_int_equal(load(&s, "b", COMP("bucket", "order: 30\n"), err), 0);
    assert_int_equal(load(&s, "z", COMP("alarm", "order: 5\n"), err), 0);
    assert_int_equal(bl_finalize(&s, err, sizeof err), 0);
    assert_string_equal(s.c[0].id, "alarm"); /* free to go, lowest rank */
    assert_string_equal(s.c[1].id, "key");
    assert_string_equal(s.c[2].id, "bucket");
    assert_string_equal(s.c[3].id, "trail"); /* rank 10, but after both */
    bl_set_free(&s);

    assert_int_equal(load(&s, "p", COMP("p", "after: [q]\n"), err), 0);
    assert_int_equal(load(&s, "q", COMP("q", "after: [p]\n"), err), 0);
    assert_int_equal(bl_finalize(&s, err, sizeof err), -1);
    assert_non_null(strstr(err, "cycle"));
    bl_set_free(&s);
    assert_int_equal(load(&s, "r", COMP("r", "after: [nowhere]\n"), err), 0);
    assert_int_equal(bl_finalize(&s, err, sizeof err), -1);
    assert_non_null(strstr(err, "no component nowhere"));
    bl_set_free(&s);
}

static void fixes_that_take_away_are_told_apart(void **state)
{
    (void)state;
    char b[128];
    assert_null(bl_destructive("aws s3api put-bucket-versioning --bucket b\n", b, sizeof b));
    assert_null(bl_destructive("# aws ec2 revoke-security-group-ingress --group-id sg-1\n", b, sizeof b));
    assert_non_null(bl_destructive("if ! aws ec2 revoke-security-group-ingress --group-id sg-1; then :; fi\n",
                                   b, sizeof b));
    assert_string_equal(b, "aws ec2 revoke-security-group-ingress");
    assert_non_null(bl_destructive("x=$(aws iam delete-login-profile --user-name u)\n", b, sizeof b));
    assert_non_null(bl_destructive(
        "aws iam update-access-key --user-name u --access-key-id K --status Inactive\n", b, sizeof b));
    assert_null(bl_destructive("aws iam update-access-key --user-name u --status Active\n", b, sizeof b));
    assert_null(bl_destructive("myaws s3 delete-thing\n", b, sizeof b));
    assert_int_equal(
        bl_changes("aws iam get-account-summary\n# aws iam create-user\naws s3api list-buckets\n"), 0);
    assert_int_equal(bl_changes("aws kms enable-key-rotation --key-id k\n"), 1);
    assert_int_equal(bl_changes("aws rds wait db-instance-available --db-instance-identifier d\n"), 0);
}

/* A plan with one regional and one global step, and a parameter per type. */
static void plan_init(struct bl_plan *p, enum bl_format f)
{
    memset(p, 0, sizeof *p);
    p->model = BL_STANDARD;
    p->format = f;
    p->source = xstrdup("greenfield");
    strcpy(p->generated_at, "2026-11-25T00:00:00Z");
    p->regions = xcalloc(3, sizeof *p->regions);
    p->regions[p->nregions++] = xstrdup("ap-northeast-2");
    p->regions[p->nregions++] = xstrdup("us-east-1");
    bl_values_set(&p->values, "notification_email", "a'b$(touch /tmp/x)`id`\"${c}@example.com");
    bl_values_set(&p->values, "regions", "[\"ap-northeast-2\",\"us-east-1\"]");
}

static void add_step(struct bl_plan *p, const char *name, int regional, const char *body)
{
    struct bl_step st;
    memset(&st, 0, sizeof st);
    st.name = xstrdup(name);
    st.regional = regional;
    st.title.en = xstrdup("title\nwith a newline");
    st.controls = xcalloc(2, sizeof *st.controls);
    st.controls[st.ncontrols++] = xstrdup("guardduty.enabled");
    st.body = body ? xstrdup(body) : NULL;
    if (!body)
        st.manual.en = xstrdup("by hand");
    bl_plan_add(p, &st);
}

static char *render_one(struct bl_plan *p, json_t **sum)
{
    struct bl_file *f = NULL;
    size_t n = 0;
    char err[ERRLEN] = "";
    if (bl_render(p, &f, &n, sum, err, sizeof err))
        fail_msg("render: %s", err);
    assert_int_equal(n, 1);
    char *text = xstrdup(f[0].text);
    bl_files_free(f, n);
    return text;
}

static void cli_quotes_values_and_loops_regions(void **state)
{
    (void)state;
    struct bl_plan p;
    plan_init(&p, BL_CLI);
    add_step(&p, "ir.guardduty", 1, "aws guardduty create-detector --region \"$region\" --enable\n");
    add_step(&p, "ir.alerts", 0,
             "aws sns subscribe --protocol email --notification-endpoint \"$NOTIFICATION_EMAIL\"\n");
    add_step(&p, "iam.root_mfa", 0, NULL);
    json_t *sum = NULL;
    char *t = render_one(&p, &sum);
    /* the hostile e-mail is one single-quoted word: nothing in it runs */
    assert_non_null(strstr(t, "NOTIFICATION_EMAIL='a'\\''b$(touch /tmp/x)`id`\"${c}@example.com'"));
    assert_non_null(strstr(t, "REGIONS='ap-northeast-2 us-east-1'"));
    assert_non_null(strstr(t, "for region in $REGIONS; do\naws guardduty create-detector"));
    assert_non_null(strstr(t, "ansim_run 'ir.guardduty' step_1"));
    assert_non_null(strstr(t, "set -euo pipefail"));
    assert_non_null(strstr(t, "# MANUAL, not run: iam.root_mfa"));
    assert_null(strstr(t, "title\nwith")); /* a newline in a title cannot end the comment */
    assert_string_equal(json_string_value(json_object_get(sum, "mode")), "greenfield");
    assert_int_equal(json_array_size(json_object_get(sum, "manual")), 1);
    assert_string_equal(json_string_value(json_array_get(json_object_get(sum, "targets"), 0)),
                        "guardduty.enabled");
    json_decref(sum);
    free(t);
    /* without a default the script stops before any change */
    bl_values_set(&p.values, "notification_email", NULL);
    t = render_one(&p, &sum);
    assert_non_null(strstr(t, "if [ -z \"${NOTIFICATION_EMAIL:-}\" ]; then"));
    assert_true(strstr(t, "exit 2") < strstr(t, "step_1()"));
    json_decref(sum);
    free(t);
    bl_plan_free(&p);
}

static void terraform_repeats_regional_steps_and_writes_a_block_once(void **state)
{
    (void)state;
    struct bl_plan p;
    plan_init(&p, BL_TF);
    add_step(&p, "ir.guardduty", 1,
             "resource \"aws_guardduty_detector\" \"{{region_id}}\" {\n  provider = aws.{{region_id}}\n  "
             "enable   = true\n}\n");
    add_step(&p, "a", 0,
             "provider \"aws\" {\n  alias  = \"x\"\n  region = \"us-east-1\"\n}\n\ndata \"aws_partition\" "
             "\"p\" {}\n");
    add_step(&p, "b", 0,
             "provider \"aws\" {\n  alias  = \"x\"\n  region = \"us-east-1\"\n}\n\ndata \"aws_partition\" "
             "\"p\" {}\n"
             "resource \"aws_sns_topic\" \"t\" {\n  name = var.notification_email\n}\n");
    json_t *sum = NULL;
    char *t = render_one(&p, &sum);
    assert_non_null(strstr(t, "resource \"aws_guardduty_detector\" \"ap_northeast_2\""));
    assert_non_null(strstr(t, "provider = aws.us_east_1"));
    assert_non_null(strstr(t, "alias  = \"us_east_1\""));
    const char *first = strstr(t, "alias  = \"x\"");
    assert_non_null(first);
    assert_null(strstr(first + 1, "alias  = \"x\"")); /* the same block once */
    first = strstr(t, "data \"aws_partition\" \"p\" {}");
    assert_null(strstr(first + 1, "data \"aws_partition\" \"p\" {}"));
    /* the variable is declared with its default escaped: no template expression survives */
    assert_non_null(strstr(t, "variable \"notification_email\""));
    assert_non_null(strstr(t, "$${c}"));
    assert_non_null(strstr(t, "\\\"$${c}"));
    json_decref(sum);
    free(t);
    bl_plan_free(&p);
}

static void cloudformation_declares_what_it_uses(void **state)
{
    (void)state;
    struct bl_plan p;
    plan_init(&p, BL_CFN);
    json_t *sum = NULL;
    char *t = render_one(&p, &sum); /* nothing to do: still a valid template */
    assert_non_null(strstr(t, "NothingToDo:\n    Type: AWS::CloudFormation::WaitConditionHandle"));
    assert_null(strstr(t, "Parameters:"));
    json_decref(sum);
    free(t);
    add_step(&p, "ir.alerts", 0,
             "AlertTopic:\n  Type: AWS::SNS::Topic\n  Properties:\n    Subscription:\n      - Endpoint: !Ref "
             "NotificationEmail\n"
             "        Protocol: email\n");
    t = render_one(&p, &sum);
    assert_non_null(strstr(t, "Parameters:\n  NotificationEmail:\n    Type: String"));
    assert_non_null(strstr(t, "Default: \"a'b$(touch /tmp/x)`id`\\\"${c}@example.com\""));
    assert_null(strstr(t, "  Regions:")); /* not used by any resource */
    assert_non_null(strstr(t, "\n  AlertTopic:\n    Type: AWS::SNS::Topic"));
    json_decref(sum);
    free(t);
    bl_plan_free(&p);
}

static void bundled_components_load_and_name_real_controls(void **state)
{
    (void)state;
    struct bl_set s = {0};
    char err[ERRLEN] = "";
    if (bl_load_builtin(&s, err, sizeof err) || bl_finalize(&s, err, sizeof err))
        fail_msg("bundled baselines: %s", err);
    struct catalogue cat;
    load_builtin(&cat);
    unsigned models = 0;
    for (size_t i = 0; i < s.n; i++) {
        models |= s.c[i].models;
        for (size_t k = 0; k < s.c[i].ncontrols; k++)
            if (!cat_control(&cat, s.c[i].controls[k]))
                fail_msg("%s: no control %s", s.c[i].source, s.c[i].controls[k]);
        for (size_t j = 0; j < s.c[i].nafter; j++) /* dependency order holds */
            for (size_t k = i; k < s.n; k++)
                if (strcmp(s.c[k].id, s.c[i].after[j]) == 0)
                    fail_msg("%s comes before %s, which it needs", s.c[i].id, s.c[k].id);
    }
    cat_free(&cat);
    bl_set_free(&s);
    (void)models;
}

int run_baseline_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(component_errors_name_file_and_key),
        cmocka_unit_test(order_follows_after_then_rank),
        cmocka_unit_test(fixes_that_take_away_are_told_apart),
        cmocka_unit_test(cli_quotes_values_and_loops_regions),
        cmocka_unit_test(terraform_repeats_regional_steps_and_writes_a_block_once),
        cmocka_unit_test(cloudformation_declares_what_it_uses),
        cmocka_unit_test(bundled_components_load_and_name_real_controls),
    };
    return cmocka_run_group_tests_name("baseline", tests, NULL, NULL);
}
