/*
 * test_sepnet.c — the collectors of the network-separated environment (WorkSpaces with
 * Directory Service and CloudWatch usage, AppStream 2.0, Network Firewall) against answers
 * written by hand from botocore's output shapes, because moto does not implement
 * DescribeWorkspacesConnectionStatus, RADIUS, SAML, AppStream or DescribeFirewallPolicy.
 * A small HTTP server on 127.0.0.1 plays AWS: it answers each operation (X-Amz-Target for
 * the JSON protocols, Action= for the query protocol) with a canned document and keeps the
 * requests, so the tests prove what is sent, how the answers become snapshot resources, and
 * that a failed call leaves its member out (recorded as an error) rather than passing. Also
 * network.separated_egress with the organisation profile's separated VPCs, which fixtures
 * cannot set.
 */
#include "support.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/aws/aws.h"
#include "../../src/collect/collect.h"
#include "../../src/profile/profile.h"
#include "../../src/util/util.h"
#include "canned.h"

/* ---- the canned AWS (canned.c) ---- */

struct canned {
    const char *op;   /* operation name */
    const char *when; /* answer only when the request body contains this (NULL: always) */
    int status;
    const char *body;
};

static struct {
    struct canned_server http;
    const struct canned *answers;
    size_t nanswers;
    struct strbuf log; /* every request as "OP BODY\n" */
} srv;

/* The operation of a request: X-Amz-Target's part after the dot, or the form's Action. */
static char *operation(const char *head, const char *body)
{
    size_t len;
    const char *t = canned_header(head, "X-Amz-Target", &len);
    if (t) {
        const char *dot = memchr(t, '.', len);
        return dot ? xstrndup(dot + 1, len - (size_t)(dot + 1 - t)) : xstrndup(t, len);
    }
    const char *a = strstr(body, "Action=");
    return a ? xstrndup(a + 7, strcspn(a + 7, "&")) : xstrdup("?");
}

static void answer(const char *head, const char *body, struct canned_reply *out)
{
    char *op = operation(head, body);
    sb_printf(&srv.log, "%s %s\n", op, body);
    out->body = "{\"__type\":\"InvalidAction\",\"message\":\"no canned answer\"}";
    for (size_t i = 0; i < srv.nanswers; i++)
        if (strcmp(srv.answers[i].op, op) == 0 &&
            (!srv.answers[i].when || strstr(body, srv.answers[i].when))) {
            out->status = srv.answers[i].status;
            out->body = srv.answers[i].body;
            break;
        }
    free(op);
}

/* Run collect(ctx, region) against the canned answers; fills sink (sink_free it). */
static char *collect_with(const struct canned *answers, size_t n,
                          void (*collect)(struct collect_ctx *, const char *), struct collect_sink *sink)
{
    memset(&srv, 0, sizeof srv);
    sb_init(&srv.log);
    srv.answers = answers;
    srv.nanswers = n;
    assert_int_equal(canned_start(&srv.http, answer), 0);
    struct aws_client client;
    memset(&client, 0, sizeof client);
    client.cred.access_key_id = xstrdup("AKIDEXAMPLE");
    client.cred.secret_access_key = xstrdup("secret");
    client.endpoint_url = srv.http.url;
    client.max_attempts = 1;
    client.timeout_ms = 5000;
    sink_init(sink);
    struct collect_ctx ctx = {&client, sink, "111122223333", "ap-northeast-2", NULL};
    collect(&ctx, "ap-northeast-2");
    collect_run(&ctx, 1, 0);
    aws_cred_free(&client.cred);
    aws_http_thread_done();
    canned_stop(&srv.http);
    char *log = sb_detach(&srv.log);
    return log ? log : xstrdup("");
}

static json_t *resource(struct collect_sink *s, const char *type, const char *id)
{
    size_t i;
    json_t *r;
    json_array_foreach(s->resources, i, r)
    {
        if (strcmp(json_string_value(json_object_get(r, "type")), type) == 0 &&
            strcmp(json_string_value(json_object_get(r, "id")), id) == 0)
            return json_object_get(r, "data");
    }
    fail_msg("no %s %s among the collected resources", type, id);
    return NULL;
}

