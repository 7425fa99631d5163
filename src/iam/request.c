/*
 * request.c — a request in the JSON form `ansim iam eval` reads (docs/iam.md) turned into a
 * struct iam_request with its policies compiled: identity policies, resource policy,
 * permissions boundary, session policy, VPC endpoint policies, and SCP and RCP levels (each
 * a list of documents, root first). The loaded request owns the compiled policies and the
 * arrays that point to them; its strings are borrowed from the JSON object.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "iam.h"

struct iam_loaded {
    struct iam_request req;
    struct iam_policy **all; /* every compiled policy, freed with the request */
    size_t nall, cap;
    struct iam_policy *boundary;
    size_t nscp_alloc, nrcp_alloc; /* entries of req.scps / req.rcps allocated */
};

static struct iam_policy *compile(struct iam_loaded *l, const json_t *doc, const char *name, char *err,
                                  size_t errlen)
{
    struct iam_policy *p = iam_policy_compile(doc, name, err, errlen);
    if (p) {
        if (l->nall == l->cap) { /* doubling: 100,000 policies must not cost 100,000 copies */
            l->cap = l->cap ? 2 * l->cap : 8;
            l->all = xrealloc(l->all, l->cap * sizeof *l->all);
        }
        l->all[l->nall++] = p;
    }
    return p;
}

/* A list of documents into an array of compiled policies; -1 with err. */
static int compile_list(struct iam_loaded *l, const json_t *list, const char *what, struct iam_policy ***out,
                        size_t *n, char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    if (!list || json_is_null(list))
        return 0;
    if (!json_is_array(list)) {
        snprintf(err, errlen, "%s must be a list of policy documents", what);
        return -1;
    }
    *out = xcalloc(json_array_size(list) + 1, sizeof **out);
    for (size_t i = 0; i < json_array_size(list); i++) {
        char name[64];
        snprintf(name, sizeof name, "%s[%zu]", what, i);
        if (!((*out)[i] = compile(l, json_array_get(list, i), name, err, errlen)))
            return -1;
        (*n)++;
    }
    return 0;
}

/* scps / rcps: a list of levels, each a list of documents; *alloc counts the levels
 * allocated, for freeing. */
static int compile_levels(struct iam_loaded *l, const json_t *levels, const char *what,
                          struct iam_policy ****out, size_t **counts, size_t *nlevels, size_t *alloc,
                          char *err, size_t errlen)
{
    if (!levels || json_is_null(levels))
        return 0;
    if (!json_is_array(levels)) {
        snprintf(err, errlen, "%s must be a list of levels (root first), each a list of documents", what);
        return -1;
    }
    size_t n = json_array_size(levels);
    *out = xcalloc(n + 1, sizeof **out);
    *counts = xcalloc(n + 1, sizeof **counts);
    *alloc = n;
    for (size_t i = 0; i < n; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s[%zu]", what, i);
        if (compile_list(l, json_array_get(levels, i), name, &(*out)[i], &(*counts)[i], err, errlen))
            return -1;
        (*nlevels)++;
    }
    return 0;
}

/* principal, action, resource and resource_account are strings when given (principal may be
 * null: an anonymous caller); -1 with err otherwise, rather than reading a number as absent. */
static int check_text_fields(const json_t *q, char *err, size_t errlen)
{
    static const char *const fields[] = {"principal", "action", "resource", "resource_account"};
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
        const json_t *v = json_object_get(q, fields[i]);
        if (v && !json_is_string(v) && !(i == 0 && json_is_null(v))) {
            snprintf(err, errlen, "%s must be a string%s", fields[i], i == 0 ? " or null" : "");
            return -1;
        }
    }
    return 0;
}

struct iam_loaded *iam_request_load(const json_t *q, char *err, size_t errlen)
{
    if (!json_is_object(q)) {
        snprintf(err, errlen, "a request must be a JSON object");
        return NULL;
    }
    if (check_text_fields(q, err, errlen))
        return NULL;
    struct iam_loaded *l = xcalloc(1, sizeof *l);
    struct iam_request *r = &l->req;
    r->principal = json_string_value(json_object_get(q, "principal"));
    r->action = json_string_value(json_object_get(q, "action"));
    r->resource = json_string_value(json_object_get(q, "resource"));
    r->resource_account = json_string_value(json_object_get(q, "resource_account"));
    r->context = json_object_get(q, "context");
    const json_t *rp = json_object_get(q, "resource_policy"), *pb = json_object_get(q, "permission_boundary"),
                 *sp = json_object_get(q, "session_policy");
    if (compile_list(l, json_object_get(q, "identity_policies"), "identity_policies", &r->identity,
                     &r->nidentity, err, errlen) ||
        compile_list(l, json_object_get(q, "endpoint_policies"), "endpoint_policies", &r->endpoint,
                     &r->nendpoint, err, errlen) ||
        (rp && !json_is_null(rp) && !(r->resource_policy = compile(l, rp, "resource_policy", err, errlen))) ||
        (pb && !json_is_null(pb) && !(l->boundary = compile(l, pb, "permission_boundary", err, errlen))) ||
        (sp && !json_is_null(sp) && !(r->session_policy = compile(l, sp, "session_policy", err, errlen))) ||
        compile_levels(l, json_object_get(q, "scps"), "scps", &r->scps, &r->nscps, &r->nscp_levels,
                       &l->nscp_alloc, err, errlen) ||
        compile_levels(l, json_object_get(q, "rcps"), "rcps", &r->rcps, &r->nrcps, &r->nrcp_levels,
                       &l->nrcp_alloc, err, errlen)) {
        iam_loaded_free(l);
        return NULL;
    }
    if (l->boundary) {
        r->boundary = &l->boundary;
        r->nboundary = 1;
    }
    return l;
}

const struct iam_request *iam_loaded_request(const struct iam_loaded *l) { return &l->req; }

void iam_loaded_free(struct iam_loaded *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->nscp_alloc; i++)
        free(l->req.scps[i]);
    for (size_t i = 0; i < l->nrcp_alloc; i++)
        free(l->req.rcps[i]);
    free(l->req.scps);
    free(l->req.rcps);
    free(l->req.nscps);
    free(l->req.nrcps);
    free(l->req.identity);
    free(l->req.endpoint);
    for (size_t i = 0; i < l->nall; i++)
        iam_policy_free(l->all[i]);
    free(l->all);
    free(l);
}
