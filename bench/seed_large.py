#!/usr/bin/env python3
"""bench/seed_large.py URL — seeds a moto server with a larger, fixed account for the live
benchmark (same content every run): in each of us-east-1, ap-northeast-2 and eu-west-1,
3 VPCs, 330 security groups with an ingress rule, 50 KMS keys (every other one rotated),
20 instances and 100 buckets (tagged, half with default encryption); 250 IAM users with an
access key each. Prints the number of resources created.
"""
import json
import sys
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config

url = sys.argv[1]
REGIONS = ["us-east-1", "ap-northeast-2", "eu-west-1"]
cfg = Config(retries={"max_attempts": 1}, max_pool_connections=16)


def client(service, region="us-east-1"):
    return boto3.client(service, endpoint_url=url, region_name=region, aws_access_key_id="bench",
                        aws_secret_access_key="bench", config=cfg)


def region_work(region):
    ec2, kms, s3 = client("ec2", region), client("kms", region), client("s3", region)
    n = 0
    vpcs = [ec2.create_vpc(CidrBlock=f"10.{i}.0.0/16")["Vpc"]["VpcId"] for i in range(3)]
    n += 3
    for i in range(330):
        g = ec2.create_security_group(GroupName=f"sg-{i:03d}", Description="bench", VpcId=vpcs[i % 3])["GroupId"]
        ec2.authorize_security_group_ingress(GroupId=g, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 1000 + i, "ToPort": 1000 + i, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}])
        n += 1
    for i in range(50):
        k = kms.create_key(Description=f"bench {i}")["KeyMetadata"]["KeyId"]
        if i % 2:
            kms.enable_key_rotation(KeyId=k)
        n += 1
    ec2.run_instances(ImageId="ami-12c6146b", MinCount=20, MaxCount=20, InstanceType="t3.micro")
    n += 20
    for i in range(100):
        b = f"bench-{region}-{i:03d}"
        if region == "us-east-1":
            s3.create_bucket(Bucket=b)
        else:
            s3.create_bucket(Bucket=b, CreateBucketConfiguration={"LocationConstraint": region})
        s3.put_bucket_tagging(Bucket=b, Tagging={"TagSet": [{"Key": "app", "Value": "bench"}]})
        if i % 2:
            s3.put_bucket_encryption(Bucket=b, ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
        n += 1
    return n


def user_work(i):
    iam = client("iam")
    iam.create_user(UserName=f"user-{i:03d}")
    iam.create_access_key(UserName=f"user-{i:03d}")
    return 1


with ThreadPoolExecutor(8) as pool:
    counts = list(pool.map(region_work, REGIONS)) + list(pool.map(user_work, range(250)))
print(sum(counts))
