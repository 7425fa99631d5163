/*
 * creds.c — finding AWS credentials and the home region the way the AWS CLI does.
 *
 * Order (botocore's provider chain):
 *   1. AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN), unless a profile
 *      was named on the command line;
 *   2. the profile (--profile, else AWS_PROFILE, else "default") in the config file
 *      (AWS_CONFIG_FILE, ~/.aws/config; sections "[profile NAME]" or "[default]") and the
 *      shared credentials file (AWS_SHARED_CREDENTIALS_FILE, ~/.aws/credentials; "[NAME]"):
 *      role_arn (assume role, from source_profile or credential_source) first, then static
 *      keys in the credentials file, then credential_process, then static keys in the
 *      config file;
 *   3. the container credentials endpoint (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/_FULL_URI);
 *   4. EC2 instance metadata (unless AWS_EC2_METADATA_DISABLED=true).
 * This file decides which source applies (aws_creds_source); the sources that need a call
 * (3, 4 and assume-role) are fetched and renewed by provider.c.
 *
 * Secrets are wiped before they are freed and never appear in error messages.
 */
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../util/util.h"
#include "aws.h"

/* ---- INI files ---- */

struct ini_entry {
    char *section, *key, *value;
};

struct ini {
    struct ini_entry *v;
    size_t n;
};

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* Parse an AWS config/credentials file. Indented lines continue a nested setting (e.g.
 * "s3 =" blocks) and are skipped; '#' and ';' start comment lines. A missing file is an
 * empty one. */
static int ini_load(struct ini *ini, const char *path, char *err, size_t errlen)
{
    memset(ini, 0, sizeof *ini);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char *line = NULL, *section = NULL;
    size_t cap = 0;
    ssize_t len;
    int lineno = 0, rc = 0;
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (line[0] == ' ' || line[0] == '\t') /* nested setting */
            continue;
        char *s = trim(line);
        if (!*s || *s == '#' || *s == ';')
            continue;
        if (*s == '[') {
            char *end = strchr(s, ']');
            if (!end) {
                snprintf(err, errlen, "%s:%d: unterminated section header", path, lineno);
                rc = -1;
                break;
            }
            *end = '\0';
            free(section);
            section = xstrdup(trim(s + 1));
            continue;
        }
        char *eq = strchr(s, '=');
        if (!eq || !section)
            continue; /* the CLI ignores such lines too */
        *eq = '\0';
        char *key = trim(s);
        for (char *k = key; *k; k++) /* botocore lowercases option names */
            *k = (char)tolower((unsigned char)*k);
        ini->v = xrealloc(ini->v, (ini->n + 1) * sizeof *ini->v);
        ini->v[ini->n++] = (struct ini_entry){xstrdup(section), xstrdup(key), xstrdup(trim(eq + 1))};
    }
    if (line)
        explicit_bzero(line, cap);
    free(line);
    free(section);
    fclose(f);
    return rc;
}

static const char *ini_get(const struct ini *ini, const char *section, const char *key)
{
    const char *found = NULL; /* the last definition wins */
    for (size_t i = 0; i < ini->n; i++)
        if (strcmp(ini->v[i].section, section) == 0 && strcmp(ini->v[i].key, key) == 0)
            found = ini->v[i].value;
    return found;
}

static int ini_has_section(const struct ini *ini, const char *section)
{
    for (size_t i = 0; i < ini->n; i++)
        if (strcmp(ini->v[i].section, section) == 0)
            return 1;
    return 0;
}

static void ini_free(struct ini *ini)
{
    for (size_t i = 0; i < ini->n; i++) {
        free(ini->v[i].section);
        free(ini->v[i].key);
        explicit_bzero(ini->v[i].value, strlen(ini->v[i].value));
        free(ini->v[i].value);
    }
    free(ini->v);
    memset(ini, 0, sizeof *ini);
}

/* ---- files and profile ---- */

static char *aws_file(const char *env, const char *name)
{
    const char *p = getenv(env);
    if (p && *p) {
        if (p[0] == '~' && p[1] == '/' && getenv("HOME"))
            return xasprintf("%s%s", getenv("HOME"), p + 1);
        return xstrdup(p);
    }
    const char *home = getenv("HOME");
    return home ? xasprintf("%s/.aws/%s", home, name) : NULL;
}

