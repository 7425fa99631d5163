/*
 * catalogue.c — loading control and framework YAML files (libfyaml) into a catalogue,
 * then validating and cross-indexing it (cat_finalize).
 *
 * The loader is strict: unknown keys, missing fields and wrong types are errors that
 * name the file and the field, so a typo never silently drops part of a control.
 */
#include <dirent.h>
#include <libfyaml.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "controls.h"
#include "embedded.h"

/* ---- small YAML accessors ---- */

struct yctx {
    const char *file;
    char *err;
    size_t errlen;
};

static int yfail(struct yctx *y, const char *field, const char *what)
{
    snprintf(y->err, y->errlen, "%s: field `%s`: %s", y->file, field, what);
    return -1;
}

/* Scalar value as a new string; NULL node -> *out NULL. */
static int yscalar(struct yctx *y, struct fy_node *n, const char *field, char **out)
{
    *out = NULL;
    if (!n)
        return 0;
    if (!fy_node_is_scalar(n))
        return yfail(y, field, "must be a text value");
    size_t len;
    const char *s = fy_node_get_scalar(n, &len);
    if (!s)
        return yfail(y, field, "must be a text value");
    if (memchr(s, '\0', len))
        return yfail(y, field, "contains a NUL byte");
    *out = xstrndup(s, len);
    return 0;
}

static int yrequired(struct yctx *y, struct fy_node *map, const char *field, char **out)
{
    if (yscalar(y, fy_node_mapping_lookup_by_string(map, field, FY_NT), field, out))
        return -1;
    if (!*out || !**out) {
        free(*out);
        *out = NULL;
        return yfail(y, field, "is required");
    }
    return 0;
}

/* {en: ..., ko: ...}; both required when required != 0. */
static int yi18n(struct yctx *y, struct fy_node *map, const char *field, struct i18n *out, int required)
{
    struct fy_node *n = fy_node_mapping_lookup_by_string(map, field, FY_NT);
    out->en = out->ko = NULL;
    if (!n) {
        return required ? yfail(y, field, "is required (with `en` and `ko`)") : 0;
    }
    if (!fy_node_is_mapping(n))
        return yfail(y, field, "must be a mapping with `en` and `ko`");
    void *it = NULL;
    struct fy_node_pair *p;
    while ((p = fy_node_mapping_iterate(n, &it))) {
        const char *k = fy_node_get_scalar0(fy_node_pair_key(p));
        if (!k || (strcmp(k, "en") && strcmp(k, "ko") && strcmp(k, "cli") && strcmp(k, "terraform") &&
                   strcmp(k, "automatic")))
            return yfail(y, field, "unknown language key (use `en` and `ko`)");
    }
    char sub[64];
    snprintf(sub, sizeof sub, "%s.en", field);
    if (yscalar(y, fy_node_mapping_lookup_by_string(n, "en", FY_NT), sub, &out->en))
        return -1;
    snprintf(sub, sizeof sub, "%s.ko", field);
    if (yscalar(y, fy_node_mapping_lookup_by_string(n, "ko", FY_NT), sub, &out->ko))
        return -1;
    if (required && (!out->en || !*out->en))
        return yfail(y, field, "needs `en` text");
    if (required && (!out->ko || !*out->ko))
        return yfail(y, field, "needs `ko` text");
    return 0;
}

/* A scalar or a sequence of scalars -> string list. */
static int ylist(struct yctx *y, struct fy_node *n, const char *field, char ***out, size_t *nout)
{
    *out = NULL;
    *nout = 0;
    if (!n)
        return 0;
    if (fy_node_is_scalar(n)) {
        *out = xcalloc(1, sizeof **out);
        *nout = 1;
        return yscalar(y, n, field, &(*out)[0]);
    }
    if (!fy_node_is_sequence(n))
        return yfail(y, field, "must be a list of text values");
    int count = fy_node_sequence_item_count(n);
    *out = xcalloc((size_t)(count > 0 ? count : 1), sizeof **out);
    void *it = NULL;
    struct fy_node *e;
    while ((e = fy_node_sequence_iterate(n, &it))) {
        if (yscalar(y, e, field, &(*out)[*nout]))
            return -1;
        (*nout)++;
    }
    return 0;
}