static int has_error(struct collect_sink *s, const char *service, const char *op)
{
    size_t i;
    json_t *e;
    json_array_foreach(s->errors, i, e)
    {
        if (strcmp(json_string_value(json_object_get(e, "service")), service) == 0 &&
            strcmp(json_string_value(json_object_get(e, "operation")), op) == 0)
            return 1;
    }
    return 0;
}

static size_t count(const char *log, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(log, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* ---- WorkSpaces ---- */

static const char DIRECTORIES[] =
    "{\"Directories\":[{\"DirectoryId\":\"d-9b67294a1c\",\"Alias\":\"corp-sep\",\"DirectoryName\":"
    "\"corp.example.co.kr\",\"RegistrationCode\":\"SLiad+TBXVQV\",\"SubnetIds\":[\"subnet-0a1\",\"subnet-"
    "0a2\"],"
    "\"DirectoryType\":\"AD_CONNECTOR\",\"State\":\"REGISTERED\",\"WorkspaceCreationProperties\":{"
    "\"EnableInternetAccess\":false}},{\"DirectoryId\":\"d-77aa11bb22\",\"DirectoryType\":\"SIMPLE_AD\","
    "\"State\":\"REGISTERED\",\"SubnetIds\":[\"subnet-0b1\"],\"SamlProperties\":{\"Status\":"
    "\"ENABLED_WITH_DIRECTORY_LOGIN_FALLBACK\",\"UserAccessUrl\":\"https://idp.example.co.kr/sso\","
    "\"RelayStateParameterName\":\"RelayState\"}}]}";

static const char DS_DIRECTORIES[] =
    "{\"DirectoryDescriptions\":[{\"DirectoryId\":\"d-9b67294a1c\",\"Name\":\"corp.example.co.kr\",\"Type\":"
    "\"ADConnector\",\"Stage\":\"Active\",\"LaunchTime\":1741054269.0,\"RadiusSettings\":{\"RadiusServers\":["
    "\"10.20.5.20\"],\"RadiusPort\":1812,\"RadiusTimeout\":10,\"RadiusRetries\":3,\"SharedSecret\":"
    "\"do-not-keep-me\",\"AuthenticationProtocol\":\"PAP\",\"DisplayLabel\":\"OTP\",\"UseSameUsername\":true}"
    ","
    "\"RadiusStatus\":\"Completed\"},{\"DirectoryId\":\"d-77aa11bb22\",\"Name\":\"simple.example.co.kr\","
    "\"Type\":"
    "\"SimpleAD\",\"Stage\":\"Active\"}]}";

static const char WORKSPACES_PAGE1[] =
    "{\"Workspaces\":[{\"WorkspaceId\":\"ws-f7hxq2kz1\",\"DirectoryId\":\"d-9b67294a1c\",\"UserName\":"
    "\"kim.minji\",\"State\":\"AVAILABLE\",\"BundleId\":\"wsb-8vbljg4r6\",\"SubnetId\":\"subnet-0a1\","
    "\"VolumeEncryptionKey\":\"alias/aws/workspaces\",\"UserVolumeEncryptionEnabled\":true,"
    "\"RootVolumeEncryptionEnabled\":true,\"WorkspaceProperties\":{\"RunningMode\":\"AUTO_STOP\","
    "\"RunningModeAutoStopTimeoutInMinutes\":60}}],\"NextToken\":\"page-2\"}";

/* an unencrypted WorkSpace: the API leaves the encryption flags out */
static const char WORKSPACES_PAGE2[] =
    "{\"Workspaces\":[{\"WorkspaceId\":\"ws-3kq8mz7vt\",\"DirectoryId\":\"d-9b67294a1c\",\"UserName\":"
    "\"park.seoyeon\",\"State\":\"STOPPED\",\"BundleId\":\"wsb-8vbljg4r6\",\"SubnetId\":\"subnet-0a2\","
    "\"WorkspaceProperties\":{\"RunningMode\":\"ALWAYS_ON\"}}]}";

static const char CONNECTION_STATUS[] =
    "{\"WorkspacesConnectionStatus\":[{\"WorkspaceId\":\"ws-f7hxq2kz1\",\"ConnectionState\":\"CONNECTED\","
    "\"ConnectionStateCheckTimestamp\":1761955200.0,\"LastKnownUserConnectionTimestamp\":1761951600.5}]}";

/* three hourly maxima, two of them with a user connected */
static const char METRIC_USED[] =
    "<GetMetricStatisticsResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\">"
    "<GetMetricStatisticsResult><Label>UserConnected</Label><Datapoints>"
    "<member><Timestamp>2026-10-30T09:00:00Z</Timestamp><Maximum>1.0</Maximum><Unit>Count</Unit></member>"
    "<member><Timestamp>2026-10-30T10:00:00Z</Timestamp><Maximum>0.0</Maximum><Unit>Count</Unit></member>"
    "<member><Timestamp>2026-10-30T11:00:00Z</Timestamp><Maximum>1.0</Maximum><Unit>Count</Unit></member>"
    "</Datapoints></GetMetricStatisticsResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata>"
    "</GetMetricStatisticsResponse>";

static const char METRIC_EMPTY[] =
    "<GetMetricStatisticsResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\">"
    "<GetMetricStatisticsResult><Label>UserConnected</Label><Datapoints/></GetMetricStatisticsResult>"
    "<ResponseMetadata><RequestId>2</RequestId></ResponseMetadata></GetMetricStatisticsResponse>";

static const char ACCESS_DENIED_JSON[] =
    "{\"__type\":\"AccessDeniedException\",\"message\":\"User is not authorized to perform this action\"}";

static const char ACCESS_DENIED_XML[] =
    "<ErrorResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\"><Error><Type>Sender</Type>"
    "<Code>AccessDenied</Code><Message>User is not authorized to perform: cloudwatch:GetMetricStatistics"
    "</Message></Error><RequestId>3</RequestId></ErrorResponse>";

static void workspaces_merge_connection_status_and_usage(void **state)
{
    (void)state;
    static const struct canned answers[] = {
        {"DescribeWorkspaceDirectories", NULL, 200, DIRECTORIES},
        {"DescribeDirectories", NULL, 200, DS_DIRECTORIES},
        {"DescribeWorkspaces", "page-2", 200, WORKSPACES_PAGE2},
        {"DescribeWorkspaces", NULL, 200, WORKSPACES_PAGE1},
        {"DescribeWorkspacesConnectionStatus", NULL, 200, CONNECTION_STATUS},
        {"GetMetricStatistics", "ws-f7hxq2kz1", 200, METRIC_USED},
        {"GetMetricStatistics", NULL, 200, METRIC_EMPTY},
    };
    struct collect_sink sink;
    char *log = collect_with(answers, sizeof answers / sizeof *answers, collect_workspaces, &sink);
    if (json_array_size(sink.errors))
        fail_msg("unexpected errors: %s", json_dumps(sink.errors, 0));

    json_t *a = resource(&sink, "aws_workspaces_workspace", "ws-f7hxq2kz1");
    assert_true(json_is_true(json_object_get(a, "RootVolumeEncryptionEnabled")));
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(a, "ConnectionStatus"), "ConnectionState")),
        "CONNECTED");
    assert_string_equal(json_string_value(json_object_get(json_object_get(a, "ConnectionStatus"),
                                                          "LastKnownUserConnectionTimestamp")),
                        "2025-10-31T23:00:00.500Z");
    assert_int_equal(json_integer_value(json_object_get(a, "UsageHours30d")), 2);

    json_t *b = resource(&sink, "aws_workspaces_workspace", "ws-3kq8mz7vt"); /* from the second page */
    assert_true(json_is_false(json_object_get(b, "RootVolumeEncryptionEnabled")));
    assert_true(json_is_false(json_object_get(b, "UserVolumeEncryptionEnabled")));
    assert_true(json_is_null(json_object_get(b, "ConnectionStatus"))); /* listed nowhere: null */
    assert_true(json_is_null(json_object_get(b, "UsageHours30d")));    /* no datapoint: null */

    /* the usage question as the brief defines it: hourly maximum of UserConnected, 30 days */
    assert_non_null(strstr(log, "Namespace=AWS%2FWorkSpaces"));
    assert_non_null(strstr(log, "MetricName=UserConnected"));
    assert_non_null(strstr(log, "Dimensions.member.1.Name=WorkspaceId"));
    assert_non_null(strstr(log, "Dimensions.member.1.Value=ws-3kq8mz7vt"));
    assert_non_null(strstr(log, "Period=3600"));
    assert_non_null(strstr(log, "Statistics.member.1=Maximum"));
    assert_int_equal(count(log, "GetMetricStatistics "), 2);
    assert_int_equal(count(log, "DescribeWorkspaces "), 2); /* two pages */

    json_t *d = resource(&sink, "aws_workspaces_directory", "d-9b67294a1c");
    assert_null(json_object_get(d, "RegistrationCode"));
    assert_true(json_is_null(json_object_get(d, "SamlProperties"))); /* left out: not set up */
    json_t *d2 = resource(&sink, "aws_workspaces_directory", "d-77aa11bb22");
    assert_string_equal(json_string_value(json_object_get(json_object_get(d2, "SamlProperties"), "Status")),
                        "ENABLED_WITH_DIRECTORY_LOGIN_FALLBACK");

    json_t *ds = resource(&sink, "aws_directory_service_directory", "d-9b67294a1c");
    assert_string_equal(json_string_value(json_object_get(ds, "RadiusStatus")), "Completed");
    assert_null(json_object_get(json_object_get(ds, "RadiusSettings"), "SharedSecret"));
    assert_int_equal(json_integer_value(json_object_get(json_object_get(ds, "RadiusSettings"), "RadiusPort")),
                     1812);
    json_t *ds2 = resource(&sink, "aws_directory_service_directory", "d-77aa11bb22");
    assert_true(json_is_null(json_object_get(ds2, "RadiusStatus")));
    assert_true(json_is_null(json_object_get(ds2, "RadiusSettings")));
    char *all = json_dumps(sink.resources, 0);
    assert_null(strstr(all, "do-not-keep-me"));
    assert_null(strstr(all, "SLiad+TBXVQV"));
    free(all);
    free(log);
    sink_free(&sink);
}

