#!/usr/bin/env python3
"""tests/trail/gen_chain.py — CloudTrail digest-chain fixtures signed with our own RSA key.

Builds what CloudTrail would have put in a trail bucket over a few hours: per source region
one log file every few minutes (gzip -n of {"Records":[...]}) and one digest per hour, each
digest listing that hour's log files with their SHA-256, chained to the previous one and
signed (SHA256withRSA over "END\\nBUCKET/KEY\\nSHA256(inflated)\\nPREVSIG|null", the signature
kept as S3 metadata). Then writes it to a directory with a fetch sidecar
("<file>.meta.json") per object, the public key as <fingerprint>.der (PKCS#1) and .pem, and
offers tamper functions that change the written tree as an attacker (or an accident) would.

Use as a module:
    key = new_key(); fx = build(key, seed=1)
    objects, metadata = fx.objects, fx.metadata      # S3 key -> bytes, S3 key -> user metadata
    write(fx, "/tmp/t"); write_keys([key], "/tmp/keys")
or as a command:  gen_chain.py OUT_DIR KEYS_DIR [--seed N] [--hours H] [--logs-per-hour N]
                  [--log-bytes N]   (a big chain for timing)
Deterministic given the seed, except the RSA key.
"""
import argparse
import datetime as dt
import gzip
import hashlib
import json
import os
import random
import shutil
import string

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

ACCOUNT = "111122223333"
BUCKET = "ansim-trail-bucket"
TRAIL = "org-audit"
HOME = "ap-northeast-2"
BASE = dt.datetime(2026, 11, 2, 0, 0, 31, tzinfo=dt.timezone.utc)


# ---- keys ----

def new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pub_der(key):
    """PKCS#1 RSAPublicKey DER, what cloudtrail:ListPublicKeys returns (base64) as Value."""
    return key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)


def fingerprint(key):
    return hashlib.md5(pub_der(key)).hexdigest()


def write_keys(keys, keys_dir, pem=False, spki=False):
    """One <fingerprint>.der (PKCS#1) per key, or .pem (SubjectPublicKeyInfo when spki)."""
    os.makedirs(keys_dir, exist_ok=True)
    for k in keys:
        fp = fingerprint(k)
        if pem:
            fmt = serialization.PublicFormat.SubjectPublicKeyInfo if spki else serialization.PublicFormat.PKCS1
            data = k.public_key().public_bytes(serialization.Encoding.PEM, fmt)
            name = fp + ".pem"
        else:
            data, name = pub_der(k), fp + ".der"
        with open(os.path.join(keys_dir, name), "wb") as f:
            f.write(data)


def sign(key, msg):
    return key.sign(msg.encode(), padding.PKCS1v15(), hashes.SHA256()).hex()


def string_to_sign(end, bucket, obj, inflated, prev_sig):
    return f"{end}\n{bucket}/{obj}\n{hashlib.sha256(inflated).hexdigest()}\n{prev_sig or 'null'}"


# ---- content ----

def ts(t, secs=True):
    return t.strftime("%Y%m%dT%H%M%SZ" if secs else "%Y%m%dT%H%MZ")


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def gz(data):
    return gzip.compress(data, compresslevel=6, mtime=0)  # gzip -n: no name, no time


EVENTS = [("iam.amazonaws.com", "AttachUserPolicy", False), ("s3.amazonaws.com", "GetObject", True),
          ("signin.amazonaws.com", "ConsoleLogin", False), ("ec2.amazonaws.com", "DescribeInstances", True),
          ("sts.amazonaws.com", "AssumeRole", True), ("kms.amazonaws.com", "Decrypt", True)]


