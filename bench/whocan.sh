#!/usr/bin/env bash
# bench/whocan.sh — `ansim iam who-can` over a synthetic account of 5,000 principals
# (bench/gen_iam_account.py, seed 42). Reports the question's own time (the engine over
# every principal plus the trust-policy search, from `ansim -v`) and the whole command
# (snapshot load and model build included), median of 5 runs. Target (issue 4): the
# question answers in under 100 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out
mkdir -p "$out"
snap=$out/iam-5000.json
[ -s "$snap" ] || python3 bench/gen_iam_account.py 5000 "$snap" 42
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
run() {  # ACTION RESOURCE
    local q=() w=()
    for _ in 1 2 3 4 5; do
        local t0 t1
        t0=$(date +%s.%N)
        ./ansim -v iam who-can "$1" "$2" --snapshot "$snap" --format json >"$out/whocan.json" 2>"$out/whocan.err"
        t1=$(date +%s.%N)
        q+=("$(sed -n 's/.*who-can: [0-9]* principals in \([0-9.]*\) ms.*/\1/p' "$out/whocan.err")")
        w+=("$(awk -v a="$t1" -v b="$t0" 'BEGIN {print a - b}')")
    done
    local qm wm np
    qm=$(printf '%s\n' "${q[@]}" | median)
    wm=$(printf '%s\n' "${w[@]}" | median)
    np=$(jq '.principals | length' "$out/whocan.json")
    printf '%-16s %-40s %8s ms %8.2f s %6s   %s\n' "$1" "$2" "$qm" "$wm" "$np" \
        "$(awk -v q="$qm" 'BEGIN {print (q < 100 ? "ok (< 100 ms)" : "SLOW (target < 100 ms)")}')"
}
echo "who-can over 5,000 principals ($(jq '[.resources[] | select(.type == "aws_iam_user" or .type == "aws_iam_role")] | length' "$snap") users and roles)"
printf '%-16s %-40s %11s %10s %6s\n' action resource question whole found
run s3:GetObject arn:aws:s3:::pii-bucket-3/customers.csv
run s3:DeleteBucket arn:aws:s3:::pii-bucket-0
run dynamodb:Scan arn:aws:dynamodb:ap-northeast-2:111122223333:table/t7
run iam:PutUserPolicy arn:aws:iam::111122223333:user/u17
