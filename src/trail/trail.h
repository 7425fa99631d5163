/*
 * trail.h — the CloudTrail module's public surface: finding log files (files.c), reading
 * them plain or gzip-compressed as a byte stream (source.c), the streaming record scanner
 * and field access (scan.c), the multi-threaded scan driver (driver.c), digest-chain
 * verification (verify.c), detections with Sigma and bundled rules (sigma.c, rules.c,
 * hunt.c), the access-record reports (report.c) and copying a trail bucket (fetch.c).
 *
 * Records are never parsed into a tree: the scanner finds each record's bytes in a window
 * of the stream and indexes its top-level keys; rules and reports then look values up by
 * dotted path in those bytes. Memory stays bounded by the window whatever the file size.
 */
#ifndef ANSIM_TRAIL_H
#define ANSIM_TRAIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* ---- files (files.c) ---- */

/* A sorted list of paths (owned). */
struct trail_files {
    char **path;
    size_t n;
};

/* Log files under path (a file, or a directory walked recursively; sorted by path): names
 * ending .json, .json.gz, .gz, .jsonl or .ndjson, skipping digest files (a "CloudTrail-Digest"
 * path component or "_CloudTrail-Digest_" in the name) and fetch sidecars (".meta.json").
 * A file given by name is always taken. Returns 0, or -1 with err (missing path, unreadable
 * directory). An empty list is not an error. */
int trail_files_list(const char *path, struct trail_files *out, char *err, size_t errlen);
void trail_files_free(struct trail_files *f);

/* ---- byte sources (source.c) ---- */

/* A file's content: plain, or gzip (recognised by its magic bytes, whatever the name). */
struct trail_src;

/* Open path. NULL with err when it cannot be opened. */
struct trail_src *trail_src_open(const char *path, char *err, size_t errlen);
/* Read up to cap bytes of (decompressed) content into buf: the count, 0 at the end, or -1
 * with err (I/O error, corrupt or truncated gzip). Only the first gzip member is content, as
 * CloudTrail writes one: bytes after it end the content with the error "data after the end
 * of the compressed stream" (awscli calls such a log file invalid). */
long trail_src_read(struct trail_src *s, char *buf, size_t cap, char *err, size_t errlen);
/* What ended the content early, after trail_src_read returned -1. */
enum trail_src_fault {
    TRAIL_SRC_OK = 0,
    TRAIL_SRC_IO,        /* reading the file failed */
    TRAIL_SRC_CORRUPT,   /* not valid gzip data */
    TRAIL_SRC_TRUNCATED, /* the file ends inside the compressed stream */
    TRAIL_SRC_TRAILING   /* bytes follow the first gzip member */
};
enum trail_src_fault trail_src_fault(const struct trail_src *s);
/* 1 when the file is gzip-compressed. */
int trail_src_is_gzip(const struct trail_src *s);
/* Compressed bytes consumed so far (the file bytes for a plain file). */
uint64_t trail_src_consumed(const struct trail_src *s);
void trail_src_close(struct trail_src *s);

/* ---- records and values (scan.c) ---- */

enum trail_type {
    TRAIL_MISSING = 0, /* no such field */
    TRAIL_NULL,
    TRAIL_FALSE,
    TRAIL_TRUE,
    TRAIL_NUMBER,
    TRAIL_STRING,
    TRAIL_OBJECT,
    TRAIL_ARRAY
};

/* A value as it stands in the record: raw is its JSON text (a string with its quotes and
 * escapes), valid as long as the record is. */
struct trail_val {
    enum trail_type type;
    const char *raw;
    size_t len;
};

#define TRAIL_MAX_TOP 64 /* top-level keys indexed per record; more are found by a scan */

