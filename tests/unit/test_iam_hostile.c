/*
 * test_iam_hostile.c — the IAM engine on hostile input: wildcard matching takes linear work
 * (counted with iam_glob_steps, never timed) on `*a*a…b`, long pieces, '?' runs and star
 * runs, and agrees with a plain dynamic-programming matcher on random patterns; compiling
 * and evaluating 100,000 statements, condition keys, condition values, context keys,
 * policy variables or policies scales linearly (n against 4n, loosely); malformed IPs,
 * CIDRs, numbers, dates, variables and value types give clean answers or clean errors.
 */
#include "support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../src/iam/iam.h"
#include "../../src/util/util.h"

#define USER "arn:aws:iam::111122223333:user/alice"
#define BIG 100000

/* ---- wildcard matching: counted work ---- */

static char *repeat(const char *unit, size_t times, const char *suffix)
{
    size_t ul = strlen(unit), sl = strlen(suffix);
    char *s = xcalloc(ul * times + sl + 1, 1);
    for (size_t i = 0; i < times; i++)
        memcpy(s + i * ul, unit, ul);
    memcpy(s + ul * times, suffix, sl);
    return s;
}

/* The steps iam_glob_steps takes, checking its answer. */
static size_t steps_of(const char *pattern, const char *text, int fold, int want)
{
    size_t steps = 0;
    assert_int_equal(iam_glob_steps(pattern, text, fold, &steps), want);
    return steps;
}

/* A hostile pattern against n and 4n characters of text: the work stays within c·(n + m)
 * and grows 4-fold, not 16-fold. text_unit repeated makes the text, tail ends it. */
static void linear_in_text(const char *pattern, const char *text_unit, const char *tail, int want, size_t c)
{
    size_t m = strlen(pattern), s[2];
    for (int k = 0; k < 2; k++) {
        size_t n = k ? 4 * BIG : BIG;
        char *text = repeat(text_unit, n / strlen(text_unit), tail);
        s[k] = steps_of(pattern, text, 0, want);
        if (s[k] > c * (n + m))
            fail_msg("%zu steps for a text of %zu and a pattern of %zu: more than %zu·(n + m)", s[k], n, m,
                     c);
        free(text);
    }
    if (s[1] > 5 * s[0])
        fail_msg("4 times the text took %.1f times the steps", (double)s[1] / (double)s[0]);
}

static void glob_work_is_linear(void **state)
{
    (void)state;
    /* the backtracking killers: many stars, one long piece between stars */
    linear_in_text("*a*a*a*a*a*a*a*a*b", "a", "", 0, 4);
    linear_in_text("*a*a*a*a*a*a*a*a*b*", "a", "", 0, 4);
    linear_in_text("*a*a*a*a*a*a*a*a*b", "a", "b", 1, 4);
    char *p = repeat("*a", 1000, "b"); /* 1,000 stars */
    linear_in_text(p, "a", "", 0, 4);
    linear_in_text(p, "a", "b", 1, 4);
    free(p);
    p = repeat("a", 5000, "b*"); /* "*aaaa…ab*": 5,000 × n steps for a greedy backtracker */
    p[0] = '*';
    linear_in_text(p, "a", "", 0, 4);
    linear_in_text(p, "a", "b", 1, 4);
    free(p);
    p = repeat("ab", 2000, "*");
    p[0] = '*';
    linear_in_text(p, "ab", "", 1, 4); /* a periodic piece found after periodic text */
    free(p);
    /* star runs and question-mark runs */
    p = repeat("*", 50000, "b");
    linear_in_text(p, "a", "", 0, 4);
    free(p);
    p = repeat("*?", 50000, "");
    linear_in_text(p, "a", "", 1, 4);
    free(p);
    p = repeat("?", BIG, "");
    char *text = repeat("a", BIG, "");
    assert_true(steps_of(p, text, 0, 1) <= 2 * BIG);
    text[BIG - 1] = '\0';
    steps_of(p, text, 0, 0);
    free(p);
    free(text);
    /* a short piece with '?' (one machine word): linear */
    linear_in_text("*a?a?a?a?b*", "a", "", 0, 8);
    linear_in_text("*a?a?a?a?b*", "a", "ab", 1, 8);
    /* a long piece with '?' costs ⌈k/64⌉ word steps per text character (k = 2,001 here) */
    char *piece = repeat("a?", 1000, "b*");
    p = xasprintf("*%s", piece);
    free(piece);
    linear_in_text(p, "a", "", 0, 2 * 32);
    linear_in_text(p, "a", "b", 1, 2 * 32);
    free(p);
    /* case-folded (actions) and escaped ('\x01' is a literal '*') patterns take the same path */
    text = repeat("a", BIG, "B");
    assert_true(steps_of("*A*A*A*A*A*A*A*A*b", text, 1, 1) <= 4 * BIG);
    assert_true(steps_of("*a\x01*", text, 0, 0) <= 4 * BIG);
    free(text);
}

