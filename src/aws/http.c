/*
 * http.c — one HTTP exchange with libcurl (TLS verification on, bounded times and sizes).
 * The parallel caller of the live-collection work will drive many of these through
 * libcurl's multi interface; this is the single-request path it builds on.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int aws_http_send(const struct aws_http_req *req, struct aws_http_resp *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    sb_init(&out->body);
    static int initialised;
    if (!initialised) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        initialised = 1;
    }
    CURL *curl = curl_easy_init();
    if (!curl) {
        snprintf(err, errlen, "http: cannot create a libcurl handle");
        return -1;
    }
    struct curl_slist *hdrs = NULL;
    for (size_t i = 0; i < req->nheaders; i++) {
        char *line = xasprintf("%s: %s", req->headers[i].name, req->headers[i].value);
        hdrs = curl_slist_append(hdrs, line);
        explicit_bzero(line, strlen(line)); /* may hold a session token */
        free(line);
    }
    hdrs = curl_slist_append(hdrs, "Expect:"); /* no 100-continue round trip */
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
    curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, ""); /* whatever libcurl can decode */
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "ansim/" ANSIM_VERSION);
    CURLcode rc = curl_easy_perform(curl);
    int ret = 0;
    if (rc != CURLE_OK) {
        snprintf(err, errlen, "%s",
                 sink.too_big  ? "response larger than 256 MiB"
                 : curl_err[0] ? curl_err
                               : curl_easy_strerror(rc));
        out->transport_error = rc == CURLE_OPERATION_TIMEDOUT ? AWS_HTTP_TIMEOUT : AWS_HTTP_FAILED;
        ret = -1;
    } else {
        long status = 0;
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        out->status = (int)status;
    }
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(curl);
    return ret;
}

void aws_http_resp_free(struct aws_http_resp *r)
{
    if (r)
        sb_free(&r->body);
}
