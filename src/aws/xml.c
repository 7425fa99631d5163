/*
 * xml.c — XML responses (query and ec2 protocols) to JSON, driven by the operation's
 * output shape (shapes_gen.c): field names are the API's member names, lists come from
 * their member elements (or repeat directly when flattened), maps from <entry><key><value>,
 * integers and booleans become JSON numbers and booleans, timestamps stay the strings AWS
 * sent. Elements the shape does not know are ignored; absent members are omitted, as the
 * AWS SDKs do.
 */
#include <errno.h>
#include <pthread.h>
#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "aws.h"
#include "shapes.h"

#define MAX_DEPTH 64

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

/* libxml2 must be initialised once before threads parse concurrently. */
void aws_xml_init(void) { pthread_once(&xml_once, xmlInitParser); }

static xmlNode *child(xmlNode *parent, const char *name)
{
    for (xmlNode *c = parent ? parent->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0)
            return c;
    return NULL;
}

/* IAM policy documents arrive URL-encoded: decode and parse, keeping the text when it is
 * not JSON (the controls then report the document as unreadable). */
static json_t *policy_document(const char *t)
{
    size_t n;
    char *dec = aws_uri_decode(t, strlen(t), &n);
    json_t *v = json_loads(dec, 0, NULL);
    if (!v && !(v = json_loads(t, 0, NULL)))
        v = json_string(dec);
    free(dec);
    return v ? v : json_null();
}

static json_t *scalar(xmlNode *node, int type)
{
    xmlChar *raw = xmlNodeGetContent(node);
    const char *t = raw ? (const char *)raw : "";
    json_t *v = NULL;
    char *end;
    if (type == SH_POLICY) {
        v = policy_document(t);
    } else if (type == SH_INT) {
        errno = 0;
        long long n = strtoll(t, &end, 10);
        v = *t && !*end && errno != ERANGE ? json_integer(n) : NULL; /* out of range: kept as text */
    } else if (type == SH_DOUBLE) {
        double d = strtod(t, &end);
        v = *t && !*end ? json_real(d) : NULL;
    } else if (type == SH_BOOL) {
        v = strcmp(t, "true") == 0 ? json_true() : strcmp(t, "false") == 0 ? json_false() : NULL;
    }
    if (!v && !*t && type != SH_STRING) { /* an empty number, flag or time: absent, as in the SDKs */
        xmlFree(raw);
        return NULL;
    }
    if (!v) /* strings, and numbers or booleans AWS wrote differently: keep the text */
        v = json_stringn(t, strlen(t));
    xmlFree(raw);
    return v ? v : json_null();
}

static json_t *convert(xmlNode *node, int shape_idx, int depth);

static json_t *list_items(xmlNode *parent, const char *item_name, int item_shape, int depth)
{
    json_t *arr = json_array();
    for (xmlNode *c = parent->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, item_name) == 0)
            json_array_append_new(arr, convert(c, item_shape, depth + 1));
    return arr;
}

static json_t *convert(xmlNode *node, int shape_idx, int depth)
{
    const struct aws_shape *s = &aws_shapes[shape_idx];
    if (depth > MAX_DEPTH)
        return json_null(); /* NULL only ever means "absent" (an empty scalar) */
    switch (s->type) {
    case SH_STRUCT: {
        json_t *obj = json_object();
        for (int i = 0; i < s->n; i++) {
            const struct aws_member *m = &aws_members[s->first + i];
            const struct aws_shape *ms = &aws_shapes[m->shape];
            if (m->attribute) { /* "xsi:type": matched by its local name */
                const char *local = strchr(m->xml_name, ':');
                local = local ? local + 1 : m->xml_name;
                for (xmlAttr *a = node->properties; a; a = a->next)
                    if (a->name && strcmp((const char *)a->name, local) == 0) {
                        xmlChar *t = xmlNodeGetContent((xmlNode *)a);
                        json_object_set_new(obj, m->name, json_string(t ? (const char *)t : ""));
                        xmlFree(t);
                    }
                continue;
            }
            if (ms->type == SH_LIST && (m->flattened || ms->flattened)) {
                json_t *arr = list_items(node, m->xml_name, ms->member, depth);
                if (json_array_size(arr))
                    json_object_set_new(obj, m->name, arr);
                else
                    json_decref(arr);
                continue;
            }
            xmlNode *c = child(node, m->xml_name);
            json_t *v = c ? convert(c, m->shape, depth + 1) : NULL;
            if (v)
                json_object_set_new(obj, m->name, v);
        }
        return obj;
    }
    case SH_LIST: return list_items(node, s->member_xml, s->member, depth);
    case SH_MAP: {
        json_t *obj = json_object();
        for (xmlNode *e = node->children; e; e = e->next) {
            if (e->type != XML_ELEMENT_NODE || strcmp((const char *)e->name, "entry") != 0)
                continue;
            xmlNode *k = child(e, s->key_xml), *v = child(e, s->value_xml);
            xmlChar *key = k ? xmlNodeGetContent(k) : NULL;
            if (key && v)
                json_object_set_new(obj, (const char *)key, convert(v, s->member, depth + 1));
            xmlFree(key);
        }
        return obj;
    }
    default: return scalar(node, s->type); /* NULL: empty and not a string */
    }
}

