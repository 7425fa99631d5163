/*
 * aws.h — the AWS client module's public surface. So far: Signature Version 4 request
 * signing (sigv4.c), finding credentials and the home region (creds.c), one HTTP exchange
 * (http.c), the query protocol with the read-only allow-list and retries (query.c) and
 * model-driven XML-to-JSON conversion (xml.c). The other wire
 * protocols, retries and the parallel caller come with the live-collection issue.
 *
 * Secrets (secret access key, session token) pass through these functions but are never
 * logged; error messages never quote them.
 */
#ifndef ANSIM_AWS_H
#define ANSIM_AWS_H

#include <stddef.h>
#include <time.h>

#include "../util/util.h"

/* One HTTP header as it is (or will be) sent. */
struct aws_header {
    const char *name;
    const char *value;
};

/* A request to sign. Strings are borrowed; nothing is modified. */
struct aws_request {
    const char *method;               /* "GET", "POST", ... */
    const char *path;                 /* the path as sent on the wire, e.g. "/" or "/a%20b" */
    const char *query;                /* as sent, without '?'; NULL or "" for none */
    const struct aws_header *headers; /* must include Host */
    size_t nheaders;
    const void *body; /* payload (hashed); NULL with body_len 0 for none */
    size_t body_len;
};

struct aws_credentials {
    const char *access_key_id;
    const char *secret_access_key;
    const char *session_token; /* NULL for long-term keys */
};

struct aws_sign_opts {
    const char *region;     /* "ap-northeast-2" */
    const char *service;    /* signing name: "iam", "s3", "ec2", ... */
    time_t when;            /* signing time (UTC) */
    int normalize_path;     /* remove "." / ".." segments and empty segments: every service but S3 */
    int double_encode;      /* URI-encode the (already encoded) path again: every service but S3 */
    int sign_body;          /* add and sign x-amz-content-sha256 (S3 requires it) */
    int omit_session_token; /* add X-Amz-Security-Token after signing, unsigned (IoT-style) */
    long expires;           /* query signing: X-Amz-Expires in seconds */
};

/* The outcome of signing. Every string is owned by the struct: aws_signed_free(). */
struct aws_signed {
    struct {
        char *name, *value;
    } add[4]; /* header signing: headers to add to the request */
    size_t nadd;
    char *query;             /* query signing: the complete query string to send */
    char *canonical_request; /* for diagnostics and tests; may hold the session token */
    char *string_to_sign;
    char signature[65]; /* lowercase hex */
};

/* Sign req in the Authorization header: fills out->add with X-Amz-Date, optionally
 * x-amz-content-sha256 and X-Amz-Security-Token, and Authorization. Returns 0, or -1
 * with a message in err (e.g. a header without a name, missing credentials). A '%' not
 * followed by two hex digits is taken literally. */
int aws_sign_headers(const struct aws_request *req, const struct aws_credentials *cred,
                     const struct aws_sign_opts *opts, struct aws_signed *out, char *err, size_t errlen);

/* Sign req in the query string (a presigned URL, valid opts->expires seconds): fills
 * out->query. Returns 0 or -1 with err. */
int aws_sign_query(const struct aws_request *req, const struct aws_credentials *cred,
                   const struct aws_sign_opts *opts, struct aws_signed *out, char *err, size_t errlen);

void aws_signed_free(struct aws_signed *s);

/* RFC 3986 encoding as SigV4 wants it: unreserved characters (A-Z a-z 0-9 - _ . ~) kept,
 * every other byte as %XX (uppercase); '/' kept when keep_slash. Appends to a new string
 * the caller frees. */
char *aws_uri_encode(const char *s, size_t len, int keep_slash);

/* %-decode s[0..len) into a new string the caller frees (its length in *outlen; it may
 * hold NULs). A '%' not followed by two hex digits is kept as it is; '+' stays '+'. */
char *aws_uri_decode(const char *s, size_t len, size_t *outlen);

/* ---- credentials (creds.c) ---- */

