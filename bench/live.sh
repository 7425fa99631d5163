#!/usr/bin/env bash
# bench/live.sh — live collection speed against moto (bench/seed_large.py: a fixed account of
# over 2,000 resources in three regions). Reports the calls made, calls per operation, and
# the wall time of `ansim collect` with the default concurrency and with
# --max-concurrency 1, both directly against moto (loopback, a few ms per call, moto itself
# serialised by Python's GIL) and through a proxy adding a 30 ms round trip per request
# (what a call to AWS across a network costs; tests/faultproxy.py). Target (issue 3): the
# default takes at most 1/4 of the sequential time; no operation is called more often than
# the account requires.
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out/live
rm -rf "$out"
mkdir -p "$out"
command -v moto_server >/dev/null || { echo "bench/live.sh: moto_server not found (pip install 'moto[server]')" >&2; exit 1; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
moto_server -H 127.0.0.1 -p "$port" >"$out/moto.log" 2>&1 &
moto=$!
proxy=
trap 'kill $moto $proxy 2>/dev/null' EXIT
url=http://127.0.0.1:$port
for _ in $(seq 1 100); do
    python3 -c "import urllib.request; urllib.request.urlopen('$url/moto-api/', timeout=1)" 2>/dev/null && break
    sleep 0.2
done
t0=$(date +%s.%N)
created=$(python3 bench/seed_large.py "$url")
echo "seeded $created resources in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}') s"
python3 tests/faultproxy.py "$url" "$out/proxy.port" 30 2>"$out/proxy.log" &
proxy=$!
for _ in $(seq 1 50); do [ -s "$out/proxy.port" ] && break; sleep 0.1; done
slow=http://127.0.0.1:$(cat "$out/proxy.port")

export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench AWS_EC2_METADATA_DISABLED=true
regions=us-east-1,ap-northeast-2,eu-west-1
run() {  # run NAME ENDPOINT [options]: wall seconds of one collection
    local name=$1 endpoint=$2; shift 2
    local a b
    a=$(date +%s.%N)
    ./ansim --stats collect --endpoint-url "$endpoint" --region $regions "$@" -o "$out/$name.json" 2>"$out/$name.log"
    b=$(date +%s.%N)
    awk -v a="$a" -v b="$b" 'BEGIN {printf "%.2f", b - a}'
}
direct_par=$(run direct-default "$url")
direct_seq=$(run direct-seq "$url" --max-concurrency 1)
net_par=$(run net-default "$slow")
net_seq=$(run net-seq "$slow" --max-concurrency 1)

resources=$(jq '.resources | length' "$out/net-default.json")
errors=$(jq '.errors | length' "$out/net-default.json")
calls=$(grep -o '^total: [0-9]*' "$out/net-default.log" | awk '{print $2}')
echo "snapshot: $resources resources, $errors errors, $calls calls (3 regions)"
printf '%-34s %10s %12s %8s\n' "" "default_s" "sequential_s" "ratio"
for k in direct net; do
    p=${k}_par s=${k}_seq
    printf '%-34s %10s %12s %8s\n' "$([ $k = direct ] && echo "moto on loopback" || echo "moto + 30 ms round trip")" \
        "${!p}" "${!s}" "$(awk -v a="${!p}" -v b="${!s}" 'BEGIN {printf "%.2f", a / b}')"
done
echo "calls per operation (default run):"
sed -n '/^calls per operation/,/^total/p' "$out/net-default.log" | sed '1d;$d'
# what the account requires: one call per bucket / key / user for the per-item operations
expect() { awk -v op="$1" -v want="$2" '$1 == op {got = $2} END {printf "  %-36s made %5d, needed %5d: %s\n", op, got, want, (got == want ? "ok" : "MORE THAN NEEDED")}' <(sed -n '/^calls per operation/,/^total/p' "$out/net-default.log"); }
buckets=$(jq '[.resources[] | select(.type == "aws_s3_bucket")] | length' "$out/net-default.json")
keys=$(jq '[.resources[] | select(.type == "aws_kms_key")] | length' "$out/net-default.json")
users=$(jq '[.resources[] | select(.type == "aws_iam_user")] | length' "$out/net-default.json")
echo "per-item operations against the account's size ($buckets buckets, $keys keys, $users users):"
for op in s3:GetBucketAcl s3:GetBucketLocation s3:GetBucketPolicy s3:GetBucketTagging; do expect "$op" "$buckets"; done
for op in kms:DescribeKey kms:GetKeyPolicy; do expect "$op" "$keys"; done
for op in iam:ListAccessKeys iam:ListMFADevices iam:GetLoginProfile; do expect "$op" "$users"; done
for op in ec2:DescribeSecurityGroups ec2:GetEbsEncryptionByDefault cloudtrail:DescribeTrails kms:ListKeys; do expect "$op" 3; done
ratio=$(awk -v a="$net_par" -v b="$net_seq" 'BEGIN {printf "%.2f", a / b}')
echo "default / sequential with a network round trip: ${ratio} (target <= 0.25): $(awk -v r="$ratio" 'BEGIN {print (r <= 0.25) ? "met" : "NOT met"}')"
echo "resources >= 2000: $([ "$resources" -ge 2000 ] && echo met || echo "NOT met")"
