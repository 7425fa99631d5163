#!/usr/bin/env python3
"""tests/trail_verify.py ANSIM — `ansim trail verify` on generated, signed CloudTrail
fixtures (tests/trail/gen_chain.py): a clean chain passes with every count right; each
tampering gives exit 3 and exactly the expected problems (kind + path); broken inputs give
exit 1 or the right problem, never a crash. awscli's own Sha256RSADigestValidator is run on
every digest as an independent oracle for the signature verdicts."""
import base64
import datetime as dt
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "trail"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_chain as g  # noqa: E402
from tap import finish, ok  # noqa: E402
from awscli.customizations.cloudtrail.validation import DigestError, Sha256RSADigestValidator  # noqa: E402

ANSIM = sys.argv[1] if len(sys.argv) > 1 else "build/ansim"
TMP = tempfile.mkdtemp(prefix="ansim-trail-verify-")
KEY, OTHER = g.new_key(), g.new_key()
KEYS = os.path.join(TMP, "keys")
g.write_keys([KEY], KEYS)
R0, R1 = "ap-northeast-2", "us-east-1"
agree = {"n": 0, "bad": []}


def run(root, keys=KEYS, *extra):
    args = [ANSIM, "trail", "verify", root] + (["--public-keys", keys] if keys else []) + list(extra)
    p = subprocess.run(args + ["--format", "json"] if "--format" not in extra else args,
                       capture_output=True, text=True, timeout=120)
    try:
        doc = json.loads(p.stdout) if p.stdout.strip().startswith("{") else None
    except ValueError:
        doc = None
    return p.returncode, doc, p.stderr


def fixture(name, **kw):
    fx = g.build(KEY, seed=7, **kw)
    root = os.path.join(TMP, name)
    g.write(fx, root)
    return fx, root


def probs(doc):
    return sorted((p["kind"], p["path"]) for p in doc["problems"]) if doc else None


def chain(fx, region, backfill=False):
    return fx.chains[(region, backfill)]


def signature_of(root, rel):
    """The signature ansim would use: the sidecar's, else a digest's previousDigestSignature naming it."""
    sc = os.path.join(root, rel) + ".meta.json"
    if os.path.exists(sc):
        with open(sc) as f:
            sig = json.load(f).get("metadata", {}).get("signature")
        if sig:
            return sig
    for dirpath, _, files in os.walk(root):
        for n in files:
            if "CloudTrail-Digest" in dirpath and n.endswith(".json.gz"):
                try:
                    with open(os.path.join(dirpath, n), "rb") as f:
                        d = json.loads(gzip.decompress(f.read()))
                except Exception:
                    continue
                if d.get("previousDigestS3Object") and rel.endswith(d["previousDigestS3Object"]):
                    return d.get("previousDigestSignature")
    return None


def oracle(fx, root, doc, name):
    """awscli's validator on every digest ansim judged by its signature; the verdicts must agree."""
    by_path = {}
    for p in doc["problems"]:
        by_path.setdefault(p["path"], []).append(p)
    for dirpath, _, files in os.walk(root):
        for n in files:
            if "CloudTrail-Digest" not in dirpath or not n.endswith(".json.gz"):
                continue
            rel = os.path.relpath(os.path.join(dirpath, n), root)
            mine = [p for p in by_path.get(rel, []) if p["kind"] in ("digest_invalid", "unknown_key")]
            if any(p["kind"] == "unknown_key" or "signature" not in p["detail"] or "not available" in p["detail"]
                   for p in mine):
                continue  # ansim stopped before the signature (moved, unreadable, no key, no signature)
            with open(os.path.join(dirpath, n), "rb") as f:
                inflated = gzip.decompress(f.read())
            data = json.loads(inflated)
            data["_signature"] = signature_of(root, rel)
            key = fx.keys.get(data["digestPublicKeyFingerprint"])
            try:
                Sha256RSADigestValidator().validate(fx.bucket, rel, base64.b64encode(g.pub_der(key)), data, inflated)
                theirs = True
            except DigestError:
                theirs = False
            agree["n"] += 1
            if theirs != (not mine):
                agree["bad"].append(f"{name}: {rel} awscli {theirs} ansim {not mine}")


