/*
 * test_fixtures.c — every control against its fixture snapshots
 * (tests/fixtures/controls/<control id>/<expect>*.json): pass*.json must give at least one
 * pass and no fail or error; fail*.json at least one fail; error*.json at least one error
 * and no pass; not_applicable*.json only not_applicable; manual*.json at least one manual
 * and no pass or fail. One cmocka test per fixture file; and every pass fixture again with all
 * resource data emptied, which must not pass anything.
 */
#include "support.h"

#include <dirent.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/util/util.h"

#define FIXTURES "tests/fixtures/controls"

struct fixture {
    char *control, *file, *name;
};

static struct catalogue cat;

static void fixture_test(void **state)
{
    struct fixture *fx = *state;
    char err[ERRLEN] = "";
    if (!cat_control(&cat, fx->control))
        fail_msg("fixture directory %s names no control", fx->control);
    struct inventory *inv = NULL;
    assert_int_equal(inv_open(&inv, err, sizeof err), 0);
    if (inv_load_snapshot_file(inv, fx->file, err, sizeof err))
        fail_msg("%s", err);
    char *ids[] = {fx->control};
    struct selection sel = {NULL, ids, 1};
    struct scan_result res;
    memset(&res, 0, sizeof res);
    assert_int_equal(eval_run(&cat, inv, &sel, &res, err, sizeof err), 0);
    const char *base = strrchr(fx->file, '/') + 1;
    size_t *n = res.total.n;
    int ok = 0;
    if (strncmp(base, "pass", 4) == 0)
        ok = n[ST_PASS] > 0 && n[ST_FAIL] == 0 && n[ST_ERROR] == 0;
    else if (strncmp(base, "fail", 4) == 0)
        ok = n[ST_FAIL] > 0;
    else if (strncmp(base, "error", 5) == 0)
        ok = n[ST_ERROR] > 0 && n[ST_PASS] == 0;
    else if (strncmp(base, "not_applicable", 14) == 0)
        ok = n[ST_NA] > 0 && n[ST_PASS] == 0 && n[ST_FAIL] == 0 && n[ST_ERROR] == 0;
    else if (strncmp(base, "manual", 6) == 0)
        ok = n[ST_MANUAL] > 0 && n[ST_PASS] == 0 && n[ST_FAIL] == 0;
    else
        fail_msg("%s: fixture names start with pass, fail, error, not_applicable or manual", fx->file);
    if (!ok) {
        for (size_t i = 0; i < res.nfindings; i++)
            print_message("  %s %s: %s\n", status_name(res.findings[i].status), res.findings[i].resource_id,
                          res.findings[i].reason);
        fail_msg("%s: got pass %zu, fail %zu, error %zu, manual %zu, n/a %zu", fx->file, n[ST_PASS],
                 n[ST_FAIL], n[ST_ERROR], n[ST_MANUAL], n[ST_NA]);
    }
    scan_result_free(&res);
    inv_close(inv);
}

/* The same pass fixture with every resource's data emptied ({}): nothing is known, so the
 * control must not pass anything (error, fail or not_applicable are all honest). */
static void nothing_known_never_passes(void **state)
{
    struct fixture *fx = *state;
    json_error_t je;
    json_t *doc = json_load_file(fx->file, 0, &je);
    if (!doc)
        fail_msg("%s: %s", fx->file, je.text);
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(doc, "resources"), i, r) json_object_set_new(r, "data", json_object());
    char *text = json_dumps(doc, 0);
    json_decref(doc);
    char err[ERRLEN] = "";
    struct inventory *inv = NULL;
    assert_int_equal(inv_open(&inv, err, sizeof err), 0);
    if (inv_load_snapshot_buf(inv, text, strlen(text), fx->file, err, sizeof err))
        fail_msg("%s", err);
    free(text);
    char *ids[] = {fx->control};
    struct selection sel = {NULL, ids, 1};
    struct scan_result res;
    memset(&res, 0, sizeof res);
    assert_int_equal(eval_run(&cat, inv, &sel, &res, err, sizeof err), 0);
    for (size_t k = 0; k < res.nfindings; k++)
        if (res.findings[k].status == ST_PASS)
            fail_msg("%s with empty data: pass for %s: %s", fx->file, res.findings[k].resource_id,
                     res.findings[k].reason);
    scan_result_free(&res);
    inv_close(inv);
}

