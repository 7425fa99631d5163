#!/usr/bin/env python3
"""tests/moto_seed.py URL EXPECT_DIR — seeds a strict-mode moto server for the tests.

Spends exactly the server's free unauthenticated calls (INITIAL_NO_AUTH_ACTION_COUNT=3 in
tests/moto.sh) on a seeding administrator (CreateUser, PutUserPolicy, CreateAccessKey), which
then creates: a read-only audit user (IAM, EC2, S3, CloudTrail and KMS reads and STS
GetCallerIdentity, but not RDS), a user in a group whose inline policy allows everything, a
security group open to the internet on 22 and 443, a public bucket in ap-northeast-2 and a
well-configured one in us-east-1, a multi-region trail, and two KMS keys (rotation off / on)
in ap-northeast-2. Then, as the audit user,
records what boto3 parses from a few read operations into EXPECT_DIR/<service>.<Op>.json
(timestamps as {"$ts": epoch seconds}) so the C tests can compare ansim's own parsing.
Prints the audit key as shell variable assignments for tests/moto.sh.
"""
import datetime
import json
import os
import sys

import boto3
from botocore.config import Config

url, expect = sys.argv[1], sys.argv[2]
cfg = Config(retries={"max_attempts": 1})
seed = dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id="seed",
            aws_secret_access_key="seed", config=cfg)
iam = boto3.client("iam", **seed)
iam.create_user(UserName="seed-admin")
iam.put_user_policy(UserName="seed-admin", PolicyName="everything", PolicyDocument=json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
admin_key = iam.create_access_key(UserName="seed-admin")["AccessKey"]
seed.update(aws_access_key_id=admin_key["AccessKeyId"], aws_secret_access_key=admin_key["SecretAccessKey"])
iam, ec2 = boto3.client("iam", **seed), boto3.client("ec2", **seed)
# an AWS-managed policy in use: the collector must read its document (GetPolicyVersion)
iam.attach_user_policy(UserName="seed-admin", PolicyArn="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
iam.create_user(UserName="ansim-audit")
iam.put_user_policy(UserName="ansim-audit", PolicyName="read-only", PolicyDocument=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["iam:List*", "iam:Get*", "iam:GenerateCredentialReport",
                                                 "ec2:Describe*", "ec2:Get*", "sts:GetCallerIdentity",
                                                 "s3:Get*", "s3:List*", "cloudtrail:Describe*", "cloudtrail:Get*",
                                                 "kms:Describe*", "kms:Get*", "kms:List*",
                                                 "organizations:Describe*", "organizations:List*"], "Resource": "*"},
                  {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::123456789012:role/audit-role"}]}))
key = iam.create_access_key(UserName="ansim-audit")["AccessKey"]
# a role the audit user may assume (with an external id), allowed the same reads
iam.create_role(RoleName="audit-role", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:user/ansim-audit"}, "Action": "sts:AssumeRole",
     "Condition": {"StringEquals": {"sts:ExternalId": "ansim-test"}}}]}))
iam.put_role_policy(RoleName="audit-role", PolicyName="read-only", PolicyDocument=json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["iam:List*", "iam:Get*", "iam:GenerateCredentialReport",
                                                                          "ec2:Describe*", "ec2:Get*", "sts:GetCallerIdentity",
                                                                          "s3:Get*", "s3:List*", "cloudtrail:Describe*",
                                                                          "cloudtrail:Get*", "kms:Describe*", "kms:Get*",
                                                                          "kms:List*"], "Resource": "*"}]}))
iam.create_user(UserName="dev1")
iam.create_group(GroupName="admins")
iam.add_user_to_group(GroupName="admins", UserName="dev1")
iam.put_group_policy(GroupName="admins", PolicyName="everything", PolicyDocument=json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
sg = ec2.create_security_group(GroupName="web", Description="web tier")["GroupId"]
ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
    {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
    {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}])

# S3: a public bucket in Seoul; a locked-down log bucket in us-east-1
s3 = boto3.client("s3", **dict(seed, region_name="ap-northeast-2"))
s3.create_bucket(Bucket="public-images", CreateBucketConfiguration={"LocationConstraint": "ap-northeast-2"})
s3.put_bucket_acl(Bucket="public-images", ACL="public-read")
s3.put_bucket_tagging(Bucket="public-images", Tagging={"TagSet": [{"Key": "ansim:pii", "Value": "true"}]})
kms_east = boto3.client("kms", **seed)
log_key = kms_east.create_key(Description="trail logs")["KeyMetadata"]["Arn"]
kms_east.enable_key_rotation(KeyId=log_key)
s3 = boto3.client("s3", **seed)
s3.create_bucket(Bucket="secure-logs", ObjectLockEnabledForBucket=True)
s3.put_object_lock_configuration(Bucket="secure-logs", ObjectLockConfiguration={
    "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Years": 1}}})
s3.put_public_access_block(Bucket="secure-logs", PublicAccessBlockConfiguration={
    "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
s3.put_bucket_encryption(Bucket="secure-logs", ServerSideEncryptionConfiguration={"Rules": [
    {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": log_key}, "BucketKeyEnabled": True}]})
s3.put_bucket_policy(Bucket="secure-logs", Policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Sid": "TLSOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
     "Resource": ["arn:aws:s3:::secure-logs", "arn:aws:s3:::secure-logs/*"],
     "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}))
ct = boto3.client("cloudtrail", **seed)
ct.create_trail(Name="main-trail", S3BucketName="secure-logs", IsMultiRegionTrail=True,
                EnableLogFileValidation=True, KmsKeyId=log_key)
ct.start_logging(Name="main-trail")
kms = boto3.client("kms", **dict(seed, region_name="ap-northeast-2"))
kms.create_key(Description="no rotation")
kms.enable_key_rotation(KeyId=kms.create_key(Description="rotated")["KeyMetadata"]["KeyId"])

audit = dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id=key["AccessKeyId"],
             aws_secret_access_key=key["SecretAccessKey"], config=cfg)


def plain(v):
    if isinstance(v, datetime.datetime):
        return {"$ts": int(v.timestamp())}
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items() if k != "ResponseMetadata"}
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v


os.makedirs(expect, exist_ok=True)
for service, op, kwargs in [("iam", "GetAccountSummary", {}), ("iam", "GetAccountAuthorizationDetails", {}),
                            ("iam", "ListUsers", {}), ("sts", "GetCallerIdentity", {}),
                            ("ec2", "DescribeSecurityGroups", {}), ("ec2", "DescribeRegions", {})]:
    client = boto3.client(service, **audit)
    method = "".join("_" + c.lower() if c.isupper() else c for c in op).lstrip("_")
    with open(os.path.join(expect, f"{service}.{op}.json"), "w") as f:
        json.dump(plain(getattr(client, method)(**kwargs)), f, indent=1, sort_keys=True)

print(f"ANSIM_MOTO_AKID={key['AccessKeyId']}")
print(f"ANSIM_MOTO_SECRET={key['SecretAccessKey']}")
print("ANSIM_MOTO_ACCOUNT=123456789012")  # moto's default account
print(f"ANSIM_MOTO_EXPECT={expect}")