def expect(name, root, want, fx=None, keys=KEYS, detail=None):
    rc, doc, err = run(root, keys)
    got = probs(doc)
    ok(rc == (3 if want else 0) and got == sorted(want),
       f"{name}: exit {3 if want else 0} and exactly {sorted(want)} (exit {rc}, {got}, {err.strip()[:200]})")
    if detail and doc:
        ok(all(detail in p["detail"] for p in doc["problems"] if p["kind"] == want[0][0]),
           f"{name}: detail says \"{detail}\" ({[p['detail'] for p in doc['problems']]})")
    if fx and doc:
        oracle(fx, root, doc, name)
    return doc


# ---- the clean chain ----
fx, root = fixture("clean")
doc = expect("clean chain", root, [], fx)
ok(doc and doc["digests"] == {"valid": len(g.all_digests(fx)), "invalid": 0, "missing": 0}
   and doc["logs"] == {"valid": len(fx.logs), "invalid": 0, "missing": 0},
   f"clean chain: {len(g.all_digests(fx))} digests and {len(fx.logs)} log files valid ({doc and doc['digests']}, "
   f"{doc and doc['logs']})")
ok(any(not d["logs"] for d in g.all_digests(fx)) and
   all(c[0]["key"] for c in fx.chains.values()), "the fixture holds an empty digest and starting digests")

# layouts: root/<bucket>/<key>, a key prefix, an organization trail
for name, kw, bucket_dir in [("bucket directory", {}, True), ("key prefix", {"prefix": "audit/prod"}, False),
                             ("organization trail", {"org": "o-a1b2c3d4e5"}, False)]:
    f2 = g.build(KEY, seed=3, **kw)
    r2 = os.path.join(TMP, name.replace(" ", "-"))
    g.write(f2, r2, bucket_dir=bucket_dir)
    rc, d2, err = run(r2)
    ok(rc == 0 and d2 and d2["digests"]["valid"] == len(g.all_digests(f2)) and d2["logs"]["valid"] == len(f2.logs),
       f"{name} layout verifies clean (exit {rc}, {d2 and d2['digests']}, {err.strip()[:200]})")

# keys as PEM, PKCS#1 and SubjectPublicKeyInfo
for spki in (False, True):
    kd = os.path.join(TMP, f"pem-{spki}")
    g.write_keys([KEY], kd, pem=True, spki=spki)
    rc, d2, err = run(root, kd)
    ok(rc == 0 and d2 and d2["digests"]["valid"] == len(g.all_digests(fx)),
       f"--public-keys with a {'SPKI' if spki else 'PKCS#1'} .pem file (exit {rc}, {err.strip()[:200]})")

# no sidecars: every digest but each chain's newest is proven by the next one's previousDigestSignature
f3 = g.build(KEY, seed=7)
r3 = os.path.join(TMP, "no-sidecars")
g.write(f3, r3, sidecars=False)
newest = [c[-1]["key"] for c in f3.chains.values()]
d3 = expect("no sidecars", r3, [("digest_invalid", k) for k in newest], f3,
            detail="signature not available: no sidecar and no later digest")
ok(d3 and d3["digests"]["valid"] == len(g.all_digests(f3)) - len(newest),
   f"no sidecars: the older digests are valid through the chain ({d3 and d3['digests']})")


# ---- each tampering ----
def tampered(name):
    f, r = fixture(name.replace(" ", "-"))
    return f, r


f, r = tampered("edit log")
lk = chain(f, R0)[1]["logs"][0]
g.edit_log(r, lk)
expect("edit a log", r, [("log_invalid", lk)], f, detail="hash value doesn't match")

