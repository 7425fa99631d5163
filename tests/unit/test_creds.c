/*
 * test_creds.c — credentials and region found as the AWS CLI finds them: environment
 * variables, --profile over the environment, the shared credentials and config files
 * (section naming, comments, nested settings), credential_process (good, failing,
 * malformed), missing profiles, role_arn profiles refused clearly, secrets never in errors.
 * Each test works in its own temporary HOME with the AWS_* variables cleared.
 */
#include "support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/aws/aws.h"
#include "../../src/util/util.h"

static char home[256];

static const char *const vars[] = {"AWS_ACCESS_KEY_ID",
                                   "AWS_SECRET_ACCESS_KEY",
                                   "AWS_SESSION_TOKEN",
                                   "AWS_SECURITY_TOKEN",
                                   "AWS_PROFILE",
                                   "AWS_DEFAULT_PROFILE",
                                   "AWS_CONFIG_FILE",
                                   "AWS_SHARED_CREDENTIALS_FILE",
                                   "AWS_REGION",
                                   "AWS_DEFAULT_REGION",
                                   "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                                   "AWS_CONTAINER_CREDENTIALS_FULL_URI"};
static char *saved_home;

static int setup(void **state)
{
    (void)state;
    snprintf(home, sizeof home, "/tmp/ansim-creds-XXXXXX");
    if (!mkdtemp(home))
        return -1;
    char *aws = xasprintf("%s/.aws", home);
    mkdir(aws, 0700);
    free(aws);
    const char *h = getenv("HOME");
    saved_home = h ? xstrdup(h) : NULL;
    setenv("HOME", home, 1);
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++)
        unsetenv(vars[i]);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char *cmd = xasprintf("rm -rf '%s'", home);
    int rc = system(cmd);
    free(cmd);
    if (saved_home)
        setenv("HOME", saved_home, 1);
    free(saved_home);
    saved_home = NULL;
    return rc == 0 ? 0 : -1;
}

