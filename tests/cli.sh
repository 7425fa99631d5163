#!/usr/bin/env bash
# tests/cli.sh ANSIM — the command-line contract (spec/cli.md): exit codes, outputs,
# one-line errors, history. Prints "ok - ..." / "not ok - ..." and "N passed, M failed".
set -u
ansim=${1:?usage: tests/cli.sh ANSIM_BINARY}
case $ansim in /*) ;; *) ansim=$PWD/$ansim ;; esac
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_DATA_HOME=$tmp/xdg HOME=$tmp/home LANG=C.UTF-8
unset LC_ALL LC_MESSAGES
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
no() { fail=$((fail + 1)); echo "not ok - $1"; }
check() { local what=$1; shift; if "$@" >/dev/null; then ok "$what"; else no "$what"; fi; }

# expect_exit CODE WHAT -- ARGS...: run ansim, keep stdout/stderr in $tmp/out, $tmp/err
expect_exit() {
    local want=$1 what=$2; shift 3
    "$ansim" "$@" >"$tmp/out" 2>"$tmp/err"
    local got=$?
    if [ "$got" -eq "$want" ]; then ok "$what (exit $got)"; else no "$what: exit $got, want $want; stderr: $(head -c 300 "$tmp/err")"; fi
}
one_line_error() {  # stderr is exactly one line mentioning $1
    [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q -- "$1" "$tmp/err"
}

v01=examples/startup-v0.1.json v10=examples/startup-v1.0.json

# --- exit codes and the examples
expect_exit 3 "v0.1 example fails" -- scan --no-db --snapshot $v01 --format json
check "v0.1 json parses and has failures" jq -e '.summary.fail > 0 and (.findings|length) > 0' "$tmp/out"
check "v0.1 findings list failed before passed" jq -e '[.findings[].status] | index("pass") as $p | (index("fail") // 0) < ($p // 1e9)' "$tmp/out"
for id in iam.root_mfa iam.console_user_mfa ec2.sg_admin_ports_open rds.public_access s3.bucket_public cloudtrail.multi_region; do
    check "v0.1 fails $id" jq -e --arg id "$id" 'any(.findings[]; .control_id == $id and .status == "fail")' "$tmp/out"
done
expect_exit 0 "v1.0 example passes" -- scan --no-db --snapshot $v10 --format json
check "v1.0 has no fail or error" jq -e '.summary.fail == 0 and .summary.error == 0 and .summary.pass > 0' "$tmp/out"
expect_exit 0 "--fail-on critical ignores lower failures" -- scan --no-db --snapshot $v01 --control iam.user_attached_policies --fail-on critical --format json
check "...while still reporting them" jq -e '.summary.fail > 0' "$tmp/out"
expect_exit 3 "--fail-on critical counts critical failures" -- scan --no-db --snapshot $v01 --fail-on critical --format json
expect_exit 0 "snapshot from stdin" -- scan --no-db --snapshot - --format csv <$v10

# --- several format/output pairs in one run
expect_exit 3 "four reports in one run" -- scan --no-db --snapshot $v01 --format json -o "$tmp/r.json" --format sarif -o "$tmp/r.sarif" --format csv -o "$tmp/r.csv" --format html -o "$tmp/r.html"
check "json file written" jq -e '.findings|length > 0' "$tmp/r.json"
check "sarif file written" jq -e '.version == "2.1.0" and (.runs[0].results|length) > 0' "$tmp/r.sarif"
check "csv file written" grep -q '^control_id,status' "$tmp/r.csv"
check "html file written" grep -q '<html' "$tmp/r.html"
check "nothing on stdout when every report goes to a file" test ! -s "$tmp/out"
expect_exit 3 "format inferred from -o extension" -- scan --no-db --snapshot $v01 -o "$tmp/x.sarif"
check "...is SARIF" jq -e '.version == "2.1.0"' "$tmp/x.sarif"
expect_exit 2 "two reports on stdout is a usage error" -- scan --no-db --snapshot $v01 --format json --format csv

# --- filters and languages
expect_exit 3 "--control filter" -- scan --no-db --snapshot $v01 --control iam.root_mfa,s3.bucket_public --format json
check "...only those controls" jq -e '[.findings[].control_id] | unique == ["iam.root_mfa","s3.bucket_public"]' "$tmp/out"
expect_exit 3 "--framework filter" -- scan --no-db --snapshot $v01 --framework pipa-2023 --format json
check "...only that framework" jq -e '(.frameworks|length) == 1 and .frameworks[0].id == "pipa-2023" and all(.findings[]; .frameworks["pipa-2023"] != null)' "$tmp/out"
check "...manual requirements carry evidence" jq -e 'any(.frameworks[0].requirements[]; .status == "manual" and (.evidence|length) > 0)' "$tmp/out"
expect_exit 3 "--lang ko" -- scan --no-db --snapshot $v01 --lang ko --format tty
check "...Korean tty" grep -q '점수' "$tmp/out"
LANG=ko_KR.UTF-8 "$ansim" scan --no-db --snapshot $v01 --format tty >"$tmp/out" 2>/dev/null
check "LANG=ko_KR picks Korean" grep -q '점수' "$tmp/out"
expect_exit 3 "global options after the command" -- scan --snapshot $v01 --no-db --lang en --format tty
check "...English tty" grep -q 'Score' "$tmp/out"
expect_exit 3 "no --format, stdout not a terminal" -- scan --no-db --snapshot $v01
check "...gives JSON (tty is the default on a terminal only)" jq -e '.summary.fail > 0' "$tmp/out"
if command -v script >/dev/null; then
    script -qec "$ansim scan --no-db --snapshot $v01 --lang en" /dev/null >"$tmp/out" 2>&1
    check "...and the tty summary on a terminal" grep -q 'Score:' "$tmp/out"
else
    no "script(1) missing: cannot test the terminal default"
fi
# a control failing on many resources is shown once, with its first ten resources
jq '.resources += [range(12) as $i | {type: "aws_ec2_security_group", region: "ap-northeast-2",
      id: "sg-open\($i)", arn: "arn:aws:ec2:ap-northeast-2:123456789012:security-group/sg-open\($i)",
      data: {GroupId: "sg-open\($i)", GroupName: "open\($i)", IpPermissions: [{IpProtocol: "tcp",
      FromPort: 22, ToPort: 22, IpRanges: [{CidrIp: "0.0.0.0/0"}]}]}}]' $v01 >"$tmp/many.json"
expect_exit 3 "tty groups a control's failing resources" -- scan --no-db --snapshot "$tmp/many.json" --lang en --format tty
check "...control shown once with its count" test "$(grep -c '^\[Fail\] ec2.sg_admin_ports_open .*(13 resources)' "$tmp/out")" -eq 1
check "...ten resources, then how many more" bash -c 'test "$(grep -c "^  - aws_ec2_security_group" "$1")" -ge 10 && grep -q "^  \.\.\. and 3 more" "$1"' _ "$tmp/out"

# --- usage errors (exit 2) and runtime errors (exit 1): one clear line
expect_exit 2 "unknown command" -- frobnicate
check "...one line" one_line_error frobnicate
expect_exit 2 "unknown option" -- scan --snapshot $v01 --bogus
expect_exit 2 "bad --max-concurrency" -- scan --snapshot $v01 --max-concurrency 0
expect_exit 2 "unknown --control" -- scan --no-db --snapshot $v01 --control no.such
check "...names it" one_line_error no.such
expect_exit 2 "unknown --framework" -- scan --no-db --snapshot $v01 --framework gdpr
expect_exit 2 "bad --format" -- scan --no-db --snapshot $v01 --format pdf
expect_exit 2 "bad --fail-on" -- scan --no-db --snapshot $v01 --fail-on severe
expect_exit 2 "bad --lang" -- --lang fr controls
expect_exit 2 "missing option value" -- scan --snapshot
expect_exit 1 "missing snapshot file" -- scan --no-db --snapshot "$tmp/nope.json"
check "...one line naming the file" one_line_error nope.json
head -c 2000 $v01 >"$tmp/trunc.json"
expect_exit 1 "truncated snapshot" -- scan --no-db --snapshot "$tmp/trunc.json" --format json -o "$tmp/t.json"
check "...one line with position" one_line_error 'trunc.json:[0-9]*:[0-9]*: malformed JSON'
check "...no report left behind" test ! -e "$tmp/t.json"
echo '{"format":"ansim-snapshot/9"}' >"$tmp/v9.json"
expect_exit 1 "wrong snapshot format" -- scan --no-db --snapshot "$tmp/v9.json"
check "...says which" one_line_error 'ansim-snapshot/9'
mkdir -p "$tmp/bad"
printf 'id: x.y\ntitle: {en: X, ko: X}\n' >"$tmp/bad/x.yaml"
expect_exit 1 "control YAML with a missing field" -- scan --no-db --snapshot $v01 --controls "$tmp/bad"
check "...names file and field" one_line_error 'x.yaml: field `rationale`'
expect_exit 1 "report into a missing directory" -- scan --no-db --snapshot $v01 --format json -o "$tmp/no/dir/r.json"
check "...no temp files left" test -z "$(ls "$tmp" | grep tmp)"

# --- WorkSpaces prices: the user's file (option or environment), malformed files
wsfix=tests/fixtures/controls/workspaces.running_mode
printf '# mine\nap-northeast-1\twindows\tSTANDARD\t80\t50\t44.00\t14.50\t0.37\tUSD\t2026-11-01\tpage\n' >"$tmp/ws.tsv"
expect_exit 0 "no price for the region: manual" -- scan --no-db --snapshot $wsfix/manual.json --control workspaces.running_mode --format json
check "...saying which key to add" jq -e '.findings[0].status == "manual" and (.findings[0].reason | test("region ap-northeast-1, os windows, compute STANDARD, root_gib 80, user_gib 50"))' "$tmp/out"
expect_exit 0 "--workspaces-prices FILE supplies it" -- scan --no-db --snapshot $wsfix/manual.json --control workspaces.running_mode --workspaces-prices "$tmp/ws.tsv" --format json
check "...the advice uses its prices" jq -e '.findings[0].status == "fail" and (.findings[0].reason | test("14.50\\+0.37×42 = 30.04 USD/month: switch to AUTO_STOP to save 13.96"))' "$tmp/out"
ANSIM_WORKSPACES_PRICES="$tmp/ws.tsv" "$ansim" scan --no-db --snapshot $wsfix/manual.json --control workspaces.running_mode --format json >"$tmp/out" 2>/dev/null
check "ANSIM_WORKSPACES_PRICES does the same" jq -e '.findings[0].status == "fail"' "$tmp/out"
printf 'ap-northeast-1\twindows\tSTANDARD\t80\t50\t1,044.00\t14.50\t0.37\tUSD\t2026-11-01\tpage\n' >"$tmp/ws-bad.tsv"
expect_exit 1 "malformed price file" -- scan --no-db --snapshot $wsfix/manual.json --workspaces-prices "$tmp/ws-bad.tsv"
check "...one line naming file, line and field" one_line_error 'ws-bad.tsv:1: field 6 (monthly) "1,044.00" is not a price'

# --- a user's own control directory
mkdir -p "$tmp/mine"
cat >"$tmp/mine/custom.yaml" <<'YAML'
id: custom.bucket_count
title: {en: At most 100 buckets, ko: 버킷은 100개 이하}
rationale: {en: Keep storage reviewable., ko: 검토 가능한 규모를 유지합니다.}
severity: low
area: data_protection
resource_type: aws_s3_bucket
requires: [s3:ListBuckets]
frameworks: {isms-p: ["2.1.3"]}
remediation: {en: Delete unused buckets., ko: 쓰지 않는 버킷을 지웁니다.}
query: |
  SELECT CASE WHEN n <= 100 THEN 'pass' ELSE 'fail' END AS status, account_id() AS resource_id,
         n || ' buckets' AS reason FROM (SELECT count(*) AS n FROM aws_s3_bucket)
YAML
expect_exit 0 "user control via --controls" -- scan --no-db --snapshot $v10 --controls "$tmp/mine" --control custom.bucket_count --format json
check "...evaluated and mapped" jq -e '.findings[0].control_id == "custom.bucket_count" and .findings[0].status == "pass" and .findings[0].frameworks["isms-p"] == ["2.1.3"]' "$tmp/out"

# --- catalogue listings
expect_exit 0 "controls" -- controls
missing=0
for id in $(awk -F'\t' '$6 == 1 {print $1}' ../shared/spec/controls.tsv); do
    grep -q "^$id " "$tmp/out" || { echo "# missing $id"; missing=$((missing + 1)); }
done
check "controls lists all 28 wave-1 ids" test "$missing" -eq 0 -a "$(awk -F'\t' '$6 == 1' ../shared/spec/controls.tsv | wc -l)" -eq 28
expect_exit 0 "controls --framework isms-p --format json" -- controls --framework isms-p --format json
check "...json list" jq -e 'length > 10 and all(.[]; .id and .severity and .area and .title)' "$tmp/out"
expect_exit 0 "frameworks" -- frameworks --format json
check "...five frameworks" jq -e '[.[].id] | sort == ["aws-security-best-practices","aws-wa-sec","isms-p","pipa-2023","pipa-tech-2021"]' "$tmp/out"
check "...isms-p has 101 items" jq -e '.[] | select(.id == "isms-p") | .requirements == 101' "$tmp/out"
expect_exit 0 "controls --format markdown" -- controls --format markdown
check "...docs/controls.md is current (make docs)" cmp -s "$tmp/out" docs/controls.md
check "...every control of spec/controls.tsv documented" bash -c 'for id in $(awk -F"\t" "NR > 1 {print \$1}" ../shared/spec/controls.tsv); do grep -q "^### \`$id\`" "$1" || exit 1; done' _ docs/controls.md
expect_exit 0 "version" -- version
check "...prints it" grep -q '^ansim [0-9]' "$tmp/out"
expect_exit 0 "help" -- help scan
check "...documents --fail-on" grep -q -- '--fail-on' "$tmp/out"

# --- history
db=$tmp/h/ansim.db
expect_exit 0 "history before any scan" -- history --db "$db"
expect_exit 3 "scan stored in history" -- scan --db "$db" --snapshot $v01 --format json
id1=$(jq -r .scan.id "$tmp/out")
expect_exit 0 "second scan stored" -- scan --db "$db" --snapshot $v10 --format json
expect_exit 0 "history lists scans" -- history --db "$db" --format json
check "...newest first, both kept" jq -e --arg id "$id1" 'length == 2 and .[1].id == $id and .[1].summary.fail > 0 and .[0].summary.fail == 0' "$tmp/out"
expect_exit 0 "default database under XDG_DATA_HOME" -- scan --snapshot $v10 --format json
check "...created there" test -s "$XDG_DATA_HOME/ansim/ansim.db"
expect_exit 3 "--no-db keeps nothing" -- scan --no-db --db "$tmp/none.db" --snapshot $v01 --format json
check "...no file" test ! -e "$tmp/none.db"

# --- ansim iam eval
cat >"$tmp/req.json" <<'JSON'
[{"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject",
  "resource": "arn:aws:s3:::pii/a.csv", "context": {"aws:SourceIp": "10.20.1.2"},
  "identity_policies": [{"Version": "2012-10-17", "Statement": {"Sid": "Office", "Effect": "Allow", "Action": "s3:Get*",
    "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.20.0.0/16"}}}}]},
 {"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject",
  "resource": "arn:aws:s3:::pii/a.csv", "context": {"aws:SourceIp": "192.0.2.9"},
  "identity_policies": [{"Version": "2012-10-17", "Statement": {"Sid": "Office", "Effect": "Allow", "Action": "s3:Get*",
    "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.20.0.0/16"}}}}]},
 {"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject", "resource": "arn:aws:s3:::pii/a.csv",
  "identity_policies": [{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}],
  "scps": [[{"Statement": {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}}]]}]
JSON
expect_exit 0 "iam eval of three requests" -- iam eval "$tmp/req.json"
check "...one line each, in order: allow, implicit_deny, explicit_deny" bash -c '
    [ "$(jq -r .decision "$1" | tr "\n" " ")" = "allow implicit_deny explicit_deny " ]' _ "$tmp/out"
check "...the allow names its statement" bash -c 'head -1 "$1" | jq -e ".matched | any(test(\"Sid Office\"))"' _ "$tmp/out"
"$ansim" iam eval - <"$tmp/req.json" >"$tmp/out2" 2>/dev/null
check "iam eval reads stdin" cmp -s "$tmp/out" "$tmp/out2"
echo '{"action": "s3:GetObject", "resource": "*", "identity_policies": [{"Statement": {"Effect": "Permit"}}]}' >"$tmp/bad.json"
expect_exit 1 "iam eval: a malformed policy" -- iam eval "$tmp/bad.json"
check "...an error line in its place and one line on stderr" bash -c 'jq -e .error "$1" && [ "$(wc -l <"$2")" -eq 1 ]' _ "$tmp/out" "$tmp/err"
printf '{"action": ' >"$tmp/trunc.json"
expect_exit 1 "iam eval: truncated JSON" -- iam eval "$tmp/trunc.json"
check "...one line naming the file" one_line_error "trunc.json"
expect_exit 2 "iam without a subcommand" -- iam

# --- iam can / who-can / scope over a snapshot (tests/fixtures/iam/gen_account.py describes the account)
acct=tests/fixtures/iam/account.json A=arn:aws:iam::111122223333 PII=arn:aws:s3:::customer-pii
expect_exit 0 "iam can: a group's IP-conditioned grant" -- iam can $A:user/alice s3:GetObject $PII/a.csv --snapshot $acct --format json
check "...is conditional on the source IP and the bucket's VPC endpoint" jq -e '.decision == "conditional" and (.conditions | index("aws:SourceIp in 10.20.0.0/16")) and (.conditions | index("aws:SourceVpce = vpce-0a1b2c3d"))' "$tmp/out"
expect_exit 0 "iam can: with the context given" -- iam can $A:user/alice s3:GetObject $PII/a.csv --snapshot $acct --format json --context aws:SourceIp=10.20.1.2 --context aws:SourceVpce=vpce-0a1b2c3d
check "...allowed, by the group policy" jq -e '.decision == "allow" and any(.matched[]; test("group analysts"))' "$tmp/out"
expect_exit 0 "iam can: from outside the network" -- iam can $A:user/alice s3:GetObject $PII/a.csv --snapshot $acct --format json --context aws:SourceIp=203.0.113.9 --context aws:SourceVpce=vpce-0a1b2c3d
check "...implicitly denied" jq -e '.decision == "implicit_deny"' "$tmp/out"
expect_exit 0 "iam can: the bucket's Deny outside the endpoint" -- iam can $A:user/dave s3:GetObject $PII/a.csv --snapshot $acct --format json --context aws:SourceVpce=vpce-ffff
check "...explicitly denied by the bucket policy" jq -e '.decision == "explicit_deny" and any(.matched[]; test("resource policy"))' "$tmp/out"
expect_exit 0 "iam can: a permissions boundary cuts AdministratorAccess" -- iam can $A:user/bob s3:GetObject $PII/a.csv --snapshot $acct --format json
check "...denied by the boundary" jq -e '.decision == "implicit_deny" and (.reason | test("boundary"))' "$tmp/out"
expect_exit 0 "iam can: an SCP Deny" -- iam can $A:role/DataRole s3:DeleteBucket $PII --snapshot $acct --format json
check "...explicitly denied by the SCP level" jq -e '.decision == "explicit_deny" and any(.matched[]; test("NoBucketDelete"))' "$tmp/out"
expect_exit 0 "iam can: a tag condition on a tag the user does not carry" -- iam can $A:user/frank s3:GetObject $PII/a.csv --snapshot $acct --format json
check "...is known, so denied (not conditional)" jq -e '.decision == "implicit_deny"' "$tmp/out"
expect_exit 1 "iam can: an unknown principal" -- iam can $A:user/nobody s3:GetObject $PII/a.csv --snapshot $acct
check "...an error naming it" grep -q "error: .*user/nobody is not a user or role" "$tmp/err"
expect_exit 2 "iam can: a malformed --context" -- iam can $A:user/alice s3:GetObject $PII --context novalue --snapshot $acct
expect_exit 0 "iam who-can s3:GetObject" -- iam who-can s3:GetObject $PII/a.csv --snapshot $acct --format json
check "...lists alice, carol (via DataRole), dave, the roles, the SAML provider and the service" jq -e '[.principals[].arn] | (index("'$A':user/alice") and index("'$A':user/carol") and index("'$A':user/dave") and index("'$A':role/DataRole") and index("'$A':saml-provider/CorpIdP") and index("lambda.amazonaws.com"))' "$tmp/out"
check "...carol through DataRole" jq -e '.principals[] | select(.arn == "'$A':user/carol") | .via == ["'$A':role/DataRole"]' "$tmp/out"
check "...no denied entries by default" jq -e 'all(.principals[]; .decision != "deny")' "$tmp/out"
check "...bob, erin, frank absent" jq -e '[.principals[].arn] | (index("'$A':user/bob") or index("'$A':user/erin") or index("'$A':user/frank")) | not' "$tmp/out"
expect_exit 0 "iam who-can --all adds denied principals" -- iam who-can s3:GetObject $PII/a.csv --snapshot $acct --format json --all
check "...bob denied" jq -e '.principals[] | select(.arn == "'$A':user/bob") | .decision == "deny"' "$tmp/out"
expect_exit 0 "iam who-can: another account's prefix grant" -- iam who-can s3:GetObject $PII/exports/x.csv --snapshot $acct --format json
check "...the partner account through PartnerRole, on its external id" jq -e '.principals[] | select(.arn == "arn:aws:iam::999988887777:root") | (.decision == "conditional" and (.conditions | index("sts:ExternalId = partner-42")))' "$tmp/out"
expect_exit 0 "iam scope" -- iam scope --snapshot $acct --format json
check "...the tagged bucket is the personal data" jq -e '.resources == [{"arn": "'$PII'", "why": "tag ansim:pii=true"}]' "$tmp/out"
check "...dave can download but only through the endpoint, so confined" jq -e '.principals[] | select(.arn == "'$A':user/dave") | (.confined and .download.decision == "conditional")' "$tmp/out"
check "...erin can grant (her own policies) and is not confined" jq -e '.principals[] | select(.arn == "'$A':user/erin") | (.confined | not) and .grant.decision == "allow"' "$tmp/out"
check "...the partner prefix is found" jq -e 'any(.principals[]; .arn == "arn:aws:iam::999988887777:root")' "$tmp/out"
jq '.resources += [{"type": "aws_rds_db_cluster", "region": "ap-northeast-2", "id": "pii-db", "arn": "arn:aws:rds:ap-northeast-2:111122223333:cluster:pii-db", "data": {"TagList": [{"Key": "ansim:pii", "Value": "true"}]}}]
    | (.resources[] | select(.id == "frank") | .data.UserPolicyList) += [{"PolicyName": "data-api", "PolicyDocument": {"Statement": {"Effect": "Allow", "Action": "rds-data:ExecuteStatement", "Resource": "arn:aws:rds:ap-northeast-2:111122223333:cluster:pii-db"}}}]' "$acct" >"$tmp/acct-rds.json"
expect_exit 0 "iam scope: a tagged Aurora cluster" -- iam scope --snapshot "$tmp/acct-rds.json" --format json
check "...frank reads it through the RDS Data API, unconfined" jq -e '.principals[] | select(.arn == "'$A':user/frank") | .download.decision == "allow" and .download.actions == ["rds-data:ExecuteStatement"] and (.confined | not)' "$tmp/out"
expect_exit 0 "iam scope --pii-tag with no such tag" -- iam scope --snapshot $acct --pii-tag data=secret --format json
check "...nothing in scope, with a warning" jq -e '.summary.resources == 0 and (.principals | length) == 0' "$tmp/out"
check "...warned" grep -q "no resource carries" "$tmp/err"
expect_exit 0 "iam scope --lang ko" -- --lang ko iam scope --snapshot $acct --format tty
check "...Korean table" grep -q "^다운로드 .*망제한" "$tmp/out"
check "...no progress line when stderr is not a terminal" bash -c '! grep -q "scope: [0-9]" "$1"' _ "$tmp/err"
expect_exit 0 "iam scope --format html" -- iam scope --snapshot $acct --format html
check "...an HTML table" grep -q "<table>" "$tmp/out"
expect_exit 3 "controls over the IAM fixture" -- scan --no-db --snapshot $acct --control iam.network_separation_scope,iam.privilege_escalation,iam.full_admin_policy --format json
check "...erin is unconfined in the network-separation scope" jq -e 'any(.findings[]; .control_id == "iam.network_separation_scope" and .status == "fail" and .resource_id == "erin")' "$tmp/out"
check "...erin can escalate by writing her own policy" jq -e 'any(.findings[]; .control_id == "iam.privilege_escalation" and .status == "fail" and .resource_id == "erin" and (.reason | test("iam:PutUserPolicy")))' "$tmp/out"
check "...alice cannot escalate" jq -e 'any(.findings[]; .control_id == "iam.privilege_escalation" and .status == "pass" and .resource_id == "alice")' "$tmp/out"
check "...dave's NotAction policy is not full admin (IAM excluded)" jq -e 'any(.findings[]; .control_id == "iam.full_admin_policy" and .resource_id == "dave" and .status == "pass")' "$tmp/out"
# --- ansim iam eval on hostile input, generated here (never committed): each run ends within
# 20 s with results or clean errors, never a crash (the ASan build runs this too)
mkdir -p "$tmp/hostile"
python3 - "$tmp/hostile" <<'PY' || no "hostile inputs could not be generated"
import json, os, sys
d = sys.argv[1]
U = "arn:aws:iam::111122223333:user/alice"
N = 100000
def st(**kw):
    s = {"Effect": "Allow", "Action": "*", "Resource": "*"}
    s.update(kw)
    return s
def req(stmts, action="s3:GetObject", resource="arn:aws:s3:::b/k", **kw):
    r = {"principal": U, "action": action, "resource": resource,
         "identity_policies": [{"Version": "2012-10-17", "Statement": stmts}]}
    r.update(kw)
    return r
def put(name, doc):
    with open(os.path.join(d, name + ".json"), "wb") as f:
        f.write(doc if isinstance(doc, bytes) else json.dumps(doc).encode())
a = "a" * N
put("deep", b"[" * N + b"]" * N)
put("deep-context", json.dumps(req([st()]))[:-1].encode() + b', "context": {"k": ' + b"[" * N + b"]" * N + b"}}")
put("deep-within-limit", json.dumps(req([st()]))[:-1].encode() + b', "context": {"k": ' + b"[" * 2000 + b"]" * 2000 + b"}}")
put("ten-mb", req([st(Sid="x" * 1000, Action=["s3:" + "y" * 1000000] * 3 + ["s3:Get*"],
                      Resource=["arn:aws:s3:::" + "z" * 1000000] * 3 + ["*" + "a" * 500000 + "b*"],
                      Condition={"StringLike": {"ctx:k": ["q" * 100000] * 30 + ["*"]}})],
                  resource="arn:aws:s3:::" + "a" * 1000000 + "b", context={"ctx:k": "v"}))
put("statements", req([st(Action="s3:PutObject", Resource="arn:aws:s3:::o/%d" % i) for i in range(N - 1)] + [st(Sid="Last")]))
put("condition-values", req([st(Condition={"StringEquals": {"ctx:k": ["v%d" % i for i in range(N)]}})], context={"ctx:k": "v%d" % (N - 1)}))
put("condition-keys", req([st(Condition={"StringEquals": {"ctx:k%d" % i: "v" for i in range(N)}})], context={"ctx:k%d" % i: "v" for i in range(N)}))
put("values-both-sides", req([st(Condition={"ForAnyValue:StringEquals": {"ctx:k": ["p%d" % i for i in range(N)]}})], context={"ctx:k": ["r%d" % i for i in range(N)]}))
put("glob-stars", req([st(Action="s3:*a*a*a*a*a*a*a*a*b")], action="s3:" + a))
put("glob-long-piece", req([st(Resource="arn:aws:s3:::*" + "a" * 5000 + "b*")], resource="arn:aws:s3:::" + a + a))
put("glob-question-marks", req([st(Resource="*" + "a?" * 2000 + "b*"), st(Resource="?" * N)], resource=a + "b"))
put("glob-star-run", req([st(Resource="*" * N + "b", Condition={"StringLike": {"ctx:k": "*" * N + "?"}})], resource=a, context={"ctx:k": a}))
put("glob-arnlike", req([st(Condition={"ArnLike": {"ctx:arn": "arn:aws:s3:::*a*a*a*a*a*a*a*a*b"}})], context={"ctx:arn": "arn:aws:s3:::" + a}))
put("variables", req([st(Resource="arn:aws:s3:::" + "${aws:username}" * N)], resource="arn:aws:s3:::" + "alice" * N))
put("variables-malformed", req([st(Resource=["${" * N, "${${${a}}}", "${a, '", "${}", "$" * N + "{"],
                                   Condition={"StringLike": {"ctx:k": ["${ctx:k" + "}" * N, "${" + "${" * N]}})], context={"ctx:k": "v"}))
put("bad-utf8", b'{"principal": "\xff\xfe", "action": "s3:GetObject", "resource": "*"}')
put("nul", b'{"principal": "a", "action": "s3:Get\\u0000Object", "resource": "*"}')
put("action-numbers", req([st(Action=[1, 2.5, True])]))
put("principal-number", {"principal": 111122223333, "action": "s3:GetObject", "resource": "*"})
put("huge-integer", b'{"action": "s3:GetObject", "resource": "*", "context": {"k": 999999999999999999999999999}}')
put("huge-numbers", req([st(Condition={"NumericLessThan": {"ctx:n": "1e999999"}, "NumericGreaterThan": {"ctx:m": "-" + "9" * N}})],
                        context={"ctx:n": "123", "ctx:m": "1" + "0" * N}))
put("bad-cidrs", req([st(Condition={"IpAddress": {"aws:SourceIp": ["10.0.0.0/33", "10.0.0.0/abc", "10.0.0.0/", "::/129", "0.0.0.0/-1", "garbage", "x" * N]}})],
                     context={"aws:SourceIp": "192.0.2.1"}))
put("bad-dates", req([st(Condition={"DateGreaterThan": {"aws:CurrentTime": ["2020-13-45", "9999-99-99T99:99:99Z", "x" * N, "2020-01-01T", "0x10"]}})],
                     context={"aws:CurrentTime": "2026-01-01T00:00:00Z"}))
put("context-object", req([st()], context={"ctx:k": {"a": 1}}))
put("control-characters", req([st(Condition={"Bad\nOperator\x1b[31m": {"k": "v"}})]))
put("long-sid", req([st(Sid="가" * N, Effect="Permit")]))
put("scp-third-level", req([st()], scps=[[{"Statement": st()}], [{"Statement": st()}], [{"Statement": {"Effect": "Bad"}}]]))
PY
# hostile CODE LINES WHAT FILE: exit CODE within 20 s, LINES lines of JSON on stdout, and one
# line on stderr per error (just one, for a file that is not JSON at all)
hostile() {
    local want=$1 lines=$2 what=$3 file=$tmp/hostile/$4.json got errs
    timeout 20 "$ansim" iam eval "$file" >"$tmp/out" 2>"$tmp/err"
    got=$?
    errs=$(grep -c '"error"' "$tmp/out")
    if [ "$got" -ne "$want" ]; then
        no "iam eval, $what: exit $got, want $want; stderr: $(head -c 300 "$tmp/err")"
    elif [ "$(wc -l <"$tmp/out")" -ne "$lines" ] || ! jq -e . "$tmp/out" >/dev/null; then
        no "iam eval, $what: $(wc -l <"$tmp/out") lines of output, want $lines of JSON"
    elif [ "$(wc -l <"$tmp/err")" -ne "$(( lines ? errs : 1 ))" ]; then
        no "iam eval, $what: $(wc -l <"$tmp/err") lines on stderr for $errs errors"
    else
        ok "iam eval, $what (exit $got)"
    fi
}
decision() { jq -e --arg d "$1" '.decision == $d' "$tmp/out" >/dev/null; }
hostile 1 0 "JSON nested 100,000 deep" deep
check "...says so on one line" one_line_error 'deep.json:1:2049: JSON nested deeper than 2048 levels'
hostile 1 0 "a context value nested 100,000 deep" deep-context
hostile 1 1 "a context value nested 2,000 deep" deep-within-limit
check "...is an error for that request" one_line_error 'context key k: values must be strings'
hostile 0 1 "a 10 MB policy with megabyte strings" ten-mb
check "...allowed by the megabyte pattern" decision allow
hostile 0 1 "100,000 statements" statements
check "...the last one allows" jq -e '.decision == "allow" and (.matched[0] | test("statement 99999 \\(Sid Last\\)"))' "$tmp/out"
hostile 0 1 "100,000 condition values" condition-values
check "...the last one matches" decision allow
hostile 0 1 "100,000 condition keys and context keys" condition-keys
check "...all hold" decision allow
hostile 0 1 "ForAnyValue over 100,000 policy and 100,000 request values" values-both-sides
check "...none in common" decision implicit_deny
hostile 0 1 "*a*a*a*a*a*a*a*a*b against 100,000 a's" glob-stars
check "...no match" decision implicit_deny
hostile 0 1 "a 5,000-character piece between stars against 200,000 characters" glob-long-piece
check "...no match" decision implicit_deny
hostile 0 1 "question-mark patterns" glob-question-marks
check "...match" decision allow
hostile 0 1 "100,000 stars" glob-star-run
check "...no match" decision implicit_deny
hostile 0 1 "ArnLike with many stars" glob-arnlike
check "...no match" decision implicit_deny
hostile 0 1 "100,000 policy variables" variables
check "...substituted" decision allow
hostile 0 1 "malformed policy variables" variables-malformed
hostile 1 0 "invalid UTF-8" bad-utf8
check "...one line naming the file" one_line_error 'bad-utf8.json:1:[0-9]*: unable to decode byte 0xff'
hostile 1 0 "NUL in a string" nul
check "...one line" one_line_error 'nul.json:1:[0-9]*: a string holds \\u0000 (NUL)'
hostile 1 1 "numbers in Action" action-numbers
check "...refused" one_line_error 'Action must be a string or a list of strings'
hostile 1 1 "a number as principal" principal-number
check "...refused, not taken as anonymous" one_line_error 'principal must be a string or null'
hostile 1 0 "an integer beyond 64 bits" huge-integer
check "...one line" one_line_error 'too big integer'
hostile 0 1 "huge numeric values" huge-numbers
check "...compare as numbers" decision allow
hostile 0 1 "malformed CIDRs" bad-cidrs
check "...match nothing" decision implicit_deny
hostile 0 1 "malformed dates" bad-dates
check "...match nothing" decision implicit_deny
hostile 1 1 "a context value that is an object" context-object
check "...refused" one_line_error 'context key ctx:k: values must be strings'
hostile 1 1 "control characters in a quoted name" control-characters
check "...still one line" one_line_error 'unknown condition operator Bad Operator'
hostile 1 1 "a 300 kB Sid in an error" long-sid
check "...the reason still shown" one_line_error 'Effect must be Allow or Deny'
hostile 1 1 "a bad SCP at the third level" scp-third-level
expect_exit 1 "iam eval of a directory" -- iam eval "$tmp/hostile"
check "...says so" one_line_error 'is a directory'

# --- frameworks: all 101 ISMS-P items in the HTML report, each with status, controls, failing resources or evidence
expect_exit 3 "scan --framework isms-p --format html" -- scan --no-db --snapshot $v01 --framework isms-p --format html -o "$tmp/isms.html"
check "...shows all 101 items" test "$(grep -o '<td class="rid">[0-9.]*</td>' "$tmp/isms.html" | sort -u | wc -l)" -eq 101
check "...failed items name their failing resources" grep -q 'class="failing">Failing: <code>' "$tmp/isms.html"
check "...manual items say what evidence to prepare" grep -q 'class="evidence">Evidence to prepare: ' "$tmp/isms.html"
expect_exit 3 "...and in JSON" -- scan --no-db --snapshot $v01 --framework isms-p --format json
check "...101 requirements, failing ones list resources, manual ones evidence" jq -e '
    .frameworks[0].requirements | length == 101 and
    all(.[]; (.status != "fail" or (.failing | length) > 0) and (.status != "manual" or (.evidence | length) > 0))' "$tmp/out"
check "...failing findings carry their filled-in remediation" jq -e '
    [.findings[] | select(.status == "fail")] | length > 0 and all(.[]; (.remediation.cli | length) > 0 and (.remediation.terraform | test("\\{\\{") | not))' "$tmp/out"

# --- the organisation profile (ansim.yaml / --profile-file) and `ansim init`
mkdir -p "$tmp/org"
(cd "$tmp/org" && "$ansim" init --non-interactive >"$tmp/out" 2>"$tmp/err")
check "init --non-interactive writes ansim.yaml with every fact unknown" grep -q '^daily_users: unknown' "$tmp/org/ansim.yaml"
check "...and says the stricter rules apply" grep -q 'access records 730 days.*network separation mandatory' "$tmp/out"
(cd "$tmp/org" && "$ansim" init --non-interactive >"$tmp/out" 2>"$tmp/err"); rc=$?
check "init keeps an existing profile (exit 1)" test "$rc" -eq 1
check "...saying how to replace it" one_line_error 'exists; edit it, or run again with --force'
printf 'pipa-tech-2021\n20000\nlots\n2000\nunknown\nfalse\nfalse\nfalse\nclass=pii\n203.0.113.0/24\n\nvpce-0abc\n' |
    (cd "$tmp/org" && "$ansim" init --force --interactive >"$tmp/out" 2>"$tmp/err")
check "init asks again after a bad answer" grep -q 'daily_users: must be a whole number' "$tmp/err"
check "...and writes the answers" grep -q '^regulation: pipa-tech-2021' "$tmp/org/ansim.yaml"
check "...giving 5-year permission records and 1-year access records" grep -q 'access records 365 days, permission records 1825 days' "$tmp/out"
check "...and the separated network" grep -q 'vpc_endpoints: \["vpce-0abc"\]' "$tmp/org/ansim.yaml"
printf 'pipa-2023\n' | (cd "$tmp/org" && "$ansim" init --force --interactive --lang ko >"$tmp/out" 2>"$tmp/err"); rc=$?
check "init: input ending before the last answer is an error (exit 1), nothing written half-way" \
    bash -c '[ "$0" -eq 1 ] && grep -q "input ended" "$1" && grep -q "^regulation: pipa-tech-2021" "$2"' "$rc" "$tmp/err" "$tmp/org/ansim.yaml"
check "...asking in Korean with --lang ko" grep -q '적용 기준' "$tmp/err"
printf 'regulation: pipa-2023\ndaily_users: 1e6\n' >"$tmp/org/bad.yaml"
expect_exit 1 "a malformed profile stops the scan" -- scan --no-db --profile-file "$tmp/org/bad.yaml" --snapshot $v01
check "...naming file, line and key" one_line_error 'bad.yaml:2: daily_users: must be a whole number'
printf 'regulaton: pipa-2023\n' >"$tmp/org/ansim.yaml"
(cd "$tmp/org" && "$ansim" scan --no-db --snapshot "$OLDPWD/$v01" >"$tmp/out" 2>"$tmp/err"); rc=$?
check "./ansim.yaml is read by scan (a misspelt key is an error, exit 1)" test "$rc" -eq 1
check "...naming it" one_line_error 'ansim.yaml:1: regulaton: unknown key'
printf 'daily_users: 1_500_000\n' >"$tmp/org/big.yaml"; printf 'daily_users: 200\n' >"$tmp/org/small.yaml"
expect_exit 3 "network separation: unknown daily users make it mandatory" -- scan --no-db --snapshot tests/fixtures/iam/account.json --control iam.network_separation_scope --format json
check "...and the reason says the stricter reading was applied" jq -e 'any(.findings[]; .status == "fail" and (.reason | test("does not give the daily users")))' "$tmp/out"
expect_exit 3 "...a profile with 1.5 million daily users: still failing, without the note" -- scan --no-db --profile-file "$tmp/org/big.yaml" --snapshot tests/fixtures/iam/account.json --control iam.network_separation_scope --format json
check "...no note" jq -e 'all(.findings[]; (.reason | test("stricter")) | not)' "$tmp/out"
expect_exit 0 "...200 daily users: the duty does not apply (not_applicable, not pass)" -- scan --no-db --profile-file "$tmp/org/small.yaml" --snapshot tests/fixtures/iam/account.json --control iam.network_separation_scope --format json
check "...saying why" jq -e '([.findings[] | select(.status == "fail")] | length) == 0 and any(.findings[]; .status == "not_applicable" and (.reason | test("not mandatory")))' "$tmp/out"
expect_exit 1 "a missing --profile-file is an error" -- scan --no-db --profile-file "$tmp/nope.yaml" --snapshot $v01
check "...naming it" one_line_error 'nope.yaml'

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
