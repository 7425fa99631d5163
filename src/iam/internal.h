/*
 * internal.h — the compiled form of policies inside the IAM engine (private to src/iam/):
 * statements with lower-cased action patterns, resource patterns, principals and
 * conditions, and the request context the conditions read.
 */
#ifndef ANSIM_IAM_INTERNAL_H
#define ANSIM_IAM_INTERNAL_H

#include <stddef.h>

#include "iam.h"

enum cond_op {
    OP_STRING_EQUALS,
    OP_STRING_NOT_EQUALS,
    OP_STRING_EQUALS_IC,
    OP_STRING_NOT_EQUALS_IC,
    OP_STRING_LIKE,
    OP_STRING_NOT_LIKE,
    OP_NUM_EQ,
    OP_NUM_NE,
    OP_NUM_LT,
    OP_NUM_LE,
    OP_NUM_GT,
    OP_NUM_GE,
    OP_DATE_EQ,
    OP_DATE_NE,
    OP_DATE_LT,
    OP_DATE_LE,
    OP_DATE_GT,
    OP_DATE_GE,
    OP_BOOL,
    OP_BINARY_EQUALS,
    OP_IP,
    OP_NOT_IP,
    OP_ARN_LIKE, /* ArnEquals and ArnLike */
    OP_ARN_NOT_LIKE,
    OP_NULL
};

enum cond_set { SET_NONE, SET_ANY, SET_ALL };

struct cond {
    enum cond_op op;
    int if_exists;
    enum cond_set set;
    char *key; /* lower-cased */
    char **values;
    size_t nvalues;
    char *text, *negtext; /* "aws:SourceIp in 10.0.0.0/8", and what holds when it does not */
};

enum pattern_kind { PAT_GLOB, PAT_ANY, PAT_EXACT, PAT_PREFIX };

enum principal_type { PR_AWS, PR_SERVICE, PR_FEDERATED, PR_CANONICAL, PR_ANY };

struct principal {
    enum principal_type type;
    char *value;
};

struct stmt {
    int allow;
    int not_action, not_resource, not_principal;
    int has_resource, has_principal;
    char **actions; /* lower-cased patterns */
    size_t nactions;
    unsigned char *action_kind, *resource_kind; /* enum pattern_kind per pattern */
    size_t *action_len;                         /* PAT_EXACT: the length; PAT_PREFIX: the prefix's */
    size_t *resource_prefix;                    /* the literal text a resource pattern starts with */
    char **resources;
    size_t nresources;
    struct principal *principals;
    size_t nprincipals;
    struct cond *conds;
    size_t nconds;
    char *label; /* "statement 2 (Sid X)" */
};

struct iam_policy {
    char *name;
    int variables; /* Version 2012-10-17: ${...} are policy variables */
    struct stmt *stmts;
    size_t nstmts;
};

/* The request context: lower-cased keys, each with its values. Entries are appended, then
 * sorted once by ctx_seal so that a lookup is a binary search (a context of 100,000 keys
 * must not cost 100,000² comparisons). */
struct ctx_entry {
    const char *key;     /* lower-cased, in the context's arena (or a literal) */
    const char **values; /* borrowed from the request JSON, the arena, or the caller */
    size_t nvalues;
    size_t order; /* when it was added: of two entries with one key, the first counts */
};

/* One evaluation's context costs a few allocations, not one per key and value: keys and
 * number texts are written into one arena, value pointers into one pool. */
struct ctx {
    struct ctx_entry *v;
    size_t n, cap;
    int sealed; /* sorted by key, no duplicates */
    const char **pool;
    size_t npool, pool_cap;
    char *arena;
    /* open: a key that is absent is unknown (any value or none) unless it is listed in
     * known (lower-cased; an entry ending in '/' covers every key under it) */
    int open;
    const char *const *known;
    size_t nknown;
};

/* 1 when key (lower-cased) is absent and may still take any value (an open context) */
int ctx_unknown(const struct ctx *c, const char *lkey);

/* Sort the entries by key and drop later duplicates (the request's own keys win over the
 * ones the engine adds). Call after the last entry is added, before any lookup. */
void ctx_seal(struct ctx *c);

/* The text of a JSON string, number or boolean, as AWS reads policy and context values
 * (numbers are formatted into buf); NULL for anything else. */
const char *iam_json_text(const json_t *v, char buf[64]);

/* Append to list the items of more (an array, or NULL) it does not hold yet. */
void iam_json_extend_unique(json_t *list, const json_t *more);

/* The entry for a lower-cased key, or NULL: a binary search once sealed. */
const struct ctx_entry *ctx_get(const struct ctx *c, const char *lkey);

/* Replace ${...} policy variables in s from the context; NULL when one cannot be resolved
 * (a variable with no value: the text matches nothing). Caller frees. Substituted values are escaped so they
 * never act as wildcards: the result is meant for iam_glob with literal text... see cond.c. */
char *iam_substitute(const char *s, const struct ctx *c, int wildcard_escape);

/* One condition: 1 holds, 0 does not, 2 unknown (an open context lacks a key it reads). A
 * policy variable with no value is a null value, equal to or like nothing: positive
 * operators do not match it, negated ones do. */
int iam_cond_state(const struct cond *c, const struct iam_policy *p, const struct ctx *ctx);

/* 1 when every condition of st holds for the context, 0 when one does not, 2 when none is
 * false but one is unknown. */
int iam_conditions_hold(const struct stmt *st, const struct iam_policy *p, const struct ctx *c);

/* data/iam-actions.tsv, NUL-terminated; generated into the build directory by tools/embed.c
 * (iam_actions_data.c) and read by actions.c. */
extern const char *const iam_actions_tsv;
extern const size_t iam_actions_tsv_len;

#endif
