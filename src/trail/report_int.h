/*
 * report_int.h — private to the access-record reports (report.c, rpool.c, review.c,
 * permhist.c, render.c, render_html.c). Not part of the module's public surface.
 *
 * A report keeps one compact row per event of the period (struct arow, 56 bytes): every
 * text in it is an id into a string pool that stores each distinct string once. Each scan
 * thread fills its own pool and rows for the file it reads; when the file ends they are
 * merged into the report's pool under a lock, translating ids once per distinct string.
 */
#ifndef ANSIM_TRAIL_REPORT_INT_H
#define ANSIM_TRAIL_REPORT_INT_H

#include <pthread.h>
#include <stdint.h>

#include "../util/util.h"
#include "trail.h"

/* ---- interned strings (rpool.c) ---- */

/* Distinct strings; id 0 is always "". */
struct strpool {
    char *buf;
    size_t len, cap;
    size_t *off; /* id -> offset in buf */
    uint32_t n, ncap;
    uint32_t *slot; /* open addressing: id + 1, 0 empty */
    size_t nslot;
};
void sp_init(struct strpool *p);
void sp_free(struct strpool *p);
/* The id of s[0..n) (added when new). */
uint32_t sp_add(struct strpool *p, const char *s, size_t n);
static inline const char *sp_str(const struct strpool *p, uint32_t id) { return p->buf + p->off[id]; }

/* uint64 key -> int64 value (keys are stored + 1, so every key is allowed but UINT64_MAX). */
struct u64map {
    uint64_t *key;
    int64_t *val;
    size_t cap, n;
};
/* The value slot of key; *created tells whether it was just added (value 0). */
int64_t *u64_slot(struct u64map *m, uint64_t key, int *created);
/* The value of key, or NULL. */
const int64_t *u64_find(const struct u64map *m, uint64_t key);
void u64_free(struct u64map *m);

/* string -> owned string (policy documents by what they belong to). */
struct strmap {
    char **key, **val;
    size_t cap, n;
};
const char *sm_get(const struct strmap *m, const char *key);
void sm_set(struct strmap *m, const char *key, const char *val); /* val copied; NULL deletes */
void sm_free(struct strmap *m);

/* ---- event time ---- */
/* eventTime text -> epoch seconds; 0 and *t set, or -1. */
int rp_time(const struct trail_val *v, int64_t *t);
/* Days since 1970-01-01 of a civil date. */
int64_t rp_days(int y, int m, int d);
/* Local "YYYY-MM-DD HH:MM:SS" (tz minutes east) / "YYYY-MM-DD" into buf (>= 20 / 11). */
void rp_local(int64_t t, int tz, char *buf, size_t cap);
void rp_local_date(int64_t t, int tz, char *buf, size_t cap);
/* "KST" for +09:00, else "UTC+HH:MM". */
void rp_tz_label(int tz, char *buf, size_t cap);

/* ---- rows of the access review ---- */

enum {
    RF_SERVICE = 1u << 0,  /* a service caller, not a person */
    RF_DENIED = 1u << 1,   /* refused: AccessDenied*, *UnauthorizedOperation*, failed sign-in */
    RF_OFFHOURS = 1u << 2, /* outside working hours, or a weekend (local time) */
    RF_NEWIP = 1u << 3,    /* the person's first use of this source within the data scanned */
    RF_DOWNLOAD = 1u << 4, /* a successful download from a personal-data bucket */
    RF_DL_OVER = 1u << 5,  /* ... on a day the person downloaded more than the threshold */
    RF_ROOT = 1u << 6      /* the root user */
};

struct arow {
    int64_t t;
    uint64_t seq; /* file index << 40 | record index: a stable order for equal times */
    uint32_t person, role, account, source, service, action, resource, outcome;
    uint32_t flags, rank; /* rank: the person's position in name order (set when sorting) */
};

/* ---- permission-history entries ---- */

enum pop {
    POP_NONE = 0,
    POP_SET,
    POP_DEL,
    POP_CREATE_MANAGED,
    POP_VERSION,
    POP_SET_DEFAULT,
    POP_DEL_VERSION
};
enum pcat { PCAT_GRANT = 0, PCAT_CHANGE, PCAT_REVOKE };

