#!/usr/bin/env python3
"""tests/moto_startup.py URL — recreates the example start-up account
(examples/startup-v0.1.json) in a moto server, in ap-northeast-2, with boto3.

The same misconfigurations as the example: an admin-everything customer policy on a console
user without MFA, a deploy user with an inline policy and an access key, no password policy,
no CloudTrail, a bucket tagged as personal data with a public policy and no Block Public
Access, no account-level Block Public Access, EBS default encryption off, a default VPC
without flow logs, SSH open to the world, MySQL open to the world, a public unencrypted RDS
instance, an instance without IMDSv2, a KMS key without rotation, none of the detection
services (GuardDuty, Config, Security Hub, Macie, Inspector). Only what moto cannot
model differs (timestamps, AWS-managed policies).
"""
import json
import sys

import boto3
from botocore.config import Config

url = sys.argv[1]
kw = dict(endpoint_url=url, region_name="ap-northeast-2", aws_access_key_id="seed", aws_secret_access_key="seed",
          config=Config(retries={"max_attempts": 1}))
iam, s3, ec2, rds, kms = (boto3.client(s, **kw) for s in ("iam", "s3", "ec2", "rds", "kms"))

admin = iam.create_policy(PolicyName="StartupAdmin", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))["Policy"]["Arn"]
iam.create_user(UserName="dev1")
iam.attach_user_policy(UserName="dev1", PolicyArn=admin)
iam.create_login_profile(UserName="dev1", Password="Example-Passw0rd!")
iam.create_access_key(UserName="dev1")
iam.create_user(UserName="deploy")
iam.put_user_policy(UserName="deploy", PolicyName="upload-images", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"],
                                             "Resource": "arn:aws:s3:::startup-user-images/*"}]}))
iam.create_access_key(UserName="deploy")

b = "startup-user-images"
s3.create_bucket(Bucket=b, CreateBucketConfiguration={"LocationConstraint": "ap-northeast-2"})
s3.put_bucket_policy(Bucket=b, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
     "Resource": f"arn:aws:s3:::{b}/*"}]}))
s3.put_bucket_encryption(Bucket=b, ServerSideEncryptionConfiguration={
    "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": False}]})
s3.put_bucket_tagging(Bucket=b, Tagging={"TagSet": [{"Key": "ansim:pii", "Value": "true"}, {"Key": "app", "Value": "web"}]})

vpc = [v for v in ec2.describe_vpcs()["Vpcs"] if v["IsDefault"]][0]["VpcId"]
web = ec2.create_security_group(GroupName="web-sg", Description="web and was", VpcId=vpc)["GroupId"]
ec2.authorize_security_group_ingress(GroupId=web, IpPermissions=[
    {"IpProtocol": "tcp", "FromPort": p, "ToPort": p, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]} for p in (22, 80, 443)])
db = ec2.create_security_group(GroupName="db-sg", Description="mysql", VpcId=vpc)["GroupId"]
ec2.authorize_security_group_ingress(GroupId=db, IpPermissions=[
    {"IpProtocol": "tcp", "FromPort": 3306, "ToPort": 3306, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, InstanceType="t3.small", SecurityGroupIds=[web],
                  MetadataOptions={"HttpTokens": "optional", "HttpEndpoint": "enabled"},
                  TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "web-was-1"}]}])
rds.create_db_instance(DBInstanceIdentifier="startup-db", Engine="mysql", DBInstanceClass="db.t3.micro",
                       MasterUsername="admin", MasterUserPassword="Example-Passw0rd!", AllocatedStorage=20,
                       PubliclyAccessible=True, StorageEncrypted=False, BackupRetentionPeriod=1,
                       DeletionProtection=False, VpcSecurityGroupIds=[db])
kms.create_key(Description="app data")
# no GuardDuty, Config, Security Hub or Inspector; moto starts Macie enabled, the start-up never did
boto3.client("macie2", **kw).disable_macie()
