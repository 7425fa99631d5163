#!/usr/bin/env python3
"""gen_snapshot.py N OUT.json [SEED] - a deterministic synthetic ansim-snapshot/1 for `make bench`.

N resources in a realistic mix over four regions (security groups with several rules,
instances, buckets with policies/ACLs/tags, IAM users with inline policies and matching
credential-report rows, roles, customer policies, KMS keys, RDS, VPCs, flow logs, trails and
the per-region singletons), about a third of them non-compliant. Same N and SEED -> same bytes.
"""
import json
import random
import sys

REGIONS = ["ap-northeast-2", "ap-northeast-1", "us-east-1", "us-west-2"]
ACC = "123456789012"
MIX = [  # (type, share)
    ("aws_ec2_security_group", 0.25), ("aws_ec2_instance", 0.20), ("aws_s3_bucket", 0.15),
    ("aws_iam_user", 0.10), ("aws_iam_role", 0.05), ("aws_iam_policy", 0.05),
    ("aws_kms_key", 0.05), ("aws_rds_db_instance", 0.05), ("aws_vpc_flow_log", 0.04),
    ("aws_ec2_vpc", 0.05), ("aws_cloudtrail_trail", 0.01),
]


def main():
    n = int(sys.argv[1])
    out = sys.argv[2]
    rnd = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 42)
    ts = lambda d: "2026-%02d-%02dT%02d:00:00Z" % (1 + d % 10, 1 + d % 28, d % 24)
    hexid = lambda k: "%017x" % rnd.getrandbits(68)
    bad = lambda: rnd.random() < 0.33
    written = 0

    with open(out, "w") as f:
        f.write('{"format":"ansim-snapshot/1","account_id":"%s","partition":"aws",'
                '"collected_at":"2026-11-01T00:00:00Z","regions":%s,"resources":[\n'
                % (ACC, json.dumps(REGIONS)))

        def emit(t, rid, region, arn, data):
            nonlocal written
            f.write(("," if written else "") + json.dumps(
                {"type": t, "region": region, "id": rid, "arn": arn, "data": data},
                separators=(",", ":")) + "\n")
            written += 1

        # account-level and per-region singletons
        emit("aws_iam_account_summary", ACC, "global", None,
             {"AccountMFAEnabled": 1, "AccountAccessKeysPresent": 0, "Users": n // 10})
        emit("aws_iam_password_policy", ACC, "global", None,
             {"MinimumPasswordLength": 8, "RequireSymbols": False, "RequireNumbers": True,
              "RequireUppercaseCharacters": True, "RequireLowercaseCharacters": True,
              "ExpirePasswords": False, "PasswordReusePrevention": 0})
        emit("aws_s3_account_public_access_block", ACC, "global", None,
             {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": False,
              "RestrictPublicBuckets": False})
        emit("aws_iam_credential_report", "<root_account>", "global", "arn:aws:iam::%s:root" % ACC,
             {"user": "<root_account>", "arn": "arn:aws:iam::%s:root" % ACC, "password_enabled": "not_supported",
              "password_last_used": "2026-06-01T00:00:00+00:00", "mfa_active": "true",
              "access_key_1_active": "false", "access_key_2_active": "false",
              "access_key_1_last_rotated": "N/A", "access_key_1_last_used_date": "N/A",
              "access_key_2_last_rotated": "N/A", "access_key_2_last_used_date": "N/A"})
        for r in REGIONS:
            emit("aws_ec2_region", r, r, None, {"RegionName": r, "Endpoint": "ec2.%s.amazonaws.com" % r,
                                                 "OptInStatus": "opt-in-not-required"})
            emit("aws_ebs_encryption_by_default", r, r, None, {"EbsEncryptionByDefault": not bad()})

        vpcs = {r: [] for r in REGIONS}
        sgs = {r: [] for r in REGIONS}
        counts = {t: max(1, int(n * share)) for t, share in MIX}
        order = [t for t, _ in MIX]
        # VPCs first so other resources can refer to them
        order.remove("aws_ec2_vpc")
        order.insert(0, "aws_ec2_vpc")
        for t in order:
            for i in range(counts[t]):
                if written >= n:
                    break
                region = REGIONS[i % len(REGIONS)]
                if t == "aws_ec2_vpc":
                    vid = "vpc-" + hexid(0)
                    vpcs[region].append(vid)
                    emit(t, vid, region, "arn:aws:ec2:%s:%s:vpc/%s" % (region, ACC, vid),
                         {"VpcId": vid, "CidrBlock": "10.%d.0.0/16" % (i % 250), "IsDefault": i < 4,
                          "State": "available", "OwnerId": ACC, "Tags": [{"Key": "Name", "Value": "vpc-%d" % i}]})
                elif t == "aws_ec2_security_group":
                    gid = "sg-" + hexid(0)
                    sgs[region].append(gid)
                    perms = [{"IpProtocol": "tcp", "FromPort": p, "ToPort": p,
                              "IpRanges": [{"CidrIp": "0.0.0.0/0" if bad() else "10.0.0.0/8", "Description": "rule"}],
                              "Ipv6Ranges": [], "PrefixListIds": [], "UserIdGroupPairs": []}
                             for p in rnd.sample([22, 80, 443, 3306, 5432, 8080, 3389, 6379], 4)]
                    if rnd.random() < 0.05:
                        perms.append({"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [],
                                      "PrefixListIds": [], "UserIdGroupPairs": []})
                    emit(t, gid, region, "arn:aws:ec2:%s:%s:security-group/%s" % (region, ACC, gid),
                         {"GroupId": gid, "GroupName": "default" if i < len(REGIONS) * 3 else "app-%d" % i,
                          "Description": "synthetic", "VpcId": rnd.choice(vpcs[region] or ["vpc-0"]), "OwnerId": ACC,
                          "IpPermissions": perms,
                          "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                                                   "Ipv6Ranges": [], "PrefixListIds": [], "UserIdGroupPairs": []}],
                          "Tags": [{"Key": "team", "Value": "t%d" % (i % 7)}]})
                elif t == "aws_ec2_instance":
                    iid = "i-" + hexid(0)
                    emit(t, iid, region, "arn:aws:ec2:%s:%s:instance/%s" % (region, ACC, iid),
                         {"InstanceId": iid, "InstanceType": rnd.choice(["t3.small", "m6i.large", "c7g.xlarge"]),
                          "State": {"Code": 16, "Name": "running" if rnd.random() < 0.9 else "stopped"},
                          "MetadataOptions": {"State": "applied", "HttpTokens": "optional" if bad() else "required",
                                              "HttpPutResponseHopLimit": 2, "HttpEndpoint": "enabled"},
                          "PublicIpAddress": "3.%d.%d.%d" % (i % 250, (i >> 8) % 250, 7) if bad() else None,
                          "PrivateIpAddress": "10.0.%d.%d" % ((i >> 8) % 250, i % 250),
                          "SecurityGroups": [{"GroupId": rnd.choice(sgs[region] or ["sg-0"]), "GroupName": "app"}],
                          "SubnetId": "subnet-" + hexid(0), "VpcId": rnd.choice(vpcs[region] or ["vpc-0"]),
                          "LaunchTime": ts(i), "Tags": [{"Key": "Name", "Value": "host-%d" % i}]})
                elif t == "aws_s3_bucket":
                    b = "bucket-%06d-%s" % (i, region)
                    pub = bad()
                    stmts = [{"Sid": "DenyInsecure", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                              "Resource": ["arn:aws:s3:::" + b, "arn:aws:s3:::%s/*" % b],
                              "Condition": {"Bool": {"aws:SecureTransport": "false"}}}] if not bad() else []
                    if pub:
                        stmts.append({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                                      "Resource": "arn:aws:s3:::%s/*" % b})
                    bpa = not bad()
                    emit(t, b, region, "arn:aws:s3:::" + b,
                         {"Name": b, "CreationDate": ts(i),
                          "PublicAccessBlockConfiguration": {"BlockPublicAcls": bpa, "IgnorePublicAcls": bpa,
                                                             "BlockPublicPolicy": bpa, "RestrictPublicBuckets": bpa},
                          "Policy": {"Version": "2012-10-17", "Statement": stmts} if stmts else None,
                          "PolicyStatus": {"IsPublic": pub},
                          "Acl": {"Owner": {"ID": "owner"}, "Grants": [{"Grantee": {"Type": "CanonicalUser", "ID": "owner"},
                                                                      "Permission": "FULL_CONTROL"}]},
                          "ServerSideEncryptionConfiguration": {"Rules": [{"ApplyServerSideEncryptionByDefault": {
                              "SSEAlgorithm": "aws:kms" if not bad() else "AES256"}, "BucketKeyEnabled": True}]},
                          "Versioning": {"Status": "Enabled"} if not bad() else {},
                          "ObjectLockConfiguration": None, "LifecycleConfiguration": None,
                          "Tags": [{"Key": "ansim:pii", "Value": "true"}] if i % 5 == 0 else []})
                elif t == "aws_iam_user":
                    u = "user-%06d" % i
                    arn = "arn:aws:iam::%s:user/%s" % (ACC, u)
                    emit(t, u, "global", arn,
                         {"Path": "/", "UserName": u, "UserId": "AIDA" + hexid(0).upper(), "Arn": arn, "CreateDate": ts(i),
                          "UserPolicyList": [{"PolicyName": "inline", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                              {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"}]}}] if bad() else [],
                          "GroupList": ["developers"],
                          "AttachedManagedPolicies": [{"PolicyName": "p", "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}] if bad() else [],
                          "Tags": [], "MFADevices": [] if bad() else [{"UserName": u, "SerialNumber": arn.replace(":user/", ":mfa/"), "EnableDate": ts(i)}],
                          "AccessKeys": [], "LoginProfile": {"CreateDate": ts(i), "PasswordResetRequired": False}})
                    emit("aws_iam_credential_report", u, "global", arn,
                         {"user": u, "arn": arn, "user_creation_time": ts(i), "password_enabled": "true",
                          "password_last_used": ts(i + 200), "password_last_changed": ts(i), "mfa_active": "false" if bad() else "true",
                          "access_key_1_active": "true", "access_key_1_last_rotated": ts(i),
                          "access_key_1_last_used_date": ts(i + 100), "access_key_2_active": "false",
                          "access_key_2_last_rotated": "N/A", "access_key_2_last_used_date": "N/A"})
                elif t == "aws_iam_role":
                    name = "role-%06d" % i
                    arn = "arn:aws:iam::%s:role/%s" % (ACC, name)
                    emit(t, name, "global", arn,
                         {"RoleName": name, "RoleId": "AROA" + hexid(0).upper(), "Arn": arn, "Path": "/",
                          "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                              {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
                          "RolePolicyList": [{"PolicyName": "inline", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                              {"Effect": "Allow", "Action": "*" if rnd.random() < 0.02 else "s3:*", "Resource": "*"}]}}],
                          "AttachedManagedPolicies": [], "InstanceProfileList": [], "Tags": []})
                elif t == "aws_iam_policy":
                    name = "policy-%06d" % i
                    arn = "arn:aws:iam::%s:policy/%s" % (ACC, name)
                    emit(t, name, "global", arn,
                         {"PolicyName": name, "PolicyId": "ANPA" + hexid(0).upper(), "Arn": arn, "Path": "/",
                          "DefaultVersionId": "v1", "AttachmentCount": 1, "IsAttachable": True,
                          "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": True, "CreateDate": ts(i),
                                                 "Document": {"Version": "2012-10-17", "Statement": [
                                                     {"Effect": "Allow", "Action": ["ec2:Describe*", "s3:Get*", "logs:*"], "Resource": "*"},
                                                     {"Effect": "Allow", "Action": "*" if rnd.random() < 0.02 else "sqs:*", "Resource": "*"}]}}]})
                elif t == "aws_kms_key":
                    kid = "%08x-0000-4000-8000-%012x" % (i, rnd.getrandbits(48))
                    arn = "arn:aws:kms:%s:%s:key/%s" % (region, ACC, kid)
                    emit(t, kid, region, arn,
                         {"KeyId": kid, "Arn": arn, "KeyManager": "CUSTOMER" if i % 4 else "AWS", "KeyState": "Enabled",
                          "KeySpec": "SYMMETRIC_DEFAULT", "KeyUsage": "ENCRYPT_DECRYPT", "Origin": "AWS_KMS",
                          "MultiRegion": False, "Enabled": True, "KeyRotationEnabled": not bad(), "Tags": []})
                elif t == "aws_rds_db_instance":
                    db = "db-%06d" % i
                    arn = "arn:aws:rds:%s:%s:db:%s" % (region, ACC, db)
                    emit(t, db, region, arn,
                         {"DBInstanceIdentifier": db, "DBInstanceArn": arn, "Engine": rnd.choice(["mysql", "postgres"]),
                          "EngineVersion": "8.0.39", "DBInstanceStatus": "available", "PubliclyAccessible": bad(),
                          "StorageEncrypted": not bad(), "EnabledCloudwatchLogsExports": ["audit"],
                          "BackupRetentionPeriod": 7, "DeletionProtection": True, "MultiAZ": False, "Tags": []})
                elif t == "aws_vpc_flow_log":
                    fl = "fl-" + hexid(0)
                    emit(t, fl, region, None,
                         {"FlowLogId": fl, "ResourceId": rnd.choice(vpcs[region] or ["vpc-0"]), "TrafficType": "ALL",
                          "LogDestinationType": "s3", "LogDestination": "arn:aws:s3:::flow-logs", "FlowLogStatus": "ACTIVE",
                          "DeliverLogsStatus": "SUCCESS", "Tags": []})
                elif t == "aws_cloudtrail_trail":
                    name = "trail-%d" % i
                    emit(t, name, region, "arn:aws:cloudtrail:%s:%s:trail/%s" % (region, ACC, name),
                         {"Name": name, "TrailARN": "arn:aws:cloudtrail:%s:%s:trail/%s" % (region, ACC, name),
                          "HomeRegion": region, "S3BucketName": "bucket-%06d-%s" % (i, region),
                          "IsMultiRegionTrail": i == 0, "IncludeGlobalServiceEvents": True, "IsOrganizationTrail": False,
                          "LogFileValidationEnabled": not bad(), "KmsKeyId": None if bad() else "arn:aws:kms:%s:%s:key/k" % (region, ACC),
                          "Status": {"IsLogging": True}, "EventSelectors": [], "AdvancedEventSelectors": []})
        f.write('],"errors":[]}\n')
    print("%s: %d resources" % (out, written), file=sys.stderr)


if __name__ == "__main__":
    main()