f, r = tampered("delete log")
lk = chain(f, R1)[3]["logs"][2]
g.delete(r, lk)
expect("delete a log", r, [("log_missing", lk)], f)

f, r = tampered("delete digest")
d = chain(f, R0)[2]
g.delete(r, d["key"])
expect("delete a digest", r, [("digest_missing", d["key"])] + [("log_invalid", k) for k in d["logs"]], f)

f, r = tampered("edit digest")
dk = chain(f, R0)[2]["key"]
g.edit_digest(r, dk)
expect("edit a digest", r, [("digest_invalid", dk)], f, detail="signature verification failed")

f, r = tampered("edit newest digest")
dk = chain(f, R1)[-1]["key"]
g.edit_digest(r, dk)
expect("edit the newest digest (proven by its sidecar only)", r, [("digest_invalid", dk)], f)

f, r = fixture("restart", restart_at=(R0, 3))
expect("break the chain: a starting digest mid-sequence", r, [("chain_gap", chain(f, R0)[3]["key"])], f,
       detail="new chain starts")

f, r = fixture("bad-prev-sig", bad_prev_sig_at=(R0, 3))
expect("break the chain: wrong previousDigestSignature", r, [("chain_gap", chain(f, R0)[3]["key"])], f,
       detail="previousDigestSignature")

f, r = fixture("time-gap", time_gap_at=(R1, 2))
expect("break the chain: an hour missing between linked digests", r, [("chain_gap", chain(f, R1)[2]["key"])], f,
       detail="digestStartTime")

f, r = fixture("other-key", other_key=OTHER, other_key_at=(R0, 2))
expect("sign with an unknown key", r, [("unknown_key", chain(f, R0)[2]["key"])], f)
both = os.path.join(TMP, "both-keys")
g.write_keys([KEY, OTHER], both)
expect("the same digests with both keys given", r, [], f, keys=both)

f, r = tampered("append member")
lk = chain(f, R1)[0]["logs"][1]
g.append_member(r, lk)
expect("append a gzip member to a log", r, [("log_invalid", lk)], f,
       detail="unexpected data after end of compressed stream")

f, r = tampered("move digest")
dk = chain(f, R0)[2]["key"]
nk = dk.replace("/2026/11/02/", "/2026/11/09/")
g.move_digest(f, r, dk, nk)
expect("move a digest", r, [("digest_invalid", nk), ("digest_missing", dk)], f,
       detail="has been moved from its original location")

f, r = tampered("move digest without sidecars")
for k in f.objects:
    os.remove(os.path.join(r, k) + ".meta.json")
dk = chain(f, R1)[1]["key"]
nk = dk.replace("/2026/11/02/", "/2026/10/30/")
os.makedirs(os.path.dirname(os.path.join(r, nk)), exist_ok=True)
os.rename(os.path.join(r, dk), os.path.join(r, nk))
newest = [c[-1]["key"] for c in f.chains.values()]
expect("move a digest (no sidecars: its path is its location)", r,
       [("digest_invalid", nk), ("digest_missing", dk)] + [("digest_invalid", k) for k in newest], f)

f, r = tampered("inject log")
lk = g.inject_log(f, r, R0, g.BASE + dt.timedelta(hours=1, minutes=10))
expect("inject an unlisted log file", r, [("log_invalid", lk)], f, detail="not listed in any digest")

f, r = tampered("inject new log")
lk = g.inject_log(f, r, R0, g.BASE + dt.timedelta(hours=9))
expect("a log file newer than the newest digest is not yet listed (no problem)", r, [], f)

# ---- broken inputs ----
f, r = tampered("malformed digest")
d = chain(f, R0)[1]
with open(os.path.join(r, d["key"]), "wb") as fh:
    fh.write(g.gz(b'{"digestS3Object": "AWSLogs\\/'))
