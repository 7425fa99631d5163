#!/usr/bin/env python3
"""tests/baseline.py ANSIM — `ansim baseline` output as the tools that will read it see it.

Every model in every format, greenfield and in gap mode over the bundled example snapshots:
CloudFormation through cfn-lint (no errors), Terraform through `terraform fmt -check`
(providers cannot be downloaded here, so no `validate`), the scripts through `bash -n`.
Then the promises of the header: nothing that deletes, disables or opens outside comments;
every step names what it makes pass; no secret from the snapshot in any file; hostile
parameter values stay inert; bad arguments give one line and exit 2."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
from tap import finish, ok  # noqa: E402

MODELS = ["standard", "shared", "network-separation", "account"]
FORMATS = ["cloudformation", "terraform", "cli"]
TAKE_AWAY = re.compile(r"\baws\s+\S+\s+(delete-|disable-|deactivate-|detach-|revoke-|terminate-|stop-|remove-|"
                       r"deregister-|disassociate-|cancel-|reject-|purge-)")
# the secrets the example snapshots carry (fake but shaped like real ones) must never be copied
SECRET_SHAPES = re.compile(r"(?<![A-Z0-9])(AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])|aws_secret_access_key|SecretString")


def run(args, env, **kw):
    return subprocess.run(args, capture_output=True, text=True, env=env, timeout=300, **kw)


def check_files(ansim_out, summary, fmt, what, env, tf, cfnlint):
    files = summary.get("files", [])
    ok(len(files) == (2 if summary["model"] == "shared" else 1), f"{what}: one file per account ({files})")
    for rel in files:
        path = os.path.join(ansim_out, rel)
        text = open(path, encoding="utf-8").read()
        ok("SAFETY: ansim applied nothing" in text and "never disables, deletes or opens" in text,
           f"{what}: {rel} says in its header that it applies nothing and takes nothing away")
        code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
        bad = TAKE_AWAY.search(code)
        ok(bad is None, f"{what}: {rel} runs no command that deletes, disables or opens",
           bad.group(0) if bad else None)
        ok(SECRET_SHAPES.search(text) is None, f"{what}: {rel} holds no access key or secret")
        ok("{{" not in code.replace("{{resolve:", ""), f"{what}: {rel} has no unfilled template placeholder")
        if fmt == "cloudformation":
            r = run([cfnlint, "--format", "parseable", path], env)
            errors = [l for l in r.stdout.splitlines() if re.search(r":E\d{4}:", l)]
            ok(r.returncode in (0, 4, 8, 12) and not errors and "Traceback" not in r.stderr,
               f"{what}: cfn-lint finds no error in {rel}", (r.stdout + r.stderr)[:1500])
        elif fmt == "terraform":
            r = run([tf, "fmt", "-check", "-diff", path], env)
            ok(r.returncode == 0, f"{what}: terraform fmt -check {rel}", (r.stdout + r.stderr)[:1500])
        else:
            r = run(["bash", "-n", path], env)
            ok(r.returncode == 0, f"{what}: bash -n {rel}", r.stderr)
            ok(os.access(path, os.X_OK), f"{what}: {rel} is executable")
            ok("set -euo pipefail" in text and "ansim_run()" in text, f"{what}: {rel} stops on the first error and "
               "records finished steps")


def main():
    ansim = os.path.abspath(sys.argv[1])
    tf, cfnlint = shutil.which("terraform"), shutil.which("cfn-lint")
    tmp = tempfile.mkdtemp()
    env = dict(os.environ, HOME=tmp, TF_CLI_CONFIG_FILE=os.devnull, CHECKPOINT_DISABLE="1", LANG="C.UTF-8")
    env.pop("AWS_ENDPOINT_URL", None)
    try:
        ok(tf is not None, "terraform is installed (needed for `terraform fmt -check`)")
        ok(cfnlint is not None, "cfn-lint is installed (pip install cfn-lint)")
        if not tf or not cfnlint:
            return
        base = ["--no-db", "--region", "ap-northeast-2,ap-northeast-1"]
        sets = ["--set", "notification_email=security@example.com"]
        for model in MODELS:
            for fmt in FORMATS:
                out = os.path.join(tmp, f"g-{model}-{fmt}")
                what = f"greenfield {model} {fmt}"
                r = run([ansim, *base, "baseline", "--model", model, "--format", fmt, "-o", out, *sets], env)
                if not ok(r.returncode == 0, f"{what}: exit 0", r.stderr):
                    continue
                summary = json.load(open(os.path.join(out, "summary.json")))
                ok(summary["mode"] == "greenfield" and summary["model"] == model, f"{what}: summary says what it is")
                steps = summary["steps"]
                ok(len([s for s in steps if s["automated"]]) >= 3, f"{what}: the model has steps ({len(steps)})")
                made = {c for s in steps if s["automated"] for c in s["controls"]}
                least = {"standard": 20, "account": 8, "network-separation": 4, "shared": 5}[model]
                ok(len(made) >= least and set(summary["targets"]) == made,
                   f"{what}: the steps make at least {least} controls pass ({len(made)}), all in targets")
                ok(all(s.get("why") for s in steps if not s["automated"]),
                   f"{what}: every manual step says why")
                check_files(out, summary, fmt, what, env, tf, cfnlint)
            if model == "network-separation":
                r = run([ansim, *base, "baseline", "--model", model, "--format", "cli"], env)
                ok(r.returncode == 0 and "ALLOWED_UPDATE_DOMAINS" in r.stdout,
                   "network-separation: the allowed update domains are a parameter of the script")

        # parameters: the retention follows the profile; a value given with --set is quoted
        prof = os.path.join(tmp, "ansim.yaml")
        with open(prof, "w") as f:
            f.write("regulation: pipa-tech-2021\n")
        r = run([ansim, *base, "--profile-file", prof, "baseline", "--model", "account", "--format", "terraform"],
                env)
        ok(r.returncode == 0 and re.search(r'variable "log_retention_days" \{[^}]*default\s+= 1825', r.stdout),
           "account terraform: the log retention comes from the profile (former standard: 5 years = 1825 days)",
           r.stdout[-800:] + r.stderr)
        evil = "x'; touch /tmp/ansim-pwned; echo '$(id)`id`"
        r = run([ansim, *base, "baseline", "--model", "standard", "--format", "cli", "--set",
                 f"notification_email={evil}"], env)
        script = os.path.join(tmp, "evil.sh")
        open(script, "w").write(r.stdout)
        ok(r.returncode == 0 and run(["bash", "-n", script], env).returncode == 0,
           "a hostile --set value still gives a script bash can parse")
        ok("NOTIFICATION_EMAIL='x'\\''; touch /tmp/ansim-pwned; echo '\\''$(id)`id`'" in r.stdout,
           "the hostile value is one single-quoted word (nothing in it runs)")

        # gap mode over the example accounts
        for snap in ["startup-v0.1.json", "startup-v1.0.json"]:
            path = os.path.join(ROOT, "examples", snap)
            scan = json.loads(run([ansim, "scan", "--no-db", "--snapshot", path, "--format", "json"], env).stdout)
            failing = {(f["control_id"], f["resource_id"]) for f in scan["findings"] if f["status"] == "fail"}
            for model in MODELS:
                for fmt in FORMATS:
                    out = os.path.join(tmp, f"gap-{snap}-{model}-{fmt}")
                    what = f"gap {snap} {model} {fmt}"
                    r = run([ansim, *base, "baseline", "--model", model, "--format", fmt, "--snapshot", path,
                             "-o", out, *sets], env)
                    if not ok(r.returncode == 0, f"{what}: exit 0", r.stderr):
                        continue
                    summary = json.load(open(os.path.join(out, "summary.json")))
                    ok(summary["mode"] == "gap" and summary["account_id"] == scan["scan"]["account_id"],
                       f"{what}: the summary names gap mode and the account")
                    if fmt != "cloudformation":
                        named = {tuple(s["name"].split(":", 1)) for s in summary["steps"]
                                 if not s["name"].startswith("guardrail.")}
                        ok(named <= {(c, re.sub(r"[^A-Za-z0-9._:/@+=,-]", "_", rid)) for c, rid in failing},
                           f"{what}: every step fixes a finding that fails", sorted(named)[:5])
                    check_files(out, summary, fmt, what, env, tf, cfnlint)
            # the fixes of the standard script are the findings' own remediation, in dependency order
            summary = json.load(open(os.path.join(tmp, f"gap-{snap}-standard-cli", "summary.json")))
            names = [s["name"] for s in summary["steps"] if s["automated"]]
            if any(n.startswith("cloudtrail.multi_region") for n in names) and \
                    any(n.startswith("kms.key_rotation") for n in names):
                ok(names.index(next(n for n in names if n.startswith("kms.key_rotation"))) <
                   names.index(next(n for n in names if n.startswith("cloudtrail.multi_region"))),
                   f"gap {snap}: keys come before the trail")
            manual = {s["name"].split(":")[0] for s in summary["steps"] if not s["automated"]}
            for c in ("ec2.sg_admin_ports_open", "iam.root_mfa"):
                if any(f[0] == c for f in failing):
                    ok(c in manual, f"gap {snap}: {c} is listed for a person, not run")

        # network separation in gap mode: deny guardrails from iam scope, confined to the profile's network
        path = os.path.join(ROOT, "examples", "startup-v0.1.json")
        out = os.path.join(tmp, "ns-guard")
        r = run([ansim, *base, "baseline", "--model", "network-separation", "--snapshot", path, "-o", out], env)
        summary = json.load(open(os.path.join(out, "summary.json"))) if r.returncode == 0 else {"steps": []}
        manual = [s for s in summary["steps"] if s["name"] == "guardrail.network_separation_policy"]
        ok(r.returncode == 0 and manual and not manual[0]["automated"] and "separated_network" in manual[0]["why"],
           "network-separation gap without a separated network: the guardrail is a manual step saying what to set",
           r.stderr)
        nsprof = os.path.join(tmp, "ns.yaml")
        with open(nsprof, "w") as f:
            f.write("separated_network:\n  cidrs: [203.0.113.0/24]\n  vpcs: [vpc-0a1b2c3d4e5f60718]\n")
        for fmt in FORMATS:
            out = os.path.join(tmp, f"ns-guard-{fmt}")
            r = run([ansim, *base, "--profile-file", nsprof, "baseline", "--model", "network-separation",
                     "--format", fmt, "--snapshot", path, "-o", out], env)
            if not ok(r.returncode == 0, f"network-separation gap {fmt} with a separated network: exit 0", r.stderr):
                continue
            summary = json.load(open(os.path.join(out, "summary.json")))
            guard = [s for s in summary["steps"] if s["name"] == "guardrail.network_separation_policy"]
            ok(guard and guard[0]["automated"] and "iam.network_separation_scope" in summary["targets"],
               f"network-separation gap {fmt}: the deny guardrail is a step that makes the scope control pass")
            text = open(os.path.join(out, summary["files"][0])).read()
            ok("203.0.113.0/24" in text and "vpc-0a1b2c3d4e5f60718" in text and "aws:SourceIp" in text,
               f"network-separation gap {fmt}: the deny is confined to the profile's CIDR and VPC")
            ok(not any(s["name"].startswith("iam.network_separation_scope:") for s in summary["steps"]),
               f"network-separation gap {fmt}: the guardrail replaces the per-principal fixes")
            check_files(out, summary, fmt, f"network-separation gap {fmt}", env, tf, cfnlint)

        # usage errors: one line, exit 2
        for args, what in [([], "no --model"), (["--model", "big"], "an unknown model"),
                           (["--model", "standard", "--format", "pulumi"], "an unknown format"),
                           (["--model", "standard", "--set", "colour=red"], "an unknown parameter"),
                           (["--model", "standard", "--set", "monthly_budget_usd=lots"], "a number that is not"),
                           (["--model", "standard", "--set", "regions=ap-northeast-2;rm"], "a bad region"),
                           (["--model", "standard", "--snapshot", "x", "--live"], "two sources")]:
            r = run([ansim, "--no-db", "baseline", *args], env)
            ok(r.returncode == 2 and r.stderr.strip() and not r.stdout, f"usage error for {what}: exit 2", r.stderr)
        r = run([ansim, "--no-db", "baseline", "--model", "shared"], env)
        ok(r.returncode == 1 and "-o DIR" in r.stderr, "the shared model (two files) needs -o DIR")
        bad = os.path.join(tmp, "bad.json")
        open(bad, "w").write('{"format": "ansim-snapshot/1", "resources": [')
        out = os.path.join(tmp, "never")
        r = run([ansim, "--no-db", "baseline", "--model", "standard", "--snapshot", bad, "-o", out], env)
        ok(r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1 and not os.path.exists(out),
           "a malformed snapshot: one error line, nothing written", r.stderr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
    finish()