struct aws_cred {
    char *access_key_id, *secret_access_key, *session_token; /* token NULL for long-term keys */
    time_t expires;                                          /* 0: does not expire */
    char *source; /* where they came from, for messages ("environment variables", ...) */
};

/* Static credentials as the AWS CLI finds them: environment variables unless profile (the
 * --profile value) is given, then the profile (or AWS_PROFILE, or "default") in the shared
 * config and credentials files, including credential_process. -1 with a one-line err (never
 * holding a secret) when there are none, or when they need a call (aws_client_init() handles
 * those). Free with aws_cred_free(). */
int aws_creds_find(const char *profile, struct aws_cred *out, char *err, size_t errlen);

/* Wipe the secrets and free. */
void aws_cred_free(struct aws_cred *c);

/* Where credentials come from when they need a call (provider.c fetches them). */
enum aws_cred_kind {
    AWS_SRC_STATIC = 0, /* keys at hand: cred */
    AWS_SRC_ROLE,       /* STS AssumeRole with the credentials of source */
    AWS_SRC_CONTAINER,  /* the container credentials endpoint */
    AWS_SRC_IMDS        /* EC2 instance metadata (IMDSv2) */
};

struct aws_cred_source {
    enum aws_cred_kind kind;
    struct aws_cred cred; /* STATIC */
    /* ROLE: the profile, role and its settings (NULL / 0 when not set) */
    char *profile, *role_arn, *external_id, *session_name, *region;
    long duration; /* seconds */
    struct aws_cred_source *source;
};

/* The credential source the AWS CLI would use (see creds.c for the order). Returns 0, or -1
 * with a one-line err that never contains a secret. Free with aws_cred_source_free(). */
int aws_creds_source(const char *profile, struct aws_cred_source *out, char *err, size_t errlen);
void aws_cred_source_free(struct aws_cred_source *s);

/* ---- HTTP (http.c) ---- */

enum aws_http_failure {
    AWS_HTTP_OK = 0,
    AWS_HTTP_FAILED,
    AWS_HTTP_TIMEOUT,
    AWS_HTTP_FATAL /* not worth retrying */
};

struct aws_http_req {
    const char *method, *url;
    const struct aws_header *headers; /* sent as given (include Host when it was signed) */
    size_t nheaders;
    const void *body;
    size_t body_len;
    long connect_timeout_ms, timeout_ms; /* 0: 10 s and 60 s */
};

/* Response headers kept: names lower-cased, values as sent. Owned by the holder. */
struct aws_resp_headers {
    struct {
        char *name, *value;
    } * h;
    size_t n;
};

struct aws_http_resp {
    int status;                            /* HTTP status when the exchange completed */
    enum aws_http_failure transport_error; /* when it did not */
    struct strbuf body;
    char *error_type;                /* the x-amzn-ErrorType header (rest-json error code), or NULL */
    struct aws_resp_headers headers; /* the ones aws_http_send_keep() was asked for */
};

/* The value of header name (case-insensitive) in hs, or NULL. */
const char *aws_resp_header(const struct aws_resp_headers *hs, const char *name);
void aws_resp_headers_free(struct aws_resp_headers *hs);

/* Send req and read the whole response (at most 256 MiB). Returns 0 when a response
 * arrived (any status), -1 with err on a transport failure. Free out with
 * aws_http_resp_free() either way. */
int aws_http_send(const struct aws_http_req *req, struct aws_http_resp *out, char *err, size_t errlen);
/* The same, keeping the response headers named in want (case-insensitive; a name ending in
 * '*' is a prefix, "x-amz-meta-*"; NULL-terminated) in out->headers, and taking the body
 * exactly as sent: no Content-Encoding is asked for or decoded (a CloudTrail log object,
 * stored with Content-Encoding: gzip, must be copied as its gzip bytes). */
int aws_http_send_keep(const struct aws_http_req *req, const char *const *want, struct aws_http_resp *out,
                       char *err, size_t errlen);
void aws_http_resp_free(struct aws_http_resp *r);

/* Close this thread's connections (its reused libcurl handle). Threads that exit release
 * theirs by themselves; the main thread calls this before exiting. */
void aws_http_thread_done(void);