/* One CloudTrail record: its JSON object text and an index of its top-level members. */
struct trail_rec {
    const char *raw;
    size_t len;
    size_t ntop;
    struct {
        const char *key; /* raw key text without its quotes (escapes kept) */
        size_t klen;
        struct trail_val val;
    } top[TRAIL_MAX_TOP];
    const char *file; /* the file it came from (NULL when parsed from memory) */
    uint64_t index;   /* 0-based position in that file */
    uint64_t offset;  /* byte offset of the record in the (decompressed) file */
};

/* Index one record object given as JSON text (json[0..len) must be exactly one object,
 * surrounding whitespace allowed). 0, or -1 when it is not a well-formed object. The
 * record borrows json. */
int trail_rec_parse(const char *json, size_t len, struct trail_rec *out);

/* Calls fn for each value at a dotted path ("userIdentity.sessionContext.sessionIssuer.arn"):
 * an array met on the way, or at the end, gives each of its elements. Keys compare exactly,
 * else ASCII case-insensitively. Returns how many values were visited; stops when fn returns
 * nonzero. */
typedef int (*trail_val_fn)(const struct trail_val *v, void *ctx);
size_t trail_each(const struct trail_rec *r, const char *path, trail_val_fn fn, void *ctx);

/* The first value at path (type TRAIL_MISSING when there is none). */
struct trail_val trail_get(const struct trail_rec *r, const char *path);

/* The member key of object value obj (TRAIL_MISSING when absent or obj is not an object). */
struct trail_val trail_member(const struct trail_val *obj, const char *key);

/* A value's text: strings unescaped (UTF-8), everything else its raw JSON text; NUL-
 * terminated in buf, truncated to cap-1 bytes. Returns the full length (>= cap means it was
 * truncated). A missing value gives "" and 0. */
size_t trail_text(const struct trail_val *v, char *buf, size_t cap);

/* The text as a new string (caller frees); NULL for a missing value. */
char *trail_strdup(const struct trail_val *v);

/* 1 when v is a string (or a number/boolean whose text is) equal to s; case-insensitively
 * when nocase. */
int trail_eq(const struct trail_val *v, const char *s, int nocase);

/* ---- the scan driver (driver.c) ---- */

/* What happened to one file. */
struct trail_file_result {
    uint64_t records;
    uint64_t bytes_in;  /* file bytes read */
    uint64_t bytes_out; /* content bytes scanned */
    int failed;         /* the file could not be read to its end: err says why and where */
    char err[512];
};

/* Callbacks of a scan. begin/record/end for one file run on one worker thread; different
 * files run on different threads at once, so anything shared through ctx needs a lock. */
struct trail_visitor {
    void *ctx;
    /* per-file state (may be NULL) */
    void *(*begin)(void *ctx, size_t file_index, const char *path);
    /* each record in file order; nonzero stops this file */
    int (*record)(void *state, const struct trail_rec *r);
    /* after the last record (also when the file failed); frees state */
    void (*end)(void *ctx, void *state, size_t file_index, const struct trail_file_result *res);
};

struct trail_scan_stats {
    uint64_t files, failed_files, records, bytes_in, bytes_out;
    double seconds;
};

/* Scan every file with threads workers (0: the number of online CPUs, at most 8). Records
 * are found in {"Records":[...]} documents, bare arrays of records, one-record-per-line
 * (NDJSON) files, and LookupEvents output ({"Events":[{"CloudTrailEvent":"<record as a JSON
 * string>"}]}). A file that fails part-way has delivered the records before the fault.
 * progress: a one-line progress display on stderr. Returns 0 (see failed_files); err is
 * kept for callers and never filled. */
int trail_scan(const struct trail_files *files, int threads, int progress, const struct trail_visitor *v,
               struct trail_scan_stats *stats, char *err, size_t errlen);

/* Call fn(ctx, i) once for each i in [0, n), on up to threads threads (the calling thread
 * among them, so the work is done even when no thread can be started); indexes are taken in
 * order. fn runs concurrently with itself: what it shares through ctx needs a lock. */
void trail_parallel(size_t n, int threads, void (*fn)(void *ctx, size_t i), void *ctx);

