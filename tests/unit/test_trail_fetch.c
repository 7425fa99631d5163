/* test_trail_fetch.c — the parse-like parts of `ansim trail fetch` (src/trail/fetch.c): which
 * S3 keys may become paths, the ListPublicKeys answer saved as <fingerprint>.der files, and
 * the client flag that alone lets s3:GetObject be sent. The copying itself is tested against
 * moto by tests/trail_fetch.py. */
#include "support.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/aws/aws.h"
#include "../../src/trail/trail.h"
#include "../../src/util/util.h"
#include "canned.h"

static int safe(const char *key) { return trail_key_safe(key, strlen(key)); }

static void keys_that_could_leave_the_directory_are_refused(void **state)
{
    (void)state;
    assert_true(safe("AWSLogs/111122223333/CloudTrail/us-east-1/2024/01/05/"
                     "111122223333_CloudTrail_us-east-1_20240105T1005Z_abc.json.gz"));
    assert_true(safe("pre/AWSLogs/o-abc/1/CloudTrail-Digest/r/2024/01/05/a b+c%2F..x.json.gz"));
    assert_true(safe("a..b/...c")); /* dots inside a name are fine; only "." and ".." components are not */
    assert_false(safe(""));
    assert_false(safe("AWSLogs/../../x"));
    assert_false(safe("../x"));
    assert_false(safe("a/.."));
    assert_false(safe("a/./b"));
    assert_false(safe("./a"));
    assert_false(safe("/etc/passwd"));
    assert_false(safe("a//b"));         /* the same file as a/b */
    assert_false(safe("a/b/"));         /* a folder marker, not a file */
    assert_false(safe("a\\..\\..\\b")); /* backslashes */
    assert_false(safe("a/b\nc"));       /* control characters */
    assert_false(safe("a/b\x7f"));
    assert_false(trail_key_safe("a/b\0/../../x", 12)); /* a NUL inside the key */
    char longname[300];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    assert_false(safe(longname)); /* a component longer than NAME_MAX */
    char *deep = xmalloc(1100);
    for (int i = 0; i < 1098; i += 2)
        memcpy(deep + i, "a/", 2);
    deep[1097] = 'a';
    deep[1098] = '\0';
    assert_false(safe(deep)); /* longer than an S3 key can be */
    free(deep);
}

static char *md5_hex(const unsigned char *b, size_t n)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    assert_true(EVP_Digest(b, n, md, &len, EVP_md5(), NULL));
    char *out = xmalloc(33);
    for (unsigned i = 0; i < 16; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
    return out;
}

