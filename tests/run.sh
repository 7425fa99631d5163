#!/usr/bin/env bash
# tests/run.sh BUILD_DIR — runs the unit tests (cmocka), the CLI tests and, for the plain
# build, the HTML-in-Chromium checks; prints one closing line "N passed, M failed".
set -u
build=${1:?usage: tests/run.sh BUILD_DIR}
cd "$(dirname "$0")/.."
out=$(mktemp -d)
export AWS_EC2_METADATA_DISABLED=true  # no test may reach a real instance-metadata address
trap 'rm -rf "$out"' EXIT
passed=0 failed=0

count_cmocka() {  # sums cmocka's "[  PASSED  ] N test(s)." / "[  FAILED  ] N test(s)" lines
    local p f
    p=$(grep -E '^\[  PASSED  \] [0-9]+ test' "$1" | awk '{s+=$4} END {print s+0}')
    f=$(grep -E '^\[  FAILED  \] [0-9]+ test' "$1" | awk '{s+=$4} END {print s+0}')
    passed=$((passed + p)); failed=$((failed + f))
}
count_tap() {  # "N passed, M failed" closing line of a shell test script
    local line
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$1" | tail -1)
    if [ -z "$line" ]; then failed=$((failed + 1)); echo "not ok - $2 printed no summary"; return; fi
    passed=$((passed + $(echo "$line" | awk '{print $1}')))
    failed=$((failed + $(echo "$line" | awk '{print $3}')))
}

echo "== local AWS emulator (moto)"
trap 'tests/moto.sh stop "$out/moto"; rm -rf "$out"' EXIT
if tests/moto.sh start "$out/moto" && tests/moto.sh start-examples "$out/moto"; then
    set -a; . "$out/moto/env"; set +a
    echo "moto on $ANSIM_MOTO_URL"
else
    echo "not ok - the moto server could not be started (the AWS client tests will fail)"
    failed=$((failed + 1))
fi

# every operation of every AWS service, for the read-only proof (tests/unit/test_aws.c)
python3 - "$out/all_ops.txt" <<'PY' || { echo "not ok - cannot list botocore's operations"; failed=$((failed + 1)); }
import gzip, json, os, sys
import botocore
data = os.path.join(os.path.dirname(botocore.__file__), "data")
with open(sys.argv[1], "w") as out:
    for service in sorted(os.listdir(data)):
        d = os.path.join(data, service)
        versions = sorted(v for v in os.listdir(d) if os.path.isdir(os.path.join(d, v))) if os.path.isdir(d) else []
        if not versions:
            continue
        path = os.path.join(d, versions[-1], "service-2.json")
        opener = gzip.open if os.path.exists(path + ".gz") else open
        with opener(path + ".gz" if os.path.exists(path + ".gz") else path) as f:
            model = json.load(f)
        for op in model["operations"]:
            out.write(f"{service} {op}\n")
PY
export ANSIM_ALL_OPS=$out/all_ops.txt

echo "== unit tests ($build)"
"$build/unit_tests" 2>&1 | tee "$out/unit.log"
rc=${PIPESTATUS[0]}
before=$failed
count_cmocka "$out/unit.log"
if [ "$rc" -ne 0 ] && [ "$failed" -eq "$before" ]; then
    # a group that could not set up, or a crash, prints no per-test failure
    echo "not ok - unit_tests exited $rc"; failed=$((failed + 1))
fi

echo "== CLI tests ($build)"
tests/cli.sh "$build/ansim" 2>&1 | tee "$out/cli.log"
count_tap "$out/cli.log" cli.sh

echo "== IAM engine against iam-simulate's cases ($build)"
python3 tests/iam_diff.py "$build/ansim" 2>&1 | tee "$out/iamdiff.log"
count_tap "$out/iamdiff.log" iam_diff.py

echo "== IAM engine against iam-simulate, differential fuzzing ($build)"
python3 tests/iam_fuzz.py "$build/ansim" 2>&1 | tee "$out/iamfuzz.log"
count_tap "$out/iamfuzz.log" iam_fuzz.py

echo "== trail verify: signed digest chains, tampering, awscli's validator as oracle ($build)"
python3 tests/trail_verify.py "$build/ansim" 2>&1 | tee "$out/trailverify.log"; count_tap "$out/trailverify.log" trail_verify.py

echo "== live collection against moto ($build)"
tests/live.sh "$build/ansim" 2>&1 | tee "$out/live.log"
count_tap "$out/live.log" live.sh

echo "== trail report ($build)"; python3 tests/trail_report.py "$build/ansim" 2>&1 | tee "$out/trailreport.log"; count_tap "$out/trailreport.log" trail_report.py
echo "== trail hunt: bundled rules, Sigma rules, SigmaHQ over real records ($build)"; python3 tests/trail_hunt.py "$build/ansim" 2>&1 | tee "$out/hunt.log"; count_tap "$out/hunt.log" trail_hunt.py

echo "== remediation filled in for failing fixtures: bash -n, terraform fmt -check ($build)"
python3 tests/remediation.py "$build/ansim" 2>&1 | tee "$out/remediation.log"
count_tap "$out/remediation.log" remediation.py

echo "== baseline: every model in every format through cfn-lint / terraform fmt / bash -n ($build)"
python3 tests/baseline.py "$build/ansim" 2>&1 | tee "$out/baseline.log"; count_tap "$out/baseline.log" baseline.py

echo "== every control live against a seeded moto account ($build)"
tests/coverage.sh "$build/ansim" 2>&1 | tee "$out/coverage.log"
count_tap "$out/coverage.log" coverage.sh

echo "== trail fetch against moto ($build)"; python3 tests/trail_fetch.py "$build/ansim" 2>&1 | tee "$out/trail_fetch.log"; count_tap "$out/trail_fetch.log" trail_fetch.py
echo "== trail verify s3:// against moto ($build)"; python3 tests/trail_live.py "$build/ansim" 2>&1 | tee "$out/trail_live.log"; count_tap "$out/trail_live.log" trail_live.py
echo "== baseline round trip: a bad account in moto, the gap-mode script run against it, rescanned ($build)"; python3 tests/baseline_roundtrip.py "$build/ansim" 2>&1 | tee "$out/baseline_rt.log"; count_tap "$out/baseline_rt.log" baseline_roundtrip.py
echo "== baseline greenfield: the account and standard models built in an empty moto account, rescanned ($build)"; python3 tests/baseline_greenfield.py "$build/ansim" 2>&1 | tee "$out/baseline_gf.log"; count_tap "$out/baseline_gf.log" baseline_greenfield.py
if [ "$build" = build ]; then
    echo "== HTML report in headless Chromium"
    mkdir -p build/test-output
    tests/html_check.sh "$build/ansim" build/test-output 2>&1 | tee "$out/html.log"
    count_tap "$out/html.log" html_check.sh
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
