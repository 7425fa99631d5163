/*
 * files.c — which files under a path are CloudTrail log files: a directory is walked
 * recursively (symbolic links not followed), digest files and fetch sidecars are left out,
 * and the list is sorted so every run visits files in the same order.
 */
#include <errno.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../util/util.h"
#include "trail.h"

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* 1 for a file name a log scan takes. */
static int is_log_name(const char *path)
{
    if (ends_with(path, ".meta.json") || strstr(path, "CloudTrail-Digest"))
        return 0;
    return ends_with(path, ".json") || ends_with(path, ".json.gz") || ends_with(path, ".gz") ||
           ends_with(path, ".jsonl") || ends_with(path, ".ndjson");
}

/* nftw gives no user pointer: the walk in progress is per thread. */
static _Thread_local struct trail_files *walk_out;
static _Thread_local size_t walk_cap;

static void push(struct trail_files *f, size_t *cap, const char *path)
{
    if (f->n == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        f->path = xrealloc(f->path, *cap * sizeof *f->path);
    }
    f->path[f->n++] = xstrdup(path);
}

static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (type == FTW_F && is_log_name(path))
        push(walk_out, &walk_cap, path);
    return 0;
}

static int by_path(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int trail_files_list(const char *path, struct trail_files *out, char *err, size_t errlen)
{
    struct stat st;
    memset(out, 0, sizeof *out);
    if (stat(path, &st) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 0;
    if (!S_ISDIR(st.st_mode)) {
        push(out, &cap, path);
        return 0;
    }
    walk_out = out;
    walk_cap = 0;
    int rc = nftw(path, visit, 32, FTW_PHYS);
    walk_out = NULL;
    if (rc != 0) {
        snprintf(err, errlen, "%s: cannot walk the directory: %s", path, strerror(errno));
        trail_files_free(out);
        return -1;
    }
    if (out->n > 1)
        qsort(out->path, out->n, sizeof *out->path, by_path);
    return 0;
}

void trail_files_free(struct trail_files *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->path[i]);
    free(f->path);
    memset(f, 0, sizeof *f);
}