/* Scan one byte source, calling fn for each record (the single-threaded core of
 * trail_scan). 0, or -1 with err naming the offset of the fault. */
int trail_scan_src(struct trail_src *src, const char *path, int (*fn)(void *, const struct trail_rec *),
                   void *arg, struct trail_file_result *res);

/* ---- digest-chain verification (verify.c) ---- */

/* CloudTrail's own tamper proof: every hour a signed digest file lists the log files
 * delivered in that hour with their SHA-256, and names the previous digest and its
 * signature, so the digests form a chain per (account, source region, trail). The digest's
 * signature is not in the file but in its S3 metadata, which `trail fetch` saves beside it
 * as "<file>.meta.json"; without that sidecar the next digest's previousDigestSignature
 * serves. verify.c follows the chain; verify_keys.c loads and uses public keys;
 * verify_hash.c inflates and hashes; verify_tree.c finds the files under a directory. */

/* One public key: fingerprint (32 lower-case hex; "" = MD5 of der) and its DER bytes,
 * PKCS#1 RSAPublicKey or X.509 SubjectPublicKeyInfo. */
struct trail_key {
    char fingerprint[33];
    unsigned char *der;
    size_t len;
};

/* Parse one key file's bytes: DER (either form) or PEM ("PUBLIC KEY" or "RSA PUBLIC
 * KEY"). Fills out->der (caller frees) and out->fingerprint (MD5 of the DER as stored).
 * 0, or -1 with err when it is not an RSA public key. */
int trail_key_parse(const unsigned char *buf, size_t len, struct trail_key *out, char *err, size_t errlen);

/* Load every "<fingerprint>.der" / "<fingerprint>.pem" file of dir (other files are
 * skipped). A name that is not 32 hex digits gives the key the MD5 of its DER; a name that
 * is, must match the MD5 of the key's DER as stored or as PKCS#1 (AWS fingerprints the
 * DER it publishes). *keys is a new array (free with trail_keys_free). 0, or -1 with err
 * (unreadable directory or key file, or no key in it). */
int trail_keys_load_dir(const char *dir, struct trail_key **keys, size_t *n, char *err, size_t errlen);
void trail_keys_free(struct trail_key *keys, size_t n);

/* MD5 of der as 32 lower-case hex digits into out. */
void trail_key_fingerprint(const unsigned char *der, size_t len, char out[33]);

/* 1 when key k answers to fingerprint fp (case-insensitive): its own fingerprint, else
 * the MD5 of its DER or of that key re-encoded as PKCS#1. */
int trail_key_matches(const struct trail_key *k, const char *fp);

/* The string CloudTrail signs, exactly as AWS defines it: "END\nBUCKET/OBJECT\nSHA256HEX\nPREV"
 * with prev_sig NULL giving "null"; no trailing newline. Caller frees. */
char *trail_string_to_sign(const char *end_time, const char *bucket, const char *object,
                           const char *sha256_hex, const char *prev_sig);

/* Verify an RSASSA-PKCS1-v1_5 SHA-256 signature (hex, either case) over msg with key k.
 * 1 valid, 0 invalid (also a signature that is not hex), -1 with err when the key cannot
 * be loaded. */
int trail_signature_verify(const struct trail_key *k, const char *msg, size_t len, const char *sig_hex,
                           char *err, size_t errlen);

/* Inflate the first gzip member of the file at path into *out (caller frees; NUL-
 * terminated, *outlen excludes the NUL), at most max bytes. 0; -1 with err: "unexpected data
 * after end of compressed stream" when bytes follow the member, else "invalid format: ..."
 * saying why it is not gzip; -2 when the file cannot be opened. */
int trail_gunzip_file(const char *path, size_t max, char **out, size_t *outlen, char *err, size_t errlen);

