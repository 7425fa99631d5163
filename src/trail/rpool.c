/*
 * rpool.c — the reports' small containers: a string pool that keeps each distinct string
 * once (rows hold 32-bit ids), a uint64 -> int64 hash map, a string -> string map for policy
 * documents, and the event-time helpers (UTC parse, local-time formatting).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h ^ (h >> 29);
}

static uint64_t hash_u64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return x;
}

/* ---- string pool ---- */

static void sp_grow_slots(struct strpool *p)
{
    size_t ns = p->nslot ? p->nslot * 2 : 1024;
    uint32_t *slot = xcalloc(ns, sizeof *slot);
    for (uint32_t id = 0; id < p->n; id++) {
        const char *s = p->buf + p->off[id];
        size_t i = hash_bytes(s, strlen(s)) & (ns - 1);
        while (slot[i])
            i = (i + 1) & (ns - 1);
        slot[i] = id + 1;
    }
    free(p->slot);
    p->slot = slot;
    p->nslot = ns;
}

void sp_init(struct strpool *p)
{
    memset(p, 0, sizeof *p);
    sp_add(p, "", 0);
}

void sp_free(struct strpool *p)
{
    free(p->buf);
    free(p->off);
    free(p->slot);
    memset(p, 0, sizeof *p);
}

uint32_t sp_add(struct strpool *p, const char *s, size_t n)
{
    const char *nul = memchr(s, '\0', n); /* a string is what precedes an embedded NUL */
    if (nul)
        n = (size_t)(nul - s);
    if ((size_t)(p->n + 1) * 2 > p->nslot)
        sp_grow_slots(p);
    size_t i = hash_bytes(s, n) & (p->nslot - 1);
    for (; p->slot[i]; i = (i + 1) & (p->nslot - 1)) {
        const char *t = p->buf + p->off[p->slot[i] - 1];
        if (strncmp(t, s, n) == 0 && t[n] == '\0')
            return p->slot[i] - 1;
    }
    if (p->len + n + 1 > p->cap) {
        p->cap = (p->len + n + 1) * 2 + 4096;
        p->buf = xrealloc(p->buf, p->cap);
    }
    if (p->n == p->ncap) {
        p->ncap = p->ncap ? p->ncap * 2 : 256;
        p->off = xrealloc(p->off, p->ncap * sizeof *p->off);
    }
    memcpy(p->buf + p->len, s, n);
    p->buf[p->len + n] = '\0';
    p->off[p->n] = p->len;
    p->len += n + 1;
    p->slot[i] = p->n + 1;
    return p->n++;
}

/* ---- uint64 map ---- */

static void u64_grow(struct u64map *m)
{
    size_t nc = m->cap ? m->cap * 2 : 256;
    uint64_t *key = xcalloc(nc, sizeof *key);
    int64_t *val = xcalloc(nc, sizeof *val);
    for (size_t j = 0; j < m->cap; j++) {
        if (!m->key[j])
            continue;
        size_t i = hash_u64(m->key[j]) & (nc - 1);
        while (key[i])
            i = (i + 1) & (nc - 1);
        key[i] = m->key[j];
        val[i] = m->val[j];
    }
    free(m->key);
    free(m->val);
    m->key = key;
    m->val = val;
    m->cap = nc;
}

int64_t *u64_slot(struct u64map *m, uint64_t key, int *created)
{
    if ((m->n + 1) * 2 > m->cap)
        u64_grow(m);
    uint64_t k = key + 1;
    size_t i = hash_u64(k) & (m->cap - 1);
    while (m->key[i] && m->key[i] != k)
        i = (i + 1) & (m->cap - 1);
    *created = !m->key[i];
    if (!m->key[i]) {
        m->key[i] = k;
        m->val[i] = 0;
        m->n++;
    }
    return &m->val[i];
}

const int64_t *u64_find(const struct u64map *m, uint64_t key)
{
    if (!m->cap)
        return NULL;
    uint64_t k = key + 1;
    size_t i = hash_u64(k) & (m->cap - 1);
    while (m->key[i] && m->key[i] != k)
        i = (i + 1) & (m->cap - 1);
    return m->key[i] ? &m->val[i] : NULL;
}

