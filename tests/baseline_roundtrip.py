#!/usr/bin/env python3
"""tests/baseline_roundtrip.py ANSIM — the `ansim baseline` round trip against moto (issue 7).

1. Starts its own permissive moto server on 127.0.0.1 (a free port) and seeds a deliberately
   bad account with boto3 (seed() below: every failing control is planted on purpose, and a
   few resources that already pass, to prove nothing regresses).
2. Scans it live (`ansim scan --no-db --format json`): the statuses before, per
   (control, resource); the seed's own expectations are checked first.
3. `ansim baseline --model standard --format cli --live -o DIR` writes DIR/standard.sh and
   DIR/summary.json (gap mode: the failing findings' own remediation, in dependency order).
4. Runs the script against moto (AWS_ENDPOINT_URL) with ANSIM_SKIP = the steps moto cannot
   execute (MOTO_CANNOT below, each with its reason, printed as a TAP comment). Any other step
   that fails is a test failure.
5. Rescans: every control of summary.targets (minus the skipped steps' controls on their
   resources) passes on every resource it failed on before; nothing that passed before fails
   now; the script runs again with the same state file and with a fresh one (idempotent);
   `bash -n` is clean; no delete-/revoke-/terminate-/disable- command outside comments; the
   seeded secrets appear in neither the script nor the summary.
Prints one "ok"/"not ok" line per check and closes with "N passed, M failed".
"""
import fnmatch
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import boto3
from botocore.config import Config

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from tap import finish, ok  # noqa: E402

REGIONS = ["us-east-1", "ap-northeast-2"]
HOME, OTHER = REGIONS
ACCOUNT = "123456789012"  # moto's default account
RDS_PASSWORD = "Bl-rds-Secret-9f3e71"  # seeded; must never appear in the generated files
SECRET_VALUE = "bl-app-db-password-5d2c0b"  # a Secrets Manager secret's value, likewise

# Steps of the generated script that moto 5.2.1 cannot execute, as step-name pattern (fnmatch
# against "<control_id>:<resource_id>" or a component id) -> why. They run with ANSIM_SKIP,
# are printed as TAP comments, and their controls are not expected to pass afterwards.
MOTO_CANNOT = {
}

TLS_ONLY = {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}


def comment(text):
    print("# " + str(text).replace("\n", "\n# "))