/* ---- calls (call.c, endpoint.c, allow.c, meter.c) ---- */

struct aws_meter;     /* per-operation call counts and the adaptive rate limiter (meter.c) */
struct aws_refresher; /* temporary credentials renewed before they expire (creds.c) */

struct aws_client {
    struct aws_cred cred;             /* the credentials, unless refresher is set */
    struct aws_refresher *refresher;  /* NULL: cred never changes */
    const char *endpoint_url;         /* --endpoint-url: every call goes there */
    long timeout_ms;                  /* per attempt; 0: 60 s */
    int max_attempts;                 /* 0: 6 (throttling, 5xx and transport failures are retried) */
    long retry_base_ms, retry_cap_ms; /* backoff; 0: 200 ms and 20 s */
    struct aws_meter *meter;          /* NULL: not metered, never rate limited */
    /* `ansim trail fetch|verify` only: s3:GetObject may be sent (to copy a trail bucket's
     * log and digest objects). Every other client keeps the default deny (allow.c). */
    int read_trail_objects;
};

/* One operation to call. */
struct aws_call {
    const char *service; /* the name in the table: "iam", "s3", "s3control", "cloudtrail", ... */
    const char *region;
    const char *op;
    /* name/value pairs (params[2i], params[2i+1]). query and ec2: the form parameters;
     * REST: the request URI's {Name} placeholders ("Bucket"; "AccountId" for S3 Control) and,
     * with names starting with '?', query-string parameters. */
    const char *const *params;
    size_t nparams;
    const char *json_body; /* JSON protocols: the request document; NULL sends {} */
};

struct aws_result {
    int status;                      /* HTTP status */
    char *code, *message;            /* AWS error code and message when status >= 300 */
    struct strbuf body;              /* the response document */
    int attempts;                    /* how many times the request was sent */
    struct aws_resp_headers headers; /* the headers aws_call_keep() was asked for */
};

/* 1 when an answer with this HTTP status and AWS error code is worth retrying (any 5xx,
 * 429, and throttling codes such as Throttling, RequestLimitExceeded, SlowDown). */
int aws_retryable(int status, const char *code);

/* 1 when service:op may be sent. Default deny: only the read operations ansim's collectors
 * are built for (the generated table of tools/gen_shapes.py, which also holds
 * GenerateCredentialReport and sts:AssumeRole), never anything that returns secrets or data
 * (GetSecretValue, GetObject, GetPasswordData, ...). Every request passes this first. */
int aws_op_allowed(const char *service, const char *op);

/* aws_op_allowed, plus the one exception a client can open: s3:GetObject when
 * c->read_trail_objects is set (the trail commands copy log and digest objects). */
int aws_client_op_allowed(const struct aws_client *c, const char *service, const char *op);

/* "aws", "aws-cn", "aws-us-gov", ... for a region name. */
const char *aws_partition(const char *region);

/* 1 for a region or service name as AWS spells them ([a-z0-9-], at most 63 characters). */
int aws_valid_label(const char *s);

/* Base URL (no trailing '/') for service in region, and the region to sign for (IAM is
 * global: signed for its partition's home region). --endpoint-url (the client's) wins, then
 * AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL; *custom says one of them was used.
 * Caller frees. */
char *aws_endpoint(const struct aws_client *c, const char *service, const char *region,
                   const char **sign_region, int *custom);

/* "scheme://host[:port]/..." -> "host[:port]" (caller frees). */
char *aws_url_host(const char *url);

/* 0 when botocore's endpoint data say service (a name in the call table) is not offered in
 * region of the aws partition; 1 otherwise (offered, global, another partition, or a region
 * newer than the data). */
int aws_service_in_region(const char *service, const char *region);

/* Code and Message of an AWS XML error document (query, EC2 and REST-XML shapes). 0 when a
 * Code was found; the strings are the caller's to free. */
int aws_xml_error(const char *body, size_t len, char **code, char **message);

/* The same for a JSON-protocol error document (__type or code, message). */
int aws_json_error(const char *body, size_t len, char **code, char **message);