/* The reference: which prefixes of t the pattern's prefix matches, one pattern byte at a
 * time. Slow (n·m) and obviously right. */
static int dp_match(const char *p, const char *t, int fold)
{
    size_t tn = strlen(t);
    char *cur = xcalloc(tn + 1, 1), *nxt = xcalloc(tn + 1, 1);
    cur[0] = 1;
    for (; *p; p++) {
        int any = 0;
        for (size_t j = 0; j <= tn; j++) {
            if (*p == '*') {
                any |= cur[j];
                nxt[j] = (char)any;
                continue;
            }
            char want = *p == '\x01' ? '*' : *p == '\x02' ? '?' : *p;
            char got = j ? t[j - 1] : 0;
            if (fold && want >= 'A' && want <= 'Z')
                want = (char)(want + 32);
            if (fold && got >= 'A' && got <= 'Z')
                got = (char)(got + 32);
            nxt[j] = (char)(j && cur[j - 1] && (*p == '?' || want == got));
        }
        char *x = cur;
        cur = nxt;
        nxt = x;
    }
    int r = cur[tn];
    free(cur);
    free(nxt);
    return r;
}

static void glob_agrees_with_reference(void **state)
{
    (void)state;
    srand(20261125);
    static const char *pattern_chars[] = {"ab*?", "aaab*?\x01\x02A", "aaaaaaab?*"};
    char p[300], t[1500];
    int matched = 0;
    for (int it = 0; it < 20000; it++) {
        int big = it % 40 == 0; /* long pieces (several machine words), texts past one window */
        size_t pn = (size_t)rand() % (big ? 299 : 14), tn = (size_t)rand() % (big ? 1499 : 24);
        const char *pc = pattern_chars[it % 3], *tc = it % 2 ? "ab*?A" : "aaaaab";
        for (size_t i = 0; i < pn; i++)
            p[i] = pc[(size_t)rand() % strlen(pc)];
        p[pn] = '\0';
        for (size_t i = 0; i < tn; i++)
            t[i] = tc[(size_t)rand() % strlen(tc)];
        t[tn] = '\0';
        if (rand() % 3 == 0) { /* a text made from the pattern, so that many cases match */
            size_t j = 0;
            for (size_t i = 0; i < pn && j < sizeof t - 8; i++)
                if (p[i] == '*')
                    for (int r = rand() % 4; r > 0; r--)
                        t[j++] = 'a';
                else
                    t[j++] = p[i] == '?' ? 'b' : p[i] == '\x01' ? '*' : p[i] == '\x02' ? '?' : p[i];
            t[j] = '\0';
        }
        int fold = rand() % 2, want = dp_match(p, t, fold);
        matched += want;
        if (iam_glob(p, t, fold) != want)
            fail_msg("iam_glob(\"%s\", \"%s\", %d) != %d", p, t, fold, want);
    }
    assert_true(matched > 2000); /* the matching side was exercised too */
}

