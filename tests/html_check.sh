#!/usr/bin/env bash
# tests/html_check.sh ANSIM OUTDIR — the HTML report, opened in headless Chromium.
#
# Renders the v0.1 example account in English and Korean, then checks the DOM Chromium
# builds (the hooks are documented at the top of src/report/html.c): findings rows,
# failures, the score, the framework blocks, Korean UI text, no external references,
# a screenshot, and that the inline filter script hides the rows it should.
# Prints "ok - ..." / "not ok - ..." per check and a closing "N passed, M failed".
set -u
ansim=${1:?usage: tests/html_check.sh ANSIM_BINARY OUTDIR}
outdir=${2:?usage: tests/html_check.sh ANSIM_BINARY OUTDIR}
case $ansim in /*) ;; *) ansim=$PWD/$ansim ;; esac
mkdir -p "$outdir" || exit 2
outdir=$(cd "$outdir" && pwd)
cd "$(dirname "$0")/.."
export LANG=C.UTF-8
unset LC_ALL LC_MESSAGES

pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
no() { fail=$((fail + 1)); echo "not ok - $1"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else no "$what"; fi; }
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }

# chrome ARGS... — headless Chromium with a throwaway profile; stderr kept in $outdir/chromium.log
chrome() {
    local profile rc
    profile=$(mktemp -d)
    timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --enable-logging=stderr --v=0 --user-data-dir="$profile" "$@" 2>>"$outdir/chromium.log"
    rc=$?
    rm -rf "$profile"
    return $rc
}

# no src=/href= to http(s):// or //host, no url(http...), no @import
remote_re='(src|href)[[:space:]]*=[[:space:]]*["'"'"']?[[:space:]]*(https?:)?//|url\([[:space:]]*["'"'"']?[[:space:]]*(https?:)?//|@import'
no_remote() { ! grep -Eiq "$remote_re" "$1"; }
all() { local c; for c in "$@"; do eval "$c" || return 1; done; }   # every condition holds
count() { grep -o -- "$1" "$2" 2>/dev/null | wc -l; }     # occurrences of a pattern in a file
attr() { grep -o "$1=\"[^\"]*\"" "$2" | head -1 | sed 's/.*="\(.*\)"/\1/'; }  # first value of attr
: >"$outdir/chromium.log"

# --- render both languages
for l in en ko; do
    html=$outdir/report-$l.html
    rm -f "$html"
    "$ansim" scan --no-db --snapshot examples/startup-v0.1.json --format html -o "$html" --lang $l \
        >"$outdir/scan-$l.out" 2>"$outdir/scan-$l.err"
    rc=$?
    check "scan --lang $l exits 3 (failures found), got $rc" [ "$rc" -eq 3 ]
    check "report-$l.html written" test -s "$html"
    # self-contained: no remote src/href/url()/@import anywhere in the file
    check "report-$l.html references no remote resource" no_remote "$html"
done
check "en report has <html lang=\"en\">" grep -q '<html lang="en"' "$outdir/report-en.html"
check "ko report has <html lang=\"ko\">" grep -q '<html lang="ko"' "$outdir/report-ko.html"

if ! command -v chromium >/dev/null 2>&1; then
    no "chromium not installed"
    finish
fi

# --- the DOM as Chromium builds it
for l in en ko; do
    html=$outdir/report-$l.html dom=$outdir/report-$l.dom.html
    [ -s "$html" ] || { no "$l: no report to open"; continue; }
    chrome --dump-dom "file://$html" >"$dom"
    check "$l: chromium dumped the DOM" test -s "$dom"
    rows=$(count '<tr class="finding"' "$dom")
    check "$l: table#findings exists" grep -q '<table id="findings"' "$dom"
    check "$l: findings table has rows ($rows)" [ "$rows" -gt 0 ]
    check "$l: some rows have data-status=\"fail\"" grep -q '<tr class="finding" data-status="fail"' "$dom"
    check "$l: #score holds a number" grep -Eq 'id="score">[0-9]+(\.[0-9]+)?<' "$dom"
    check "$l: #shown-count starts at the number of rows" grep -q "id=\"shown-count\">$rows<" "$dom"
    tr -d '\n' <"$dom" | grep -o '<section id="frameworks".*<section id="findings-section"' >"$outdir/fw-$l.html"
    check "$l: #frameworks has data-framework=\"pipa-2023\"" grep -q 'class="framework" data-framework="pipa-2023"' "$outdir/fw-$l.html"
    check "$l: #frameworks has data-framework=\"isms-p\"" grep -q 'class="framework" data-framework="isms-p"' "$outdir/fw-$l.html"
    for id in filter-status filter-severity filter-area filter-text; do
        check "$l: #$id present" grep -q "id=\"$id\"" "$dom"
    done
    # each finding links to its control's remediation, written once per control
    fixes=$(count 'class="fix" href="#ctl-' "$dom")
    missing=0
    for t in $(grep -o 'class="fix" href="#ctl-[^"]*"' "$dom" | sed 's/.*href="#//; s/"$//' | sort -u); do
        grep -q "<details class=\"control\" id=\"$t\"" "$dom" || missing=$((missing + 1))
    done
    check "$l: every finding ($rows) links to its control's remediation ($fixes links, $missing targets missing)" \
        [ "$fixes" -eq "$rows" -a "$missing" -eq 0 ]
    tr -d '\n' <"$dom" | grep -o '<details class="control" id="ctl-s3.bucket_public".*' | sed 's|</details>.*||' >"$outdir/ctl-$l.html"
    check "$l: s3.bucket_public block has CLI and Terraform fixes, open because it fails" \
        bash -c 'grep -q "put-bucket-acl" "$1" && grep -q "aws_s3_bucket_ownership_controls" "$1" && grep -q "id=\"ctl-s3.bucket_public\" open" "$1"' _ "$outdir/ctl-$l.html"
done
check "ko: Korean UI text (점수, 점검 결과)" bash -c 'grep -q "점수" "$1" && grep -q "점검 결과" "$1"' _ "$outdir/report-ko.dom.html"
check "en: English UI text (Score, Findings)" bash -c 'grep -q "Overall score" "$1" && grep -q "Findings" "$1"' _ "$outdir/report-en.dom.html"
check "en and ko list the same findings" \
    [ "$(count '<tr class="finding"' "$outdir/report-en.dom.html")" -eq "$(count '<tr class="finding"' "$outdir/report-ko.dom.html")" ]
check "no JavaScript errors in the console" bash -c '! grep -Eq "Uncaught|SyntaxError|TypeError|ReferenceError" "$1"' _ "$outdir/chromium.log"

# --- screenshots
for l in en ko; do
    png=$outdir/report-$l.png
    rm -f "$png"
    chrome --screenshot="$png" --window-size=1280,2000 "file://$outdir/report-$l.html" >/dev/null
    size=$(stat -c %s "$png" 2>/dev/null || echo 0)
    check "$l: screenshot report-$l.png is over 10 KB ($size bytes)" [ "$size" -gt 10240 ]
done

# --- the filter script: an exact control id in the search box, then status "pass"
# (left in place, so the dumped DOM shows that state).
# The probe runs after the report's own script and writes what it saw onto <body>.
probe='<script>(function(){
var $=function(id){return document.getElementById(id);},b=document.body;
function seen(){var rows=document.querySelectorAll("#findings tr.finding"),v=[];
 for(var i=0;i<rows.length;i++)if(rows[i].getClientRects().length)v.push(rows[i]);return v;}
function mark(k,val){b.setAttribute("data-probe-"+k,String(val));}
var all=document.querySelectorAll("#findings tr.finding"),npass=0;
for(var i=0;i<all.length;i++)if(all[i].getAttribute("data-status")==="pass")npass++;
mark("before",$("shown-count").textContent);mark("pass-total",npass);
/* first an exact control id in the search box, then status=pass (the state dumped) */
var ctl=all.length?all[0].getAttribute("data-control"):"";
var t=$("filter-text");t.value=ctl;t.dispatchEvent(new Event("input"));
var want=0;for(var j=0;j<all.length;j++)if(all[j].getAttribute("data-control")===ctl)want++;
var v=seen(),bad=0;v.forEach(function(r){if(r.getAttribute("data-control")!==ctl)bad++;});
mark("text-want",want);mark("text-visible",v.length);mark("text-other",bad);mark("text-shown",$("shown-count").textContent);
t.value="";var s=$("filter-status");s.value="pass";s.dispatchEvent(new Event("change"));
v=seen();bad=0;v.forEach(function(r){if(r.getAttribute("data-status")!=="pass")bad++;});
mark("visible",v.length);mark("nonpass-visible",bad);mark("shown",$("shown-count").textContent);
document.title="probe-done";
})();</script>'
src=$outdir/report-en.html probe_html=$outdir/filter-probe.html probe_dom=$outdir/filter-probe.dom.html
if [ -s "$src" ] && grep -q '</body>' "$src"; then
    PROBE=$probe awk '!done && (i = index($0, "</body>")) { $0 = substr($0, 1, i - 1) ENVIRON["PROBE"] substr($0, i); done = 1 } { print }' \
        "$src" >"$probe_html"
    chrome --dump-dom "file://$probe_html" >"$probe_dom"
    before=$(attr data-probe-before "$probe_dom") npass=$(attr data-probe-pass-total "$probe_dom")
    visible=$(attr data-probe-visible "$probe_dom") bad=$(attr data-probe-nonpass-visible "$probe_dom")
    shown=$(attr data-probe-shown "$probe_dom")
    check "filter probe ran" grep -q '<title>probe-done</title>' "$probe_dom"
    check "the example has pass rows to filter for ($npass)" [ "${npass:-0}" -gt 0 ]
    check "status=pass shows only pass rows ($visible visible, ${bad:-?} not pass)" \
        all '[ "${bad:-1}" -eq 0 ]' '[ "${visible:--1}" -eq "${npass:--2}" ]'
    check "status=pass: #shown-count changed from $before to $shown" \
        all '[ -n "$shown" ]' '[ "$shown" != "$before" ]' '[ "$shown" = "$visible" ]'
    hidden_nonpass=$(grep -o '<tr class="finding"[^>]*>' "$probe_dom" | grep -v ' hidden=' | grep -vc 'data-status="pass"')
    check "status=pass: every row not hidden in the DOM is a pass row" [ "$hidden_nonpass" -eq 0 ]
    want=$(attr data-probe-text-want "$probe_dom") tvis=$(attr data-probe-text-visible "$probe_dom")
    tother=$(attr data-probe-text-other "$probe_dom") tshown=$(attr data-probe-text-shown "$probe_dom")
    check "search by control id shows exactly that control's rows ($tvis of $want)" \
        all '[ "${want:-0}" -gt 0 ]' '[ "${tvis:--1}" -eq "${want:--2}" ]' '[ "${tother:-1}" -eq 0 ]' \
            '[ "$tshown" = "$tvis" ]'
else
    no "filter probe: no English report to instrument"
fi

finish
