/*
 * provider.c — credentials that come from a network call and expire: STS AssumeRole for
 * profiles with role_arn, the container credentials endpoint (ECS, EKS Pod Identity) and
 * EC2 instance metadata (IMDSv2, token first). A refresher holds the current set and renews
 * it, under a lock, when it comes within 5 minutes of expiring, so a long scan never signs
 * with expired credentials.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../util/util.h"
#include "aws.h"

#define RENEW_AHEAD 300 /* seconds before expiry */

struct aws_refresher {
    pthread_mutex_t lock;
    struct aws_cred cred;
    /* fetch a fresh set into out; -1 with err */
    int (*fetch)(struct aws_refresher *r, struct aws_cred *out, char *err, size_t errlen);
    void (*free_arg)(void *arg);
    void *arg;
};

static char *dup_secret(const char *s) { return s ? xstrdup(s) : NULL; }

static void wipe_free(char *s)
{
    if (s) {
        explicit_bzero(s, strlen(s));
        free(s);
    }
}

int aws_client_credentials(const struct aws_client *c, struct aws_credentials *out, char *err, size_t errlen)
{
    struct aws_refresher *r = c->refresher;
    if (!r) {
        *out =
            (struct aws_credentials){c->cred.access_key_id, c->cred.secret_access_key, c->cred.session_token};
        return 0;
    }
    int rc = 0;
    pthread_mutex_lock(&r->lock);
    if (!r->cred.access_key_id || (r->cred.expires && r->cred.expires - RENEW_AHEAD <= time(NULL))) {
        struct aws_cred fresh;
        memset(&fresh, 0, sizeof fresh);
        if (r->fetch(r, &fresh, err, errlen) == 0) {
            aws_cred_free(&r->cred);
            r->cred = fresh;
        } else if (!r->cred.access_key_id || r->cred.expires <= time(NULL)) {
            rc = -1; /* nothing usable left */
        }
    }
    if (rc == 0)
        *out =
            (struct aws_credentials){dup_secret(r->cred.access_key_id), dup_secret(r->cred.secret_access_key),
                                     dup_secret(r->cred.session_token)};
    pthread_mutex_unlock(&r->lock);
    return rc;
}

void aws_client_credentials_release(const struct aws_client *c, struct aws_credentials *out)
{
    if (c->refresher) {
        wipe_free((char *)out->access_key_id);
        wipe_free((char *)out->secret_access_key);
        wipe_free((char *)out->session_token);
    }
    memset(out, 0, sizeof *out);
}

int aws_client_init(struct aws_client *c, const char *profile, char *err, size_t errlen)
{
    c->refresher = NULL;
    return aws_creds_find(profile, &c->cred, err, errlen);
}

void aws_client_free(struct aws_client *c)
{
    aws_cred_free(&c->cred);
    if (c->refresher) {
        aws_cred_free(&c->refresher->cred);
        if (c->refresher->free_arg)
            c->refresher->free_arg(c->refresher->arg);
        pthread_mutex_destroy(&c->refresher->lock);
        free(c->refresher);
        c->refresher = NULL;
    }
}

const char *aws_client_source(const struct aws_client *c) { return c->cred.source ? c->cred.source : "?"; }
