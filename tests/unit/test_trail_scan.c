/*
 * test_trail_scan.c — the CloudTrail record scanner: field access by dotted path, the three
 * file shapes, gzip, windows that split records, and every way a file can be broken.
 */
#include "support.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "../../src/trail/trail.h"
#include "../../src/util/util.h"

static const char *REC =
    "{\"eventVersion\":\"1.08\",\"userIdentity\":{\"type\":\"IAMUser\",\"arn\":"
    "\"arn:aws:iam::1:user\\/alice\",\"sessionContext\":{\"attributes\":{\"mfaAuthenticated\":"
    "\"false\"}}},\"eventName\":\"GetObject\",\"readOnly\":true,\"n\":-1.5e3,"
    "\"resources\":[{\"ARN\":\"arn:aws:s3:::b/k\"},{\"ARN\":\"arn:aws:s3:::b\"}],"
    "\"additionalEventData\":{\"MFAUsed\":\"No\"},\"errorCode\":null,"
    "\"msg\":\"caf\\u00e9 \\ud83d\\ude00 \\\"q\\\"\"}";

static int count_cb(const struct trail_val *v, void *ctx)
{
    (void)v;
    (*(int *)ctx)++;
    return 0;
}

static void test_trail_fields_by_dotted_path(void **state)
{
    (void)state;
    struct trail_rec r;
    assert_int_equal(trail_rec_parse(REC, strlen(REC), &r), 0);
    assert_int_equal(r.ntop, 9);
    char buf[128];
    struct trail_val v = trail_get(&r, "userIdentity.arn");
    assert_int_equal(v.type, TRAIL_STRING);
    trail_text(&v, buf, sizeof buf);
    assert_string_equal(buf, "arn:aws:iam::1:user/alice");
    assert_true(trail_eq(&v, "arn:aws:iam::1:user/alice", 0));
    assert_false(trail_eq(&v, "ARN:aws:iam::1:user/alice", 0));
    assert_true(trail_eq(&v, "ARN:aws:iam::1:user/alice", 1));
    v = trail_get(&r, "userIdentity.sessionContext.attributes.mfaAuthenticated");
    assert_true(trail_eq(&v, "false", 0));
    v = trail_get(&r, "additionalEventData.mfaused"); /* another case: found, exact first */
    assert_true(trail_eq(&v, "NO", 1));
    assert_int_equal(trail_get(&r, "readOnly").type, TRAIL_TRUE);
    v = trail_get(&r, "readOnly");
    assert_true(trail_eq(&v, "true", 0));
    assert_int_equal(trail_get(&r, "errorCode").type, TRAIL_NULL);
    assert_int_equal(trail_get(&r, "errorMessage").type, TRAIL_MISSING);
    assert_int_equal(trail_get(&r, "userIdentity.nothing.deeper").type, TRAIL_MISSING);
    v = trail_get(&r, "n");
    assert_int_equal(v.type, TRAIL_NUMBER);
    assert_true(trail_eq(&v, "-1.5e3", 0));
    int n = 0;
    assert_int_equal(trail_each(&r, "resources.ARN", count_cb, &n), 2);
    assert_int_equal(n, 2);
    v = trail_get(&r, "msg");
    size_t len = trail_text(&v, buf, sizeof buf);
    assert_string_equal(buf, "caf\xc3\xa9 \xf0\x9f\x98\x80 \"q\"");
    assert_int_equal(len, strlen(buf));
    char tiny[4];
    assert_int_equal(trail_text(&v, tiny, sizeof tiny), len); /* truncated, full length told */
    assert_string_equal(tiny, "caf");
    v = trail_get(&r, "userIdentity");
    struct trail_val t = trail_member(&v, "type");
    assert_true(trail_eq(&t, "IAMUser", 0));
    char *s = trail_strdup(&t);
    assert_string_equal(s, "IAMUser");
    free(s);
}