/* SHA-256 (64 lower-case hex into hex) of the inflated first gzip member of the file at
 * path, streamed. 0; -1 with err as trail_gunzip's; -2 when the file cannot be opened. */
int trail_hash_gz_file(const char *path, char hex[65], char *err, size_t errlen);

/* One problem found. kind: "log_invalid", "log_missing", "digest_invalid",
 * "digest_missing", "chain_gap" or "unknown_key"; path: relative to the verified root
 * (for a missing file, where it should be). */
struct trail_problem {
    char *kind, *path, *detail;
};

/* What trail_verify found. problems are sorted by path, then kind, then detail. */
struct trail_verify_result {
    size_t digests_valid, digests_invalid, digests_missing;
    size_t logs_valid, logs_invalid, logs_missing;
    struct trail_problem *problems;
    size_t nproblems;
};

/* keys_dir (may be NULL) and keys[0..nkeys) (borrowed) are both used. threads: log files
 * hashed at once (0: 2). progress: a progress line on stderr. */
struct trail_verify_opts {
    const char *keys_dir;
    const struct trail_key *keys;
    size_t nkeys;
    int threads;
    int progress;
};

/* Verify every digest chain and listed log file under the directory root (objects at
 * root/<key> or root/<bucket>/<key>, found by their key from "AWSLogs/" on). 0 when it ran
 * (problems in *out; free with trail_verify_result_free), -1 with err when it could not:
 * root missing or unreadable, a key directory that cannot be loaded, no key at all, or no
 * digest file under root (an empty tree proves nothing). */
int trail_verify(const char *root, const struct trail_verify_opts *o, struct trail_verify_result *out,
                 char *err, size_t errlen);

/* What verifying the digests under root needs from AWS: the home regions of their trails
 * (whose public keys sign them; *regions a new array of new strings, *n of them) and the
 * span of the end times in their names (*first, *last). 0 (*n 0: no digest under root), or
 * -1 with err when root cannot be read. */
int trail_digest_homes(const char *root, char ***regions, size_t *n, time_t *first, time_t *last, char *err,
                       size_t errlen);

/* The result as {"digests":{"valid","invalid","missing"},"logs":{...},"problems":[{"kind",
 * "path","detail"}]} (new reference). */
struct json_t;
struct json_t *trail_verify_json(const struct trail_verify_result *r);
void trail_verify_result_free(struct trail_verify_result *r);

/* ---- detections (sigma.c, rules.c, hunt.c) ---- */

/* A set of Sigma rules (sigma.c): detection rules with logsource product aws / service
 * cloudtrail, and correlation rules of type event_count over them. Built once, then
 * read-only: any number of threads may match records against it at once, each with its own
 * struct sigma_ctx. */
struct sigma_set;
/* Per-thread (here: per-file) matching state: scratch buffers and correlation counts. */
struct sigma_ctx;

/* One loaded rule as the user sees it; strings owned by the set. */
struct sigma_rule_info {
    const char *id, *title, *title_ko, *description, *description_ko;
    const char *level;    /* informational|low|medium|high|critical ("" when absent) */
    const char *tags;     /* the tags joined with ", " */
    const char *file;     /* where it was read ("<bundled>" for built-in rules) */
    int correlation;      /* 1: an event_count correlation rule */
    int suppressed;       /* 1: a base rule of a correlation that does not generate (not emitted) */
    const char *disabled; /* why the rule cannot run (a placeholder with no values), or NULL */
};

/* An empty set. Placeholders for the `expand` modifier must be set before rules are added. */
struct sigma_set *sigma_set_new(void);
void sigma_set_free(struct sigma_set *s);

/* Values for `%name%` (name without the percent signs); the strings are copied. A rule whose
 * placeholder has no values is loaded but disabled (see sigma_rule_info.disabled). */
void sigma_set_placeholder(struct sigma_set *s, const char *name, const char *const *values, size_t n);

