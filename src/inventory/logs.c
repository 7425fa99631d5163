/*
 * logs.c — SQL functions for the logging and monitoring controls: what a CloudWatch Logs
 * metric filter pattern watches, how long an S3 lifecycle keeps a trail's log files, and
 * whether a trail's event selectors record reads of a bucket's objects.
 *
 *   cw_filter_missing(pattern, event)       NULL when the filter pattern catches the event
 *                                           class, else the missing terms (", "-separated)
 *   s3_lifecycle_expiration(config, prefix) {"rule", "days"} or {"rule", "date"} of the
 *                                           soonest enabled expiration that reaches objects
 *                                           under prefix, or NULL when none does
 *   trail_s3_read_coverage(trail, bucket_arn)  {"level": all|partial|writes|none, "detail"}
 *
 * They are written in C rather than SQL because each walks nested lists (selectors of
 * conditions of values) and each is unit-tested (tests/unit/test_logs.c).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "inventory_internal.h"

/* ---- metric filter patterns ---- */

/*
 * The event classes of the CIS benchmark's CloudWatch section (Security Hub CloudWatch.1,
 * .3, .4 and .5). A pattern catches a class when every term below is one of its
 * comparisons. Comparisons are found by normalising the pattern: whitespace and double
 * quotes are removed, and the pattern is cut at every bracket, brace, `|`, `&` and comma,
 * so `{ ($.eventName = "CreateTrail") || ... }` yields the comparison
 * `$.eventName=CreateTrail`. Names are compared exactly (CloudTrail field names and values
 * are case-sensitive in filter patterns). The boolean structure is not parsed: a pattern
 * that names every event but joins them with && would be counted, which no real pattern
 * does.
 */
struct cw_event {
    const char *id;
    const char *terms[17];
    const char *alias[2]; /* alias[0] is accepted in place of the term alias[1] */
};

static const struct cw_event cw_events[] = {
    {"root-use", {"$.userIdentity.type=Root"}, {NULL, NULL}},
    {"console-login-without-mfa",
     {"$.eventName=ConsoleLogin", "$.additionalEventData.MFAUsed!=Yes"},
     {"$.additionalEventData.MFAUsed=No", "$.additionalEventData.MFAUsed!=Yes"}},
    {"iam-policy-changes",
     {"$.eventName=DeleteGroupPolicy", "$.eventName=DeleteRolePolicy", "$.eventName=DeleteUserPolicy",
      "$.eventName=PutGroupPolicy", "$.eventName=PutRolePolicy", "$.eventName=PutUserPolicy",
      "$.eventName=CreatePolicy", "$.eventName=DeletePolicy", "$.eventName=CreatePolicyVersion",
      "$.eventName=DeletePolicyVersion", "$.eventName=AttachRolePolicy", "$.eventName=DetachRolePolicy",
      "$.eventName=AttachUserPolicy", "$.eventName=DetachUserPolicy", "$.eventName=AttachGroupPolicy",
      "$.eventName=DetachGroupPolicy"},
     {NULL, NULL}},
    {"cloudtrail-changes",
     {"$.eventName=CreateTrail", "$.eventName=UpdateTrail", "$.eventName=DeleteTrail",
      "$.eventName=StartLogging", "$.eventName=StopLogging"},
     {NULL, NULL}},
};

/* The normalised pattern: ",cmp1,cmp2,...," (a new string). */
static char *normalise_pattern(const char *p)
{
    size_t n = strlen(p);
    char *out = xmalloc(n + 3), *o = out;
    *o++ = ',';
    for (; *p; p++) {
        if (strchr(" \t\r\n\"", *p))
            continue;
        *o++ = strchr("(){}|&,", *p) ? ',' : *p;
    }
    *o++ = ',';
    *o = '\0';
    return out;
}

static int has_comparison(const char *norm, const char *term)
{
    size_t n = strlen(term);
    for (const char *s = strstr(norm, term); s; s = strstr(s + 1, term))
        if (s[-1] == ',' && s[n] == ',')
            return 1;
    return 0;
}

static void fn_cw_filter_missing(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *pattern = (const char *)sqlite3_value_text(argv[0]);
    const char *event = (const char *)sqlite3_value_text(argv[1]);
    const struct cw_event *ev = NULL;
    for (size_t i = 0; event && i < sizeof cw_events / sizeof *cw_events; i++)
        if (strcmp(cw_events[i].id, event) == 0)
            ev = &cw_events[i];
    if (!ev) {
        sqlite3_result_error(ctx, "cw_filter_missing: unknown event class", -1);
        return;
    }
    char *norm = normalise_pattern(pattern ? pattern : "");
    struct strbuf missing;
    sb_init(&missing);
    for (size_t i = 0; i < sizeof ev->terms / sizeof *ev->terms && ev->terms[i]; i++) {
        const char *t = ev->terms[i];
        if (has_comparison(norm, t) ||
            (ev->alias[0] && strcmp(ev->alias[1], t) == 0 && has_comparison(norm, ev->alias[0])))
            continue;
        sb_printf(&missing, "%s%s", missing.len ? ", " : "", t);
    }
    free(norm);
    if (missing.len)
        sqlite3_result_text(ctx, missing.buf, -1, SQLITE_TRANSIENT);
    else
        sqlite3_result_null(ctx);
    sb_free(&missing);
}

