/*
 * canned.c — a local HTTP server for the collector tests: it stands in for AWS with answers
 * written by hand from botocore's shapes. One request per connection (answers say
 * Connection: close); each request, read whole (headers and Content-Length body), is passed
 * to the test's function, which picks the answer. Used where moto lacks an API or to shape
 * answers moto never gives (errors with the code only in x-amzn-ErrorType, paging, ...).
 */
#include "canned.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

const char *canned_header(const char *head, const char *name, size_t *len)
{
    size_t n = strlen(name);
    for (const char *p = strstr(head, "\r\n"); p; p = strstr(p + 2, "\r\n")) {
        if (strncasecmp(p + 2, name, n) == 0 && p[2 + n] == ':') {
            const char *v = p + 3 + n;
            while (*v == ' ')
                v++;
            *len = strcspn(v, "\r\n");
            return v;
        }
    }
    return NULL;
}

/* Read one request; answer it through the test's function; 0 when it was incomplete. */
static void serve_one(struct canned_server *s, int c)
{
    struct strbuf in;
    sb_init(&in);
    char buf[4096];
    const char *end = NULL;
    size_t need = 0;
    for (;;) {
        ssize_t r = read(c, buf, sizeof buf);
        if (r <= 0)
            break;
        sb_add(&in, buf, (size_t)r);
        if (!end && (end = strstr(in.buf, "\r\n\r\n"))) {
            size_t len;
            const char *cl = canned_header(in.buf, "Content-Length", &len);
            need = (size_t)(end + 4 - in.buf) + (cl ? strtoul(cl, NULL, 10) : 0);
        }
        if (end && in.len >= need)
            break;
    }
    if (end && in.len >= need) {
        size_t hl = (size_t)(end - in.buf);
        char *head = xstrndup(in.buf, hl + 2), *body = xstrndup(in.buf + hl + 4, in.len - hl - 4);
        struct canned_reply out = {400, NULL, NULL, "{\"message\":\"no answer in the test\"}"};
        pthread_mutex_lock(&s->lock);
        s->requests++;
        s->answer(head, body, &out);
        char *resp = xasprintf("HTTP/1.1 %d X\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s%s%s"
                               "x-amzn-RequestId: 1\r\nConnection: close\r\n\r\n%s",
                               out.status,
                               out.content_type     ? out.content_type
                               : out.body[0] == '<' ? "text/xml"
                                                    : "application/x-amz-json-1.1",
                               strlen(out.body), out.error_type ? "x-amzn-ErrorType: " : "",
                               out.error_type ? out.error_type : "", out.error_type ? "\r\n" : "", out.body);
        pthread_mutex_unlock(&s->lock);
        size_t off = 0, n = strlen(resp);
        while (off < n) {
            ssize_t w = write(c, resp + off, n - off);
            if (w <= 0)
                break;
            off += (size_t)w;
        }
        free(resp);
        free(head);
        free(body);
    }
    sb_free(&in);
}

static void *serve(void *arg)
{
    struct canned_server *s = arg;
    for (;;) {
        int c = accept(s->fd, NULL, NULL);
        if (c < 0)
            return NULL; /* the socket was shut down */
        serve_one(s, c);
        close(c);
    }
}

int canned_start(struct canned_server *s, canned_fn answer)
{
    memset(s, 0, sizeof *s);
    s->answer = answer;
    pthread_mutex_init(&s->lock, NULL);
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&a, sizeof a) || listen(s->fd, 16) ||
        getsockname(s->fd, (struct sockaddr *)&a, &len))
        return -1;
    s->port = ntohs(a.sin_port);
    s->url = xasprintf("http://127.0.0.1:%d", s->port);
    return pthread_create(&s->thread, NULL, serve, s) ? -1 : 0;
}

void canned_stop(struct canned_server *s)
{
    shutdown(s->fd, SHUT_RDWR); /* wakes accept() */
    close(s->fd);
    pthread_join(s->thread, NULL);
    pthread_mutex_destroy(&s->lock);
    free(s->url);
}
