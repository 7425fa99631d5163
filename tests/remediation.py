#!/usr/bin/env python3
"""tests/remediation.py ANSIM — every control's fix, filled in for real failing resources.

For every control of the built-in catalogue: it has an AWS CLI and a Terraform remediation;
and for every failing finding its fail*.json fixtures produce, the finding carries a
`remediation` with the resource's identifiers filled in (no {{placeholder}} left), the CLI
commands parse as shell (`bash -n`) and the Terraform snippet is canonically formatted
(`terraform fmt -check`; providers cannot be downloaded here, so no `validate`). terraform
must be installed (it is on the CI machines); without it this test fails, never skips.
Prints "ok"/"not ok" lines and "N passed, M failed".
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
from tap import finish, ok  # noqa: E402


def main():
    ansim = os.path.abspath(sys.argv[1])
    tf = shutil.which("terraform")
    tmp = tempfile.mkdtemp()
    env = dict(os.environ, HOME=tmp, TF_CLI_CONFIG_FILE=os.devnull, CHECKPOINT_DISABLE="1")
    try:
        ok(tf is not None, "terraform is installed (needed for `terraform fmt -check`)")
        r = subprocess.run([ansim, "scan", "--no-db", "--snapshot", os.path.join(ROOT, "examples/startup-v0.1.json"),
                            "--format", "json"], capture_output=True, text=True, env=env)
        controls = json.loads(r.stdout)["controls"] if r.stdout else []
        ok(len(controls) > 0, f"the catalogue lists its controls ({len(controls)})")
        for c in controls:
            rem = c.get("remediation") or {}
            ok(bool(rem.get("cli")) and bool(rem.get("terraform")),
               f"{c['id']} has an AWS CLI and a Terraform remediation")
        checked = set()
        for path in sorted(glob.glob(os.path.join(ROOT, "tests/fixtures/controls/*/fail*.json"))):
            cid = os.path.basename(os.path.dirname(path))
            r = subprocess.run([ansim, "scan", "--no-db", "--snapshot", path, "--control", cid, "--format", "json"],
                               capture_output=True, text=True, env=env)
            try:
                findings = [f for f in json.loads(r.stdout)["findings"] if f["status"] == "fail"]
            except (ValueError, KeyError):
                ok(False, f"{cid}: {os.path.basename(path)} scans ({r.stderr.strip()[:200]})")
                continue
            for f in findings:
                what = f"{cid} {f['resource_id']} ({os.path.basename(path)})"
                rem = f.get("remediation")
                if not ok(rem is not None and rem.get("cli") and rem.get("terraform"),
                          f"{what}: the failing finding carries its remediation"):
                    continue
                ok("{{" not in rem["cli"] + rem["terraform"], f"{what}: every placeholder is filled in")
                sh = subprocess.run(["bash", "-n"], input=rem["cli"], capture_output=True, text=True)
                ok(sh.returncode == 0, f"{what}: the CLI commands parse as shell {sh.stderr.strip()[:200]}")
                if tf:
                    fmt = subprocess.run([tf, "fmt", "-check", "-"], input=rem["terraform"], capture_output=True,
                                         text=True, env=env)
                    ok(fmt.returncode == 0, f"{what}: terraform fmt -check {fmt.stdout.strip()[:200]}")
                checked.add(cid)
        ok(len(checked) > 0, f"failing fixtures of {len(checked)} controls rendered")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    finish()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: tests/remediation.py ANSIM_BINARY")
    main()
