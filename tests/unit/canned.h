/* canned.h — the collector tests' local HTTP server standing in for AWS (canned.c). */
#ifndef ANSIM_TEST_CANNED_H
#define ANSIM_TEST_CANNED_H

#include <pthread.h>
#include <stddef.h>

#include "../../src/util/util.h"

/* The answer to one request. content_type NULL: text/xml for a body starting with '<',
 * else application/x-amz-json-1.1. error_type: the x-amzn-ErrorType header, or NULL. */
struct canned_reply {
    int status;
    const char *content_type, *error_type, *body;
};

/* Picks the answer from the request's head (request line and headers) and body; called
 * on the server's thread with the server's lock held. out starts as a 400 "no answer". */
typedef void (*canned_fn)(const char *head, const char *body, struct canned_reply *out);

struct canned_server {
    int fd, port;
    char *url; /* "http://127.0.0.1:PORT" */
    pthread_t thread;
    pthread_mutex_t lock; /* held while answering: take it to change what the function reads */
    size_t requests;
    canned_fn answer;
};

/* Listen on a free loopback port and serve until canned_stop. 0, or -1. */
int canned_start(struct canned_server *s, canned_fn answer);
void canned_stop(struct canned_server *s);
/* The value of header name in head (*len bytes), or NULL. */
const char *canned_header(const char *head, const char *name, size_t *len);

#endif