struct pentry {
    int64_t t;
    uint64_t seq;
    char *who, *role, *arn, *source, *account, *region, *service, *action, *target, *error, *message;
    char *doc;     /* the policy document the event carries (decoded text), or NULL */
    char *key;     /* what the document belongs to ("iam-inline:role:R:P"), or NULL */
    char *version; /* a managed policy version id */
    enum pop op;
    enum pcat cat;
    int set_default;
    char *before, *after; /* filled in time order (permhist_finish) */
};
void pentry_free(struct pentry *e);

/* ---- the report being built ---- */

struct rctx {
    const struct trail_report_opts *o;
    const struct trail_files *files;
    pthread_mutex_t lock;
    int64_t t0, t1; /* access-review window [t0, t1) UTC */
    char **pii;     /* personal-data bucket names (NULL: every bucket) */
    size_t npii;
    struct strpool pool;
    struct arow *rows;
    size_t nrows, caprows;
    struct u64map pairs;    /* person id << 32 | source id -> first time (all data) */
    struct u64map accounts; /* pool id -> 1 */
    struct pentry *pe;
    size_t npe, cappe;
    int64_t oldest, newest; /* over every record scanned (INT64_MAX / INT64_MIN when none) */
    struct strbuf failed;   /* "path: error\n" per failed file */
    uint64_t nfailed, records, files_done;
};

/* Per-file state of a scan thread. */
struct fstate {
    struct rctx *c;
    size_t file;
    uint64_t index;
    struct strpool pool;
    struct arow *rows;
    size_t nrows, caprows;
    struct u64map pairs, accounts;
    struct pentry *pe;
    size_t npe, cappe;
    int64_t oldest, newest;
};

/* review.c: one record into the file's rows; then, once merged, the summaries. */
void review_record(struct fstate *f, const struct trail_rec *r, int64_t t);

struct rv_sum {
    uint32_t key; /* person / service / caller id; or day number */
    uint64_t events, people, sources, downloads, denied, offhours, newips;
    size_t first, n; /* the person's rows (people only) */
};
struct rv_dl {
    uint32_t person;
    int64_t day;
    uint64_t count;
};
struct review {
    struct rv_sum *people, *services, *days, *callers;
    size_t npeople, nservices, ndays, ncallers;
    struct rv_dl *dl;
    size_t ndl;
    size_t nperson_rows; /* rows of people come first, service callers after */
    uint64_t events, denied, offhours, newips, downloads, dl_over;
};
void review_finish(struct rctx *c, struct review *rv);
void review_free(struct review *rv);

/* permhist.c */
void permhist_record(struct fstate *f, const struct trail_rec *r, int64_t t);
void permhist_finish(struct rctx *c);

/* render.c / render_html.c: the report text appended to out. */
void render_review_json(const struct rctx *c, const struct review *rv, struct strbuf *out);
void render_review_csv(const struct rctx *c, struct strbuf *out);
void render_review_html(const struct rctx *c, const struct review *rv, struct strbuf *out);
void render_perm_json(const struct rctx *c, struct strbuf *out);
void render_perm_csv(const struct rctx *c, struct strbuf *out);
void render_perm_html(const struct rctx *c, struct strbuf *out);

/* Shared by the renderers. */
const char *rp_flag_names(uint32_t flags, char *buf, size_t cap); /* "off_hours,new_ip" */
const char *pcat_name(enum pcat c);                               /* "grant" | "change" | "revoke" */
int64_t rp_required_days(const struct rctx *c);
void rp_utc(int64_t t, char *buf, size_t cap);               /* "YYYY-MM-DDTHH:MM:SSZ" */
size_t rp_accounts(const struct rctx *c, const char ***out); /* sorted; free(*out) only */
/* A policy document for display: indented JSON when it parses, else as given (caller frees). */
char *rp_pretty(const char *doc, int compact);
/* The statement that the fifth access-record field is not in CloudTrail. */
extern const char rp_fifth_field_ko[], rp_fifth_field_en[];
int64_t rp_days_covered(const struct rctx *c);

#endif
