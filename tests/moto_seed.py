#!/usr/bin/env python3
"""tests/moto_seed.py URL — seeds a strict-mode moto server with a read-only audit user.

Uses the server's free unauthenticated calls (INITIAL_NO_AUTH_ACTION_COUNT=3): CreateUser,
PutUserPolicy (List*/Get* on IAM only), CreateAccessKey. Prints the key as shell variable
assignments for tests/moto.sh; nothing else is written anywhere.
"""
import json
import sys

import boto3
from botocore.config import Config

url = sys.argv[1]
cfg = Config(retries={"max_attempts": 1})
iam = boto3.client("iam", endpoint_url=url, region_name="us-east-1", aws_access_key_id="seed",
                   aws_secret_access_key="seed", config=cfg)
iam.create_user(UserName="ansim-audit")
iam.put_user_policy(UserName="ansim-audit", PolicyName="read-iam", PolicyDocument=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["iam:List*", "iam:Get*"], "Resource": "*"}]}))
key = iam.create_access_key(UserName="ansim-audit")["AccessKey"]
print(f"ANSIM_MOTO_AKID={key['AccessKeyId']}")
print(f"ANSIM_MOTO_SECRET={key['SecretAccessKey']}")
print("ANSIM_MOTO_ACCOUNT=123456789012")  # moto's default account
