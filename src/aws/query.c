/*
 * query.c — the AWS "query" protocol (IAM, STS, RDS, ...; EC2's variant has the same
 * request form): a form-encoded POST of Action, Version and parameters, signed with SigV4,
 * answered in XML; errors carry <Error><Code> and <Message>.
 *
 * Every call passes the read-only allow-list first (aws_op_allowed), so nothing built on
 * this module can change an account or read secret values.
 */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "../util/util.h"
#include "aws.h"
#include "shapes.h"

/* ---- the read-only allow-list ---- */

/* Operations that read but return secrets or data, never metadata: refused even though
 * their names look like reads. */
static const char *const denied[] = {
    "GetSecretValue",
    "BatchGetSecretValue",
    "GetPasswordData",
    "GetObject",
    "GetObjectTorrent",
    "GetParameter",
    "GetParameters",
    "GetParametersByPath",
    "GetParameterHistory",
    "GetSessionToken",
    "GetFederationToken",
    "GetAuthorizationToken",
    "GetCredentialsForIdentity",
    "GetConsoleOutput",
    "GetConsoleScreenshot",
    "GetRandomPassword",
    "GetQueryResults",
};

int aws_op_allowed(const char *service, const char *op)
{
    if (!service || !op || !*op)
        return 0;
    for (size_t i = 0; i < sizeof denied / sizeof *denied; i++)
        if (strcmp(op, denied[i]) == 0)
            return 0;
    /* default deny: only the operations ansim's collectors are built to call (the generated
     * table of tools/gen_shapes.py, every one a read), plus AssumeRole for the audit role */
    for (size_t i = 0; i < aws_nops; i++)
        if (strcmp(aws_ops[i].service, service) == 0 && strcmp(aws_ops[i].op, op) == 0)
            return 1;
    return strcmp(service, "sts") == 0 && strcmp(op, "AssumeRole") == 0;
}

/* ---- endpoints ---- */

/* A region or service name as AWS spells them (botocore's check): [a-z0-9], inner '-',
 * at most 63 characters. Anything else could steer the host name elsewhere. */
static int valid_label(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return 0;
    return 1;
}

char *aws_endpoint(const struct aws_client *c, const char *service, const char *region,
                   const char **sign_region)
{
    *sign_region = region;
    if (c->endpoint_url && *c->endpoint_url) {
        size_t n = strlen(c->endpoint_url);
        return xstrndup(c->endpoint_url, n && c->endpoint_url[n - 1] == '/' ? n - 1 : n);
    }
    if (strcmp(service, "iam") == 0) { /* global, signed for us-east-1 */
        *sign_region = "us-east-1";
        return xstrdup("https://iam.amazonaws.com");
    }
    return xasprintf("https://%s.%s.amazonaws.com", service, region);
}

/* "scheme://host[:port]/..." -> "host[:port]" */
static char *url_host(const char *url)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    return xstrndup(p, strcspn(p, "/?#"));
}

/* ---- XML errors ---- */

/* Depth-first search of element children only (entity references and DTD nodes are never
 * followed: their links lead into the document type declaration). */
static xmlNode *find_element(xmlNode *n, const char *name, int depth)
{
    for (; n && depth < 64; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (strcmp((const char *)n->name, name) == 0)
            return n;
        xmlNode *hit = find_element(n->children, name, depth + 1);
        if (hit)
            return hit;
    }
    return NULL;
}

static char *element_text(xmlNode *root, const char *name)
{
    xmlNode *n = find_element(root, name, 0);
    if (!n)
        return NULL;
    xmlChar *t = xmlNodeGetContent(n);
    char *s = t ? xstrdup((const char *)t) : NULL;
    xmlFree(t);
    return s;
}

int aws_xml_error(const char *body, size_t len, char **code, char **message)
{
    *code = *message = NULL;
    if (!body || !len || len > (size_t)INT32_MAX)
        return -1;
    aws_xml_init();
    xmlDoc *doc = xmlReadMemory(body, (int)len, "response.xml", NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc)
        return -1;
    if (doc->intSubset) { /* AWS never sends a DTD: refuse entity games */
        xmlFreeDoc(doc);
        return -1;
    }
    xmlNode *root = xmlDocGetRootElement(doc);
    *code = element_text(root, "Code");
    *message = element_text(root, "Message");
    xmlFreeDoc(doc);
    return *code ? 0 : -1;
}

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

