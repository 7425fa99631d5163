/*
 * test_collect_compute.c — the answers behind the compute collectors (rds.c, ssm.c,
 * secretsmanager.c), written by hand from botocore's output shapes, turned into the
 * snapshot data the controls read. moto has no DescribeInstanceInformation, so this is
 * where its parsing is proven: epoch timestamps become RFC 3339, the node list reaches
 * ssm.managed_instances and decides pass or fail. Also: GetDocument's Content decoded (and
 * left as text when it is not JSON, a missing document stored as null), ListSecrets'
 * rotation fields, DescribeDBClusters' and DescribeOptionGroups' XML lists.
 */
#include "support.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/aws/aws.h"
#include "../../src/collect/collect.h"
#include "../../src/util/util.h"

/* The status ansim gives control for resource in a snapshot made of resources (JSON text). */
static const char *status_of(const char *control, const char *resources, const char *resource)
{
    char *doc = snap_doc(resources, NULL);
    struct inventory *inv = load_inv(doc);
    free(doc);
    struct catalogue cat;
    load_builtin(&cat);
    char *ids[] = {(char *)control};
    struct selection sel = {NULL, ids, 1};
    struct scan_result res;
    memset(&res, 0, sizeof res);
    char err[ERRLEN] = "";
    assert_int_equal(eval_run(&cat, inv, &sel, &res, err, sizeof err), 0);
    const char *st = "none";
    for (size_t i = 0; i < res.nfindings; i++)
        if (strcmp(res.findings[i].resource_id, resource) == 0)
            st = status_name(res.findings[i].status);
    scan_result_free(&res);
    cat_free(&cat);
    inv_close(inv);
    return st;
}

static const char *const instance_information =
    "{\"InstanceInformationList\":["
    "{\"InstanceId\":\"i-0a1b2c3d4e5f60001\",\"PingStatus\":\"Online\",\"LastPingDateTime\":1793404800.5,"
    "\"AgentVersion\":\"3.3.987.0\",\"IsLatestVersion\":false,\"PlatformType\":\"Linux\","
    "\"PlatformName\":\"Amazon Linux\",\"PlatformVersion\":\"2023\",\"ResourceType\":\"EC2Instance\","
    "\"IPAddress\":\"10.0.1.10\",\"ComputerName\":\"ip-10-0-1-10\",\"AssociationStatus\":\"Success\","
    "\"LastAssociationExecutionDate\":1793480000,\"SourceId\":\"i-0a1b2c3d4e5f60001\",\"SourceType\":\"AWS::"
    "EC2::Instance\"},"
    "{\"InstanceId\":\"i-0a1b2c3d4e5f60002\",\"PingStatus\":\"ConnectionLost\",\"LastPingDateTime\":"
    "1790000000,"
    "\"ResourceType\":\"EC2Instance\"}],\"NextToken\":null}";

static const char *instance(const char *id)
{
    static char buf[512];
    snprintf(
        buf, sizeof buf,
        "{\"type\":\"aws_ec2_instance\",\"region\":\"ap-northeast-2\",\"id\":\"%s\",\"arn\":null,"
        "\"data\":{\"InstanceId\":\"%s\",\"State\":{\"Code\":16,\"Name\":\"running\"},\"SecurityGroups\":[],"
        "\"Tags\":[]}}",
        id, id);
    return buf;
}

static void instance_information_reaches_the_control(void **state)
{
    (void)state;
    json_t *v = from_json("ssm", "DescribeInstanceInformation", instance_information);
    json_t *list = json_object_get(v, "InstanceInformationList");
    assert_int_equal(json_array_size(list), 2);
    assert_string_equal(str_at(list, "0.PingStatus"), "Online");
    const char *ping = str_at(list, "0.LastPingDateTime"); /* epoch seconds → RFC 3339 */
    assert_non_null(ping);
    assert_true(strncmp(ping, "2026-10-31T", 11) == 0);
    /* as the collector stores it: one resource per region holding the whole list */
    json_t *res =
        json_pack("{s:s, s:s, s:s, s:n, s:{s:O}}", "type", "aws_ssm_instance_information", "region",
                  "ap-northeast-2", "id", "ap-northeast-2", "arn", "data", "InstanceInformationList", list);
    char *ssm = json_dumps(res, JSON_COMPACT);
    char *a = xstrdup(instance("i-0a1b2c3d4e5f60001")), *b = xstrdup(instance("i-0a1b2c3d4e5f60002")),
         *c = xstrdup(instance("i-0a1b2c3d4e5f60003"));
    char *all = xasprintf("[%s,%s,%s,%s]", ssm, a, b, c);
    assert_string_equal(status_of("ssm.managed_instances", all, "i-0a1b2c3d4e5f60001"), "pass");
    assert_string_equal(status_of("ssm.managed_instances", all, "i-0a1b2c3d4e5f60002"), "fail"); /* lost */
    assert_string_equal(status_of("ssm.managed_instances", all, "i-0a1b2c3d4e5f60003"), "fail"); /* absent */
    char *none = xasprintf("[%s]", a); /* the list was not read: unknown, never a failure or a pass */
    assert_string_equal(status_of("ssm.managed_instances", none, "i-0a1b2c3d4e5f60001"), "error");
    free(none);
    free(all);
    free(a);
    free(b);
    free(c);
    free(ssm);
    json_decref(res);
    json_decref(v);
}

