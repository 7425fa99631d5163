/*
 * iam.c — `ansim iam eval FILE|-`: evaluate requests given entirely in a JSON file (one
 * request object or a list of them) with the IAM engine, no account needed. Prints one JSON
 * object per request, in order: {"decision", "reason", "matched"}. A request that cannot be
 * evaluated (a malformed policy, no action) prints {"error": "..."} in its place; the exit
 * code is then 1. A file that is not JSON (or nests deeper than jansson's 2,048 levels, or
 * holds bad UTF-8 or \u0000) prints nothing and one error line. Errors are always one line
 * of valid UTF-8, whatever names from the input they quote.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../iam/iam.h"
#include "../util/util.h"
#include "cmd.h"

/* The compiled policies of one request. */
struct compiled {
    struct iam_policy **all;
    size_t n, cap;
};

static struct iam_policy *compile(struct compiled *c, const json_t *doc, const char *name, char *err,
                                  size_t errlen)
{
    struct iam_policy *p = iam_policy_compile(doc, name, err, errlen);
    if (p) {
        if (c->n == c->cap) { /* doubling: 100,000 policies must not cost 100,000 copies */
            c->cap = c->cap ? 2 * c->cap : 8;
            c->all = xrealloc(c->all, c->cap * sizeof *c->all);
        }
        c->all[c->n++] = p;
    }
    return p;
}

/* Make an error message fit on one line of valid UTF-8, in place: it may quote names from
 * the input (control characters) and be cut mid-character by a fixed-size buffer (which
 * jansson would refuse to put in a JSON string). Control characters become spaces, bytes
 * that do not form a character become '?'. */
static void one_line(char *s)
{
    unsigned char *p = (unsigned char *)s;
    while (*p) {
        unsigned char c = *p;
        size_t len = c < 0x80                 ? 1
                     : c >= 0xc2 && c <= 0xdf ? 2
                     : c >= 0xe0 && c <= 0xef ? 3
                     : c >= 0xf0 && c <= 0xf4 ? 4
                                              : 0;
        /* the second byte's range rules out overlong forms, surrogates and > U+10FFFF */
        unsigned char lo = c == 0xe0 ? 0xa0 : c == 0xf0 ? 0x90 : 0x80;
        unsigned char hi = c == 0xed ? 0x9f : c == 0xf4 ? 0x8f : 0xbf;
        int ok = len > 0 && (len == 1 || (p[1] >= lo && p[1] <= hi));
        for (size_t i = 2; ok && i < len; i++)
            ok = p[i] >= 0x80 && p[i] <= 0xbf;
        if (!ok) {
            *p++ = '?';
            continue;
        }
        if (len == 1 && (c < 0x20 || c == 0x7f))
            *p = ' ';
        p += len;
    }
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
    struct compiled c = {NULL, 0, 0};
    struct iam_request r;
    memset(&r, 0, sizeof r);
    json_t *out = NULL;
    struct iam_policy ***scps = NULL, ***rcps = NULL;
    size_t *nscps = NULL, *nrcps = NULL;
    if (!json_is_object(q)) {
        snprintf(err, sizeof err, "a request must be a JSON object");
        goto failed;
    }
    if (check_text_fields(q, err, sizeof err))
        goto failed;
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
                       sizeof err))
        goto failed;
    if (pb && !json_is_null(pb)) {
        r.boundary = boundary;
        r.nboundary = 1;
    }
    r.scps = scps;
    r.nscps = nscps;
    r.rcps = rcps;
    r.nrcps = nrcps;
    struct iam_result res;
    if (iam_evaluate(&r, &res, err, sizeof err))
        goto failed;
    out = json_pack("{s:s, s:s, s:o}", "decision", iam_decision_name(res.decision), "reason", res.reason,
                    "matched", res.matched);
    goto done;
failed:
    one_line(err);
    out = json_pack("{s:s}", "error", err);
done:
    /* levels 0 .. n_levels-1 compiled; the one after them may have failed half-way */
    for (size_t l = 0; scps && l <= r.nscp_levels; l++)
        free(scps[l]);
    for (size_t l = 0; rcps && l <= r.nrcp_levels; l++)
        free(rcps[l]);
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
    struct stat sb;
    if (strcmp(path, "-") != 0 && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        log_err("%s: is a directory, not a JSON file", path);
        return EXIT_RUNTIME;
    }
    json_t *doc = strcmp(path, "-") == 0 ? json_loadf(stdin, 0, &je) : json_load_file(path, 0, &je);
    if (!doc) { /* malformed JSON, too deep, \u0000, bad UTF-8, a number out of range */
        char why[JSON_ERROR_TEXT_LENGTH + 64], msg[1024];
        enum json_error_code code = json_error_code(&je);
        if (code == json_error_stack_overflow)
            snprintf(why, sizeof why, "JSON nested deeper than %d levels", JSON_PARSER_MAX_DEPTH);
        else if (code == json_error_null_character)
            snprintf(why, sizeof why, "a string holds \\u0000 (NUL), which is not accepted");
        else if (code == json_error_numeric_overflow)
            snprintf(why, sizeof why, "%s (numbers must fit in a 64-bit integer or a double)", je.text);
        else
            snprintf(why, sizeof why, "%s", je.text);
        if (code == json_error_cannot_open_file) /* "unable to open PATH: REASON" */
            snprintf(msg, sizeof msg, "%s", je.text);
        else
            snprintf(msg, sizeof msg, "%s:%d:%d: %s", strcmp(path, "-") == 0 ? "<stdin>" : path, je.line,
                     je.column, why);
        one_line(msg);
        log_err("%s", msg);
        return EXIT_RUNTIME;
    }
    size_t n = json_is_array(doc) ? json_array_size(doc) : 1;
    int rc = EXIT_OK;
    for (size_t i = 0; i < n; i++) {
        json_t *res = evaluate(json_is_array(doc) ? json_array_get(doc, i) : doc);
        char *line = res ? json_dumps(res, JSON_COMPACT) : NULL;
        if (!line) { /* never a missing line: the output stays one line per request */
            json_decref(res);
            res = json_pack("{s:s}", "error", "the result cannot be written as JSON");
            line = json_dumps(res, JSON_COMPACT);
        }
        if (json_object_get(res, "error")) {
            log_err("request %zu: %s", i, json_string_value(json_object_get(res, "error")));
            rc = EXIT_RUNTIME;
        }
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