static int cmp_fx(const void *a, const void *b)
{
    return strcmp(((const struct fixture *)a)->file, ((const struct fixture *)b)->file);
}

int run_fixture_tests(void)
{
    char err[ERRLEN] = "";
    cat_init(&cat);
    if (cat_load_builtin(&cat, err, sizeof err) || cat_finalize(&cat, err, sizeof err)) {
        fprintf(stderr, "fixtures: built-in catalogue: %s\n", err);
        return 1;
    }
    struct fixture *fx = NULL;
    size_t nfx = 0;
    DIR *top = opendir(FIXTURES);
    if (!top) {
        fprintf(stderr, "fixtures: cannot open %s (run from the repository root)\n", FIXTURES);
        cat_free(&cat);
        return 1;
    }
    struct dirent *d;
    while ((d = readdir(top))) {
        if (d->d_name[0] == '.')
            continue;
        char *dir = xasprintf("%s/%s", FIXTURES, d->d_name);
        DIR *sub = opendir(dir);
        struct dirent *f;
        while (sub && (f = readdir(sub))) {
            size_t len = strlen(f->d_name);
            if (len < 6 || strcmp(f->d_name + len - 5, ".json") != 0)
                continue;
            fx = xrealloc(fx, (nfx + 1) * sizeof *fx);
            fx[nfx].control = xstrdup(d->d_name);
            fx[nfx].file = xasprintf("%s/%s", dir, f->d_name);
            fx[nfx].name = xasprintf("%s/%s", d->d_name, f->d_name);
            nfx++;
        }
        if (sub)
            closedir(sub);
        free(dir);
    }
    closedir(top);
    if (nfx > 1)
        qsort(fx, nfx, sizeof *fx, cmp_fx);

    /* every control has at least a pass and a fail fixture */
    int missing = 0;
    for (size_t i = 0; i < cat.ncontrols; i++) {
        int has_pass = 0, has_fail = 0;
        for (size_t j = 0; j < nfx; j++) {
            if (strcmp(fx[j].control, cat.controls[i].id) != 0)
                continue;
            const char *base = strrchr(fx[j].file, '/') + 1;
            has_pass |= strncmp(base, "pass", 4) == 0;
            has_fail |= strncmp(base, "fail", 4) == 0;
        }
        if (!has_pass || !has_fail) {
            fprintf(stderr, "fixtures: control %s lacks a %s fixture\n", cat.controls[i].id,
                    has_pass ? "fail" : "pass");
            missing++;
        }
    }

    struct CMUnitTest *tests = xcalloc(nfx ? nfx : 1, sizeof *tests);
    for (size_t i = 0; i < nfx; i++) {
        tests[i].name = fx[i].name;
        tests[i].test_func = fixture_test;
        tests[i].initial_state = &fx[i];
    }
    int failed = _cmocka_run_group_tests("control fixtures", tests, nfx, NULL, NULL);
    size_t nempty = 0;
    for (size_t i = 0; i < nfx; i++)
        if (strncmp(strrchr(fx[i].file, '/') + 1, "pass", 4) == 0) {
            tests[nempty].name = fx[i].name;
            tests[nempty].test_func = nothing_known_never_passes;
            tests[nempty++].initial_state = &fx[i];
        }
    failed += _cmocka_run_group_tests("control fixtures with nothing known", tests, nempty, NULL, NULL);
    for (size_t i = 0; i < nfx; i++) {
        free(fx[i].control);
        free(fx[i].file);
        free(fx[i].name);
    }
    free(fx);
    free(tests);
    cat_free(&cat);
    return failed + missing;
}
