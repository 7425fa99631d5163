/*
 * main.c — ansim's entry point: the command table (git-style), global options that may
 * appear before or after the command name, and dispatch. Commands live in src/cmd/.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "profile/profile.h"
#include "util/util.h"

static int cmd_version(int argc, char **argv, const struct global_opts *g)
{
    (void)argc, (void)argv, (void)g;
    printf("ansim %s\n", ANSIM_VERSION);
    return EXIT_OK;
}

static int cmd_help(int argc, char **argv, const struct global_opts *g)
{
    (void)g;
    cmd_usage(stdout, argc > 1 ? argv[1] : NULL);
    return EXIT_OK;
}

static const struct {
    const char *name;
    int (*fn)(int, char **, const struct global_opts *);
} commands[] = {
    {"scan", cmd_scan},         {"collect", cmd_collect},
    {"controls", cmd_controls}, {"frameworks", cmd_frameworks},
    {"history", cmd_history},   {"version", cmd_version},
    {"iam", cmd_iam},           {"help", cmd_help},
    {"init", cmd_init},         {"trail", cmd_trail},
    {"baseline", cmd_baseline},
};

/* Commands whose findings depend on the organisation profile. */
static int uses_profile(const char *name)
{
    return !strcmp(name, "scan") || !strcmp(name, "iam") || !strcmp(name, "trail") ||
           !strcmp(name, "baseline");
}

const char *opt_value(int argc, char **argv, int *i, const char *name, int *bad)
{
    size_t n = strlen(name);
    const char *a = argv[*i];
    if (strncmp(a, name, n) != 0)
        return NULL;
    if (a[n] == '=')
        return a + n + 1;
    if (a[n] != '\0')
        return NULL;
    if (*i + 1 >= argc) {
        fprintf(stderr, "ansim: option %s needs a value\n", name);
        *bad = 1;
        return NULL;
    }
    return argv[++*i];
}

/* Remove global options from argv (anywhere), filling g. Returns 0, or 2 on usage error. */
static int take_globals(int *argc, char **argv, struct global_opts *g)
{
    int out = 1, bad = 0;
    const char *lang = NULL;
    for (int i = 1; i < *argc; i++) {
        const char *v;
        if (strcmp(argv[i], "--") == 0) {
            while (i < *argc)
                argv[out++] = argv[i++];
            break;
        }
        if ((v = opt_value(*argc, argv, &i, "--profile", &bad)))
            g->profile = v;
        else if ((v = opt_value(*argc, argv, &i, "--profile-file", &bad)))
            g->profile_file = v;
        else if ((v = opt_value(*argc, argv, &i, "--region", &bad)))
            g->regions = v;
        else if ((v = opt_value(*argc, argv, &i, "--endpoint-url", &bad)))
            g->endpoint_url = v;
        else if ((v = opt_value(*argc, argv, &i, "--max-concurrency", &bad))) {
            char *end;
            long n = strtol(v, &end, 10);
            if (*end || n < 1 || n > 256) {
                fprintf(stderr, "ansim: --max-concurrency must be a number from 1 to 256\n");
                return EXIT_USAGE;
            }
            g->max_concurrency = (int)n;
        } else if ((v = opt_value(*argc, argv, &i, "--lang", &bad)))
            lang = v;
        else if ((v = opt_value(*argc, argv, &i, "--db", &bad)))
            g->db_path = v;
        else if (!bad && strcmp(argv[i], "--no-db") == 0)
            g->no_db = 1;
        else if (!bad && strcmp(argv[i], "--stats") == 0)
            g->stats = 1;
        else if (!bad && strcmp(argv[i], "-q") == 0)
            log_level = 0;
        else if (!bad && strcmp(argv[i], "-v") == 0)
            log_level = 2;
        else if (!bad)
            argv[out++] = argv[i];
        if (bad)
            return EXIT_USAGE;
    }
    *argc = out;
    argv[out] = NULL;
    if (lang) {
        if (strcmp(lang, "ko") == 0)
            g->lang = LANG_KO;
        else if (strcmp(lang, "en") == 0)
            g->lang = LANG_EN;
        else {
            fprintf(stderr, "ansim: --lang must be ko or en, not \"%s\"\n", lang);
            return EXIT_USAGE;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct global_opts g = {0};
    g.lang = lang_from_env();
    int rc = take_globals(&argc, argv, &g);
    if (rc)
        return rc;
    if (argc < 2) {
        cmd_usage(stderr, NULL);
        return EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
        name = "help";
    else if (strcmp(name, "--version") == 0)
        name = "version";
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++) {
        if (strcmp(commands[i].name, name) != 0)
            continue;
        struct profile org;
        profile_init(&org);
        if (uses_profile(name)) {
            char err[ERRLEN] = "";
            if (profile_load_default(&org, g.profile_file, err, sizeof err)) {
                fprintf(stderr, "ansim: %s\n", err);
                profile_free(&org);
                return EXIT_RUNTIME;
            }
            g.org = &org;
        }
        rc = commands[i].fn(argc - 1, argv + 1, &g);
        profile_free(&org);
        return rc;
    }
    fprintf(stderr, "ansim: unknown command \"%s\" (see `ansim help`)\n", name);
    return EXIT_USAGE;
}
