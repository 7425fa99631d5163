/* test_wsprices.c — the WorkSpaces price table (built-in and user files) and the SQL
 * function workspaces_price(). */
#include "support.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/util/util.h"

/* A row of the table format with the given monthly price, for the user files below. */
#define ROW(region, compute, root, user, monthly)                                                            \
    region "\twindows\t" compute "\t" root "\t" user "\t" monthly "\t14.00\t0.36\tUSD\t2026-11-01\ttest\n"

static struct inventory *empty_inv(void)
{
    char *doc = snap_doc(NULL, NULL);
    struct inventory *inv = load_inv(doc);
    free(doc);
    return inv;
}

/* Write len bytes of text to a new temporary file; returns its path (caller unlinks, frees). */
static char *temp_file(const char *text, size_t len)
{
    char *path = xstrdup("/tmp/ansim-wsprices-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
    return path;
}

/* Load text as the user's price file into inv: the return code, and the message in err. */
static int load_text(struct inventory *inv, const char *text, size_t len, char *err, size_t errlen,
                     char **path_out)
{
    char *path = temp_file(text, len);
    int rc = inv_load_workspaces_prices(inv, path, err, errlen);
    unlink(path);
    if (path_out)
        *path_out = path;
    else
        free(path);
    return rc;
}

static void expect_text(struct inventory *inv, const char *sql, const char *want)
{
    char *got = sql_text(inv, sql);
    if (want == NULL && got != NULL)
        fail_msg("%s: expected NULL, got %s", sql, got);
    if (want && (!got || strcmp(got, want) != 0))
        fail_msg("%s: expected %s, got %s", sql, want, got ? got : "NULL");
    free(got);
}

/* "monthly fixed hourly currency date table" of a lookup, or NULL. */
#define PRICE_SQL(args)                                                                                      \
    "SELECT printf('%.2f %.2f %.2f %s %s %s', p ->> '$.monthly', p ->> '$.autostop_fixed', "                 \
    "p ->> '$.autostop_hourly', p ->> '$.currency', p ->> '$.date', p ->> '$.table') "                       \
    "FROM (SELECT workspaces_price(" args ") AS p) WHERE p IS NOT NULL"

static void builtin_table_has_the_seoul_windows_prices(void **state)
{
    (void)state;
    struct inventory *inv = empty_inv();
    expect_text(inv, PRICE_SQL("'ap-northeast-2', 'windows', 'STANDARD', 80, 50"),
                "43.00 14.00 0.36 USD 2023 built-in");
    expect_text(inv, PRICE_SQL("'ap-northeast-2', 'windows', 'VALUE', 80, 10"),
                "30.00 10.00 0.23 USD 2023 built-in");
    expect_text(inv, PRICE_SQL("'ap-northeast-2', 'windows', 'POWERPRO', 175, 100"),
                "165.00 26.00 1.67 USD 2023 built-in");
    expect_text(inv, PRICE_SQL("'ap-northeast-2', 'windows', 'GRAPHICSPRO_G4DN', 100, 100"),
                "1048.00 90.00 12.57 USD 2023 built-in");
    /* 22 rows: 5 compute types x 4 volume pairs, and two G4dn graphics bundles */
    assert_int_equal(
        sql_int(inv, "WITH c(n) AS (VALUES ('VALUE'), ('STANDARD'), ('PERFORMANCE'), ('POWER'), "
                     "('POWERPRO')), v(r, u) AS (VALUES (80, 10), (80, 50), (80, 100), (175, 100)) "
                     "SELECT count(workspaces_price('ap-northeast-2', 'windows', n, r, u)) FROM c, v"),
        20);
    inv_close(inv);
}

static void no_matching_row_is_null(void **state)
{
    (void)state;
    struct inventory *inv = empty_inv();
    const char *const misses[] = {
        "SELECT workspaces_price('us-east-1', 'windows', 'STANDARD', 80, 50)",      /* other region */
        "SELECT workspaces_price('ap-northeast-2', 'ubuntu', 'STANDARD', 80, 50)",  /* other OS class */
        "SELECT workspaces_price('ap-northeast-2', 'windows', 'standard', 80, 50)", /* names are exact */
        "SELECT workspaces_price('ap-northeast-2', 'windows', 'STANDARD', 80, 60)", /* other volume size */
        "SELECT workspaces_price('ap-northeast-2', 'windows', 'STANDARD', 80.5, 50)",
        "SELECT workspaces_price('ap-northeast-2', 'windows', 'STANDARD', '80GB', 50)",
        "SELECT workspaces_price(NULL, 'windows', 'STANDARD', 80, 50)",
        "SELECT workspaces_price('ap-northeast-2', NULL, 'STANDARD', 80, 50)",
        "SELECT workspaces_price('ap-northeast-2', 'windows', 'STANDARD', NULL, 50)",
    };
    for (size_t i = 0; i < sizeof misses / sizeof *misses; i++)
        expect_text(inv, misses[i], NULL);
    /* sizes as JSON gives them: integers, integral reals, digits */
    expect_text(inv, PRICE_SQL("'ap-northeast-2', 'windows', 'STANDARD', 80.0, '50'"),
                "43.00 14.00 0.36 USD 2023 built-in");
    inv_close(inv);
}

static void user_rows_come_before_the_builtin_ones(void **state)
{
    (void)state;
    struct inventory *inv = empty_inv();
    const char text[] = "# my prices, CRLF line ends\r\n"
                        "\r\n" ROW("ap-northeast-2", "STANDARD", "80", "50", "50.5")
                            ROW("eu-west-1", "VALUE", "80", "10", "31.00");
    char err[ERRLEN] = "", *path = NULL;
    if (load_text(inv, text, sizeof text - 1, err, sizeof err, &path))
        fail_msg("%s", err);
    char *want = xasprintf("50.50 14.00 0.36 USD 2026-11-01 %s", path);
    expect_text(inv, PRICE_SQL("'ap-northeast-2', 'windows', 'STANDARD', 80, 50"), want);
    free(want);
    want = xasprintf("31.00 14.00 0.36 USD 2026-11-01 %s", path);
    expect_text(inv, PRICE_SQL("'eu-west-1', 'windows', 'VALUE', 80, 10"), want);
    free(want);
    /* a key the file does not give still comes from the built-in table */
    expect_text(inv, PRICE_SQL("'ap-northeast-2', 'windows', 'VALUE', 80, 10"),
                "30.00 10.00 0.23 USD 2023 built-in");

    /* a file that fails to load leaves the previous one in place */
    const char bad[] = ROW("ap-northeast-2", "STANDARD", "80", "50", "abc");
    assert_int_equal(load_text(inv, bad, sizeof bad - 1, err, sizeof err, NULL), -1);
    want = xasprintf("50.50 14.00 0.36 USD 2026-11-01 %s", path);
    expect_text(inv, PRICE_SQL("'ap-northeast-2', 'windows', 'STANDARD', 80, 50"), want);
    free(want);
    free(path);
    inv_close(inv);
}

/* Each malformed file gives one line naming the file and the line and what is wrong. */
static void malformed_files_name_file_and_line(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        size_t len; /* 0: strlen(text) */
        const char *want;
    } cases[] = {
        {"# header\n"
         "ap-northeast-2\twindows\tSTANDARD\t80\t50\t43.00\n",
         0, ":2: 6 TAB-separated fields, expected 11"},
        {"ap-northeast-2 windows STANDARD 80 50 43.00 14.00 0.36 USD 2023 spaces\n", 0,
         ":1: 1 TAB-separated fields, expected 11"},
        {ROW("ap-northeast-2", "STANDARD", "80", "50", "43.00") "extra\tfield\n", 0,
         ":2: 2 TAB-separated fields"},
        {ROW("Seoul", "STANDARD", "80", "50", "43.00"), 0,
         ":1: field 1 (region) \"Seoul\" is not a region code"},
        {"ap-northeast-2\tWindows\tSTANDARD\t80\t50\t43.00\t14.00\t0.36\tUSD\t2023\tx\n", 0,
         ":1: field 2 (os) \"Windows\" is not windows, windows-byol"},
        {ROW("ap-northeast-2", "Standard", "80", "50", "43.00"), 0, ":1: field 3 (compute) \"Standard\""},
        {ROW("ap-northeast-2", "STANDARD", "0", "50", "43.00"), 0,
         ":1: field 4 (root_gib) \"0\" is not a volume size"},
        {ROW("ap-northeast-2", "STANDARD", "80", "50GB", "43.00"), 0, ":1: field 5 (user_gib) \"50GB\""},
        {ROW("ap-northeast-2", "STANDARD", "80", "50", "1,048.00"), 0,
         ":1: field 6 (monthly) \"1,048.00\" is not a price"},
        {ROW("ap-northeast-2", "STANDARD", "80", "50", "$43"), 0, ":1: field 6 (monthly) \"$43\""},
        {ROW("ap-northeast-2", "STANDARD", "80", "50", "43."), 0, ":1: field 6 (monthly) \"43.\""},
        {ROW("ap-northeast-2", "STANDARD", "80", "50", "-43.00"), 0, ":1: field 6 (monthly)"},
        {"ap-northeast-2\twindows\tSTANDARD\t80\t50\t43.00\t\t0.36\tUSD\t2023\tx\n", 0,
         ":1: field 7 (autostop_fixed) \"\" is not a price"},
        {"ap-northeast-2\twindows\tSTANDARD\t80\t50\t43.00\t14.00\t0,36\tUSD\t2023\tx\n", 0,
         ":1: field 8 (autostop_hourly) \"0,36\""},
        {"ap-northeast-2\twindows\tSTANDARD\t80\t50\t43.00\t14.00\t0.36\tusd\t2023\tx\n", 0,
         ":1: field 9 (currency) \"usd\" is not a currency code"},
        {"ap-northeast-2\twindows\tSTANDARD\t80\t50\t43.00\t14.00\t0.36\tUSD\t2023-13\tx\n", 0,
         ":1: field 10 (date) \"2023-13\" is not a date"},
        {"ap-northeast-2\twindows\tSTANDARD\t80\t50\t43.00\t14.00\t0.36\tUSD\t23/11/01\tx\n", 0,
         ":1: field 10 (date)"},
        {"# a\n# b\n" ROW("ap-northeast-2", "STANDARD", "80", "50",
                          "43.00") "\n" ROW("ap-northeast-2", "STANDARD", "80", "50", "44.00"),
         0, ":5: the same region, os, compute and volume sizes as line 3"},
        {"# only a comment\n\n", 0, ": no price rows"},
        {"", 0, ": no price rows"},
        {"ap-northeast-2\twindows\0STANDARD\n", 32, ": not a text file (it contains a NUL byte)"},
        {"# ok\n# \xff\xfe bad\n", 0, ":2: not valid UTF-8"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct inventory *inv = empty_inv();
        char err[ERRLEN] = "", *path = NULL;
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].text);
        if (load_text(inv, cases[i].text, len, err, sizeof err, &path) != -1)
            fail_msg("case %zu: loaded, expected \"%s\"", i, cases[i].want);
        /* the message starts with the file's path, and is one line */
        if (strncmp(err, path, strlen(path)) != 0 || !strstr(err, cases[i].want) || strchr(err, '\n'))
            fail_msg("case %zu: expected \"%s%s...\", got \"%s\"", i, path, cases[i].want, err);
        free(path);
        inv_close(inv);
    }
    struct inventory *inv = empty_inv();
    char err[ERRLEN] = "";
    assert_int_equal(inv_load_workspaces_prices(inv, "/nonexistent/prices.tsv", err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent/prices.tsv"));
    inv_close(inv);
}

int run_wsprices_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(builtin_table_has_the_seoul_windows_prices),
        cmocka_unit_test(no_matching_row_is_null),
        cmocka_unit_test(user_rows_come_before_the_builtin_ones),
        cmocka_unit_test(malformed_files_name_file_and_line),
    };
    return cmocka_run_group_tests_name("workspaces prices", tests, NULL, NULL);
}
