/*
 * components.c — reading baseline components (baselines/<area>/<id>.yaml, bundled into the
 * binary as one multi-document text, each document preceded by "--- # PATH") and putting
 * them in dependency order.
 *
 * Order: a component comes after every component it names in `after` and, among those free
 * to go, lower `order` first, then id — a stable topological sort, so the output is the same
 * on every run and a reader sees buckets and keys before the trail that writes into them.
 */
#include <libfyaml.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "baseline.h"

extern const char *const baselines_yml;
extern const size_t baselines_yml_len;

static const char *const model_names[BL__NMODELS] = {"standard", "shared", "network-separation", "account"};
static const char *const format_names[BL__NFORMATS] = {"cloudformation", "terraform", "cli"};

int bl_model_parse(const char *s)
{
    for (int i = 0; s && i < BL__NMODELS; i++)
        if (strcmp(s, model_names[i]) == 0)
            return i;
    return -1;
}
const char *bl_model_name(enum bl_model m) { return m < BL__NMODELS ? model_names[m] : "?"; }
int bl_format_parse(const char *s)
{
    for (int i = 0; s && i < BL__NFORMATS; i++)
        if (strcmp(s, format_names[i]) == 0)
            return i;
    return -1;
}
const char *bl_format_name(enum bl_format f) { return f < BL__NFORMATS ? format_names[f] : "?"; }

/* ---- YAML reading ---- */

struct rd {
    const char *file;
    char *err;
    size_t errlen;
};

static int bad(struct rd *r, struct fy_node *n, const char *key, const char *what)
{
    int line = n ? yaml_line(n) : 0;
    if (line)
        snprintf(r->err, r->errlen, "%s:%d: %s: %s", r->file, line, key, what);
    else
        snprintf(r->err, r->errlen, "%s: %s: %s", r->file, key, what);
    return -1;
}

static int scalar(struct rd *r, struct fy_node *n, const char *key, char **out)
{
    *out = NULL;
    if (!n)
        return 0;
    size_t len;
    const char *s = fy_node_is_scalar(n) ? fy_node_get_scalar(n, &len) : NULL;
    if (!s || memchr(s, '\0', len))
        return bad(r, n, key, "must be text");
    *out = xstrndup(s, len);
    return 0;
}

static int text(struct rd *r, struct fy_node *n, const char *key, struct bl_text *out, int required)
{
    if (!n)
        return required ? bad(r, NULL, key, "is required (en and ko)") : 0;
    if (!fy_node_is_mapping(n))
        return bad(r, n, key, "must be a mapping with en and ko");
    if (scalar(r, fy_node_mapping_lookup_by_string(n, "en", FY_NT), key, &out->en) ||
        scalar(r, fy_node_mapping_lookup_by_string(n, "ko", FY_NT), key, &out->ko))
        return -1;
    if (!out->en || !out->ko)
        return bad(r, n, key, "needs both en and ko");
    return 0;
}

static int list(struct rd *r, struct fy_node *n, const char *key, char ***out, size_t *nout)
{
    *out = NULL;
    *nout = 0;
    if (!n)
        return 0;
    if (!fy_node_is_sequence(n))
        return bad(r, n, key, "must be a list");
    *out = xcalloc((size_t)fy_node_sequence_item_count(n) + 1, sizeof **out);
    void *it = NULL;
    struct fy_node *e;
    while ((e = fy_node_sequence_iterate(n, &it)))
        if (scalar(r, e, key, &(*out)[(*nout)++]) || !(*out)[*nout - 1])
            return bad(r, e, key, "must be a list of text values");
    return 0;
}

static const char *const known_keys[] = {"id",        "models", "order", "after",    "account",
                                         "regional",  "title",  "what",  "controls", "cloudformation",
                                         "terraform", "cli",    "note",  NULL};