static void resource_matcher_on_hostile_arns(void **state)
{
    (void)state;
    char *arn = repeat("a", BIG, ""), *pat;
    memcpy(arn, "arn:aws:s3:::", 13);
    pat = repeat("*a", 1000, "*b");
    char *full = xasprintf("arn:aws:s3:::%s", pat);
    assert_false(iam_resource_match(full, arn));
    assert_false(iam_arn_like(full, arn));
    free(full);
    full = xasprintf("arn:*:s3:::%s", pat); /* a trailing-star field that may spill over the colons */
    assert_false(iam_resource_match(full, arn));
    free(full);
    free(pat);
    assert_true(iam_resource_match("arn:aws:s3:::a*a*a*a*", arn));
    assert_false(iam_resource_match("arn:aws:s3:::a*a*a*a*b", arn));
    assert_true(iam_arn_like("arn:*:*:*:*:*", arn));
    /* colons everywhere, no ARN shape in the pattern */
    char *colons = repeat(":", BIG, "");
    assert_false(iam_resource_match(colons, arn));
    assert_true(iam_resource_match(colons, colons));
    assert_false(iam_arn_like(colons, arn));
    free(colons);
    free(arn);
}

/* ---- whole policies: n against 4n, loosely ---- */

/* One identity policy doc (borrowed) for USER: compile it, evaluate action on resource with
 * context (borrowed, may be NULL), check the decision; also the CPU seconds it took. */
static double run(const json_t *doc, const json_t *context, const char *action, const char *resource,
                  enum iam_decision want)
{
    char err[256] = "";
    clock_t t0 = clock();
    struct iam_policy *p = iam_policy_compile(doc, "identity policy 0", err, sizeof err);
    if (!p)
        fail_msg("compile: %s", err);
    struct iam_request r;
    memset(&r, 0, sizeof r);
    r.principal = USER;
    r.action = action;
    r.resource = resource;
    r.context = context;
    r.identity = &p;
    r.nidentity = 1;
    struct iam_result res;
    if (iam_evaluate(&r, &res, err, sizeof err))
        fail_msg("evaluate: %s", err);
    double t = (double)(clock() - t0) / CLOCKS_PER_SEC;
    assert_int_equal(res.decision, want);
    json_decref(res.matched);
    iam_policy_free(p);
    return t;
}

static json_t *policy(json_t *statements)
{
    return json_pack("{s:s, s:o}", "Version", "2012-10-17", "Statement", statements);
}

/* A document of size n built by make(n, &context, &resource) evaluated at n = 25,000 and
 * 100,000: 4 times the size may take 8 times the time and a little (quadratic work would
 * take 16 times); CPU time, measured around compile and evaluate only. */
typedef json_t *(*builder)(size_t n, json_t **context, char **resource);

static void scales_linearly(const char *what, builder make, enum iam_decision want)
{
    double t[2];
    for (int k = 0; k < 2; k++) {
        json_t *context = NULL;
        char *resource = NULL;
        json_t *doc = make(k ? BIG : BIG / 4, &context, &resource);
        t[k] = run(doc, context, "s3:GetObject", resource ? resource : "arn:aws:s3:::b/k", want);
        json_decref(doc);
        json_decref(context);
        free(resource);
    }
    if (t[1] > 8 * t[0] + 0.25)
        fail_msg("%s: %.3f s for 25,000, %.3f s for 100,000", what, t[0], t[1]);
}

static json_t *many_statements(size_t n, json_t **context, char **resource)
{
    (void)context, (void)resource;
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        char res[64];
        snprintf(res, sizeof res, "arn:aws:s3:::other%zu/*", i);
        json_array_append_new(
            list, json_pack("{s:s, s:s, s:s}", "Effect", "Allow", "Action", "s3:Get*", "Resource", res));
    }
    return policy(list);
}