/* A failed connection-status or metric call leaves its member out and is recorded, so the
 * controls that need it report error instead of guessing. */
static void workspaces_failed_calls_leave_members_out(void **state)
{
    (void)state;
    static const struct canned answers[] = {
        {"DescribeWorkspaceDirectories", NULL, 200, "{\"Directories\":[]}"},
        {"DescribeDirectories", NULL, 400, ACCESS_DENIED_JSON},
        {"DescribeWorkspaces", NULL, 200, WORKSPACES_PAGE2},
        {"DescribeWorkspacesConnectionStatus", NULL, 400, ACCESS_DENIED_JSON},
        {"GetMetricStatistics", NULL, 403, ACCESS_DENIED_XML},
    };
    struct collect_sink sink;
    free(collect_with(answers, sizeof answers / sizeof *answers, collect_workspaces, &sink));
    json_t *b = resource(&sink, "aws_workspaces_workspace", "ws-3kq8mz7vt");
    assert_null(json_object_get(b, "ConnectionStatus"));
    assert_null(json_object_get(b, "UsageHours30d"));
    assert_true(json_is_false(json_object_get(b, "RootVolumeEncryptionEnabled")));
    assert_true(has_error(&sink, "workspaces", "DescribeWorkspacesConnectionStatus"));
    assert_true(has_error(&sink, "cloudwatch", "GetMetricStatistics"));
    assert_true(has_error(&sink, "ds", "DescribeDirectories"));
    sink_free(&sink);
}

