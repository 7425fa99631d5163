/* test_trail_verify.c — the digest verifier's pieces: the string CloudTrail signs, key files
 * (DER/PEM, PKCS#1/SPKI, fingerprints), the signature check, and first-member gunzip. */
#include "support.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "../../src/trail/trail.h"
#include "../../src/util/util.h"

static void string_to_sign_is_four_lines_without_trailing_newline(void **state)
{
    (void)state;
    char *s = trail_string_to_sign("2026-11-02T01:00:31Z", "b", "AWSLogs/1/x.json.gz", "ab12", "ff00");
    assert_string_equal(s, "2026-11-02T01:00:31Z\nb/AWSLogs/1/x.json.gz\nab12\nff00");
    free(s);
}

static void string_to_sign_null_previous_is_literal_null(void **state)
{
    (void)state;
    char *s = trail_string_to_sign("E", "B", "K", "H", NULL);
    assert_string_equal(s, "E\nB/K\nH\nnull");
    free(s);
}

/* A fresh RSA-2048 key; its public half as PKCS#1 DER (*der, caller frees). */
static EVP_PKEY *new_key(unsigned char **der, size_t *len)
{
    EVP_PKEY *k = EVP_RSA_gen(2048);
    assert_non_null(k);
    unsigned char *p = NULL;
    int n = i2d_PublicKey(k, &p);
    assert_true(n > 0);
    *der = xmalloc((size_t)n);
    memcpy(*der, p, (size_t)n);
    *len = (size_t)n;
    OPENSSL_free(p);
    return k;
}

static char *sign_hex(EVP_PKEY *k, const char *msg)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char sig[512];
    size_t n = sizeof sig;
    assert_int_equal(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, k), 1);
    assert_int_equal(EVP_DigestSign(ctx, sig, &n, (const unsigned char *)msg, strlen(msg)), 1);
    EVP_MD_CTX_free(ctx);
    char *hex = xmalloc(2 * n + 1);
    for (size_t i = 0; i < n; i++)
        sprintf(hex + 2 * i, "%02X", sig[i]); /* upper case: hex compares case-insensitively */
    return hex;
}

static void signature_verifies_and_rejects_a_changed_string(void **state)
{
    (void)state;
    unsigned char *der;
    size_t len;
    EVP_PKEY *k = new_key(&der, &len);
    struct trail_key tk;
    char err[ERRLEN];
    assert_int_equal(trail_key_parse(der, len, &tk, err, sizeof err), 0);
    char *msg = trail_string_to_sign("E", "B", "K", "H", NULL), *sig = sign_hex(k, msg);
    assert_int_equal(trail_signature_verify(&tk, msg, strlen(msg), sig, err, sizeof err), 1);
    msg[0] = 'F';
    assert_int_equal(trail_signature_verify(&tk, msg, strlen(msg), sig, err, sizeof err), 0);
    assert_int_equal(trail_signature_verify(&tk, msg, strlen(msg), "zz", err, sizeof err), 0);
    free(msg);
    free(sig);
    free(tk.der);
    free(der);
    EVP_PKEY_free(k);
}

static void key_forms_share_the_pkcs1_fingerprint(void **state)
{
    (void)state;
    unsigned char *der, *spki = NULL;
    size_t len;
    EVP_PKEY *k = new_key(&der, &len);
    char fp[33], err[ERRLEN];
    trail_key_fingerprint(der, len, fp);
    assert_int_equal(strlen(fp), 32);
    int n = i2d_PUBKEY(k, &spki);
    struct trail_key a, b;
    assert_int_equal(trail_key_parse(der, len, &a, err, sizeof err), 0);
    assert_string_equal(a.fingerprint, fp);
    assert_int_equal(trail_key_parse(spki, (size_t)n, &b, err, sizeof err), 0);
    assert_string_not_equal(b.fingerprint, fp); /* MD5 of the SPKI bytes as stored */
    assert_true(trail_key_matches(&b, fp));     /* yet it answers to the PKCS#1 fingerprint */
    char upper[33];
    for (int i = 0; i < 33; i++)
        upper[i] = (char)(fp[i] >= 'a' && fp[i] <= 'f' ? fp[i] - 32 : fp[i]);
    assert_true(trail_key_matches(&a, upper));
    assert_false(trail_key_matches(&a, "00000000000000000000000000000000"));
    free(b.der);
    assert_int_equal(trail_key_parse((const unsigned char *)"junk", 4, &b, err, sizeof err), -1);
    free(a.der);
    OPENSSL_free(spki);
    free(der);
    EVP_PKEY_free(k);
}

static void write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    fclose(f);
}

