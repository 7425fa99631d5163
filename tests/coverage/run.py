#!/usr/bin/env python3
"""tests/coverage/run.py ANSIM — every control of spec/controls.tsv, live against moto.

Starts one permissive moto server on 127.0.0.1 (a free port), lets every seed module
tests/coverage/seed_*.py plant its resources (each module's seed(url, regions) returns the
findings `ansim scan` must then produce as (control_id, resource_id, status) tuples), runs a
live `ansim scan --format json` against it, and checks
  - every control id of ../shared/spec/controls.tsv appears in the findings (an id with no
    applicable resource still reports not_applicable at account or region scope), and
  - every expectation of every seed module.
Prints one "ok"/"not ok" line per check and closes with "N passed, M failed".
"""
import glob
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TSV = os.path.join(ROOT, "..", "shared", "spec", "controls.tsv")
REGIONS = ["us-east-1", "ap-northeast-2"]

sys.path.insert(0, os.path.dirname(HERE))
from motoserver import start  # noqa: E402
from tap import finish, ok  # noqa: E402


def main():
    ansim = os.path.abspath(sys.argv[1])
    tmp = tempfile.mkdtemp()
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1",
                      AWS_EC2_METADATA_DISABLED="true")
    for k in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        os.environ.pop(k, None)
    proc, url = start(tmp, managed_policies=True)
    if not ok(proc is not None, f"moto server answers on {url}"):
        finish()
    try:
        expectations = []
        for path in sorted(glob.glob(os.path.join(HERE, "seed_*.py"))):
            name = os.path.basename(path)[:-3]
            try:
                spec = importlib.util.spec_from_file_location(name, path)
                mod = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(mod)
                got = list(mod.seed(url, REGIONS))
                ok(True, f"{name} seeded ({len(got)} expectations)")
                expectations += [(name,) + tuple(e) for e in got]
            except Exception as e:  # a seed that cannot plant is a failure, never a skip
                ok(False, f"{name} seeded: {type(e).__name__}: {e}")
        out = os.path.join(tmp, "scan.json")
        env = dict(os.environ, HOME=tmp, XDG_DATA_HOME=os.path.join(tmp, "xdg"))
        r = subprocess.run([ansim, "scan", "--endpoint-url", url, "--region", ",".join(REGIONS), "--no-db",
                            "--format", "json", "-o", out], capture_output=True, text=True, env=env, cwd=tmp)
        if not ok(r.returncode in (0, 3) and os.path.exists(out),
                  f"live scan exits 0 or 3 (got {r.returncode}: {r.stderr.strip()[-300:]})"):
            finish()
        with open(out) as f:
            findings = json.load(f)["findings"]
        by_control = {}
        for fd in findings:
            by_control.setdefault(fd["control_id"], []).append(fd)
        with open(TSV) as f:
            ids = [line.split("\t")[0] for line in f.read().splitlines()[1:] if line.strip()]
        for cid in ids:
            st = sorted({fd["status"] for fd in by_control.get(cid, [])})
            ok(bool(st), f"{cid} is evaluated ({', '.join(st) or 'no finding'})")
        for mod, cid, rid, status in expectations:
            got = [fd["status"] for fd in by_control.get(cid, []) if fd["resource_id"] == rid]
            ok(status in got, f"{mod}: {cid} {rid} is {status} (got {', '.join(got) or 'no finding'})")
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)
    finish()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: tests/coverage/run.py ANSIM_BINARY")
    main()
