"""tests/trail_report.py BUILD_DIR/ansim — `ansim trail report`: the monthly access review and
the permission history on generated CloudTrail records with known figures (federated sessions,
IAM users, root, S3 downloads above and below the threshold, off-hours, a new IP, denied
attempts, events on both sides of the month boundary in KST and UTC); the HTML in headless
Chromium; the real invictus records; malformed files."""
import csv
import gzip
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from tap import ok, finish  # noqa: E402

ANSIM = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/ansim")
REAL = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "testdata", "cloudtrail-real")
if not os.path.isdir(REAL):
    REAL = "/work/shared/testdata/cloudtrail-real"
ACCT = "111122223333"
seq = [0]


def rec(t, ident, source, name, ip="192.0.2.10", params=None, error=None, resp=None, extra=None):
    seq[0] += 1
    r = {"eventVersion": "1.09", "userIdentity": ident, "eventTime": t, "eventSource": source + ".amazonaws.com",
         "eventName": name, "awsRegion": "ap-northeast-2", "sourceIPAddress": ip, "userAgent": "test",
         "requestParameters": params, "responseElements": resp, "eventID": f"id-{seq[0]}",
         "recipientAccountId": ACCT, "eventType": "AwsApiCall"}
    if error:
        r["errorCode"] = error
        r["errorMessage"] = "denied by test"
    r.update(extra or {})
    return r


def iam_user(name):
    return {"type": "IAMUser", "principalId": "AIDA" + name.upper(), "arn": f"arn:aws:iam::{ACCT}:user/{name}",
            "accountId": ACCT, "accessKeyId": "AKIAEXAMPLE", "userName": name}


def assumed(role, session, source_identity=None):
    ctx = {"sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLE", "userName": role,
                             "arn": f"arn:aws:iam::{ACCT}:role/{role}", "accountId": ACCT},
           "attributes": {"mfaAuthenticated": "false", "creationDate": "2026-10-01T00:00:00Z"}}
    if source_identity:
        ctx["sourceIdentity"] = source_identity
    return {"type": "AssumedRole", "principalId": f"AROAEXAMPLE:{session}",
            "arn": f"arn:aws:sts::{ACCT}:assumed-role/{role}/{session}", "accountId": ACCT,
            "accessKeyId": "ASIAEXAMPLE", "sessionContext": ctx}


def ts(day, h, m=0, s=0, month=10):
    return f"2026-{month:02d}-{day:02d}T{h:02d}:{m:02d}:{s:02d}Z"


def get_object(t, ident, bucket, key, ip, error=None):
    return rec(t, ident, "s3", "GetObject", ip, {"bucketName": bucket, "key": key, "Host": bucket + ".s3"},
               error=error, extra={"eventCategory": "Data", "readOnly": True,
                                   "resources": [{"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::{bucket}/{key}"}],
                                   "additionalEventData": {"bytesTransferredOut": 89.0}})