static int ycheck_keys(struct yctx *y, struct fy_node *map, const char *const *allowed)
{
    void *it = NULL;
    struct fy_node_pair *p;
    while ((p = fy_node_mapping_iterate(map, &it))) {
        const char *k = fy_node_get_scalar0(fy_node_pair_key(p));
        int ok = 0;
        for (size_t i = 0; k && allowed[i]; i++)
            ok |= strcmp(k, allowed[i]) == 0;
        if (!ok)
            return yfail(y, k ? k : "?", "unknown field");
    }
    return 0;
}

static int id_ok(const char *id)
{
    if (!*id || strlen(id) > 128)
        return 0;
    for (const char *p = id; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '.' || *p == '-'))
            return 0;
    return 1;
}

/* ---- freeing ---- */

static void free_list(char **l, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(l[i]);
    free(l);
}

static void free_i18n(struct i18n *t)
{
    free(t->en);
    free(t->ko);
}

static void free_control(struct control *c)
{
    free(c->id);
    free_i18n(&c->title);
    free_i18n(&c->rationale);
    free_i18n(&c->remediation);
    free(c->remediation_cli);
    free(c->remediation_terraform);
    free(c->resource_type);
    free_list(c->requires, c->nrequires);
    for (size_t i = 0; i < c->nfw; i++) {
        free(c->fw[i].framework);
        free_list(c->fw[i].reqs, c->fw[i].nreqs);
    }
    free(c->fw);
    free(c->query);
    free(c->source);
    memset(c, 0, sizeof *c);
}

static void free_framework(struct framework *f)
{
    free(f->id);
    free_i18n(&f->title);
    free_i18n(&f->source_text);
    free(f->version);
    for (size_t i = 0; i < f->nreqs; i++) {
        free(f->reqs[i].id);
        free_i18n(&f->reqs[i].title);
        free_i18n(&f->reqs[i].evidence);
        free_list(f->reqs[i].controls, f->reqs[i].ncontrols);
    }
    free(f->reqs);
    free(f->source);
    memset(f, 0, sizeof *f);
}

void cat_init(struct catalogue *cat) { memset(cat, 0, sizeof *cat); }

void cat_free(struct catalogue *cat)
{
    for (size_t i = 0; i < cat->ncontrols; i++)
        free_control(&cat->controls[i]);
    free(cat->controls);
    for (size_t i = 0; i < cat->nframeworks; i++)
        free_framework(&cat->frameworks[i]);
    free(cat->frameworks);
    cat_init(cat);
}

/* ---- controls ---- */

static int parse_enum(struct yctx *y, struct fy_node *map, const char *field, const char *const *names,
                      int count, int *out)
{
    char *s;
    if (yrequired(y, map, field, &s))
        return -1;
    for (int i = 0; i < count; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = i;
            free(s);
            return 0;
        }
    }
    free(s);
    return yfail(y, field, "has an unknown value");
}

