/*
 * provider.c — credentials that come from a network call and expire: STS AssumeRole for
 * profiles with role_arn, the container credentials endpoint (ECS, EKS Pod Identity) and
 * EC2 instance metadata (IMDSv2, token first). A refresher holds the current set and renews
 * it, under a lock, when it comes within 5 minutes of expiring, so a long scan never signs
 * with expired credentials.
 */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../util/util.h"
#include "aws.h"

#define RENEW_AHEAD 300 /* seconds before expiry: renew (at most every 30 s; keep the old set on failure) */
#define MANDATORY_AHEAD 60 /* seconds before expiry: renew or fail */

struct aws_refresher {
    pthread_mutex_t lock;
    struct aws_cred cred;
    /* fetch a fresh set into out; -1 with err */
    int (*fetch)(struct aws_refresher *r, struct aws_cred *out, char *err, size_t errlen);
    void (*free_arg)(void *arg);
    void *arg;
    time_t last_fetch;
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
    time_t now = time(NULL);
    int mandatory = !r->cred.access_key_id || (r->cred.expires && r->cred.expires - MANDATORY_AHEAD <= now);
    int advisory = r->cred.expires && r->cred.expires - RENEW_AHEAD <= now && now - r->last_fetch >= 30;
    if (mandatory || advisory) {
        r->last_fetch = now;
        struct aws_cred fresh;
        memset(&fresh, 0, sizeof fresh);
        if (r->fetch(r, &fresh, err, errlen) == 0) {
            aws_cred_free(&r->cred);
            r->cred = fresh;
        } else if (mandatory) {
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

/* ---- the sources ---- */

struct source_arg {
    struct aws_cred_source src;
    struct aws_client base; /* ROLE: the client that calls STS with the source's credentials */
    const char *endpoint_url;
};

/* JSON {AccessKeyId, SecretAccessKey, Token|SessionToken, Expiration} into out. */
static int cred_from_json(json_t *doc, const char *what, struct aws_cred *out, char *err, size_t errlen)
{
    const char *akid = json_string_value(json_object_get(doc, "AccessKeyId"));
    const char *secret = json_string_value(json_object_get(doc, "SecretAccessKey"));
    const char *token = json_string_value(json_object_get(doc, "Token"));
    const char *exp = json_string_value(json_object_get(doc, "Expiration"));
    if (!token)
        token = json_string_value(json_object_get(doc, "SessionToken"));
    time_t expires = 0;
    if (!akid || !secret || (exp && time_parse(exp, &expires) != 0)) {
        snprintf(err, errlen, "%s: the answer holds no usable credentials", what);
        return -1;
    }
    out->access_key_id = xstrdup(akid);
    out->secret_access_key = xstrdup(secret);
    out->session_token = token && *token ? xstrdup(token) : NULL;
    out->expires = expires;
    out->source = xstrdup(what);
    return 0;
}

/* One HTTP exchange with a credentials endpoint; the body (caller frees) or NULL with err. */
static char *fetch_text(const char *method, const char *url, const struct aws_header *h, size_t nh,
                        long timeout_ms, const char *what, char *err, size_t errlen)
{
    struct aws_http_req req = {method, url, h, nh, NULL, 0, timeout_ms, timeout_ms};
    struct aws_http_resp resp;
    char herr[ERRLEN] = "";
    char *out = NULL;
    if (aws_http_send(&req, &resp, herr, sizeof herr))
        snprintf(err, errlen, "%s: %s", what, herr);
    else if (resp.status != 200)
        snprintf(err, errlen, "%s: HTTP %d from %s", what, resp.status, url);
    else
        out = sb_detach(&resp.body);
    aws_http_resp_free(&resp);
    return out;
}

/* EC2 instance metadata, IMDSv2: a session token first, then the role's credentials. */
static int fetch_imds(struct aws_cred *out, char *err, size_t errlen)
{
    const char *base = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    if (!base || !*base)
        base = "http://169.254.169.254";
    size_t n = strlen(base);
    char *root = xstrndup(base, n && base[n - 1] == '/' ? n - 1 : n);
    const char *what = "EC2 instance metadata";
    char *url = xasprintf("%s/latest/api/token", root);
    struct aws_header ttl = {"X-aws-ec2-metadata-token-ttl-seconds", "21600"};
    char *token = fetch_text("PUT", url, &ttl, 1, 1000, what, err, errlen);
    free(url);
    int rc = -1;
    if (token) {
        struct aws_header auth = {"X-aws-ec2-metadata-token", token};
        url = xasprintf("%s/latest/meta-data/iam/security-credentials/", root);
        char *role = fetch_text("GET", url, &auth, 1, 1000, what, err, errlen);
        free(url);
        if (role) {
            role[strcspn(role, "\r\n")] = '\0';
            char *enc = aws_uri_encode(role, strlen(role), 0);
            url = xasprintf("%s/latest/meta-data/iam/security-credentials/%s", root, enc);
            char *body = *role ? fetch_text("GET", url, &auth, 1, 1000, what, err, errlen) : NULL;
            if (!*role)
                snprintf(err, errlen, "%s: the instance has no IAM role", what);
            json_t *doc = body ? json_loads(body, 0, NULL) : NULL;
            if (body && !doc)
                snprintf(err, errlen, "%s: the credentials are not JSON", what);
            if (doc)
                rc = cred_from_json(doc, "EC2 instance metadata (IMDSv2)", out, err, errlen);
            json_decref(doc);
            if (body)
                explicit_bzero(body, strlen(body));
            free(body);
            free(enc);
            free(url);
            free(role);
        }
        explicit_bzero(token, strlen(token));
        free(token);
    }
    free(root);
    return rc;
}

/* A full URI the container provider may call: HTTPS, or HTTP to loopback or the ECS/EKS
 * agent addresses (botocore's rule), so credentials never cross a network in the clear. */
static int container_uri_allowed(const char *url)
{
    if (strncmp(url, "https://", 8) == 0)
        return 1;
    if (strncmp(url, "http://", 7) != 0)
        return 0;
    char *host = aws_url_host(url);
    char *colon = strrchr(host, ':');
    if (colon && !strchr(host, ']'))
        *colon = '\0';
    int ok = strcmp(host, "localhost") == 0 || strncmp(host, "127.", 4) == 0 || strcmp(host, "[::1]") == 0 ||
             strcmp(host, "169.254.170.2") == 0 || strcmp(host, "169.254.170.23") == 0 ||
             strcmp(host, "[fd00:ec2::23]") == 0;
    free(host);
    return ok;
}

static int fetch_container(struct aws_cred *out, char *err, size_t errlen)
{
    const char *rel = getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    const char *full = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    const char *what = "container credentials";
    char *url = rel && *rel ? xasprintf("http://169.254.170.2%s", rel) : full && *full ? xstrdup(full) : NULL;
    if (!url) {
        snprintf(err, errlen, "%s: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/_FULL_URI not set", what);
        return -1;
    }
    if (!(rel && *rel) && !container_uri_allowed(url)) {
        snprintf(err, errlen,
                 "%s: AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http to a loopback "
                 "or ECS/EKS agent address",
                 what);
        free(url);
        return -1;
    }
    char *token = NULL;
    const char *tfile = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"),
               *tenv = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    if (tfile && *tfile) {
        char ferr[ERRLEN];
        size_t len;
        token = file_read(tfile, &len, ferr, sizeof ferr);
        if (!token) {
            snprintf(err, errlen, "%s: %s", what, ferr);
            free(url);
            return -1;
        }
        token[strcspn(token, "\r\n")] = '\0';
    } else if (tenv && *tenv) {
        token = xstrdup(tenv);
    }
    struct aws_header auth = {"Authorization", token ? token : ""};
    char *body = fetch_text("GET", url, &auth, token ? 1 : 0, 2000, what, err, errlen);
    int rc = -1;
    json_t *doc = body ? json_loads(body, 0, NULL) : NULL;
    if (body && !doc)
        snprintf(err, errlen, "%s: the answer is not JSON", what);
    if (doc)
        rc = cred_from_json(doc, "container credentials endpoint", out, err, errlen);
    json_decref(doc);
    if (body)
        explicit_bzero(body, strlen(body));
    free(body);
    if (token)
        explicit_bzero(token, strlen(token));
    free(token);
    free(url);
    return rc;
}

/* STS AssumeRole with the base client's credentials. */
static int fetch_role(struct source_arg *a, struct aws_cred *out, char *err, size_t errlen)
{
    const struct aws_cred_source *s = &a->src;
    char session[64], duration[24];
    snprintf(session, sizeof session, "%s", s->session_name ? s->session_name : "");
    if (!*session)
        snprintf(session, sizeof session, "ansim-%lld", (long long)time(NULL));
    snprintf(duration, sizeof duration, "%ld", s->duration > 0 ? s->duration : 3600);
    const char *params[8] = {"RoleArn", s->role_arn, "RoleSessionName", session, "DurationSeconds", duration};
    size_t n = 3;
    if (s->external_id) {
        params[6] = "ExternalId";
        params[7] = s->external_id;
        n = 4;
    }
    char *home = aws_region_find(NULL);
    const char *region = s->region ? s->region : home ? home : "us-east-1";
    struct aws_call call = {"sts", region, "AssumeRole", params, n, NULL};
    struct aws_result r;
    char cerr[ERRLEN] = "";
    a->base.endpoint_url = a->endpoint_url;
    int rc = -1;
    if (aws_call(&a->base, &call, &r, cerr, sizeof cerr)) {
        snprintf(err, errlen, "profile %s: assuming %s failed: %s", s->profile, s->role_arn, cerr);
    } else if (r.status >= 300) {
        snprintf(err, errlen, "profile %s: assuming %s was refused: %s: %s", s->profile, s->role_arn,
                 r.code ? r.code : "?", r.message ? r.message : "");
    } else {
        json_t *v = aws_output("sts", "AssumeRole", &r, cerr, sizeof cerr);
        char *what = xasprintf("role %s (profile %s)", s->role_arn, s->profile);
        if (!v)
            snprintf(err, errlen, "profile %s: %s", s->profile, cerr);
        else
            rc = cred_from_json(json_object_get(v, "Credentials"), what, out, err, errlen);
        free(what);
        json_decref(v);
    }
    if (r.body.buf)
        explicit_bzero(r.body.buf, r.body.len);
    aws_result_free(&r);
    free(home);
    return rc;
}

static int fetch(struct aws_refresher *r, struct aws_cred *out, char *err, size_t errlen)
{
    struct source_arg *a = r->arg;
    switch (a->src.kind) {
    case AWS_SRC_ROLE: return fetch_role(a, out, err, errlen);
    case AWS_SRC_CONTAINER: return fetch_container(out, err, errlen);
    case AWS_SRC_IMDS: return fetch_imds(out, err, errlen);
    default: snprintf(err, errlen, "no credentials to renew"); return -1;
    }
}

static void source_arg_free(void *p)
{
    struct source_arg *a = p;
    aws_cred_source_free(&a->src);
    aws_client_free(&a->base);
    free(a);
}

/* A client for source s: static credentials as they are, the others behind a refresher. */
static int client_for(struct aws_client *c, struct aws_cred_source *s, char *err, size_t errlen)
{
    if (s->kind == AWS_SRC_STATIC) {
        c->cred = s->cred; /* moved */
        memset(&s->cred, 0, sizeof s->cred);
        return 0;
    }
    struct source_arg *a = xcalloc(1, sizeof *a);
    a->src = *s; /* moved */
    memset(s, 0, sizeof *s);
    a->endpoint_url = c->endpoint_url;
    if (a->src.kind == AWS_SRC_ROLE) {
        a->base.timeout_ms = c->timeout_ms;
        if (client_for(&a->base, a->src.source, err, errlen)) {
            source_arg_free(a);
            return -1;
        }
    }
    struct aws_refresher *r = xcalloc(1, sizeof *r);
    pthread_mutex_init(&r->lock, NULL);
    r->fetch = fetch;
    r->arg = a;
    r->free_arg = source_arg_free;
    c->refresher = r;
    /* fetch now: a source that cannot deliver is an error before any collection starts */
    struct aws_credentials probe;
    if (aws_client_credentials(c, &probe, err, errlen))
        return -1;
    aws_client_credentials_release(c, &probe);
    return 0;
}

int aws_client_init(struct aws_client *c, const char *profile, char *err, size_t errlen)
{
    struct aws_cred_source s;
    c->refresher = NULL;
    memset(&c->cred, 0, sizeof c->cred);
    if (aws_creds_source(profile, &s, err, errlen))
        return -1;
    char serr[ERRLEN] = "";
    int rc = client_for(c, &s, serr, sizeof serr);
    if (rc && s.kind == AWS_SRC_IMDS) /* the end of the chain: nothing anywhere */
        snprintf(err, errlen,
                 "no AWS credentials found: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, configure a profile "
                 "in ~/.aws, or run on an instance with a role (%s)",
                 serr);
    else if (rc)
        snprintf(err, errlen, "%s", serr);
    aws_cred_source_free(&s);
    return rc;
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

const char *aws_client_source(const struct aws_client *c)
{
    if (c->refresher && c->refresher->cred.source)
        return c->refresher->cred.source;
    return c->cred.source ? c->cred.source : "?";
}