static json_t *many_condition_keys(size_t n, json_t **context, char **resource)
{
    (void)resource;
    json_t *keys = json_object();
    *context = json_object();
    for (size_t i = 0; i < n; i++) {
        char k[32];
        snprintf(k, sizeof k, "ctx:Key%zu", i);
        json_object_set_new(keys, k, json_string("v"));
        json_object_set_new(*context, k, json_string("v"));
    }
    return policy(json_pack("{s:s, s:s, s:s, s:{s:o}}", "Effect", "Allow", "Action", "*", "Resource", "*",
                            "Condition", "StringEquals", keys));
}

static json_t *many_values_both_sides(size_t n, json_t **context, char **resource)
{
    (void)resource;
    json_t *pvals = json_array(), *rvals = json_array();
    for (size_t i = 0; i < n; i++) {
        char v[32];
        snprintf(v, sizeof v, "policy-%zu", i);
        json_array_append_new(pvals, json_string(v));
        snprintf(v, sizeof v, "request-%zu", i);
        json_array_append_new(rvals, json_string(v));
    }
    *context = json_pack("{s:o}", "aws:TagKeys", rvals);
    return policy(json_pack("{s:s, s:s, s:s, s:{s:{s:o}}}", "Effect", "Allow", "Action", "*", "Resource", "*",
                            "Condition", "ForAnyValue:StringEquals", "aws:TagKeys", pvals));
}

static json_t *many_variables(size_t n, json_t **context, char **resource)
{
    (void)context;
    char *vars = repeat("${aws:username}", n, "/*"), *names = repeat("alice", n, "/k");
    char *pat = xasprintf("arn:aws:s3:::%s", vars);
    *resource = xasprintf("arn:aws:s3:::%s", names);
    json_t *doc = policy(json_pack("{s:s, s:s, s:s}", "Effect", "Allow", "Action", "s3:*", "Resource", pat));
    free(vars);
    free(names);
    free(pat);
    return doc;
}

static json_t *many_actions_and_resources(size_t n, json_t **context, char **resource)
{
    (void)context, (void)resource;
    json_t *actions = json_array(), *resources = json_array();
    for (size_t i = 0; i < n; i++) {
        char s[64];
        snprintf(s, sizeof s, "s3:Put%zu*", i);
        json_array_append_new(actions, json_string(s));
        snprintf(s, sizeof s, "arn:aws:s3:::b%zu/*", i);
        json_array_append_new(resources, json_string(s));
    }
    json_array_append_new(actions, json_string("s3:GetObject"));
    return policy(json_pack("{s:s, s:o, s:o}", "Effect", "Deny", "Action", actions, "Resource", resources));
}

static json_t *big_context(size_t n, json_t **context, char **resource)
{
    (void)resource;
    *context = json_object();
    for (size_t i = 0; i < n; i++) {
        char k[32];
        snprintf(k, sizeof k, "ctx:Key%zu", i);
        json_object_set_new(*context, k, json_string("v"));
    }
    json_object_set_new(*context, "aws:PrincipalArn", json_string("given")); /* the request's own wins */
    return policy(json_pack("{s:s, s:s, s:s, s:{s:{s:s, s:s}}}", "Effect", "Allow", "Action", "*", "Resource",
                            "*", "Condition", "StringEquals", "ctx:Key7", "v", "aws:PrincipalArn", "given"));
}

static void big_policies_scale_linearly(void **state)
{
    (void)state;
    scales_linearly("statements", many_statements, IAM_IMPLICIT_DENY);
    scales_linearly("condition keys", many_condition_keys, IAM_ALLOW);
    scales_linearly("condition values × request values", many_values_both_sides, IAM_IMPLICIT_DENY);
    scales_linearly("policy variables", many_variables, IAM_ALLOW);
    scales_linearly("actions and resources", many_actions_and_resources, IAM_IMPLICIT_DENY);
    scales_linearly("context keys", big_context, IAM_ALLOW);
}

