/*
 * escalation.c — effective administrators and privilege escalation, answered by the engine
 * rather than by reading statements: a principal (or a policy alone) is an administrator
 * when it is allowed a set of probe actions across services, IAM included, on resources it
 * was never specifically granted; a principal can escalate when it can give itself more
 * permissions by one of the known paths (new policy versions, attaching or writing
 * policies on itself or its groups, joining a group, credentials for other users, changing
 * a trust policy, or passing a role to compute it controls).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "account_internal.h"

/* (action, resource pattern): %1$s partition, %2$s account */
static const char *const admin_probes[][2] = {
    {"iam:CreateUser", "arn:%s:iam::%s:user/ansim-probe"},
    {"iam:AttachRolePolicy", "arn:%s:iam::%s:role/ansim-probe"},
    {"iam:PutUserPolicy", "arn:%s:iam::%s:user/ansim-probe"},
    {"s3:GetObject", "arn:%s:s3:::ansim-probe-bucket/%s/object"},
    {"s3:DeleteBucket", "arn:%s:s3:::ansim-probe-bucket-%s"},
    {"ec2:TerminateInstances", "arn:%s:ec2:ap-northeast-2:%s:instance/i-0123456789abcdef0"},
    {"kms:CreateKey", "*"}, /* not a key: a key policy decides those, not IAM alone */
    {"rds:DeleteDBInstance", "arn:%s:rds:ap-northeast-2:%s:db:ansim-probe"},
    {"dynamodb:Scan", "arn:%s:dynamodb:ap-northeast-2:%s:table/ansim-probe"},
    {"cloudtrail:StopLogging", "arn:%s:cloudtrail:ap-northeast-2:%s:trail/ansim-probe"},
    {"lambda:CreateFunction", "arn:%s:lambda:ap-northeast-2:%s:function:ansim-probe"},
    {"secretsmanager:GetSecretValue", "arn:%s:secretsmanager:ap-northeast-2:%s:secret:ansim-probe-AbCdEf"},
    {"guardduty:DeleteDetector", "arn:%s:guardduty:ap-northeast-2:%s:detector/ansim-probe"},
    {"organizations:LeaveOrganization", "*"},
};

static char *probe_arn(const char *pattern, const char *partition, const char *account)
{
    if (strcmp(pattern, "*") == 0)
        return xstrdup("*");
    char *s = xasprintf(pattern, partition, account);
    return s;
}

/* 1 admin, 0 not, -1 error; the request maker decides how one probe is asked */
typedef int (*asker)(const void *arg, const char *action, const char *resource, struct iam_result *out,
                     char *err, size_t errlen);

static int probe_all(asker ask, const void *arg, const char *partition, const char *account, char *err,
                     size_t errlen)
{
    for (size_t i = 0; i < sizeof admin_probes / sizeof *admin_probes; i++) {
        char *r = probe_arn(admin_probes[i][1], partition, account);
        struct iam_result res;
        int rc = ask(arg, admin_probes[i][0], r, &res, err, errlen);
        free(r);
        if (rc)
            return -1;
        int ok = res.decision == IAM_ALLOW || res.decision == IAM_CONDITIONAL;
        json_decref(res.matched);
        json_decref(res.conditions);
        if (!ok)
            return 0;
    }
    return 1;
}

struct pctx {
    const struct iam_account *a;
    const struct acct_principal *p;
};

static int ask_principal(const void *arg, const char *action, const char *resource, struct iam_result *out,
                         char *err, size_t errlen)
{
    const struct pctx *c = arg;
    return acct_ask(c->a, c->p, c->p->caller, action, resource, NULL, out, err, errlen);
}

int iam_account_is_admin(const struct iam_account *a, const char *principal, char *err, size_t errlen)
{
    const struct acct_principal *p = acct_principal_find(a, principal);
    if (!p) {
        snprintf(err, errlen, "%s is not a user or role of account %s in this snapshot", principal, a->id);
        return -1;
    }
    struct pctx c = {a, p};
    return probe_all(ask_principal, &c, a->partition, a->id, err, errlen);
}