static int parse_control(struct yctx *y, struct fy_node *root, struct control *c)
{
    static const char *const keys[] = {"id",          "title",         "rationale", "severity",
                                       "area",        "resource_type", "requires",  "frameworks",
                                       "remediation", "query",         NULL};
    static const char *const sev[] = {"critical", "high", "medium", "low", "info"};
    static const char *const areas[] = {"iam", "detection", "infrastructure", "data_protection",
                                        "incident_response"};
    if (ycheck_keys(y, root, keys) || yrequired(y, root, "id", &c->id))
        return -1;
    if (!id_ok(c->id))
        return yfail(y, "id", "must be lower-case letters, digits, '.', '_' or '-'");
    int v;
    if (yi18n(y, root, "title", &c->title, 1) || yi18n(y, root, "rationale", &c->rationale, 1) ||
        parse_enum(y, root, "severity", sev, 5, &v))
        return -1;
    c->severity = (enum severity)v;
    if (parse_enum(y, root, "area", areas, 5, &v))
        return -1;
    c->area = (enum area)v;
    if (yrequired(y, root, "resource_type", &c->resource_type) ||
        ylist(y, fy_node_mapping_lookup_by_string(root, "requires", FY_NT), "requires", &c->requires,
              &c->nrequires) ||
        yrequired(y, root, "query", &c->query))
        return -1;
    for (size_t i = 0; i < c->nrequires; i++) {
        const char *colon = strchr(c->requires[i], ':');
        if (!colon || colon == c->requires[i] || !colon[1])
            return yfail(y, "requires", "entries must be service:Operation or service:*");
    }
    struct fy_node *rem = fy_node_mapping_lookup_by_string(root, "remediation", FY_NT);
    if (!rem || !fy_node_is_mapping(rem))
        return yfail(y, "remediation", "is required (en, ko, and optionally cli, terraform)");
    if (yi18n(y, root, "remediation", &c->remediation, 1) ||
        yscalar(y, fy_node_mapping_lookup_by_string(rem, "cli", FY_NT), "remediation.cli",
                &c->remediation_cli) ||
        yscalar(y, fy_node_mapping_lookup_by_string(rem, "terraform", FY_NT), "remediation.terraform",
                &c->remediation_terraform))
        return -1;
    char *automatic = NULL;
    if (yscalar(y, fy_node_mapping_lookup_by_string(rem, "automatic", FY_NT), "remediation.automatic",
                &automatic))
        return -1;
    if (automatic && strcmp(automatic, "true") != 0 && strcmp(automatic, "false") != 0) {
        free(automatic);
        return yfail(y, "remediation.automatic", "must be true or false");
    }
    c->remediation_by_hand = automatic && strcmp(automatic, "false") == 0;
    free(automatic);
    struct fy_node *fw = fy_node_mapping_lookup_by_string(root, "frameworks", FY_NT);
    if (fw) {
        if (!fy_node_is_mapping(fw))
            return yfail(y, "frameworks", "must map framework ids to requirement-id lists");
        int n = fy_node_mapping_item_count(fw);
        c->fw = xcalloc((size_t)(n > 0 ? n : 1), sizeof *c->fw);
        void *it = NULL;
        struct fy_node_pair *p;
        while ((p = fy_node_mapping_iterate(fw, &it))) {
            struct fw_ref *r = &c->fw[c->nfw++];
            if (yscalar(y, fy_node_pair_key(p), "frameworks", &r->framework) || !r->framework)
                return yfail(y, "frameworks", "keys must be framework ids");
            if (ylist(y, fy_node_pair_value(p), "frameworks", &r->reqs, &r->nreqs))
                return -1;
        }
    }
    return 0;
}

/* ---- frameworks ---- */

static int parse_framework(struct yctx *y, struct fy_node *root, struct framework *f)
{
    static const char *const keys[] = {"id", "title", "version", "source", "requirements", NULL};
    static const char *const rkeys[] = {"id", "title", "evidence", "controls", NULL};
    if (ycheck_keys(y, root, keys) || yrequired(y, root, "id", &f->id))
        return -1;
    if (!id_ok(f->id))
        return yfail(y, "id", "must be lower-case letters, digits, '.', '_' or '-'");
    if (yi18n(y, root, "title", &f->title, 1) || yi18n(y, root, "source", &f->source_text, 0) ||
        yscalar(y, fy_node_mapping_lookup_by_string(root, "version", FY_NT), "version", &f->version))
        return -1;
    struct fy_node *reqs = fy_node_mapping_lookup_by_string(root, "requirements", FY_NT);
    if (!reqs || !fy_node_is_sequence(reqs))
        return yfail(y, "requirements", "must be a list");
    int n = fy_node_sequence_item_count(reqs);
    f->reqs = xcalloc((size_t)(n > 0 ? n : 1), sizeof *f->reqs);
    void *it = NULL;
    struct fy_node *rn;
    while ((rn = fy_node_sequence_iterate(reqs, &it))) {
        struct requirement *r = &f->reqs[f->nreqs++];
        if (!fy_node_is_mapping(rn))
            return yfail(y, "requirements", "entries must be mappings");
        if (ycheck_keys(y, rn, rkeys) || yrequired(y, rn, "id", &r->id) ||
            yi18n(y, rn, "title", &r->title, 1) || yi18n(y, rn, "evidence", &r->evidence, 0) ||
            ylist(y, fy_node_mapping_lookup_by_string(rn, "controls", FY_NT), "controls", &r->controls,
                  &r->ncontrols))
            return -1;
        for (size_t i = 0; i + 1 < f->nreqs; i++)
            if (strcmp(f->reqs[i].id, r->id) == 0)
                return yfail(y, "requirements", "duplicate requirement id");
    }
    return 0;
}