/* Add the rules of one YAML text (one or more documents separated by `---` lines); name is
 * used in messages. Rules for another log source are skipped and counted. Returns 0, or -1
 * with one line in err naming the file, line and key (nothing of that text is kept). */
int sigma_add_text(struct sigma_set *s, const char *name, const char *buf, size_t len, char *err,
                   size_t errlen);

/* Add every .yml/.yaml file under dir (recursively, in path order). 0, or -1 with err. */
int sigma_add_dir(struct sigma_set *s, const char *dir, char *err, size_t errlen);

/* Resolve correlation references and build the event-name index; call once after the last
 * add and before matching. 0, or -1 with err (a correlation naming an unknown rule). */
int sigma_finish(struct sigma_set *s, char *err, size_t errlen);

size_t sigma_count(const struct sigma_set *s);
const struct sigma_rule_info *sigma_info(const struct sigma_set *s, size_t i);
/* Rules skipped because their logsource is not aws/cloudtrail. */
size_t sigma_skipped(const struct sigma_set *s);
/* Notices about the set (disabled rules...): the i-th, or NULL past the end. */
const char *sigma_notice(const struct sigma_set *s, size_t i);

struct sigma_ctx *sigma_ctx_new(const struct sigma_set *s);
void sigma_ctx_free(struct sigma_ctx *c);

/* The detection rules that r matches and that are emitted (not suppressed base rules), as
 * rule indices in increasing order into hits (at most cap; returns the full count). Matches
 * of correlation base rules are counted in c. Only candidate rules are tested (the index by
 * eventName / eventSource literals) unless all is set. */
size_t sigma_match(const struct sigma_set *s, struct sigma_ctx *c, const struct trail_rec *r, size_t *hits,
                   size_t cap);
/* 1 when rule i's detection matches r, ignoring the index (for tests); 0 for correlations. */
int sigma_rule_matches(const struct sigma_set *s, struct sigma_ctx *c, size_t i, const struct trail_rec *r);
/* The number of rules tested by sigma_match so far on c (to measure the index). */
uint64_t sigma_ctx_tested(const struct sigma_ctx *c);

/* Add src's correlation counts to dst and empty src (dst is usually shared: lock it). */
void sigma_ctx_merge(struct sigma_ctx *dst, struct sigma_ctx *src);

/* A correlation result: a group whose count in one window met the rule's condition. */
struct sigma_corr_hit {
    size_t rule;
    char *group;                      /* "field=value, field=value" */
    int64_t window_start, window_end; /* epoch seconds, [start, end) */
    uint64_t count;
};
/* The correlation results counted in c, sorted by rule, window, group. *out is allocated
 * (free with sigma_corr_hits_free). Returns the count. */
size_t sigma_correlate(const struct sigma_set *s, const struct sigma_ctx *c, struct sigma_corr_hit **out);
void sigma_corr_hits_free(struct sigma_corr_hit *h, size_t n);

/* The rules bundled in the binary (the files rules/trail/NAME.yml), as one multi-document YAML text. */
extern const char *const trail_rules_yml;
extern const size_t trail_rules_yml_len;

/* A detection as hunt.c reports it; strings valid during the emit callback only. */
struct hunt_detection {
    size_t rule;
    const struct sigma_rule_info *info;
    const char *event_time, *event_name, *event_source, *principal, *source_ip, *region;
    const char *file;                  /* NULL for a correlation */
    uint64_t index;                    /* record index in file */
    const struct sigma_corr_hit *corr; /* a correlation detection, else NULL */
};

struct hunt_opts {
    int threads;  /* 0: all cores */
    int progress; /* progress line on stderr */
    void *ctx;
    /* a detection, in file order (correlations after the last file); never concurrently */
    void (*emit)(void *ctx, const struct hunt_detection *d);
    /* a file that could not be read to its end (in file order, after its detections) */
    void (*file_error)(void *ctx, const char *path, const char *err);
};