struct profile {
    const char *name;
    char *config_path, *cred_path;
    struct ini config, creds;
    char *section; /* the config file's section for the profile */
};

static int profile_open(struct profile *p, const char *name, char *err, size_t errlen)
{
    memset(p, 0, sizeof *p);
    p->name = name;
    p->config_path = aws_file("AWS_CONFIG_FILE", "config");
    p->cred_path = aws_file("AWS_SHARED_CREDENTIALS_FILE", "credentials");
    if ((p->config_path && ini_load(&p->config, p->config_path, err, errlen)) ||
        (p->cred_path && ini_load(&p->creds, p->cred_path, err, errlen)))
        return -1;
    p->section = strcmp(name, "default") == 0 && !ini_has_section(&p->config, "profile default")
                     ? xstrdup("default")
                     : xasprintf("profile %s", name);
    return 0;
}

static const char *profile_config(const struct profile *p, const char *key)
{
    return ini_get(&p->config, p->section, key);
}

static void profile_close(struct profile *p)
{
    ini_free(&p->config);
    ini_free(&p->creds);
    free(p->config_path);
    free(p->cred_path);
    free(p->section);
}

/* ---- sources ---- */

static void set_cred(struct aws_cred *out, const char *akid, const char *secret, const char *token,
                     char *source)
{
    out->access_key_id = xstrdup(akid);
    out->secret_access_key = xstrdup(secret);
    out->session_token = token && *token ? xstrdup(token) : NULL;
    out->source = source;
}

/* Run cmd with /bin/sh, capture at most max bytes of its stdout within timeout_ms. Returns
 * the exit status (waitpid form), or -1 when it could not run, -2 when it timed out or wrote
 * too much (it is killed then). stderr is left to the user, as the AWS CLI does. */
static int run_capture(const char *cmd, long timeout_ms, size_t max, struct strbuf *out)
{
    int fd[2];
    if (pipe2(fd, O_CLOEXEC) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(fd[0]);
        close(fd[1]);
        return -1;
    }
    if (pid == 0) {
        setpgid(0, 0);
        dup2(fd[1], STDOUT_FILENO);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    close(fd[1]);
    double deadline = mono() + timeout_ms / 1000.0;
    int overrun = 0;
    char buf[4096];
    for (;;) {
        long left = (long)((deadline - mono()) * 1000);
        if (left <= 0) {
            overrun = 1;
            break;
        }
        struct pollfd pfd = {fd[0], POLLIN, 0};
        int pr = poll(&pfd, 1, (int)left);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0) {
            overrun = 1;
            break;
        }
        ssize_t n = read(fd[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (out->len + (size_t)n > max) {
            overrun = 1;
            break;
        }
        sb_add(out, buf, (size_t)n);
    }
    explicit_bzero(buf, sizeof buf);
    close(fd[0]);
    int status = -1;
    while (!overrun) { /* stdout is closed; the process still has to exit in time */
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid)
            return status;
        if (w < 0 && errno != EINTR)
            return -1;
        struct timespec nap = {0, 20 * 1000000L};
        if (mono() >= deadline)
            overrun = 1;
        else
            nanosleep(&nap, NULL);
    }
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return -2;
}

/* credential_process: run the command, read {"Version":1,"AccessKeyId",...} on stdout. */
static int from_process(const struct profile *p, const char *cmd, struct aws_cred *out, char *err,
                        size_t errlen)
{
    struct strbuf sb;
    sb_init(&sb);
    int status = run_capture(cmd, 60000, 1u << 20, &sb);
    if (status == -2) {
        snprintf(err, errlen,
                 "profile %s: credential_process did not finish within 60 s (or wrote over 1 MiB)", p->name);
        explicit_bzero(sb.buf, sb.cap);
        sb_free(&sb);
        return -1;
    }
    int rc = -1;
    json_t *doc = NULL;
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        snprintf(err, errlen, "profile %s: credential_process exited with status %d", p->name,
                 status == -1        ? -1
                 : WIFEXITED(status) ? WEXITSTATUS(status)
                                     : 128 + WTERMSIG(status));
        goto out;
    }
    doc = json_loadb(sb.buf, sb.len, 0, NULL);
    const char *akid = json_string_value(json_object_get(doc, "AccessKeyId"));
    const char *secret = json_string_value(json_object_get(doc, "SecretAccessKey"));
    const char *token = json_string_value(json_object_get(doc, "SessionToken"));
    const char *exp = json_string_value(json_object_get(doc, "Expiration"));
    if (json_integer_value(json_object_get(doc, "Version")) != 1 || !akid || !secret) {
        snprintf(err, errlen,
                 "profile %s: credential_process output is not {\"Version\": 1, \"AccessKeyId\": ..., "
                 "\"SecretAccessKey\": ...}",
                 p->name);
        goto out;
    }
    time_t expires = 0;
    if (exp && time_parse(exp, &expires) != 0) {
        snprintf(err, errlen, "profile %s: credential_process gave an unreadable Expiration", p->name);
        goto out;
    }
    if (exp && expires <= time(NULL)) {
        snprintf(err, errlen, "profile %s: credential_process gave credentials that expired at %s", p->name,
                 exp);
        goto out;
    }
    set_cred(out, akid, secret, token, xasprintf("credential_process of profile %s", p->name));
    out->expires = expires;
    rc = 0;
out:
    json_decref(doc); /* jansson does not wipe; the process output buffer is wiped below */
    explicit_bzero(sb.buf, sb.cap);
    sb_free(&sb);
    return rc;
}