/* A 10 MB document: megabyte strings and hostile patterns, against long request values. */
static void ten_megabyte_document(void **state)
{
    (void)state;
    size_t mb = 1000000;
    char *longaction = repeat("x", mb, "*"), *piece = repeat("a", mb, "b*"),
         *qpiece = repeat("a?", 2000, "b*");
    memcpy(longaction, "s3:", 3);
    piece[0] = qpiece[0] = '*';
    json_t *resources = json_pack("[s, s, s]", piece, qpiece, "arn:aws:s3:::*a*a*a*a*a*a*a*a*b");
    json_t *values = json_array();
    for (int i = 0; i < 5; i++)
        json_array_append_new(values, json_string(piece));
    json_t *doc = policy(json_pack("[{s:s, s:[s, s, s], s:o}, {s:s, s:s, s:s, s:{s:{s:o}}}]", "Effect",
                                   "Allow", "Action", longaction, "s3:*a*a*a*a*a*a*a*a*b", "s3:Get*",
                                   "Resource", resources, "Effect", "Deny", "Action", "*", "Resource", "*",
                                   "Condition", "StringLike", "ctx:long", values));
    char *text = repeat("a", 2 * mb, "");
    memcpy(text, "arn:aws:s3:::", 13);
    json_t *context = json_pack("{s:s}", "ctx:long", text + 13);
    run(doc, context, "s3:GetObject", text, IAM_IMPLICIT_DENY); /* nothing matches */
    text[2 * mb - 1] = 'b';
    json_object_set_new(context, "ctx:long", json_string("q"));
    run(doc, context, "s3:GetObject", text, IAM_ALLOW); /* the long piece, found at the very end */
    json_object_set_new(context, "ctx:long", json_string(text + 13));
    run(doc, context, "s3:GetObject", text, IAM_EXPLICIT_DENY);
    json_decref(context);
    json_decref(doc);
    free(text);
    free(longaction);
    free(piece);
    free(qpiece);
}

/* ---- malformed values and types ---- */

/* The decision for a request of USER with context (a JSON text) under one Allow statement
 * with the given condition (a JSON text). */
static enum iam_decision with_condition(const char *condition, const char *context)
{
    json_t *cond = json_loads(condition, 0, NULL), *ctx = json_loads(context, 0, NULL);
    assert_non_null(cond);
    assert_non_null(ctx);
    json_t *doc = policy(json_pack("{s:s, s:s, s:s, s:o}", "Effect", "Allow", "Action", "*", "Resource", "*",
                                   "Condition", cond));
    char err[256] = "";
    struct iam_policy *p = iam_policy_compile(doc, "p", err, sizeof err);
    if (!p)
        fail_msg("compile: %s", err);
    struct iam_request r;
    memset(&r, 0, sizeof r);
    r.principal = USER;
    r.action = "s3:GetObject";
    r.resource = "arn:aws:s3:::b/k";
    r.context = ctx;
    r.identity = &p;
    r.nidentity = 1;
    struct iam_result res;
    if (iam_evaluate(&r, &res, err, sizeof err))
        fail_msg("evaluate: %s", err);
    json_decref(res.matched);
    iam_policy_free(p);
    json_decref(doc);
    json_decref(ctx);
    return res.decision;
}

static enum iam_decision ip(const char *cidr, const char *addr)
{
    char *c = xasprintf("{\"IpAddress\": {\"aws:SourceIp\": \"%s\"}}", cidr);
    char *x = xasprintf("{\"aws:SourceIp\": \"%s\"}", addr);
    enum iam_decision d = with_condition(c, x);
    free(c);
    free(x);
    return d;
}

static enum iam_decision num(const char *op, const char *policy_value, const char *request_value)
{
    char *c = xasprintf("{\"%s\": {\"ctx:n\": \"%s\"}}", op, policy_value);
    char *x = xasprintf("{\"ctx:n\": \"%s\"}", request_value);
    enum iam_decision d = with_condition(c, x);
    free(c);
    free(x);
    return d;
}