/* ---- AppStream ---- */

static void appstream_stacks_without_user_settings_allow_everything(void **state)
{
    (void)state;
    static const struct canned answers[] = {
        {"DescribeStacks", NULL, 200,
         "{\"Stacks\":[{\"Arn\":\"arn:aws:appstream:ap-northeast-2:111122223333:stack/"
         "pii-handlers\",\"Name\":"
         "\"pii-handlers\",\"CreatedTime\":1747023631.0,\"UserSettings\":[{\"Action\":"
         "\"CLIPBOARD_COPY_TO_LOCAL_DEVICE\",\"Permission\":\"DISABLED\"}]},{\"Arn\":\"arn:aws:appstream:"
         "ap-northeast-2:111122223333:stack/default\",\"Name\":\"default\"}]}"},
        {"DescribeFleets", NULL, 200,
         "{\"Fleets\":[{\"Arn\":\"arn:aws:appstream:ap-northeast-2:111122223333:fleet/pii-fleet\",\"Name\":"
         "\"pii-fleet\",\"InstanceType\":\"stream.standard.medium\",\"FleetType\":\"ON_DEMAND\",\"State\":"
         "\"RUNNING\",\"ComputeCapacityStatus\":{\"Desired\":2},\"VpcConfig\":{\"SubnetIds\":[\"subnet-0c1\"]"
         ","
         "\"SecurityGroupIds\":[\"sg-1\"]},\"EnableDefaultInternetAccess\":false}]}"},
    };
    struct collect_sink sink;
    char *log = collect_with(answers, sizeof answers / sizeof *answers, collect_appstream, &sink);
    assert_int_equal(json_array_size(sink.errors), 0);
    json_t *s = resource(&sink, "aws_appstream_stack", "pii-handlers");
    assert_int_equal(json_array_size(json_object_get(s, "UserSettings")), 1);
    assert_string_equal(json_string_value(json_object_get(s, "CreatedTime")), "2025-05-12T04:20:31Z");
    json_t *d = resource(&sink, "aws_appstream_stack", "default");
    assert_true(json_is_array(json_object_get(d, "UserSettings")));
    assert_int_equal(json_array_size(json_object_get(d, "UserSettings")), 0);
    json_t *f = resource(&sink, "aws_appstream_fleet", "pii-fleet");
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(json_object_get(f, "VpcConfig"), "SubnetIds"), 0)),
        "subnet-0c1");
    free(log);
    sink_free(&sink);
}

