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
};

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

/* The request context: lower-cased keys, each with its values. */
struct ctx_entry {
    char *key;
    char **values;
    size_t nvalues;
};

struct ctx {
    struct ctx_entry *v;
    size_t n;
};

/* The text of a JSON string, number or boolean, as AWS reads policy and context values
 * (numbers are formatted into buf); NULL for anything else. */
const char *iam_json_text(const json_t *v, char buf[64]);

const struct ctx_entry *ctx_get(const struct ctx *c, const char *lkey);

/* Replace ${...} policy variables in s from the context; NULL when one cannot be resolved
 * (a variable with no value: the text matches nothing). Caller frees. Substituted values are escaped so they
 * never act as wildcards: the result is meant for iam_glob with literal text... see cond.c. */
char *iam_substitute(const char *s, const struct ctx *c, int wildcard_escape);

/* 1 when every condition of st holds for the context. A policy variable with no value is a
 * null value, equal to or like nothing: positive operators do not match it, negated ones do. */
int iam_conditions_hold(const struct stmt *st, const struct iam_policy *p, const struct ctx *c);

#endif