static void malformed_values_match_nothing(void **state)
{
    (void)state;
    /* a CIDR whose prefix is not 0..32 (0..128) digits matches no address: not "/0" */
    const char *bad_cidrs[] = {"10.0.0.0/abc",
                               "10.0.0.0/",
                               "0.0.0.0/",
                               "0.0.0.0/x",
                               "0.0.0.0/-1",
                               "0.0.0.0/33",
                               "0.0.0.0/ 0",
                               "0.0.0.0/+0",
                               "::/129",
                               "::/0x",
                               "0.0.0.0/99999999999999999999",
                               "garbage/0",
                               "1.2.3.4.5",
                               "",
                               "0.0.0.0/0/0"};
    for (size_t i = 0; i < sizeof bad_cidrs / sizeof *bad_cidrs; i++)
        if (ip(bad_cidrs[i], "192.0.2.1") != IAM_IMPLICIT_DENY)
            fail_msg("IpAddress \"%s\" matched 192.0.2.1", bad_cidrs[i]);
    assert_int_equal(ip("0.0.0.0/0", "192.0.2.1"), IAM_ALLOW);
    assert_int_equal(ip("192.0.2.0/24", "192.0.2.1"), IAM_ALLOW);
    assert_int_equal(ip("192.0.2.1", "192.0.2.1"), IAM_ALLOW);
    assert_int_equal(ip("2001:db8::/32", "2001:db8::1"), IAM_ALLOW);
    assert_int_equal(ip("0.0.0.0/0", "2001:db8::1"), IAM_IMPLICIT_DENY);
    assert_int_equal(ip("0.0.0.0/0", "garbage"), IAM_IMPLICIT_DENY);
    /* numbers are decimal: no hex, inf, nan or blanks; out of range is ±infinity */
    const char *not_16[] = {"0x10", " 16", "16 ", "inf", "nan", "", "+", "1e", "16e+", "--16", "1 6"};
    for (size_t i = 0; i < sizeof not_16 / sizeof *not_16; i++)
        if (num("NumericEquals", not_16[i], "16") != IAM_IMPLICIT_DENY)
            fail_msg("NumericEquals \"%s\" equals 16", not_16[i]);
    const char *is_16[] = {"16", "16.0", "+16", "1.6e1", "160E-1", "16."};
    for (size_t i = 0; i < sizeof is_16 / sizeof *is_16; i++)
        if (num("NumericEquals", is_16[i], "16") != IAM_ALLOW)
            fail_msg("NumericEquals \"%s\" does not equal 16", is_16[i]);
    assert_int_equal(num("NumericLessThan", "1e999", "99999999999999999999999"), IAM_ALLOW);
    assert_int_equal(num("NumericGreaterThan", "-1e999", "-5"), IAM_ALLOW);
    assert_int_equal(num("NumericLessThan", "5", "1e999"), IAM_IMPLICIT_DENY);
    char *digits = repeat("9", BIG, ""); /* a 100,000-digit number */
    assert_int_equal(num("NumericGreaterThan", "5", digits), IAM_ALLOW);
    free(digits);
    /* dates that are not dates never compare */
    const char *bad_dates[] = {"2020-13-01", "2020-01-32", "9999-99-99T99:99:99Z",   "2020-01-01T",
                               "x",          "0x10",       "2020-01-01T00:00:00+99", "2020-01-01T00:00:00."};
    for (size_t i = 0; i < sizeof bad_dates / sizeof *bad_dates; i++) {
        if (num("DateLessThan", bad_dates[i], "2019-01-01T00:00:00Z") != IAM_IMPLICIT_DENY ||
            num("DateGreaterThan", bad_dates[i], "2019-01-01T00:00:00Z") != IAM_IMPLICIT_DENY)
            fail_msg("date \"%s\" compared", bad_dates[i]);
    }
    /* malformed policy variables: literal text or unresolved, never a crash */
    const char *vars[] = {"${",       "${${a}}", "${a, '", "${}", "${aws:username", "$${aws:username}}",
                          "${ , 'x'}"};
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) {
        char *c = xasprintf("{\"StringLike\": {\"ctx:v\": \"%s\"}}", vars[i]);
        with_condition(c, "{\"ctx:v\": \"alice\"}");
        free(c);
    }
    char *many = repeat("${", BIG, "}"), *c = xasprintf("{\"StringLike\": {\"ctx:v\": \"%s\"}}", many);
    assert_int_equal(with_condition(c, "{\"ctx:v\": \"x\"}"), IAM_IMPLICIT_DENY);
    free(many);
    free(c);
}