static void appstream_failure_is_recorded(void **state)
{
    (void)state;
    static const struct canned answers[] = {
        {"DescribeStacks", NULL, 500, "{\"__type\":\"InternalFailure\",\"message\":\"boom\"}"},
        {"DescribeFleets", NULL, 400, ACCESS_DENIED_JSON},
    };
    struct collect_sink sink;
    free(collect_with(answers, sizeof answers / sizeof *answers, collect_appstream, &sink));
    assert_int_equal(json_array_size(sink.resources), 0);
    assert_true(has_error(&sink, "appstream", "DescribeStacks"));
    assert_true(has_error(&sink, "appstream", "DescribeFleets"));
    sink_free(&sink);
}

/* ---- Network Firewall ---- */

static void network_firewall_follows_policies_to_rule_groups(void **state)
{
    (void)state;
    static const struct canned answers[] = {
        {"ListFirewalls", NULL, 200,
         "{\"Firewalls\":[{\"FirewallName\":\"sep-egress\",\"FirewallArn\":\"arn:aws:network-firewall:ap-"
         "northeast-"
         "2:111122223333:firewall/sep-egress\"},{\"FirewallName\":\"sep-egress-2\",\"FirewallArn\":\"arn:aws:"
         "network-firewall:ap-northeast-2:111122223333:firewall/sep-egress-2\"}]}"},
        {"DescribeFirewall", "firewall/sep-egress-2", 200,
         "{\"UpdateToken\":\"t\",\"Firewall\":{\"FirewallName\":\"sep-egress-2\",\"FirewallArn\":\"arn:aws:"
         "network-firewall:ap-northeast-2:111122223333:firewall/"
         "sep-egress-2\",\"FirewallPolicyArn\":\"arn:aws:"
         "network-firewall:ap-northeast-2:111122223333:firewall-policy/sep\",\"VpcId\":\"vpc-2\","
         "\"SubnetMappings\":[]},\"FirewallStatus\":{\"Status\":\"PROVISIONING\","
         "\"ConfigurationSyncStateSummary\":\"PENDING\"}}"},
        {"DescribeFirewall", NULL, 200,
         "{\"UpdateToken\":\"t\",\"Firewall\":{\"FirewallName\":\"sep-egress\",\"FirewallArn\":\"arn:aws:"
         "network-"
         "firewall:ap-northeast-2:111122223333:firewall/sep-egress\",\"FirewallPolicyArn\":\"arn:aws:network-"
         "firewall:ap-northeast-2:111122223333:firewall-policy/"
         "sep\",\"VpcId\":\"vpc-1\",\"SubnetMappings\":[{"
         "\"SubnetId\":\"subnet-f1\"}],\"FirewallId\":\"x\"},\"FirewallStatus\":{\"Status\":\"READY\","
         "\"ConfigurationSyncStateSummary\":\"IN_SYNC\",\"SyncStates\":{\"ap-northeast-2a\":{\"Attachment\":{"
         "\"SubnetId\":\"subnet-f1\",\"EndpointId\":\"vpce-0f1\",\"Status\":\"READY\"}}}}}"},
        {"DescribeFirewallPolicy", NULL, 200,
         "{\"UpdateToken\":\"t\",\"FirewallPolicyResponse\":{\"FirewallPolicyName\":\"sep\","
         "\"FirewallPolicyArn\":"
         "\"arn:aws:network-firewall:ap-northeast-2:111122223333:firewall-policy/"
         "sep\",\"FirewallPolicyId\":\"p\","
         "\"LastModifiedTime\":1748764800},\"FirewallPolicy\":{\"StatelessDefaultActions\":[\"aws:forward_to_"
         "sfe\"],"
         "\"StatelessFragmentDefaultActions\":[\"aws:forward_to_sfe\"],\"StatefulRuleGroupReferences\":[{"
         "\"ResourceArn\":\"arn:aws:network-firewall:ap-northeast-2:111122223333:stateful-rulegroup/allow\","
         "\"Priority\":1},{\"ResourceArn\":\"arn:aws:network-firewall:ap-northeast-2:aws-managed:stateful-"
         "rulegroup/ThreatSignaturesMalwareStrictOrder\",\"Priority\":2}]}}"},
        {"DescribeRuleGroup", NULL, 200,
         "{\"UpdateToken\":\"t\",\"RuleGroupResponse\":{\"RuleGroupArn\":\"arn:aws:network-firewall:ap-"
         "northeast-2:"
         "111122223333:stateful-rulegroup/allow\",\"RuleGroupName\":\"allow\",\"RuleGroupId\":\"g\",\"Type\":"
         "\"STATEFUL\"},\"RuleGroup\":{\"RulesSource\":{\"RulesSourceList\":{\"Targets\":[\".windowsupdate."
         "com\"],"
         "\"TargetTypes\":[\"TLS_SNI\"],\"GeneratedRulesType\":\"ALLOWLIST\"}}}}"},
    };
    struct collect_sink sink;
    char *log = collect_with(answers, sizeof answers / sizeof *answers, collect_networkfirewall, &sink);
    /* both firewalls answer with the same policy: it and its own rule group are read once,
     * the AWS-managed group never */
    assert_int_equal(count(log, "DescribeFirewall "), 2);
    assert_int_equal(count(log, "DescribeFirewallPolicy "), 1);
    assert_int_equal(count(log, "DescribeRuleGroup "), 1);
    assert_null(strstr(log, "aws-managed:stateful-rulegroup/ThreatSignaturesMalwareStrictOrder\"}"));
    json_t *f = resource(&sink, "aws_networkfirewall_firewall", "sep-egress");
    assert_string_equal(
        json_string_value(json_object_get(
            json_object_get(
                json_object_get(json_object_get(json_object_get(f, "FirewallStatus"), "SyncStates"),
                                "ap-northeast-2a"),
                "Attachment"),
            "EndpointId")),
        "vpce-0f1");
    json_t *p = resource(&sink, "aws_networkfirewall_firewall_policy", "sep");
    assert_int_equal(
        json_array_size(json_object_get(json_object_get(p, "FirewallPolicy"), "StatefulRuleGroupReferences")),
        2);
    assert_string_equal(json_string_value(json_object_get(p, "LastModifiedTime")), "2025-06-01T08:00:00Z");
    json_t *g = resource(&sink, "aws_networkfirewall_rule_group", "allow");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_object_get(json_object_get(g, "RuleGroup"), "RulesSource"),
                                            "RulesSourceList"),
                            "GeneratedRulesType")),
                        "ALLOWLIST");
    assert_string_equal(json_string_value(json_object_get(
                            resource(&sink, "aws_networkfirewall_firewall", "sep-egress-2"), "VpcId")),
                        "vpc-2");
    assert_int_equal(json_array_size(sink.resources), 4);
    assert_int_equal(json_array_size(sink.errors), 0);
    free(log);
    sink_free(&sink);
}

