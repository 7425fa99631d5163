/*
 * cmd.h — the command table's shared pieces: global options (valid before or after the
 * command name), exit codes, and one entry point per command (src/cmd/<name>.c).
 */
#ifndef ANSIM_CMD_H
#define ANSIM_CMD_H

#include "../controls/controls.h"
#include "../util/util.h"

enum exit_code { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2, EXIT_FINDINGS = 3 };

struct global_opts {
    const char *profile;
    const char *regions; /* comma-separated */
    const char *endpoint_url;
    const char *db_path;
    int no_db;
    enum lang lang;
    int max_concurrency;       /* live collection: calls in flight at most (0: default 8) */
    int stats;                 /* live collection: print calls per operation */
    const char *profile_file;  /* --profile-file: the organisation profile (else ./ansim.yaml) */
    const struct profile *org; /* the organisation profile, loaded for scan and iam */
};

struct profile;

int cmd_scan(int argc, char **argv, const struct global_opts *g);
int cmd_collect(int argc, char **argv, const struct global_opts *g);

/* Collect the live account into a snapshot document (JSON text, *len bytes; caller frees),
 * or NULL after printing the error. */
char *collect_live(const struct global_opts *g, const struct catalogue *cat, size_t *len);
/* Fill inv (open, profile set) from the snapshot file, or, when snapshot is NULL, from a live
 * collection of what cat's controls read. 0, or -1 after printing the error. */
struct inventory;
int inventory_fill(struct inventory *inv, const struct global_opts *g, const struct catalogue *cat,
                   const char *snapshot);
int cmd_controls(int argc, char **argv, const struct global_opts *g);
int cmd_frameworks(int argc, char **argv, const struct global_opts *g);
int cmd_history(int argc, char **argv, const struct global_opts *g);
int cmd_iam(int argc, char **argv, const struct global_opts *g);
int cmd_init(int argc, char **argv, const struct global_opts *g);
int cmd_baseline(int argc, char **argv, const struct global_opts *g);
int cmd_trail(int argc, char **argv, const struct global_opts *g);
/* the trail subcommands: argv[0] is the subcommand's name */
int cmd_trail_fetch(int argc, char **argv, const struct global_opts *g);
int cmd_trail_verify(int argc, char **argv, const struct global_opts *g);
int cmd_trail_hunt(int argc, char **argv, const struct global_opts *g);
int cmd_trail_report(int argc, char **argv, const struct global_opts *g);
/* Shared by the trail subcommands (trail.c). "s3://BUCKET[/PREFIX]" -> bucket and prefix
 * without '/' at either end (new strings); -1 when url is not that. */
int trail_s3_url(const char *url, char **bucket, char **prefix);
/* A client from the global options, as collect sets one up, allowed s3:GetObject (the trail
 * objects); *region (caller frees) is where to look for the bucket first. -1 after printing
 * the error. */
struct aws_client;
int trail_client_open(const struct global_opts *g, struct aws_client *c, char **region);
void trail_client_close(struct aws_client *c);
/* on_failure of a fetch: one error line per object that could not be copied */
void trail_fetch_failure(void *arg, const char *key, const char *why);

/* Print usage of one command (or the overview when name is NULL) to f. */
void cmd_usage(FILE *f, const char *name);

/* Option helpers shared by commands: argv[*i] is "--name" (value in argv[*i+1]) or
 * "--name=value". Returns the value and advances *i, or NULL when argv[*i] is another
 * option; prints a usage error and sets *bad when the value is missing. */
const char *opt_value(int argc, char **argv, int *i, const char *name, int *bad);

/* The controls reference document (Markdown, both languages), optionally one framework's. */
void controls_markdown(FILE *f, const struct catalogue *cat, const char *framework);

/* Load the built-in catalogue plus the user's directories; prints errors. 0 or -1. */
int load_catalogue(struct catalogue *cat, char **dirs, size_t ndirs);

#endif