static void wrong_types_are_refused(void **state)
{
    (void)state;
    char err[256];
    const char *bad[] = {
        "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": [1], \"Resource\": \"*\"}}",
        "{\"Statement\": {\"Effect\": \"Allow\", \"NotAction\": true, \"Resource\": \"*\"}}",
        "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": [\"*\", 5]}}",
        "{\"Statement\": {\"Effect\": 1, \"Action\": \"*\", \"Resource\": \"*\"}}",
        "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*\", \"Condition\": {\"StringEquals\": "
        "{\"k\": "
        "{\"a\": 1}}}}}",
        "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*\", \"Condition\": {\"StringEquals\": "
        "\"k\"}}}",
        "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\"}, 7]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        json_t *doc = json_loads(bad[i], 0, NULL);
        assert_non_null(doc);
        err[0] = '\0';
        struct iam_policy *p = iam_policy_compile(doc, "p", err, sizeof err);
        if (p)
            fail_msg("accepted: %s", bad[i]);
        assert_true(strlen(err) > 0);
        json_decref(doc);
    }
    /* condition values may be numbers and booleans (AWS reads them as text) */
    assert_int_equal(with_condition("{\"NumericLessThan\": {\"ctx:n\": 10}, \"Bool\": {\"ctx:b\": true}}",
                                    "{\"ctx:n\": 5, \"ctx:b\": \"true\"}"),
                     IAM_ALLOW);
    /* a megabyte Sid does not crowd the reason out of the message */
    char *sid = repeat("가", BIG, "");
    json_t *doc =
        json_pack("{s:{s:s, s:s, s:s}}", "Statement", "Sid", sid, "Effect", "Permit", "Action", "*");
    assert_null(iam_policy_compile(doc, "p", err, sizeof err));
    assert_non_null(strstr(err, "Effect must be Allow or Deny"));
    json_decref(doc);
    free(sid);
    /* context values that are objects, lists of lists or null: an error, not a guess */
    const char *contexts[] = {"{\"k\": {\"a\": 1}}", "{\"k\": [[\"a\"]]}", "{\"k\": null}", "[\"k\"]",
                              "\"k\""};
    json_t *pdoc = policy(json_pack("{s:s, s:s, s:s}", "Effect", "Allow", "Action", "*", "Resource", "*"));
    struct iam_policy *p = iam_policy_compile(pdoc, "p", err, sizeof err);
    assert_non_null(p);
    for (size_t i = 0; i < sizeof contexts / sizeof *contexts; i++) {
        json_t *ctx = json_loads(contexts[i], JSON_DECODE_ANY, NULL);
        assert_non_null(ctx);
        struct iam_request r;
        memset(&r, 0, sizeof r);
        r.principal = USER;
        r.action = "s3:GetObject";
        r.resource = "*";
        r.context = ctx;
        r.identity = &p;
        r.nidentity = 1;
        struct iam_result res;
        err[0] = '\0';
        if (iam_evaluate(&r, &res, err, sizeof err) == 0)
            fail_msg("context %s accepted", contexts[i]);
        assert_true(strlen(err) > 0);
        json_decref(ctx);
    }
    iam_policy_free(p);
    json_decref(pdoc);
}

int run_iam_hostile_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(glob_work_is_linear),
        cmocka_unit_test(glob_agrees_with_reference),
        cmocka_unit_test(resource_matcher_on_hostile_arns),
        cmocka_unit_test(big_policies_scale_linearly),
        cmocka_unit_test(ten_megabyte_document),
        cmocka_unit_test(malformed_values_match_nothing),
        cmocka_unit_test(wrong_types_are_refused),
    };
    return cmocka_run_group_tests_name("iam engine on hostile input", tests, NULL, NULL);
}