/* ---- documents ---- */

int cat_load_yaml(struct catalogue *cat, const char *name, const char *buf, size_t len, char *err,
                  size_t errlen)
{
    struct yctx y = {name, err, errlen};
    struct fy_document *doc = yaml_parse(name, buf, len, err, errlen);
    if (!doc)
        return -1;
    struct fy_node *root = fy_document_root(doc);
    int rc;
    if (!root || !fy_node_is_mapping(root)) {
        snprintf(err, errlen, "%s: expected a mapping (a control or a framework)", name);
        rc = -1;
    } else if (fy_node_mapping_lookup_by_string(root, "requirements", FY_NT)) {
        struct framework f = {0};
        f.source = xstrdup(name);
        rc = parse_framework(&y, root, &f);
        if (rc == 0) {
            /* a later file with the same id replaces the earlier one */
            size_t i;
            for (i = 0; i < cat->nframeworks && strcmp(cat->frameworks[i].id, f.id); i++)
                ;
            if (i < cat->nframeworks) {
                free_framework(&cat->frameworks[i]);
            } else {
                cat->frameworks = xrealloc(cat->frameworks, (cat->nframeworks + 1) * sizeof f);
                cat->nframeworks++;
            }
            cat->frameworks[i] = f;
        } else {
            free_framework(&f);
        }
    } else {
        struct control c = {0};
        c.source = xstrdup(name);
        rc = parse_control(&y, root, &c);
        if (rc == 0) {
            size_t i;
            for (i = 0; i < cat->ncontrols && strcmp(cat->controls[i].id, c.id); i++)
                ;
            if (i < cat->ncontrols) {
                free_control(&cat->controls[i]);
            } else {
                cat->controls = xrealloc(cat->controls, (cat->ncontrols + 1) * sizeof c);
                cat->ncontrols++;
            }
            cat->controls[i] = c;
        } else {
            free_control(&c);
        }
    }
    fy_document_destroy(doc);
    return rc;
}

int cat_load_builtin(struct catalogue *cat, char *err, size_t errlen)
{
    for (size_t i = 0; i < embedded_count; i++)
        if (cat_load_yaml(cat, embedded_files[i].name, embedded_files[i].data, embedded_files[i].len, err,
                          errlen))
            return -1;
    return 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && strcmp(s + n - m, suf) == 0;
}

/* Recursively collect *.yaml / *.yml under dir into a sorted list (stable load order). */
static int collect_yaml(const char *dir, char ***files, size_t *n, int depth, char *err, size_t errlen)
{
    if (depth > 16)
        return 0;
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, errlen, "%s: cannot open directory", dir);
        return -1;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *path = xasprintf("%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            int rc = collect_yaml(path, files, n, depth + 1, err, errlen);
            free(path);
            if (rc) {
                closedir(d);
                return -1;
            }
        } else if (has_suffix(e->d_name, ".yaml") || has_suffix(e->d_name, ".yml")) {
            *files = xrealloc(*files, (*n + 1) * sizeof **files);
            (*files)[(*n)++] = path;
        } else {
            free(path);
        }
    }
    closedir(d);
    return 0;
}

int cat_load_dir(struct catalogue *cat, const char *dir, char *err, size_t errlen)
{
    char **files = NULL;
    size_t n = 0;
    int rc = collect_yaml(dir, &files, &n, 0, err, errlen);
    if (rc == 0 && n == 0) {
        snprintf(err, errlen, "%s: no .yaml files found", dir);
        rc = -1;
    }
    if (n > 1)
        qsort(files, n, sizeof *files, cmp_str);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        size_t len;
        char *buf = file_read(files[i], &len, err, errlen);
        if (!buf) {
            rc = -1;
            break;
        }
        rc = cat_load_yaml(cat, files[i], buf, len, err, errlen);
        free(buf);
    }
    free_list(files, n);
    return rc;
}

/* ---- finalize ---- */

static int cmp_control(const void *a, const void *b)
{
    return strcmp(((const struct control *)a)->id, ((const struct control *)b)->id);
}

