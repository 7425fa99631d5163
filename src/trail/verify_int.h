/*
 * verify_int.h — private to the digest-chain verifier (verify*.c): the files found under
 * the verified directory and how they are looked up.
 */
#ifndef ANSIM_TRAIL_VERIFY_INT_H
#define ANSIM_TRAIL_VERIFY_INT_H

#include <stddef.h>

enum vkind { V_DIGEST, V_LOG };

/* One digest or log object found under the root. Its location ("loc") is its S3 key from
 * "AWSLogs/" on: the sidecar's key when it has a sidecar, else its path; a prefix before
 * AWSLogs/ never matters, so a tree can hold root/<key> or root/<bucket>/<key>. */
struct vobj {
    char *rel;      /* path relative to the root (what problems name) */
    char *abs;      /* path to open */
    char *loc;      /* key from "AWSLogs/" on */
    size_t lprefix; /* rel[0..lprefix) comes before "AWSLogs/" */
    enum vkind kind;
    /* the fetch sidecar "<file>.meta.json", when there is one */
    int has_sidecar;
    char *sc_bucket, *sc_key, *sc_sig, *sc_alg;
    char *sc_err; /* the sidecar could not be read or parsed */
    /* from the key */
    char *area;    /* rel prefix + "AWSLogs/[o-ID/]ACCOUNT/|REGION": one source region */
    char *group;   /* digests: area + "|TRAIL_HOMEREGION|" + "b" for backfill: one chain */
    char ts[17];   /* digest: YYYYMMDDTHHMMSSZ; log: YYYYMMDDTHHMMZ; "" when the name has none */
    char home[64]; /* digest: the trail's home region (whose key signs it), "" when unnamed */
    int backfill;
};

struct vtree {
    struct vobj *o; /* sorted by loc, then rel */
    size_t n;
    size_t ndigests, nlogs;
};

/* Find every digest and log object under root (a directory). 0, or -1 with err. */
int vtree_load(const char *root, struct vtree *t, char *err, size_t errlen);
void vtree_free(struct vtree *t);

/* The object of kind whose location is key's (from "AWSLogs/" on), preferring one whose
 * rel prefix is the same as near's (may be NULL). NULL when none. */
const struct vobj *vtree_find(const struct vtree *t, enum vkind kind, const char *key,
                              const struct vobj *near);

/* The part of key from "AWSLogs/" on (at the start or after a '/'), or NULL. */
const char *vkey_suffix(const char *key);

#endif
