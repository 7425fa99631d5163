/*
 * test_baseline_guard.c — bl_guardrails: `ansim iam scope` turned into guardrails. The
 * Deny document exactly (statements, resources, the outside-the-network condition), who
 * gets it (unconfined users and roles; not the confined, not service-linked roles, not
 * other accounts), the SCP, the endpoints, hostile ARNs that cannot break out of shell,
 * YAML or HCL quoting, the split under IAM's 6,144 characters, and the round trip: the
 * policy attached in an account model makes the scope report every principal confined.
 * The fragments go through bash -n, shellcheck, terraform fmt and cfn-lint (all required).
 */
#include "support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/baseline/baseline.h"
#include "../../src/iam/iam.h"
#include "../../src/util/util.h"

#define ACCT "111122223333"
#define IAMA "arn:aws:iam::" ACCT
#define SLR IAMA ":role/aws-service-role/ssm.amazonaws.com/AWSServiceRoleForSSM"

/* A scope as iam_account_scope writes it: one bucket and one table hold personal data;
 * alice (user) and app (role) are unconfined, vpn-role is confined, a service-linked role
 * and another account are unconfined too. extra_resources: more {"arn"} objects. */
static json_t *scope_doc(const char *extra_resources, const char *principal_extra)
{
    const char *ability = "{\"decision\":\"allow\",\"confined\":false,\"actions\":[\"s3:GetObject\"],"
                          "\"resources\":[],\"conditions\":[],\"via\":[]}";
    const char *grant = "{\"decision\":\"allow\",\"confined\":false,\"actions\":[\"iam:PutUserPolicy\"],"
                        "\"resources\":[],\"conditions\":[],\"via\":[]}";
    const char *none = "{\"decision\":\"none\",\"confined\":false}";
    char *s = xasprintf(
        "{\"pii_tag\":\"ansim:pii=true\",\"resources\":[{\"arn\":\"arn:aws:s3:::pii-bucket\",\"why\":\"tag\"}"
        ","
        "{\"arn\":\"arn:aws:dynamodb:ap-northeast-2:" ACCT ":table/customers\",\"why\":\"tag\"},"
        "{\"arn\":\"arn:aws:kms:ap-northeast-2:" ACCT
        ":key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0\",\"why\":\"tag\"}%s],"
        "\"principals\":["
        "{\"arn\":\"" IAMA ":user/alice\",\"confined\":false,\"download\":%s,\"destroy\":%s,\"grant\":%s},"
        "{\"arn\":\"" IAMA ":role/app\",\"confined\":false,\"download\":%s,\"destroy\":%s,\"grant\":%s},"
        "{\"arn\":\"" IAMA ":role/vpn-role\",\"confined\":true,\"download\":%s,\"destroy\":%s,\"grant\":%s},"
        "{\"arn\":\"" SLR "\",\"confined\":false,\"download\":%s,\"destroy\":%s,\"grant\":%s},"
        "{\"arn\":\"arn:aws:iam::999988887777:root\",\"confined\":false,\"download\":%s,\"destroy\":%s,"
        "\"grant\":%s}%s],"
        "\"summary\":{\"resources\":2,\"in_scope\":5,\"unconfined\":4}}",
        extra_resources ? extra_resources : "", ability, ability, grant, ability, none, none, ability, none,
        none, ability, none, none, ability, none, none, principal_extra ? principal_extra : "");
    json_error_t je;
    json_t *d = json_loads(s, 0, &je);
    if (!d)
        fail_msg("bad scope fixture: %s", je.text);
    free(s);
    return d;
}

static const struct bl_component *find(const struct bl_set *s, const char *id)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->c[i].id, id) == 0)
            return &s->c[i];
    return NULL;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* The policy documents of a cli fragment: the text between each "<<'JSON'" and "JSON". */
static json_t *cli_docs(const char *cli)
{
    json_t *out = json_array();
    for (const char *p = cli; (p = strstr(p, "<<'JSON'\n"));) {
        p += 9;
        const char *end = strstr(p, "\nJSON\n");
        assert_non_null(end);
        json_error_t je;
        json_t *d = json_loadb(p, (size_t)(end - p) + 1, 0, &je);
        if (!d)
            fail_msg("policy in the cli fragment does not parse: %s", je.text);
        json_array_append_new(out, d);
        p = end;
    }
    return out;
}

