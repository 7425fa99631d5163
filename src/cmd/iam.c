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

static json_t *evaluate(const json_t *q)
{
    char err[512] = "";
    struct iam_loaded *l = iam_request_load(q, err, sizeof err);
    struct iam_result res;
    json_t *out;
    if (!l || iam_evaluate(iam_loaded_request(l), &res, err, sizeof err))
        out = json_pack("{s:s}", "error", err);
    else
        out = json_pack("{s:s, s:s, s:o}", "decision", iam_decision_name(res.decision), "reason", res.reason,
                        "matched", res.matched);
    iam_loaded_free(l);
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
