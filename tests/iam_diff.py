#!/usr/bin/env python3
"""tests/iam_diff.py ANSIM [CASES_DIR] — differential test of `ansim iam eval` against the
expected decisions of @cloud-copilot/iam-simulate's own test cases (read at run time from
../shared/testdata/iam-simulate/core_engine; never copied here).

Only the cases in the simulator's normal ("Strict") mode are compared; "Discovery" mode
(conditions on unknown keys ignored) is a feature of that tool, not of AWS. Cases where the
simulator's expectation contradicts AWS's documentation are listed in DIVERGENCES with the
reason; they are checked to still disagree (so the list stays honest). Prints one line per
disagreement and "N passed, M failed".
"""
import glob
import json
import os
import subprocess
import sys

ansim = sys.argv[1]
cases_dir = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "testdata", "iam-simulate", "core_engine")

WANT = {"Allowed": "allow", "ExplicitlyDenied": "explicit_deny", "ImplicitlyDenied": "implicit_deny"}

# (file, case name) -> why AWS's documentation supports ansim's different answer
DIVERGENCES = {
    ("sessionPolicies.json", "Implicit deny in session policy denies even if session ARN in resource policy"):
        "AWS: a resource policy naming the session ARN is not limited by the session policy "
        "(IAM User Guide, access_policies.html#policies_session; research/iam.md §3)",
}

# whole files about the simulator's own features, not AWS requests
SKIP_FILES = {
    "requestWildcards.json": "the request's resource is itself a pattern (a simulator feature; AWS authorizes "
                             "wildcard-only actions against \"*\", which specific-ARN statements do not match)",
    "crossPatternIntersections.json": "the request's resource is a pattern intersected with policy patterns",
}


def convert(c):
    req = c["request"]
    principal = req["principal"]
    q = {
        "principal": None if isinstance(principal, dict) else principal,
        "action": req["action"],
        "resource": req["resource"]["resource"],
        "resource_account": req["resource"].get("accountId"),
        "context": req.get("context") or {},
        "identity_policies": c.get("identityPolicies") or [],
        "resource_policy": c.get("resourcePolicy"),
        "session_policy": c.get("sessionPolicy"),
        "endpoint_policies": c.get("endpointPolicies") or [],
    }
    pbs = c.get("permissionBoundaries")
    if pbs:
        q["permission_boundary"] = pbs[0] if len(pbs) == 1 else {
            "Version": "2012-10-17", "Statement": [s for p in pbs for s in
                                                   (p["Statement"] if isinstance(p["Statement"], list) else [p["Statement"]])]}
    if c.get("serviceControlPolicies"):
        q["scps"] = [lvl["policies"] for lvl in c["serviceControlPolicies"]]
    if c.get("resourceControlPolicies"):
        q["rcps"] = [lvl["policies"] for lvl in c["resourceControlPolicies"]]
    return q


def from_simulation(c):
    """A simulation_engine case (runSimulation's input) in the core case form."""
    sim = c["simulation"]
    docs = lambda lst: [x["policy"] for x in (lst or [])]
    levels = lambda lst: [{"policies": docs(l["policies"])} for l in (lst or [])]
    req = dict(sim["request"])
    req["context"] = req.pop("contextVariables", {}) or {}
    out = {"name": c["name"], "request": req, "identityPolicies": docs(sim.get("identityPolicies")),
           "resourcePolicy": sim.get("resourcePolicy"), "expected": {"response": c["expected"].get("overallResult")}}
    if sim.get("permissionBoundaryPolicies"):
        out["permissionBoundaries"] = docs(sim["permissionBoundaryPolicies"])
    if sim.get("serviceControlPolicies"):
        out["serviceControlPolicies"] = levels(sim["serviceControlPolicies"])
    if sim.get("resourceControlPolicies"):
        out["resourceControlPolicies"] = levels(sim["resourceControlPolicies"])
    return out


cases = []
sim_dir = os.path.join(os.path.dirname(os.path.abspath(cases_dir)), "simulation_engine")
for f in sorted(glob.glob(os.path.join(sim_dir, "*.json"))):
    for c in json.load(open(f)):
        opts = c.get("simulationOptions") or {}
        if c["expected"].get("resultType") != "single" or opts or c["expected"].get("overallResult") not in WANT:
            continue  # wildcard-expanding or discovery simulations: simulator features, not AWS requests
        cases.append(("simulation_engine/" + os.path.basename(f), from_simulation(c)))
for f in sorted(glob.glob(os.path.join(cases_dir, "*.json"))):
    for c in json.load(open(f)):
        if c.get("simulation") or c.get("resourcePolicies") or os.path.basename(f) in SKIP_FILES:
            continue  # Discovery mode, or several resource policies: not an AWS request
        cases.append((os.path.basename(f), c))
if not cases:
    print(f"not ok - no test cases under {cases_dir}")
    print("0 passed, 1 failed")
    sys.exit(1)

inp = json.dumps([convert(c) for _, c in cases])
proc = subprocess.run([ansim, "iam", "eval", "-"], input=inp.encode(), capture_output=True)
lines = proc.stdout.decode().splitlines()
if len(lines) != len(cases):
    print(f"not ok - ansim printed {len(lines)} results for {len(cases)} requests: {proc.stderr.decode()[:500]}")
    print("0 passed, 1 failed")
    sys.exit(1)
passed = failed = 0
for (f, c), line in zip(cases, lines):
    got = json.loads(line)
    want = WANT.get(c["expected"]["response"])
    key = (f, c["name"])
    agree = got.get("decision") == want
    if key in DIVERGENCES:
        ok = not agree
        what = f"documented divergence: {DIVERGENCES[key]}"
    else:
        ok = agree
        what = f"want {want}, got {got.get('decision') or got.get('error')}: {got.get('reason', '')}"
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"not ok - {f}: {c['name']}: {what}")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