void u64_free(struct u64map *m)
{
    free(m->key);
    free(m->val);
    memset(m, 0, sizeof *m);
}

/* ---- string map (small: policy documents by owner) ---- */

static size_t sm_pos(const struct strmap *m, const char *key)
{
    size_t i = hash_bytes(key, strlen(key)) & (m->cap - 1);
    while (m->key[i] && strcmp(m->key[i], key) != 0)
        i = (i + 1) & (m->cap - 1);
    return i;
}

const char *sm_get(const struct strmap *m, const char *key) { return m->cap ? m->val[sm_pos(m, key)] : NULL; }

void sm_set(struct strmap *m, const char *key, const char *val)
{
    if ((m->n + 1) * 2 > m->cap) {
        struct strmap old = *m;
        m->cap = old.cap ? old.cap * 2 : 64;
        m->key = xcalloc(m->cap, sizeof *m->key);
        m->val = xcalloc(m->cap, sizeof *m->val);
        for (size_t j = 0; j < old.cap; j++)
            if (old.key[j]) {
                size_t i = sm_pos(m, old.key[j]);
                m->key[i] = old.key[j];
                m->val[i] = old.val[j];
            }
        free(old.key);
        free(old.val);
    }
    size_t i = sm_pos(m, key);
    if (!m->key[i]) {
        m->key[i] = xstrdup(key);
        m->n++;
    }
    free(m->val[i]);
    m->val[i] = xstrdup(val); /* a deleted key keeps its slot with a NULL value */
}

void sm_free(struct strmap *m)
{
    for (size_t i = 0; i < m->cap; i++) {
        free(m->key[i]);
        free(m->val[i]);
    }
    free(m->key);
    free(m->val);
    memset(m, 0, sizeof *m);
}

/* ---- time ---- */

int64_t rp_days(int y, int m, int d) { return days_from_civil(y, m, d); }

int rp_time(const struct trail_val *v, int64_t *t)
{
    char buf[64];
    if (v->type != TRAIL_STRING)
        return -1;
    size_t n = trail_text(v, buf, sizeof buf);
    int y, mo, d, h, mi, s;
    if (n == 20 && buf[4] == '-' && buf[7] == '-' && buf[10] == 'T' && buf[13] == ':' && buf[16] == ':' &&
        buf[19] == 'Z' && !parse_digits(buf, 4, &y) && !parse_digits(buf + 5, 2, &mo) &&
        !parse_digits(buf + 8, 2, &d) && !parse_digits(buf + 11, 2, &h) && !parse_digits(buf + 14, 2, &mi) &&
        !parse_digits(buf + 17, 2, &s) && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h < 24 && mi < 60 &&
        s <= 60) {
        *t = rp_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
        return 0;
    }
    time_t tt;
    if (n >= sizeof buf || time_parse(buf, &tt) != 0)
        return -1;
    *t = (int64_t)tt;
    return 0;
}

static void civil(int64_t days, int *y, int *m, int *d)
{
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    int64_t doe = days - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static int64_t floordiv(int64_t a, int64_t b) { return a / b - ((a % b) != 0 && ((a < 0) != (b < 0))); }

void rp_local(int64_t t, int tz, char *buf, size_t cap)
{
    int64_t lt = t + (int64_t)tz * 60, day = floordiv(lt, 86400), sec = lt - day * 86400;
    int y, m, d;
    civil(day, &y, &m, &d);
    snprintf(buf, cap, "%04d-%02d-%02d %02d:%02d:%02d", y, m, d, (int)(sec / 3600), (int)(sec / 60 % 60),
             (int)(sec % 60));
}

void rp_local_date(int64_t t, int tz, char *buf, size_t cap)
{
    int64_t day = floordiv(t + (int64_t)tz * 60, 86400);
    int y, m, d;
    civil(day, &y, &m, &d);
    snprintf(buf, cap, "%04d-%02d-%02d", y, m, d);
}

void rp_tz_label(int tz, char *buf, size_t cap)
{
    if (tz == 540)
        snprintf(buf, cap, "KST");
    else
        snprintf(buf, cap, "UTC%c%02d:%02d", tz < 0 ? '-' : '+', abs(tz) / 60, abs(tz) % 60);
}