static int cmp_framework(const void *a, const void *b)
{
    return strcmp(((const struct framework *)a)->id, ((const struct framework *)b)->id);
}

const struct control *cat_control(const struct catalogue *cat, const char *id)
{
    struct control key = {.id = (char *)id};
    if (!cat->ncontrols)
        return NULL;
    return bsearch(&key, cat->controls, cat->ncontrols, sizeof key, cmp_control);
}

const struct framework *cat_framework(const struct catalogue *cat, const char *id)
{
    for (size_t i = 0; i < cat->nframeworks; i++)
        if (strcmp(cat->frameworks[i].id, id) == 0)
            return &cat->frameworks[i];
    return NULL;
}

static struct requirement *find_req(const struct framework *f, const char *id)
{
    for (size_t i = 0; i < f->nreqs; i++)
        if (strcmp(f->reqs[i].id, id) == 0)
            return &f->reqs[i];
    return NULL;
}

const struct fw_ref *control_fw(const struct control *c, const char *fw)
{
    for (size_t i = 0; i < c->nfw; i++)
        if (strcmp(c->fw[i].framework, fw) == 0)
            return &c->fw[i];
    return NULL;
}

static void add_unique(char ***list, size_t *n, const char *s)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*list)[i], s) == 0)
            return;
    *list = xrealloc(*list, (*n + 1) * sizeof **list);
    (*list)[(*n)++] = xstrdup(s);
}

static struct fw_ref *fw_ref_get(struct control *c, const char *fw)
{
    for (size_t i = 0; i < c->nfw; i++)
        if (strcmp(c->fw[i].framework, fw) == 0)
            return &c->fw[i];
    c->fw = xrealloc(c->fw, (c->nfw + 1) * sizeof *c->fw);
    struct fw_ref *r = &c->fw[c->nfw++];
    r->framework = xstrdup(fw);
    r->reqs = NULL;
    r->nreqs = 0;
    return r;
}

int cat_finalize(struct catalogue *cat, char *err, size_t errlen)
{
    if (cat->ncontrols > 1)
        qsort(cat->controls, cat->ncontrols, sizeof *cat->controls, cmp_control);
    if (cat->nframeworks > 1)
        qsort(cat->frameworks, cat->nframeworks, sizeof *cat->frameworks, cmp_framework);
    /* control -> requirement references must exist; build requirement -> controls */
    for (size_t i = 0; i < cat->ncontrols; i++) {
        struct control *c = &cat->controls[i];
        for (size_t j = 0; j < c->nfw; j++) {
            const struct framework *f = cat_framework(cat, c->fw[j].framework);
            if (!f) {
                snprintf(err, errlen, "%s: field `frameworks`: unknown framework \"%s\"", c->source,
                         c->fw[j].framework);
                return -1;
            }
            for (size_t k = 0; k < c->fw[j].nreqs; k++) {
                struct requirement *r = find_req(f, c->fw[j].reqs[k]);
                if (!r) {
                    snprintf(err, errlen, "%s: field `frameworks.%s`: unknown requirement \"%s\" (not in %s)",
                             c->source, f->id, c->fw[j].reqs[k], f->source);
                    return -1;
                }
                add_unique(&r->controls, &r->ncontrols, c->id);
            }
        }
    }
    /* requirement -> control references (framework-side additions) must exist too */
    for (size_t i = 0; i < cat->nframeworks; i++) {
        struct framework *f = &cat->frameworks[i];
        for (size_t j = 0; j < f->nreqs; j++) {
            struct requirement *r = &f->reqs[j];
            for (size_t k = 0; k < r->ncontrols; k++) {
                struct control *c = (struct control *)cat_control(cat, r->controls[k]);
                if (!c) {
                    snprintf(err, errlen, "%s: requirement \"%s\" field `controls`: unknown control \"%s\"",
                             f->source, r->id, r->controls[k]);
                    return -1;
                }
                struct fw_ref *ref = fw_ref_get(c, f->id);
                add_unique(&ref->reqs, &ref->nreqs, r->id);
            }
            if (r->ncontrols > 1)
                qsort(r->controls, r->ncontrols, sizeof *r->controls, cmp_str);
        }
    }
    return 0;
}
