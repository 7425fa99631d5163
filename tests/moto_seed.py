#!/usr/bin/env python3
"""tests/moto_seed.py URL EXPECT_DIR — seeds a strict-mode moto server for the tests.

Spends exactly the server's free unauthenticated calls (INITIAL_NO_AUTH_ACTION_COUNT=9 in
tests/moto.sh) on: a read-only audit user (CreateUser, PutUserPolicy allowing IAM/EC2
reads and STS GetCallerIdentity, CreateAccessKey), a second user in a group whose inline
policy allows everything, and a security group open to the internet on 22 and 443. Then, as the audit user,
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
iam, ec2 = boto3.client("iam", **seed), boto3.client("ec2", **seed)
iam.create_user(UserName="ansim-audit")
iam.put_user_policy(UserName="ansim-audit", PolicyName="read-only", PolicyDocument=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["iam:List*", "iam:Get*", "iam:GenerateCredentialReport",
                                                 "ec2:Describe*", "ec2:Get*", "sts:GetCallerIdentity"], "Resource": "*"}]}))
key = iam.create_access_key(UserName="ansim-audit")["AccessKey"]
iam.create_user(UserName="dev1")
iam.create_group(GroupName="admins")
iam.add_user_to_group(GroupName="admins", UserName="dev1")
iam.put_group_policy(GroupName="admins", PolicyName="everything", PolicyDocument=json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
sg = ec2.create_security_group(GroupName="web", Description="web tier")["GroupId"]
ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
    {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
    {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}])

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
