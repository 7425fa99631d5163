#!/usr/bin/env python3
"""tests/trail_live.py ANSIM — `ansim trail verify s3://...` against moto (ANSIM_STARTUP_URL).

The digest-chain fixtures of tests/trail/gen_chain.py (our own RSA key) are put into a moto
bucket with the digests' signatures as S3 object metadata, exactly as CloudTrail stores
them. ansim copies the bucket and verifies the copy: the untouched chain is valid, and a
log object overwritten in S3, a deleted digest and a deleted log are each reported exactly.
moto does not implement cloudtrail:ListPublicKeys, so the keys are given with
--public-keys; without them the run must stop with one line naming that call.
"""
import json
import os
import subprocess
import sys
import tempfile
import uuid

import boto3
from botocore.config import Config

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "trail"))
from tap import finish, ok  # noqa: E402
import gen_chain  # noqa: E402

ANSIM = os.path.abspath(sys.argv[1])
URL = os.environ.get("ANSIM_STARTUP_URL")
PREFIX = "audit"


def s3():
    return boto3.client("s3", endpoint_url=URL, region_name="us-east-1", aws_access_key_id="testing",
                        aws_secret_access_key="testing", config=Config(retries={"max_attempts": 1}))


def verify(bucket, *extra):
    env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
    env.pop("AWS_PROFILE", None)
    r = subprocess.run([ANSIM, "--endpoint-url", URL, "--region", "us-east-1", "trail", "verify",
                        f"s3://{bucket}/{PREFIX}", "--format", "json", *extra],
                       capture_output=True, text=True, env=env, timeout=300)
    try:
        doc = json.loads(r.stdout) if r.stdout.strip() else None
    except ValueError:
        doc = None
    return r, doc


def problems(doc):
    return sorted((p["kind"], p["path"]) for p in (doc or {}).get("problems", []))


def main():
    if not ok(URL, "ANSIM_STARTUP_URL is set (run through tests/run.sh, which starts moto)"):
        return finish()
    bucket = "ansim-trail-live-" + uuid.uuid4().hex[:10]
    key = gen_chain.new_key()
    fx = gen_chain.build(key, bucket=bucket, prefix=PREFIX)
    c = s3()
    c.create_bucket(Bucket=bucket)
    for k, data in fx.objects.items():
        c.put_object(Bucket=bucket, Key=k, Body=data, Metadata=fx.metadata.get(k, {}))
    work = tempfile.mkdtemp(prefix="ansim-trail-live-")
    keys = os.path.join(work, "keys")
    gen_chain.write_keys([key], keys)
    ndig = len(gen_chain.all_digests(fx))
    try:
        r, doc = verify(bucket, "--public-keys", keys)
        ok(r.returncode == 0 and doc and doc["digests"] == {"valid": ndig, "invalid": 0, "missing": 0}
           and doc["logs"] == {"valid": len(fx.logs), "invalid": 0, "missing": 0} and doc["problems"] == [],
           f"the chain copied from S3 verifies: {ndig} digests, {len(fx.logs)} logs (exit {r.returncode})",
           r.stderr + r.stdout[:300])

        cache = os.path.join(work, "cache")
        r, doc = verify(bucket, "--public-keys", keys, "--cache", cache)
        kept = sum(len(f) for _, _, f in os.walk(cache))
        ok(r.returncode == 0 and kept == 2 * len(fx.objects),
           f"--cache keeps the copy with its sidecars ({kept} files)", r.stderr)

        r, doc = verify(bucket)
        lines = [l for l in r.stderr.splitlines() if l.strip()]
        ok(r.returncode == 1 and doc is None and len(lines) == 1 and "ListPublicKeys" in lines[0],
           "without --public-keys the keys come from cloudtrail:ListPublicKeys (moto lacks it: one error line)",
           r.stderr)

        chain = fx.chains[("ap-northeast-2", False)]
        log = chain[1]["logs"][0]
        c.put_object(Bucket=bucket, Key=log, Body=gen_chain.gz(b'{"Records":[{"eventName":"Forged"}]}'))
        r, doc = verify(bucket, "--public-keys", keys)
        ok(r.returncode == 3 and problems(doc) == [("log_invalid", log)],
           "a log object overwritten in S3 is the one log_invalid", json.dumps(problems(doc)))

        c.put_object(Bucket=bucket, Key=log, Body=fx.objects[log])
        gone = chain[2]["key"]
        c.delete_object(Bucket=bucket, Key=gone)
        r, doc = verify(bucket, "--public-keys", keys)
        kinds = [k for k, p in problems(doc)]
        ok(r.returncode == 3 and ("digest_missing", gone) in problems(doc)
           and set(kinds) <= {"digest_missing", "log_invalid"},
           "a digest deleted from S3 is reported digest_missing (its logs: not listed)", json.dumps(problems(doc)))

        c.put_object(Bucket=bucket, Key=gone, Body=fx.objects[gone], Metadata=fx.metadata[gone])
        lost = chain[3]["logs"][1]
        c.delete_object(Bucket=bucket, Key=lost)
        r, doc = verify(bucket, "--public-keys", keys)
        ok(r.returncode == 3 and problems(doc) == [("log_missing", lost)],
           "a log deleted from S3 is the one log_missing", json.dumps(problems(doc)))

        r, doc = verify("ansim-no-such-bucket-" + uuid.uuid4().hex[:8], "--public-keys", keys)
        ok(r.returncode == 1 and "NoSuchBucket" in r.stderr and len(r.stderr.strip().splitlines()) == 1,
           "a missing bucket: exit 1 and one line naming the error", r.stderr)
    finally:
        objs = c.list_objects_v2(Bucket=bucket).get("Contents", [])
        for o in objs:
            c.delete_object(Bucket=bucket, Key=o["Key"])
        c.delete_bucket(Bucket=bucket)
        subprocess.run(["rm", "-rf", work])
    return finish()


if __name__ == "__main__":
    sys.exit(main())
