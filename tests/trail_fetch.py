#!/usr/bin/env python3
"""tests/trail_fetch.py ANSIM — `ansim trail fetch` against the moto servers tests/run.sh starts.

Seeds fresh buckets on the permissive moto (ANSIM_STARTUP_URL) with boto3: a trail under a
prefix in two regions over five days (gzip'd logs, some stored with Content-Encoding: gzip;
digests with signature metadata), an organisation trail, and objects that must be ignored.
Checks the copied bytes and every sidecar field against S3, --since/--until selection, that
a second run skips everything, that a deleted file, a deleted sidecar and a truncated file
are fetched again, a missing bucket, and hostile keys. The buckets are deleted at the end.
(The strict moto, ANSIM_MOTO_URL, cannot be used: moto 5.2.1 rejects the SigV4 signature of
any S3 request whose query holds an encoded '/' — boto3's own ListObjectsV2 with
Prefix="AWSLogs/" gets SignatureDoesNotMatch there too.)
"""
import datetime
import gzip
import os
import shutil
import subprocess
import sys
import tempfile
import uuid

import boto3
from botocore.config import Config

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import finish, ok  # noqa: E402

ANSIM = os.path.abspath(sys.argv[1])
URL = os.environ.get("ANSIM_STARTUP_URL")
ACCT, MEMBER, ORG = "111122223333", "222233334444", "o-abcd123456"
PREFIX = "audit/trails"
REGIONS = ["us-east-1", "ap-northeast-2"]
DAYS = [datetime.date(2024, 1, d) for d in range(4, 9)]
DIGEST_TIMES = ["003000", "010000", "013000", "233000"]


def client():
    return boto3.client("s3", endpoint_url=URL, region_name="us-east-1", aws_access_key_id="testing",
                        aws_secret_access_key="testing", config=Config(retries={"max_attempts": 1}))


def log_key(base, region, day, n):
    stamp = day.strftime("%Y%m%d")
    return (f"{base}/CloudTrail/{region}/{day:%Y/%m/%d}/{base.split('/')[-1]}_CloudTrail_{region}_"
            f"{stamp}T{10 + n:02d}05Z_{uuid.uuid4().hex[:16]}.json.gz")


def digest_key(base, region, day, hhmmss):
    acct = base.split("/")[-1]
    return (f"{base}/CloudTrail-Digest/{region}/{day:%Y/%m/%d}/{acct}_CloudTrail-Digest_{region}_trail_"
            f"us-east-1_{day:%Y%m%d}T{hhmmss}Z.json.gz")


def seed(s3, bucket):
    """Creates the trail objects; returns {key: (bytes, kind, day)} of those fetch must copy."""
    s3.create_bucket(Bucket=bucket)
    want = {}
    base = f"{PREFIX}/AWSLogs/{ACCT}"
    for region in REGIONS:
        for day in DAYS:
            for n in range(2):
                body = gzip.compress(f'{{"Records":[{{"eventName":"E{n}","day":"{day}"}}]}}'.encode())
                key = log_key(base, region, day, n)
                extra = {"ContentEncoding": "gzip", "ContentType": "application/json"} if n == 0 else {}
                s3.put_object(Bucket=bucket, Key=key, Body=body, **extra)
                want[key] = (body, "log", day)
            for t in DIGEST_TIMES:
                body = gzip.compress(f'{{"digestEndTime":"{day}T{t}"}}'.encode())
                key = digest_key(base, region, day, t)
                sig = uuid.uuid4().hex * 16
                s3.put_object(Bucket=bucket, Key=key, Body=body,
                              Metadata={"signature": sig, "signature-algorithm": "SHA256withRSA"})
                want[key] = (body, "digest", day)
    # an organisation trail: AWSLogs/o-ID/ACCOUNT/...
    obase = f"{PREFIX}/AWSLogs/{ORG}/{MEMBER}"
    body = gzip.compress(b'{"Records":[]}')
    key = log_key(obase, "us-east-1", DAYS[1], 0)
    s3.put_object(Bucket=bucket, Key=key, Body=body)
    want[key] = (body, "log", DAYS[1])
    # not CloudTrail, or not under the prefix: ignored
    for k in [f"{PREFIX}/readme.txt", f"{PREFIX}/AWSLogs/{ACCT}/Config/us-east-1/2024/01/05/cfg.json.gz",
              f"AWSLogs/{ACCT}/CloudTrail/us-east-1/2024/01/05/{ACCT}_CloudTrail_us-east-1_20240105T1005Z_noprefix.json.gz",
              f"{PREFIX}/AWSLogs/{ACCT}/CloudTrail/us-east-1/2024/01/05/notes.txt",
              f"{PREFIX}/AWSLogs/notanaccount/CloudTrail/us-east-1/2024/01/05/x.json.gz"]:
        s3.put_object(Bucket=bucket, Key=k, Body=b"ignore me")
    return want


