/*
 * test_sigv4.c — SigV4 against the AWS signing test suite (aws-c-auth vectors), read at run
 * time from ../shared/testdata/sigv4 (ANSIM_SIGV4_SUITE overrides): one test per case and
 * mode (header, query), asserting the canonical request, the string to sign, the signature
 * and the Authorization header / query string the suite's signed request carries. A missing
 * suite is a failure, not a skip.
 */
#include "support.h"

#include <dirent.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "../../src/aws/aws.h"
#include "../../src/util/util.h"

struct sigcase {
    char *dir, *name;
    int query; /* 0 header signing, 1 query signing */
};

static const char *suite_dir(void)
{
    const char *env = getenv("ANSIM_SIGV4_SUITE");
    return env && *env ? env : "../shared/testdata/sigv4";
}

static char *slurp(const char *dir, const char *file)
{
    char *path = xasprintf("%s/%s", dir, file);
    char err[ERRLEN];
    size_t len;
    char *s = file_read(path, &len, err, sizeof err);
    if (!s)
        fail_msg("%s", err);
    free(path);
    return s;
}

/* request.txt: "METHOD PATH[?QUERY] HTTP/1.1", headers (continuation lines start with
 * whitespace), a blank line, the body. */
struct parsed {
    char *method, *path, *query;
    struct aws_header h[32];
    char *hbuf[64];
    size_t nh, nbuf;
    char *body;
};

static void parse_request(char *text, struct parsed *r)
{
    memset(r, 0, sizeof *r);
    char *body = strstr(text, "\n\n");
    if (body) {
        *body = '\0';
        r->body = body + 2;
    }
    char *save = NULL, *line = strtok_r(text, "\n", &save);
    assert_non_null(line);
    char *sp = strchr(line, ' '), *last = strrchr(line, ' ');
    assert_true(sp && last && last > sp);
    *sp = '\0';
    *last = '\0';
    r->method = line;
    r->path = sp + 1;
    char *q = strchr(r->path, '?');
    if (q) {
        *q = '\0';
        r->query = q + 1;
    }
    while ((line = strtok_r(NULL, "\n", &save))) {
        if ((line[0] == ' ' || line[0] == '\t') && r->nh) {
            char *joined = xasprintf("%s\n%s", r->h[r->nh - 1].value, line);
            r->hbuf[r->nbuf++] = joined;
            r->h[r->nh - 1].value = joined;
            continue;
        }
        char *colon = strchr(line, ':');
        assert_non_null(colon);
        *colon = '\0';
        assert_true(r->nh < 32);
        r->h[r->nh].name = line;
        r->h[r->nh].value = colon + 1;
        r->nh++;
    }
}

/* The value of header name (case-insensitive) in a signed-request text, or NULL. */
static char *header_in(const char *signed_req, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = signed_req; p && *p;) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (len > n && strncasecmp(p, name, n) == 0 && p[n] == ':')
            return xstrndup(p + n + 1, len - n - 1);
        p = eol ? eol + 1 : NULL;
    }
    return NULL;
}