/* ---- the call ---- */

/* One signed attempt. Returns 0 when AWS answered (out filled), -1 on a transport failure
 * worth retrying, -2 on one that is not (herr). The request is signed again for every
 * attempt: the signature covers the time. */
static int attempt_once(const struct aws_client *c, const char *service, const char *sign_region,
                        const char *url, const char *host, const struct strbuf *form, struct aws_result *out,
                        char *herr, size_t herrlen)
{
    struct aws_header h[] = {{"Host", host},
                             {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
    struct aws_request req = {"POST", "/", NULL, h, 2, form->buf, form->len};
    struct aws_credentials cred = {c->cred.access_key_id, c->cred.secret_access_key, c->cred.session_token};
    struct aws_sign_opts o = {sign_region, service, time(NULL), 1, 1, 0, 0, 0};
    struct aws_signed sig;
    if (aws_sign_headers(&req, &cred, &o, &sig, herr, herrlen))
        return -2; /* will not get better */
    struct aws_header all[2 + 4];
    size_t n = 0;
    all[n++] = h[0];
    all[n++] = h[1];
    for (size_t i = 0; i < sig.nadd; i++)
        all[n++] = (struct aws_header){sig.add[i].name, sig.add[i].value};
    struct aws_http_req hr = {"POST", url, all, n, form->buf, form->len, 0, c->timeout_ms};
    struct aws_http_resp resp;
    int rc = aws_http_send(&hr, &resp, herr, herrlen);
    aws_signed_free(&sig);
    free(out->code);
    free(out->message);
    out->code = out->message = NULL;
    sb_free(&out->body);
    out->body = resp.body; /* moved */
    if (rc)
        return resp.transport_error == AWS_HTTP_FATAL ? -2 : -1;
    out->status = resp.status;
    if (resp.status >= 300 && aws_xml_error(out->body.buf, out->body.len, &out->code, &out->message) != 0)
        out->code = xasprintf("HTTP%d", resp.status);
    return 0;
}

int aws_query_call(const struct aws_client *c, const char *service, const char *region, const char *version,
                   const char *action, const char *const *params, size_t nparams, struct aws_result *out,
                   char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    sb_init(&out->body);
    if (!aws_op_allowed(service, action)) {
        snprintf(err, errlen, "%s:%s is not a read-only operation; ansim never sends it", service, action);
        return -1;
    }
    if (!valid_label(service) || !valid_label(region)) {
        snprintf(err, errlen, "%s:%s: invalid region or service name", service, action);
        return -1;
    }
    struct strbuf form;
    sb_init(&form);
    sb_printf(&form, "Action=%s&Version=%s", action, version);
    for (size_t i = 0; i < 2 * nparams; i += 2) {
        char *k = aws_uri_encode(params[i], strlen(params[i]), 0);
        char *v = aws_uri_encode(params[i + 1], strlen(params[i + 1]), 0);
        sb_printf(&form, "&%s=%s", k, v);
        free(k);
        free(v);
    }
    const char *sign_region;
    char *base = aws_endpoint(c, service, region, &sign_region);
    char *url = xasprintf("%s/", base);
    char *host = url_host(base);
    int max = c->max_attempts > 0 ? c->max_attempts : 6, rc = -1;
    char herr[ERRLEN] = "";
    for (out->attempts = 1;; out->attempts++) {
        rc = attempt_once(c, service, sign_region, url, host, &form, out, herr, sizeof herr);
        int again = rc == -1 || (rc == 0 && aws_retryable(out->status, out->code));
        if (!again || out->attempts >= max)
            break;
        backoff(c, out->attempts);
    }
    if (rc)
        snprintf(err, errlen, "%s:%s in %s: %s (after %d attempt%s)", service, action, region, herr,
                 out->attempts, out->attempts == 1 ? "" : "s");
    free(host);
    free(url);
    free(base);
    sb_free(&form);
    return rc ? -1 : 0;
}

void aws_result_free(struct aws_result *r)
{
    if (!r)
        return;
    sb_free(&r->body);
    free(r->code);
    free(r->message);
    memset(r, 0, sizeof *r);
}