struct hunt_stats {
    struct trail_scan_stats scan;
    uint64_t detections, tested; /* rule tests done after the index */
    uint64_t *per_rule;          /* detections per rule index (sigma_count entries; owned) */
};

/* The bundled rules plus the .yml/.yaml files under rules_dir (NULL: none), with the
 * placeholders filled: allowed_cidrs from cidrs_json (a JSON array of strings, NULL or
 * "[]": none, so the outside-network rule is disabled), pii_buckets from the comma-separated
 * list (NULL: every bucket, with a notice). Finished and ready. NULL with err. */
struct sigma_set *hunt_rules_load(const char *rules_dir, const char *cidrs_json, const char *pii_buckets,
                                  char *err, size_t errlen);

/* Scan the files with every rule of s. 0 (see stats.scan.failed_files), or -1 with err.
 * Free stats->per_rule with free(). */
int hunt_run(const struct sigma_set *s, const struct trail_files *files, const struct hunt_opts *o,
             struct hunt_stats *stats, char *err, size_t errlen);

/* ---- access-record reports (report.c) ---- */

/* Who acted in a record (who.c). */
enum trail_who_kind {
    TRAIL_WHO_PERSON = 0, /* an IAM user, a role session, a federated or Identity Center user */
    TRAIL_WHO_ROOT,       /* the account's root user */
    TRAIL_WHO_SERVICE,    /* an AWS service acting by itself (AWSService, or invokedBy with no type) */
    TRAIL_WHO_UNKNOWN     /* no userIdentity, or nothing in it names anyone */
};

struct trail_who {
    enum trail_who_kind kind;
    char person[256]; /* the person: IAM user name; a role session's sourceIdentity, else its
                         session name (SSO sessions carry the user's e-mail or name there); the
                         SAML / web-identity / Identity Center user; "root"; the service
                         (invokedBy); "unknown" */
    char role[256];   /* the role of an AssumedRole session (sessionIssuer user name), else "" */
    char type[32];    /* userIdentity.type as written ("" when absent) */
};

/* Resolve the record's userIdentity to the person who acted (see struct trail_who). Always
 * fills out; returns out->kind. Texts longer than the fields are truncated. */
enum trail_who_kind trail_person(const struct trail_rec *r, struct trail_who *out);

/* The acting principal's ARN (userIdentity.arn, else sessionContext.sessionIssuer.arn) into
 * buf (NUL-terminated, truncated to cap-1). Returns its full length; 0 and "" when the record
 * names none (AWS services, records without userIdentity). */
size_t trail_principal_arn(const struct trail_rec *r, char *buf, size_t cap);

/* The two reports the Korean rules ask for (report.c; review.c, permhist.c, render.c). */
enum trail_report_kind { TRAIL_REPORT_ACCESS_REVIEW = 0, TRAIL_REPORT_PERMISSION_HISTORY };
enum trail_report_format { TRAIL_REPORT_HTML = 0, TRAIL_REPORT_CSV, TRAIL_REPORT_JSON };

struct trail_report_opts {
    enum trail_report_kind kind;
    enum trail_report_format format;
    int tz_minutes; /* local time = UTC + this (KST: 540) */
    /* access-review */
    int year, month;             /* the month reviewed, in local time (both required) */
    const char *pii_buckets;     /* comma-separated personal-data buckets; NULL: every bucket */
    unsigned download_threshold; /* downloads per person per local day above which to flag */
    int work_start, work_end;    /* working hours [start, end) local; weekends are off-hours */
    /* permission-history */
    int64_t since, until;        /* [since, until) UTC epoch seconds; 0: unbounded */
    const char *regulation;      /* the organisation profile's regulation (label only) */
    long permission_record_days; /* the retention it requires (0: not stated) */
    /* both */
    int64_t now;           /* generation time, UTC epoch seconds */
    int threads, progress; /* passed to trail_scan() */
};

