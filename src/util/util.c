/*
 * util.c — allocation, string buffers, escaping, logging, language, time and files.
 * See util.h for the contract of each function.
 */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- allocation ---- */

static void oom(void)
{
    fputs("ansim: out of memory\n", stderr);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom();
    return p;
}

void *xcalloc(size_t n, size_t m)
{
    void *p = calloc(n ? n : 1, m ? m : 1);
    if (!p)
        oom();
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        oom();
    return p;
}

char *xstrdup(const char *s) { return s ? xstrndup(s, strlen(s)) : NULL; }

char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    struct strbuf sb;
    va_list ap;
    sb_init(&sb);
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        oom();
    sb.buf = xrealloc(sb.buf, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(sb.buf, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return sb.buf;
}

/* ---- string buffer ---- */

void sb_init(struct strbuf *sb)
{
    sb->cap = 64;
    sb->len = 0;
    sb->buf = xmalloc(sb->cap);
    sb->buf[0] = '\0';
}

static void sb_grow(struct strbuf *sb, size_t extra)
{
    if (sb->len + extra + 1 <= sb->cap)
        return;
    size_t cap = sb->cap ? sb->cap * 2 : 64;
    while (cap < sb->len + extra + 1)
        cap *= 2;
    sb->buf = xrealloc(sb->buf, cap);
    sb->cap = cap;
}

void sb_add(struct strbuf *sb, const char *s, size_t n)
{
    sb_grow(sb, n);
    memcpy(sb->buf + sb->len, s, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

void sb_puts(struct strbuf *sb, const char *s)
{
    if (s)
        sb_add(sb, s, strlen(s));
}

void sb_putc(struct strbuf *sb, char c) { sb_add(sb, &c, 1); }

void sb_printf(struct strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    sb_grow(sb, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
}

void sb_free(struct strbuf *sb)
{
    free(sb->buf);
    sb->buf = NULL;
    sb->len = sb->cap = 0;
}

char *sb_detach(struct strbuf *sb)
{
    char *p = sb->buf;
    sb->buf = NULL;
    sb->len = sb->cap = 0;
    return p;
}

void sb_html(struct strbuf *sb, const char *s)
{
    if (!s)
        return;
    for (; *s; s++) {
        switch (*s) {
        case '&': sb_puts(sb, "&amp;"); break;
        case '<': sb_puts(sb, "&lt;"); break;
        case '>': sb_puts(sb, "&gt;"); break;
        case '"': sb_puts(sb, "&quot;"); break;
        case '\'': sb_puts(sb, "&#39;"); break;
        default: sb_putc(sb, *s);
        }
    }
}

void sb_csv(struct strbuf *sb, const char *s)
{
    sb_putc(sb, '"');
    /* A leading =, +, -, @ would be run as a formula by spreadsheets: neutralise it. */
    if (s && (*s == '=' || *s == '+' || *s == '-' || *s == '@'))
        sb_putc(sb, '\'');
    for (; s && *s; s++) {
        if (*s == '"')
            sb_putc(sb, '"');
        sb_putc(sb, *s);
    }
    sb_putc(sb, '"');
}

/* s as a JSON string literal (null for NULL). Control characters are escaped; bytes that
 * are not well-formed UTF-8 become U+FFFD so the output is always valid JSON. */
void sb_json(struct strbuf *sb, const char *s)
{
    if (!s) {
        sb_add(sb, "null", 4);
        return;
    }
    const unsigned char *p = (const unsigned char *)s;
    size_t left = strlen(s);
    sb_grow(sb, left + 2);
    sb_putc(sb, '"');
    while (left) {
        const unsigned char *run = p; /* copy runs of plain characters in one go */
        for (size_t n; left; p += n, left -= n) {
            if (*p >= 0x80)
                n = utf8_seq_len(p, left);
            else
                n = *p >= 0x20 && *p != '"' && *p != '\\';
            if (!n)
                break;
        }
        if (p > run)
            sb_add(sb, (const char *)run, (size_t)(p - run));
        if (!left)
            break;
        if (*p >= 0x80) {
            sb_add(sb, "\xEF\xBF\xBD", 3);
            p++, left--;
            continue;
        }
        switch (*p) {
        case '"': sb_add(sb, "\\\"", 2); break;
        case '\\': sb_add(sb, "\\\\", 2); break;
        case '\n': sb_add(sb, "\\n", 2); break;
        case '\r': sb_add(sb, "\\r", 2); break;
        case '\t': sb_add(sb, "\\t", 2); break;
        default: sb_printf(sb, "\\u%04x", *p);
        }
        p++, left--;
    }
    sb_putc(sb, '"');
}

/* ---- logging ---- */

int log_level = 1;

static void vlog(int min, const char *prefix, const char *fmt, va_list ap)
{
    if (log_level < min)
        return;
    fputs("ansim: ", stderr);
    fputs(prefix, stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void log_err(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(0, "error: ", fmt, ap);
    va_end(ap);
}

void log_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(1, "warning: ", fmt, ap);
    va_end(ap);
}

void log_info(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(1, "", fmt, ap);
    va_end(ap);
}

void log_debug(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(2, "", fmt, ap);
    va_end(ap);
}

/* ---- language ---- */

enum lang lang_from_env(void)
{
    const char *vars[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v)
            return strncmp(v, "ko", 2) == 0 ? LANG_KO : LANG_EN;
    }
    return LANG_EN;
}

const char *L(enum lang lang, const char *en, const char *ko)
{
    const char *first = lang == LANG_KO ? ko : en, *second = lang == LANG_KO ? en : ko;
    if (first && *first)
        return first;
    return second ? second : "";
}

/* ---- time ---- */

int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

void hex_encode(const unsigned char *b, size_t n, char *out)
{
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hx[b[i] >> 4];
        out[2 * i + 1] = hx[b[i] & 15];
    }
    out[2 * n] = '\0';
}

int parse_digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int time_parse(const char *s, time_t *out)
{
    int Y, M, D, h = 0, mi = 0, sec = 0;
    if (!s || strlen(s) < 10 || parse_digits(s, 4, &Y) || s[4] != '-' || parse_digits(s + 5, 2, &M) ||
        s[7] != '-' || parse_digits(s + 8, 2, &D))
        return -1;
    if (M < 1 || M > 12 || D < 1 || D > 31)
        return -1;
    const char *p = s + 10;
    int64_t offset = 0;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (strlen(p) < 5 || parse_digits(p, 2, &h) || p[2] != ':' || parse_digits(p + 3, 2, &mi))
            return -1;
        p += 5;
        if (*p == ':') {
            if (parse_digits(p + 1, 2, &sec))
                return -1;
            p += 3;
        }
        if (*p == '.') {
            p++;
            if (*p < '0' || *p > '9')
                return -1;
            while (*p >= '0' && *p <= '9')
                p++;
        }
        if (h > 23 || mi > 59 || sec > 60)
            return -1;
        if (*p == 'Z' || *p == 'z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int oh, om;
            int sign = *p == '-' ? -1 : 1;
            if (parse_digits(p + 1, 2, &oh))
                return -1;
            const char *q = p + 3;
            if (*q == ':')
                q++;
            if (parse_digits(q, 2, &om))
                return -1;
            offset = sign * (oh * 3600 + om * 60);
            p = q + 2;
        }
    }
    if (*p)
        return -1;
    int64_t t = days_from_civil(Y, M, D) * 86400 + h * 3600 + mi * 60 + sec - offset;
    *out = (time_t)t;
    return 0;
}

double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void time_format(time_t t, char *buf, size_t len)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- files ---- */

char *file_read(const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    struct strbuf sb;
    sb_init(&sb);
    struct stat st;
    /* a regular file is read into one buffer of its size (snapshots are large) */
    if (f != stdin && fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
        sb.buf = xrealloc(sb.buf, (size_t)st.st_size + 1);
        sb.cap = (size_t)st.st_size + 1;
    }
    char chunk[65536];
    size_t n;
    while (sb.cap > sb.len + 1 && (n = fread(sb.buf + sb.len, 1, sb.cap - sb.len - 1, f)) > 0) {
        sb.len += n;
        sb.buf[sb.len] = '\0';
    }
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        sb_add(&sb, chunk, n);
    int bad = ferror(f);
    if (f != stdin)
        fclose(f);
    if (bad) {
        snprintf(err, errlen, "%s: read error", path);
        sb_free(&sb);
        return NULL;
    }
    if (len)
        *len = sb.len;
    return sb_detach(&sb);
}

int mkdir_parents(const char *path, char *err, size_t errlen)
{
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (!slash) {
        free(dir);
        return 0;
    }
    *slash = '\0';
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
            snprintf(err, errlen, "%s: %s", dir, strerror(errno));
            free(dir);
            return -1;
        }
        *p = '/';
    }
    if (*dir && mkdir(dir, 0700) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        free(dir);
        return -1;
    }
    free(dir);
    return 0;
}

