/* test_history.c — scans are stored whole or not at all, and listed newest first. */
#include "support.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/history/history.h"
#include "../../src/util/util.h"

static void store_and_list(void **state)
{
    (void)state;
    char dir[] = "/tmp/ansim-hist-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *path = xasprintf("%s/sub/dir/ansim.db", dir);
    char err[ERRLEN] = "";
    sqlite3 *db = NULL;
    assert_int_equal(hist_open(path, &db, err, sizeof err), 0);

    struct control c = {.id = "t.x", .severity = SEV_HIGH, .area = AREA_IAM};
    struct finding f = {&c, ST_FAIL, "aws_iam_user", "alice", NULL, "global", "why", NULL, NULL, NULL};
    char *regions[] = {"ap-northeast-2"};
    struct scan_result res;
    memset(&res, 0, sizeof res);
    strcpy(res.meta.id, "aaaa");
    strcpy(res.meta.started_at, "2026-11-01T00:00:00Z");
    strcpy(res.meta.finished_at, "2026-11-01T00:00:01Z");
    res.meta.source = "snapshot";
    res.meta.account_id = "111122223333";
    res.meta.regions = regions;
    res.meta.nregions = 1;
    res.findings = &f;
    res.nfindings = 1;
    res.total.n[ST_FAIL] = 1;
    assert_int_equal(hist_store(db, &res, err, sizeof err), 0);
    strcpy(res.meta.id, "bbbb");
    strcpy(res.meta.started_at, "2026-11-02T00:00:00Z");
    assert_int_equal(hist_store(db, &res, err, sizeof err), 0);
    /* storing the same scan id again fails and leaves no extra findings behind */
    assert_int_not_equal(hist_store(db, &res, err, sizeof err), 0);

    struct hist_scan *scans;
    size_t n;
    assert_int_equal(hist_list(db, 0, &scans, &n, err, sizeof err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(scans[0].id, "bbbb");
    assert_int_equal(scans[0].n[ST_FAIL], 1);
    assert_string_equal(scans[1].regions, "[\"ap-northeast-2\"]");
    hist_scans_free(scans, n);

    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM findings", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 2);
    sqlite3_finalize(st);
    sqlite3_close(db);
    char *cmd = xasprintf("rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(path);
}

static void a_corrupt_database_is_a_clear_error(void **state)
{
    (void)state;
    char path[] = "/tmp/ansim-bad-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "this is not sqlite at all, not even close......", 47), 47);
    close(fd);
    char err[ERRLEN] = "";
    sqlite3 *db = NULL;
    assert_int_not_equal(hist_open(path, &db, err, sizeof err), 0);
    assert_non_null(strstr(err, path));
    unlink(path);
}

int run_history_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(store_and_list),
        cmocka_unit_test(a_corrupt_database_is_a_clear_error),
    };
    return cmocka_run_group_tests_name("history", tests, NULL, NULL);
}