/* ---- S3 lifecycle over a prefix ---- */

static int prefixes_overlap(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    return strncmp(a, b, la < lb ? la : lb) == 0;
}

/* Does an enabled lifecycle rule reach the (untagged) objects under prefix? A rule limited
 * by tags never does: CloudTrail does not tag its log files. A rule limited by object size
 * is assumed to (some log files may fall in the range). */
static int rule_reaches(json_t *rule, const char *prefix)
{
    const char *status = json_string_value(json_object_get(rule, "Status"));
    if (!status || strcmp(status, "Enabled") != 0)
        return 0;
    json_t *f = json_object_get(rule, "Filter"), *and = json_object_get(f, "And");
    if (json_object_get(f, "Tag") || json_array_size(json_object_get(and, "Tags")) > 0)
        return 0;
    const char *p = json_string_value(json_object_get(and, "Prefix"));
    if (!p)
        p = json_string_value(json_object_get(f, "Prefix"));
    if (!p)
        p = json_string_value(json_object_get(rule, "Prefix")); /* the older, filterless form */
    return !p || prefixes_overlap(p, prefix);
}

static void fn_s3_lifecycle_expiration(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *text = (const char *)sqlite3_value_text(argv[0]);
    const char *prefix = (const char *)sqlite3_value_text(argv[1]);
    json_t *cfg = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
    json_t *best = NULL, *rule;
    size_t i;
    json_array_foreach(json_object_get(cfg, "Rules"), i, rule)
    {
        if (!rule_reaches(rule, prefix ? prefix : ""))
            continue;
        json_t *exp = json_object_get(rule, "Expiration");
        json_t *days = json_object_get(exp, "Days");
        const char *date = json_string_value(json_object_get(exp, "Date"));
        const char *id = json_string_value(json_object_get(rule, "ID"));
        json_t *cand = NULL;
        if (json_is_integer(days))
            cand = json_pack("{s:s?, s:I}", "rule", id, "days", json_integer_value(days));
        else if (date)
            cand = json_pack("{s:s?, s:s}", "rule", id, "date", date);
        if (!cand)
            continue;
        /* a fixed date deletes everything once reached: it sorts before any age */
        json_t *bd = json_object_get(best, "days"), *cd = json_object_get(cand, "days");
        if (!best || (!cd && bd) || (cd && bd && json_integer_value(cd) < json_integer_value(bd))) {
            json_decref(best);
            best = cand;
        } else {
            json_decref(cand);
        }
    }
    json_decref(cfg);
    char *out = best ? json_dumps(best, JSON_COMPACT) : NULL;
    json_decref(best);
    if (out)
        sqlite3_result_text(ctx, out, -1, free);
    else
        sqlite3_result_null(ctx);
}

/* ---- a trail's S3 data events for one bucket ---- */

enum level { LV_NONE, LV_WRITES, LV_PARTIAL, LV_ALL };
static const char *const level_names[] = {"none", "writes", "partial", "all"};

struct coverage {
    enum level level;
    char *detail;
};

static void offer(struct coverage *c, enum level lv, char *detail)
{
    if (lv > c->level || (lv == c->level && !c->detail)) {
        free(c->detail);
        c->level = lv;
        c->detail = detail;
    } else {
        free(detail);
    }
}

static int starts_with(const char *s, const char *p) { return strncmp(s, p, strlen(p)) == 0; }

/* Basic event selectors: DataResources of type AWS::S3::Object whose value is a prefix of
 * the bucket's object ARNs ("arn:aws:s3" = every bucket, "arn:aws:s3:::b/" = bucket b). */
static void basic_selectors(json_t *sels, const char *objects, struct coverage *c)
{
    size_t i, j, k;
    json_t *s, *dr, *v;
    json_array_foreach(sels, i, s)
    {
        const char *rw = json_string_value(json_object_get(s, "ReadWriteType"));
        int reads = !rw || strcmp(rw, "WriteOnly") != 0;
        json_array_foreach(json_object_get(s, "DataResources"), j, dr)
        {
            const char *type = json_string_value(json_object_get(dr, "Type"));
            if (!type || strcmp(type, "AWS::S3::Object") != 0)
                continue;
            json_array_foreach(json_object_get(dr, "Values"), k, v)
            {
                const char *val = json_string_value(v);
                if (!val)
                    continue;
                enum level lv = starts_with(objects, val)   ? (reads ? LV_ALL : LV_WRITES)
                                : starts_with(val, objects) ? (reads ? LV_PARTIAL : LV_WRITES)
                                                            : LV_NONE;
                if (lv != LV_NONE)
                    offer(c, lv, xasprintf("event selector %s (ReadWriteType %s)", val, rw ? rw : "All"));
            }
        }
    }
}