def record(rng, region, when):
    src, name, ro = rng.choice(EVENTS)
    user = rng.choice(["alice", "bob", "dba-kim", "ops-lee"])
    return {
        "eventVersion": "1.09",
        "userIdentity": {"type": "IAMUser", "principalId": "AIDA" + "".join(rng.choices(string.ascii_uppercase, k=16)),
                         "arn": f"arn:aws:iam::{ACCOUNT}:user/{user}", "accountId": ACCOUNT,
                         "accessKeyId": "AKIA" + "".join(rng.choices(string.ascii_uppercase + string.digits, k=16)),
                         "userName": user},
        "eventTime": iso(when), "eventSource": src, "eventName": name, "awsRegion": region,
        "sourceIPAddress": f"203.0.113.{rng.randrange(1, 255)}",
        "userAgent": "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64.debian.12",
        "requestParameters": {"bucketName": "customer-pii", "key": f"exports/{rng.randrange(10**6)}.csv"}
        if name == "GetObject" else None,
        "responseElements": None,
        "requestID": "".join(rng.choices(string.ascii_uppercase + string.digits, k=16)),
        "eventID": "%08x-%04x-%04x-%04x-%012x" % (rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(16),
                                                  rng.getrandbits(16), rng.getrandbits(48)),
        "readOnly": ro, "eventType": "AwsApiCall", "managementEvent": name != "GetObject",
        "recipientAccountId": ACCOUNT, "eventCategory": "Management" if name != "GetObject" else "Data",
    }


