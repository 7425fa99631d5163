/*
 * who.c — who acted in a CloudTrail record. An access review is per person, but CloudTrail
 * names principals: an IAM user is its user name, while a role session (how SSO and SAML
 * federation sign people in) must be traced back through sessionContext.sourceIdentity or,
 * failing that, the role-session name, which federation sets to the user's e-mail or name.
 */
#include <stdio.h>
#include <string.h>

#include "trail.h"

/* Text at path into buf; 1 when it is a non-empty string. */
static int text_at(const struct trail_rec *r, const char *path, char *buf, size_t cap)
{
    struct trail_val v = trail_get(r, path);
    buf[0] = '\0';
    if (v.type != TRAIL_STRING)
        return 0;
    trail_text(&v, buf, cap);
    return buf[0] != '\0';
}

static void copy(char *dst, size_t cap, const char *s) { snprintf(dst, cap, "%s", s); }

/* "arn:aws:sts::A:assumed-role/ROLE/SESSION": role and session parts (either may be NULL). */
static void split_assumed_arn(const char *arn, char *role, size_t rcap, char *session, size_t scap)
{
    const char *p = strstr(arn, ":assumed-role/");
    if (!p)
        return;
    p += strlen(":assumed-role/");
    const char *slash = strchr(p, '/');
    if (!slash)
        return;
    if (role && !role[0])
        snprintf(role, rcap, "%.*s", (int)(slash - p), p);
    if (session && !session[0])
        copy(session, scap, slash + 1);
}

static void assumed_role(const struct trail_rec *r, struct trail_who *w)
{
    char arn[512], tmp[256];
    text_at(r, "userIdentity.sessionContext.sessionIssuer.userName", w->role, sizeof w->role);
    text_at(r, "userIdentity.arn", arn, sizeof arn);
    if (text_at(r, "userIdentity.sessionContext.sourceIdentity", w->person, sizeof w->person) ||
        text_at(r, "userIdentity.sourceIdentity", w->person, sizeof w->person)) {
        split_assumed_arn(arn, w->role, sizeof w->role, NULL, 0);
        return;
    }
    split_assumed_arn(arn, w->role, sizeof w->role, w->person, sizeof w->person);
    if (!w->person[0] && text_at(r, "userIdentity.principalId", tmp, sizeof tmp)) {
        const char *colon = strchr(tmp, ':');
        copy(w->person, sizeof w->person, colon ? colon + 1 : tmp);
    }
}

/* The last path part of an ARN ("arn:aws:sts::A:federated-user/NAME" -> NAME). */
static int arn_tail(const struct trail_rec *r, char *buf, size_t cap)
{
    char arn[512];
    if (!text_at(r, "userIdentity.arn", arn, sizeof arn))
        return 0;
    const char *slash = strrchr(arn, '/');
    if (!slash || !slash[1])
        return 0;
    copy(buf, cap, slash + 1);
    return 1;
}

/* The first non-empty of userName, onBehalfOf.userId, an ARN tail, principalId. */
static int named_user(const struct trail_rec *r, struct trail_who *w)
{
    return text_at(r, "userIdentity.userName", w->person, sizeof w->person) ||
           text_at(r, "userIdentity.onBehalfOf.userId", w->person, sizeof w->person) ||
           arn_tail(r, w->person, sizeof w->person) ||
           text_at(r, "userIdentity.principalId", w->person, sizeof w->person);
}

enum trail_who_kind trail_person(const struct trail_rec *r, struct trail_who *w)
{
    memset(w, 0, sizeof *w);
    struct trail_val ui = trail_get(r, "userIdentity");
    w->kind = TRAIL_WHO_PERSON;
    if (ui.type != TRAIL_OBJECT) {
        w->kind = TRAIL_WHO_UNKNOWN;
        copy(w->person, sizeof w->person, "unknown");
        return w->kind;
    }
    text_at(r, "userIdentity.type", w->type, sizeof w->type);
    const char *t = w->type;
    if (strcmp(t, "Root") == 0) {
        w->kind = TRAIL_WHO_ROOT;
        copy(w->person, sizeof w->person, "root");
    } else if (strcmp(t, "AWSService") == 0 ||
               (!t[0] && trail_get(r, "userIdentity.invokedBy").type == TRAIL_STRING)) {
        w->kind = TRAIL_WHO_SERVICE;
        if (!text_at(r, "userIdentity.invokedBy", w->person, sizeof w->person))
            copy(w->person, sizeof w->person, "AWS service");
    } else if (strcmp(t, "AssumedRole") == 0) {
        assumed_role(r, w);
    } else if (strcmp(t, "IAMUser") == 0 || strcmp(t, "SAMLUser") == 0 || strcmp(t, "WebIdentityUser") == 0 ||
               strcmp(t, "IdentityCenterUser") == 0 || strcmp(t, "FederatedUser") == 0) {
        named_user(r, w);
    } else if (strcmp(t, "AWSAccount") == 0) {
        if (!text_at(r, "userIdentity.principalId", w->person, sizeof w->person))
            text_at(r, "userIdentity.accountId", w->person, sizeof w->person);
    } else {
        named_user(r, w);
    }
    if (!w->person[0]) {
        w->kind = TRAIL_WHO_UNKNOWN;
        copy(w->person, sizeof w->person, "unknown");
    }
    return w->kind;
}

size_t trail_principal_arn(const struct trail_rec *r, char *buf, size_t cap)
{
    struct trail_val v = trail_get(r, "userIdentity.arn");
    if (v.type != TRAIL_STRING)
        v = trail_get(r, "userIdentity.sessionContext.sessionIssuer.arn");
    if (v.type != TRAIL_STRING) {
        if (cap)
            buf[0] = '\0';
        return 0;
    }
    return trail_text(&v, buf, cap);
}