/* The same from a terraform fragment's heredocs, with HCL's $${ and %%{ undone. */
static json_t *tf_docs(const char *tf)
{
    json_t *out = json_array();
    for (const char *p = tf; (p = strstr(p, "<<-JSON\n"));) {
        p += 8;
        const char *end = strstr(p, "\n  JSON\n");
        assert_non_null(end);
        struct strbuf sb;
        sb_init(&sb);
        for (const char *q = p; q < end; q++) {
            if ((*q == '$' || *q == '%') && q[1] == *q && q[2] == '{')
                q++;
            sb_putc(&sb, *q);
        }
        json_error_t je;
        json_t *d = json_loads(sb.buf, 0, &je);
        if (!d)
            fail_msg("policy in the terraform fragment does not parse: %s", je.text);
        sb_free(&sb);
        json_array_append_new(out, d);
        p = end;
    }
    return out;
}

static int run_quiet(const char *cmd)
{
    char *c = xasprintf("%s >/dev/null 2>&1", cmd);
    int rc = system(c);
    free(c);
    return rc;
}

static int have(const char *tool)
{
    char *c = xasprintf("command -v %s", tool);
    int ok = run_quiet(c) == 0;
    free(c);
    return ok;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* bash -n of every cli fragment (as a function body), terraform fmt -check of the terraform
 * ones and cfn-lint of a template around the cloudformation ones; a missing tool fails. */
static void check_syntax(const struct bl_set *s)
{
    char dir[] = "/tmp/ansim-guard-XXXXXX";
    assert_non_null(mkdtemp(dir));
    struct strbuf sh, tf, cfn;
    sb_init(&sh);
    sb_init(&tf);
    sb_init(&cfn);
    sb_puts(&sh, "set -euo pipefail\n");
    sb_puts(&cfn, "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n");
    for (size_t i = 0; i < s->n; i++) {
        const struct bl_component *c = &s->c[i];
        sb_printf(&sh, "step_%zu() {\n%s}\n", i, c->frag[BL_CLI]);
        sb_printf(&tf, "%s%s", i ? "\n" : "", c->frag[BL_TF]);
        if (c->frag[BL_CFN])
            for (const char *p = c->frag[BL_CFN]; *p;) {
                size_t n = strcspn(p, "\n");
                sb_puts(&cfn, "  ");
                sb_add(&cfn, p, n);
                sb_putc(&cfn, '\n');
                p += n + (p[n] == '\n');
            }
    }
    char *path = xasprintf("%s/s.sh", dir), *cmd = xasprintf("bash -n %s", path);
    write_file(path, sh.buf);
    if (system(cmd) != 0)
        fail_msg("bash -n fails on:\n%s", sh.buf);
    free(cmd);
    if (!have("shellcheck"))
        fail_msg("shellcheck is not installed: the fragments cannot be checked (scripts/install-deps; pip "
                 "install cfn-lint)");
    {
        cmd = xasprintf("shellcheck -s bash -S warning %s", path);
        if (run_quiet(cmd) != 0)
            assert_int_equal(system(cmd), 0);
        free(cmd);
    }
    free(path);
    if (!have("terraform"))
        fail_msg("terraform is not installed: the fragments cannot be checked (scripts/install-deps; pip "
                 "install cfn-lint)");
    {
        path = xasprintf("%s/main.tf", dir);
        cmd = xasprintf("terraform fmt -check -diff %s", path);
        write_file(path, tf.buf);
        if (run_quiet(cmd) != 0) {
            assert_int_equal(system(cmd), 0);
        }
        free(path);
        free(cmd);
    }
    if (!have("cfn-lint"))
        fail_msg("cfn-lint is not installed: the fragments cannot be checked (scripts/install-deps; pip "
                 "install cfn-lint)");
    {
        path = xasprintf("%s/t.yaml", dir);
        cmd = xasprintf("cfn-lint %s", path);
        write_file(path, cfn.buf);
        if (run_quiet(cmd) != 0) {
            fprintf(stderr, "%s\n", cfn.buf);
            assert_int_equal(system(cmd), 0);
        }
        free(path);
        free(cmd);
    }
    cmd = xasprintf("rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    sb_free(&sh);
    sb_free(&tf);
    sb_free(&cfn);
}

static const struct bl_guard_opts net_all = {
    "[\"203.0.113.0/24\"]", "[\"vpc-0a1b2c3d\"]", "[\"vpce-0123abcd\"]", 0, ACCT, "aws", NULL, 0};

/* The statement sid of a document, or of any document in a list of them. */
static const json_t *statement(const json_t *doc, const char *sid)
{
    size_t i;
    json_t *st;
    if (json_is_array(doc)) {
        json_array_foreach(doc, i, st)
        {
            json_t *ss;
            size_t k;
            json_array_foreach(json_object_get(st, "Statement"), k,
                               ss) if (strcmp(json_string_value(json_object_get(ss, "Sid")), sid) ==
                                       0) return ss;
        }
        fail_msg("no statement %s", sid);
    }
    json_array_foreach(json_object_get(doc, "Statement"), i,
                       st) if (strcmp(json_string_value(json_object_get(st, "Sid")), sid) == 0) return st;
    fail_msg("no statement %s", sid);
    return NULL;
}

static int has_string(const json_t *list, const char *s)
{
    size_t i;
    json_t *x;
    json_array_foreach(list, i, x) if (strcmp(json_string_value(x), s) == 0) return 1;
    return 0;
}

static void deny_document(void **state)
{
    (void)state;
    json_t *scope = scope_doc(NULL, NULL);
    struct bl_set s = {0};
    char err[512] = "";
    if (bl_guardrails(scope, &net_all, &s, err, sizeof err))
        fail_msg("%s", err);
    assert_int_equal(s.n, 2); /* endpoints, policy; no SCP outside an organization */
    const struct bl_component *p = find(&s, "guardrail.network_separation_policy");
    assert_non_null(p);
    assert_int_equal(p->order, 80);
    assert_int_equal(p->models, 1u << BL_NETSEP);
    assert_int_equal(p->ncontrols, 1);
    assert_string_equal(p->controls[0], "iam.network_separation_scope");
    assert_non_null(p->title.ko);
    assert_non_null(p->what.ko);
    json_t *docs = cli_docs(p->frag[BL_CLI]);
    assert_int_equal(json_array_size(docs), 1);
    const json_t *doc = json_array_get(docs, 0);
    /* the same document in all three formats */
    json_t *tdocs = tf_docs(p->frag[BL_TF]);
    assert_true(json_equal(doc, json_array_get(tdocs, 0)));
    json_decref(tdocs);
    /* one statement per class and service; grant on "*" */
    const char *sids[] = {"DownloadDynamodb", "DownloadKms",   "DownloadS3", "DestroyDynamodb",
                          "DestroyS3",        "GrantDynamodb", "GrantIam",   "GrantS3"};
    size_t nst = json_array_size(json_object_get(doc, "Statement"));
    for (size_t i = 0; i < nst; i++) {
        const json_t *st = json_array_get(json_object_get(doc, "Statement"), i);
        const char *sid = json_string_value(json_object_get(st, "Sid"));
        int known = 0;
        for (size_t k = 0; k < sizeof sids / sizeof *sids; k++)
            known |= strcmp(sids[k], sid) == 0;
        if (!known && strncmp(sid, "Download", 8) != 0 && strncmp(sid, "Destroy", 7) != 0 &&
            strncmp(sid, "Grant", 5) != 0)
            fail_msg("unexpected statement %s", sid);
        assert_string_equal(json_string_value(json_object_get(st, "Effect")), "Deny");
    }
    json_t *want = json_loads("{\"NotIpAddressIfExists\":{\"aws:SourceIp\":[\"203.0.113.0/24\"]},"
                              "\"StringNotEqualsIfExists\":{\"aws:SourceVpc\":[\"vpc-0a1b2c3d\"],"
                              "\"aws:SourceVpce\":[\"vpce-0123abcd\"]},"
                              "\"BoolIfExists\":{\"aws:ViaAWSService\":\"false\"}}",
                              0, NULL);
    const json_t *s3 = statement(doc, "DownloadS3");
    assert_true(json_equal(json_object_get(s3, "Condition"), want));
    json_t *res = json_loads("[\"arn:aws:s3:::pii-bucket\",\"arn:aws:s3:::pii-bucket/*\"]", 0, NULL);
    assert_true(json_equal(json_object_get(s3, "Resource"), res));
    json_decref(res);
    assert_true(has_string(json_object_get(s3, "Action"), "s3:GetObject"));
    assert_false(has_string(json_object_get(s3, "Action"), "s3:PutObject")); /* not a class action */
    const json_t *ddb = statement(doc, "DestroyDynamodb");
    assert_true(has_string(json_object_get(ddb, "Action"), "dynamodb:DeleteTable"));
    assert_string_equal(json_string_value(json_array_get(json_object_get(ddb, "Resource"), 0)),
                        "arn:aws:dynamodb:ap-northeast-2:" ACCT ":table/customers");
    assert_int_equal(json_array_size(json_object_get(ddb, "Resource")), 1);
    const json_t *gi = statement(doc, "GrantIam");
    assert_string_equal(json_string_value(json_object_get(gi, "Resource")), "*");
    assert_true(has_string(json_object_get(gi, "Action"), "iam:PutUserPolicy"));
    assert_true(has_string(json_object_get(gi, "Action"), "iam:AttachRolePolicy"));
    assert_true(json_equal(json_object_get(gi, "Condition"), want));
    json_decref(want);
    /* alice and app get it; vpn-role (confined) does not; the service-linked role and the
     * other account are named in comments only */
    const char *cli = p->frag[BL_CLI];
    assert_int_equal(
        count(cli, "aws iam attach-user-policy --user-name 'alice' --policy-arn \"$policy_arn\""), 1);
    assert_int_equal(count(cli, "aws iam attach-role-policy --role-name 'app' --policy-arn \"$policy_arn\""),
                     1);
    assert_int_equal(count(cli, "attach-"), 2);
    for (int f = 0; f < BL__NFORMATS; f++) {
        assert_null(strstr(p->frag[f], "vpn-role"));
        assert_non_null(strstr(p->frag[f], "# not attached: " SLR ": a service-linked role"));
        assert_non_null(
            strstr(p->frag[f], "# not attached: arn:aws:iam::999988887777:root: not a user or role"));
    }
    assert_int_equal(count(p->frag[BL_TF], "resource \"aws_iam_user_policy_attachment\""), 1);
    assert_int_equal(count(p->frag[BL_TF], "resource \"aws_iam_role_policy_attachment\""), 1);
    assert_non_null(strstr(p->frag[BL_CFN], "    Users:\n      - \"alice\"\n    Roles:\n      - \"app\"\n"));
    /* idempotent, never removes */
    assert_non_null(
        strstr(cli, "if ! aws iam get-policy --policy-arn \"$policy_arn\" >/dev/null 2>&1; then"));
    for (int f = 0; f < BL__NFORMATS; f++)
        for (const char *bad = "delete-\0detach-\0disable-\0remove-\0revoke-\0"; *bad; bad += strlen(bad) + 1)
            for (size_t i = 0; i < s.n; i++)
                if (s.c[i].frag[f] && strstr(s.c[i].frag[f], bad))
                    fail_msg("%s uses %s", s.c[i].id, bad);
    char verb[128];
    for (size_t i = 0; i < s.n; i++)
        if (bl_destructive(s.c[i].frag[BL_CLI], verb, sizeof verb))
            fail_msg("%s: %s takes something away", s.c[i].id, verb);
    /* endpoints: S3 and DynamoDB gateways, KMS interface; IAM noted as global */
    const struct bl_component *e = find(&s, "guardrail.network_separation_endpoints");
    assert_non_null(e);
    assert_null(e->frag[BL_CFN]);
    assert_non_null(e->note[BL_CFN].en);
    assert_non_null(strstr(e->frag[BL_CLI], "vpcs=('vpc-0a1b2c3d')\nfor vpc in \"${vpcs[@]}\"; do"));
    assert_non_null(strstr(e->frag[BL_CLI], "--vpc-endpoint-type Gateway \\\n        --service-name "
                                            "\"com.amazonaws.$HOME_REGION.s3\""));
    assert_non_null(strstr(e->frag[BL_CLI], "com.amazonaws.$HOME_REGION.dynamodb"));
    assert_non_null(
        strstr(e->frag[BL_CLI], "--service-name \"com.amazonaws.$HOME_REGION.kms\" --subnet-ids"));
    assert_non_null(strstr(e->frag[BL_CLI], "# iam: a global service without VPC endpoints"));
    assert_non_null(strstr(e->frag[BL_TF], "resource \"aws_vpc_endpoint\" \"sep_vpc_0a1b2c3d_s3\""));
    assert_non_null(strstr(e->frag[BL_TF],
                           "data \"aws_vpc_endpoint_service\" \"ansim_s3\" {\n  service      = "
                           "\"s3\"\n  service_type = \"Gateway\"\n}"));
    assert_non_null(
        strstr(e->frag[BL_TF], "service_name      = data.aws_vpc_endpoint_service.ansim_s3.service_name"));
    assert_non_null(strstr(p->frag[BL_TF], "data.aws_caller_identity.current.account_id == \"" ACCT "\""));
    /* the endpoints come first */
    assert_int_equal(p->nafter, 1);
    assert_string_equal(p->after[0], "guardrail.network_separation_endpoints");
    check_syntax(&s);
    json_decref(docs);
    bl_set_free(&s);
    json_decref(scope);
}

static void network_forms(void **state)
{
    (void)state;
    json_t *scope = scope_doc(NULL, NULL);
    struct bl_set s = {0};
    char err[512] = "";
    /* only CIDRs: only the keys that have values */
    struct bl_guard_opts o = {
        "[\"198.51.100.0/24\",\"203.0.113.7/32\"]", "[]", NULL, 0, ACCT, "aws", NULL, 0};
    assert_int_equal(bl_guardrails(scope, &o, &s, err, sizeof err), 0);
    json_t *docs = cli_docs(find(&s, "guardrail.network_separation_policy")->frag[BL_CLI]);
    json_t *want =
        json_loads("{\"NotIpAddressIfExists\":{\"aws:SourceIp\":[\"198.51.100.0/24\",\"203.0.113.7/32\"]},"
                   "\"BoolIfExists\":{\"aws:ViaAWSService\":\"false\"}}",
                   0, NULL);
    assert_true(
        json_equal(json_object_get(statement(json_array_get(docs, 0), "GrantIam"), "Condition"), want));
    json_decref(want);
    json_decref(docs);
    /* no VPC: the endpoints component says what it needs */
    const struct bl_component *e = find(&s, "guardrail.network_separation_endpoints");
    assert_non_null(strstr(e->frag[BL_CLI], "separated_network.vpcs"));
    assert_null(strstr(e->frag[BL_CLI], "create-vpc-endpoint"));
    check_syntax(&s);
    bl_set_free(&s);
    /* no separated network at all: an error that says where to set it */
    struct bl_guard_opts none = {"[]", NULL, "[]", 0, ACCT, "aws", NULL, 0};
    assert_int_equal(bl_guardrails(scope, &none, &s, err, sizeof err), -1);
    assert_non_null(strstr(err, "separated_network"));
    assert_non_null(strstr(err, "ansim.yaml"));
    assert_null(strchr(err, '\n'));
    assert_int_equal(s.n, 0);
    /* malformed network values and account ids are refused */
    struct bl_guard_opts bad = {"[\"10.0.0.0/8'; rm -rf /\"]", NULL, NULL, 0, ACCT, "aws", NULL, 0};
    assert_int_equal(bl_guardrails(scope, &bad, &s, err, sizeof err), -1);
    bad = (struct bl_guard_opts){NULL, "[\"vpc-$(id)\"]", NULL, 0, ACCT, "aws", NULL, 0};
    assert_int_equal(bl_guardrails(scope, &bad, &s, err, sizeof err), -1);
    bad = (struct bl_guard_opts){"[\"10.0.0.0/8\"]", NULL, NULL, 0, "1111'", "aws", NULL, 0};
    assert_int_equal(bl_guardrails(scope, &bad, &s, err, sizeof err), -1);
    assert_int_equal(s.n, 0);
    /* excluded principals (a break-glass role) are left out, and said so */
    const char *keep[] = {IAMA ":role/app"};
    struct bl_guard_opts ex = net_all;
    ex.exclude = keep;
    ex.nexclude = 1;
    assert_int_equal(bl_guardrails(scope, &ex, &s, err, sizeof err), 0);
    const char *cli = find(&s, "guardrail.network_separation_policy")->frag[BL_CLI];
    assert_null(strstr(cli, "--role-name 'app'"));
    assert_non_null(strstr(cli, "# not attached: " IAMA ":role/app: left out as asked"));
    bl_set_free(&s);
    json_decref(scope);
    /* nobody unconfined: nothing to generate, even without a network */
    json_t *ok = json_loads("{\"resources\":[{\"arn\":\"arn:aws:s3:::b\"}],\"principals\":[{\"arn\":\"" IAMA
                            ":user/x\",\"confined\":true}]}",
                            0, NULL);
    assert_int_equal(bl_guardrails(ok, &none, &s, err, sizeof err), 0);
    assert_int_equal(s.n, 0);
    json_decref(ok);
    assert_int_equal(bl_guardrails(json_true(), &net_all, &s, err, sizeof err), -1);
}

static void organization_scp(void **state)
{
    (void)state;
    json_t *scope = scope_doc(NULL, NULL);
    struct bl_set s = {0};
    char err[512] = "";
    struct bl_guard_opts o = net_all;
    o.in_org = 1;
    assert_int_equal(bl_guardrails(scope, &o, &s, err, sizeof err), 0);
    assert_int_equal(s.n, 3);
    const struct bl_component *c = find(&s, "guardrail.network_separation_scp");
    assert_non_null(c);
    json_t *docs = cli_docs(c->frag[BL_CLI]);
    assert_int_equal(json_array_size(docs), 1);
    json_t *arns = json_loads("[\"" IAMA ":user/alice\",\"" IAMA ":role/app\"]", 0, NULL);
    const json_t *st = statement(json_array_get(docs, 0), "DownloadDestroy");
    assert_int_equal(json_array_size(json_object_get(json_array_get(docs, 0), "Statement")), 2);
    assert_true(has_string(json_object_get(st, "Resource"), "arn:aws:s3:::pii-bucket/*"));
    assert_true(has_string(json_object_get(st, "Action"), "dynamodb:DeleteTable"));
    assert_string_equal(json_string_value(json_object_get(statement(docs, "Grant"), "Resource")), "*");
    assert_true(json_equal(
        json_object_get(json_object_get(json_object_get(st, "Condition"), "ArnLike"), "aws:PrincipalArn"),
        arns));
    json_decref(arns);
    assert_non_null(strstr(c->frag[BL_CLI], "aws organizations create-policy --type SERVICE_CONTROL_POLICY"));
    assert_non_null(strstr(c->frag[BL_CLI], "management account"));
    assert_non_null(strstr(c->frag[BL_CFN], "Type: AWS::Organizations::Policy"));
    assert_non_null(
        strstr(c->frag[BL_TF], "resource \"aws_organizations_policy\" \"network_separation_scp\""));
    json_t *t = tf_docs(c->frag[BL_TF]);
    assert_true(json_equal(json_array_get(t, 0), json_array_get(docs, 0)));
    json_decref(t);
    json_decref(docs);
    check_syntax(&s);
    bl_set_free(&s);
    json_decref(scope);
}

/* ARNs with quotes, $, backticks, backslashes: escaped where quoted; newlines and names IAM
 * would not accept: refused. */
static void hostile_arns(void **state)
{
    (void)state;
    char err[512] = "";
    struct bl_set s = {0};
    /* a resource ARN full of shell, YAML and HCL syntax; a user whose path holds it too */
    const char *hostile_res = ",{\"arn\":\"arn:aws:dynamodb:ap-northeast-2:" ACCT
                              ":table/x'\\\"$(touch /tmp/pwned)`id`${var.x}%{if 1}\\\\n: #&*!\"}";
    const char *hostile_user = ",{\"arn\":\"" IAMA ":user/p'\\\"$(id)`x`${a}/bob\",\"confined\":false}";
    json_t *scope = scope_doc(hostile_res, hostile_user);
    struct bl_guard_opts o = net_all;
    o.in_org = 1;
    if (bl_guardrails(scope, &o, &s, err, sizeof err))
        fail_msg("%s", err);
    const char *want =
        "arn:aws:dynamodb:ap-northeast-2:" ACCT ":table/x'\"$(touch /tmp/pwned)`id`${var.x}%{if 1}\\n: #&*!";
    const struct bl_component *p = find(&s, "guardrail.network_separation_policy");
    /* the policy still holds the ARN exactly, read back from the shell and HCL text */
    json_t *docs = cli_docs(p->frag[BL_CLI]), *t = tf_docs(p->frag[BL_TF]);
    assert_true(has_string(json_object_get(statement(docs, "DownloadDynamodb"), "Resource"), want));
    assert_true(json_equal(docs, t));
    /* HCL: no live interpolation; YAML: the quote is escaped */
    assert_null(strstr(p->frag[BL_TF], "x'\\\"${var"));
    assert_non_null(strstr(p->frag[BL_TF], "$${var.x}%%{if 1}"));
    assert_non_null(strstr(p->frag[BL_CFN], "table/x'\\\"$(touch"));
    /* bob is attached by his name; his ARN only in the SCP's JSON */
    assert_non_null(strstr(p->frag[BL_CLI], "--user-name 'bob'"));
    json_t *scp = cli_docs(find(&s, "guardrail.network_separation_scp")->frag[BL_CLI]);
    assert_true(has_string(
        json_object_get(json_object_get(json_object_get(statement(scp, "Grant"), "Condition"), "ArnLike"),
                        "aws:PrincipalArn"),
        IAMA ":user/p'\"$(id)`x`${a}/bob"));
    json_decref(scp);
    json_decref(docs);
    json_decref(t);
    /* every fragment parses, and running the shell steps' quoting touches nothing */
    check_syntax(&s);
    assert_int_equal(access("/tmp/pwned", F_OK), -1);
    bl_set_free(&s);
    json_decref(scope);
    /* a newline in an ARN, or a user name IAM would not accept: refused */
    scope = scope_doc(",{\"arn\":\"arn:aws:s3:::a\\nb\"}", NULL);
    assert_int_equal(bl_guardrails(scope, &net_all, &s, err, sizeof err), -1);
    assert_non_null(strstr(err, "printable"));
    json_decref(scope);
    scope = scope_doc(NULL, ",{\"arn\":\"" IAMA ":user/eve'$(id)\",\"confined\":false}");
    assert_int_equal(bl_guardrails(scope, &net_all, &s, err, sizeof err), -1);
    assert_non_null(strstr(err, "not a name IAM accepts"));
    json_decref(scope);
    scope = scope_doc(NULL, ",{\"arn\":\"" IAMA ":role/r\\n\",\"confined\":false}");
    assert_int_equal(bl_guardrails(scope, &net_all, &s, err, sizeof err), -1);
    json_decref(scope);
    assert_int_equal(s.n, 0);
}

/* Many personal-data tables: the document splits under 6,144 characters, every resource
 * stays covered, each part is attached. */
static void split_limit(void **state)
{
    (void)state;
    struct strbuf sb;
    sb_init(&sb);
    for (int i = 0; i < 200; i++)
        sb_printf(&sb, ",{\"arn\":\"arn:aws:dynamodb:ap-northeast-2:" ACCT ":table/customer-records-%03d\"}",
                  i);
    json_t *scope = scope_doc(sb.buf, NULL);
    sb_free(&sb);
    struct bl_set s = {0};
    char err[512] = "";
    struct bl_guard_opts o = net_all;
    o.in_org = 1;
    if (bl_guardrails(scope, &o, &s, err, sizeof err))
        fail_msg("%s", err);
    const struct bl_component *p = find(&s, "guardrail.network_separation_policy");
    json_t *docs = cli_docs(p->frag[BL_CLI]);
    size_t n = json_array_size(docs);
    assert_true(n > 1);
    json_t *seen = json_object();
    size_t i;
    json_t *d;
    json_array_foreach(docs, i, d)
    {
        char *c = json_dumps(d, JSON_COMPACT);
        assert_true(strlen(c) <= 6144);
        free(c);
        size_t k;
        json_t *st;
        json_array_foreach(json_object_get(d, "Statement"), k, st)
        {
            const char *sid = json_string_value(json_object_get(st, "Sid"));
            if (strncmp(sid, "DownloadDynamodb", 16) != 0)
                continue;
            size_t r;
            json_t *x;
            json_array_foreach(json_object_get(st, "Resource"), r, x)
                json_object_set_new(seen, json_string_value(x), json_true());
        }
    }
    assert_int_equal(json_object_size(seen), 201); /* customers + 200 */
    json_decref(seen);
    /* names: the first keeps the plain name; each part is created and attached */
    assert_non_null(strstr(p->frag[BL_CLI], "policy/ansim-network-separation\"\n"));
    assert_non_null(strstr(p->frag[BL_CLI], "policy/ansim-network-separation-2\"\n"));
    assert_int_equal(count(p->frag[BL_CLI], "aws iam create-policy "), n);
    assert_int_equal(count(p->frag[BL_CLI], "--user-name 'alice'"), n);
    assert_int_equal(count(p->frag[BL_CFN], "Type: AWS::IAM::ManagedPolicy"), n);
    assert_int_equal(count(p->frag[BL_TF], "resource \"aws_iam_policy\""), n);
    json_decref(docs);
    /* the SCP splits under its own 5,120 */
    docs = cli_docs(find(&s, "guardrail.network_separation_scp")->frag[BL_CLI]);
    json_array_foreach(docs, i, d)
    {
        char *c = json_dumps(d, JSON_COMPACT);
        assert_true(strlen(c) <= 5120);
        free(c);
    }
    json_decref(docs);
    check_syntax(&s);
    bl_set_free(&s);
    json_decref(scope);
}

/* ---- the round trip through the IAM engine ---- */

static void add(struct iam_account *a, const char *type, const char *arn, const char *json)
{
    json_error_t je;
    json_t *d = json_loads(json, 0, &je);
    if (!d)
        fail_msg("bad test resource: %s: %s", je.text, json);
    assert_int_equal(iam_account_add(a, type, arn, d), 0);
    json_decref(d);
}

/* An account where alice (a user) and etl (a role ben may assume) can read, delete and
 * re-permission a tagged bucket; with guard (a policy document) attached to both when given. */
static struct iam_account *account(const json_t *guard)
{
    struct iam_account *a = iam_account_new(ACCT);
    const char *attach = "";
    if (guard) {
        char *doc = json_dumps(guard, JSON_COMPACT);
        char *v = xasprintf("{\"Arn\":\"" IAMA ":policy/ansim-network-separation\",\"PolicyVersionList\":"
                            "[{\"IsDefaultVersion\":true,\"Document\":%s}]}",
                            doc);
        add(a, "aws_iam_policy", IAMA ":policy/ansim-network-separation", v);
        free(v);
        free(doc);
        attach = "{\"PolicyArn\":\"" IAMA ":policy/ansim-network-separation\"}";
    }
    char *u =
        xasprintf("{\"UserName\":\"alice\",\"Arn\":\"" IAMA ":user/alice\",\"GroupList\":[],"
                  "\"AttachedManagedPolicies\":[%s],\"UserPolicyList\":[{\"PolicyName\":\"p\","
                  "\"PolicyDocument\":{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"s3:*\",\"iam:*\"],"
                  "\"Resource\":\"*\"}]}}]}",
                  attach);
    add(a, "aws_iam_user", IAMA ":user/alice", u);
    free(u);
    add(a, "aws_iam_user", IAMA ":user/ben",
        "{\"UserName\":\"ben\",\"Arn\":\"" IAMA ":user/ben\",\"GroupList\":[],\"AttachedManagedPolicies\":[],"
        "\"UserPolicyList\":[{\"PolicyName\":\"assume\",\"PolicyDocument\":{\"Statement\":{\"Effect\":"
        "\"Allow\","
        "\"Action\":\"sts:AssumeRole\",\"Resource\":\"*\"}}}]}");
    char *r = xasprintf(
        "{\"RoleName\":\"etl\",\"Arn\":\"" IAMA
        ":role/etl\",\"AttachedManagedPolicies\":[%s],\"RolePolicyList\":"
        "[{\"PolicyName\":\"p\",\"PolicyDocument\":{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"s3:"
        "GetObject\","
        "\"s3:DeleteObject\",\"s3:PutBucketPolicy\"],\"Resource\":\"*\"}]}}],\"AssumeRolePolicyDocument\":"
        "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" ACCT
        "\"},\"Action\":\"sts:AssumeRole\"}]}}",
        attach);
    add(a, "aws_iam_role", IAMA ":role/etl", r);
    free(r);
    add(a, "aws_s3_bucket", "arn:aws:s3:::pii-bucket",
        "{\"Name\":\"pii-bucket\",\"Tags\":[{\"Key\":\"ansim:pii\",\"Value\":\"true\"}],\"Policy\":null}");
    assert_int_equal(iam_account_finish(a), 0);
    return a;
}

static void round_trip(void **state)
{
    (void)state;
    char err[512] = "";
    struct iam_account *a = account(NULL);
    json_t *before = iam_account_scope(a, "ansim:pii", "true", NULL, 0, err, sizeof err);
    assert_non_null(before);
    iam_account_free(a);
    json_t *sum = json_object_get(before, "summary");
    assert_true(json_integer_value(json_object_get(sum, "unconfined")) >= 2);
    struct bl_set s = {0};
    if (bl_guardrails(before, &net_all, &s, err, sizeof err))
        fail_msg("%s", err);
    const struct bl_component *p = find(&s, "guardrail.network_separation_policy");
    assert_non_null(strstr(p->frag[BL_CLI], "--user-name 'alice'"));
    assert_non_null(strstr(p->frag[BL_CLI], "--role-name 'etl'"));
    json_t *docs = cli_docs(p->frag[BL_CLI]);
    assert_int_equal(json_array_size(docs), 1);
    /* applied: nobody is left unconfined (ben reaches the data only through etl) */
    a = account(json_array_get(docs, 0));
    json_t *after = iam_account_scope(a, "ansim:pii", "true", NULL, 0, err, sizeof err);
    assert_non_null(after);
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(after, "principals"), i,
                       e) if (!json_is_true(json_object_get(e, "confined")))
    {
        char *d = json_dumps(e, JSON_INDENT(1));
        fail_msg("still unconfined after the guardrail: %s", d);
    }
    assert_int_equal(json_integer_value(json_object_get(json_object_get(after, "summary"), "unconfined")), 0);
    assert_true(json_integer_value(json_object_get(json_object_get(after, "summary"), "in_scope")) >= 2);
    json_decref(after);
    iam_account_free(a);
    json_decref(docs);
    bl_set_free(&s);
    json_decref(before);
}

int run_baseline_guard_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(deny_document), cmocka_unit_test(network_forms), cmocka_unit_test(organization_scp),
        cmocka_unit_test(hostile_arns),  cmocka_unit_test(split_limit),   cmocka_unit_test(round_trip),
    };
    return cmocka_run_group_tests_name("baseline guardrails from the network-separation scope", tests, NULL,
                                       NULL);
}
