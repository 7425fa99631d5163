/*
 * allow.c — the read-only guarantee: the only operations ansim can send are the read
 * operations its collectors are built for (the generated table of tools/gen_shapes.py)
 * and sts:AssumeRole for an audit role. Everything that sends a request checks this first,
 * so nothing built on the AWS module can change an account or read secret values.
 *
 * One narrow exception, opened per client: `ansim trail fetch|verify` copy a trail bucket's
 * log and digest objects, which needs s3:GetObject. A client with read_trail_objects set may
 * send that one operation; every other client (and aws_op_allowed) still refuses it.
 */
#include <string.h>

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
     * table of tools/gen_shapes.py: reads, GenerateCredentialReport and sts:AssumeRole) */
    return aws_find_op(service, op) != NULL;
}

/* s3:GetObject as the call layer needs it (hand-written: it is kept out of the generated
 * table, which is the allow-list). The body is the object's bytes, taken as they are. */
static const struct aws_op trail_get_object = {
    "s3", "GetObject", "rest-xml", "2006-03-01", NULL, -1, "GET", "/{Bucket}/{Key+}", NULL, NULL, NULL, "s3",
};

const struct aws_op *aws_client_op(const struct aws_client *c, const char *service, const char *op)
{
    if (c && c->read_trail_objects && service && op && strcmp(service, "s3") == 0 &&
        strcmp(op, "GetObject") == 0)
        return &trail_get_object;
    return aws_op_allowed(service, op) ? aws_find_op(service, op) : NULL;
}

int aws_client_op_allowed(const struct aws_client *c, const char *service, const char *op)
{
    return aws_client_op(c, service, op) != NULL;
}