/* ---- the chain ---- */

static int resolve_profile(const char *name, int named, int depth, struct aws_cred_source *out, char *err,
                           size_t errlen);

static char *opt_dup(const char *s) { return s && *s ? xstrdup(s) : NULL; }

/* A profile with role_arn: where its source credentials come from, and the role's settings. */
static int role_profile(const struct profile *p, const char *role_arn, int depth, struct aws_cred_source *out,
                        char *err, size_t errlen)
{
    const char *src_profile = profile_config(p, "source_profile");
    const char *src_cred = profile_config(p, "credential_source");
    const char *mfa = profile_config(p, "mfa_serial");
    const char *dur = profile_config(p, "duration_seconds");
    if (mfa && *mfa) {
        snprintf(err, errlen,
                 "profile %s needs an MFA code (mfa_serial) to assume %s; ansim runs non-interactively: "
                 "assume the role first (aws sts assume-role ...) and export its temporary credentials",
                 p->name, role_arn);
        return -1;
    }
    if ((src_profile && src_cred) || (!src_profile && !src_cred)) {
        snprintf(err, errlen,
                 "profile %s: role_arn needs exactly one of source_profile and credential_source", p->name);
        return -1;
    }
    char *end = NULL;
    long duration = dur ? strtol(dur, &end, 10) : 3600;
    if (dur && (*end || duration < 900 || duration > 43200)) {
        snprintf(err, errlen, "profile %s: duration_seconds must be 900 to 43200", p->name);
        return -1;
    }
    struct aws_cred_source *src = xcalloc(1, sizeof *src);
    int rc = 0;
    if (src_profile && strcmp(src_profile, p->name) == 0) { /* its own keys assume its role */
        const char *akid = ini_get(&p->creds, p->name, "aws_access_key_id"),
                   *secret = ini_get(&p->creds, p->name, "aws_secret_access_key");
        if (akid && secret) {
            src->kind = AWS_SRC_STATIC;
            set_cred(&src->cred, akid, secret, ini_get(&p->creds, p->name, "aws_session_token"),
                     xasprintf("profile %s in %s", p->name, p->cred_path));
        } else {
            snprintf(err, errlen, "profile %s is its own source_profile but has no keys", p->name);
            rc = -1;
        }
    } else if (src_profile) {
        rc = resolve_profile(src_profile, 1, depth + 1, src, err, errlen);
    } else if (strcmp(src_cred, "Environment") == 0) {
        const char *akid = getenv("AWS_ACCESS_KEY_ID"), *secret = getenv("AWS_SECRET_ACCESS_KEY");
        if (akid && *akid && secret && *secret) {
            const char *token = getenv("AWS_SESSION_TOKEN");
            src->kind = AWS_SRC_STATIC;
            set_cred(&src->cred, akid, secret, token, xstrdup("environment variables"));
        } else {
            snprintf(err, errlen,
                     "profile %s: credential_source Environment, but AWS_ACCESS_KEY_ID/"
                     "AWS_SECRET_ACCESS_KEY are not set",
                     p->name);
            rc = -1;
        }
    } else if (strcmp(src_cred, "Ec2InstanceMetadata") == 0) {
        src->kind = AWS_SRC_IMDS;
    } else if (strcmp(src_cred, "EcsContainer") == 0) {
        src->kind = AWS_SRC_CONTAINER;
    } else {
        snprintf(err, errlen,
                 "profile %s: credential_source %s is not one of Environment, Ec2InstanceMetadata, "
                 "EcsContainer",
                 p->name, src_cred);
        rc = -1;
    }
    if (rc) {
        aws_cred_source_free(src);
        free(src);
        return -1;
    }
    out->kind = AWS_SRC_ROLE;
    out->profile = xstrdup(p->name);
    out->role_arn = xstrdup(role_arn);
    out->external_id = opt_dup(profile_config(p, "external_id"));
    out->session_name = opt_dup(profile_config(p, "role_session_name"));
    out->region = opt_dup(profile_config(p, "region"));
    out->duration = duration;
    out->source = src;
    return 0;
}

