/*
 * iam.h — the IAM policy engine: policy documents parsed and compiled once, and requests
 * evaluated with AWS's logic (explicit deny; RCP and SCP levels; resource policy by
 * principal kind; identity policies; permissions boundary; session policy; same-account
 * union vs cross-account intersection; KMS key and role trust policies; root and anonymous
 * callers). Every decision says why. Usable as a library: nothing here prints or exits.
 * See ../shared/research/iam.md for the rules and their sources.
 */
#ifndef ANSIM_IAM_H
#define ANSIM_IAM_H

#include <jansson.h>
#include <stddef.h>

struct iam_policy; /* a compiled policy document */

/* Compile a policy document (a JSON object). name labels it in explanations ("identity
 * policy 0", an ARN, ...). Returns NULL with err for a document that is not a policy (no
 * Statement, an Effect that is not Allow/Deny, ...). */
struct iam_policy *iam_policy_compile(const json_t *doc, const char *name, char *err, size_t errlen);
void iam_policy_free(struct iam_policy *p);

/* A request and the policies that apply to it. Policy arrays are borrowed. */
struct iam_request {
    const char *principal;        /* ARN, a service principal ("s3.amazonaws.com"), or NULL: anonymous */
    const char *action;           /* "s3:GetObject" */
    const char *resource;         /* ARN, or "*" for wildcard-only actions */
    const char *resource_account; /* NULL: from the resource ARN, else the principal's account */
    const json_t *context;        /* object: key -> string or list of strings (NULL: none) */
    struct iam_policy **identity;
    size_t nidentity;
    struct iam_policy *resource_policy; /* NULL: none */
    struct iam_policy **boundary;       /* permissions boundaries (all must allow) */
    size_t nboundary;
    struct iam_policy *session_policy; /* NULL: none */
    struct iam_policy **endpoint;      /* VPC endpoint policies the call passes through */
    size_t nendpoint;
    struct iam_policy ***scps; /* levels, root first; each level a list of policies */
    size_t *nscps, nscp_levels;
    struct iam_policy ***rcps; /* the same for RCPs; RCPFullAWSAccess is implied at every level */
    size_t *nrcps, nrcp_levels;
};

/* IAM_CONDITIONAL only from iam_evaluate_open: allowed when the unknown keys take the
 * values in iam_result.conditions, denied otherwise. */
enum iam_decision { IAM_ALLOW, IAM_EXPLICIT_DENY, IAM_IMPLICIT_DENY, IAM_CONDITIONAL };

struct iam_result {
    enum iam_decision decision;
    char reason[512];
    json_t *
        matched; /* array of strings: the statements that decided ("identity policy 0 statement 1 (Sid X)") */
    json_t *conditions; /* IAM_CONDITIONAL: array of strings, all of which must hold */
};

/* Evaluate req. Returns 0 with out filled (free out->matched with json_decref), or -1 with
 * err for a request that cannot be evaluated (no action, malformed context). */
int iam_evaluate(const struct iam_request *req, struct iam_result *out, char *err, size_t errlen);

/* The same with an incomplete context: the keys in req->context and those listed in known
 * (lower-cased; "aws:principaltag/" covers every key under it) are known — absent means
 * absent — and every other key may take any value. A request that is allowed for some
 * values only is IAM_CONDITIONAL with out->conditions saying which (e.g. "aws:SourceIp in
 * 10.20.0.0/16"; a conditional Deny contributes the condition that leaves it out).
 * Free out->matched and out->conditions with json_decref. */
int iam_evaluate_open(const struct iam_request *req, const char *const *known, size_t nknown,
                      struct iam_result *out, char *err, size_t errlen);

/* "allow", "explicit_deny", "implicit_deny", "conditional" */
const char *iam_decision_name(enum iam_decision d);

/* ---- one account's IAM (account.c, query.c) ---- */

struct iam_account;

/* An empty account model; add snapshot resources (type, ARN, data as in docs/resources.md:
 * aws_iam_user/group/role/policy, aws_iam_aws_managed_policy, aws_organizations_policy_path,
 * aws_s3_bucket and aws_kms_key policies, any resource's tags) in any order, then finish. */
struct iam_account *iam_account_new(const char *account_id);
int iam_account_add(struct iam_account *a, const char *type, const char *arn, const json_t *data);
int iam_account_finish(struct iam_account *a);
void iam_account_free(struct iam_account *a);
/* What could not be used (policies not in the snapshot, documents that are not policies). */
const json_t *iam_account_problems(const struct iam_account *a);
const char *iam_account_id(const struct iam_account *a);
size_t iam_account_principal_count(const struct iam_account *a);
const char *iam_account_principal_arn(const struct iam_account *a, size_t i);

/* Can principal (a user or role ARN of the account, or a session of one of its roles) make
 * the request? context: what the caller states (key -> string or list); other keys the
 * snapshot does not know may take any value, so the answer can be IAM_CONDITIONAL. */
int iam_account_can(const struct iam_account *a, const char *principal, const char *action, const char *resource,
                    const json_t *context, struct iam_result *out, char *err, size_t errlen);

/* Who can: {"action", "resource", "principals": [{"arn", "decision": "allow" | "conditional"
 * | "deny", "conditions", "via", "reason"}]} — every user and role directly, then through
 * trust policies whoever can become a role that can (via: the roles, nearest first),
 * including other accounts, services and identity providers. all: deny entries too.
 * NULL with err on a request that cannot be evaluated. */
json_t *iam_account_who_can(const struct iam_account *a, const char *action, const char *resource, int all,
                            const json_t *context, char *err, size_t errlen);

/* ---- building blocks, exposed for tests ---- */

/* Wildcard match: '*' any run, '?' one character; fold: ASCII case-insensitive. Linear in
 * practice (greedy with one backtrack point), never exponential. */
int iam_glob(const char *pattern, const char *text, int fold);

/* A Resource element pattern against a resource ARN: the first five fields one by one, the
 * resource part as a whole; "*" matches everything. */
int iam_resource_match(const char *pattern, const char *arn);

/* ArnLike / ArnEquals: all six fields matched one by one ('*' never crosses a ':' before
 * the resource part); 0 when either side is not an ARN. */
int iam_arn_like(const char *pattern, const char *arn);

#endif
