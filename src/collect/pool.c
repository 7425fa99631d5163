/*
 * pool.c — the work queue of a collection. Collectors are blocking functions; each piece of
 * independent work (a region's security groups, one bucket, one user, one key) is a task,
 * and tasks queue further tasks as they discover resources. N worker threads
 * (--max-concurrency) take tasks in order until none is queued or running, so at most N
 * calls are in flight. On a terminal a one-line progress display shows tasks done, calls
 * and errors.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../util/util.h"
#include "collect.h"

struct task {
    collect_fn fn;
    void *arg;
    void (*free_arg)(void *);
    struct task *next;
};

struct collect_pool {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct task *head, *tail;
    size_t queued, running, done;
    int progress;     /* draw the progress line */
    double last_draw; /* mono() of the last draw */
    const struct collect_ctx *ctx;
};

void collect_spawn(struct collect_ctx *ctx, collect_fn fn, void *arg, void (*free_arg)(void *))
{
    struct collect_pool *p = ctx->pool;
    if (!p) { /* no pool: run now */
        fn(ctx, arg);
        if (free_arg)
            free_arg(arg);
        return;
    }
    struct task *t = xcalloc(1, sizeof *t);
    *t = (struct task){fn, arg, free_arg, NULL};
    pthread_mutex_lock(&p->lock);
    if (p->tail)
        p->tail->next = t;
    else
        p->head = t;
    p->tail = t;
    p->queued++;
    pthread_cond_signal(&p->cond);
    pthread_mutex_unlock(&p->lock);
}

void collect_release_json(void *v) { json_decref(v); }

void collect_spawn_region(struct collect_ctx *ctx, collect_fn fn, const char *region)
{
    collect_spawn(ctx, fn, xstrdup(region), free);
}

/* Called with the lock held. */
static void draw(struct collect_pool *p, int final)
{
    double now = mono();
    if (!p->progress || (!final && now - p->last_draw < 0.1))
        return;
    p->last_draw = now;
    size_t errors = 0, calls = aws_meter_calls(p->ctx->client->meter, &errors);
    size_t total = p->done + p->running + p->queued;
    fprintf(stderr, "\r\033[Kcollecting: %zu/%zu tasks, %zu calls, %zu failed%s", p->done, total, calls,
            errors, final ? "\n" : "");
    fflush(stderr);
}

static void *worker(void *arg)
{
    struct collect_pool *p = arg;
    struct collect_ctx *ctx = (struct collect_ctx *)p->ctx;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->head && p->running > 0)
            pthread_cond_wait(&p->cond, &p->lock);
        if (!p->head) { /* nothing queued and nothing running: nothing more will come */
            pthread_cond_broadcast(&p->cond);
            break;
        }
        struct task *t = p->head;
        p->head = t->next;
        if (!p->head)
            p->tail = NULL;
        p->queued--;
        p->running++;
        pthread_mutex_unlock(&p->lock);
        t->fn(ctx, t->arg);
        if (t->free_arg)
            t->free_arg(t->arg);
        free(t);
        pthread_mutex_lock(&p->lock);
        p->running--;
        p->done++;
        draw(p, 0);
        if (!p->head && p->running == 0)
            pthread_cond_broadcast(&p->cond);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL; /* the thread's connections are closed as it exits */
}

void collect_run(struct collect_ctx *ctx, size_t nthreads, int progress)
{
    struct collect_pool *p = ctx->pool;
    if (!p)
        return;
    p->ctx = ctx;
    p->progress = progress;
    if (nthreads < 1)
        nthreads = 1;
    pthread_t *threads = xcalloc(nthreads, sizeof *threads);
    size_t started = 0;
    for (; nthreads > 1 && started < nthreads; started++)
        if (pthread_create(&threads[started], NULL, worker, p) != 0)
            break;
    if (started == 0)
        worker(p); /* one at a time (or threads unavailable): this thread does the work */
    for (size_t i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    free(threads);
    pthread_mutex_lock(&p->lock);
    draw(p, 1);
    pthread_mutex_unlock(&p->lock);
}

struct collect_pool *collect_pool_new(void)
{
    struct collect_pool *p = xcalloc(1, sizeof *p);
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->cond, NULL);
    return p;
}

void collect_pool_free(struct collect_pool *p)
{
    if (!p)
        return;
    while (p->head) { /* only when a run was never started */
        struct task *t = p->head;
        p->head = t->next;
        if (t->free_arg)
            t->free_arg(t->arg);
        free(t);
    }
    pthread_cond_destroy(&p->cond);
    pthread_mutex_destroy(&p->lock);
    free(p);
}