static int parse(struct rd *r, struct fy_node *root, struct bl_component *c)
{
    if (!root || !fy_node_is_mapping(root))
        return bad(r, root, "component", "the document must be a mapping");
    void *it = NULL;
    struct fy_node_pair *p;
    while ((p = fy_node_mapping_iterate(root, &it))) {
        const char *k = fy_node_get_scalar0(fy_node_pair_key(p));
        size_t i = 0;
        while (known_keys[i] && (!k || strcmp(k, known_keys[i]) != 0))
            i++;
        if (!known_keys[i])
            return bad(r, fy_node_pair_key(p), k ? k : "?", "unknown key");
    }
#define GET(key) fy_node_mapping_lookup_by_string(root, key, FY_NT)
    char *order = NULL, *regional = NULL;
    char **models = NULL;
    size_t nmodels = 0;
    int rc = -1;
    if (scalar(r, GET("id"), "id", &c->id) || scalar(r, GET("account"), "account", &c->account) ||
        scalar(r, GET("order"), "order", &order) || scalar(r, GET("regional"), "regional", &regional) ||
        list(r, GET("after"), "after", &c->after, &c->nafter) ||
        list(r, GET("controls"), "controls", &c->controls, &c->ncontrols) ||
        list(r, GET("models"), "models", &models, &nmodels) || text(r, GET("title"), "title", &c->title, 1) ||
        text(r, GET("what"), "what", &c->what, 1))
        goto out;
    if (!c->id || !*c->id) {
        bad(r, root, "id", "is required");
        goto out;
    }
    if (!nmodels) {
        bad(r, root, "models", "name at least one model");
        goto out;
    }
    for (size_t i = 0; i < nmodels; i++) {
        int m = bl_model_parse(models[i]);
        if (m < 0) {
            bad(r, GET("models"), "models", "must be standard, shared, network-separation or account");
            goto out;
        }
        c->models |= 1u << m;
    }
    char *end = NULL;
    c->order = order ? (int)strtol(order, &end, 10) : 50;
    if (order && (end == order || *end)) {
        bad(r, GET("order"), "order", "must be a whole number");
        goto out;
    }
    if (regional && strcmp(regional, "true") != 0 && strcmp(regional, "false") != 0) {
        bad(r, GET("regional"), "regional", "must be true or false");
        goto out;
    }
    c->regional = regional && strcmp(regional, "true") == 0;
    if (c->account && strcmp(c->account, "security") != 0 && strcmp(c->account, "service") != 0) {
        bad(r, GET("account"), "account", "must be security or service");
        goto out;
    }
    struct fy_node *note = GET("note");
    if (note && !fy_node_is_mapping(note)) {
        bad(r, note, "note", "must be a mapping of format -> {en, ko}");
        goto out;
    }
    for (int f = 0; f < BL__NFORMATS; f++) {
        if (scalar(r, GET(format_names[f]), format_names[f], &c->frag[f]))
            goto out;
        struct fy_node *nn = note ? fy_node_mapping_lookup_by_string(note, format_names[f], FY_NT) : NULL;
        if (text(r, nn, "note", &c->note[f], 0))
            goto out;
        if (!c->frag[f] && !c->note[f].en) {
            bad(r, root, format_names[f],
                "missing: give the fragment, or note.<format> saying why it cannot be");
            goto out;
        }
    }
    if (note) {
        it = NULL;
        while ((p = fy_node_mapping_iterate(note, &it)))
            if (bl_format_parse(fy_node_get_scalar0(fy_node_pair_key(p))) < 0) {
                bad(r, fy_node_pair_key(p), "note", "keys are cloudformation, terraform or cli");
                goto out;
            }
    }
    rc = 0;
#undef GET
out:
    free(order);
    free(regional);
    for (size_t i = 0; i < nmodels; i++)
        free(models[i]);
    free(models);
    return rc;
}

void bl_set_add(struct bl_set *s, struct bl_component *c)
{
    s->c = xrealloc(s->c, (s->n + 1) * sizeof *s->c);
    s->c[s->n++] = *c;
    memset(c, 0, sizeof *c);
}

int bl_load_yaml(struct bl_set *s, const char *name, const char *buf, size_t len, char *err, size_t errlen)
{
    struct fy_document *doc = yaml_parse(name, buf, len, err, errlen);
    if (!doc)
        return -1;
    struct rd r = {name, err, errlen};
    struct bl_component c;
    memset(&c, 0, sizeof c);
    c.source = xstrdup(name);
    int rc = parse(&r, fy_document_root(doc), &c);
    fy_document_destroy(doc);
    if (rc) {
        bl_component_free(&c);
        return -1;
    }
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->c[i].id, c.id) == 0) {
            snprintf(err, errlen, "%s: id %s is also used by %s", name, c.id, s->c[i].source);
            bl_component_free(&c);
            return -1;
        }
    bl_set_add(s, &c);
    return 0;
}

