#!/usr/bin/env bash
# bench/trail.sh — `ansim trail hunt` throughput and memory (issue 6) on ≥ 1 GB of synthetic
# CloudTrail logs made by bench/gen_trail.py (fixed seed): ~110 files of 10 MB as plain JSON
# and as gzip, and the same records in one 1.1 GB file. Reports MB/s and peak RSS for the
# hunt with every bundled rule, on 1 and on 2 threads, next to jq running one equivalent
# selection (successful console logins without MFA) over the same plain files in the same run.
# Targets: ≥ 10x jq's throughput on uncompressed input, ≥ 500 MB/s per core, peak RSS < 64 MB.
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out/trail
mb=${TRAIL_BENCH_MB:-1100}
python3 bench/gen_trail.py "$out" "$mb"
bytes=$(python3 -c "import json;print(json.load(open('$out/expected.json'))['bytes'])")
want=$(python3 -c "import json;print(json.load(open('$out/expected.json'))['kinds']['login_nomfa'])")

# best of 3 wall-clock seconds of a command (stdout to $out/stdout); peak RSS of the last run
measure() {
    local best="" t
    for _ in 1 2 3; do
        /usr/bin/time -f '%e %M' -o "$out/time" "$@" >"$out/stdout" 2>"$out/stderr" || [ $? -eq 3 ]
        t=$(tail -n 1 "$out/time" | awk '{print $1}')
        best=$(awk -v a="$t" -v b="${best:-$t}" 'BEGIN {print (a < b) ? a : b}')
    done
    echo "$best"
    tail -n 1 "$out/time" | awk '{print int($2 / 1024)}' >"$out/rss"
}
rate() { awk -v b="$bytes" -v s="$1" 'BEGIN {printf "%.0f", b / 1e6 / (s > 0 ? s : 0.001)}'; }

printf '%-44s %8s %9s %8s %s\n' run seconds MB/s RSS_MB detections
row() {  # name seconds detections
    printf '%-44s %8s %9s %8s %s\n' "$1" "$2" "$(rate "$2")" "$(cat "$out/rss")" "$3"
}
hits() { grep -c "\"rule_id\":\"$1\"" "$out/stdout" || true; }
rule=ansim-console-login-no-mfa

s=$(measure ./ansim trail hunt "$out/json" --threads 1 --format json); h1=$(hits "$rule"); row "ansim hunt, plain JSON, 1 thread" "$s" "$h1 (no-MFA rule)"; one=$s
s=$(measure ./ansim trail hunt "$out/json" --threads 2 --format json); row "ansim hunt, plain JSON, 2 threads" "$s" "$(hits "$rule")"; two=$s
s=$(measure ./ansim trail hunt "$out/gz" --threads 2 --format json); row "ansim hunt, gzip, 2 threads" "$s" "$(hits "$rule")"
s=$(measure ./ansim trail hunt "$out/big.json" --threads 1 --format json); row "ansim hunt, one 1.1 GB file" "$s" "$(hits "$rule")"; bigrss=$(cat "$out/rss")
sel='.Records[] | select(.eventName == "ConsoleLogin" and .userIdentity.type == "IAMUser" and .responseElements.ConsoleLogin == "Success" and .additionalEventData.MFAUsed != "Yes") | .eventID'
s=$(measure jq -c "$sel" "$out"/json/*.json); jqh=$(wc -l <"$out/stdout"); row "jq 1 selection, plain JSON" "$s" "$jqh"; jqs=$s

echo
awk -v a="$one" -v b="$two" -v j="$jqs" -v by="$bytes" -v rss="$bigrss" -v h="$h1" -v jh="$jqh" -v w="$want" 'BEGIN {
    printf "per core: %.0f MB/s (target >= 500); 2 threads vs jq: %.1fx (target >= 10x); 1 thread vs jq: %.1fx\n",
        by / 1e6 / a, j / b, j / a
    printf "peak RSS on one 1.1 GB file: %d MB (target < 64)\n", rss
    printf "no-MFA logins planted %d, ansim found %d, jq found %d\n", w, h, jh
    ok = (by / 1e6 / a >= 500) && (j / b >= 10) && (rss < 64) && (h == w) && (jh == w)
    print ok ? "trail bench: targets met" : "trail bench: TARGET MISSED"
    exit ok ? 0 : 1
}'
