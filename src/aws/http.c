/*
 * http.c — one HTTP exchange with libcurl (TLS verification on, bounded times and sizes).
 * Each thread keeps one libcurl handle and reuses it, so its connections (and TLS sessions)
 * stay open from one call to the next instead of a new handshake per call.
 */
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/util.h"
#include "aws.h"

#define MAX_BODY (256u << 20) /* refuse responses over 256 MiB */

struct sink {
    struct strbuf *sb;
    int too_big;
};

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
    struct sink *s = arg;
    size_t len = size * n;
    if (s->sb->len + len > MAX_BODY) {
        s->too_big = 1;
        return 0; /* aborts the transfer */
    }
    sb_add(s->sb, data, len);
    return len;
}

/* Failures worth another attempt: the network or the peer hiccuped. TLS verification,
 * malformed URLs, unsupported protocols and oversized responses will not get better. */
static int transient(CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR: return 1;
    default: return 0;
    }
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static pthread_key_t handle_key;

static void handle_free(void *h) { curl_easy_cleanup(h); }

static void curl_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    pthread_key_create(&handle_key, handle_free);
}

/* This thread's handle, reset to defaults but keeping its connection cache. */
static CURL *thread_handle(void)
{
    CURL *curl = pthread_getspecific(handle_key);
    if (curl) {
        curl_easy_reset(curl);
        return curl;
    }
    curl = curl_easy_init();
    if (curl && pthread_setspecific(handle_key, curl) != 0) {
        curl_easy_cleanup(curl);
        return NULL;
    }
    return curl;
}

/* 1 when header name is one of want (a '*' at the end of a wanted name: a prefix). */
static int wanted(const char *const *want, const char *name)
{
    for (; want && *want; want++) {
        size_t n = strlen(*want);
        if (n && (*want)[n - 1] == '*' ? strncasecmp(name, *want, n - 1) == 0 : strcasecmp(name, *want) == 0)
            return 1;
    }
    return 0;
}

/* The wanted headers of the last response (not of redirects or 100-continue). */
static void keep_headers(CURL *curl, const char *const *want, struct aws_resp_headers *out)
{
    struct curl_header *h = NULL, *prev = NULL;
    while ((h = curl_easy_nextheader(curl, CURLH_HEADER, -1, prev))) {
        prev = h;
        if (!wanted(want, h->name))
            continue;
        out->h = xrealloc(out->h, (out->n + 1) * sizeof *out->h);
        char *name = xstrdup(h->name);
        for (char *p = name; *p; p++)
            *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
        out->h[out->n].name = name;
        out->h[out->n++].value = xstrdup(h->value ? h->value : "");
    }
}

const char *aws_resp_header(const struct aws_resp_headers *hs, const char *name)
{
    for (size_t i = 0; hs && i < hs->n; i++)
        if (strcasecmp(hs->h[i].name, name) == 0)
            return hs->h[i].value;
    return NULL;
}

void aws_resp_headers_free(struct aws_resp_headers *hs)
{
    for (size_t i = 0; hs && i < hs->n; i++) {
        free(hs->h[i].name);
        free(hs->h[i].value);
    }
    if (hs) {
        free(hs->h);
        hs->h = NULL;
        hs->n = 0;
    }
}

void aws_http_thread_done(void)
{
    pthread_once(&curl_once, curl_init_once);
    CURL *curl = pthread_getspecific(handle_key);
    if (curl) {
        pthread_setspecific(handle_key, NULL);
        curl_easy_cleanup(curl);
    }
}

int aws_http_send(const struct aws_http_req *req, struct aws_http_resp *out, char *err, size_t errlen)
{
    return aws_http_send_keep(req, NULL, out, err, errlen);
}

int aws_http_send_keep(const struct aws_http_req *req, const char *const *want, struct aws_http_resp *out,
                       char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    sb_init(&out->body);
    pthread_once(&curl_once, curl_init_once);
    CURL *curl = thread_handle();
    if (!curl) {
        snprintf(err, errlen, "http: cannot create a libcurl handle");
        return -1;
    }
    struct curl_slist *hdrs = NULL, *more;
    int oom = 0;
    for (size_t i = 0; i < req->nheaders && !oom; i++) {
        /* "Name;" sends a header with an empty value (curl drops "Name:" entirely) */
        char *line = *req->headers[i].value ? xasprintf("%s: %s", req->headers[i].name, req->headers[i].value)
                                            : xasprintf("%s;", req->headers[i].name);
        oom = !(more = curl_slist_append(hdrs, line));
        hdrs = more ? more : hdrs;
        explicit_bzero(line, strlen(line)); /* may hold a session token */
        free(line);
    }
    if (!oom)
        oom = !(more = curl_slist_append(hdrs, "Expect:")); /* no 100-continue round trip */
    if (oom) {
        curl_slist_free_all(hdrs);
        snprintf(err, errlen, "http: out of memory building the request headers");
        out->transport_error = AWS_HTTP_FATAL;
        return -1;
    }
    hdrs = more;
    struct sink sink = {&out->body, 0};
    char curl_err[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(curl, CURLOPT_URL, req->url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, req->method);
    if (req->body_len || strcmp(req->method, "POST") == 0) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req->body ? req->body : "");
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    }
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_err);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                     req->connect_timeout_ms ? req->connect_timeout_ms : 10000L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, req->timeout_ms ? req->timeout_ms : 60000L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    if (!want) /* whatever libcurl can decode; the _keep variant takes the bytes as stored */
        curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "ansim/" ANSIM_VERSION);
    CURLcode rc = curl_easy_perform(curl);
    int ret = 0;
    if (rc != CURLE_OK) {
        snprintf(err, errlen, "%s",
                 sink.too_big  ? "response larger than 256 MiB"
                 : curl_err[0] ? curl_err
                               : curl_easy_strerror(rc));
        out->transport_error = transient(rc) && !sink.too_big
                                   ? (rc == CURLE_OPERATION_TIMEDOUT ? AWS_HTTP_TIMEOUT : AWS_HTTP_FAILED)
                                   : AWS_HTTP_FATAL;
        ret = -1;
    } else {
        long status = 0;
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        out->status = (int)status;
        struct curl_header *h = NULL; /* rest-json services name their errors here */
        if (status >= 300 &&
            curl_easy_header(curl, "x-amzn-ErrorType", 0, CURLH_HEADER, -1, &h) == CURLHE_OK && h->value &&
            *h->value)
            out->error_type = xstrdup(h->value);
        if (want)
            keep_headers(curl, want, &out->headers);
    }
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, NULL); /* the list is freed now */
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, NULL);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, NULL);
    curl_slist_free_all(hdrs);
    return ret;
}

void aws_http_resp_free(struct aws_http_resp *r)
{
    if (r) {
        sb_free(&r->body);
        free(r->error_type);
        r->error_type = NULL;
        aws_resp_headers_free(&r->headers);
    }
}