static void key_directory_loads_der_and_pem_and_checks_names(void **state)
{
    (void)state;
    char dir[] = "/tmp/ansim-keys-XXXXXX";
    assert_non_null(mkdtemp(dir));
    unsigned char *der1, *der2;
    size_t l1, l2;
    EVP_PKEY *k1 = new_key(&der1, &l1), *k2 = new_key(&der2, &l2);
    char fp1[33], fp2[33], err[ERRLEN];
    trail_key_fingerprint(der1, l1, fp1);
    trail_key_fingerprint(der2, l2, fp2);
    char *p1 = xasprintf("%s/%s.der", dir, fp1), *p2 = xasprintf("%s/%s.pem", dir, fp2);
    char *p3 = xasprintf("%s/README.txt", dir);
    write_file(p1, der1, l1);
    BIO *bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PUBKEY(bio, k2); /* SubjectPublicKeyInfo PEM, named by the PKCS#1 fingerprint */
    char *pem;
    long pl = BIO_get_mem_data(bio, &pem);
    write_file(p2, pem, (size_t)pl);
    BIO_free(bio);
    write_file(p3, "not a key", 9);
    struct trail_key *keys;
    size_t n;
    assert_int_equal(trail_keys_load_dir(dir, &keys, &n, err, sizeof err), 0);
    assert_int_equal(n, 2);
    assert_true(trail_key_matches(&keys[0], fp1) || trail_key_matches(&keys[1], fp1));
    assert_true(trail_key_matches(&keys[0], fp2) || trail_key_matches(&keys[1], fp2));
    trail_keys_free(keys, n);
    /* a key under another key's fingerprint is refused */
    char *p4 = xasprintf("%s/%s.der", dir, fp2);
    write_file(p4, der1, l1);
    assert_int_equal(trail_keys_load_dir(dir, &keys, &n, err, sizeof err), -1);
    assert_non_null(strstr(err, "fingerprint"));
    unlink(p1), unlink(p2), unlink(p3), unlink(p4);
    assert_int_equal(trail_keys_load_dir(dir, &keys, &n, err, sizeof err), -1); /* empty: an error */
    rmdir(dir);
    free(p1), free(p2), free(p3), free(p4), free(der1), free(der2);
    EVP_PKEY_free(k1);
    EVP_PKEY_free(k2);
}

/* gzip of s into out (cap bytes); returns its length. */
static size_t gz(const char *s, unsigned char *out, size_t cap)
{
    z_stream z = {0};
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (unsigned char *)s;
    z.avail_in = (uInt)strlen(s);
    z.next_out = out;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    size_t n = z.total_out;
    deflateEnd(&z);
    return n;
}

/* buf[0..n) written to a new temporary file (caller unlinks and frees the name). */
static char *temp_with(const unsigned char *buf, size_t n)
{
    char *path = xstrdup("/tmp/ansim-gz-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, buf, n), (ssize_t)n);
    close(fd);
    return path;
}

static int gunzip_buf(const unsigned char *buf, size_t n, size_t max, char **out, size_t *len, char *err)
{
    char *path = temp_with(buf, n);
    int rc = trail_gunzip_file(path, max, out, len, err, ERRLEN);
    unlink(path);
    free(path);
    return rc;
}

static void gunzip_takes_the_first_member_only(void **state)
{
    (void)state;
    unsigned char buf[512];
    char *out;
    size_t n = gz("{\"Records\":[]}", buf, sizeof buf), len;
    char err[ERRLEN];
    assert_int_equal(gunzip_buf(buf, n, 1 << 20, &out, &len, err), 0);
    assert_int_equal(len, 14);
    assert_string_equal(out, "{\"Records\":[]}");
    free(out);
    size_t m = gz("more", buf + n, sizeof buf - n);
    assert_int_equal(gunzip_buf(buf, n + m, 1 << 20, &out, &len, err), -1);
    assert_string_equal(err, "unexpected data after end of compressed stream");
    assert_int_equal(gunzip_buf(buf, n / 2, 1 << 20, &out, &len, err), -1);
    assert_non_null(strstr(err, "truncated"));
    assert_int_equal(gunzip_buf(buf, n, 4, &out, &len, err), -1); /* over max */
    assert_int_equal(gunzip_buf((const unsigned char *)"plain", 5, 1 << 20, &out, &len, err), -1);
    assert_string_equal(err, "invalid format: not gzip data");
    assert_int_equal(trail_gunzip_file("/nonexistent/x.gz", 1 << 20, &out, &len, err, sizeof err), -2);
}

static void result_json_has_the_issue_shape(void **state)
{
    (void)state;
    struct trail_problem p = {"log_missing", "AWSLogs/x", "not found"};
    struct trail_verify_result r = {3, 1, 0, 10, 0, 1, &p, 1};
    json_t *j = trail_verify_json(&r);
    char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(s, "{\"digests\":{\"invalid\":1,\"missing\":0,\"valid\":3},\"logs\":{\"invalid\":0,"
                           "\"missing\":1,\"valid\":10},\"problems\":[{\"detail\":\"not found\",\"kind\":"
                           "\"log_missing\",\"path\":\"AWSLogs/x\"}]}");
    free(s);
    json_decref(j);
}

int run_trail_verify_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(string_to_sign_is_four_lines_without_trailing_newline),
        cmocka_unit_test(string_to_sign_null_previous_is_literal_null),
        cmocka_unit_test(signature_verifies_and_rejects_a_changed_string),
        cmocka_unit_test(key_forms_share_the_pkcs1_fingerprint),
        cmocka_unit_test(key_directory_loads_der_and_pem_and_checks_names),
        cmocka_unit_test(gunzip_takes_the_first_member_only),
        cmocka_unit_test(result_json_has_the_issue_shape),
    };
    return cmocka_run_group_tests_name("trail_verify", tests, NULL, NULL);
}
