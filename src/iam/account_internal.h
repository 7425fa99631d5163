/*
 * account_internal.h — the account model inside the IAM engine (private to src/iam/):
 * principals with their compiled policies, resources with their policies and tags, and the
 * organization's policy levels, shared by account.c (building) and query.c (questions).
 */
#ifndef ANSIM_IAM_ACCOUNT_INTERNAL_H
#define ANSIM_IAM_ACCOUNT_INTERNAL_H

#include "internal.h"

enum { ACCT_USER, ACCT_ROLE };

struct acct_principal {
    char *arn;    /* the user or role ARN */
    char *name;   /* user or role name */
    char *caller; /* the ARN requests are made as: the user, or a session of the role */
    char *unique_id;
    int kind;
    struct iam_policy **policies; /* identity: inline, managed, and (users) the groups' */
    size_t npolicies;
    struct iam_policy *boundary; /* NULL: none */
    struct iam_policy *trust;    /* roles */
    json_t *tags;                /* object: key -> value */
    json_t *groups;              /* users: the ARNs of their groups */
    json_t *context;             /* its own request context keys (tags, type, user id, organization) */
};

struct acct_resource {
    char *arn, *type;
    struct iam_policy *policy; /* bucket or key policy, NULL: none */
    int policy_known;          /* the snapshot says whether it has one */
    json_t *tags;
};

struct iam_account {
    char *id;
    char partition[16];
    json_t *pending; /* resources added, until iam_account_finish */
    struct acct_principal *principals;
    size_t nprincipals;
    struct acct_resource *resources;
    size_t nresources;
    struct iam_policy **owned; /* every compiled policy */
    size_t nowned;
    json_t *policy_index, *principal_index, *resource_index; /* ARN -> index */
    int in_org, management;
    char *org_id;
    struct iam_policy ***scps, ***rcps;
    size_t *nscps, *nrcps, nscp_levels, nrcp_levels;
    json_t *problems;   /* strings */
    json_t *group_arns; /* every group of the account */
    /* query.c's caches, filled by who-can (an account is used by one thread at a time) */
    struct assume_index *aidx; /* who could assume which role */
    signed char **assume_rank; /* [role][principal]: -1 not asked, else 0 deny, 1 conditional, 2 allow */
    json_t **assume_conds;     /* [role]: principal index -> conditions of a conditional answer */
};

/* One request in the account: p an in-account principal (its policies, boundary, tags and
 * SCPs), or NULL for an outside caller named by caller (its own side assumed to allow);
 * given: context the user states. Open evaluation (iam_evaluate_open). */
int acct_ask(const struct iam_account *a, const struct acct_principal *p, const char *caller,
             const char *action, const char *resource, const json_t *given, struct iam_result *out, char *err,
             size_t errlen);

/* Free query.c's caches. */
void acct_query_free(struct iam_account *a);

const struct acct_principal *acct_principal_find(const struct iam_account *a, const char *arn);
const struct acct_resource *acct_resource_find(const struct iam_account *a, const char *arn);

#endif