int file_write_atomic(const char *path, const char *data, size_t len, char *err, size_t errlen)
{
    char *tmp = xasprintf("%s.tmp.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        free(tmp);
        return -1;
    }
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
            close(fd);
            unlink(tmp);
            free(tmp);
            return -1;
        }
        off += (size_t)w;
    }
    if (fchmod(fd, 0644) != 0 || fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        unlink(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    return 0;
}

/* Length (1-4) of the well-formed UTF-8 sequence at s (at most left bytes), 0 if there is
 * none: NUL, a stray continuation byte, truncation, an overlong form, a surrogate. */
size_t utf8_seq_len(const unsigned char *s, size_t left)
{
    unsigned c = s[0], min, cp;
    size_t n;
    if (c == 0)
        return 0;
    if (c < 0x80)
        return 1;
    if ((c & 0xE0) == 0xC0)
        n = 1, min = 0x80, cp = c & 0x1F;
    else if ((c & 0xF0) == 0xE0)
        n = 2, min = 0x800, cp = c & 0x0F;
    else if ((c & 0xF8) == 0xF0)
        n = 3, min = 0x10000, cp = c & 0x07;
    else
        return 0;
    if (n >= left)
        return 0;
    for (size_t k = 1; k <= n; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n + 1;
}

long utf8_invalid_at(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    for (size_t i = 0; i < len;) {
        size_t n = utf8_seq_len(s + i, len - i);
        if (!n)
            return (long)i;
        i += n;
    }
    return -1;
}

void random_id(char *buf)
{
    unsigned char raw[16];
    size_t got = 0;
    int fd = open("/dev/urandom", O_RDONLY);
    if (fd >= 0) {
        ssize_t n = read(fd, raw, sizeof raw);
        got = n > 0 ? (size_t)n : 0;
        close(fd);
    }
    for (size_t i = got; i < sizeof raw; i++) /* fallback: time and pid */
        raw[i] = (unsigned char)((time(NULL) >> (i % 8)) ^ (getpid() << (i % 5)) ^ (i * 131));
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(buf + 2 * i, 3, "%02x", raw[i]);
}