static int ask_policy(const void *arg, const char *action, const char *resource, struct iam_result *out,
                      char *err, size_t errlen)
{
    struct iam_policy *p = (struct iam_policy *)arg;
    struct iam_request req;
    memset(&req, 0, sizeof req);
    req.principal = "arn:aws:iam::123456789012:user/ansim-probe";
    req.action = action;
    req.resource = resource;
    req.resource_account = "123456789012";
    req.identity = &p;
    req.nidentity = 1;
    return iam_evaluate_open(&req, NULL, 0, out, err, errlen);
}

int iam_policy_is_admin(const struct iam_policy *p, char *err, size_t errlen)
{
    return probe_all(ask_policy, p, "aws", "123456789012", err, errlen);
}

/* ---- escalation paths ---- */

struct step {
    const char *action;
    const char *target; /* "self", "group", "other-user", "any-role", "attached-policy", "*" */
};

static const struct {
    const char *name;
    int for_user, for_role; /* which principals the path applies to */
    struct step steps[3];
} paths[] = {
    {"create a new default version of a policy attached to itself",
     1,
     1,
     {{"iam:CreatePolicyVersion", "attached-policy"}}},
    {"switch a policy attached to itself to another version",
     1,
     1,
     {{"iam:SetDefaultPolicyVersion", "attached-policy"}}},
    {"attach any managed policy to itself", 1, 0, {{"iam:AttachUserPolicy", "self"}}},
    {"write an inline policy on itself", 1, 0, {{"iam:PutUserPolicy", "self"}}},
    {"attach any managed policy to itself", 0, 1, {{"iam:AttachRolePolicy", "self"}}},
    {"write an inline policy on itself", 0, 1, {{"iam:PutRolePolicy", "self"}}},
    {"attach a managed policy to its group", 1, 0, {{"iam:AttachGroupPolicy", "group"}}},
    {"write an inline policy on its group", 1, 0, {{"iam:PutGroupPolicy", "group"}}},
    {"add itself to any group", 1, 0, {{"iam:AddUserToGroup", "any-group"}}},
    {"create access keys for other users", 1, 1, {{"iam:CreateAccessKey", "other-user"}}},
    {"create a console password for other users", 1, 1, {{"iam:CreateLoginProfile", "other-user"}}},
    {"change other users' console passwords", 1, 1, {{"iam:UpdateLoginProfile", "other-user"}}},
    {"rewrite any role's trust policy and assume it", 1, 1, {{"iam:UpdateAssumeRolePolicy", "any-role"}}},
    {"attach any policy to any role", 1, 1, {{"iam:AttachRolePolicy", "any-role"}}},
    {"pass a role to an EC2 instance it launches",
     1,
     1,
     {{"iam:PassRole", "any-role"}, {"ec2:RunInstances", "*"}}},
    {"pass a role to a Lambda function it creates and runs",
     1,
     1,
     {{"iam:PassRole", "any-role"}, {"lambda:CreateFunction", "*"}, {"lambda:InvokeFunction", "*"}}},
    {"pass a role to a CloudFormation stack it creates",
     1,
     1,
     {{"iam:PassRole", "any-role"}, {"cloudformation:CreateStack", "*"}}},
    {"pass a role to a Glue development endpoint",
     1,
     1,
     {{"iam:PassRole", "any-role"}, {"glue:CreateDevEndpoint", "*"}}},
    {"pass a role to a Glue job it creates and starts",
     1,
     1,
     {{"iam:PassRole", "any-role"}, {"glue:CreateJob", "*"}, {"glue:StartJobRun", "*"}}},
    {"pass a role to a SageMaker notebook it creates",
     1,
     1,
     {{"iam:PassRole", "any-role"}, {"sagemaker:CreateNotebookInstance", "*"}}},
    {"pass a role to a CodeBuild project it creates and starts",
     1,
     1,
     {{"iam:PassRole", "any-role"}, {"codebuild:CreateProject", "*"}, {"codebuild:StartBuild", "*"}}},
    {"pass a role to an ECS task it registers and runs",
     1,
     1,
     {{"iam:PassRole", "any-role"}, {"ecs:RegisterTaskDefinition", "*"}, {"ecs:RunTask", "*"}}},
};