/* A REST-XML output whose document is one of its members (the root element carries that
 * member's name and holds a scalar): the member, else NULL. */
/* ---- XML errors ---- */

/* Depth-first search of element children only (entity references and DTD nodes are never
 * followed: their links lead into the document type declaration). */
static xmlNode *find_element(xmlNode *n, const char *name, int depth)
{
    for (; n && depth < 64; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (strcmp((const char *)n->name, name) == 0)
            return n;
        xmlNode *hit = find_element(n->children, name, depth + 1);
        if (hit)
            return hit;
    }
    return NULL;
}

static char *element_text(xmlNode *root, const char *name)
{
    xmlNode *n = find_element(root, name, 0);
    if (!n)
        return NULL;
    xmlChar *t = xmlNodeGetContent(n);
    char *s = t ? xstrdup((const char *)t) : NULL;
    xmlFree(t);
    return s;
}

int aws_xml_error(const char *body, size_t len, char **code, char **message)
{
    *code = *message = NULL;
    if (!body || !len || len > (size_t)INT32_MAX)
        return -1;
    aws_xml_init();
    xmlDoc *doc = xmlReadMemory(body, (int)len, "response.xml", NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc)
        return -1;
    if (doc->intSubset) { /* AWS never sends a DTD: refuse entity games */
        xmlFreeDoc(doc);
        return -1;
    }
    xmlNode *root = xmlDocGetRootElement(doc);
    *code = element_text(root, "Code");
    *message = element_text(root, "Message");
    xmlFreeDoc(doc);
    return *code ? 0 : -1;
}

static const struct aws_member *root_member(const struct aws_op *o, xmlNode *root)
{
    const struct aws_shape *s = &aws_shapes[o->output];
    if (strcmp(o->protocol, "rest-xml") != 0 || s->type != SH_STRUCT || !root)
        return NULL;
    for (int i = 0; i < s->n; i++) {
        const struct aws_member *m = &aws_members[s->first + i];
        if (strcmp(m->xml_name, (const char *)root->name) == 0 && aws_shapes[m->shape].type >= SH_STRING)
            return m;
    }
    return NULL;
}

const struct aws_op *aws_find_op(const char *service, const char *op)
{
    for (size_t i = 0; i < aws_nops; i++)
        if (strcmp(aws_ops[i].service, service) == 0 && strcmp(aws_ops[i].op, op) == 0)
            return &aws_ops[i];
    return NULL;
}

const char *aws_protocol(const char *service, const char *op)
{
    const struct aws_op *o = aws_find_op(service, op);
    return o ? o->protocol : NULL;
}

const char *aws_api_version(const char *service, const char *op)
{
    const struct aws_op *o = aws_find_op(service, op);
    return o ? o->version : NULL;
}

json_t *aws_xml_to_json(const char *service, const char *op, const char *xml, size_t len, char *err,
                        size_t errlen)
{
    const struct aws_op *o = aws_find_op(service, op);
    if (!o) {
        snprintf(err, errlen, "%s:%s: no response shape known (tools/gen_shapes.py)", service, op);
        return NULL;
    }
    if (o->output < 0)
        return json_object();
    if (!xml || !len || len > (size_t)INT32_MAX) {
        snprintf(err, errlen, "%s:%s: empty response", service, op);
        return NULL;
    }
    aws_xml_init();
    xmlDoc *doc = xmlReadMemory(xml, (int)len, "response.xml", NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc) {
        const xmlError *e = xmlGetLastError();
        snprintf(err, errlen, "%s:%s: malformed XML response%s%s", service, op, e && e->message ? ": " : "",
                 e && e->message ? e->message : "");
        size_t n = strlen(err);
        if (n && err[n - 1] == '\n')
            err[n - 1] = '\0';
        return NULL;
    }
    xmlNode *root = xmlDocGetRootElement(doc);
    const struct aws_member *wrap;
    xmlNode *result = o->result_wrapper ? child(root, o->result_wrapper) : root;
    json_t *out = NULL;
    if (doc->intSubset) /* AWS never sends a DTD: refuse entity games */
        snprintf(err, errlen, "%s:%s: response carries a document type declaration", service, op);
    else if (!result)
        snprintf(err, errlen, "%s:%s: response has no <%s>", service, op, o->result_wrapper);
    else if (o->payload) /* REST: the body is the payload member */
        out = json_pack("{s:o?}", o->payload, convert(result, o->output, 0));
    else if ((wrap = root_member(o, result))) /* S3 GetBucketLocation: <LocationConstraint>…</> */
        out = json_pack("{s:o?}", wrap->name, convert(result, wrap->shape, 0));
    else
        out = convert(result, o->output, 0);
    xmlFreeDoc(doc);
    return out;
}