static char *trim_nl(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

static void sigv4_case(void **state)
{
    const struct sigcase *c = *state;
    char *ctx_text = slurp(c->dir, "context.json"), *req_text = slurp(c->dir, "request.txt");
    json_error_t je;
    json_t *ctx = json_loads(ctx_text, 0, &je);
    if (!ctx)
        fail_msg("%s/context.json: %s", c->dir, je.text);
    json_t *cr = json_object_get(ctx, "credentials");
    struct aws_credentials cred = {json_string_value(json_object_get(cr, "access_key_id")),
                                   json_string_value(json_object_get(cr, "secret_access_key")),
                                   json_string_value(json_object_get(cr, "token"))};
    time_t when;
    assert_int_equal(time_parse(json_string_value(json_object_get(ctx, "timestamp")), &when), 0);
    struct aws_sign_opts o = {json_string_value(json_object_get(ctx, "region")),
                              json_string_value(json_object_get(ctx, "service")),
                              when,
                              json_is_true(json_object_get(ctx, "normalize")),
                              1,
                              c->query ? 0 : json_is_true(json_object_get(ctx, "sign_body")),
                              json_is_true(json_object_get(ctx, "omit_session_token")),
                              (long)json_integer_value(json_object_get(ctx, "expiration_in_seconds"))};
    struct parsed r;
    parse_request(req_text, &r);
    struct aws_request req = {r.method, r.path, r.query, r.h, r.nh, r.body, r.body ? strlen(r.body) : 0};

    const char *mode = c->query ? "query" : "header";
    char file[64], err[ERRLEN] = "";
    struct aws_signed out;
    int rc = c->query ? aws_sign_query(&req, &cred, &o, &out, err, sizeof err)
                      : aws_sign_headers(&req, &cred, &o, &out, err, sizeof err);
    if (rc)
        fail_msg("%s: %s", c->name, err);

    snprintf(file, sizeof file, "%s-canonical-request.txt", mode);
    char *want = trim_nl(slurp(c->dir, file));
    assert_string_equal(out.canonical_request, want);
    free(want);
    snprintf(file, sizeof file, "%s-string-to-sign.txt", mode);
    want = trim_nl(slurp(c->dir, file));
    assert_string_equal(out.string_to_sign, want);
    free(want);
    snprintf(file, sizeof file, "%s-signature.txt", mode);
    want = trim_nl(slurp(c->dir, file));
    assert_string_equal(out.signature, want);
    free(want);

    snprintf(file, sizeof file, "%s-signed-request.txt", mode);
    char *signed_req = slurp(c->dir, file);
    if (c->query) {
        /* the signed request line carries exactly our query string */
        char *line = xstrndup(signed_req, strcspn(signed_req, "\n"));
        char *expect = xasprintf("%s %s?%s HTTP/1.1", r.method, r.path, out.query);
        assert_string_equal(line, expect);
        free(line);
        free(expect);
    } else {
        for (size_t i = 0; i < out.nadd; i++) {
            char *v = header_in(signed_req, out.add[i].name);
            if (!v)
                fail_msg("%s: signed request lacks %s", c->name, out.add[i].name);
            assert_string_equal(out.add[i].value, v);
            free(v);
        }
    }
    free(signed_req);
    aws_signed_free(&out);
    for (size_t i = 0; i < r.nbuf; i++)
        free(r.hbuf[i]);
    json_decref(ctx);
    free(ctx_text);
    free(req_text);
}

static void uri_encoding_keeps_only_unreserved(void **state)
{
    (void)state;
    char *e = aws_uri_encode("a b/ሴ~-_.*", strlen("a b/ሴ~-_.*"), 0);
    assert_string_equal(e, "a%20b%2F%E1%88%B4~-_.%2A");
    free(e);
    e = aws_uri_encode("/a b/", 5, 1);
    assert_string_equal(e, "/a%20b/");
    free(e);
}

static void bad_requests_are_refused(void **state)
{
    (void)state;
    struct aws_header h[] = {{"Host", "example.amazonaws.com"}, {"", "x"}};
    struct aws_request req = {"GET", "/", NULL, h, 2, NULL, 0};
    struct aws_credentials cred = {"AKIDEXAMPLE", "secret", NULL};
    struct aws_sign_opts o = {"us-east-1", "iam", 0, 1, 1, 0, 0, 0};
    struct aws_signed out;
    char err[ERRLEN] = "";
    assert_int_equal(aws_sign_headers(&req, &cred, &o, &out, err, sizeof err), -1);
    assert_non_null(strstr(err, "no name"));
    assert_null(strstr(err, "secret"));
    struct aws_credentials none = {NULL, NULL, NULL};
    req.nheaders = 1;
    assert_int_equal(aws_sign_headers(&req, &none, &o, &out, err, sizeof err), -1);
}

static int cmp_case(const void *a, const void *b)
{
    const struct sigcase *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : x->query - y->query;
}

int run_sigv4_tests(void)
{
    const char *dir = suite_dir();
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr,
                "sigv4: cannot open the AWS SigV4 test suite at %s "
                "(set ANSIM_SIGV4_SUITE or check out ../shared)\n",
                dir);
        return 1;
    }
    struct sigcase *cases = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *sub = xasprintf("%s/%s", dir, e->d_name);
        char *probe = xasprintf("%s/request.txt", sub);
        if (access(probe, R_OK) == 0) {
            for (int q = 0; q < 2; q++) {
                cases = xrealloc(cases, (n + 1) * sizeof *cases);
                cases[n++] =
                    (struct sigcase){xstrdup(sub), xasprintf("%s/%s", e->d_name, q ? "query" : "header"), q};
            }
        }
        free(probe);
        free(sub);
    }
    closedir(d);
    if (n < 20) {
        fprintf(stderr, "sigv4: only %zu cases under %s; the suite looks incomplete\n", n / 2, dir);
        return 1;
    }
    qsort(cases, n, sizeof *cases, cmp_case);
    struct CMUnitTest *tests = xcalloc(n + 2, sizeof *tests);
    for (size_t i = 0; i < n; i++)
        tests[i] = (struct CMUnitTest){cases[i].name, sigv4_case, NULL, NULL, &cases[i]};
    tests[n] = (struct CMUnitTest){"uri_encoding_keeps_only_unreserved", uri_encoding_keeps_only_unreserved,
                                   NULL, NULL, NULL};
    tests[n + 1] =
        (struct CMUnitTest){"bad_requests_are_refused", bad_requests_are_refused, NULL, NULL, NULL};
    int failed = _cmocka_run_group_tests("sigv4", tests, n + 2, NULL, NULL);
    for (size_t i = 0; i < n; i++) {
        free(cases[i].dir);
        free((char *)cases[i].name);
    }
    free(cases);
    free(tests);
    return failed;
}
