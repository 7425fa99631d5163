/*
 * call.c — one AWS API call in any of the protocols ansim reads: the request built from the
 * operation's table entry (query and ec2: a form POST; json: a JSON POST with X-Amz-Target;
 * rest-xml and rest-json: the method and request URI of the model — S3 virtual-host or path
 * style, S3 Control with the account id — and, for rest-json, a JSON document), signed with SigV4 afresh for every attempt, sent, and
 * retried with exponential backoff and full jitter while the answer is throttling, a 5xx
 * or a transport failure. Error codes are read from each protocol's error shape.
 *
 * Every call passes the read-only allow-list first (aws_op_allowed).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "../util/util.h"
#include "aws.h"
#include "shapes.h"

/* ---- retries ---- */

/* Error codes AWS uses for "slow down" or "try again" (besides any 5xx and 429). */
static const char *const retry_codes[] = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "RequestThrottled",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "SlowDown",
    "BandwidthLimitExceeded",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "PriorRequestNotComplete",
    "RequestTimeout",
    "RequestTimeoutException",
    "EC2ThrottledException",
    "IDPCommunicationError",
    "InternalError",
    "InternalFailure",
    "ServiceUnavailable",
};

int aws_retryable(int status, const char *code)
{
    if (status >= 500 || status == 429)
        return 1;
    for (size_t i = 0; code && i < sizeof retry_codes / sizeof *retry_codes; i++)
        if (strcmp(code, retry_codes[i]) == 0)
            return 1;
    return 0;
}

/* Exponential backoff with full jitter: a uniform delay in [0, min(cap, base * 2^attempt)]. */
static void backoff(const struct aws_client *c, int attempt)
{
    unsigned long cap =
        c->retry_cap_ms > 0 && c->retry_cap_ms < 300000 ? (unsigned long)c->retry_cap_ms : 20000;
    unsigned long base = c->retry_base_ms > 0 ? (unsigned long)c->retry_base_ms : 200;
    int shift = attempt - 1 < 20 ? attempt - 1 : 20; /* first retry waits up to base */
    unsigned long ceiling = base > (cap >> shift) ? cap : base << shift;
    unsigned long long r = 0;
    if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r)
        r = (unsigned long long)time(NULL) * 2654435761u;
    unsigned long ms = (unsigned long)(r % (ceiling + 1));
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1)
        ;
}

/* ---- building the request ---- */

struct wire {
    const char *method;
    char *url, *host, *path, *query; /* path and query as sent (encoded) */
    struct strbuf body;
    struct aws_header extra[3];
    size_t nextra;
    char *target; /* X-Amz-Target value */
    int s3;       /* S3 signing rules: no path normalisation or double encoding, signed body hash */
};

static void wire_free(struct wire *w)
{
    free(w->url);
    free(w->host);
    free(w->path);
    free(w->query);
    free(w->target);
    sb_free(&w->body);
}

/* The value of parameter name in call, or NULL. */
static const char *param(const struct aws_call *call, const char *name)
{
    for (size_t i = 0; i < 2 * call->nparams; i += 2)
        if (strcmp(call->params[i], name) == 0)
            return call->params[i + 1];
    return NULL;
}

/* A bucket name that can be a DNS label of a virtual host (no dots: TLS wildcard). */
static int dns_bucket(const char *b)
{
    size_t n = strlen(b);
    if (n < 3 || n > 63)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((b[i] >= 'a' && b[i] <= 'z') || (b[i] >= '0' && b[i] <= '9') || b[i] == '-'))
            return 0;
    return b[0] != '-' && b[n - 1] != '-';
}

/* REST: the model's request URI with {Name} placeholders filled from the call's parameters,
 * plus the parameters named "?name" as query parameters (sorted by the signer, sent as
 * given). The S3 rules (virtual host, account prefix) apply to S3 and S3 Control only. */
