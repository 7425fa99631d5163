"""tests/coverage/seed_logs.py — the "logs" controls' planted resources for tests/coverage.sh:
two trails (one multi-region into CloudWatch Logs, one single-region with S3 data events),
their buckets' lifecycles, CloudWatch Logs groups holding access logs, metric filters,
alarms and an SNS topic, each good or bad on purpose.

seed(url, regions) plants them in the moto server at url and returns the expectations
(control_id, resource_id, status) a live `ansim scan` must produce. The scan runs without an
organisation profile, so the stricter periods apply: 730 days for access records and 1,825
for permission records.

What moto 5.2.1 lacks: nothing these controls need. SNS subscriptions are confirmed at once
in moto (an e-mail subscription never stays PendingConfirmation), so the "no confirmed
subscriber" failure is covered by the fixtures only; so is the Session Manager log group
(read from the SSM preferences document, which another group collects).
"""
import json

import boto3
from botocore.config import Config


def _clients(url, region, *names):
    kw = dict(endpoint_url=url, region_name=region, aws_access_key_id="testing",
              aws_secret_access_key="testing", config=Config(retries={"max_attempts": 1}))
    return [boto3.client(n, **kw) for n in names]


ROOT_PATTERN = ('{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS '
                '&& $.eventType != "AwsServiceEvent" }')
MFA_PATTERN = '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }'
# the CIS IAM pattern without DetachGroupPolicy: not recognised
IAM_PATTERN = "{ " + " || ".join(f"($.eventName = {e})" for e in (
    "DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy", "PutRolePolicy",
    "PutUserPolicy", "CreatePolicy", "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion",
    "AttachRolePolicy", "DetachRolePolicy", "AttachUserPolicy", "DetachUserPolicy", "AttachGroupPolicy")) + " }"


def _bucket(s3, name, region, lifecycle_days=None, tags=None):
    if region == "us-east-1":
        s3.create_bucket(Bucket=name)
    else:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
    if lifecycle_days:
        s3.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration={"Rules": [
            {"ID": "expire-logs", "Status": "Enabled", "Filter": {"Prefix": "AWSLogs/"},
             "Expiration": {"Days": lifecycle_days}}]})
    if tags:
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in tags.items()]})


def seed(url, regions):
    home = regions[0]
    other = regions[1] if len(regions) > 1 else regions[0]
    s3, ct, logs, cw, sns, iam, ec2 = _clients(url, home, "s3", "cloudtrail", "logs", "cloudwatch", "sns", "iam", "ec2")
    (logs2, ec2b) = _clients(url, other, "logs", "ec2")
    account = boto3.client("sts", endpoint_url=url, region_name=home, aws_access_key_id="testing",
                           aws_secret_access_key="testing").get_caller_identity()["Account"]

    # -- trail 1: multi-region, into CloudWatch Logs, bucket without expiration
    _bucket(s3, "ansim-logs-trail-keep", home)
    logs.create_log_group(logGroupName="ansim-logs-cloudtrail")  # never expires
    group_arn = f"arn:aws:logs:{home}:{account}:log-group:ansim-logs-cloudtrail:*"
    role = iam.create_role(RoleName="ansim-logs-cloudtrail-to-cwl", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
                                                "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    ct.create_trail(Name="ansim-logs-main", S3BucketName="ansim-logs-trail-keep", IsMultiRegionTrail=True,
                    IncludeGlobalServiceEvents=True, CloudWatchLogsLogGroupArn=group_arn, CloudWatchLogsRoleArn=role)
    ct.start_logging(Name="ansim-logs-main")

    # -- the alarm chain on trail 1's group
    topic = sns.create_topic(Name="ansim-logs-security-alerts")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="security@example.com")

    def chain(name, pattern, actions):
        logs.put_metric_filter(logGroupName="ansim-logs-cloudtrail", filterName=name, filterPattern=pattern,
                               metricTransformations=[{"metricName": name, "metricNamespace": "AnsimLogs",
                                                       "metricValue": "1"}])
        cw.put_metric_alarm(AlarmName=name, MetricName=name, Namespace="AnsimLogs", Statistic="Sum", Period=300,
                            EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold",
                            AlarmActions=actions)

    chain("RootAccountUsage", ROOT_PATTERN, [topic])  # complete: pass
    chain("ConsoleSigninWithoutMFA", MFA_PATTERN, [])  # an alarm that tells nobody
    chain("IAMPolicyChanges", IAM_PATTERN, [topic])  # the filter misses DetachGroupPolicy
    # CloudTrail configuration changes: nothing at all

    # -- trail 2: single-region, S3 data events for one personal-data bucket, logs expire early
    _bucket(s3, "ansim-logs-trail-short", home, lifecycle_days=90)
    _bucket(s3, "ansim-logs-pii-covered", home, tags={"ansim:pii": "true"})
    _bucket(s3, "ansim-logs-pii-uncovered", home, tags={"ansim:pii": "true"})
    ct.create_trail(Name="ansim-logs-data", S3BucketName="ansim-logs-trail-short")
    ct.put_event_selectors(TrailName="ansim-logs-data", EventSelectors=[{
        "ReadWriteType": "All", "IncludeManagementEvents": False,
        "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::ansim-logs-pii-covered/"]}]}])
    ct.start_logging(Name="ansim-logs-data")

    # -- log groups that hold access logs
    logs.create_log_group(logGroupName="/aws/rds/instance/ansim-logs-db/audit")
    logs.put_retention_policy(logGroupName="/aws/rds/instance/ansim-logs-db/audit", retentionInDays=30)
    logs.create_log_group(logGroupName="ansim-logs-app-access", tags={"ansim:access-log": "true"})
    logs.put_retention_policy(logGroupName="ansim-logs-app-access", retentionInDays=731)
    logs.create_log_group(logGroupName="/aws/lambda/ansim-logs-not-access")  # not an access log: no finding
    logs.put_retention_policy(logGroupName="/aws/lambda/ansim-logs-not-access", retentionInDays=7)
    logs2.create_log_group(logGroupName="ansim-logs-flow")
    logs2.put_retention_policy(logGroupName="ansim-logs-flow", retentionInDays=90)
    vpc = ec2b.create_vpc(CidrBlock="10.251.0.0/16")["Vpc"]["VpcId"]
    ec2b.create_flow_logs(ResourceIds=[vpc], ResourceType="VPC", TrafficType="ALL", LogGroupName="ansim-logs-flow",
                          DeliverLogsPermissionArn=f"arn:aws:iam::{account}:role/flow-logs")

    return [
        ("cloudwatch.security_alarms", "root-use", "pass"),
        ("cloudwatch.security_alarms", "console-login-without-mfa", "fail"),
        ("cloudwatch.security_alarms", "iam-policy-changes", "fail"),
        ("cloudwatch.security_alarms", "cloudtrail-changes", "fail"),
        ("logs.retention", "ansim-logs-cloudtrail", "pass"),
        ("logs.retention", "ansim-logs-app-access", "pass"),
        ("logs.retention", "/aws/rds/instance/ansim-logs-db/audit", "fail"),
        ("logs.retention", "ansim-logs-flow", "fail"),
        ("cloudtrail.retention", "ansim-logs-main", "pass"),
        ("cloudtrail.retention", "ansim-logs-data", "fail"),
        ("cloudtrail.s3_data_events", "ansim-logs-pii-covered", "pass"),
        ("cloudtrail.s3_data_events", "ansim-logs-pii-uncovered", "fail"),
    ]
