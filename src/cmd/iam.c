/*
 * iam.c — `ansim iam eval FILE|-`: evaluate requests given entirely in a JSON file (one
 * request object or a list of them) with the IAM engine, no account needed. Prints one JSON
 * object per request, in order: {"decision", "reason", "matched"}. A request that cannot be
 * evaluated (a malformed policy, no action) prints {"error": "..."} in its place; the exit
 * code is then 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../iam/iam.h"
#include "../util/util.h"
#include "cmd.h"

/* The compiled policies of one request. */
struct compiled {
    struct iam_policy **all;
    size_t n;
};

static struct iam_policy *compile(struct compiled *c, const json_t *doc, const char *name, char *err,
                                  size_t errlen)
{
    struct iam_policy *p = iam_policy_compile(doc, name, err, errlen);
    if (p) {
        c->all = xrealloc(c->all, (c->n + 1) * sizeof *c->all);
        c->all[c->n++] = p;
    }
    return p;
}

/* A list of documents into an array of compiled policies; -1 with err. */
static int compile_list(struct compiled *c, const json_t *list, const char *what, struct iam_policy ***out,
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
        if (!((*out)[i] = compile(c, json_array_get(list, i), name, err, errlen)))
            return -1;
        (*n)++;
    }
    return 0;
}

/* scps / rcps: a list of levels, each a list of documents. */
static int compile_levels(struct compiled *c, const json_t *levels, const char *what,
                          struct iam_policy ****out, size_t **counts, size_t *nlevels, char *err,
                          size_t errlen)
{
    *out = NULL;
    *counts = NULL;
    *nlevels = 0;
    if (!levels || json_is_null(levels))
        return 0;
    if (!json_is_array(levels)) {
        snprintf(err, errlen, "%s must be a list of levels (root first), each a list of documents", what);
        return -1;
    }
    size_t n = json_array_size(levels);
    *out = xcalloc(n + 1, sizeof **out);
    *counts = xcalloc(n + 1, sizeof **counts);
    for (size_t l = 0; l < n; l++) {
        char name[64];
        snprintf(name, sizeof name, "%s[%zu]", what, l);
        if (compile_list(c, json_array_get(levels, l), name, &(*out)[l], &(*counts)[l], err, errlen))
            return -1;
        (*nlevels)++;
    }
    return 0;
}

static json_t *evaluate(const json_t *q)
{
    char err[512] = "";
    struct compiled c = {NULL, 0};
    struct iam_request r;
    memset(&r, 0, sizeof r);
    json_t *out = NULL;
    struct iam_policy ***scps = NULL, ***rcps = NULL;
    size_t *nscps = NULL, *nrcps = NULL;
    if (!json_is_object(q)) {
        out = json_pack("{s:s}", "error", "a request must be a JSON object");
        goto done;
    }
    r.principal = json_string_value(json_object_get(q, "principal"));
    r.action = json_string_value(json_object_get(q, "action"));
    r.resource = json_string_value(json_object_get(q, "resource"));
    r.resource_account = json_string_value(json_object_get(q, "resource_account"));
    r.context = json_object_get(q, "context");
    const json_t *rp = json_object_get(q, "resource_policy"), *pb = json_object_get(q, "permission_boundary"),
                 *sp = json_object_get(q, "session_policy");
    struct iam_policy *boundary[1];
    if (compile_list(&c, json_object_get(q, "identity_policies"), "identity_policies", &r.identity,
                     &r.nidentity, err, sizeof err) ||
        compile_list(&c, json_object_get(q, "endpoint_policies"), "endpoint_policies", &r.endpoint,
                     &r.nendpoint, err, sizeof err) ||
        (rp && !json_is_null(rp) &&
         !(r.resource_policy = compile(&c, rp, "resource_policy", err, sizeof err))) ||
        (pb && !json_is_null(pb) &&
         !(boundary[0] = compile(&c, pb, "permission_boundary", err, sizeof err))) ||
        (sp && !json_is_null(sp) &&
         !(r.session_policy = compile(&c, sp, "session_policy", err, sizeof err))) ||
        compile_levels(&c, json_object_get(q, "scps"), "scps", &scps, &nscps, &r.nscp_levels, err,
                       sizeof err) ||
        compile_levels(&c, json_object_get(q, "rcps"), "rcps", &rcps, &nrcps, &r.nrcp_levels, err,
                       sizeof err)) {
        out = json_pack("{s:s}", "error", err);
        goto done;
    }
    if (pb && !json_is_null(pb)) {
        r.boundary = boundary;
        r.nboundary = 1;
    }
    r.scps = scps;
    r.nscps = nscps;
    r.rcps = rcps;
    r.nrcps = nrcps;
    struct iam_result res;
    if (iam_evaluate(&r, &res, err, sizeof err)) {
        out = json_pack("{s:s}", "error", err);
        goto done;
    }
    out = json_pack("{s:s, s:s, s:o}", "decision", iam_decision_name(res.decision), "reason", res.reason,
                    "matched", res.matched);
done:
    for (size_t l = 0; l < r.nscp_levels; l++)
        free(scps[l]);
    for (size_t l = 0; l < r.nrcp_levels; l++)
        free(rcps[l]);
    if (scps && !r.nscp_levels)
        free(scps[0]);
    if (rcps && !r.nrcp_levels)
        free(rcps[0]);
    free(scps);
    free(rcps);
    free(nscps);
    free(nrcps);
    free(r.identity);
    free(r.endpoint);
    for (size_t i = 0; i < c.n; i++)
        iam_policy_free(c.all[i]);
    free(c.all);
    return out;
}

static int iam_eval(const char *path)
{
    json_error_t je;
    json_t *doc = strcmp(path, "-") == 0 ? json_loadf(stdin, 0, &je) : json_load_file(path, 0, &je);
    if (!doc) {
        log_err("%s:%d:%d: %s", strcmp(path, "-") == 0 ? "<stdin>" : path, je.line, je.column, je.text);
        return EXIT_RUNTIME;
    }
    size_t n = json_is_array(doc) ? json_array_size(doc) : 1;
    int rc = EXIT_OK;
    for (size_t i = 0; i < n; i++) {
        json_t *res = evaluate(json_is_array(doc) ? json_array_get(doc, i) : doc);
        if (json_object_get(res, "error")) {
            log_err("request %zu: %s", i, json_string_value(json_object_get(res, "error")));
            rc = EXIT_RUNTIME;
        }
        char *line = json_dumps(res, JSON_COMPACT);
        if (line)
            puts(line);
        free(line);
        json_decref(res);
    }
    json_decref(doc);
    if (fflush(stdout) != 0) {
        log_err("cannot write to standard output");
        rc = EXIT_RUNTIME;
    }
    return rc;
}

int cmd_iam(int argc, char **argv, const struct global_opts *g)
{
    (void)g;
    if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        cmd_usage(stdout, "iam");
        return EXIT_OK;
    }
    if (argc == 3 && strcmp(argv[1], "eval") == 0)
        return iam_eval(argv[2]);
    fprintf(stderr, "usage: ansim iam eval FILE|-   (see `ansim help iam`)\n");
    return EXIT_USAGE;
}