static int rest_request(const struct aws_op *o, const struct aws_call *call, const char *base, int custom,
                        struct wire *w, char *err, size_t errlen)
{
    struct strbuf path, query;
    sb_init(&path);
    sb_init(&query);
    const char *u = o->request_uri, *q = strchr(u, '?');
    size_t ulen = q ? (size_t)(q - u) : strlen(u);
    const char *bucket = param(call, "Bucket");
    int vhost = bucket && !custom && dns_bucket(bucket) && strcmp(call->service, "s3") == 0;
    for (size_t i = 0; i < ulen; i++) {
        if (u[i] != '{') {
            sb_putc(&path, u[i]);
            continue;
        }
        size_t close = i + strcspn(u + i, "}");
        char *name = xstrndup(u + i + 1, close - i - 1);
        size_t nlen = strlen(name);
        int greedy = nlen > 1 && name[nlen - 1] == '+'; /* "{Key+}": its '/' stay path separators */
        if (greedy)
            name[nlen - 1] = '\0';
        const char *v = param(call, name);
        if (!v || !*v) {
            snprintf(err, errlen, "%s:%s: parameter %s missing", call->service, call->op, name);
            free(name);
            sb_free(&path);
            sb_free(&query);
            return -1;
        }
        if (vhost && strcmp(name, "Bucket") == 0) { /* the bucket is in the host name instead */
            if (close + 1 < ulen && u[close + 1] == '/')
                close++; /* "/{Bucket}/{Key}" -> "/{Key}" */
        } else {
            char *enc = aws_uri_encode(v, strlen(v), greedy);
            sb_puts(&path, enc);
            free(enc);
        }
        free(name);
        i = close;
    }
    if (!path.len)
        sb_putc(&path, '/');
    if (q)
        sb_puts(&query, q + 1);
    for (size_t i = 0; i < 2 * call->nparams; i += 2) {
        if (call->params[i][0] != '?')
            continue;
        char *k = aws_uri_encode(call->params[i] + 1, strlen(call->params[i] + 1), 0);
        char *v = aws_uri_encode(call->params[i + 1], strlen(call->params[i + 1]), 0);
        sb_printf(&query, "%s%s=%s", query.len ? "&" : "", k, v);
        free(k);
        free(v);
    }
    char *host = aws_url_host(base);
    const char *scheme_end = strstr(base, "://");
    const char *account = param(call, "AccountId");
    if (strcmp(call->service, "s3control") == 0) {
        if (!account || !aws_valid_label(account)) {
            snprintf(err, errlen, "s3control:%s: a valid AccountId is required", call->op);
            free(host);
            sb_free(&path);
            sb_free(&query);
            return -1;
        }
        w->extra[w->nextra++] = (struct aws_header){"x-amz-account-id", account};
        if (!custom) { /* the account id prefixes the host (an endpoint override is used as is) */
            char *h = xasprintf("%s.%s", account, host);
            free(host);
            host = h;
        }
    } else if (vhost) {
        char *h = xasprintf("%s.%s", bucket, host);
        free(host);
        host = h;
    }
    w->method = o->method;
    w->host = host;
    w->path = sb_detach(&path);
    w->query = sb_detach(&query);
    w->s3 = strcmp(o->signing_name, "s3") == 0;
    w->url = xasprintf("%.*s%s%s%s%s", scheme_end ? (int)(scheme_end - base + 3) : 0, base, host, w->path,
                       *w->query ? "?" : "", w->query);
    return 0;
}

static int build(const struct aws_op *o, const struct aws_call *call, const char *base, int custom,
                 struct wire *w, char *err, size_t errlen)
{
    memset(w, 0, sizeof *w);
    sb_init(&w->body);
    if (strcmp(o->protocol, "query") == 0 || strcmp(o->protocol, "ec2") == 0) {
        sb_printf(&w->body, "Action=%s&Version=%s", call->op, o->version);
        for (size_t i = 0; i < 2 * call->nparams; i += 2) {
            char *k = aws_uri_encode(call->params[i], strlen(call->params[i]), 0);
            char *v = aws_uri_encode(call->params[i + 1], strlen(call->params[i + 1]), 0);
            sb_printf(&w->body, "&%s=%s", k, v);
            free(k);
            free(v);
        }
        w->extra[w->nextra++] =
            (struct aws_header){"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"};
    } else if (strcmp(o->protocol, "json") == 0) {
        sb_puts(&w->body, call->json_body ? call->json_body : "{}");
        w->target = xasprintf("%s.%s", o->target_prefix, call->op);
        w->extra[w->nextra++] =
            (struct aws_header){"Content-Type", strcmp(o->json_version ? o->json_version : "1.0", "1.1") == 0
                                                    ? "application/x-amz-json-1.1"
                                                    : "application/x-amz-json-1.0"};
        w->extra[w->nextra++] = (struct aws_header){"X-Amz-Target", w->target};
    } else if (strcmp(o->protocol, "rest-xml") == 0) {
        return rest_request(o, call, base, custom, w, err, errlen);
    } else if (strcmp(o->protocol, "rest-json") == 0) {
        if (rest_request(o, call, base, custom, w, err, errlen))
            return -1;
        if (call->json_body) { /* a request document (POST/PUT operations) */
            sb_puts(&w->body, call->json_body);
            w->extra[w->nextra++] = (struct aws_header){"Content-Type", "application/json"};
        }
        return 0;
    } else {
        snprintf(err, errlen, "%s:%s: protocol %s is not supported", call->service, call->op, o->protocol);
        return -1;
    }
    w->method = "POST";
    w->host = aws_url_host(base);
    w->path = xstrdup("/");
    w->query = xstrdup("");
    w->url = xasprintf("%s/", base);
    return 0;
}

