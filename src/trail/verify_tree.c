/*
 * verify_tree.c — the files the digest-chain verifier works on: walks the root directory,
 * keeps the objects under AWSLogs/.../CloudTrail-Digest/ (digests) and .../CloudTrail/
 * (logs), reads their fetch sidecars (<file>.meta.json) and parses what the key names:
 * account, source region, trail, time. Everything else (Insights, other files) is skipped.
 */
#include <dirent.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../aws/aws.h"
#include "../util/util.h"
#include "trail.h"
#include "verify_int.h"

#define SIDECAR ".meta.json"
#define MAX_DEPTH 40

const char *vkey_suffix(const char *key)
{
    if (!key)
        return NULL;
    for (const char *p = key; (p = strstr(p, "AWSLogs/")); p++)
        if (p == key || p[-1] == '/')
            return p;
    return NULL;
}

static int ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && strcmp(s + a - b, suf) == 0;
}

/* Copy the next '/'-separated component of *p into out (cap bytes); advance *p. */
static int component(const char **p, char *out, size_t cap)
{
    const char *slash = strchr(*p, '/');
    if (!slash || (size_t)(slash - *p) >= cap || slash == *p)
        return -1;
    memcpy(out, *p, (size_t)(slash - *p));
    out[slash - *p] = '\0';
    *p = slash + 1;
    return 0;
}

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return n > 0;
}

/* Digest name ACCT_CloudTrail-Digest_REGION_TRAIL_HOME_YYYYMMDDTHHMMSSZ[_backfill].json.gz:
 * fills ts, backfill, home and trail ("TRAIL_HOME"). */
static void parse_digest_name(struct vobj *o, const char *name, const char *acct, const char *region,
                              char *trail, size_t cap)
{
    char *head = xasprintf("%s_CloudTrail-Digest_%s_", acct, region);
    size_t hl = strlen(head), nl = strlen(name);
    o->backfill = ends_with(name, "_backfill.json.gz");
    size_t tail = o->backfill ? 34 : 25; /* "_" + 16 + ["_backfill"] + ".json.gz" */
    trail[0] = '\0';
    if (strncmp(name, head, hl) == 0 && nl > hl + tail && name[nl - tail] == '_') {
        memcpy(o->ts, name + nl - tail + 1, 16);
        o->ts[16] = '\0';
        size_t tl = nl - tail - hl;
        if (tl < cap) {
            memcpy(trail, name + hl, tl);
            trail[tl] = '\0';
            const char *home = strrchr(trail, '_'); /* a trail name may hold '_'; a region not */
            if (home && aws_valid_label(home + 1))
                snprintf(o->home, sizeof o->home, "%s", home + 1);
        }
    }
    free(head);
}

/* Log name ACCT_CloudTrail_REGION_YYYYMMDDTHHMMZ_UNIQUE.json.gz: the time, or "". */
static void parse_log_name(struct vobj *o, const char *name, const char *acct, const char *region)
{
    char *head = xasprintf("%s_CloudTrail_%s_", acct, region);
    size_t hl = strlen(head);
    if (strncmp(name, head, hl) == 0 && strlen(name) > hl + 15 && name[hl + 14] == '_' && name[hl + 8] == 'T')
        memcpy(o->ts, name + hl, 14), o->ts[14] = '\0';
    free(head);
}

/* Classify o by its loc; 0 when it is a digest or a log, -1 to skip it. */
static int classify(struct vobj *o)
{
    const char *p = o->loc + strlen("AWSLogs/");
    char org[80] = "", acct[64], kind[32], region[64], trail[256];
    if (strncmp(p, "o-", 2) == 0 && component(&p, org, sizeof org))
        return -1;
    if (component(&p, acct, sizeof acct) || !all_digits(acct, strlen(acct)) ||
        component(&p, kind, sizeof kind) || component(&p, region, sizeof region))
        return -1;
    if (strcmp(kind, "CloudTrail-Digest") && strcmp(kind, "CloudTrail"))
        return -1;
    const char *name = strrchr(o->loc, '/') + 1;
    o->area =
        xasprintf("%.*sAWSLogs/%s%s%s/|%s", (int)o->lprefix, o->rel, org, org[0] ? "/" : "", acct, region);
    if (strcmp(kind, "CloudTrail-Digest") == 0) {
        o->kind = V_DIGEST;
        parse_digest_name(o, name, acct, region, trail, sizeof trail);
        o->group = xasprintf("%s|%s|%s", o->area, trail, o->backfill ? "b" : "");
    } else {
        o->kind = V_LOG;
        parse_log_name(o, name, acct, region);
    }
    return 0;
}

