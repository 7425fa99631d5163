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
import subprocess
import sys
import tempfile
import time

import boto3
from botocore.config import Config

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from motoserver import comment, start as start_moto  # noqa: E402
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
    "s3.account_public_access_block:*":
        "aws s3control sends the request to ACCOUNT.<endpoint host>: the account host prefix cannot reach a "
        "loopback endpoint (research/moto.md, S3 Control)",
}

TLS_ONLY = {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}


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

    # RDS: encrypted, private... but no deletion protection, no backups, no audit log export,
    # a password of its own. In Seoul: awscli v1 sends every rds command for us-east-1 to
    # https://rds.amazonaws.com unless --endpoint-url is on the command line (its
    # overridesslcommonname customization ignores AWS_ENDPOINT_URL), so it cannot reach moto there.
    rds = c("rds", OTHER)
    rds.create_db_instance(DBInstanceIdentifier="bl-orders", DBInstanceClass="db.t3.micro", Engine="mysql",
                           MasterUsername="admin", MasterUserPassword=RDS_PASSWORD, AllocatedStorage=20,
                           StorageEncrypted=True, PubliclyAccessible=False, BackupRetentionPeriod=0,
                           DeletionProtection=False)
    expect.append(("rds.backup_and_deletion_protection", "bl-orders", "fail"))
    expect.append(("rds.audit_logs", "bl-orders", "fail"))
    expect.append(("rds.managed_master_password", "bl-orders", "fail"))
    expect.append(("rds.storage_encrypted", "bl-orders", "pass"))
    expect.append(("rds.public_access", "bl-orders", "pass"))

    # a secret without rotation, whose value must not leak either
    c("secretsmanager").create_secret(Name="bl-app-db", SecretString=SECRET_VALUE)
    expect.append(("secretsmanager.rotation", "bl-app-db", "fail"))
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

    # -- the gap-mode script
    out = os.path.join(tmp, "out")
    t0 = time.time()
    r = subprocess.run([ansim, "baseline", "--endpoint-url", url, "--region", ",".join(REGIONS), "--model", "standard",
                        "--format", "cli", "--live", "-o", out], capture_output=True, text=True,
                       env=dict(os.environ, HOME=tmp, XDG_DATA_HOME=os.path.join(tmp, "xdg")), cwd=tmp)
    script, summary_path = os.path.join(out, "standard.sh"), os.path.join(out, "summary.json")
    if not ok(r.returncode == 0 and os.path.exists(script) and os.path.exists(summary_path),
              f"ansim baseline --live writes standard.sh and summary.json (exit {r.returncode}, "
              f"{time.time() - t0:.1f} s)", r.stderr[-1500:]):
        return
    with open(summary_path) as f:
        summary = json.load(f)
    with open(script) as f:
        text = f.read()
    steps = summary.get("steps", [])
    auto = [st["name"] for st in steps if st.get("automated")]
    ok(summary.get("mode") == "gap" and summary.get("model") == "standard" and auto,
       f"summary.json: gap mode, {len(steps)} steps, {len(auto)} automated, {len(summary.get('manual', []))} manual")
    comment("targets: " + " ".join(summary.get("targets", [])))

    # static checks on the generated files
    sh = subprocess.run(["bash", "-n", script], capture_output=True, text=True)
    ok(sh.returncode == 0, "bash -n standard.sh is clean", sh.stderr)
    ok(re.search(r"^set -euo pipefail$", text, re.M) is not None, "the script runs with set -euo pipefail")
    code = [ln for ln in text.splitlines() if not ln.lstrip().startswith("#")]
    bad = [ln for ln in code if re.search(r"\b(delete|revoke|terminate|disable|deactivate|detach|remove|stop)-[a-z]", ln)]
    ok(not bad, "no delete-/revoke-/terminate-/disable-/detach-/remove-/stop- command outside comments",
       "\n".join(bad))
    leaked = [sec for sec in secrets if sec in text or sec in json.dumps(summary)]
    ok(not leaked, f"no seeded secret in the script or the summary ({len(secrets)} checked)",
       ", ".join(x[:4] + "..." for x in leaked))
    planted_fail = {(cid, rid) for cid, rid, want in expect if want == "fail"}
    step_of = {st["name"]: st for st in steps}
    missing = [f"{cid}:{rid}" for cid, rid in sorted(planted_fail) if f"{cid}:{rid}" not in step_of]
    ok(not missing, "every planted failure has a step (automated or manual)", "\n".join(missing))

    # -- run it against moto
    skipped = {}
    for name in auto:
        why = [reason for pat, reason in MOTO_CANNOT.items() if fnmatch.fnmatchcase(name, pat)]
        if why:
            skipped[name] = why[0]
            comment(f"skipped (moto cannot): {name}: {why[0]}")
    stale = [pat for pat in MOTO_CANNOT if not any(fnmatch.fnmatchcase(n, pat) for n in auto)]
    if stale:
        comment("MOTO_CANNOT entries matching no step of this run: " + ", ".join(stale))
    work = os.path.join(tmp, "work")
    os.makedirs(work)
    state = os.path.join(tmp, "state1")
    env = dict(os.environ, AWS_ENDPOINT_URL=url, AWS_DEFAULT_REGION=HOME, ANSIM_STATE=state,
               ANSIM_SKIP=" ".join(skipped), HOME=tmp)

    def run_script(state_file, label):
        t = time.time()
        p = subprocess.run(["bash", script], capture_output=True, text=True, cwd=work, stdin=subprocess.DEVNULL,
                           env=dict(env, ANSIM_STATE=state_file), timeout=900)
        done = open(state_file).read().split() if os.path.exists(state_file) else []
        failed_step = next((n for n in auto if n not in done and n not in skipped), None)
        ok(p.returncode == 0, f"{label}: exit {p.returncode} in {time.time() - t:.1f} s, "
           f"{len(done)} steps recorded done" + (f"; stopped in step {failed_step}" if p.returncode else ""),
           p.stderr[-2500:])
        return p, done

    p, done = run_script(state, "the script runs against moto")
    not_run = [n for n in auto if n not in done and n not in skipped]
    ok(p.returncode == 0 and not not_run, f"every automated step ran ({len(auto) - len(skipped)}) or was skipped "
       f"with a reason ({len(skipped)})", "\n".join(not_run))

    # -- rescan
    findings2, r = scan(ansim, url, tmp, "after")
    if not ok(findings2 is not None, f"the scan after exits 0 or 3 (got {r.returncode})", r.stderr[-1500:]):
        return
    after = statuses(findings2)
    targets = set(summary.get("targets", []))
    still, fixed = [], 0
    for (cid, rid), st in sorted(before.items()):
        if cid not in targets or "fail" not in st:
            continue
        name = f"{cid}:{rid}"
        if name in skipped or name not in auto:
            continue
        got = after.get((cid, rid), set())
        if got == {"pass"}:
            fixed += 1
        else:
            still.append(f"{name}: {', '.join(sorted(got)) or 'no finding'}")
    ok(not still, f"every target control passes where it failed before ({fixed} fixed, "
       f"{len(skipped)} skipped)", "\n".join(still))
    regressed = [f"{cid}:{rid}: {', '.join(sorted(after.get((cid, rid), set()))) or 'no finding'}"
                 for (cid, rid), st in sorted(before.items())
                 if st == {"pass"} and after.get((cid, rid), set()) != {"pass"}]
    npass = sum(1 for st in before.values() if st == {"pass"})
    ok(not regressed, f"nothing that passed before fails now ({npass} passing findings)", "\n".join(regressed))
    new = sorted(f"{cid}:{rid}" for (cid, rid), st in after.items() if (cid, rid) not in before and "fail" in st)
    if new:
        comment("resources the script created that fail a control: " + ", ".join(new))
    b_fail = sum(1 for st in before.values() if "fail" in st)
    a_fail = sum(1 for st in after.values() if "fail" in st)
    comment(f"failing findings: {b_fail} before, {a_fail} after")

    # -- idempotent: again with the same state (nothing to do), then with a fresh state (all again)
    p, _ = run_script(state, "a second run with the same ANSIM_STATE skips what was done")
    ok(p.returncode == 0 and "ansim: run " not in p.stderr, "the second run ran no step again",
       "\n".join(ln for ln in p.stderr.splitlines() if ln.startswith("ansim: run")))
    run_script(os.path.join(tmp, "state2"), "a run with a fresh ANSIM_STATE redoes every step without error")
    findings3, r = scan(ansim, url, tmp, "again")
    if ok(findings3 is not None, f"the scan after the reruns exits 0 or 3 (got {r.returncode})"):
        again = statuses(findings3)
        worse = [f"{k[0]}:{k[1]}" for k, st in after.items() if st == {"pass"} and again.get(k) != {"pass"}]
        ok(not worse, "the reruns changed no passing finding", "\n".join(worse))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: tests/baseline_roundtrip.py ANSIM_BINARY")
    main()