/* ---- the call ---- */

/* The code in an x-amzn-ErrorType value ("ResourceNotFoundException:http://internal...",
 * possibly "aws.prefix#Name"), as a new string, or NULL when it holds none. */
static char *header_code(const char *v)
{
    if (!v)
        return NULL;
    const char *hash = strchr(v, '#');
    size_t end = strcspn(v, ":");
    if (hash && (size_t)(hash - v) < end)
        end -= (size_t)(hash + 1 - v), v = hash + 1;
    return end ? xstrndup(v, end) : NULL;
}

/* Code and message of an error answer, whatever the protocol. error_type: the response's
 * x-amzn-ErrorType header (NULL: none) — where rest-json services put the code, often with
 * only a message in the body; the json protocols put it in the body and the header second. */
static void parse_error(const struct aws_op *o, struct aws_result *out, const char *error_type)
{
    int json = strncmp(o->protocol, "json", 4) == 0 || strcmp(o->protocol, "rest-json") == 0;
    int found = json ? aws_json_error(out->body.buf, out->body.len, &out->code, &out->message)
                     : aws_xml_error(out->body.buf, out->body.len, &out->code, &out->message);
    char *hcode = json ? header_code(error_type) : NULL;
    if (hcode && (found != 0 || strcmp(o->protocol, "rest-json") == 0)) {
        free(out->code);
        out->code = hcode;
        if (!out->message) { /* the body's message, when the body named no code */
            json_t *v = json_loadb(out->body.buf ? out->body.buf : "", out->body.len, 0, NULL);
            const char *m = json_string_value(json_object_get(v, "message"));
            if (!m)
                m = json_string_value(json_object_get(v, "Message"));
            out->message = m ? xstrdup(m) : NULL;
            json_decref(v);
        }
        return;
    }
    free(hcode);
    if (found != 0) { /* a front end (load balancer, proxy) may answer in the other format */
        free(out->code);
        free(out->message);
        found = json ? aws_xml_error(out->body.buf, out->body.len, &out->code, &out->message)
                     : aws_json_error(out->body.buf, out->body.len, &out->code, &out->message);
    }
    if (found != 0) {
        free(out->code);
        free(out->message);
        out->message = NULL;
        out->code = xasprintf("HTTP%d", out->status);
    }
}

/* One signed attempt. Returns 0 when AWS answered (out filled), -1 on a transport failure
 * worth retrying, -2 on one that is not (herr). The request is signed again for every
 * attempt: the signature covers the time. */
static int attempt_once(const struct aws_client *c, const struct aws_op *o, const char *sign_region,
                        const struct wire *w, const char *const *want, struct aws_result *out, char *herr,
                        size_t herrlen)
{
    struct aws_header h[1 + 3 + 4];
    size_t n = 0;
    h[n++] = (struct aws_header){"Host", w->host};
    for (size_t i = 0; i < w->nextra; i++)
        h[n++] = w->extra[i];
    struct aws_request req = {w->method, w->path, w->query, h, n, w->body.buf, w->body.len};
    struct aws_credentials cred;
    if (aws_client_credentials(c, &cred, herr, herrlen))
        return -2;
    struct aws_sign_opts so = {sign_region, o->signing_name, time(NULL), !w->s3, !w->s3, w->s3, 0, 0};
    struct aws_signed sig;
    int rc = aws_sign_headers(&req, &cred, &so, &sig, herr, herrlen);
    aws_client_credentials_release(c, &cred);
    if (rc)
        return -2; /* will not get better */
    for (size_t i = 0; i < sig.nadd; i++)
        h[n++] = (struct aws_header){sig.add[i].name, sig.add[i].value};
    struct aws_http_req hr = {w->method, w->url, h, n, w->body.buf, w->body.len, 0, c->timeout_ms};
    struct aws_http_resp resp;
    rc = aws_http_send_keep(&hr, want, &resp, herr, herrlen);
    aws_signed_free(&sig);
    free(out->code);
    free(out->message);
    out->code = out->message = NULL;
    sb_free(&out->body);
    aws_resp_headers_free(&out->headers);
    out->body = resp.body;       /* moved */
    out->headers = resp.headers; /* moved */
    if (rc) {
        free(resp.error_type);
        return resp.transport_error == AWS_HTTP_FATAL ? -2 : -1;
    }
    out->status = resp.status;
    if (resp.status >= 300)
        parse_error(o, out, resp.error_type);
    free(resp.error_type);
    return 0;
}

