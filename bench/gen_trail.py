#!/usr/bin/env python3
"""bench/gen_trail.py OUT_DIR [TOTAL_MB] — synthetic CloudTrail logs for `make bench`.

Writes OUT_DIR/json/*.json ({"Records":[...]} documents of ~10 MB, compact like CloudTrail's
own) and OUT_DIR/gz/*.json.gz (the same files gzip'd), TOTAL_MB in all (default 1100), plus
OUT_DIR/big.json (all records in one file, for the memory bound) and OUT_DIR/expected.json
(how many records of each planted kind). Deterministic: a fixed seed, no input files. Reuses
an existing OUT_DIR made by the same version and size.
"""
import gzip, json, os, random, sys, uuid

VERSION = 3
ACCT = "111122223333"
REGIONS = ["ap-northeast-2", "us-east-1", "ap-northeast-1"]
USERS = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"]
ROLES = ["ops-admin", "data-analyst", "ci-deploy", "readonly-audit"]


def ident(rng):
    k = rng.random()
    if k < 0.45:
        u = rng.choice(USERS)
        return {"type": "IAMUser", "principalId": "AIDA" + "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ234567") for _ in range(17)),
                "arn": f"arn:aws:iam::{ACCT}:user/{u}", "accountId": ACCT, "accessKeyId": "AKIAEXAMPLE" + str(rng.randrange(10**8)).zfill(9),
                "userName": u}
    if k < 0.999:  # root is rare in real logs
        r, s = rng.choice(ROLES), rng.choice(USERS) + "@example.co.kr"
        return {"type": "AssumedRole", "principalId": f"AROAEXAMPLEROLEID:{s}", "arn": f"arn:aws:sts::{ACCT}:assumed-role/{r}/{s}",
                "accountId": ACCT, "accessKeyId": "ASIAEXAMPLE" + str(rng.randrange(10**8)).zfill(9),
                "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLEROLEID", "arn": f"arn:aws:iam::{ACCT}:role/{r}",
                                                     "accountId": ACCT, "userName": r},
                                   "webIdFederationData": {}, "attributes": {"creationDate": "2026-10-01T00:00:00Z", "mfaAuthenticated": "true"}}}
    return {"type": "Root", "principalId": ACCT, "arn": f"arn:aws:iam::{ACCT}:root", "accountId": ACCT, "accessKeyId": "ASIAEXAMPLEROOT0000"}


