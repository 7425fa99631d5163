/*
 * allow.c — the read-only guarantee: the only operations ansim can send are the read
 * operations its collectors are built for (the generated table of tools/gen_shapes.py)
 * and sts:AssumeRole for an audit role. Everything that sends a request checks this first,
 * so nothing built on the AWS module can change an account or read secret values.
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