int aws_call(const struct aws_client *c, const struct aws_call *call, struct aws_result *out, char *err,
             size_t errlen)
{
    return aws_call_keep(c, call, NULL, out, err, errlen);
}

int aws_call_keep(const struct aws_client *c, const struct aws_call *call, const char *const *want,
                  struct aws_result *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    sb_init(&out->body);
    const struct aws_op *o = aws_client_op(c, call->service, call->op);
    if (!o) {
        snprintf(err, errlen, "%s:%s is not a read-only operation; ansim never sends it", call->service,
                 call->op);
        return -1;
    }
    if (!aws_valid_label(call->service) || !aws_valid_label(call->region)) {
        snprintf(err, errlen, "%s:%s: invalid region or service name", call->service, call->op);
        return -1;
    }
    const char *sign_region;
    int custom;
    char *base = aws_endpoint(c, call->service, call->region, &sign_region, &custom);
    struct wire w;
    char herr[ERRLEN] = "";
    int rc = build(o, call, base, custom, &w, herr, sizeof herr);
    free(base);
    if (rc) {
        snprintf(err, errlen, "%s", herr);
        wire_free(&w);
        return -1;
    }
    int max = c->max_attempts > 0 ? c->max_attempts : 6;
    for (out->attempts = 1;; out->attempts++) {
        aws_meter_wait(c->meter, call->service);
        rc = attempt_once(c, o, sign_region, &w, want, out, herr, sizeof herr);
        int throttled = rc == 0 && aws_retryable(out->status, out->code) && out->status < 500;
        aws_meter_count(c->meter, call->service, call->op, throttled, rc != 0 || out->status >= 300);
        int again = rc == -1 || (rc == 0 && aws_retryable(out->status, out->code));
        if (!again || out->attempts >= max)
            break;
        backoff(c, out->attempts);
    }
    if (rc)
        snprintf(err, errlen, "%s:%s in %s: %s (after %d attempt%s)", call->service, call->op, call->region,
                 herr, out->attempts, out->attempts == 1 ? "" : "s");
    wire_free(&w);
    return rc ? -1 : 0;
}

void aws_result_free(struct aws_result *r)
{
    if (!r)
        return;
    sb_free(&r->body);
    free(r->code);
    free(r->message);
    aws_resp_headers_free(&r->headers);
    memset(r, 0, sizeof *r);
}

json_t *aws_output(const char *service, const char *op, const struct aws_result *r, char *err, size_t errlen)
{
    const struct aws_op *o = aws_find_op(service, op);
    if (!o) {
        snprintf(err, errlen, "%s:%s: no response shape known (tools/gen_shapes.py)", service, op);
        return NULL;
    }
    if (strncmp(o->protocol, "json", 4) == 0 || strcmp(o->protocol, "rest-json") == 0)
        return aws_json_to_json(service, op, r->body.buf, r->body.len, err, errlen);
    if (o->payload && o->output >= 0 && aws_shapes[o->output].type >= SH_STRING) {
        /* a REST payload that is the raw body (S3 GetBucketPolicy: the policy text) */
        json_t *v = json_stringn(r->body.buf ? r->body.buf : "", r->body.len);
        if (!v)
            snprintf(err, errlen, "%s:%s: the response is not UTF-8 text", service, op);
        return v ? json_pack("{s:o}", o->payload, v) : NULL;
    }
    return aws_xml_to_json(service, op, r->body.buf, r->body.len, err, errlen);
}