static void write_file(const char *name, const char *text)
{
    char *path = xasprintf("%s/%s", home, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    free(path);
}

static void environment_first_unless_a_profile_is_named(void **state)
{
    (void)state;
    setenv("AWS_ACCESS_KEY_ID", "AKIAENVEXAMPLE", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
    setenv("AWS_SESSION_TOKEN", "envtoken", 1);
    write_file(".aws/credentials",
               "[prod]\naws_access_key_id = AKIAPRODEXAMPLE\naws_secret_access_key = prodsecret\n");
    struct aws_cred c;
    char err[ERRLEN] = "";
    assert_int_equal(aws_creds_find(NULL, &c, err, sizeof err), 0);
    assert_string_equal(c.access_key_id, "AKIAENVEXAMPLE");
    assert_string_equal(c.session_token, "envtoken");
    aws_cred_free(&c);
    assert_int_equal(aws_creds_find("prod", &c, err, sizeof err), 0);
    assert_string_equal(c.access_key_id, "AKIAPRODEXAMPLE");
    assert_null(c.session_token);
    assert_non_null(strstr(c.source, "profile prod"));
    aws_cred_free(&c);
    /* AWS_PROFILE does not beat the key variables */
    setenv("AWS_PROFILE", "prod", 1);
    assert_int_equal(aws_creds_find(NULL, &c, err, sizeof err), 0);
    assert_string_equal(c.access_key_id, "AKIAENVEXAMPLE");
    aws_cred_free(&c);
}

static void partial_and_unsupported_sources_are_refused(void **state)
{
    (void)state;
    write_file(".aws/credentials",
               "[default]\nAWS_ACCESS_KEY_ID = AKIAUPPER\nAws_Secret_Access_Key = upper\n");
    write_file(".aws/config", "[profile sso]\nsso_start_url = https://example.awsapps.com/start\n");
    struct aws_cred c;
    char err[ERRLEN] = "";
    setenv("AWS_ACCESS_KEY_ID", "AKIAENVONLY", 1); /* no secret */
    assert_int_equal(aws_creds_find(NULL, &c, err, sizeof err), -1);
    assert_non_null(strstr(err, "partial credentials"));
    unsetenv("AWS_ACCESS_KEY_ID");
    setenv("AWS_ROLE_ARN", "arn:aws:iam::111122223333:role/irsa", 1);
    setenv("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/token", 1);
    assert_int_equal(aws_creds_find(NULL, &c, err, sizeof err), -1); /* never the stray file key */
    assert_non_null(strstr(err, "web-identity"));
    unsetenv("AWS_ROLE_ARN");
    unsetenv("AWS_WEB_IDENTITY_TOKEN_FILE");
    assert_int_equal(aws_creds_find(NULL, &c, err, sizeof err), 0); /* option names are case-insensitive */
    assert_string_equal(c.access_key_id, "AKIAUPPER");
    aws_cred_free(&c);
    assert_int_equal(aws_creds_find("sso", &c, err, sizeof err), -1);
    assert_non_null(strstr(err, "Identity Center"));
}

static void shared_files_sections_and_comments(void **state)
{
    (void)state;
    write_file(".aws/credentials", "# comment\n[default]\naws_access_key_id=AKIADEFAULT\n"
                                   "aws_secret_access_key = defsecret ; not a comment in values\n\n"
                                   "[dev]\n  aws_access_key_id = indented-is-nested\n");
    write_file(".aws/config", "[default]\nregion = ap-northeast-2\n"
                              "[profile dev]\nregion=us-east-1\naws_access_key_id = AKIADEVCONFIG\n"
                              "aws_secret_access_key = devsecret\naws_session_token = devtoken\n"
                              "s3 =\n  max_concurrent_requests = 20\n");
    struct aws_cred c;
    char err[ERRLEN] = "";
    assert_int_equal(aws_creds_find(NULL, &c, err, sizeof err), 0);
    assert_string_equal(c.access_key_id, "AKIADEFAULT");
    assert_string_equal(c.secret_access_key, "defsecret ; not a comment in values");
    aws_cred_free(&c);
    setenv("AWS_PROFILE", "dev", 1);
    assert_int_equal(aws_creds_find(NULL, &c, err, sizeof err), 0);
    assert_string_equal(c.access_key_id, "AKIADEVCONFIG"); /* keys in the config file */
    assert_string_equal(c.session_token, "devtoken");
    aws_cred_free(&c);
    char *r = aws_region_find(NULL);
    assert_string_equal(r, "us-east-1");
    free(r);
    r = aws_region_find("default");
    assert_string_equal(r, "ap-northeast-2");
    free(r);
    setenv("AWS_REGION", "eu-west-1", 1);
    r = aws_region_find("default");
    assert_string_equal(r, "eu-west-1");
    free(r);
    /* files elsewhere */
    unsetenv("AWS_PROFILE");
    char *alt = xasprintf("%s/alt-credentials", home);
    write_file("alt-credentials", "[default]\naws_access_key_id = AKIAALT\naws_secret_access_key = alt\n");
    setenv("AWS_SHARED_CREDENTIALS_FILE", alt, 1);
    assert_int_equal(aws_creds_find(NULL, &c, err, sizeof err), 0);
    assert_string_equal(c.access_key_id, "AKIAALT");
    aws_cred_free(&c);
    free(alt);
}

static void credential_process_good_bad_and_malformed(void **state)
{
    (void)state;
    write_file(
        "good.sh",
        "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"ASIAPROC\", \"SecretAccessKey\": "
        "\"procsecret\", \"SessionToken\": \"proctoken\", \"Expiration\": \"2030-01-01T00:00:00Z\"}'\n");
    write_file("fail.sh", "#!/bin/sh\necho 'credential helper: token expired' >&2\nexit 7\n");
    write_file("junk.sh", "#!/bin/sh\necho 'AccessKeyId=ASIAPROC SecretAccessKey=procsecret'\n");
    write_file("flood.sh", "#!/bin/sh\nyes procsecret\n"); /* never ends, floods stdout */
    write_file("old.sh",
               "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"ASIAOLD\", \"SecretAccessKey\": "
               "\"procsecret\", \"Expiration\": \"2001-01-01T00:00:00Z\"}'\n");
    char *cfg = xasprintf("[profile good]\ncredential_process = sh %s/good.sh\n"
                          "[profile fail]\ncredential_process = sh %s/fail.sh\n"
                          "[profile junk]\ncredential_process = sh %s/junk.sh\n"
                          "[profile flood]\ncredential_process = sh %s/flood.sh\n"
                          "[profile old]\ncredential_process = sh %s/old.sh\n",
                          home, home, home, home, home);
    write_file(".aws/config", cfg);
    free(cfg);
    struct aws_cred c;
    char err[ERRLEN] = "";
    assert_int_equal(aws_creds_find("good", &c, err, sizeof err), 0);
    assert_string_equal(c.access_key_id, "ASIAPROC");
    assert_string_equal(c.session_token, "proctoken");
    assert_int_equal((long long)c.expires, 1893456000LL);
    aws_cred_free(&c);
    assert_int_equal(aws_creds_find("fail", &c, err, sizeof err), -1);
    assert_non_null(strstr(err, "status 7"));
    assert_null(strstr(err, "procsecret"));
    assert_int_equal(aws_creds_find("junk", &c, err, sizeof err), -1);
    assert_non_null(strstr(err, "Version"));
    assert_null(strstr(err, "procsecret"));
    assert_int_equal(aws_creds_find("old", &c, err, sizeof err), -1);
    assert_non_null(strstr(err, "expired"));
    /* a runaway helper is killed, not waited on forever */
    assert_int_equal(aws_creds_find("flood", &c, err, sizeof err), -1);
    assert_non_null(strstr(err, "1 MiB"));
    assert_null(strstr(err, "procsecret"));
}

static void missing_profiles_and_roles_are_clear_errors(void **state)
{
    (void)state;
    write_file(".aws/config",
               "[profile audit]\nrole_arn = arn:aws:iam::111122223333:role/Audit\n"
               "source_profile = default\nexternal_id = ext-1\nduration_seconds = 1800\n"
               "region = ap-northeast-2\n"
               "[profile mfa]\nrole_arn = arn:aws:iam::111122223333:role/Audit\n"
               "source_profile = default\nmfa_serial = arn:aws:iam::111122223333:mfa/me\n"
               "[profile both]\nrole_arn = arn:aws:iam::111122223333:role/Audit\n"
               "source_profile = default\ncredential_source = Environment\n"
               "[profile imds]\nrole_arn = arn:aws:iam::111122223333:role/Audit\n"
               "credential_source = Ec2InstanceMetadata\n"
               "[profile loop]\nrole_arn = arn:aws:iam::111122223333:role/A\nsource_profile = loop2\n"
               "[profile loop2]\nrole_arn = arn:aws:iam::111122223333:role/B\nsource_profile = loop\n");
    write_file(".aws/credentials",
               "[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = s3cr3t\n");
    struct aws_cred c;
    struct aws_cred_source src;
    char err[ERRLEN] = "";
    assert_int_equal(aws_creds_find("nope", &c, err, sizeof err), -1);
    assert_non_null(strstr(err, "(nope) could not be found"));
    /* a role profile: the role, its settings, and the source's keys */
    assert_int_equal(aws_creds_source("audit", &src, err, sizeof err), 0);
    assert_int_equal(src.kind, AWS_SRC_ROLE);
    assert_string_equal(src.role_arn, "arn:aws:iam::111122223333:role/Audit");
    assert_string_equal(src.external_id, "ext-1");
    assert_string_equal(src.region, "ap-northeast-2");
    assert_int_equal(src.duration, 1800);
    assert_int_equal(src.source->kind, AWS_SRC_STATIC);
    assert_string_equal(src.source->cred.access_key_id, "AKIADEFAULT");
    aws_cred_source_free(&src);
    assert_int_equal(aws_creds_find("audit", &c, err, sizeof err), -1); /* needs a call */
    assert_null(strstr(err, "s3cr3t"));
    assert_int_equal(aws_creds_source("mfa", &src, err, sizeof err), -1);
    assert_non_null(strstr(err, "mfa_serial"));
    assert_int_equal(aws_creds_source("both", &src, err, sizeof err), -1);
    assert_non_null(strstr(err, "exactly one of source_profile and credential_source"));
    assert_int_equal(aws_creds_source("imds", &src, err, sizeof err), 0);
    assert_int_equal(src.source->kind, AWS_SRC_IMDS);
    aws_cred_source_free(&src);
    assert_int_equal(aws_creds_source("loop", &src, err, sizeof err), -1);
    assert_non_null(strstr(err, "chain longer than 5"));
    unlink(strcat(strcpy(err, home), "/.aws/credentials"));
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    assert_int_equal(aws_creds_find(NULL, &c, err, sizeof err), -1);
    assert_non_null(strstr(err, "no AWS credentials found"));
    unsetenv("AWS_EC2_METADATA_DISABLED");
    assert_int_equal(aws_creds_source(NULL, &src, err, sizeof err), 0); /* the end of the chain */
    assert_int_equal(src.kind, AWS_SRC_IMDS);
    aws_cred_source_free(&src);
    write_file(".aws/config", "[profile broken\nregion = x\n");
    assert_int_equal(aws_creds_find(NULL, &c, err, sizeof err), -1);
    assert_non_null(strstr(err, ":1: unterminated section header"));
}

int run_creds_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(environment_first_unless_a_profile_is_named, setup, teardown),
        cmocka_unit_test_setup_teardown(partial_and_unsupported_sources_are_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(shared_files_sections_and_comments, setup, teardown),
        cmocka_unit_test_setup_teardown(credential_process_good_bad_and_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(missing_profiles_and_roles_are_clear_errors, setup, teardown),
    };
    return cmocka_run_group_tests_name("credentials", tests, NULL, NULL);
}
