/*
 * util.h — small shared pieces: growable string buffer, checked allocation,
 * logging on stderr, language selection, timestamps, atomic file writes.
 *
 * Everything here is used by every module; nothing here knows about AWS.
 */
#ifndef ANSIM_UTIL_H
#define ANSIM_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#define ANSIM_VERSION "0.1.0"

/* Size of the error-message buffers passed between modules. */
#define ERRLEN 512

/* ---- allocation: abort with a message on out-of-memory (never NULL) ---- */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s); /* NULL -> NULL */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- growable string buffer; s.buf is always NUL-terminated ---- */
struct strbuf {
    char *buf;
    size_t len, cap;
};
void sb_init(struct strbuf *sb);
void sb_add(struct strbuf *sb, const char *s, size_t n);
void sb_puts(struct strbuf *sb, const char *s);
void sb_putc(struct strbuf *sb, char c);
void sb_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_free(struct strbuf *sb);
char *sb_detach(struct strbuf *sb); /* caller frees */

/* Append s escaped for HTML text/attributes, for CSV fields (quoted), for JSON strings (no quotes). */
void sb_html(struct strbuf *sb, const char *s);
void sb_csv(struct strbuf *sb, const char *s);
void sb_json(struct strbuf *sb, const char *s); /* quoted JSON string, or null */

/* ---- logging (stderr). level: 0 quiet, 1 normal, 2 verbose ---- */
extern int log_level;
void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- language ---- */
enum lang { LANG_EN = 0, LANG_KO = 1 };
/* From LC_ALL, LC_MESSAGES, LANG (first set wins): "ko*" -> Korean, else English. */
enum lang lang_from_env(void);
/* Pick the text for lang; falls back to the other language, then "". */
const char *L(enum lang lang, const char *en, const char *ko);

/* ---- time ---- */
/* Parse an RFC 3339 / ISO 8601 timestamp ("2024-01-31T09:00:00Z", "+09:00", fractional
 * seconds, "2024-01-31 09:00:00+00:00", date only). Returns 0 and sets *out (UTC epoch). */
int time_parse(const char *s, time_t *out);
/* The value of hex digit c (ASCII, any case, whatever the locale), or -1. */
int hex_digit(char c);
/* b[0..n) as 2n lower-case hex digits and a NUL into out. */
void hex_encode(const unsigned char *b, size_t n, char *out);
/* Days from 1970-01-01 to the civil date y-m-d (proleptic Gregorian; no time zone). */
int64_t days_from_civil(int y, int m, int d);
/* s[0..n) as a decimal number into *out: 0, or -1 when a byte is not a digit. */
int parse_digits(const char *s, int n, int *out);
/* Format t as "YYYY-MM-DDTHH:MM:SSZ" into buf (>= 21 bytes). */
void time_format(time_t t, char *buf, size_t len);
/* Seconds on the monotonic clock (for durations and deadlines). */
double mono(void);

/* ---- files ---- */
/* Read a whole file ("-" = stdin). Returns malloc'd buffer (NUL-terminated) or NULL with err. */
char *file_read(const char *path, size_t *len, char *err, size_t errlen);
/* Write data atomically: temp file in the same directory, fsync, rename. */
int file_write_atomic(const char *path, const char *data, size_t len, char *err, size_t errlen);
/* mkdir -p for the directory part of path. */
int mkdir_parents(const char *path, char *err, size_t errlen);

/* Strict UTF-8 check (no NUL, no overlong forms, no surrogates). Returns -1 when valid,
 * else the offset of the first bad byte. */
size_t utf8_seq_len(const unsigned char *s, size_t left);
long utf8_invalid_at(const char *s, size_t len);

/* ---- YAML (yaml.c) ---- */
struct fy_document;
struct fy_node;
/* Parse buf as one YAML document (libfyaml): the document (caller destroys it with
 * fy_document_destroy), or NULL with a one-line err "NAME:LINE:COL: invalid YAML: ...". */
struct fy_document *yaml_parse(const char *name, const char *buf, size_t len, char *err, size_t errlen);
/* The 1-based line where node n starts (0 when unknown). */
int yaml_line(struct fy_node *n);

/* Random identifier: 32 lower-case hex characters into buf (>= 33 bytes). */
void random_id(char *buf);

#endif