static char *b64(const unsigned char *b, size_t n)
{
    char *out = xmalloc(4 * ((n + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)out, b, (int)n);
    return out;
}

static char *tmpdir(void)
{
    char *d = xstrdup("/tmp/ansim-keys-XXXXXX");
    assert_non_null(mkdtemp(d));
    return d;
}

static void rm_dir(const char *d)
{
    char *cmd = xasprintf("rm -rf '%s'", d);
    assert_int_equal(system(cmd), 0);
    free(cmd);
}

/* A ListPublicKeys answer as CloudTrail sends it (botocore's shape: PublicKeyList of Value
 * (blob: base64), ValidityStartTime/ValidityEndTime (epoch seconds), Fingerprint; NextToken). */
static void public_keys_are_saved_as_der_by_fingerprint(void **state)
{
    (void)state;
    unsigned char k1[270], k2[294];
    for (size_t i = 0; i < sizeof k1; i++)
        k1[i] = (unsigned char)(i * 7 + 3);
    for (size_t i = 0; i < sizeof k2; i++)
        k2[i] = (unsigned char)(255 - i);
    char *v1 = b64(k1, sizeof k1), *v2 = b64(k2, sizeof k2), *f1 = md5_hex(k1, sizeof k1),
         *f2 = md5_hex(k2, sizeof k2);
    f2[0] = f2[0] >= 'a' ? (char)(f2[0] - 32) : f2[0]; /* upper case in the answer: saved lower case */
    char *body =
        xasprintf("{\"PublicKeyList\":[{\"Value\":\"%s\",\"ValidityStartTime\":1.704067200E9,"
                  "\"ValidityEndTime\":1.735689600E9,\"Fingerprint\":\"%s\"},"
                  "{\"Value\":\"%s\",\"ValidityStartTime\":1704067200,\"ValidityEndTime\":1735689600,"
                  "\"Fingerprint\":\"%s\"}],\"NextToken\":\"page-2\"}",
                  v1, f1, v2, f2);
    char *dir = tmpdir(), *sub = xasprintf("%s/keys/new", dir), err[ERRLEN] = "", *next = NULL;
    size_t saved = 0;
    assert_int_equal(trail_public_keys_save(body, strlen(body), sub, &saved, &next, err, sizeof err), 0);
    assert_int_equal(saved, 2);
    assert_string_equal(next, "page-2");
    free(next);
    f2[0] = (char)(f2[0] >= 'A' && f2[0] <= 'F' ? f2[0] + 32 : f2[0]);
    const char *fps[] = {f1, f2};
    const unsigned char *bytes[] = {k1, k2};
    size_t lens[] = {sizeof k1, sizeof k2};
    for (int i = 0; i < 2; i++) {
        char *path = xasprintf("%s/%s.der", sub, fps[i]);
        size_t len = 0;
        char *got = file_read(path, &len, err, sizeof err);
        assert_non_null(got);
        assert_int_equal(len, lens[i]);
        assert_memory_equal(got, bytes[i], lens[i]);
        free(got);
        free(path);
    }
    /* the last page: no NextToken */
    const char *empty = "{\"PublicKeyList\":[]}";
    saved = 0;
    assert_int_equal(trail_public_keys_save(empty, strlen(empty), sub, &saved, &next, err, sizeof err), 0);
    assert_int_equal(saved, 0);
    assert_null(next);
    free(body);
    free(sub);
    rm_dir(dir);
    free(dir);
    free(v1);
    free(v2);
    free(f1);
    free(f2);
}

static void bad_public_keys_are_errors_and_write_nothing(void **state)
{
    (void)state;
    unsigned char k[64];
    memset(k, 0x5a, sizeof k);
    char *v = b64(k, sizeof k), *fp = md5_hex(k, sizeof k), *dir = tmpdir(), err[ERRLEN], *next = NULL;
    char other[33];
    memcpy(other, fp, 33);
    other[0] = other[0] == '0' ? '1' : '0';
    char *cases[] = {
        /* a fingerprint that is not the MD5 of the key */
        xasprintf("{\"PublicKeyList\":[{\"Value\":\"%s\",\"Fingerprint\":\"%s\"}]}", v, other),
        /* a fingerprint that would be a path */
        xasprintf("{\"PublicKeyList\":[{\"Value\":\"%s\",\"Fingerprint\":\"../../../../tmp/x\"}]}", v),
        xasprintf("{\"PublicKeyList\":[{\"Value\":\"%s\",\"Fingerprint\":\"%.31s/\"}]}", v, fp),
        /* not base64, a truncated base64, a missing value */
        xasprintf("{\"PublicKeyList\":[{\"Value\":\"%s!\",\"Fingerprint\":\"%s\"}]}", v, fp),
        xasprintf("{\"PublicKeyList\":[{\"Value\":\"QUJD\\u0000\",\"Fingerprint\":\"%s\"}]}", fp),
        xasprintf("{\"PublicKeyList\":[{\"Fingerprint\":\"%s\"}]}", fp),
        /* not JSON */
        xstrdup("{\"PublicKeyList\":["),
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        size_t saved = 0;
        err[0] = '\0';
        if (trail_public_keys_save(cases[i], strlen(cases[i]), dir, &saved, &next, err, sizeof err) != -1)
            fail_msg("case %zu was accepted", i);
        assert_int_equal(saved, 0);
        assert_null(next);
        assert_true(err[0] != '\0');
        free(cases[i]);
    }
    char *cmd = xasprintf("test -z \"$(ls -A '%s')\"", dir);
    assert_int_equal(system(cmd), 0); /* nothing written */
    free(cmd);
    rm_dir(dir);
    free(dir);
    free(v);
    free(fp);
}

/* s3:GetObject is denied by default; only a client with read_trail_objects may send it. */
static void get_object_needs_the_trail_flag(void **state)
{
    (void)state;
    struct aws_client c;
    memset(&c, 0, sizeof c);
    c.endpoint_url = "http://127.0.0.1:9"; /* never reached: the refusal comes first */
    c.cred.access_key_id = "AKIDEXAMPLE";
    c.cred.secret_access_key = "secret";
    c.max_attempts = 1;
    assert_false(aws_op_allowed("s3", "GetObject"));
    assert_false(aws_client_op_allowed(&c, "s3", "GetObject"));
    assert_false(aws_client_op_allowed(NULL, "s3", "GetObject"));
    const char *params[] = {"Bucket", "trail-bucket", "Key", "AWSLogs/1/CloudTrail/r/2024/01/01/a.json.gz"};
    struct aws_call call = {"s3", "us-east-1", "GetObject", params, 2, NULL};
    struct aws_result r;
    char err[ERRLEN] = "";
    assert_int_equal(aws_call(&c, &call, &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "s3:GetObject is not a read-only operation"));
    assert_int_equal(r.attempts, 0); /* nothing was sent */
    aws_result_free(&r);
    c.read_trail_objects = 1;
    assert_true(aws_client_op_allowed(&c, "s3", "GetObject"));
    assert_false(aws_op_allowed("s3", "GetObject")); /* the global list is unchanged */
    /* the flag opens that one operation, nothing else */
    assert_false(aws_client_op_allowed(&c, "s3", "GetObjectTorrent"));
    assert_false(aws_client_op_allowed(&c, "s3", "PutObject"));
    assert_false(aws_client_op_allowed(&c, "s3", "DeleteObject"));
    assert_false(aws_client_op_allowed(&c, "s3control", "GetObject"));
    assert_false(aws_client_op_allowed(&c, "secretsmanager", "GetSecretValue"));
    assert_true(aws_client_op_allowed(&c, "s3", "ListObjectsV2"));
    assert_true(aws_client_op_allowed(&c, "cloudtrail", "ListPublicKeys"));
    /* with the flag, the call is built and sent (here to a closed port: a transport error) */
    assert_int_equal(aws_call(&c, &call, &r, err, sizeof err), -1);
    assert_null(strstr(err, "not a read-only operation"));
    assert_int_equal(r.attempts, 1);
    aws_result_free(&r);
}

/* ---- the bucket's region, against a local stand-in for S3 ---- */

static int deny_listing; /* the stand-in answers ListObjectsV2 with AccessDenied */

/* S3 in eu-west-2: a listing signed for another region is redirected (301, no region
 * header, as some proxies answer), GetBucketLocation names the region. */
static void s3_in_eu_west_2(const char *head, const char *body, struct canned_reply *out)
{
    (void)body;
    size_t len = 0;
    const char *auth = canned_header(head, "Authorization", &len);
    int eu = auth && memmem(auth, len, "/eu-west-2/s3/aws4_request", 26) != NULL;
    if (strstr(head, "?location ") || strstr(head, "?location&")) {
        *out = (struct canned_reply){
            200, "application/xml", NULL,
            "<?xml version=\"1.0\"?><LocationConstraint xmlns=\"http://s3.amazonaws.com/"
            "doc/2006-03-01/\">eu-west-2</LocationConstraint>"};
    } else if (deny_listing) {
        *out =
            (struct canned_reply){403, "application/xml", NULL,
                                  "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"};
    } else if (!eu) {
        *out = (struct canned_reply){
            301, "application/xml", NULL,
            "<Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting "
            "to access must be addressed using the specified endpoint.</Message></Error>"};
    } else {
        *out = (struct canned_reply){
            200, "application/xml", NULL,
            "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            "<Name>trail-bucket</Name><Prefix>AWSLogs%2F</Prefix><KeyCount>0</KeyCount>"
            "<MaxKeys>1000</MaxKeys><Delimiter>%2F</Delimiter><IsTruncated>false</IsTruncated>"
            "<EncodingType>url</EncodingType></ListBucketResult>"};
    }
}

static void the_bucket_region_is_followed_and_denials_name_the_call(void **state)
{
    (void)state;
    struct canned_server srv;
    assert_int_equal(canned_start(&srv, s3_in_eu_west_2), 0);
    struct aws_client c;
    memset(&c, 0, sizeof c);
    c.endpoint_url = srv.url;
    c.cred.access_key_id = "AKIDEXAMPLE";
    c.cred.secret_access_key = "secret";
    c.max_attempts = 1;
    c.read_trail_objects = 1;
    char *dir = tmpdir(), err[ERRLEN] = "";
    struct trail_fetch_opts o = {"trail-bucket", "", dir, 0, 0, 2, 0, NULL, NULL};
    struct trail_fetch_stats st;
    deny_listing = 0;
    assert_int_equal(trail_fetch(&c, "us-east-1", &o, &st, err, sizeof err), 0);
    assert_int_equal(st.objects, 0);
    assert_int_equal(srv.requests, 3); /* redirected listing, GetBucketLocation, listing in eu-west-2 */
    deny_listing = 1;
    assert_int_equal(trail_fetch(&c, "us-east-1", &o, &st, err, sizeof err), -1);
    assert_non_null(strstr(err, "s3:ListObjectsV2 on bucket trail-bucket"));
    assert_non_null(strstr(err, "AccessDenied"));
    assert_null(strchr(err, '\n')); /* one line */
    canned_stop(&srv);
    aws_http_thread_done();
    rm_dir(dir);
    free(dir);
}

int run_trail_fetch_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keys_that_could_leave_the_directory_are_refused),
        cmocka_unit_test(public_keys_are_saved_as_der_by_fingerprint),
        cmocka_unit_test(bad_public_keys_are_errors_and_write_nothing),
        cmocka_unit_test(get_object_needs_the_trail_flag),
        cmocka_unit_test(the_bucket_region_is_followed_and_denials_name_the_call),
    };
    return cmocka_run_group_tests_name("trail fetch", tests, NULL, NULL);
}
