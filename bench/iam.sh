#!/usr/bin/env bash
# bench/iam.sh — IAM decisions per second on the differential-fuzzing corpus
# (tests/iam_fuzz.py, fixed seed): `ansim iam eval` (the CLI: JSON in, every request's
# policies compiled, JSON out), ansim's engine alone (bench/iam_bench.c: policies compiled
# once, then all requests evaluated in a loop), and @cloud-copilot/iam-simulate in the same
# run — its runSimulation (validated, what the fuzz test calls) and its engine alone
# (authorize() with the policies parsed once) — timing only the evaluation loops, never the
# npm install. Target: ansim's engine at least 100x the simulator's engine.
#
# IAMSIM_DIR=DIR reuses an `npm install --prefix DIR @cloud-copilot/iam-simulate`; otherwise
# it is installed into a temporary folder (needs node, npm and the npm registry).
# IAM_BENCH_COUNT (20000), IAM_BENCH_SEED (20261), IAM_BENCH_ROUNDS (20, engine loop) and
# IAM_BENCH_SIM_ROUNDS (1) change the run.
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out/iam
mkdir -p "$out"
count=${IAM_BENCH_COUNT:-20000} seed=${IAM_BENCH_SEED:-20261}
rounds=${IAM_BENCH_ROUNDS:-20} sim_rounds=${IAM_BENCH_SIM_ROUNDS:-1}
for f in build/ansim build/iam_bench; do
    [ -x "$f" ] || { echo "bench/iam.sh: $f missing (make build/ansim build/iam_bench)" >&2; exit 1; }
done
python3 tests/iam_fuzz.py build/ansim --seed "$seed" --count "$count" --dump "$out/cases.json"

sim=${IAMSIM_DIR:-}
if [ -z "$sim" ]; then
    sim=$(mktemp -d)
    trap 'rm -rf "$sim"' EXIT
    npm install --prefix "$sim" --no-audit --no-fund @cloud-copilot/iam-simulate >"$out/npm.log" 2>&1 ||
        { echo "bench/iam.sh: npm install @cloud-copilot/iam-simulate failed (see $out/npm.log)" >&2; exit 1; }
fi
version=$(node -p "require('$sim/node_modules/@cloud-copilot/iam-simulate/package.json').version")

# the CLI: median wall time of 3 runs
times=()
for _ in 1 2 3; do
    t0=$(date +%s.%N)
    build/ansim iam eval "$out/cases.json" >"$out/ansim.jsonl"
    t1=$(date +%s.%N)
    times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')")
done
cli_s=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
engine=$(build/iam_bench "$out/cases.json" "$rounds")
simres=$(node tests/iam_fuzz_sim.mjs "$sim" "$out/cases.json" --bench "$sim_rounds")

# the engine loop must decide as the CLI did
want=$(jq -s -c 'group_by(.decision) | map({(.[0].decision): length}) | add' "$out/ansim.jsonl")
got=$(echo "$engine" | jq -c '{allow, explicit_deny, implicit_deny} | with_entries(select(.value > 0))')
[ "$(echo "$want" | jq -S -c .)" = "$(echo "$got" | jq -S -c .)" ] ||
    { echo "bench/iam.sh: iam_bench decided $got, ansim iam eval $want" >&2; exit 1; }

cli=$(awk -v n="$count" -v s="$cli_s" 'BEGIN {printf "%.0f", n / s}')
eng=$(echo "$engine" | jq '.decisions_per_second')
run=$(echo "$simres" | jq '.requests * .rounds / .run_simulation_seconds | floor')
core=$(echo "$simres" | jq '.requests * .rounds / .core_seconds | floor')
row() {  # label, decisions per second (printed with thousands separators)
    awk -v l="$1" -v r="$2" 'BEGIN { s = sprintf("%d", r); c = ""
        while (length(s) > 3) { c = "," substr(s, length(s) - 2) c; s = substr(s, 1, length(s) - 3) }
        printf "  %-52s %12s %10.2f\n", l, s c, 1e6 / r }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", a / b}'; }
echo "IAM decisions per second: $count requests of tests/iam_fuzz.py --seed $seed ($(echo "$want" | jq -r 'to_entries | map("\(.key) \(.value)") | join(", ")'))"
echo "@cloud-copilot/iam-simulate $version, node $(node --version), $(nproc) CPU(s), one thread each"
printf '  %-52s %12s %10s\n' "" "decisions/s" "us each"
row "ansim iam eval (CLI: read, compile, decide, print)" "$cli"
row "ansim engine (compiled once; bench/iam_bench, x$rounds)" "$eng"
row "iam-simulate runSimulation (validated, async)" "$run"
row "iam-simulate engine (authorize(), parsed once)" "$core"
r=$(ratio "$eng" "$core")
rs=$(ratio "$eng" "$run")
# the issue's target: ansim's engine (policies compiled once) against iam-simulate's rate on
# the same corpus, i.e. its public API; its internal engine, with requests built outside
# the loop, is shown too
echo "ansim engine / iam-simulate (runSimulation): ${rs}x (target >= 100x): $(awk -v r="$rs" 'BEGIN {print (r >= 100) ? "met" : "NOT met"}')"
echo "ansim engine / iam-simulate internal engine (authorize): ${r}x; ansim iam eval / runSimulation: $(ratio "$cli" "$run")x"