def log_body(rng, region, when, nrec, pad=0):
    recs = [record(rng, region, when - dt.timedelta(seconds=rng.randrange(300))) for _ in range(nrec)]
    if pad:  # bulk for timing runs: more records until the body is about pad bytes
        one = len(json.dumps(recs[0], separators=(",", ":")))
        recs += [record(rng, region, when) for _ in range(max(0, pad // one - nrec))]
    return json.dumps({"Records": recs}, separators=(",", ":")).encode()


def aws_json(obj):
    """Digest JSON the way AWS writes it: compact, with escaped slashes (the hash is over these bytes)."""
    return json.dumps(obj, separators=(",", ":")).replace("/", "\\/").encode()


# ---- the chain ----

class Fixture:
    """objects: S3 key -> stored bytes; metadata: S3 key -> user metadata (digests only);
    chains: (region, backfill) -> [{"key","start","end","logs":[keys]}] oldest first; logs:
    every log key; bucket, prefix, keys (fingerprint -> private key)."""

    def __init__(self, bucket, prefix):
        self.bucket, self.prefix = bucket, prefix
        self.objects, self.metadata, self.chains, self.logs, self.keys = {}, {}, {}, [], {}
        self.inflated = {}  # digest key -> inflated bytes


def _base(prefix, org):
    return (prefix + "/" if prefix else "") + "AWSLogs/" + (org + "/" if org else "") + ACCOUNT


def digest_key(base, region, end, backfill=False):
    return (f"{base}/CloudTrail-Digest/{region}/{end:%Y/%m/%d}/{ACCOUNT}_CloudTrail-Digest_{region}_{TRAIL}_{HOME}_"
            f"{ts(end)}{'_backfill' if backfill else ''}.json.gz")


def log_key(base, region, when, rng):
    uniq = "".join(rng.choices(string.ascii_letters + string.digits, k=16))
    return f"{base}/CloudTrail/{region}/{when:%Y/%m/%d}/{ACCOUNT}_CloudTrail_{region}_{ts(when, False)}_{uniq}.json.gz"


def _add_log(fx, rng, base, region, when, nrec, pad):
    key = log_key(base, region, when, rng)
    body = log_body(rng, region, when, nrec, pad)
    fx.objects[key] = gz(body)
    fx.logs.append(key)
    return key, {"s3Bucket": fx.bucket, "s3Object": key, "hashValue": hashlib.sha256(body).hexdigest(),
                 "hashAlgorithm": "SHA-256", "newestEventTime": iso(when), "oldestEventTime": iso(when)}


def _add_digest(fx, key_obj, dkey, start, end, entries, prev, backfill=None, prev_sig_override=None):
    """prev: the previous digest's (key, inflated, signature) or None for a starting digest."""
    doc = {"awsAccountId": ACCOUNT, "digestStartTime": iso(start), "digestEndTime": iso(end),
           "digestS3Bucket": fx.bucket, "digestS3Object": dkey,
           "digestPublicKeyFingerprint": fingerprint(key_obj), "digestSignatureAlgorithm": "SHA256withRSA",
           "newestEventTime": max((e["newestEventTime"] for e in entries), default=None),
           "oldestEventTime": min((e["oldestEventTime"] for e in entries), default=None),
           "previousDigestS3Bucket": fx.bucket if prev else None, "previousDigestS3Object": prev[0] if prev else None,
           "previousDigestHashValue": hashlib.sha256(prev[1]).hexdigest() if prev else None,
           "previousDigestHashAlgorithm": "SHA-256" if prev else None,
           "previousDigestSignature": (prev_sig_override or prev[2]) if prev else None,
           "logFiles": entries}
    body = aws_json(doc)
    sig = sign(key_obj, string_to_sign(iso(end), fx.bucket, dkey, body, doc["previousDigestSignature"]))
    fx.objects[dkey], fx.inflated[dkey] = gz(body), body
    fx.metadata[dkey] = {"signature": sig, "signature-algorithm": "SHA256withRSA"}
    if backfill:
        fx.metadata[dkey]["backfill-generation-timestamp"] = iso(backfill)
    return dkey, body, sig


def build(key, seed=1, regions=("ap-northeast-2", "us-east-1"), hours=5, logs_per_hour=3, records=4,
          bucket=BUCKET, prefix="", org=None, backfill=True, restart_at=None, time_gap_at=None,
          bad_prev_sig_at=None, other_key=None, other_key_at=None, log_bytes=0):
    """A chain per region over hours hours. Hour 0 is a starting digest; the middle hour of
    the second region is an empty digest. Options (each a (region, hour) pair) rebuild the
    chain as CloudTrail would have signed it: restart_at — a new starting digest there;
    time_gap_at — that digest starts an hour after the previous one ended; bad_prev_sig_at —
    its previousDigestSignature is wrong (yet signed); other_key_at — signed by other_key."""
    rng = random.Random(seed)
    fx = Fixture(bucket, prefix)
    fx.keys[fingerprint(key)] = key
    if other_key:
        fx.keys[fingerprint(other_key)] = other_key
    base = _base(prefix, org)
    for ri, region in enumerate(regions):
        prev, chain, shift = None, [], dt.timedelta(0)
        for h in range(hours):
            if time_gap_at == (region, h):
                shift += dt.timedelta(hours=1)
            start, end = BASE + dt.timedelta(hours=h) + shift, BASE + dt.timedelta(hours=h + 1) + shift
            empty = ri == 1 and h == hours // 2
            entries, keys = [], []
            for j in range(0 if empty else logs_per_hour):
                when = start + dt.timedelta(minutes=5 + 12 * j, seconds=rng.randrange(60))
                k, e = _add_log(fx, rng, base, region, when, records, log_bytes)
                keys.append(k)
                entries.append(e)
            if restart_at == (region, h):
                prev = None
            signer = other_key if other_key_at == (region, h) else key
            dkey = digest_key(base, region, end)
            prev = _add_digest(fx, signer, dkey, start, end, entries, prev,
                               prev_sig_override="ab" * 256 if bad_prev_sig_at == (region, h) else None)
            chain.append({"key": dkey, "start": iso(start), "end": iso(end), "logs": keys})
        fx.chains[(region, False)] = chain
    if backfill:  # one late log file of the first region, listed by a backfill digest
        region = regions[0]
        when = BASE + dt.timedelta(minutes=44)
        k, e = _add_log(fx, rng, base, region, when, records, log_bytes)
        start, end = BASE, BASE + dt.timedelta(hours=1)
        dkey = digest_key(base, region, end, backfill=True)
        _add_digest(fx, key, dkey, start, end, [e], None, backfill=BASE + dt.timedelta(hours=hours, minutes=7))
        fx.chains[(region, True)] = [{"key": dkey, "start": iso(start), "end": iso(end), "logs": [k]}]
    return fx


# ---- writing ----

def sidecar(fx, key, data, key_override=None):
    return {"bucket": fx.bucket, "key": key_override or key, "size": len(data),
            "etag": '"' + hashlib.md5(data).hexdigest() + '"', "last_modified": "2026-11-02T12:00:00Z",
            "metadata": fx.metadata.get(key, {})}


def path_of(root, fx, key, bucket_dir=False):
    return os.path.join(root, fx.bucket, key) if bucket_dir else os.path.join(root, key)


def write(fx, root, sidecars=True, bucket_dir=False):
    """Objects at root/<key> (or root/<bucket>/<key>), each with its sidecar."""
    for key, data in fx.objects.items():
        p = path_of(root, fx, key, bucket_dir)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data)
        if sidecars:
            with open(p + ".meta.json", "w") as f:
                json.dump(sidecar(fx, key, data), f)


# ---- tampering (on a written tree with root/<key> layout) ----

def all_digests(fx):
    return [d for c in fx.chains.values() for d in c]


def _rewrite_gz(root, key, fn):
    p = os.path.join(root, key)
    with open(p, "rb") as f:
        body = gzip.decompress(f.read())
    with open(p, "wb") as f:
        f.write(gz(fn(body)))


def edit_log(root, key):
    """One event's name changed; the file re-compressed (the digest's hash no longer fits)."""
    _rewrite_gz(root, key, lambda b: b.replace(b'"eventName":"', b'"eventName":"X', 1))


def delete(root, key):
    os.remove(os.path.join(root, key))
    if os.path.exists(os.path.join(root, key) + ".meta.json"):
        os.remove(os.path.join(root, key) + ".meta.json")


def edit_digest(root, key):
    """A digest's newestEventTime moved by a second (its signature no longer verifies)."""
    def fn(b):
        doc = json.loads(b)
        t = doc.get("newestEventTime") or "2026-11-02T00:00:00Z"
        doc["newestEventTime"] = t[:-2] + ("%02d" % ((int(t[-3:-1]) + 1) % 60)) + "Z"
        return aws_json(doc)
    _rewrite_gz(root, key, fn)


def append_member(root, key):
    """A second gzip member appended to a log file (readers that take every member see it)."""
    with open(os.path.join(root, key), "ab") as f:
        f.write(gz(b'{"Records":[{"eventName":"Injected"}]}'))


def move_digest(fx, root, key, new_key):
    """The digest copied to another key and the original removed; the sidecar says where it
    now is, as `trail fetch` would have written it."""
    src, dst = os.path.join(root, key), os.path.join(root, new_key)
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    shutil.move(src, dst)
    os.remove(src + ".meta.json")
    with open(dst, "rb") as f:
        data = f.read()
    with open(dst + ".meta.json", "w") as f:
        json.dump(sidecar(fx, key, data, key_override=new_key), f)


def inject_log(fx, root, region, when, seed=99):
    """A log file no digest lists, named like CloudTrail's; returns its key."""
    rng = random.Random(seed)
    key = log_key(_base(fx.prefix, None), region, when, rng)
    p = os.path.join(root, key)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "wb") as f:
        f.write(gz(log_body(rng, region, when, 2)))
    return key


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("keys")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--hours", type=int, default=5)
    ap.add_argument("--logs-per-hour", type=int, default=3)
    ap.add_argument("--log-bytes", type=int, default=0, help="pad each log file to about this many bytes")
    a = ap.parse_args()
    key = new_key()
    fx = build(key, seed=a.seed, hours=a.hours, logs_per_hour=a.logs_per_hour, log_bytes=a.log_bytes)
    write(fx, a.out)
    write_keys([key], a.keys)
    print(f"{len(all_digests(fx))} digests, {len(fx.logs)} log files, key {fingerprint(key)}")


if __name__ == "__main__":
    main()
