/*
 * json.c — answers of the JSON protocols (json 1.0/1.1 and rest-json): the error code and
 * message of an error document, and a response turned into the snapshot's conventions by
 * walking the operation's output shape (timestamps, sent as epoch seconds, become RFC 3339
 * strings, as the XML protocols send them).
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../util/util.h"
#include "aws.h"
#include "shapes.h"

#define MAX_DEPTH 64

int aws_json_error(const char *body, size_t len, char **code, char **message)
{
    *code = *message = NULL;
    if (!body || !len)
        return -1;
    json_t *v = json_loadb(body, len, 0, NULL);
    const char *t = json_string_value(json_object_get(v, "__type"));
    if (!t)
        t = json_string_value(json_object_get(v, "code"));
    if (!t)
        t = json_string_value(json_object_get(v, "Code"));
    if (t) { /* "com.amazonaws.kms#NotFoundException" or "Code:http://internal..." */
        const char *hash = strrchr(t, '#');
        t = hash ? hash + 1 : t;
        *code = xstrndup(t, strcspn(t, ":"));
        const char *m = json_string_value(json_object_get(v, "message"));
        if (!m)
            m = json_string_value(json_object_get(v, "Message"));
        *message = m ? xstrdup(m) : NULL;
    }
    json_decref(v);
    return *code && **code ? 0 : -1;
}

static json_t *timestamp(json_t *v)
{
    if (!json_is_number(v))
        return json_incref(v); /* already text (some services send ISO 8601) */
    double d = json_number_value(v);
    if (!isfinite(d) || d < 0 || d > 253402300799.0)
        return json_incref(v);
    time_t secs = (time_t)d;
    int ms = (int)lround((d - (double)secs) * 1000.0);
    if (ms >= 1000)
        secs++, ms = 0;
    struct tm tm;
    gmtime_r(&secs, &tm);
    char buf[40];
    size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, sizeof buf - n, ms ? ".%03dZ" : "Z", ms);
    return json_string(buf);
}

/* A new value for v with shape idx applied. */
static json_t *walk(json_t *v, int idx, int depth)
{
    if (idx < 0 || depth > MAX_DEPTH)
        return json_incref(v);
    const struct aws_shape *s = &aws_shapes[idx];
    if (s->type == SH_TIMESTAMP)
        return timestamp(v);
    if (s->type == SH_STRUCT && json_is_object(v)) {
        json_t *out = json_object();
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x)
        {
            int shape = -1;
            const char *name = k;
            for (int i = 0; i < s->n; i++)
                if (strcmp(aws_members[s->first + i].xml_name, k) == 0) {
                    shape = aws_members[s->first + i].shape;
                    name = aws_members[s->first + i].name;
                }
            json_object_set_new(out, name, walk(x, shape, depth + 1));
        }
        return out;
    }
    if (s->type == SH_LIST && json_is_array(v)) {
        json_t *out = json_array();
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) json_array_append_new(out, walk(x, s->member, depth + 1));
        return out;
    }
    if (s->type == SH_MAP && json_is_object(v)) {
        json_t *out = json_object();
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x) json_object_set_new(out, k, walk(x, s->member, depth + 1));
        return out;
    }
    return json_incref(v);
}

json_t *aws_json_to_json(const char *service, const char *op, const char *body, size_t len, char *err,
                         size_t errlen)
{
    const struct aws_op *o = aws_find_op(service, op);
    if (!o) {
        snprintf(err, errlen, "%s:%s: no response shape known (tools/gen_shapes.py)", service, op);
        return NULL;
    }
    if (!body || !len)
        return json_object(); /* an operation with nothing to say */
    json_error_t je;
    json_t *v = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (!v || !json_is_object(v)) {
        snprintf(err, errlen, "%s:%s: malformed JSON response%s%s", service, op, v ? "" : ": ",
                 v ? "" : je.text);
        json_decref(v);
        return NULL;
    }
    json_t *out = walk(v, o->output, 0);
    json_decref(v);
    return out;
}