/* Send one call, retried with exponential backoff and full jitter while the answer is
 * retryable or the transport fails. Returns 0 when AWS answered (out->status, and
 * out->code/message for an error answer — possibly still a throttling error once the
 * attempts are used up), -1 with err when the operation is not allowed, cannot be built or
 * no answer came. Free out with aws_result_free() either way. */
int aws_call(const struct aws_client *c, const struct aws_call *call, struct aws_result *out, char *err,
             size_t errlen);
void aws_result_free(struct aws_result *r);

/* aws_call, keeping the response headers named in want (see aws_http_send_keep) in
 * out->headers: S3 GetObject's metadata (x-amz-meta-*, ETag, Last-Modified), the
 * x-amz-bucket-region of a redirect. */
int aws_call_keep(const struct aws_client *c, const struct aws_call *call, const char *const *want,
                  struct aws_result *out, char *err, size_t errlen);

/* The output of a successful call as JSON with the API's member names (a new reference), or
 * NULL with err for a malformed answer. */
struct json_t *aws_output(const char *service, const char *op, const struct aws_result *r, char *err,
                          size_t errlen);

/* ---- temporary credentials (provider.c) ---- */

/* Set up c's credentials as the AWS CLI finds them (aws_creds_find), including the sources
 * that need a call and expire — assume-role profiles, container and instance-metadata
 * credentials — which are then renewed before they expire. Other fields are left alone.
 * Returns 0, or -1 with a one-line err that never contains a secret. */
int aws_client_init(struct aws_client *c, const char *profile, char *err, size_t errlen);
void aws_client_free(struct aws_client *c);
/* Where the client's credentials come from, for messages. */
const char *aws_client_source(const struct aws_client *c);

/* The credentials to sign with now: the client's own, or the refresher's, renewed first when
 * they expire within 5 minutes. out borrows or copies; give it back with
 * aws_client_credentials_release(). -1 with err when renewing failed. */
int aws_client_credentials(const struct aws_client *c, struct aws_credentials *out, char *err, size_t errlen);
void aws_client_credentials_release(const struct aws_client *c, struct aws_credentials *out);

/* ---- metering (meter.c) ---- */

struct aws_meter *aws_meter_new(void);
void aws_meter_free(struct aws_meter *m);
/* Before each attempt: waits when service is being rate limited. */
void aws_meter_wait(struct aws_meter *m, const char *service);
/* After each attempt: counts it (throttled: the answer asked to slow down). */
void aws_meter_count(struct aws_meter *m, const char *service, const char *op, int throttled, int failed);
/* {"calls", "errors", "throttled", "per_operation": {"service:Op": n}} (new reference). */
struct json_t *aws_meter_report(struct aws_meter *m);
/* Attempts so far (and how many failed). */
size_t aws_meter_calls(struct aws_meter *m, size_t *errors);

/* ---- responses (xml.c, shapes from tools/gen_shapes.py) ---- */

struct json_t;

/* The output of service:op from
 * its XML response (query, ec2 and rest-xml protocols) as JSON with the
 * API's field names and types (see xml.c). Returns a new reference, or NULL with err for an
 * operation without a known shape or a malformed document. */
struct json_t *aws_xml_to_json(const char *service, const char *op, const char *xml, size_t len, char *err,
                               size_t errlen);

/* The output of service:op from its JSON-protocol response, timestamps as RFC 3339 text. */
struct json_t *aws_json_to_json(const char *service, const char *op, const char *body, size_t len, char *err,
                                size_t errlen);

/* Initialise the XML parser once (thread-safe; the converters call it themselves). */
void aws_xml_init(void);

/* The protocol of service:op ("query", "ec2", "json", "rest-xml", ...), or NULL. */
const char *aws_protocol(const char *service, const char *op);

/* The API version string of service:op's model ("2010-05-08"), or NULL when unknown. */
const char *aws_api_version(const char *service, const char *op);

/* The home region: AWS_REGION, AWS_DEFAULT_REGION, or the profile's region; NULL when none
 * is set. Caller frees. */
char *aws_region_find(const char *profile);

#endif