def run(*args, env_extra=None):
    env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
    env.pop("AWS_PROFILE", None)
    env.update(env_extra or {})
    return subprocess.run([ANSIM, *args], capture_output=True, text=True, env=env, timeout=300)


def fetch(bucket, out, *extra, url=None, env_extra=None):
    return run("--endpoint-url", url or URL, "--region", "us-east-1", "trail", "fetch", f"s3://{bucket}/{PREFIX}/",
               out, *extra, env_extra=env_extra)


def files_under(d):
    got = set()
    for root, _, names in os.walk(d):
        for n in names:
            got.add(os.path.relpath(os.path.join(root, n), d))
    return got


def summary(p):
    """(objects, fetched, skipped, failed) from the summary line, or None."""
    for line in p.stdout.splitlines():
        if line.startswith("trail fetch: "):
            w = line.split()
            return int(w[2]), int(w[4]), int(w[6]), int(w[8])
    return None


def check_copy(s3, bucket, out, want):
    keys = set(want)
    ok(files_under(out) == keys | {k + ".meta.json" for k in keys},
       "exactly the trail's objects and their sidecars are written (nothing ignored is)")
    same = all(open(os.path.join(out, k), "rb").read() == want[k][0] for k in keys)
    ok(same, "every file holds the object's bytes (gzip kept, also with Content-Encoding: gzip)")
    bad = []
    import json
    for k in keys:
        head = s3.head_object(Bucket=bucket, Key=k)
        meta = json.load(open(os.path.join(out, k + ".meta.json")))
        lm = head["LastModified"].astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        exp = {"bucket": bucket, "key": k, "size": head["ContentLength"], "etag": head["ETag"].strip('"'),
               "last_modified": lm, "metadata": head["Metadata"]}
        if meta != exp:
            bad.append((k, meta, exp))
    ok(not bad, f"every sidecar's bucket, key, size, etag, last_modified and metadata match S3 {bad[:1]}")
    sigs = [json.load(open(os.path.join(out, k + ".meta.json")))["metadata"] for k in keys if want[k][1] == "digest"]
    ok(sigs and all(len(m.get("signature", "")) == 512 and m.get("signature-algorithm") == "SHA256withRSA"
                    for m in sigs), f"the {len(sigs)} digest sidecars hold signature and signature-algorithm")


def test_main(s3, tmp):
    bucket = f"trail-fetch-{uuid.uuid4().hex[:12]}"
    want = seed(s3, bucket)
    out = os.path.join(tmp, "copy")
    p = fetch(bucket, out)
    n = len(want)
    ok(p.returncode == 0 and summary(p) == (n, n, 0, 0), f"first run fetches all {n} objects: {p.stdout!r} {p.stderr!r}")
    check_copy(s3, bucket, out, want)
    p = fetch(bucket, out, "--max-concurrency", "1")
    ok(p.returncode == 0 and summary(p) == (n, 0, n, 0), f"second run fetches 0 and skips {n}: {p.stdout!r}")
    logs = sorted(k for k in want if want[k][1] == "log")
    digests = sorted(k for k in want if want[k][1] == "digest")
    os.unlink(os.path.join(out, logs[3]))
    os.unlink(os.path.join(out, digests[5] + ".meta.json"))
    with open(os.path.join(out, logs[7]), "r+b") as f:
        f.truncate(5)
    p = fetch(bucket, out)
    ok(p.returncode == 0 and summary(p) == (n, 3, n - 3, 0),
       f"a deleted file, a deleted sidecar and a truncated file are fetched again, nothing else: {p.stdout!r}")
    check_copy(s3, bucket, out, want)
    leftovers = [f for f in files_under(out) if ".tmp." in f]
    ok(not leftovers, "no temporary files are left behind")

    # --since/--until: days 5 and 6, plus the digests within an hour after the 6th
    sel = os.path.join(tmp, "sel")
    p = fetch(bucket, sel, "--since", "2024-01-05", "--until", "2024-01-06", "--max-concurrency", "3")
    lo, hi = datetime.date(2024, 1, 5), datetime.date(2024, 1, 6)
    exp = {k for k, (_, kind, day) in want.items() if lo <= day <= hi}
    exp |= {k for k, (_, kind, day) in want.items() if kind == "digest" and day == datetime.date(2024, 1, 7)
            and (k.endswith("T003000Z.json.gz") or k.endswith("T010000Z.json.gz"))}
    got = {f for f in files_under(sel) if not f.endswith(".meta.json")}
    ok(p.returncode == 0 and got == exp,
       f"--since 2024-01-05 --until 2024-01-06 selects exactly {len(exp)} objects (got {len(got)}; "
       f"missing {sorted(exp - got)[:2]}, extra {sorted(got - exp)[:2]})")
    ok(any("CloudTrail-Digest" in k and "20240107T010000Z" in k for k in got) and
       not any("20240107T013000Z" in k for k in got) and not any("/2024/01/07/" in k and "Digest" not in k for k in got),
       "the day after --until: digests ending within the hour (00:30, 01:00) are fetched, later ones and logs are not")
    sel2 = os.path.join(tmp, "sel2")
    p = fetch(bucket, sel2, "--since", "2024-01-05T18:00:00Z", "--until", "2024-01-06T03:00:00+00:00")
    got2 = {f for f in files_under(sel2) if not f.endswith(".meta.json")}
    ok(p.returncode == 0 and got2 == exp, "RFC 3339 bounds select by their days: the same objects")
    sel3 = os.path.join(tmp, "sel3")
    p = fetch(bucket, sel3, "--since", "2024-01-08")
    exp3 = {k for k, (_, kind, day) in want.items() if day >= datetime.date(2024, 1, 8)}
    got3 = {f for f in files_under(sel3) if not f.endswith(".meta.json")}
    ok(p.returncode == 0 and got3 == exp3 and len(exp3) == 12, f"--since alone: the last day's {len(exp3)} objects")
    sel4 = os.path.join(tmp, "sel4")
    p = fetch(bucket, sel4, "--until", "2024-01-04")
    exp4 = {k for k, (_, kind, day) in want.items() if day == datetime.date(2024, 1, 4)}
    exp4 |= {k for k, (_, kind, day) in want.items() if kind == "digest" and day == datetime.date(2024, 1, 5)
             and (k.endswith("T003000Z.json.gz") or k.endswith("T010000Z.json.gz"))}
    got4 = {f for f in files_under(sel4) if not f.endswith(".meta.json")}
    ok(p.returncode == 0 and got4 == exp4, f"--until alone: the first day and the next hour's digests ({len(exp4)})")
    return bucket


