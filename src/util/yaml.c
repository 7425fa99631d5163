/*
 * yaml.c — one way to read a YAML document from memory with libfyaml: text checked to be
 * UTF-8 first (libfyaml 0.7 can loop forever on invalid UTF-8 in a directive line), parser
 * diagnostics collected instead of printed, and the first one turned into a one-line
 * "NAME:LINE:COLUMN: invalid YAML: ..." error. Used by the catalogue and the profile.
 */
#include <libfyaml.h>
#include <stdio.h>

#include "util.h"

static void diag_discard(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
    (void)diag, (void)user, (void)buf, (void)len;
}

struct fy_document *yaml_parse(const char *name, const char *buf, size_t len, char *err, size_t errlen)
{
    long bad = utf8_invalid_at(buf, len);
    if (bad >= 0) {
        snprintf(err, errlen, "%s: not UTF-8 text (invalid byte at offset %ld)", name, bad);
        return NULL;
    }
    struct fy_diag_cfg dcfg;
    fy_diag_cfg_default(&dcfg);
    dcfg.fp = NULL;
    dcfg.output_fn = diag_discard;
    struct fy_diag *diag = fy_diag_create(&dcfg);
    struct fy_parse_cfg cfg = {.flags = FYPCF_QUIET | FYPCF_COLLECT_DIAG, .diag = diag};
    struct fy_document *doc = fy_document_build_from_string(&cfg, buf, len);
    if (!doc) {
        void *it = NULL;
        struct fy_diag_error *de = diag ? fy_diag_errors_iterate(diag, &it) : NULL;
        if (de)
            snprintf(err, errlen, "%s:%d:%d: invalid YAML: %s", name, de->line + 1, de->column + 1,
                     de->msg ? de->msg : "syntax error");
        else
            snprintf(err, errlen, "%s: invalid YAML", name);
    }
    fy_diag_destroy(diag);
    return doc;
}

/* libfyaml 0.7 keeps positions on tokens only: a scalar's own, else (a mapping or a list)
 * the first scalar inside it. */
int yaml_line(struct fy_node *n)
{
    for (int depth = 0; n && depth < 64; depth++) {
        if (fy_node_is_scalar(n)) {
            struct fy_token *t = fy_node_get_scalar_token(n);
            const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;
            return m ? m->line + 1 : 0;
        }
        void *it = NULL;
        if (fy_node_is_mapping(n)) {
            struct fy_node_pair *kv = fy_node_mapping_iterate(n, &it);
            n = kv ? fy_node_pair_key(kv) : NULL;
        } else {
            n = fy_node_sequence_iterate(n, &it);
        }
    }
    return 0;
}
