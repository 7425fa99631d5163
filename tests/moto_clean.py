#!/usr/bin/env python3
"""tests/moto_clean.py URL — a well-configured account in a moto server (ap-northeast-2), the
hardened start-up of examples/startup-v1.0.json as far as moto can model it: a strong
password policy; a console user with MFA whose permissions come from a group with a narrow
customer policy; account-level and bucket-level Block Public Access; buckets encrypted with a
rotated KMS key and reachable over TLS only; a multi-region, validated, KMS-encrypted trail
delivering to an Object Lock bucket and to CloudWatch Logs, recording reads of the
personal-data bucket, with alarms on root use, console sign-in without MFA, IAM policy and
CloudTrail changes sent to a subscribed SNS topic; EBS encryption by default; flow logs on every VPC; the
default security group without rules; HTTPS-only web access; IMDSv2 required and an instance
profile on the instance; a private, encrypted database with its audit log exported, backups,
deletion protection and a managed, rotated master password; Session Manager logging sessions
encrypted; a security contact and a budget; GuardDuty, AWS Config, Security Hub, Macie and
Inspector on; an organization whose root SCP protects the trail. A live scan of it must not
fail any control.
"""
import io
import json
import sys
import zipfile

import urllib.request

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

url = sys.argv[1]
REGION = "ap-northeast-2"
kw = dict(endpoint_url=url, region_name=REGION, aws_access_key_id="seed", aws_secret_access_key="seed",
          config=Config(retries={"max_attempts": 1}))
iam, s3, ec2, rds, kms, ct, logs = (boto3.client(s, **kw) for s in
                                    ("iam", "s3", "ec2", "rds", "kms", "cloudtrail", "logs"))

ACCOUNT = boto3.client("sts", **kw).get_caller_identity()["Account"]

iam.update_account_password_policy(MinimumPasswordLength=14, RequireSymbols=True, RequireNumbers=True,
                                   RequireUppercaseCharacters=True, RequireLowercaseCharacters=True,
                                   MaxPasswordAge=90, PasswordReusePrevention=24, AllowUsersToChangePassword=True)