def test_errors(s3, tmp):
    missing = f"trail-fetch-missing-{uuid.uuid4().hex[:8]}"
    p = fetch(missing, os.path.join(tmp, "missing"))
    lines = p.stderr.strip().splitlines()
    ok(p.returncode == 1 and len(lines) == 1 and "ListObjectsV2" in lines[0] and "NoSuchBucket" in lines[0]
       and missing in lines[0], f"a missing bucket: exit 1 with one line naming the call: {p.stderr!r}")
    ok(not os.path.exists(os.path.join(tmp, "missing")) or not files_under(os.path.join(tmp, "missing")),
       "a missing bucket writes nothing")

    bucket = f"trail-fetch-hostile-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    base = f"{PREFIX}/AWSLogs/{ACCT}/CloudTrail/us-east-1/2024/01/05"
    good = f"{base}/{ACCT}_CloudTrail_us-east-1_20240105T1005Z_good.json.gz"
    evil = f"{base}/../../../../../../../../../../evil.json.gz"
    s3.put_object(Bucket=bucket, Key=good, Body=gzip.compress(b"{}"))
    s3.put_object(Bucket=bucket, Key=evil, Body=b"pwned")
    s3.put_object(Bucket=bucket, Key=f"{PREFIX}/AWSLogs/../../x.json.gz", Body=b"pwned")
    s3.put_object(Bucket=bucket, Key="AWSLogs/../../x.json.gz", Body=b"pwned")
    area = os.path.join(tmp, "hostile")
    out = os.path.join(area, "a", "b", "dir")
    os.makedirs(out)
    p = fetch(bucket, out)
    outside = [f for f in files_under(area) if not f.startswith(os.path.join("a", "b", "dir") + os.sep)]
    ok(p.returncode == 1 and evil in p.stderr and "unsafe key" in p.stderr,
       f"a key with '..' components: exit 1 naming the key: {p.stderr!r}")
    ok(not outside and not any("evil" in f or f.endswith("x.json.gz") for f in files_under(area)),
       f"nothing is written outside DIR or for a hostile key: {outside}")
    ok(os.path.exists(os.path.join(out, good + ".meta.json")) and summary(p) == (2, 1, 0, 1),
       f"the other objects are still fetched: {p.stdout!r}")
    return bucket


def main():
    if not ok(URL, "ANSIM_STARTUP_URL is set (run through tests/run.sh, which starts moto)"):
        finish()
    s3 = client()
    tmp = tempfile.mkdtemp()
    buckets = []
    try:
        buckets.append(test_main(s3, tmp))
        buckets.append(test_errors(s3, tmp))
    except Exception as e:  # a harness failure is a failure, never a skip
        ok(False, f"test harness: {type(e).__name__}: {e}")
    finally:
        for b in buckets:  # leave the shared account as it was
            try:
                for page in s3.get_paginator("list_objects_v2").paginate(Bucket=b):
                    for o in page.get("Contents", []):
                        s3.delete_object(Bucket=b, Key=o["Key"])
                s3.delete_bucket(Bucket=b)
            except Exception as e:
                ok(False, f"cleaning up {b}: {e}")
        shutil.rmtree(tmp, ignore_errors=True)
    finish()


if __name__ == "__main__":
    main()