/* Read the sidecar of o (path sc). Its key, when it has one under AWSLogs/, is o's loc. */
static void read_sidecar(struct vobj *o, const char *sc)
{
    char e[ERRLEN];
    json_error_t je;
    size_t len = 0;
    char *buf = file_read(sc, &len, e, sizeof e);
    json_t *doc = buf ? json_loadb(buf, len, 0, &je) : NULL;
    o->has_sidecar = 1;
    if (!doc || !json_is_object(doc)) {
        o->sc_err = xasprintf("unreadable sidecar %s%s: %s", o->rel, SIDECAR, buf ? je.text : e);
    } else {
        json_t *md = json_object_get(doc, "metadata");
        o->sc_bucket = xstrdup(json_string_value(json_object_get(doc, "bucket")));
        o->sc_key = xstrdup(json_string_value(json_object_get(doc, "key")));
        o->sc_sig = xstrdup(json_string_value(json_object_get(md, "signature")));
        o->sc_alg = xstrdup(json_string_value(json_object_get(md, "signature-algorithm")));
    }
    json_decref(doc);
    free(buf);
}

/* A file found by the walk: keep it when it is a digest or log object. */
static void add_file(struct vtree *t, const char *abs, const char *rel)
{
    const char *suf = vkey_suffix(rel);
    if (!suf || ends_with(rel, SIDECAR))
        return;
    struct vobj o = {0};
    o.rel = xstrdup(rel);
    o.abs = xstrdup(abs);
    o.lprefix = (size_t)(suf - rel);
    char *sc = xasprintf("%s%s", abs, SIDECAR);
    struct stat st;
    if (stat(sc, &st) == 0)
        read_sidecar(&o, sc);
    free(sc);
    const char *sk = vkey_suffix(o.sc_key);
    o.loc = xstrdup(sk ? sk : suf);
    if (classify(&o)) {
        free(o.rel), free(o.abs), free(o.loc), free(o.area), free(o.group);
        free(o.sc_bucket), free(o.sc_key), free(o.sc_sig), free(o.sc_alg), free(o.sc_err);
        return;
    }
    t->o = xrealloc(t->o, (t->n + 1) * sizeof *t->o);
    t->o[t->n++] = o;
    if (o.kind == V_DIGEST)
        t->ndigests++;
    else
        t->nlogs++;
}

static int walk(struct vtree *t, const char *abs, const char *rel, int depth, char *err, size_t errlen)
{
    DIR *d = opendir(abs);
    if (!d) {
        snprintf(err, errlen, "%s: cannot open the directory", abs);
        return -1;
    }
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *a = xasprintf("%s/%s", abs, e->d_name);
        char *r = *rel ? xasprintf("%s/%s", rel, e->d_name) : xstrdup(e->d_name);
        struct stat st;
        if (stat(a, &st) == 0 && S_ISDIR(st.st_mode)) {
            if (depth < MAX_DEPTH)
                rc = walk(t, a, r, depth + 1, err, errlen);
        } else if (stat(a, &st) == 0 && S_ISREG(st.st_mode))
            add_file(t, a, r);
        free(a);
        free(r);
    }
    closedir(d);
    return rc;
}

static int cmp_obj(const void *a, const void *b)
{
    const struct vobj *x = a, *y = b;
    int c = strcmp(x->loc, y->loc);
    return c ? c : strcmp(x->rel, y->rel);
}

int vtree_load(const char *root, struct vtree *t, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    struct stat st;
    if (stat(root, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s: no such directory", root);
        return -1;
    }
    if (walk(t, root, "", 0, err, errlen)) {
        vtree_free(t);
        return -1;
    }
    if (t->n)
        qsort(t->o, t->n, sizeof *t->o, cmp_obj);
    return 0;
}

void vtree_free(struct vtree *t)
{
    for (size_t i = 0; i < t->n; i++) {
        struct vobj *o = &t->o[i];
        free(o->rel), free(o->abs), free(o->loc), free(o->area), free(o->group);
        free(o->sc_bucket), free(o->sc_key), free(o->sc_sig), free(o->sc_alg), free(o->sc_err);
    }
    free(t->o);
    memset(t, 0, sizeof *t);
}

const struct vobj *vtree_find(const struct vtree *t, enum vkind kind, const char *key,
                              const struct vobj *near)
{
    const char *loc = vkey_suffix(key);
    if (!loc)
        return NULL;
    size_t lo = 0, hi = t->n;
    while (lo < hi) { /* first object with this loc */
        size_t mid = (lo + hi) / 2;
        if (strcmp(t->o[mid].loc, loc) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    const struct vobj *best = NULL;
    for (size_t i = lo; i < t->n && strcmp(t->o[i].loc, loc) == 0; i++) {
        const struct vobj *o = &t->o[i];
        if (o->kind != kind)
            continue;
        if (!best)
            best = o;
        if (near && o->lprefix == near->lprefix && strncmp(o->rel, near->rel, o->lprefix) == 0)
            return o;
    }
    return best;
}