/* ---- network.separated_egress and the organisation profile ---- */

static struct scan_result run_control(const char *profile_yaml, const char *resources)
{
    struct profile p;
    profile_init(&p);
    char err[ERRLEN] = "";
    if (profile_yaml &&
        profile_load_buf(&p, "ansim.yaml", profile_yaml, strlen(profile_yaml), err, sizeof err))
        fail_msg("profile: %s", err);
    struct inventory *inv = NULL;
    assert_int_equal(inv_open(&inv, err, sizeof err), 0);
    inv_set_profile(inv, &p);
    char *doc = snap_doc(resources, NULL);
    if (inv_load_snapshot_buf(inv, doc, strlen(doc), "t", err, sizeof err))
        fail_msg("%s", err);
    free(doc);
    struct catalogue cat;
    load_builtin(&cat);
    char *ids[] = {"network.separated_egress"};
    struct selection sel = {NULL, ids, 1};
    struct scan_result res;
    memset(&res, 0, sizeof res);
    assert_int_equal(eval_run(&cat, inv, &sel, &res, err, sizeof err), 0);
    cat_free(&cat);
    inv_close(inv);
    profile_free(&p);
    return res;
}

static const struct finding *finding_for(const struct scan_result *res, const char *id)
{
    for (size_t i = 0; i < res->nfindings; i++)
        if (strcmp(res->findings[i].resource_id, id) == 0)
            return &res->findings[i];
    return NULL;
}

