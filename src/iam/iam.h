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

enum iam_decision { IAM_ALLOW, IAM_EXPLICIT_DENY, IAM_IMPLICIT_DENY };

struct iam_result {
    enum iam_decision decision;
    char reason[512];
    json_t *
        matched; /* array of strings: the statements that decided ("identity policy 0 statement 1 (Sid X)") */
};

/* Evaluate req. Returns 0 with out filled (free out->matched with json_decref), or -1 with
 * err for a request that cannot be evaluated (no action, malformed context). */
int iam_evaluate(const struct iam_request *req, struct iam_result *out, char *err, size_t errlen);

const char *iam_decision_name(enum iam_decision d); /* "allow", "explicit_deny", "implicit_deny" */

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

/* ---- requests in the JSON form of `ansim iam eval` (request.c, docs/iam.md) ---- */

struct iam_loaded; /* a request with its policies compiled */

/* Read one request object ({"principal", "action", "resource", "resource_account",
 * "context", "identity_policies", "resource_policy", "permission_boundary",
 * "session_policy", "endpoint_policies", "scps", "rcps"}) and compile its policies once.
 * Strings are borrowed from q, which must outlive the result. NULL with err when q is not
 * an object or a policy does not compile. Free with iam_loaded_free. */
struct iam_loaded *iam_request_load(const json_t *q, char *err, size_t errlen);

/* The request, ready for iam_evaluate; owned by l. */
const struct iam_request *iam_loaded_request(const struct iam_loaded *l);

void iam_loaded_free(struct iam_loaded *l);

#endif
