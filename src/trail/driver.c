/*
 * driver.c — scanning many log files on all cores: worker threads take files in list order
 * from a shared counter, each runs the streaming scanner over its file and calls the
 * visitor; the calling thread shows a progress line on a terminal until all are done.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../util/util.h"
#include "trail.h"

struct run {
    const struct trail_files *files;
    const struct trail_visitor *v;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    size_t next, done;
    int running;
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

static void scan_one(struct run *run, size_t i)
{
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
    pthread_cond_broadcast(&run->cond);
    pthread_mutex_unlock(&run->lock);
}

static void *worker(void *arg)
{
    struct run *run = arg;
    for (;;) {
        pthread_mutex_lock(&run->lock);
        size_t i = run->next < run->files->n ? run->next++ : (size_t)-1;
        pthread_mutex_unlock(&run->lock);
        if (i == (size_t)-1)
            break;
        scan_one(run, i);
    }
    pthread_mutex_lock(&run->lock);
    run->running--;
    pthread_cond_broadcast(&run->cond);
    pthread_mutex_unlock(&run->lock);
    return NULL;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Called with the lock held. */
static void show(const struct run *run, double t0, int last)
{
    double s = now() - t0;
    double mb = (double)run->stats.bytes_out / 1e6;
    fprintf(stderr, "\r\033[Kfiles %zu/%zu · %.0f MB · %llu records · %.0f MB/s%s", run->done, run->files->n,
            mb, (unsigned long long)run->stats.records, s > 0 ? mb / s : 0.0, last ? "\n" : "");
}

int trail_scan(const struct trail_files *files, int threads, int progress, const struct trail_visitor *v,
               struct trail_scan_stats *stats, char *err, size_t errlen)
{
    struct run run;
    memset(&run, 0, sizeof run);
    run.files = files;
    run.v = v;
    pthread_mutex_init(&run.lock, NULL);
    pthread_cond_init(&run.cond, NULL);
    if (threads <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n < 1 ? 1 : n > 8 ? 8 : (int)n;
    }
    if ((size_t)threads > files->n)
        threads = files->n ? (int)files->n : 1;
    double t0 = now();
    pthread_t *tid = xcalloc((size_t)threads, sizeof *tid);
    int started = 0, rc = 0;
    for (int i = 0; i < threads; i++) {
        pthread_mutex_lock(&run.lock);
        run.running++;
        pthread_mutex_unlock(&run.lock);
        if (pthread_create(&tid[i], NULL, worker, &run) != 0) {
            pthread_mutex_lock(&run.lock);
            run.running--;
            pthread_mutex_unlock(&run.lock);
            break;
        }
        started++;
    }
    if (started == 0) {
        snprintf(err, errlen, "cannot start a scan thread");
        rc = -1;
    }
    pthread_mutex_lock(&run.lock);
    while (run.running > 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 250 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&run.cond, &run.lock, &ts);
        if (progress)
            show(&run, t0, 0);
    }
    if (progress && started)
        show(&run, t0, 1);
    pthread_mutex_unlock(&run.lock);
    for (int i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
    free(tid);
    run.stats.seconds = now() - t0;
    if (stats)
        *stats = run.stats;
    pthread_mutex_destroy(&run.lock);
    pthread_cond_destroy(&run.cond);
    return rc;
}