/* What a report run read. */
struct trail_report_stats {
    uint64_t files, failed_files, records, rows; /* rows: events in the report */
    char *failed; /* "path: error" lines of failed files, or NULL; caller frees */
};

/* Scan files and build the report in o->format: *out (NUL-terminated, *outlen bytes; caller
 * frees). Files that fail part-way are reported in stats->failed and named in the report,
 * whose other rows are still built; the caller decides the exit code. Returns 0, or -1 with
 * err when the scan could not run (then *out is NULL). Memory: one compact row per event in
 * the period (56 bytes) plus each distinct string once. */
int trail_report_build(const struct trail_files *files, const struct trail_report_opts *o, char **out,
                       size_t *outlen, struct trail_report_stats *stats, char *err, size_t errlen);

/* ---- copying a trail bucket (fetch.c) ---- */

struct aws_client;

/* What to copy. Selection is by the UTC day in each key's YYYY/MM/DD path. */
struct trail_fetch_opts {
    const char *bucket;
    const char *prefix; /* the trail's S3 key prefix without '/' at either end; NULL or "": none */
    const char *dir;    /* objects land at DIR/<full key>, sidecars at DIR/<full key>.meta.json */
    time_t since;       /* 0: from the first day; else from this time's day */
    time_t until;       /* 0: to the last day; else to this time's day, plus the digests whose end
                           time (in their name) is within an hour after that day */
    int concurrency;    /* objects copied at once; 0: 8 */
    int progress;       /* a one-line progress bar on stderr */
    /* called (under a lock, from any worker thread) for each object that could not be copied:
     * its key and why (a refused key, an error answer after retries, a write error); may be NULL */
    void (*on_failure)(void *arg, const char *key, const char *why);
    void *arg;
};

struct trail_fetch_stats {
    uint64_t objects; /* selected objects (refused keys included) */
    uint64_t fetched, skipped, failed;
    uint64_t bytes; /* bytes fetched */
    double seconds;
};

/* Copy the trail's log and digest objects ([PREFIX/]AWSLogs/[o-ID/]ACCOUNT/CloudTrail[-Digest]/
 * REGION/YYYY/MM/DD/NAME.json.gz) of o->bucket into o->dir (read-only: ListObjectsV2 and
 * GetObject — c must have read_trail_objects set). region: where to look for the bucket
 * first; an answer naming another region (a 301 redirect, or GetBucketLocation) is followed.
 * Returns 0 when the copy ran (st filled; st->failed objects could not be copied, each
 * reported to o->on_failure), -1 with err naming the call when it could not run (no such
 * bucket, access denied, a listing that failed). */
int trail_fetch(const struct aws_client *c, const char *region, const struct trail_fetch_opts *o,
                struct trail_fetch_stats *st, char *err, size_t errlen);

/* 1 when key (len bytes) can be a path under a directory: relative, no NUL, control
 * character or backslash, no empty, "." or ".." component, no trailing '/', components of
 * at most 255 bytes, at most 1024 bytes. Only such keys are ever written. */
int trail_key_safe(const char *key, size_t len);

/* cloudtrail:ListPublicKeys(StartTime=start, EndTime=end; 0: not sent) in region, every
 * page: each key written as DIR/<fingerprint>.der (the base64-decoded Value, PKCS#1 DER;
 * the fingerprint lower-cased and checked to be the MD5 of those bytes). *saved counts
 * them. 0, or -1 with err. */
int trail_fetch_public_keys(const struct aws_client *c, const char *region, time_t start, time_t end,
                            const char *dir, size_t *saved, char *err, size_t errlen);

/* The parse-and-save step of one ListPublicKeys answer (the JSON body as AWS sends it):
 * keys written as above and added to *saved; *next_token set to the NextToken (caller
 * frees) or NULL. 0, or -1 with err (a malformed answer or key, a write error). */
int trail_public_keys_save(const char *body, size_t len, const char *dir, size_t *saved, char **next_token,
                           char *err, size_t errlen);

#endif
