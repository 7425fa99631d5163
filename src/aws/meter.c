/*
 * meter.c — what the calls of one collection cost, and client-side rate limiting: counts of
 * requests per operation (every attempt counts), errors and throttling answers, and an
 * adaptive per-service limiter in the spirit of the AWS SDKs' "adaptive" retry mode. The
 * limiter stays out of the way until a service throttles; then it caps that service's
 * request rate below what was being sent, lowers the cap on every further throttle and
 * raises it slowly while calls succeed. Thread-safe; every function accepts NULL.
 */
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../util/util.h"
#include "aws.h"

#define MAX_SERVICES 64

struct limiter {
    char service[32];
    int enabled;
    double rate;         /* allowed requests per second once enabled */
    double tokens, last; /* token bucket */
    double window_start; /* measured sending rate over the last second */
    unsigned window_count;
    double measured;
};

struct aws_meter {
    pthread_mutex_t lock;
    json_t *per_op; /* "service:Op" -> attempts */
    size_t calls, errors, throttles;
    struct limiter lim[MAX_SERVICES];
    size_t nlim;
};

struct aws_meter *aws_meter_new(void)
{
    struct aws_meter *m = xcalloc(1, sizeof *m);
    pthread_mutex_init(&m->lock, NULL);
    m->per_op = json_object();
    return m;
}

void aws_meter_free(struct aws_meter *m)
{
    if (!m)
        return;
    json_decref(m->per_op);
    pthread_mutex_destroy(&m->lock);
    free(m);
}

static struct limiter *limiter_of(struct aws_meter *m, const char *service)
{
    for (size_t i = 0; i < m->nlim; i++)
        if (strcmp(m->lim[i].service, service) == 0)
            return &m->lim[i];
    if (m->nlim == MAX_SERVICES)
        return NULL;
    struct limiter *l = &m->lim[m->nlim++];
    memset(l, 0, sizeof *l);
    snprintf(l->service, sizeof l->service, "%s", service);
    return l;
}

void aws_meter_wait(struct aws_meter *m, const char *service)
{
    if (!m)
        return;
    double delay = 0;
    pthread_mutex_lock(&m->lock);
    struct limiter *l = limiter_of(m, service);
    double now = mono();
    if (l) {
        if (now - l->window_start >= 1.0) {
            l->measured = l->window_count / (now - l->window_start > 2.0 ? now - l->window_start : 1.0);
            l->window_start = now;
            l->window_count = 0;
        }
        l->window_count++;
        if (l->enabled) {
            l->tokens += (now - l->last) * l->rate;
            if (l->tokens > (l->rate > 1 ? l->rate : 1))
                l->tokens = l->rate > 1 ? l->rate : 1;
            l->last = now;
            l->tokens -= 1; /* reserve this request's token, even ahead of time */
            if (l->tokens < 0)
                delay = -l->tokens / l->rate;
        }
    }
    pthread_mutex_unlock(&m->lock);
    if (delay > 0) {
        if (delay > 30)
            delay = 30;
        struct timespec ts = {(time_t)delay, (long)((delay - (double)(time_t)delay) * 1e9)};
        while (nanosleep(&ts, &ts) == -1)
            ;
    }
}

void aws_meter_count(struct aws_meter *m, const char *service, const char *op, int throttled, int failed)
{
    if (!m)
        return;
    char key[160];
    snprintf(key, sizeof key, "%s:%s", service, op);
    pthread_mutex_lock(&m->lock);
    json_t *n = json_object_get(m->per_op, key);
    json_object_set_new(m->per_op, key, json_integer(json_integer_value(n) + 1));
    m->calls++;
    m->errors += failed != 0;
    struct limiter *l = limiter_of(m, service);
    if (throttled) {
        m->throttles++;
        if (l && !l->enabled) { /* start below what was being sent */
            double sent = l->measured > l->window_count ? l->measured : l->window_count;
            l->enabled = 1;
            l->rate = sent / 2 > 1 ? sent / 2 : 1;
            l->tokens = 0;
            l->last = mono();
        } else if (l) {
            l->rate = l->rate * 0.7 > 0.5 ? l->rate * 0.7 : 0.5;
        }
    } else if (l && l->enabled && !failed) {
        l->rate += 0.1; /* additive increase */
    }
    pthread_mutex_unlock(&m->lock);
}

json_t *aws_meter_report(struct aws_meter *m)
{
    if (!m)
        return json_object();
    pthread_mutex_lock(&m->lock);
    json_t *r =
        json_pack("{s:I, s:I, s:I, s:o}", "calls", (json_int_t)m->calls, "errors", (json_int_t)m->errors,
                  "throttled", (json_int_t)m->throttles, "per_operation", json_deep_copy(m->per_op));
    pthread_mutex_unlock(&m->lock);
    return r;
}

size_t aws_meter_calls(struct aws_meter *m, size_t *errors)
{
    if (!m) {
        if (errors)
            *errors = 0;
        return 0;
    }
    pthread_mutex_lock(&m->lock);
    size_t c = m->calls;
    if (errors)
        *errors = m->errors;
    pthread_mutex_unlock(&m->lock);
    return c;
}