static int resolve_profile(const char *name, int named, int depth, struct aws_cred_source *out, char *err,
                           size_t errlen)
{
    if (depth > 5) {
        snprintf(err, errlen, "profile %s: source_profile chain longer than 5 (a loop?)", name);
        return -1;
    }
    struct profile p;
    if (profile_open(&p, name, err, errlen)) {
        profile_close(&p);
        return -1;
    }
    int rc = -1;
    const char *v, *akid, *secret;
    if ((v = profile_config(&p, "sso_start_url")) || (v = profile_config(&p, "sso_session")) ||
        (v = profile_config(&p, "web_identity_token_file"))) {
        snprintf(
            err, errlen,
            "profile %s uses IAM Identity Center (SSO) or web-identity credentials, which this build does "
            "not support yet: export temporary credentials (aws configure export-credentials)",
            name);
    } else if ((v = profile_config(&p, "role_arn"))) {
        rc = role_profile(&p, v, depth, out, err, errlen);
    } else if ((akid = ini_get(&p.creds, name, "aws_access_key_id")) &&
               (secret = ini_get(&p.creds, name, "aws_secret_access_key"))) {
        set_cred(&out->cred, akid, secret, ini_get(&p.creds, name, "aws_session_token"),
                 xasprintf("profile %s in %s", name, p.cred_path));
        rc = 0;
    } else if ((v = profile_config(&p, "credential_process"))) {
        rc = from_process(&p, v, &out->cred, err, errlen);
    } else if ((akid = profile_config(&p, "aws_access_key_id")) &&
               (secret = profile_config(&p, "aws_secret_access_key"))) {
        set_cred(&out->cred, akid, secret, profile_config(&p, "aws_session_token"),
                 xasprintf("profile %s in %s", name, p.config_path));
        rc = 0;
    } else if (named && !ini_has_section(&p.creds, name) && !ini_has_section(&p.config, p.section)) {
        snprintf(err, errlen, "the config profile (%s) could not be found in %s or %s", name,
                 p.cred_path ? p.cred_path : "?", p.config_path ? p.config_path : "?");
    } else if (depth == 0 && (getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") ||
                              getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI"))) {
        out->kind = AWS_SRC_CONTAINER;
        rc = 0;
    } else if (depth == 0 && !(getenv("AWS_EC2_METADATA_DISABLED") &&
                               strcasecmp(getenv("AWS_EC2_METADATA_DISABLED"), "true") == 0)) {
        out->kind = AWS_SRC_IMDS; /* the last link of the chain: asked when the client starts */
        rc = 0;
    } else {
        snprintf(err, errlen,
                 "no AWS credentials found: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or configure "
                 "profile %s in %s",
                 name, p.cred_path ? p.cred_path : "~/.aws/credentials");
    }
    profile_close(&p);
    return rc;
}

int aws_creds_source(const char *profile_opt, struct aws_cred_source *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    const char *akid = getenv("AWS_ACCESS_KEY_ID"), *secret = getenv("AWS_SECRET_ACCESS_KEY");
    int has_id = akid && *akid, has_secret = secret && *secret;
    if (!profile_opt && has_id != has_secret) {
        snprintf(err, errlen, "partial credentials in the environment: %s is set but %s is not",
                 has_id ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
                 has_id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
        return -1;
    }
    if (!profile_opt && getenv("AWS_WEB_IDENTITY_TOKEN_FILE") && getenv("AWS_ROLE_ARN") && !has_id) {
        /* botocore would use these before any file: never fall through to a stray file key */
        snprintf(err, errlen,
                 "web-identity credentials (AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE) are not "
                 "supported by this build yet");
        return -1;
    }
    if (!profile_opt && has_id && has_secret) {
        const char *token = getenv("AWS_SESSION_TOKEN");
        if (!token || !*token)
            token = getenv("AWS_SECURITY_TOKEN");
        set_cred(&out->cred, akid, secret, token, xstrdup("environment variables"));
        return 0;
    }
    const char *name = profile_opt;
    if (!name || !*name)
        name = getenv("AWS_PROFILE");
    if (!name || !*name)
        name = getenv("AWS_DEFAULT_PROFILE");
    int named = name && *name;
    int rc = resolve_profile(named ? name : "default", named, 0, out, err, errlen);
    if (rc)
        aws_cred_source_free(out);
    return rc;
}

void aws_cred_source_free(struct aws_cred_source *s)
{
    if (!s)
        return;
    aws_cred_free(&s->cred);
    free(s->profile);
    free(s->role_arn);
    free(s->external_id);
    free(s->session_name);
    free(s->region);
    if (s->source) {
        aws_cred_source_free(s->source);
        free(s->source);
    }
    memset(s, 0, sizeof *s);
}

int aws_creds_find(const char *profile_opt, struct aws_cred *out, char *err, size_t errlen)
{
    struct aws_cred_source src;
    memset(out, 0, sizeof *out);
    if (aws_creds_source(profile_opt, &src, err, errlen))
        return -1;
    if (src.kind != AWS_SRC_STATIC) {
        snprintf(err, errlen, "%s",
                 src.kind == AWS_SRC_ROLE ? "these credentials come from assuming a role (aws_client_init)"
                 : src.kind == AWS_SRC_CONTAINER
                     ? "these credentials come from the container endpoint"
                     : "no AWS credentials in the environment or the profile files");
        aws_cred_source_free(&src);
        return -1;
    }
    *out = src.cred; /* moved */
    memset(&src.cred, 0, sizeof src.cred);
    aws_cred_source_free(&src);
    return 0;
}

char *aws_region_find(const char *profile_opt)
{
    const char *r = getenv("AWS_REGION");
    if (!r || !*r)
        r = getenv("AWS_DEFAULT_REGION");
    if (r && *r)
        return xstrdup(r);
    const char *name = profile_opt && *profile_opt ? profile_opt : getenv("AWS_PROFILE");
    if (!name || !*name)
        name = getenv("AWS_DEFAULT_PROFILE");
    if (!name || !*name)
        name = "default";
    struct profile p;
    char err[ERRLEN];
    char *out = NULL;
    if (profile_open(&p, name, err, sizeof err) == 0 && (r = profile_config(&p, "region")) && *r)
        out = xstrdup(r);
    profile_close(&p);
    return out;
}

void aws_cred_free(struct aws_cred *c)
{
    if (!c)
        return;
    char *secrets[] = {c->access_key_id, c->secret_access_key, c->session_token};
    for (size_t i = 0; i < 3; i++)
        if (secrets[i]) {
            explicit_bzero(secrets[i], strlen(secrets[i]));
            free(secrets[i]);
        }
    free(c->source);
    memset(c, 0, sizeof *c);
}