static void session_preferences_document_is_decoded(void **state)
{
    (void)state;
    const char *body =
        "{\"Name\":\"SSM-SessionManagerRunShell\",\"CreatedDate\":1743472800,\"DocumentVersion\":\"3\","
        "\"Status\":\"Active\",\"DocumentType\":\"Session\",\"DocumentFormat\":\"JSON\",\"Content\":"
        "\"{\\\"schemaVersion\\\":\\\"1.0\\\",\\\"sessionType\\\":\\\"Standard_Stream\\\",\\\"inputs\\\":"
        "{\\\"s3BucketName\\\":\\\"\\\",\\\"cloudWatchLogGroupName\\\":\\\"/ssm/sessions\\\","
        "\\\"cloudWatchEncryptionEnabled\\\":true,\\\"kmsKeyId\\\":\\\"alias/ssm\\\"}}\"}";
    json_t *v = from_json("ssm", "GetDocument", body);
    json_t *data = collect_ssm_preferences_data(v);
    assert_string_equal(str_at(data, "Content.inputs.cloudWatchLogGroupName"), "/ssm/sessions");
    assert_true(json_is_true(json_object_get(json_object_get(json_object_get(data, "Content"), "inputs"),
                                             "cloudWatchEncryptionEnabled")));
    assert_string_equal(str_at(data, "CreatedDate"), "2025-04-01T02:00:00Z");
    json_decref(data);
    json_decref(v);
    /* YAML (or anything not JSON) is kept as text: the control says it could not be read */
    v = from_json("ssm", "GetDocument",
                  "{\"Name\":\"SSM-SessionManagerRunShell\",\"DocumentFormat\":\"YAML\",\"Content\":\"inputs:"
                  "\\n  a: b\\n\"}");
    data = collect_ssm_preferences_data(v);
    assert_true(json_is_string(json_object_get(data, "Content")));
    json_decref(data);
    json_decref(v);
    /* InvalidDocument: no preferences, stored as null */
    data = collect_ssm_preferences_data(NULL);
    assert_true(json_is_null(json_object_get(data, "Content")));
    assert_string_equal(str_at(data, "Name"), "SSM-SessionManagerRunShell");
    json_decref(data);
}

static void list_secrets_keeps_rotation_and_no_value(void **state)
{
    (void)state;
    const char *body =
        "{\"SecretList\":[{\"ARN\":\"arn:aws:secretsmanager:ap-northeast-2:111122223333:secret:prod/"
        "db-AbC123\","
        "\"Name\":\"prod/db\",\"KmsKeyId\":\"alias/aws/secretsmanager\",\"RotationEnabled\":true,"
        "\"RotationLambdaARN\":\"arn:aws:lambda:ap-northeast-2:111122223333:function:rotate\","
        "\"RotationRules\":{\"AutomaticallyAfterDays\":30},\"LastRotatedDate\":1790000000.123,"
        "\"LastChangedDate\":1790000000,\"NextRotationDate\":1792592000,\"CreatedDate\":1740000000,"
        "\"SecretVersionsToStages\":{\"v1\":[\"AWSCURRENT\"]},\"Tags\":[{\"Key\":\"ansim:pii\",\"Value\":"
        "\"true\"}]},"
        "{\"ARN\":\"arn:aws:secretsmanager:ap-northeast-2:111122223333:secret:legacy-XyZ987\",\"Name\":"
        "\"legacy\","
        "\"CreatedDate\":1700000000}],\"NextToken\":\"t2\"}";
    json_t *v = from_json("secretsmanager", "ListSecrets", body);
    json_t *list = json_object_get(v, "SecretList");
    assert_int_equal(json_array_size(list), 2);
    assert_true(json_is_true(json_object_get(json_array_get(list, 0), "RotationEnabled")));
    assert_true(strncmp(str_at(list, "0.LastRotatedDate"), "2026-09-21T", 11) == 0);
    assert_null(json_object_get(json_array_get(list, 1), "RotationEnabled")); /* never configured */
    assert_string_equal(str_at(v, "NextToken"), "t2");
    char *text = json_dumps(v, 0);
    assert_null(strstr(text, "SecretString"));
    free(text);
    json_decref(v);
}