int bl_load_builtin(struct bl_set *s, char *err, size_t errlen)
{
    const char *p = baselines_yml, *end = baselines_yml + baselines_yml_len;
    while (p < end) {
        /* each document starts with "--- # PATH\n" (Makefile) */
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl || strncmp(p, "--- # ", 6) != 0) {
            snprintf(err, errlen, "bundled baselines: malformed (rebuild)");
            return -1;
        }
        char *name = xstrndup(p + 6, (size_t)(nl - p - 6));
        const char *body = nl + 1, *next = body;
        while (next < end && !(next[0] == '-' && strncmp(next, "--- # ", 6) == 0 && next[-1] == '\n')) {
            const char *e = memchr(next, '\n', (size_t)(end - next));
            next = e ? e + 1 : end;
        }
        int rc = bl_load_yaml(s, name, body, (size_t)(next - body), err, errlen);
        free(name);
        if (rc)
            return -1;
        p = next;
    }
    return 0;
}

static size_t find(const struct bl_set *s, const char *id)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->c[i].id, id) == 0)
            return i;
    return (size_t)-1;
}

/* before(a, b): a should come before b when both are free to go */
static int before(const struct bl_component *a, const struct bl_component *b)
{
    return a->order != b->order ? a->order < b->order : strcmp(a->id, b->id) < 0;
}

int bl_finalize(struct bl_set *s, char *err, size_t errlen)
{
    for (size_t i = 0; i < s->n; i++)
        for (size_t j = 0; j < s->c[i].nafter; j++)
            if (find(s, s->c[i].after[j]) == (size_t)-1) {
                snprintf(err, errlen, "%s: after: no component %s", s->c[i].source, s->c[i].after[j]);
                return -1;
            }
    /* Kahn's algorithm, picking the best free component each round (n is small) */
    struct bl_component *out = xcalloc(s->n + 1, sizeof *out);
    char *placed = xcalloc(s->n + 1, 1);
    for (size_t k = 0; k < s->n; k++) {
        size_t best = (size_t)-1;
        for (size_t i = 0; i < s->n; i++) {
            if (placed[i])
                continue;
            int ready = 1;
            for (size_t j = 0; j < s->c[i].nafter && ready; j++)
                ready = placed[find(s, s->c[i].after[j])];
            if (ready && (best == (size_t)-1 || before(&s->c[i], &s->c[best])))
                best = i;
        }
        if (best == (size_t)-1) {
            for (size_t i = 0; i < s->n; i++)
                if (!placed[i]) {
                    snprintf(err, errlen, "%s: after: %s is part of a cycle", s->c[i].source, s->c[i].id);
                    break;
                }
            free(out);
            free(placed);
            return -1;
        }
        placed[best] = 1;
        out[k] = s->c[best];
    }
    memcpy(s->c, out, s->n * sizeof *out);
    free(out);
    free(placed);
    return 0;
}

static void text_free(struct bl_text *t)
{
    free(t->en);
    free(t->ko);
}

void bl_component_free(struct bl_component *c)
{
    free(c->id);
    free(c->source);
    for (size_t i = 0; i < c->nafter; i++)
        free(c->after[i]);
    free(c->after);
    free(c->account);
    text_free(&c->title);
    text_free(&c->what);
    for (size_t i = 0; i < c->ncontrols; i++)
        free(c->controls[i]);
    free(c->controls);
    for (int f = 0; f < BL__NFORMATS; f++) {
        free(c->frag[f]);
        text_free(&c->note[f]);
    }
    memset(c, 0, sizeof *c);
}

void bl_set_free(struct bl_set *s)
{
    for (size_t i = 0; i < s->n; i++)
        bl_component_free(&s->c[i]);
    free(s->c);
    memset(s, 0, sizeof *s);
}