static char *subnet_json(const char *id, const char *vpc)
{
    return xasprintf("{\"type\":\"aws_ec2_subnet\",\"region\":\"ap-northeast-2\",\"id\":\"%s\",\"arn\":null,"
                     "\"data\":{\"SubnetId\":\"%s\",\"VpcId\":\"%s\",\"CidrBlock\":\"10.30.1.0/24\","
                     "\"State\":\"available\",\"Tags\":[]}}",
                     id, id, vpc);
}

/* A route table for subnet whose default route goes to an internet gateway. */
static char *rtb_json(const char *id, const char *vpc, const char *subnet, const char *igw)
{
    return xasprintf(
        "{\"type\":\"aws_ec2_route_table\",\"region\":\"ap-northeast-2\",\"id\":\"%s\",\"arn\":null,"
        "\"data\":{\"RouteTableId\":\"%s\",\"VpcId\":\"%s\",\"Associations\":[{\"Main\":false,"
        "\"SubnetId\":\"%s\",\"RouteTableId\":\"%s\",\"AssociationState\":{\"State\":"
        "\"associated\"}}],\"Routes\":[{\"DestinationCidrBlock\":\"10.30.0.0/16\",\"GatewayId\":"
        "\"local\",\"State\":\"active\"},{\"DestinationCidrBlock\":\"0.0.0.0/0\",\"GatewayId\":"
        "\"%s\",\"State\":\"active\"}]}}",
        id, id, vpc, subnet, id, igw);
}