def start_moto(tmp):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    exe = shutil.which("moto_server")
    cmd = [exe] if exe else [sys.executable, "-m", "moto.server"]
    log = open(os.path.join(tmp, "moto.log"), "w")
    try:
        proc = subprocess.Popen(cmd + ["-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=log)
    except OSError as e:
        comment(f"cannot start moto ({e}); pip install 'moto[server]' boto3")
        return None, None
    url = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(url + "/moto-api/", timeout=1)
            return proc, url
        except Exception:
            if proc.poll() is not None:
                break
            time.sleep(0.2)
    proc.kill()
    with open(os.path.join(tmp, "moto.log")) as f:
        comment("moto did not come up: " + f.read()[-500:])
    return None, url


# ---------------------------------------------------------------- the bad account
def seed(url):
    """Plants the account; returns the statuses the scan must show before the baseline,
    as (control_id, resource_id, status)."""
    def c(name, region=HOME):
        return boto3.client(name, endpoint_url=url, region_name=region, aws_access_key_id="testing",
                            aws_secret_access_key="testing", config=Config(retries={"max_attempts": 1}))

    def bucket(name, region=HOME):
        s3 = c("s3", region)
        if region == "us-east-1":
            s3.create_bucket(Bucket=name)
        else:
            s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
        return s3

    expect = []
    # no password policy
    expect.append(("iam.password_policy", ACCOUNT, "fail"))
    # no budget, no security contact
    expect.append(("account.budget", ACCOUNT, "fail"))
    expect.append(("account.security_contact", ACCOUNT, "fail"))
    # an IAM user with an access key: its secret must never reach the generated files
    iam = c("iam")
    iam.create_user(UserName="bl-deployer")
    secrets = [iam.create_access_key(UserName="bl-deployer")["AccessKey"]["SecretAccessKey"]]

    # CloudTrail: one single-region trail, not logging, no validation, no KMS, into a plain bucket
    bucket("bl-trail-logs")
    c("s3").put_bucket_policy(Bucket="bl-trail-logs", Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Sid": "AWSCloudTrailAclCheck", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "s3:GetBucketAcl", "Resource": "arn:aws:s3:::bl-trail-logs"},
            {"Sid": "AWSCloudTrailWrite", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::bl-trail-logs/AWSLogs/{ACCOUNT}/*"}]}))
    c("cloudtrail").create_trail(Name="bl-trail", S3BucketName="bl-trail-logs",
                                         IsMultiRegionTrail=False)["TrailARN"]
    expect.append(("cloudtrail.multi_region", ACCOUNT, "fail"))
    expect.append(("cloudtrail.log_file_validation", "bl-trail", "fail"))

    # KMS: one key without rotation (fails), one with (passes)
    kms = c("kms")
    bad_key = kms.create_key(Description="bl key without rotation")["KeyMetadata"]["KeyId"]
    good_key = kms.create_key(Description="bl key with rotation")["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=good_key)
    expect.append(("kms.key_rotation", bad_key, "fail"))
    expect.append(("kms.key_rotation", good_key, "pass"))

    # S3: a bucket with nothing set, in each region; one bucket with everything set
    for name, region in (("bl-data-plain", HOME), ("bl-data-plain-seoul", OTHER)):
        bucket(name, region)
        for cid in ("s3.default_encryption", "s3.versioning", "s3.bucket_public_access_block", "s3.ssl_only"):
            expect.append((cid, name, "fail"))
    good_key_arn = kms.describe_key(KeyId=good_key)["KeyMetadata"]["Arn"]
    s3 = bucket("bl-data-good")
    s3.put_bucket_encryption(Bucket="bl-data-good", ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": good_key_arn},
         "BucketKeyEnabled": True}]})
    s3.put_bucket_versioning(Bucket="bl-data-good", VersioningConfiguration={"Status": "Enabled"})
    s3.put_public_access_block(Bucket="bl-data-good", PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    s3.put_bucket_policy(Bucket="bl-data-good", Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        dict(TLS_ONLY, Resource=["arn:aws:s3:::bl-data-good", "arn:aws:s3:::bl-data-good/*"])]}))
    for cid in ("s3.default_encryption", "s3.versioning", "s3.bucket_public_access_block", "s3.ssl_only"):
        expect.append((cid, "bl-data-good", "pass"))
    # no account-level Block Public Access
    expect.append(("s3.account_public_access_block", ACCOUNT, "fail"))

    # EBS default encryption off, no GuardDuty, no Security Hub, no Config recorder (both regions)
    for r in REGIONS:
        for cid in ("ebs.default_encryption", "guardduty.enabled", "securityhub.enabled", "config.recorder"):
            expect.append((cid, r, "fail"))

    # a VPC without flow logs; a security group open to the world on 22 (its fix revokes: not
    # automated); one open only on 443 (passes)
    ec2 = c("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    expect.append(("vpc.flow_logs", vpc, "fail"))
    ssh = ec2.create_security_group(GroupName="bl-ssh-open", Description="ssh from anywhere", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=ssh, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    expect.append(("ec2.sg_admin_ports_open", ssh, "fail"))
    web = ec2.create_security_group(GroupName="bl-web", Description="https", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=web, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    expect.append(("ec2.sg_admin_ports_open", web, "pass"))

    # CloudWatch Logs: two access-log groups kept too briefly (one per region; a group without
    # retention never expires and passes), one kept 10 years (passes); the tag makes
    # logs.retention treat them as access records
    access = {"ansim:access-log": "true"}
    c("logs").create_log_group(logGroupName="/bl/app", tags=access)
    c("logs", OTHER).create_log_group(logGroupName="/bl/app-seoul", tags=access)
    c("logs").create_log_group(logGroupName="/bl/audit-kept", tags=access)
    c("logs").put_retention_policy(logGroupName="/bl/app", retentionInDays=30)
    c("logs", OTHER).put_retention_policy(logGroupName="/bl/app-seoul", retentionInDays=90)
    c("logs").put_retention_policy(logGroupName="/bl/audit-kept", retentionInDays=3653)
    expect += [("logs.retention", "/bl/app", "fail"), ("logs.retention", "/bl/app-seoul", "fail"),
               ("logs.retention", "/bl/audit-kept", "pass")]

    # RDS: encrypted, private, managed password... but no deletion protection, no backups
    rds = c("rds")
    rds.create_db_instance(DBInstanceIdentifier="bl-orders", DBInstanceClass="db.t3.micro", Engine="mysql",
                           MasterUsername="admin", MasterUserPassword=RDS_PASSWORD, AllocatedStorage=20,
                           StorageEncrypted=True, PubliclyAccessible=False, BackupRetentionPeriod=0,
                           DeletionProtection=False)
    expect.append(("rds.backup_and_deletion_protection", "bl-orders", "fail"))
    expect.append(("rds.storage_encrypted", "bl-orders", "pass"))
    expect.append(("rds.public_access", "bl-orders", "pass"))

    # a secret whose value must not leak either
    c("secretsmanager").create_secret(Name="bl-app-db", SecretString=SECRET_VALUE)
    return expect, secrets + [RDS_PASSWORD, SECRET_VALUE]


def scan(ansim, url, tmp, name):
    out = os.path.join(tmp, name + ".json")
    env = dict(os.environ, HOME=tmp, XDG_DATA_HOME=os.path.join(tmp, "xdg"))
    r = subprocess.run([ansim, "scan", "--endpoint-url", url, "--region", ",".join(REGIONS), "--no-db",
                        "--format", "json", "-o", out], capture_output=True, text=True, env=env, cwd=tmp)
    if r.returncode not in (0, 3) or not os.path.exists(out):
        return None, r
    with open(out) as f:
        findings = json.load(f)["findings"]
    return findings, r


def statuses(findings):
    st = {}
    for fd in findings:
        st.setdefault((fd["control_id"], fd["resource_id"]), set()).add(fd["status"])
    return st


def main():
    ansim = os.path.abspath(sys.argv[1])
    tmp = tempfile.mkdtemp(prefix="ansim-bl-rt-")
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION=HOME,
                      AWS_EC2_METADATA_DISABLED="true")
    for k in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        os.environ.pop(k, None)
    proc, url = start_moto(tmp)
    if not ok(proc is not None, f"moto server answers on {url} (needs moto_server: pip install 'moto[server]')"):
        finish()
    try:
        run(ansim, url, tmp)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        if os.environ.get("ANSIM_KEEP"):
            comment(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    finish()


def run(ansim, url, tmp):
    try:
        expect, secrets = seed(url)
    except Exception as e:  # a seed that cannot plant is a failure, never a skip
        ok(False, f"the bad account is seeded: {type(e).__name__}: {e}")
        return
    ok(True, f"the bad account is seeded ({len(expect)} planted statuses)")
    findings, r = scan(ansim, url, tmp, "before")
    if not ok(findings is not None, f"the scan before exits 0 or 3 (got {r.returncode})", r.stderr[-1500:]):
        return
    before = statuses(findings)
    wrong = [f"{cid} {rid}: want {want}, got {', '.join(sorted(before.get((cid, rid), []))) or 'no finding'}"
             for cid, rid, want in expect if want not in before.get((cid, rid), set())]
    ok(not wrong, f"the scan before shows every planted status ({len(expect)})", "\n".join(wrong))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: tests/baseline_roundtrip.py ANSIM_BINARY")
    main()
