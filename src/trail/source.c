/*
 * source.c — a log file's content as a byte stream: plain files are read as they are, gzip
 * files (recognised by their magic bytes) are inflated with zlib as they are read, so a file
 * of any size costs a fixed amount of memory. Only the first gzip member is content, as
 * CloudTrail writes exactly one; anything after it is reported, never silently read.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "../util/util.h"
#include "trail.h"

#define IN_CHUNK (256 * 1024)

struct trail_src {
    int fd;
    int gzip;
    int done; /* the content has ended (end of file, or of the first gzip member) */
    z_stream z;
    unsigned char *in;
    size_t in_len; /* bytes of in[] held (z.next_in points into it) */
    uint64_t consumed;
    char *path;
    char pending[512]; /* a fault found after content was returned: reported on the next read */
    enum trail_src_fault fault;
};

/* Read more compressed input; 0 at end of file, -1 on an I/O error. */
static long fill(struct trail_src *s, char *err, size_t errlen)
{
    ssize_t n;
    do
        n = read(s->fd, s->in, IN_CHUNK);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        snprintf(err, errlen, "%s: %s", s->path, strerror(errno));
        s->fault = TRAIL_SRC_IO;
        return -1;
    }
    s->z.next_in = s->in;
    s->z.avail_in = (uInt)n;
    s->consumed += (uint64_t)n;
    return n;
}

struct trail_src *trail_src_open(const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    struct trail_src *s = xcalloc(1, sizeof *s);
    s->fd = fd;
    s->path = xstrdup(path);
    unsigned char magic[2];
    ssize_t n = pread(fd, magic, 2, 0);
    if (n == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
        s->gzip = 1;
        s->in = xmalloc(IN_CHUNK);
        if (inflateInit2(&s->z, 16 + MAX_WBITS) != Z_OK) {
            snprintf(err, errlen, "%s: cannot start zlib", path);
            trail_src_close(s);
            return NULL;
        }
    }
    return s;
}

static long read_plain(struct trail_src *s, char *buf, size_t cap, char *err, size_t errlen)
{
    ssize_t n;
    do
        n = read(s->fd, buf, cap);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        snprintf(err, errlen, "%s: %s", s->path, strerror(errno));
        s->fault = TRAIL_SRC_IO;
        return -1;
    }
    if (n == 0)
        s->done = 1;
    s->consumed += (uint64_t)n;
    return n;
}

/* After the first member: anything but the end of the file is trailing data. */
static int check_trailing(struct trail_src *s, char *err, size_t errlen)
{
    if (s->z.avail_in == 0 && fill(s, err, errlen) < 0)
        return -1;
    if (s->z.avail_in > 0) {
        s->fault = TRAIL_SRC_TRAILING;
        snprintf(err, errlen, "%s: data after the end of the compressed stream (offset %llu)", s->path,
                 (unsigned long long)(s->consumed - s->z.avail_in));
        return -1;
    }
    return 0;
}

long trail_src_read(struct trail_src *s, char *buf, size_t cap, char *err, size_t errlen)
{
    if (s->pending[0]) {
        snprintf(err, errlen, "%s", s->pending);
        s->pending[0] = 0;
        return -1;
    }
    if (s->done || cap == 0)
        return 0;
    if (!s->gzip)
        return read_plain(s, buf, cap, err, errlen);
    if (cap > UINT32_MAX)
        cap = UINT32_MAX;
    s->z.next_out = (unsigned char *)buf;
    s->z.avail_out = (uInt)cap;
    while (s->z.avail_out == cap) {
        if (s->z.avail_in == 0) {
            long n = fill(s, err, errlen);
            if (n < 0)
                return -1;
            if (n == 0) {
                s->fault = TRAIL_SRC_TRUNCATED;
                snprintf(err, errlen, "%s: truncated gzip data (the file ends inside the compressed stream)",
                         s->path);
                return -1;
            }
        }
        int rc = inflate(&s->z, Z_NO_FLUSH);
        if (rc == Z_STREAM_END) {
            s->done = 1;
            long got = (long)(cap - s->z.avail_out);
            if (check_trailing(s, err, errlen) < 0) {
                if (got == 0)
                    return -1;
                snprintf(s->pending, sizeof s->pending, "%s", err); /* the content first */
            }
            return got;
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            s->fault = TRAIL_SRC_CORRUPT;
            snprintf(err, errlen, "%s: corrupt gzip data at offset %llu: %s", s->path,
                     (unsigned long long)(s->consumed - s->z.avail_in),
                     s->z.msg ? s->z.msg : "inflate failed");
            return -1;
        }
    }
    return (long)(cap - s->z.avail_out);
}

enum trail_src_fault trail_src_fault(const struct trail_src *s) { return s->fault; }

int trail_src_is_gzip(const struct trail_src *s) { return s->gzip; }

uint64_t trail_src_consumed(const struct trail_src *s) { return s->consumed; }

void trail_src_close(struct trail_src *s)
{
    if (!s)
        return;
    if (s->gzip)
        inflateEnd(&s->z);
    close(s->fd);
    free(s->in);
    free(s->path);
    free(s);
}