static void rds_clusters_and_option_groups_from_xml(void **state)
{
    (void)state;
    const char *clusters =
        "<DescribeDBClustersResponse "
        "xmlns=\"http://rds.amazonaws.com/doc/2014-10-31/\"><DescribeDBClustersResult>"
        "<DBClusters><DBCluster><DBClusterIdentifier>orders</DBClusterIdentifier>"
        "<DBClusterArn>arn:aws:rds:ap-northeast-2:111122223333:cluster:orders</DBClusterArn>"
        "<Engine>aurora-mysql</Engine><BackupRetentionPeriod>7</BackupRetentionPeriod>"
        "<DeletionProtection>true</DeletionProtection><StorageEncrypted>true</StorageEncrypted>"
        "<EnabledCloudwatchLogsExports><member>audit</member><member>slowquery</member></"
        "EnabledCloudwatchLogsExports>"
        "<MasterUserSecret><SecretArn>arn:aws:secretsmanager:ap-northeast-2:111122223333:secret:rds!cluster-"
        "x</SecretArn>"
        "<SecretStatus>active</SecretStatus></MasterUserSecret>"
        "<DBClusterMembers><DBClusterMember><DBInstanceIdentifier>orders-1</DBInstanceIdentifier>"
        "<IsClusterWriter>true</IsClusterWriter></DBClusterMember></DBClusterMembers>"
        "<TagList><Tag><Key>env</Key><Value>prod</Value></Tag></TagList>"
        "</DBCluster></DBClusters></DescribeDBClustersResult>"
        "<ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></DescribeDBClustersResponse>";
    json_t *v = from_xml("rds", "DescribeDBClusters", clusters);
    json_t *c = json_array_get(json_object_get(v, "DBClusters"), 0);
    assert_string_equal(str_at(c, "EnabledCloudwatchLogsExports.0"), "audit");
    assert_int_equal(json_array_size(json_object_get(c, "EnabledCloudwatchLogsExports")), 2);
    assert_int_equal(json_integer_value(json_object_get(c, "BackupRetentionPeriod")), 7);
    assert_true(json_is_true(json_object_get(c, "DeletionProtection")));
    assert_string_equal(str_at(c, "MasterUserSecret.SecretStatus"), "active");
    assert_string_equal(str_at(c, "DBClusterMembers.0.DBInstanceIdentifier"), "orders-1");
    assert_string_equal(str_at(c, "TagList.0.Key"), "env");
    json_decref(v);

    const char *groups =
        "<DescribeOptionGroupsResponse "
        "xmlns=\"http://rds.amazonaws.com/doc/2014-10-31/\"><DescribeOptionGroupsResult>"
        "<OptionGroupsList><OptionGroup><OptionGroupName>sqlserver-audit</OptionGroupName>"
        "<EngineName>sqlserver-se</EngineName><MajorEngineVersion>15.00</MajorEngineVersion>"
        "<Options><Option><OptionName>SQLSERVER_AUDIT</OptionName><Persistent>false</Persistent>"
        "<OptionSettings><OptionSetting><Name>S3_BUCKET_ARN</Name><Value>arn:aws:s3:::audit</Value></"
        "OptionSetting>"
        "</OptionSettings></Option></Options></OptionGroup></OptionGroupsList>"
        "</DescribeOptionGroupsResult></DescribeOptionGroupsResponse>";
    v = from_xml("rds", "DescribeOptionGroups", groups);
    json_t *g = json_array_get(json_object_get(v, "OptionGroupsList"), 0);
    assert_string_equal(str_at(g, "Options.0.OptionName"), "SQLSERVER_AUDIT");
    assert_string_equal(str_at(g, "Options.0.OptionSettings.0.Value"), "arn:aws:s3:::audit");
    assert_true(
        json_is_false(json_object_get(json_array_get(json_object_get(g, "Options"), 0), "Persistent")));
    json_decref(v);
}

int run_collect_compute_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(instance_information_reaches_the_control),
        cmocka_unit_test(session_preferences_document_is_decoded),
        cmocka_unit_test(list_secrets_keeps_rotation_and_no_value),
        cmocka_unit_test(rds_clusters_and_option_groups_from_xml),
    };
    return cmocka_run_group_tests_name("compute collectors: answers to snapshot data", tests, NULL, NULL);
}
