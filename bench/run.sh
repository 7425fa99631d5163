#!/usr/bin/env bash
# bench/run.sh — performance figures on fixed synthetic snapshots (bench/gen_snapshot.py,
# seed 42): load time, evaluation time, peak RSS of a full scan at 10k and 100k resources,
# and `jq -c . FILE` on the same file as the reference. Targets (issue 2): the 100k scan
# takes at most 2x jq; 10k -> 100k grows at most 12x.
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out
mkdir -p "$out"
for n in 10000 100000; do
    [ -s "$out/snap-$n.json" ] || python3 bench/gen_snapshot.py "$n" "$out/snap-$n.json" 42
done

# median of 3 runs of a command, in seconds; also records peak RSS (KiB) of the last run
measure() {
    local t best=() rss=0
    for _ in 1 2 3; do
        /usr/bin/time -f '%e %M' -o "$out/time" "$@" >/dev/null 2>"$out/stderr" || [ $? -eq 3 ]
        best+=("$(tail -n 1 "$out/time" | awk '{print $1}')")
        rss=$(tail -n 1 "$out/time" | awk '{print $2}')
    done
    printf '%s\n' "${best[@]}" | sort -n | sed -n 2p
    echo "$rss" >"$out/rss"
}

declare -A scan jq
printf '%-8s %10s %10s %10s %10s %10s %10s %8s\n' resources size_MB load_s eval_s report_s scan_s jq_s rss_MB
for n in 10000 100000; do
    f=$out/snap-$n.json
    size=$(du -m "$f" | awk '{print $1}')
    scan[$n]=$(measure ./ansim -v scan --no-db --snapshot "$f" --format json -o "$out/report-$n.json")
    rss=$(( $(cat "$out/rss") / 1024 ))
    load=$(grep -o 'load [0-9][0-9.]*' "$out/stderr" | awk '{print $2}')
    ev=$(grep -o 'evaluate [0-9][0-9.]*' "$out/stderr" | awk '{print $2}')
    rep=$(grep -o 'report [0-9][0-9.]*' "$out/stderr" | awk '{print $2}')
    jq[$n]=$(measure jq -c . "$f")
    printf '%-8s %10s %10s %10s %10s %10s %10s %8s\n' "$n" "$size" "${load:-?}" "${ev:-?}" "${rep:-?}" "${scan[$n]}" "${jq[$n]}" "$rss"
done
ratio=$(awk -v a="${scan[100000]}" -v b="${jq[100000]}" 'BEGIN {printf "%.2f", a / b}')
growth=$(awk -v a="${scan[100000]}" -v b="${scan[10000]}" 'BEGIN {printf "%.1f", a / b}')
echo "100k scan / jq reference: ${ratio}x (target <= 2x): $(awk -v r="$ratio" 'BEGIN {print (r <= 2) ? "met" : "NOT met"}')"
echo "10k -> 100k growth: ${growth}x (target <= 12x): $(awk -v g="$growth" 'BEGIN {print (g <= 12) ? "met" : "NOT met"}')"
