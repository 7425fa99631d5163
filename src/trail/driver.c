/*
 * driver.c — work on all cores: trail_parallel() runs a function over the indexes 0..n-1 on
 * several threads (the caller's among them) that take indexes in order from a shared
 * counter; verify and fetch use it too. trail_scan() uses it to run the streaming scanner
 * over each file and call the visitor, showing a progress line on a terminal.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util/util.h"
#include "trail.h"

/* ---- running work on several threads ---- */

struct parallel {
    size_t n;
    atomic_size_t next;
    void (*fn)(void *ctx, size_t i);
    void *ctx;
};

static void *parallel_worker(void *arg)
{
    struct parallel *p = arg;
    size_t i;
    while ((i = atomic_fetch_add(&p->next, 1)) < p->n)
        p->fn(p->ctx, i);
    return NULL;
}

void trail_parallel(size_t n, int threads, void (*fn)(void *ctx, size_t i), void *ctx)
{
    struct parallel p = {.n = n, .fn = fn, .ctx = ctx};
    atomic_init(&p.next, 0);
    size_t extra = threads > 1 ? (size_t)threads - 1 : 0;
    if (extra >= n)
        extra = n ? n - 1 : 0;
    pthread_t *tid = xcalloc(extra ? extra : 1, sizeof *tid);
    size_t started = 0;
    while (started < extra && pthread_create(&tid[started], NULL, parallel_worker, &p) == 0)
        started++;
    parallel_worker(&p); /* this thread works too; alone when no thread could start */
    for (size_t i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
    free(tid);
}

/* ---- the scan ---- */

struct run {
    const struct trail_files *files;
    const struct trail_visitor *v;
    int progress;
    double t0, last_shown;
    pthread_mutex_t lock;
    size_t done;
    struct trail_scan_stats stats;
};

struct per_file {
    const struct trail_visitor *v;
    void *state;
};

static int on_record(void *arg, const struct trail_rec *r)
{
    struct per_file *pf = arg;
    return pf->v->record ? pf->v->record(pf->state, r) : 0;
}

/* Called with the lock held. */
static void show(const struct run *run, int last)
{
    double s = mono() - run->t0;
    double mb = (double)run->stats.bytes_out / 1e6;
    fprintf(stderr, "\r\033[Kfiles %zu/%zu · %.0f MB · %llu records · %.0f MB/s%s", run->done, run->files->n,
            mb, (unsigned long long)run->stats.records, s > 0 ? mb / s : 0.0, last ? "\n" : "");
}

static void scan_one(void *arg, size_t i)
{
    struct run *run = arg;
    const struct trail_visitor *v = run->v;
    const char *path = run->files->path[i];
    struct trail_file_result res;
    memset(&res, 0, sizeof res);
    struct per_file pf = {v, v->begin ? v->begin(v->ctx, i, path) : NULL};
    struct trail_src *src = trail_src_open(path, res.err, sizeof res.err);
    if (!src)
        res.failed = 1;
    else {
        trail_scan_src(src, path, on_record, &pf, &res);
        trail_src_close(src);
    }
    if (v->end)
        v->end(v->ctx, pf.state, i, &res);
    pthread_mutex_lock(&run->lock);
    run->stats.files++;
    run->stats.failed_files += res.failed != 0;
    run->stats.records += res.records;
    run->stats.bytes_in += res.bytes_in;
    run->stats.bytes_out += res.bytes_out;
    run->done++;
    if (run->progress && mono() - run->last_shown >= 0.25) {
        run->last_shown = mono();
        show(run, 0);
    }
    pthread_mutex_unlock(&run->lock);
}

int trail_scan(const struct trail_files *files, int threads, int progress, const struct trail_visitor *v,
               struct trail_scan_stats *stats, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    struct run run;
    memset(&run, 0, sizeof run);
    run.files = files;
    run.v = v;
    run.progress = progress;
    run.t0 = mono();
    pthread_mutex_init(&run.lock, NULL);
    if (threads <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n < 1 ? 1 : n > 8 ? 8 : (int)n;
    }
    trail_parallel(files->n, threads, scan_one, &run);
    if (progress && files->n)
        show(&run, 1);
    run.stats.seconds = mono() - run.t0;
    if (stats)
        *stats = run.stats;
    pthread_mutex_destroy(&run.lock);
    return 0;
}