static int values_any(json_t *list, int (*pred)(const char *, const char *), const char *arg)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) if (json_is_string(v) && pred(json_string_value(v), arg)) return 1;
    return 0;
}

static int v_is_prefix_of(const char *v, const char *s) { return starts_with(s, v); }
static int v_starts_with(const char *v, const char *p) { return starts_with(v, p); }
static int v_equals(const char *v, const char *s) { return strcmp(v, s) == 0; }

/* One advanced event selector (its FieldSelectors are ANDed). */
static void advanced_selector(json_t *sel, const char *objects, struct coverage *c)
{
    const char *name = json_string_value(json_object_get(sel, "Name"));
    int data = 0, s3obj = 0, reads = 1, excluded = 0, partial = 0;
    size_t i;
    json_t *fs;
    json_array_foreach(json_object_get(sel, "FieldSelectors"), i, fs)
    {
        const char *field = json_string_value(json_object_get(fs, "Field"));
        json_t *eq = json_object_get(fs, "Equals"), *sw = json_object_get(fs, "StartsWith"),
               *ne = json_object_get(fs, "NotEquals"), *nsw = json_object_get(fs, "NotStartsWith");
        int suffix = json_object_get(fs, "EndsWith") || json_object_get(fs, "NotEndsWith");
        if (!field)
            continue;
        if (strcmp(field, "eventCategory") == 0) {
            data = values_any(eq, v_equals, "Data");
        } else if (strcmp(field, "resources.type") == 0) {
            s3obj = values_any(eq, v_equals, "AWS::S3::Object");
        } else if (strcmp(field, "readOnly") == 0) {
            reads = !values_any(eq, v_equals, "false") && !values_any(ne, v_equals, "true");
        } else if (strcmp(field, "eventName") == 0) {
            /* reads of objects are GetObject calls */
            if ((eq && !values_any(eq, v_equals, "GetObject")) ||
                (sw && !values_any(sw, v_is_prefix_of, "GetObject")) ||
                values_any(ne, v_equals, "GetObject") || values_any(nsw, v_is_prefix_of, "GetObject"))
                reads = 0;
        } else if (strcmp(field, "resources.ARN") == 0) {
            if (values_any(nsw, v_is_prefix_of, objects))
                excluded = 1; /* the whole bucket is left out */
            else if (values_any(nsw, v_starts_with, objects) || values_any(ne, v_starts_with, objects) ||
                     suffix)
                partial = 1;
            if (sw && !values_any(sw, v_is_prefix_of, objects)) {
                if (values_any(sw, v_starts_with, objects))
                    partial = 1;
                else
                    excluded = 1;
            }
            if (eq) {
                if (values_any(eq, v_starts_with, objects))
                    partial = 1; /* named objects only */
                else
                    excluded = 1;
            }
        }
    }
    if (!data || !s3obj || excluded)
        return;
    enum level lv = !reads ? LV_WRITES : partial ? LV_PARTIAL : LV_ALL;
    offer(c, lv, xasprintf("advanced event selector \"%s\"", name ? name : "(unnamed)"));
}

static void fn_trail_s3_read_coverage(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *text = (const char *)sqlite3_value_text(argv[0]);
    const char *bucket_arn = (const char *)sqlite3_value_text(argv[1]);
    if (!text || !bucket_arn) {
        sqlite3_result_null(ctx);
        return;
    }
    json_t *trail = json_loads(text, 0, NULL);
    char *objects = xasprintf("%s/", bucket_arn);
    struct coverage c = {LV_NONE, NULL};
    basic_selectors(json_object_get(trail, "EventSelectors"), objects, &c);
    size_t i;
    json_t *sel;
    json_array_foreach(json_object_get(trail, "AdvancedEventSelectors"), i, sel)
        advanced_selector(sel, objects, &c);
    json_t *out = json_pack("{s:s, s:s?}", "level", level_names[c.level], "detail", c.detail);
    char *s = json_dumps(out, JSON_COMPACT);
    json_decref(out);
    json_decref(trail);
    free(objects);
    free(c.detail);
    sqlite3_result_text(ctx, s, -1, free);
}

int inv_register_log_functions(sqlite3 *db, struct inventory *inv)
{
    static const struct {
        const char *name;
        int nargs;
        void (*fn)(sqlite3_context *, int, sqlite3_value **);
    } fns[] = {
        {"cw_filter_missing", 2, fn_cw_filter_missing},
        {"s3_lifecycle_expiration", 2, fn_s3_lifecycle_expiration},
        {"trail_s3_read_coverage", 2, fn_trail_s3_read_coverage},
    };
    for (size_t i = 0; i < sizeof fns / sizeof *fns; i++)
        if (sqlite3_create_function(db, fns[i].name, fns[i].nargs, SQLITE_UTF8 | SQLITE_DETERMINISTIC, inv,
                                    fns[i].fn, NULL, NULL) != SQLITE_OK)
            return -1;
    return 0;
}