def access_records():
    alice = assumed("AWSReservedSSO_Admin_abc", "alice@example.com")
    bob = assumed("DataRole", "botocore-session-123", source_identity="bob")
    carol, dave, eve = iam_user("carol"), iam_user("dave"), iam_user("eve")
    root = {"type": "Root", "principalId": ACCT, "arn": f"arn:aws:iam::{ACCT}:root", "accountId": ACCT}
    r = []
    # alice: a September baseline, then 4 October events (2 off-hours, the last from a new IP)
    r.append(rec(ts(15, 2, month=9), alice, "ec2", "DescribeInstances", "203.0.113.10"))
    r.append(rec(ts(6, 0, 30), alice, "ec2", "DescribeInstances", "203.0.113.10"))   # 09:30 KST Tue
    r.append(rec(ts(6, 13, 30), alice, "iam", "ListUsers", "203.0.113.10"))          # 22:30 KST
    r.append(rec(ts(10, 3), alice, "ec2", "DescribeVpcs", "203.0.113.10"))           # Saturday noon
    r.append(rec(ts(20, 2), alice, "iam", "GetUser", "198.51.100.7", {"userName": "carol"}))  # new IP
    # bob (sourceIdentity): 100 GetObject + 1 CopyObject out of the PI bucket on 10-08, one denied
    for i in range(100):
        r.append(get_object(ts(8, 1, 0, 0) if i == 0 else ts(8, 1, i // 60, i % 60), bob, "pii-bucket",
                            f"customers/{i}.csv", "192.0.2.20"))
    r.append(rec(ts(8, 1, 5), bob, "s3", "CopyObject", "192.0.2.20",
                 {"bucketName": "scratch", "key": "x.csv", "x-amz-copy-source": "pii-bucket/customers/1.csv"}))
    r.append(get_object(ts(8, 1, 10), bob, "pii-bucket", "secret.csv", "192.0.2.20", error="AccessDenied"))
    r.append(rec(ts(9, 2), bob, "s3", "ListBuckets", "10.0.0.5", extra={"vpcEndpointId": "vpce-0abc1234"}))
    # carol (IAM user): 120 PI downloads on 10-05 (flagged), 50 on 10-06 (not), 200 from another bucket
    for i in range(120):
        r.append(get_object(ts(5, 1, i // 2, (i % 2) * 30), carol, "pii-bucket", f"a/{i}", "198.51.100.50"))
    for i in range(50):
        r.append(get_object(ts(6, 1, i // 2, (i % 2) * 30), carol, "pii-bucket", f"b/{i}", "198.51.100.50"))
    for i in range(200):
        r.append(get_object(ts(7, 1, i // 6, (i % 6) * 10), carol, "public-assets", f"c/{i}", "198.51.100.50"))
    r.append(rec(ts(7, 3), carol, "signin", "ConsoleLogin", "198.51.100.50", None,
                 resp={"ConsoleLogin": "Failure"},
                 extra={"errorMessage": "Failed authentication", "eventType": "AwsConsoleSignIn"}))
    r.append(rec(ts(7, 3, 5), carol, "kms", "Decrypt", "AWS Internal"))  # a service caller for carol
    # dave: one event either side of the month in KST, one inside (Oct 1 00:30 KST)
    r.append(rec(ts(30, 14, month=9), dave, "sts", "GetCallerIdentity", "192.0.2.99"))   # Sep 30 23:00 KST
    r.append(rec(ts(30, 15, 30, month=9), dave, "sts", "GetCallerIdentity", "192.0.2.99"))  # Oct 1 00:30 KST
    r.append(rec(ts(31, 16), dave, "sts", "GetCallerIdentity", "192.0.2.99"))             # Nov 1 01:00 KST
    r.append(rec(ts(14, 5), eve, "ec2", "RunInstances", "192.0.2.77", error="Client.UnauthorizedOperation"))
    r.append(rec(ts(12, 2), root, "signin", "ConsoleLogin", "192.0.2.1", resp={"ConsoleLogin": "Success"},
                 extra={"eventType": "AwsConsoleSignIn"}))
    r.append(rec(ts(15, 0), {"type": "AWSService", "invokedBy": "cloudtrail.amazonaws.com"}, "kms",
                 "GenerateDataKey", "cloudtrail.amazonaws.com"))
    return r


def write_logs(d, records, parts=3):
    os.makedirs(d, exist_ok=True)
    records = list(records)
    records.reverse()  # out of time order, as CloudTrail delivers them
    for p in range(parts):
        chunk = records[p::parts]
        name = os.path.join(d, f"{ACCT}_CloudTrail_ap-northeast-2_20261001T0000Z_part{p}.json")
        body = json.dumps({"Records": chunk}).encode()
        if p == 0:
            with gzip.open(name + ".gz", "wb") as f:
                f.write(body)
        else:
            with open(name, "wb") as f:
                f.write(body)


def run(*args, profile=None):
    cmd = [ANSIM] + (["--profile-file", profile] if profile else []) + ["trail", "report"] + list(args)
    p = subprocess.run(cmd, capture_output=True, timeout=120)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def by(items, key, value):
    return next((x for x in items if x.get(key) == value), None)


def access_review_json(d):
    rc, out, err = run(d, "--kind", "access-review", "--month", "2026-10", "--pii-buckets", "pii-bucket",
                       "--format", "json")
    ok(rc == 0, f"access-review json exits 0 (got {rc}; {err.strip()[:200]})")
    rep = json.loads(out) if rc == 0 else {}
    t = rep.get("totals", {})
    ok(t == {"people": 6, "events": 481, "service_events": 2, "downloads": 271, "download_days_over_threshold": 2,
             "denied": 3, "off_hours": 3, "new_ips": 2}, f"totals are exact: {t}")
    ok(rep.get("period", {}).get("start") == "2026-09-30T15:00:00Z" and rep["period"]["end"] == "2026-10-31T15:00:00Z",
       f"October in KST is 09-30T15:00Z .. 10-31T15:00Z: {rep.get('period')}")
    people = {p["person"]: p for p in rep.get("people", [])}
    ok(sorted(people) == ["alice@example.com", "bob", "carol", "dave", "eve", "root"],
       f"people resolved (SSO session name, sourceIdentity, IAM users, root): {sorted(people)}")
    ok(people.get("alice@example.com") == {"person": "alice@example.com", "events": 4, "sources": 2, "downloads": 0,
                                           "off_hours": 2, "new_ips": 1, "denied": 0},
       f"alice: 4 events, 2 sources, 2 off-hours, 1 new IP: {people.get('alice@example.com')}")
    ok(people.get("bob") == {"person": "bob", "events": 103, "sources": 2, "downloads": 101, "off_hours": 0,
                             "new_ips": 1, "denied": 1},
       f"bob: 103 events, 101 downloads (GetObject + CopyObject), 1 denied, VPC endpoint new: {people.get('bob')}")
    ok(people.get("carol") == {"person": "carol", "events": 371, "sources": 1, "downloads": 170, "off_hours": 0,
                               "new_ips": 0, "denied": 1},
       f"carol: 371 events, 170 PI downloads (not the 200 elsewhere), failed sign-in denied: {people.get('carol')}")
    ok(people.get("dave", {}).get("events") == 1 and people["dave"]["off_hours"] == 1,
       f"dave: only the Oct 1 00:30 KST event is in the month: {people.get('dave')}")
    ok(rep.get("downloads_over_threshold") == [{"person": "bob", "date": "2026-10-08", "count": 101},
                                               {"person": "carol", "date": "2026-10-05", "count": 120}],
       f"downloads over 100/day: bob 10-08 (101), carol 10-05 (120), not carol 10-06 (50): "
       f"{rep.get('downloads_over_threshold')}")
    ev = rep.get("events", [])
    ok(len(ev) == 483, f"every event is a row (481 people + 2 service callers): {len(ev)}")
    callers = {c["caller"]: c for c in rep.get("service_callers", [])}
    ok(sorted(callers) == ["AWS Internal", "cloudtrail.amazonaws.com"] and callers["AWS Internal"]["events"] == 1
       and callers["AWS Internal"]["on_behalf_of_people"] == 1,
       f"service callers kept apart from people: {rep.get('service_callers')}")
    svc_rows = [e for e in ev if "caller" in e]
    ok(len(svc_rows) == 2 and by(svc_rows, "caller", "AWS Internal")["on_behalf_of"] == "carol",
       "service-caller rows say whom they acted for")
    new = [e for e in ev if "new_ip" in e.get("flags", [])]
    ok(sorted((e["person"], e["source"]) for e in new) == [("alice@example.com", "198.51.100.7"),
                                                          ("bob", "vpce-0abc1234")],
       f"new sources: alice's new IP and bob's VPC endpoint: {[(e['person'], e['source']) for e in new]}")
    a = [e for e in ev if e.get("person") == "alice@example.com"]
    ok(a and a[0]["role"] == "AWSReservedSSO_Admin_abc" and a[0]["time"] == "2026-10-06 09:30:00"
       and a[0]["flags"] == [], f"alice's first October row: role shown, KST time, in hours: {a[:1]}")
    ok([e["flags"] for e in a[1:3]] == [["off_hours"], ["off_hours"]], "22:30 KST and a Saturday are off-hours")
    ok(a[-1]["resource"] == "carol" and a[-1]["action"] == "GetUser" and a[-1]["service"] == "iam",
       f"task = service + action + the request's main name: {a[-1:]}")
    carol_rows = [e for e in ev if e.get("person") == "carol"]
    over = [e for e in carol_rows if "download_over_threshold" in e["flags"]]
    ok(len(over) == 120 and all(e["time"].startswith("2026-10-05") for e in over),
       f"the 120 rows of carol's flagged day are marked ({len(over)})")
    ok(carol_rows[0]["resource"] == "pii-bucket/a/0" and carol_rows[0]["download"] is True,
       f"S3 resource is bucket/key: {carol_rows[0]['resource']}")
    failed_login = by(carol_rows, "action", "ConsoleLogin")
    ok(failed_login and failed_login["outcome"] == "ConsoleLogin Failure" and "denied" in failed_login["flags"],
       f"failed console sign-in is a denied attempt: {failed_login}")
    eve = by(ev, "person", "eve")
    ok(eve and eve["outcome"] == "Client.UnauthorizedOperation" and eve["flags"] == ["denied"],
       f"UnauthorizedOperation is denied: {eve}")
    rt = by(ev, "person", "root")
    ok(rt and rt["flags"] == ["root"] and rt["source"] == "192.0.2.1", f"root is shown as root: {rt}")
    vp = [e for e in ev if e.get("person") == "bob" and e["action"] == "ListBuckets"]
    ok(vp and vp[0]["source"] == "vpce-0abc1234", "source is the VPC endpoint id when vpcEndpointId is set")
    ok("처리한 정보주체" in rep.get("not_in_cloudtrail", {}).get("ko", "")
       and "data subjects" in rep["not_in_cloudtrail"].get("en", ""), "the fifth-field statement is present")
    days = {x["date"]: x for x in rep.get("days", [])}
    ok(len(days) == 31 and days["2026-10-05"]["events"] == 120 and days["2026-10-01"]["events"] == 1
       and days["2026-10-08"]["downloads"] == 101, "per-day table: 31 days, exact counts")


def access_review_tz_and_defaults(d):
    rc, out, _ = run(d, "--kind", "access-review", "--month", "2026-10", "--tz", "+00:00", "--format", "json",
                     "--pii-buckets", "pii-bucket")
    rep = json.loads(out) if rc == 0 else {}
    dave = [e for e in rep.get("events", []) if e.get("person") == "dave"]
    ok(rc == 0 and [e["time_utc"] for e in dave] == ["2026-10-31T16:00:00Z"],
       f"in UTC the month holds dave's Oct 31 16:00Z event instead: {[e['time_utc'] for e in dave]}")
    rc, out, _ = run(d, "--kind", "access-review", "--month", "2026-10", "--format", "json")
    rep = json.loads(out) if rc == 0 else {}
    ok(rc == 0 and rep["settings"]["pii_buckets"] is None and rep["totals"]["downloads"] == 471
       and rep["totals"]["download_days_over_threshold"] == 3,
       f"without --pii-buckets every bucket counts (471 downloads, carol's 200 on 10-07 flagged too): "
       f"{rep.get('totals')}")
    rc, out, _ = run(d, "--kind", "access-review", "--month", "2026-10", "--format", "json",
                     "--pii-buckets", "pii-bucket", "--download-threshold", "110", "--work-hours", "11-23")
    rep = json.loads(out) if rc == 0 else {}
    ok(rc == 0 and [(x["person"], x["count"]) for x in rep["downloads_over_threshold"]] == [("carol", 120)],
       "--download-threshold 110 leaves only carol's 120")
    people = {p["person"]: p for p in rep.get("people", [])}
    # 11-23 KST: alice 09:30 (off), 22:30 (in), Saturday (off), 11:00 (in); dave 00:30 (off);
    # carol's 370 downloads at 10:xx are now off-hours, her 12:00 sign-in is not
    ok(people.get("alice@example.com", {}).get("off_hours") == 2 and people.get("dave", {}).get("off_hours") == 1
       and people.get("carol", {}).get("off_hours") == 370,
       f"--work-hours 11-23 moves the off-hours (carol's 10:xx KST events now count): "
       f"{[(k, v['off_hours']) for k, v in people.items()]}")


def access_review_csv(d):
    rc, out, _ = run(d, "--kind", "access-review", "--month", "2026-10", "--pii-buckets", "pii-bucket",
                     "--format", "csv")
    raw = subprocess.run([ANSIM, "trail", "report", d, "--kind", "access-review", "--month", "2026-10",
                          "--pii-buckets", "pii-bucket", "--format", "csv"], capture_output=True).stdout
    ok(rc == 0 and raw.startswith(b"\xef\xbb\xbf"), "csv starts with a UTF-8 BOM")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    ok(rows and rows[0][1] == "식별자 Identifier" and rows[0][4] == "일시(KST) Date-time (KST)",
       f"Korean+English headers: {rows[0] if rows else None}")
    body = rows[1:]
    ok(len(body) == 483, f"one row per event: {len(body)}")
    flagged = [r for r in body if "download_over_threshold" in r[12]]
    ok(len(flagged) == 221, f"221 rows carry download_over_threshold (101 bob + 120 carol): {len(flagged)}")
    alice_new = [r for r in body if r[1] == "alice@example.com" and "new_ip" in r[12]]
    ok(len(alice_new) == 1 and alice_new[0][4] == "2026-10-20 11:00:00" and alice_new[0][5] == "2026-10-20T02:00:00Z"
       and alice_new[0][6] == "198.51.100.7", f"alice's new-IP row in KST and UTC: {alice_new}")
    svc = [r for r in body if r[0] == "service"]
    ok(len(svc) == 2, "service callers are marked as such")


def perm_records():
    alice = assumed("AWSReservedSSO_Admin_abc", "alice@example.com")
    eve = iam_user("eve")
    d1 = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                              "Resource": "arn:aws:s3:::pii-bucket/*"}]})
    d2 = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*",
                                                              "Resource": "*"}]})
    parn = f"arn:aws:iam::{ACCT}:policy/app"
    t = lambda day: f"2026-03-{day:02d}T01:00:00Z"  # noqa: E731
    return [
        rec(t(1), alice, "iam", "PutRolePolicy", "203.0.113.10",
            {"roleName": "app-role", "policyName": "s3-read", "policyDocument": d1}),
        rec(t(2), alice, "iam", "PutRolePolicy", "203.0.113.10",
            {"roleName": "app-role", "policyName": "s3-read", "policyDocument": d2}),
        rec(t(3), alice, "iam", "AttachUserPolicy", "203.0.113.10",
            {"userName": "carol", "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}),
        rec(t(4), alice, "iam", "DetachUserPolicy", "203.0.113.10",
            {"userName": "carol", "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}),
        rec(t(5), alice, "iam", "CreateAccessKey", "203.0.113.10", {"userName": "carol"},
            resp={"accessKey": {"accessKeyId": "AKIACAROLKEY1", "status": "Active", "userName": "carol",
                                "createDate": "Mar 5, 2026 1:00:00 AM"}}),
        rec(t(6), alice, "iam", "DeleteAccessKey", "203.0.113.10", {"userName": "carol",
                                                                     "accessKeyId": "AKIACAROLKEY1"}),
        rec(t(7), alice, "sso", "CreateAccountAssignment", "203.0.113.10",
            {"instanceArn": "arn:aws:sso:::instance/ssoins-1", "targetId": ACCT, "targetType": "AWS_ACCOUNT",
             "permissionSetArn": "arn:aws:sso:::permissionSet/ssoins-1/ps-1", "principalType": "USER",
             "principalId": "user-123"}),
        rec(t(8), eve, "iam", "PutRolePolicy", "192.0.2.77",
            {"roleName": "app-role", "policyName": "s3-read", "policyDocument": d2}, error="AccessDenied"),
        rec(t(9), alice, "iam", "CreatePolicy", "203.0.113.10", {"policyName": "app", "policyDocument": d1},
            resp={"policy": {"arn": parn, "defaultVersionId": "v1"}}),
        rec(t(10), alice, "iam", "CreatePolicyVersion", "203.0.113.10",
            {"policyArn": parn, "policyDocument": d2, "setAsDefault": True},
            resp={"policyVersion": {"versionId": "v2", "isDefaultVersion": True}}),
        get_object(t(11), alice, "pii-bucket", "x", "203.0.113.10"),
    ], json.loads(d1), json.loads(d2)


def permission_history(tmp):
    d = os.path.join(tmp, "perm")
    records, d1, d2 = perm_records()
    write_logs(d, records, parts=2)
    rc, out, err = run(d, "--kind", "permission-history", "--format", "json")
    ok(rc == 0, f"permission-history exits 0 ({err.strip()[:200]})")
    rep = json.loads(out) if rc == 0 else {}
    ch, failed = rep.get("changes", []), rep.get("failed_attempts", [])
    ok([c["action"] for c in ch] == ["PutRolePolicy", "PutRolePolicy", "AttachUserPolicy", "DetachUserPolicy",
                                     "CreateAccessKey", "DeleteAccessKey", "CreateAccountAssignment", "CreatePolicy",
                                     "CreatePolicyVersion"],
       f"9 changes in time order, the GetObject left out: {[c['action'] for c in ch]}")
    ok(len(ch) == 9 and ch[0]["policy_before"] is None and ch[0]["policy_after"] == d1 and ch[0]["category"] == "grant",
       "first PutRolePolicy: a grant, document after only")
    ok(len(ch) == 9 and ch[1]["policy_before"] == d1 and ch[1]["policy_after"] == d2 and ch[1]["category"] == "change",
       "second PutRolePolicy: a change with the document before and after")
    ok(len(ch) == 9 and ch[1]["who"] == "alice@example.com" and ch[1]["role"] == "AWSReservedSSO_Admin_abc"
       and ch[1]["time"] == "2026-03-02 10:00:00" and ch[1]["source"] == "203.0.113.10",
       "who (the SSO person and role), when (KST), from where")
    ok(len(ch) == 9 and [c["category"] for c in ch[2:4]] == ["grant", "revoke"]
       and "policyArn=arn:aws:iam::aws:policy/ReadOnlyAccess" in ch[2]["target"] and "userName=carol" in ch[3]["target"],
       "attach/detach: grant and revoke with the target user and policy")
    ok(len(ch) == 9 and "accessKeyId=AKIACAROLKEY1" in ch[4]["target"] and ch[5]["category"] == "revoke",
       f"access keys: created key's id named: {ch[4]['target'] if len(ch) > 4 else None}")
    ok(len(ch) == 9 and ch[6]["service"] == "sso" and "principalId=user-123" in ch[6]["target"]
       and "permissionSetArn=arn:aws:sso:::permissionSet/ssoins-1/ps-1" in ch[6]["target"],
       "SSO account assignment with the permission set and principal")
    ok(len(ch) == 9 and ch[8]["policy_before"] == d1 and ch[8]["policy_after"] == d2,
       "CreatePolicyVersion shows the default version it replaced")
    ok(len(failed) == 1 and failed[0]["who"] == "eve" and failed[0]["error_code"] == "AccessDenied",
       f"the denied PutRolePolicy is listed apart: {[f.get('who') for f in failed]}")
    ret = rep.get("retention", {})
    ok(ret.get("regulation") == "pipa-2023" and ret.get("required_days") == 1095
       and ret.get("oldest_event") == "2026-03-01T01:00:00Z" and ret.get("covers") is False,
       f"retention: pipa-2023 needs 1095 days; data from 2026-03 does not cover it: {ret}")
    prof = os.path.join(tmp, "ansim.yaml")
    with open(prof, "w") as f:
        f.write("regulation: pipa-tech-2021\n")
    rc, out, _ = run(d, "--kind", "permission-history", "--format", "json", profile=prof)
    ret = json.loads(out).get("retention", {}) if rc == 0 else {}
    ok(ret.get("regulation") == "pipa-tech-2021" and ret.get("required_days") == 1825,
       f"pipa-tech-2021 profile: 1825 days: {ret}")
    rc, out, _ = run(d, "--kind", "permission-history", "--format", "json", "--since", "2026-03-03",
                     "--until", "2026-03-04")
    rep2 = json.loads(out) if rc == 0 else {}
    ok([c["action"] for c in rep2.get("changes", [])] == ["AttachUserPolicy", "DetachUserPolicy"],
       "--since/--until dates are whole local days (inclusive)")
    rc, out, _ = run(d, "--kind", "permission-history", "--format", "csv")
    rows = list(csv.reader(io.StringIO(out.lstrip("\ufeff"))))
    ok(rc == 0 and len(rows) == 11 and rows[0][0] == "일시(KST) Date-time (KST)",
       f"csv: header + 10 rows (9 changes + 1 failed): {len(rows)}")
    put2 = [r for r in rows if r[9] == "PutRolePolicy" and r[14] == "Success"]
    ok(len(put2) == 2 and json.loads(put2[1][12]) == d1 and json.loads(put2[1][13]) == d2,
       "csv carries the policy documents before/after")
    return d


def html_checks(tmp, d, perm_dir):
    html = os.path.join(tmp, "review.html")
    rc, _, err = run(d, "--kind", "access-review", "--month", "2026-10", "--pii-buckets", "pii-bucket", "-o", html)
    ok(rc == 0 and os.path.getsize(html) > 1000, f"html written with -o ({err.strip()[:200]})")
    text = open(html, encoding="utf-8").read()
    remote = re.search(r"(src|href)\s*=\s*[\"']?\s*(https?:)?//|url\(\s*[\"']?\s*(https?:)?//|@import", text, re.I)
    ok(not remote and "default-src 'none'" in text, "html references no remote resource and forbids loading any")
    ok("<script" not in text, "html has no script")
    phtml = os.path.join(tmp, "perm.html")
    rc, _, _ = run(perm_dir, "--kind", "permission-history", "-o", phtml)
    ok(rc == 0, "permission-history html written")
    if not shutil.which("chromium"):
        ok(False, "chromium not installed")
        return
    for name, path in (("review", html), ("perm", phtml)):
        prof = tempfile.mkdtemp()
        log = os.path.join(tmp, f"chromium-{name}.log")
        with open(log, "w") as lf:
            p = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                                "--enable-logging=stderr", "--v=0", f"--user-data-dir={prof}", "--dump-dom",
                                "file://" + path], stdout=subprocess.PIPE, stderr=lf, timeout=90)
        shutil.rmtree(prof, ignore_errors=True)
        dom = p.stdout.decode("utf-8", "replace")
        if name == "review":
            ok("접속기록 점검 보고서" in dom and "사람별 요약" in dom and "Access-record review" in dom,
               "review DOM: Korean headings with English")
            m = re.search(r'<table id="flag-downloads">(.*?)</table>', dom, re.S)
            rows = re.findall(r'<tr class="flag" data-flags="download_over_threshold"><td>([^<]*)</td><td>([^<]*)'
                              r'</td><td class="n">(\d+)</td>', m.group(1) if m else "")
            ok(rows == [("bob", "2026-10-08", "101"), ("carol", "2026-10-05", "120")],
               f"review DOM: the flagged download rows render: {rows}")
            ok('id="fifth-field"' in dom and "처리한 정보주체" in dom, "review DOM: the fifth-field statement")
            sec = re.findall(r'<section class="person" data-person="([^"]*)"', dom)
            ok(sec == ["alice@example.com", "bob", "carol", "dave", "eve", "root"], f"per-person sections: {sec}")
            ok(dom.count('data-flags="new_ip"') >= 2, "new-IP rows are marked")
        else:
            ok("접근권한 부여·변경·말소 기록" in dom and 'id="changes"' in dom and 'id="failed-attempts"' in dom,
               "perm DOM: Korean title, changes and failed-attempts tables")
            ok(dom.count('<tr data-action="PutRolePolicy">') == 3 and 'data-covers="false"' in dom,
               "perm DOM: the PutRolePolicy rows and the retention statement")
        logtext = open(log, errors="replace").read()
        ok(p.returncode == 0 and "Refused to" not in logtext,
           f"{name}: chromium loaded the page and refused no load under the CSP (nothing tried to load)")


def html_cap(tmp):
    d = os.path.join(tmp, "many")
    u = iam_user("heavy")
    write_logs(d, [rec(f"2026-10-{5 + i // 1000:02d}T01:{(i // 60) % 60:02d}:{i % 60:02d}Z", u, "ec2",
                       "DescribeInstances", "192.0.2.5") for i in range(1200)], parts=2)
    html = os.path.join(tmp, "many.html")
    rc, _, _ = run(d, "--kind", "access-review", "--month", "2026-10", "-o", html)
    text = open(html, encoding="utf-8").read() if rc == 0 else ""
    sec = text.split('data-person="heavy"')[-1]
    ok(rc == 0 and sec.count("<tr>") == 501 and "First 500 of 1200 rows shown" in text,
       f"per-person HTML table capped at 500 rows with a note ({sec.count('<tr>') - 1} rows)")
    rc, out, _ = run(d, "--kind", "access-review", "--month", "2026-10", "--format", "json")
    ok(rc == 0 and len(json.loads(out)["events"]) == 1200, "json holds all 1200 rows")


def real_data():
    inv = os.path.join(REAL, "invictus")
    rc, out, err = run(inv, "--kind", "permission-history", "--format", "json")
    rep = json.loads(out) if rc == 0 else {}
    ok(rc == 0 and "error" not in err.lower() and "could not" not in err,
       f"invictus permission-history exits 0 without errors ({rc}, {err.strip()[:200]})")
    ch = rep.get("changes", [])
    acts = {c["action"] for c in ch}
    ok(len(ch) >= 50 and {"PutRolePolicy", "AttachRolePolicy", "CreateAccessKey", "DeleteLoginProfile",
                          "PutBucketPolicy"} <= acts and rep["files"]["failed"] == [],
       f"invictus: a non-empty history ({len(ch)} changes, {len(acts)} kinds)")
    ok(any(c["policy_after"] for c in ch if c["action"] == "PutRolePolicy"),
       "invictus: PutRolePolicy documents decoded from the policyDocument string")
    rc, out, err = run(inv, "--kind", "access-review", "--month", "2023-07", "--format", "json")
    rep = json.loads(out) if rc == 0 else {}
    ok(rc == 0 and rep.get("totals", {}).get("events", 0) + rep["totals"]["service_events"] == 2900,
       f"invictus access review: every one of the 2,900 records is a row ({rep.get('totals')})")


def errors(tmp, good):
    bad = os.path.join(tmp, "bad")
    os.makedirs(bad)
    shutil.copy(os.path.join(good, f"{ACCT}_CloudTrail_ap-northeast-2_20261001T0000Z_part1.json"), bad)
    with open(os.path.join(bad, "broken.json"), "w") as f:
        f.write('{"Records":[{"eventTime":"2026-10-05T01:00:00Z","eventName":"X"},{"eventTime":')
    with open(os.path.join(bad, "broken.json.gz"), "wb") as f:
        f.write(gzip.compress(b'{"Records":[]}')[:15])
    rc, out, err = run(bad, "--kind", "access-review", "--month", "2026-10", "--format", "json")
    ok(rc == 1, f"malformed files: exit 1 (got {rc})")
    ok("broken.json:" in err and "broken.json.gz" in err, f"the failed files are named: {err.strip()[:300]}")
    rep = json.loads(out) if out.strip() else {}
    ok(len(rep.get("files", {}).get("failed", [])) == 2 and rep["totals"]["events"] > 0,
       "the report is still written, listing the failed files")
    rc, _, err = run(good, "--kind", "nope")
    ok(rc == 2, f"unknown --kind: exit 2 ({err.strip()})")
    rc, _, _ = run(good, "--kind", "access-review", "--month", "2026-13")
    ok(rc == 2, "bad --month: exit 2")
    rc, _, _ = run(good)
    ok(rc == 2, "missing --kind: exit 2")
    rc, _, err = run(os.path.join(tmp, "does-not-exist"), "--kind", "access-review")
    ok(rc == 1, f"missing PATH: exit 1 ({err.strip()})")


def main():
    tmp = tempfile.mkdtemp(prefix="ansim-trail-report-")
    try:
        d = os.path.join(tmp, "logs")
        write_logs(d, access_records())
        access_review_json(d)
        access_review_tz_and_defaults(d)
        access_review_csv(d)
        perm_dir = permission_history(tmp)
        html_checks(tmp, d, perm_dir)
        html_cap(tmp)
        real_data()
        errors(tmp, d)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    finish()


main()
