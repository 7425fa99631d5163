/*
 * guard_int.h — what guardrails.c (the deny policies and the SCP) shares with
 * guard_endpoints.c (the VPC endpoints): the state built from one scope and the helpers that
 * write a component.
 */
#ifndef ANSIM_BASELINE_GUARD_INT_H
#define ANSIM_BASELINE_GUARD_INT_H

#include <jansson.h>

#include "../util/util.h"
#include "baseline.h"

#define ID_ENDPOINTS "guardrail.network_separation_endpoints"
#define ID_POLICY "guardrail.network_separation_policy"
#define ID_SCP "guardrail.network_separation_scp"
#define CONTROL "iam.network_separation_scope"

/* An unconfined user or role of the account that a policy can be attached to. */
struct gprincipal {
    const char *arn; /* borrowed from the scope */
    char *name;      /* the user or role name: the ARN's last path segment */
    int role;
};

struct guard {
    const struct bl_guard_opts *o;
    const char *partition;
    json_t *cidrs, *vpcs, *vpces; /* validated arrays of strings */
    json_t *resources;            /* personal-data ARNs (S3 buckets also as bucket/x) */
    json_t *actions[3];           /* per class: service -> {action: true} */
    struct gprincipal *p;
    size_t np;
    json_t *skipped;   /* "ARN: why" for unconfined principals left without an attachment */
    json_t *condition; /* the Deny's Condition: outside the separated network */
    json_t *services;  /* every service the Deny names -> true */
    char *err;
    size_t errlen;
};

/* The keys of obj, sorted (a new array). */
json_t *guard_sorted_keys(const json_t *obj);
/* A Terraform label from prefix and s, unique among used (which records it); caller frees. */
char *guard_tf_label(json_t *used, const char *prefix, const char *s);
/* lines (strings) as comment lines, each prefixed by indent and "# ". */
void guard_comments(struct strbuf *sb, const json_t *lines, const char *indent);
/* Append a guardrail component (order 80, network-separation, CONTROL) to out; the texts
 * and fragments are taken over (a NULL cfn with the note). */
void guard_component(struct bl_set *out, const char *id, const char *after, const char *title_en,
                     const char *title_ko, char *what_en, char *what_ko, char *cfn, char *tf, char *cli,
                     const char *cfn_note_en, const char *cfn_note_ko);
/* The endpoints component (guard_endpoints.c). */
void guard_add_endpoints(struct guard *g, struct bl_set *out);

#endif