expect("malformed digest JSON", r, [("digest_invalid", d["key"])] + [("log_invalid", k) for k in d["logs"]], f,
       detail="invalid format")

f, r = tampered("truncated digest")
d = chain(f, R1)[2]  # the empty digest: nothing else is affected
with open(os.path.join(r, d["key"]), "rb+") as fh:
    n = len(fh.read())
    fh.truncate(n // 2)
expect("truncated gzip digest", r, [("digest_invalid", d["key"])], f, detail="invalid format")

f, r = tampered("field missing")
d = chain(f, R0)[4]
g._rewrite_gz(r, d["key"], lambda b: g.aws_json({k: v for k, v in json.loads(b).items() if k != "digestEndTime"}))
expect("a digest without digestEndTime", r, [("digest_invalid", d["key"])] + [("log_invalid", k) for k in d["logs"]],
       f, detail="digestEndTime")

f, r = tampered("not gzip log")
lk = chain(f, R0)[0]["logs"][0]
with open(os.path.join(r, lk), "wb") as fh:
    fh.write(b'{"Records":[]}')
expect("a log file that is not gzip", r, [("log_invalid", lk)], f, detail="invalid format")

rc, _, err = run(os.path.join(TMP, "does-not-exist"))
ok(rc == 1 and "no such directory" in err, f"missing PATH: exit 1 with a message (exit {rc}, {err.strip()})")
os.makedirs(os.path.join(TMP, "empty"))
rc, _, err = run(os.path.join(TMP, "empty"))
ok(rc == 1 and "no CloudTrail digest files" in err, f"a tree without digests never passes: exit 1 ({rc}, {err.strip()})")
rc, _, err = run(root, None)
ok(rc == 2 and "--public-keys" in err, f"no --public-keys: usage error (exit {rc})")
rc, _, err = run("s3://Not_A_Bucket/prefix")
ok(rc == 2 and "is not s3://BUCKET" in err, f"a malformed s3:// path: usage error (exit {rc}; the live path: tests/trail_live.py)")
bad = os.path.join(TMP, "badkeys")
os.makedirs(bad)
with open(os.path.join(bad, "0123456789abcdef0123456789abcdef.der"), "wb") as fh:
    fh.write(g.pub_der(KEY))
rc, _, err = run(root, bad)
ok(rc == 1 and "fingerprint" in err, f"a key file named by another fingerprint: exit 1 ({rc}, {err.strip()})")
rc, _, err = run(root, KEYS, "--format", "xml")
ok(rc == 2, f"unknown --format: exit 2 ({rc})")

# ---- output forms ----
out = os.path.join(TMP, "out.json")
p = subprocess.run([ANSIM, "trail", "verify", root, "--public-keys", KEYS, "-o", out], capture_output=True, text=True)
ok(p.returncode == 0 and json.load(open(out))["digests"]["valid"] == len(g.all_digests(fx)),
   "-o FILE.json writes the JSON result")
p = subprocess.run([ANSIM, "--lang", "ko", "trail", "verify", r, "--public-keys", KEYS, "--format", "tty"],
                   capture_output=True, text=True)
ok(p.returncode == 3 and "로그 파일" in p.stdout and lk in p.stdout, "--format tty --lang ko: Korean summary naming the file")
p = subprocess.run([ANSIM, "--lang", "en", "trail", "verify", root, "--public-keys", KEYS, "--format", "tty"],
                   capture_output=True, text=True)
ok(p.returncode == 0 and "intact" in p.stdout, "--format tty --lang en: all intact")

ok(agree["n"] >= 150 and not agree["bad"],
   f"awscli Sha256RSADigestValidator agrees with ansim on {agree['n']} digest signature verdicts {agree['bad'][:5]}")
print(f"# oracle agreement: {agree['n']} digests, {len(agree['bad'])} disagreements")
shutil.rmtree(TMP, ignore_errors=True)
finish()