def record(rng, kind):
    t = f"2026-10-{rng.randrange(1, 32):02d}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}Z"
    ip = f"203.0.113.{rng.randrange(256)}" if rng.random() < 0.7 else f"198.51.100.{rng.randrange(256)}"
    r = {"eventVersion": "1.09", "userIdentity": ident(rng), "eventTime": t, "awsRegion": rng.choice(REGIONS),
         "sourceIPAddress": ip, "userAgent": rng.choice(["aws-cli/2.15.30 Python/3.11.8 Linux/6.1 exe/x86_64.debian.12",
                                                         "Boto3/1.34.1 md/Botocore#1.34.1 ua/2.0 os/linux#6.1 lang/python#3.11.7",
                                                         "console.amazonaws.com"]),
         "requestID": str(uuid.UUID(int=rng.getrandbits(128))), "eventID": str(uuid.UUID(int=rng.getrandbits(128))),
         "readOnly": True, "eventType": "AwsApiCall", "managementEvent": True, "recipientAccountId": ACCT,
         "eventCategory": "Management",
         "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256", "clientProvidedHostHeader": "example.amazonaws.com"}}
    if kind == "getobject":
        b, key = "customer-pii-" + rng.choice(["kr", "jp"]), f"exports/{rng.randrange(10**6)}.csv"
        r.update(eventSource="s3.amazonaws.com", eventName="GetObject", managementEvent=False, eventCategory="Data",
                 requestParameters={"bucketName": b, "Host": f"{b}.s3.ap-northeast-2.amazonaws.com", "key": key},
                 responseElements=None,
                 additionalEventData={"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256", "bytesTransferredIn": 0,
                                      "AuthenticationMethod": "AuthHeader", "x-amz-id-2": "EXAMPLE" * 6, "bytesTransferredOut": rng.randrange(100, 10**6)},
                 resources=[{"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::{b}/{key}"},
                            {"accountId": ACCT, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{b}"}])
    elif kind == "describe":
        r.update(eventSource="ec2.amazonaws.com", eventName=rng.choice(["DescribeInstances", "DescribeVolumes", "DescribeSecurityGroups"]),
                 requestParameters={"maxResults": 1000, "filterSet": {}, "instancesSet": {}}, responseElements=None)
    elif kind == "assume":
        r.update(eventSource="sts.amazonaws.com", eventName="AssumeRole",
                 requestParameters={"roleArn": f"arn:aws:iam::{ACCT}:role/{rng.choice(ROLES)}", "roleSessionName": rng.choice(USERS), "durationSeconds": 3600},
                 responseElements={"credentials": {"accessKeyId": "ASIAEXAMPLE", "sessionToken": "REDACTED", "expiration": "Oct 1, 2026, 1:00:00 AM"},
                                   "assumedRoleUser": {"assumedRoleId": "AROAEXAMPLE:x", "arn": f"arn:aws:sts::{ACCT}:assumed-role/x/y"}})
    elif kind == "iamread":
        r.update(eventSource="iam.amazonaws.com", eventName=rng.choice(["ListUsers", "GetUser", "ListAttachedRolePolicies"]),
                 awsRegion="us-east-1", requestParameters={"maxItems": 100}, responseElements=None)
    elif kind == "login_nomfa":
        r.update(eventSource="signin.amazonaws.com", eventName="ConsoleLogin", eventType="AwsConsoleSignIn", readOnly=False,
                 userIdentity={"type": "IAMUser", "principalId": "AIDAEXAMPLE", "arn": f"arn:aws:iam::{ACCT}:user/{rng.choice(USERS)}",
                               "accountId": ACCT, "userName": rng.choice(USERS)},
                 requestParameters=None, responseElements={"ConsoleLogin": "Success"},
                 additionalEventData={"LoginTo": "https://console.aws.amazon.com/", "MobileVersion": "No", "MFAUsed": "No"})
    elif kind == "attach":
        r.update(eventSource="iam.amazonaws.com", eventName="AttachUserPolicy", readOnly=False, awsRegion="us-east-1",
                 requestParameters={"userName": rng.choice(USERS), "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"},
                 responseElements=None)
    elif kind == "denied":
        r.update(eventSource="s3.amazonaws.com", eventName="ListBuckets", errorCode="AccessDenied", errorMessage="Access Denied",
                 requestParameters={"Host": "s3.amazonaws.com"}, responseElements=None)
    return r


KINDS = [("getobject", 40), ("describe", 25), ("assume", 12), ("iamread", 15), ("denied", 6), ("login_nomfa", 1), ("attach", 1)]


def main():
    out = sys.argv[1]
    total_mb = int(sys.argv[2]) if len(sys.argv) > 2 else 1100
    stamp = os.path.join(out, "expected.json")
    if os.path.exists(stamp):
        try:
            e = json.load(open(stamp))
            if e.get("version") == VERSION and e.get("total_mb") == total_mb:
                print(f"gen_trail: reusing {out}", file=sys.stderr)
                return
        except ValueError:
            pass
    os.makedirs(os.path.join(out, "json"), exist_ok=True)
    os.makedirs(os.path.join(out, "gz"), exist_ok=True)
    rng = random.Random(20261125)
    weights = [w for _, w in KINDS]
    pool = []  # 20,000 distinct records, cycled: generation stays fast and the data realistic
    counts_pool = []
    for _ in range(20000):
        k = rng.choices([k for k, _ in KINDS], weights)[0]
        pool.append(json.dumps(record(rng, k), separators=(",", ":")))
        counts_pool.append(k)
    counts = {k: 0 for k, _ in KINDS}
    target, per_file, written, n = total_mb * 1000 * 1000, 10 * 1000 * 1000, 0, 0
    big = open(os.path.join(out, "big.json.tmp"), "w")
    big.write('{"Records":[')
    first_big = True
    i = 0
    while written < target:
        parts, size = [], 0
        while size < per_file:
            j = rng.randrange(len(pool))
            parts.append(pool[j])
            counts[counts_pool[j]] += 1
            size += len(pool[j]) + 1
            i += 1
        body = '{"Records":[' + ",".join(parts) + "]}"
        name = f"{ACCT}_CloudTrail_ap-northeast-2_20261001T{n // 60 % 24:02d}{n % 60:02d}Z_bench{n:08d}"
        with open(os.path.join(out, "json", name + ".json"), "w") as f:
            f.write(body)
        with gzip.open(os.path.join(out, "gz", name + ".json.gz"), "wb", compresslevel=6) as f:
            f.write(body.encode())
        big.write(("" if first_big else ",") + ",".join(parts))
        first_big = False
        written += len(body)
        n += 1
    big.write("]}")
    big.close()
    os.replace(os.path.join(out, "big.json.tmp"), os.path.join(out, "big.json"))
    json.dump({"version": VERSION, "total_mb": total_mb, "files": n, "bytes": written, "records": i, "kinds": counts},
              open(stamp, "w"), indent=1)
    print(f"gen_trail: {n} files, {written / 1e6:.0f} MB, {i} records", file=sys.stderr)


if __name__ == "__main__":
    main()