static void separated_vpcs_of_the_profile_are_checked(void **state)
{
    (void)state;
    /* subnet-u (users) goes to the internet gateway; subnet-n hosts the NAT gateway (its own
     * route to the internet gateway is the egress path, not a separated computer) */
    char *parts[] = {subnet_json("subnet-u", "vpc-0a1b2c3d"),
                     subnet_json("subnet-n", "vpc-0a1b2c3d"),
                     subnet_json("subnet-x", "vpc-0f9e8d7c"),
                     rtb_json("rtb-u", "vpc-0a1b2c3d", "subnet-u", "igw-1"),
                     rtb_json("rtb-n", "vpc-0a1b2c3d", "subnet-n", "igw-1"),
                     rtb_json("rtb-x", "vpc-0f9e8d7c", "subnet-x", "igw-2")};
    char *resources =
        xasprintf("[%s,%s,%s,%s,%s,%s,{\"type\":\"aws_ec2_nat_gateway\",\"region\":\"ap-northeast-2\","
                  "\"id\":\"nat-1\",\"arn\":null,\"data\":{\"NatGatewayId\":\"nat-1\",\"SubnetId\":"
                  "\"subnet-n\",\"VpcId\":\"vpc-0a1b2c3d\",\"State\":\"available\"}}]",
                  parts[0], parts[1], parts[2], parts[3], parts[4], parts[5]);
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++)
        free(parts[i]);
    struct scan_result res = run_control("separated_network:\n  vpcs: [vpc-0a1b2c3d]\n", resources);
    const struct finding *u = finding_for(&res, "subnet-u");
    assert_non_null(u);
    assert_int_equal(u->status, ST_FAIL);
    assert_non_null(strstr(u->reason, "vpc-0a1b2c3d"));
    assert_non_null(strstr(u->reason, "igw-1"));
    assert_null(finding_for(&res, "subnet-n")); /* the NAT gateway's own subnet */
    assert_null(finding_for(&res, "subnet-x")); /* not in the separated network */
    scan_result_free(&res);

    /* without the profile nothing marks these subnets: one not_applicable row that says
     * separation applies (unknown daily users: the stricter reading) and why */
    res = run_control(NULL, resources);
    assert_int_equal(res.nfindings, 1);
    assert_int_equal(res.findings[0].status, ST_NA);
    assert_non_null(strstr(res.findings[0].reason, "list its VPCs in the profile"));
    assert_non_null(strstr(res.findings[0].reason, "daily users"));
    scan_result_free(&res);

    /* a profile saying separation does not apply: no advice to list VPCs */
    res = run_control("daily_users: 1200\n", resources);
    assert_int_equal(res.nfindings, 1);
    assert_int_equal(res.findings[0].status, ST_NA);
    assert_null(strstr(res.findings[0].reason, "list its VPCs"));
    scan_result_free(&res);
    free(resources);
}

int run_sepnet_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(workspaces_merge_connection_status_and_usage),
        cmocka_unit_test(workspaces_failed_calls_leave_members_out),
        cmocka_unit_test(appstream_stacks_without_user_settings_allow_everything),
        cmocka_unit_test(appstream_failure_is_recorded),
        cmocka_unit_test(network_firewall_follows_policies_to_rule_groups),
        cmocka_unit_test(separated_vpcs_of_the_profile_are_checked),
    };
    return cmocka_run_group_tests_name("separated-network collectors (canned answers) and controls", tests,
                                       NULL, NULL);
}