static void test_trail_malformed_records_are_refused(void **state)
{
    (void)state;
    struct trail_rec r;
    const char *bad[] = {"",
                         "[]",
                         "{",
                         "{\"a\":}",
                         "{\"a\":tru}",
                         "{\"a\":1,}",
                         "{\"a\":[1,2}",
                         "{\"a\":{\"b\":1]}",
                         "{\"a\":1} x",
                         "{a:1}",
                         "{\"a\" 1}",
                         "{\"a\":\"x}"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (trail_rec_parse(bad[i], strlen(bad[i]), &r) != -1)
            fail_msg("accepted: %s", bad[i]);
    assert_int_equal(trail_rec_parse(" {} ", 4, &r), 0);
    assert_int_equal(r.ntop, 0);
}

static char *tmpfile_with(const char *data, size_t len, int gz)
{
    char *path = xstrdup("/tmp/ansim-trail-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    if (gz) {
        gzFile f = gzopen(path, "wb");
        assert_int_equal(gzwrite(f, data, (unsigned)len), (int)len);
        gzclose(f);
    } else {
        FILE *f = fopen(path, "wb");
        assert_int_equal(fwrite(data, 1, len, f), len);
        fclose(f);
    }
    return path;
}

struct tally {
    int records;
    char names[8][32];
};

static int tally_cb(void *arg, const struct trail_rec *r)
{
    struct tally *t = arg;
    struct trail_val v = trail_get(r, "eventName");
    if (t->records < 8)
        trail_text(&v, t->names[t->records], sizeof t->names[0]);
    t->records++;
    return 0;
}

/* Scan a file: the result, records and names in t. */
static int scan_file(const char *path, struct tally *t, struct trail_file_result *res)
{
    memset(t, 0, sizeof *t);
    memset(res, 0, sizeof *res);
    char err[ERRLEN];
    struct trail_src *src = trail_src_open(path, err, sizeof err);
    assert_non_null(src);
    int rc = trail_scan_src(src, path, tally_cb, t, res);
    trail_src_close(src);
    return rc;
}

static void test_trail_file_shapes_plain_and_gzip(void **state)
{
    (void)state;
    const char *docs[] = {
        "{\"Records\":[{\"eventName\":\"A\"},{\"eventName\":\"B\"},{\"eventName\":\"C\"}]}",
        " { \"Records\" : [ {\"eventName\":\"A\"} , {\"eventName\":\"B\"},{\"eventName\":\"C\"} ] , "
        "\"x\":[1]}\n",
        "[{\"eventName\":\"A\"},{\"eventName\":\"B\"},{\"eventName\":\"C\"}]",
        "{\"eventName\":\"A\"}\n{\"eventName\":\"B\"}\n{\"eventName\":\"C\"}\n",
        "{\"Records\":[{\"eventName\":\"A\"},{\"eventName\":\"B\"}]}{\"Records\":[{\"eventName\":\"C\"}]}",
        /* LookupEvents output: each record a JSON string in CloudTrailEvent */
        "{\"Events\":[{\"EventName\":\"x\",\"CloudTrailEvent\":\"{\\\"eventName\\\":\\\"A\\\"}\"},"
        "{\"CloudTrailEvent\":\"{\\\"eventName\\\":\\\"B\\\",\\\"n\\\":{}}\"},"
        "{\"CloudTrailEvent\":\" {\\\"eventName\\\":\\\"C\\\"} \"}],\"NextToken\":\"t\"}",
    };
    for (size_t i = 0; i < sizeof docs / sizeof *docs; i++)
        for (int gz = 0; gz <= 1; gz++) {
            char *path = tmpfile_with(docs[i], strlen(docs[i]), gz);
            struct tally t;
            struct trail_file_result res;
            if (scan_file(path, &t, &res) != 0)
                fail_msg("doc %zu gz %d: %s", i, gz, res.err);
            assert_int_equal(t.records, 3);
            assert_int_equal(res.records, 3);
            assert_string_equal(t.names[0], "A");
            assert_string_equal(t.names[2], "C");
            assert_int_equal(res.bytes_out, strlen(docs[i]));
            unlink(path);
            free(path);
        }
}

static void test_trail_records_larger_than_the_window(void **state)
{
    (void)state;
    /* 3 records of 1.5 MB each: every one crosses the 1 MiB starting window */
    struct strbuf sb;
    sb_init(&sb);
    sb_puts(&sb, "{\"Records\":[");
    size_t big = 1500 * 1000;
    char *pad = xmalloc(big + 1);
    memset(pad, 'x', big);
    pad[big] = 0;
    for (int i = 0; i < 3; i++)
        sb_printf(&sb, "%s{\"pad\":\"%s\",\"eventName\":\"E%d\"}", i ? "," : "", pad, i);
    sb_puts(&sb, "]}");
    free(pad);
    char *path = tmpfile_with(sb.buf, sb.len, 1);
    struct tally t;
    struct trail_file_result res;
    assert_int_equal(scan_file(path, &t, &res), 0);
    assert_int_equal(t.records, 3);
    assert_string_equal(t.names[2], "E2");
    assert_int_equal(res.bytes_out, sb.len);
    unlink(path);
    free(path);
    sb_free(&sb);
}

static void expect_failure(const char *data, size_t len, int gz, int records, const char *msg)
{
    char *path = tmpfile_with(data, len, gz);
    struct tally t;
    struct trail_file_result res;
    assert_int_equal(scan_file(path, &t, &res), -1);
    assert_int_equal(res.failed, 1);
    assert_int_equal(t.records, records);
    if (!strstr(res.err, msg) || !strstr(res.err, path))
        fail_msg("error \"%s\" lacks \"%s\" or the path", res.err, msg);
    unlink(path);
    free(path);
}

static void test_trail_broken_files_give_an_error_after_the_good_records(void **state)
{
    (void)state;
    const char *trunc = "{\"Records\":[{\"eventName\":\"A\"},{\"eventName\":\"B\",\"x\":{\"y\":";
    expect_failure(trunc, strlen(trunc), 0, 1, "truncated JSON");
    expect_failure(trunc, strlen(trunc), 1, 1, "truncated JSON");
    const char *unclosed = "{\"Records\":[{\"eventName\":\"A\"}";
    expect_failure(unclosed, strlen(unclosed), 0, 1, "inside the Records array");
    const char *bad = "{\"Records\":[{\"eventName\":\"A\"},{\"eventName\":\"B\":1}]}";
    expect_failure(bad, strlen(bad), 0, 1, "offset 30: malformed JSON");
    const char *notobj = "{\"Records\":[{\"eventName\":\"A\"},7]}";
    expect_failure(notobj, strlen(notobj), 0, 1, "expected a record object");
    const char *nocomma = "[{\"eventName\":\"A\"} {\"eventName\":\"B\"}]";
    expect_failure(nocomma, strlen(nocomma), 0, 1, "expected a record object");
    expect_failure("hello", 5, 0, 0, "expected a JSON object or array");
    const char *badev = "{\"Events\":[{\"CloudTrailEvent\":\"{\\\"eventName\\\":\\\"A\\\"}\"},"
                        "{\"CloudTrailEvent\":\"{oops\"}]}";
    expect_failure(badev, strlen(badev), 0, 1, "CloudTrailEvent is not one JSON object");

    /* gzip: cut short, corrupted, and a second member appended */
    const char *doc = "{\"Records\":[{\"eventName\":\"A\"},{\"eventName\":\"B\"}]}";
    char *path = tmpfile_with(doc, strlen(doc), 1);
    FILE *f = fopen(path, "rb");
    char gz[512];
    size_t n = fread(gz, 1, sizeof gz, f);
    fclose(f);
    unlink(path);
    free(path);
    expect_failure(gz, n - 6, 0, 2, "truncated gzip"); /* the trailer cut: content whole, CRC unchecked */
    expect_failure(gz, n / 2, 0, 0, "truncated gzip");
    char bent[512];
    memcpy(bent, gz, n);
    bent[n / 2] ^= 0x55;
    bent[n / 2 + 1] ^= 0x55;
    path = tmpfile_with(bent, n, 0);
    struct tally t;
    struct trail_file_result res;
    assert_int_equal(scan_file(path, &t, &res), -1);
    assert_true(strstr(res.err, "gzip") != NULL);
    unlink(path);
    free(path);
    char twice[1024];
    memcpy(twice, gz, n);
    memcpy(twice + n, gz, n);
    expect_failure(twice, 2 * n, 0, 2, "data after the end of the compressed stream");
}

static void *begin_cb(void *ctx, size_t i, const char *path)
{
    (void)ctx;
    (void)i;
    (void)path;
    return xcalloc(1, sizeof(int));
}

static int rec_cb(void *state, const struct trail_rec *r)
{
    (void)r;
    (*(int *)state)++;
    return 0;
}

static void end_cb(void *ctx, void *state, size_t i, const struct trail_file_result *res)
{
    int *per = ctx;
    per[i] = res->failed ? -1 : *(int *)state;
    free(state);
}

static void test_trail_directory_scan_on_two_threads(void **state)
{
    (void)state;
    char dir[] = "/tmp/ansim-trail-dir-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *sub = xasprintf("%s/AWSLogs/1/CloudTrail/r/2026/11/01", dir);
    char *dsub = xasprintf("%s/AWSLogs/1/CloudTrail-Digest/r/2026/11/01", dir);
    char *cmd = xasprintf("mkdir -p %s %s", sub, dsub);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    for (int i = 0; i < 6; i++) {
        char *p = xasprintf("%s/f%d.json", sub, i);
        FILE *f = fopen(p, "w");
        fprintf(f, "{\"Records\":[");
        for (int k = 0; k <= i; k++)
            fprintf(f, "%s{\"eventName\":\"E\"}", k ? "," : "");
        fprintf(f, "]}");
        fclose(f);
        free(p);
    }
    char *digest = xasprintf("%s/d.json.gz", dsub), *side = xasprintf("%s/f0.json.meta.json", sub);
    char *broken = xasprintf("%s/g.json", sub);
    FILE *f = fopen(digest, "w");
    fclose(f);
    f = fopen(side, "w");
    fclose(f);
    f = fopen(broken, "w");
    fputs("{\"Records\":[{", f);
    fclose(f);
    struct trail_files files;
    char err[ERRLEN];
    assert_int_equal(trail_files_list(dir, &files, err, sizeof err), 0);
    assert_int_equal(files.n, 7); /* six logs and the broken one; no digest, no sidecar */
    assert_true(strstr(files.path[0], "/f0.json") != NULL);
    assert_true(strstr(files.path[6], "/g.json") != NULL);
    int per[7];
    struct trail_visitor v = {per, begin_cb, rec_cb, end_cb};
    struct trail_scan_stats st;
    assert_int_equal(trail_scan(&files, 2, 0, &v, &st, err, sizeof err), 0);
    assert_int_equal(st.files, 7);
    assert_int_equal(st.failed_files, 1);
    assert_int_equal(st.records, 21);
    for (int i = 0; i < 6; i++)
        assert_int_equal(per[i], i + 1);
    assert_int_equal(per[6], -1);
    trail_files_free(&files);
    assert_int_equal(trail_files_list("/nonexistent/ansim", &files, err, sizeof err), -1);
    assert_true(strstr(err, "/nonexistent/ansim") != NULL);
    cmd = xasprintf("rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(sub);
    free(dsub);
    free(digest);
    free(side);
    free(broken);
}

int run_trail_scan_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trail_fields_by_dotted_path),
        cmocka_unit_test(test_trail_malformed_records_are_refused),
        cmocka_unit_test(test_trail_file_shapes_plain_and_gzip),
        cmocka_unit_test(test_trail_records_larger_than_the_window),
        cmocka_unit_test(test_trail_broken_files_give_an_error_after_the_good_records),
        cmocka_unit_test(test_trail_directory_scan_on_two_threads),
    };
    return cmocka_run_group_tests_name("trail_scan", tests, NULL, NULL);
}