/* The resources a step's target stands for, for principal p. */
static json_t *targets(const struct iam_account *a, const struct acct_principal *p, const char *target)
{
    json_t *out = json_array();
    if (strcmp(target, "self") == 0) {
        json_array_append_new(out, json_string(p->arn));
    } else if (strcmp(target, "group") == 0) {
        json_array_extend(out, p->groups);
    } else if (strcmp(target, "any-group") == 0) {
        json_array_extend(out, a->group_arns);
        json_array_append_new(out, json_sprintf("arn:%s:iam::%s:group/ansim-any-group", a->partition, a->id));
    } else if (strcmp(target, "other-user") == 0) {
        json_array_append_new(out, json_sprintf("arn:%s:iam::%s:user/ansim-other-user", a->partition, a->id));
    } else if (strcmp(target, "any-role") == 0) {
        json_array_append_new(out, json_sprintf("arn:%s:iam::%s:role/ansim-any-role", a->partition, a->id));
    } else if (strcmp(target, "attached-policy") == 0) {
        const char *arn;
        json_t *idx;
        json_object_foreach(a->policy_index, arn, idx)
        {
            if (strstr(arn, ":iam::aws:policy/"))
                continue; /* AWS-managed: nobody in the account can change them */
            for (size_t i = 0; i < p->npolicies; i++)
                if (p->policies[i] == a->owned[json_integer_value(idx)])
                    json_array_append_new(out, json_string(arn));
        }
    } else {
        json_array_append_new(out, json_string("*"));
    }
    return out;
}

json_t *iam_account_escalation(const struct iam_account *a, const char *principal, char *err, size_t errlen)
{
    const struct acct_principal *p = acct_principal_find(a, principal);
    if (!p) {
        snprintf(err, errlen, "%s is not a user or role of account %s in this snapshot", principal, a->id);
        return NULL;
    }
    json_t *out = json_array();
    for (size_t k = 0; k < sizeof paths / sizeof *paths; k++) {
        if (!(p->kind == ACCT_USER ? paths[k].for_user : paths[k].for_role))
            continue;
        int rank = 2;
        json_t *conds = json_array(), *actions = json_array();
        for (int s = 0; s < 3 && paths[k].steps[s].action && rank; s++) {
            json_t *ts = targets(a, p, paths[k].steps[s].target);
            int best = 0;
            json_t *best_conds = NULL;
            size_t i;
            json_t *t;
            json_array_foreach(ts, i, t)
            {
                struct iam_result res;
                if (acct_ask(a, p, p->caller, paths[k].steps[s].action, json_string_value(t), NULL, &res, err,
                             errlen)) {
                    json_decref(ts);
                    json_decref(conds);
                    json_decref(actions);
                    json_decref(out);
                    return NULL;
                }
                int r = res.decision == IAM_ALLOW ? 2 : res.decision == IAM_CONDITIONAL ? 1 : 0;
                if (r > best) {
                    best = r;
                    json_decref(best_conds);
                    best_conds = res.conditions ? json_incref(res.conditions) : json_array();
                    json_array_append_new(
                        actions, json_sprintf("%s on %s", paths[k].steps[s].action, json_string_value(t)));
                }
                json_decref(res.matched);
                json_decref(res.conditions);
                if (best == 2)
                    break;
            }
            json_decref(ts);
            if (best < rank)
                rank = best;
            if (best_conds)
                json_array_extend(conds, best_conds);
            json_decref(best_conds);
        }
        if (rank)
            json_array_append_new(out, json_pack("{s:s, s:s, s:o, s:o}", "path", paths[k].name, "decision",
                                                 rank == 2 ? "allow" : "conditional", "actions", actions,
                                                 "conditions", conds));
        else {
            json_decref(actions);
            json_decref(conds);
        }
    }
    return out;
}
