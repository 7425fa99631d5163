/*
 * catalogue.c — `ansim controls` and `ansim frameworks`: list the catalogue (tty or
 * json), and the shared catalogue loading used by every command.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

int load_catalogue(struct catalogue *cat, char **dirs, size_t ndirs)
{
    char err[ERRLEN] = "";
    cat_init(cat);
    if (cat_load_builtin(cat, err, sizeof err))
        goto fail;
    for (size_t i = 0; i < ndirs; i++)
        if (cat_load_dir(cat, dirs[i], err, sizeof err))
            goto fail;
    if (cat_finalize(cat, err, sizeof err))
        goto fail;
    return 0;
fail:
    log_err("%s", err);
    cat_free(cat);
    return -1;
}

struct list_opts {
    const char *framework;
    int json, markdown;
    char *dirs[16];
    size_t ndirs;
};

static int parse_list_args(const char *cmd, int argc, char **argv, struct list_opts *o)
{
    int bad = 0;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if ((v = opt_value(argc, argv, &i, "--framework", &bad))) {
            o->framework = v;
        } else if ((v = opt_value(argc, argv, &i, "--format", &bad))) {
            int md = strcmp(v, "markdown") == 0 && strcmp(cmd, "controls") == 0;
            if (strcmp(v, "json") && strcmp(v, "tty") && !md) {
                fprintf(stderr, "ansim %s: --format must be tty, json%s\n", cmd,
                        strcmp(cmd, "controls") == 0 ? " or markdown" : "");
                return -1;
            }
            o->json = strcmp(v, "json") == 0;
            o->markdown = md;
        } else if ((v = opt_value(argc, argv, &i, "--controls", &bad))) {
            if (o->ndirs < 16)
                o->dirs[o->ndirs++] = (char *)v;
        } else if (!bad && (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)) {
            cmd_usage(stdout, cmd);
            exit(EXIT_OK);
        } else if (!bad) {
            fprintf(stderr, "ansim %s: unknown argument \"%s\"\n", cmd, argv[i]);
            return -1;
        }
        if (bad)
            return -1;
    }
    return 0;
}

static void print_json(json_t *v)
{
    char *s = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (s)
        puts(s);
    free(s);
    json_decref(v);
}

int cmd_controls(int argc, char **argv, const struct global_opts *g)
{
    struct list_opts o = {0};
    struct catalogue cat;
    if (parse_list_args("controls", argc, argv, &o))
        return EXIT_USAGE;
    if (load_catalogue(&cat, o.dirs, o.ndirs))
        return EXIT_RUNTIME;
    if (o.framework && !cat_framework(&cat, o.framework)) {
        fprintf(stderr, "ansim controls: unknown framework \"%s\" (see `ansim frameworks`)\n", o.framework);
        cat_free(&cat);
        return EXIT_USAGE;
    }
    if (o.markdown) {
        controls_markdown(stdout, &cat, o.framework);
        cat_free(&cat);
        return fflush(stdout) == 0 ? EXIT_OK : EXIT_RUNTIME;
    }
    json_t *arr = o.json ? json_array() : NULL;
    for (size_t i = 0; i < cat.ncontrols; i++) {
        const struct control *c = &cat.controls[i];
        const struct fw_ref *ref = o.framework ? control_fw(c, o.framework) : NULL;
        if (o.framework && !ref)
            continue;
        const char *title = L(g->lang, c->title.en, c->title.ko);
        if (arr) {
            json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s}", "id", c->id, "severity",
                                                 severity_name(c->severity), "area", area_name(c->area),
                                                 "title", title));
        } else {
            printf("%-36s %-9s %-18s %s", c->id, severity_name(c->severity), area_name(c->area), title);
            for (size_t j = 0; ref && j < ref->nreqs; j++)
                printf("%s%s", j ? ", " : "  [", ref->reqs[j]);
            printf("%s\n", ref && ref->nreqs ? "]" : "");
        }
    }
    if (arr)
        print_json(arr);
    cat_free(&cat);
    return EXIT_OK;
}

int cmd_frameworks(int argc, char **argv, const struct global_opts *g)
{
    struct list_opts o = {0};
    struct catalogue cat;
    if (parse_list_args("frameworks", argc, argv, &o))
        return EXIT_USAGE;
    if (load_catalogue(&cat, o.dirs, o.ndirs))
        return EXIT_RUNTIME;
    json_t *arr = o.json ? json_array() : NULL;
    for (size_t i = 0; i < cat.nframeworks; i++) {
        const struct framework *f = &cat.frameworks[i];
        if (o.framework && strcmp(o.framework, f->id))
            continue;
        size_t backed = 0;
        for (size_t j = 0; j < f->nreqs; j++)
            backed += f->reqs[j].ncontrols > 0;
        const char *title = L(g->lang, f->title.en, f->title.ko);
        if (arr)
            json_array_append_new(arr, json_pack("{s:s, s:s, s:s?, s:I, s:I, s:I}", "id", f->id, "title",
                                                 title, "version", f->version, "requirements",
                                                 (json_int_t)f->nreqs, "automated", (json_int_t)backed,
                                                 "manual", (json_int_t)(f->nreqs - backed)));
        else
            printf("%-16s %4zu %s (%zu %s, %zu %s)  %s\n", f->id, f->nreqs,
                   L(g->lang, "requirements", "개 요구사항"), backed,
                   L(g->lang, "checked by controls", "자동 점검"), f->nreqs - backed,
                   L(g->lang, "manual", "수동 확인"), title);
    }
    if (arr)
        print_json(arr);
    cat_free(&cat);
    return EXIT_OK;
}
