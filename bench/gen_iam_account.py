#!/usr/bin/env python3
"""bench/gen_iam_account.py N OUT [SEED] — a synthetic account snapshot with N IAM
principals for the who-can / scope benchmark: 60 % users in 50 groups, 40 % roles whose
trust policies name the account, services, other roles or another account; 200
customer-managed policies (S3, DynamoDB, KMS, IAM, NotAction, wildcards, conditions on
aws:SourceIp / aws:MultiFactorAuthPresent / tags); 20 tagged personal-data buckets with
VPC-endpoint bucket policies; an organization path with SCPs. Fixed seed: reproducible."""
import json
import random
import sys

n = int(sys.argv[1])
out = sys.argv[2]
rnd = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 42)
A = "111122223333"
ARN = f"arn:aws:iam::{A}"
buckets = [f"pii-bucket-{i}" for i in range(20)] + [f"app-bucket-{i}" for i in range(20)]


def stmt():
    kind = rnd.random()
    b = rnd.choice(buckets)
    if kind < 0.35:
        s = {"Effect": "Allow", "Action": rnd.choice([["s3:GetObject"], ["s3:Get*", "s3:List*"], ["s3:*"],
                                                      ["s3:PutObject", "s3:DeleteObject"]]),
             "Resource": [f"arn:aws:s3:::{b}", f"arn:aws:s3:::{b}/{rnd.choice(['', 'exports/', 'raw/'])}*"]}
    elif kind < 0.5:
        s = {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan"],
             "Resource": f"arn:aws:dynamodb:ap-northeast-2:{A}:table/t{rnd.randrange(50)}"}
    elif kind < 0.6:
        s = {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:Encrypt"], "Resource": "*"}
    elif kind < 0.68:
        s = {"Effect": "Allow", "Action": ["iam:Get*", "iam:List*"], "Resource": "*"}
    elif kind < 0.72:
        s = {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"}
    elif kind < 0.8:
        s = {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}
    elif kind < 0.9:
        s = {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": f"{ARN}:role/r{rnd.randrange(max(1, n * 4 // 10))}"}
    else:
        s = {"Effect": "Allow", "Action": ["ec2:Describe*", "cloudwatch:Get*"], "Resource": "*"}
    c = rnd.random()
    if c < 0.2:
        s["Condition"] = {"IpAddress": {"aws:SourceIp": ["10.20.0.0/16", "192.168.0.0/24"]}}
    elif c < 0.3:
        s["Condition"] = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    elif c < 0.35:
        s["Condition"] = {"StringEquals": {"aws:PrincipalTag/team": rnd.choice(["data", "ops", "web"])}}
    return s


def doc(k):
    return {"Version": "2012-10-17", "Statement": [stmt() for _ in range(k)]}


res = []
policies = []
for i in range(200):
    arn = f"{ARN}:policy/p{i}"
    policies.append(arn)
    res.append({"type": "aws_iam_policy", "region": "global", "id": f"p{i}", "arn": arn,
                "data": {"PolicyName": f"p{i}", "Arn": arn, "DefaultVersionId": "v1",
                         "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": True,
                                                "Document": doc(rnd.randint(1, 6))}]}})
groups = [f"g{i}" for i in range(50)]
for g in groups:
    res.append({"type": "aws_iam_group", "region": "global", "id": g, "arn": f"{ARN}:group/{g}",
                "data": {"GroupName": g, "Arn": f"{ARN}:group/{g}", "Path": "/",
                         "GroupPolicyList": [{"PolicyName": "inline", "PolicyDocument": doc(2)}],
                         "AttachedManagedPolicies": [{"PolicyName": p.split("/")[-1], "PolicyArn": p}
                                                     for p in rnd.sample(policies, 2)]}})
nusers = n * 6 // 10
for i in range(nusers):
    name = f"u{i}"
    res.append({"type": "aws_iam_user", "region": "global", "id": name, "arn": f"{ARN}:user/{name}",
                "data": {"UserName": name, "UserId": f"AIDA{i:017d}", "Arn": f"{ARN}:user/{name}", "Path": "/",
                         "UserPolicyList": [{"PolicyName": "own", "PolicyDocument": doc(1)}] if rnd.random() < 0.3 else [],
                         "AttachedManagedPolicies": [{"PolicyName": p.split("/")[-1], "PolicyArn": p}
                                                     for p in rnd.sample(policies, rnd.randint(0, 3))],
                         "GroupList": rnd.sample(groups, rnd.randint(0, 2)),
                         "Tags": [{"Key": "team", "Value": rnd.choice(["data", "ops", "web"])}]}})
nroles = n - nusers
for i in range(nroles):
    name = f"r{i}"
    who = rnd.random()
    if who < 0.5:
        principal = {"AWS": f"{ARN}:root"}
    elif who < 0.7:
        principal = {"Service": rnd.choice(["ec2.amazonaws.com", "lambda.amazonaws.com", "ecs-tasks.amazonaws.com"])}
    elif who < 0.9:
        principal = {"AWS": f"{ARN}:role/r{rnd.randrange(nroles)}"}
    else:
        principal = {"AWS": "arn:aws:iam::999988887777:root"}
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}]}
    res.append({"type": "aws_iam_role", "region": "global", "id": name, "arn": f"{ARN}:role/{name}",
                "data": {"RoleName": name, "RoleId": f"AROA{i:017d}", "Arn": f"{ARN}:role/{name}", "Path": "/",
                         "AssumeRolePolicyDocument": trust,
                         "RolePolicyList": [{"PolicyName": "own", "PolicyDocument": doc(2)}],
                         "AttachedManagedPolicies": [{"PolicyName": p.split("/")[-1], "PolicyArn": p}
                                                     for p in rnd.sample(policies, rnd.randint(0, 2))],
                         "Tags": []}})
for b in buckets:
    pii = b.startswith("pii")
    pol = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [f"arn:aws:s3:::{b}", f"arn:aws:s3:::{b}/*"],
         "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-0a1b2c3d"}}}]} if pii and rnd.random() < 0.5 else None
    res.append({"type": "aws_s3_bucket", "region": "ap-northeast-2", "id": b, "arn": f"arn:aws:s3:::{b}",
                "data": {"Name": b, "Policy": pol, "Tags": [{"Key": "ansim:pii", "Value": "true"}] if pii else []}})
full = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
res.append({"type": "aws_organizations_policy_path", "region": "global", "id": A, "arn": None,
            "data": {"Organization": {"Id": "o-bench", "MasterAccountId": "444455556666", "FeatureSet": "ALL"},
                     "PoliciesApply": True, "IsManagementAccount": False,
                     "Path": [{"Id": "r-root", "Type": "ROOT", "ServiceControlPolicies": [{"Name": "FullAWSAccess", "Content": full}],
                               "ResourceControlPolicies": []},
                              {"Id": A, "Type": "ACCOUNT", "ServiceControlPolicies": [
                                  {"Name": "FullAWSAccess", "Content": full},
                                  {"Name": "SeoulOnly", "Content": {"Version": "2012-10-17", "Statement": [
                                      {"Effect": "Deny", "NotAction": ["iam:*", "sts:*"], "Resource": "*",
                                       "Condition": {"StringNotEquals": {"aws:RequestedRegion": "ap-northeast-2"}}}]}}],
                               "ResourceControlPolicies": []}]}})
with open(out, "w") as f:
    json.dump({"format": "ansim-snapshot/1", "account_id": A, "partition": "aws",
               "collected_at": "2026-11-01T00:00:00Z", "regions": ["ap-northeast-2"], "resources": res,
               "errors": []}, f)
