/*
 * iam_bench.c — the IAM engine's own speed, without the CLI around it: reads requests in
 * the JSON form of `ansim iam eval` (a list; bench/iam.sh feeds it the fuzz corpus of
 * tests/iam_fuzz.py), compiles every request's policies and prepares its context once (the
 * simulator's engine benchmark does the same), then evaluates all the
 * requests ROUNDS times in a loop. Prints one JSON line: {"requests", "rounds",
 * "load_seconds" (parse and compile), "eval_seconds", "decisions_per_second", "allow",
 * "explicit_deny", "implicit_deny" (the decisions of one round, so a run can be checked
 * against `ansim iam eval`)}.
 *
 * Usage: iam_bench CASES.json [ROUNDS]   (ROUNDS defaults to 10)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../src/iam/iam.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: iam_bench CASES.json [ROUNDS]\n");
        return 2;
    }
    long rounds = argc == 3 ? strtol(argv[2], NULL, 10) : 10;
    if (rounds < 1) {
        fprintf(stderr, "iam_bench: ROUNDS must be a positive number\n");
        return 2;
    }
    double t0 = now();
    json_error_t je;
    json_t *doc = json_load_file(argv[1], 0, &je);
    if (!json_is_array(doc)) {
        fprintf(stderr, "iam_bench: %s: %s\n", argv[1], doc ? "not a JSON list of requests" : je.text);
        json_decref(doc);
        return 1;
    }
    size_t n = json_array_size(doc);
    struct iam_loaded **req = calloc(n ? n : 1, sizeof *req);
    if (!req) {
        fprintf(stderr, "iam_bench: out of memory\n");
        return 1;
    }
    char err[512];
    for (size_t i = 0; i < n; i++)
        if (!(req[i] = iam_request_load(json_array_get(doc, i), err, sizeof err))) {
            fprintf(stderr, "iam_bench: request %zu: %s\n", i, err);
            return 1;
        }
    /* each request's context made ready once, like its policies (iam-simulate's engine bench
     * builds its request contexts outside the timed loop too) */
    struct iam_prepared **prep = calloc(n ? n : 1, sizeof *prep);
    if (!prep) {
        fprintf(stderr, "iam_bench: out of memory\n");
        return 1;
    }
    for (size_t i = 0; i < n; i++)
        if (!(prep[i] = iam_prepare(iam_loaded_request(req[i]), err, sizeof err))) {
            fprintf(stderr, "iam_bench: request %zu: %s\n", i, err);
            return 1;
        }
    double t1 = now();
    size_t count[3] = {0, 0, 0};
    for (long r = 0; r < rounds; r++)
        for (size_t i = 0; i < n; i++) {
            struct iam_result res;
            iam_evaluate_prepared(prep[i], &res);
            if (r == 0 && res.decision <= IAM_IMPLICIT_DENY)
                count[res.decision]++;
            json_decref(res.matched);
        }
    double t2 = now();
    for (size_t i = 0; i < n; i++)
        iam_prepared_free(prep[i]);
    free(prep);
    printf(
        "{\"requests\": %zu, \"rounds\": %ld, \"load_seconds\": %.4f, \"eval_seconds\": %.4f, "
        "\"decisions_per_second\": %.0f, \"allow\": %zu, \"explicit_deny\": %zu, \"implicit_deny\": %zu}\n",
        n, rounds, t1 - t0, t2 - t1, (double)n * (double)rounds / (t2 - t1), count[IAM_ALLOW],
        count[IAM_EXPLICIT_DENY], count[IAM_IMPLICIT_DENY]);
    for (size_t i = 0; i < n; i++)
        iam_loaded_free(req[i]);
    free(req);
    json_decref(doc);
    return 0;
}