dev = iam.create_policy(PolicyName="StartupDeveloper", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::startup-user-data/*"}]}))
iam.create_group(GroupName="developers")
iam.attach_group_policy(GroupName="developers", PolicyArn=dev["Policy"]["Arn"])
iam.create_user(UserName="dev1")
iam.add_user_to_group(GroupName="developers", UserName="dev1")
iam.create_login_profile(UserName="dev1", Password="Long-Example-Passw0rd!")
mfa = iam.create_virtual_mfa_device(VirtualMFADeviceName="dev1")["VirtualMFADevice"]["SerialNumber"]
iam.enable_mfa_device(UserName="dev1", SerialNumber=mfa, AuthenticationCode1="123456", AuthenticationCode2="654321")

key = kms.create_key(Description="data")["KeyMetadata"]["Arn"]
kms.enable_key_rotation(KeyId=key)
# S3 Control, path style: boto3 would put ACCOUNT. in front of the loopback host name
pab = ('<PublicAccessBlockConfiguration xmlns="http://awss3control.amazonaws.com/doc/2018-08-20/">'
       + "".join(f"<{k}>true</{k}>" for k in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy",
                                              "RestrictPublicBuckets")) + "</PublicAccessBlockConfiguration>")
req = AWSRequest(method="PUT", url=f"{url}/v20180820/configuration/publicAccessBlock", data=pab,
                 headers={"x-amz-account-id": ACCOUNT, "Content-Type": "application/xml"})
SigV4Auth(Credentials("seed", "seed"), "s3", REGION).add_auth(req)
urllib.request.urlopen(urllib.request.Request(req.url, data=pab.encode(), headers=dict(req.headers), method="PUT"))


def bucket(name, lock=False, tags=()):
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION},
                     **({"ObjectLockEnabledForBucket": True} if lock else {}))
    s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}, "BucketKeyEnabled": True}]})
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "TLSOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": [f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"],
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}}] + ([
        # personal data only from the separated network (안전성 확보조치 기준 제6조의2)
        {"Sid": "OnlyFromSeparatedNetwork", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": [f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"],
         "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-0a1b2c3d4e5f60001"},
                       "NotIpAddress": {"aws:SourceIp": "10.0.0.0/16"}}}] if ("ansim:pii", "true") in tags else [])}))
    if tags:
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in tags]})
    if lock:
        s3.put_object_lock_configuration(Bucket=name, ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Years": 1}}})


bucket("startup-user-data", tags=[("ansim:pii", "true")])
bucket(f"startup-cloudtrail-logs-{ACCOUNT}", lock=True)
TRAIL_GROUP = f"aws-cloudtrail-logs-{ACCOUNT}"
logs.create_log_group(logGroupName=TRAIL_GROUP)  # never expires
ct_role = iam.create_role(RoleName="CloudTrail_CloudWatchLogs_Role", AssumeRolePolicyDocument=json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
                                            "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
ct.create_trail(Name="org-audit-trail", S3BucketName=f"startup-cloudtrail-logs-{ACCOUNT}", IsMultiRegionTrail=True,
                IncludeGlobalServiceEvents=True, EnableLogFileValidation=True, KmsKeyId=key,
                CloudWatchLogsLogGroupArn=f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{TRAIL_GROUP}:*",
                CloudWatchLogsRoleArn=ct_role)
ct.put_event_selectors(TrailName="org-audit-trail", EventSelectors=[{
    "ReadWriteType": "All", "IncludeManagementEvents": True,
    "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::startup-user-data/"]}]}])
ct.start_logging(Name="org-audit-trail")
# alarms on the trail's log group, sent to a subscribed topic
sns, cw = (boto3.client(s, **kw) for s in ("sns", "cloudwatch"))
topic = sns.create_topic(Name="security-alerts")["TopicArn"]
sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="security@startup.example.co.kr")
IAM_EVENTS = ("DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy", "PutRolePolicy",
              "PutUserPolicy", "CreatePolicy", "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion",
              "AttachRolePolicy", "DetachRolePolicy", "AttachUserPolicy", "DetachUserPolicy", "AttachGroupPolicy",
              "DetachGroupPolicy")
TRAIL_EVENTS = ("CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging")
for metric, pattern in (
        ("RootAccountUsage", '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS '
                             '&& $.eventType != "AwsServiceEvent" }'),
        ("ConsoleSigninWithoutMFA", '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }'),
        ("IAMPolicyChanges", "{ " + " || ".join(f"($.eventName = {e})" for e in IAM_EVENTS) + " }"),
        ("CloudTrailConfigChanges", "{ " + " || ".join(f"($.eventName = {e})" for e in TRAIL_EVENTS) + " }")):
    logs.put_metric_filter(logGroupName=TRAIL_GROUP, filterName=metric, filterPattern=pattern, metricTransformations=[
        {"metricName": metric, "metricNamespace": "CloudTrailMetrics", "metricValue": "1"}])
    cw.put_metric_alarm(AlarmName=metric, MetricName=metric, Namespace="CloudTrailMetrics", Statistic="Sum",
                        Period=300, EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold",
                        TreatMissingData="notBreaching", AlarmActions=[topic])

ec2.enable_ebs_encryption_by_default()
logs.create_log_group(logGroupName="vpc-flow-logs")
role = iam.create_role(RoleName="flow-logs", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "vpc-flow-logs.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
vpcs = [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]]
ec2.create_flow_logs(ResourceIds=vpcs, ResourceType="VPC", TrafficType="ALL", LogGroupName="vpc-flow-logs",
                     DeliverLogsPermissionArn=role)
for g in ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["default"]}])["SecurityGroups"]:
    if g["IpPermissions"]:
        ec2.revoke_security_group_ingress(GroupId=g["GroupId"], IpPermissions=g["IpPermissions"])
    if g["IpPermissionsEgress"]:
        ec2.revoke_security_group_egress(GroupId=g["GroupId"], IpPermissions=g["IpPermissionsEgress"])
vpc = [v for v in ec2.describe_vpcs()["Vpcs"] if v["IsDefault"]][0]["VpcId"]
web = ec2.create_security_group(GroupName="web-sg", Description="https", VpcId=vpc)["GroupId"]
ec2.authorize_security_group_ingress(GroupId=web, IpPermissions=[
    {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
db = ec2.create_security_group(GroupName="db-sg", Description="mysql from web", VpcId=vpc)["GroupId"]
ec2.authorize_security_group_ingress(GroupId=db, IpPermissions=[
    {"IpProtocol": "tcp", "FromPort": 3306, "ToPort": 3306, "UserIdGroupPairs": [{"GroupId": web}]}])
iam.create_role(RoleName="web-was-ec2", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
iam.create_instance_profile(InstanceProfileName="web-was-ec2")
iam.add_role_to_instance_profile(InstanceProfileName="web-was-ec2", RoleName="web-was-ec2")
ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, InstanceType="t3.small", SecurityGroupIds=[web],
                  MetadataOptions={"HttpTokens": "required", "HttpEndpoint": "enabled"},
                  IamInstanceProfile={"Name": "web-was-ec2"})
rds.create_db_instance(DBInstanceIdentifier="startup-db", Engine="mysql", DBInstanceClass="db.t3.micro",
                       MasterUsername="admin", ManageMasterUserPassword=True, AllocatedStorage=20,
                       PubliclyAccessible=False, StorageEncrypted=True, KmsKeyId=key, BackupRetentionPeriod=7,
                       DeletionProtection=True, VpcSecurityGroupIds=[db], EnableCloudwatchLogsExports=["audit", "error"])
# threat detection on (moto's strict mode cannot verify GuardDuty signatures, so the REST-JSON
# tests read this permissive server)
boto3.client("guardduty", **kw).create_detector(Enable=True, FindingPublishingFrequency="SIX_HOURS")
# AWS Config recording every resource type, Security Hub on, Inspector scanning EC2, ECR and
# Lambda (Macie is on by default in moto, where the personal-data bucket is)
cfg = boto3.client("config", **kw)
cfg.put_configuration_recorder(ConfigurationRecorder={
    "name": "default", "roleARN": f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig",
    "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True}})
cfg.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": f"startup-cloudtrail-logs-{ACCOUNT}"})
cfg.start_configuration_recorder(ConfigurationRecorderName="default")
boto3.client("securityhub", **kw).enable_security_hub(EnableDefaultStandards=True)
boto3.client("inspector2", **kw).enable(accountIds=[ACCOUNT], resourceTypes=["EC2", "ECR", "LAMBDA"])

# a security contact and a cost budget (the Access Analyzer and anomaly monitors moto lacks)
boto3.client("account", **kw).put_alternate_contact(
    AlternateContactType="SECURITY", EmailAddress="security@startup.example.co.kr", Name="Startup security",
    PhoneNumber="+82-2-555-0100", Title="Security contact")
boto3.client("budgets", **dict(kw, region_name="us-east-1")).create_budget(AccountId=ACCOUNT, Budget={
    "BudgetName": "monthly-cost", "BudgetLimit": {"Amount": "300", "Unit": "USD"}, "TimeUnit": "MONTHLY",
    "BudgetType": "COST"})

# an organization whose root SCP keeps the trail from being stopped or deleted
org = boto3.client("organizations", **dict(kw, region_name="us-east-1"))
org.create_organization(FeatureSet="ALL")
root = org.list_roots()["Roots"][0]["Id"]
scp = org.create_policy(Name="protect-trail", Description="keep the audit trail", Type="SERVICE_CONTROL_POLICY",
                        Content=json.dumps({"Version": "2012-10-17", "Statement": [
                            {"Effect": "Deny", "Action": ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail"],
                             "Resource": "*"}]}))["Policy"]["PolicySummary"]["Id"]
org.attach_policy(PolicyId=scp, TargetId=root)

# Session Manager logs every session to an encrypted log group, and encrypts session data
boto3.client("ssm", **kw).create_document(
    Name="SSM-SessionManagerRunShell", DocumentType="Session", DocumentFormat="JSON",
    Content=json.dumps({"schemaVersion": "1.0", "description": "Session Manager preferences",
                        "sessionType": "Standard_Stream", "inputs": {
                            "s3BucketName": "", "s3EncryptionEnabled": True,
                            "cloudWatchLogGroupName": "/ssm/sessions", "cloudWatchEncryptionEnabled": True,
                            "cloudWatchStreamingEnabled": True, "kmsKeyId": key, "idleSessionTimeout": "15"}}))
# RDS rotates the secret of a managed master password itself (every 7 days by default) and
# reports RotationEnabled; moto does not, so turn rotation on the way it shows in AWS (moto's
# RotateSecret wants an existing function; RotateImmediately=False never invokes it)
sm, lam = boto3.client("secretsmanager", **kw), boto3.client("lambda", **kw)
rotation_role = iam.create_role(RoleName="secret-rotation", AssumeRolePolicyDocument=json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                            "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
code = io.BytesIO()
with zipfile.ZipFile(code, "w") as z:
    z.writestr("rotate.py", "def handler(event, context):\n    pass\n")
rotator = lam.create_function(FunctionName="rds-managed-rotation", Runtime="python3.12", Role=rotation_role,
                              Handler="rotate.handler", Code={"ZipFile": code.getvalue()})["FunctionArn"]
for secret in sm.list_secrets()["SecretList"]:
    if not secret.get("RotationEnabled"):
        sm.rotate_secret(SecretId=secret["ARN"], RotationLambdaARN=rotator,
                         RotationRules={"AutomaticallyAfterDays": 7}, RotateImmediately=False)

# moto creates a "Default key" as a customer key for the managed master password: rotate
# every customer key, as the owner of a clean account would
for k in kms.list_keys()["Keys"]:
    if not kms.get_key_rotation_status(KeyId=k["KeyId"])["KeyRotationEnabled"]:
        kms.enable_key_rotation(KeyId=k["KeyId"])
