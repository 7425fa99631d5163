#!/usr/bin/env bash
# tests/live.sh ANSIM — live collection against the local AWS emulator that tests/run.sh
# started (tests/moto.sh exports ANSIM_MOTO_*): `ansim collect` reads the seeded account
# (IAM; EC2/VPC in two regions; RDS, which the audit user may not read) into a snapshot
# without leaking the secret key, services this build does not collect are
# recorded so their controls report error (never pass), the planted IAM problems are found,
# a live `ansim scan` gives exactly the findings of a scan of the collected snapshot, and bad
# or missing credentials are one-line errors. Prints "N passed, M failed".
set -u
ansim=${1:?usage: tests/live.sh ANSIM_BINARY}
case $ansim in /*) ;; *) ansim=$PWD/$ansim ;; esac
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
no() { fail=$((fail + 1)); echo "not ok - $1"; }
check() { local what=$1; shift; if "$@" >/dev/null 2>&1; then ok "$what"; else no "$what"; fi; }
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }

if [ -z "${ANSIM_MOTO_URL:-}" ]; then
    no "ANSIM_MOTO_URL not set: run through tests/run.sh, which starts moto"
    finish
fi
export HOME=$tmp/home XDG_DATA_HOME=$tmp/xdg
mkdir -p "$HOME"
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE
run() {  # run ansim with the audit user's key; stdout/stderr in $tmp/out, $tmp/err; exit code in $rc
    AWS_ACCESS_KEY_ID=$ANSIM_MOTO_AKID AWS_SECRET_ACCESS_KEY=$ANSIM_MOTO_SECRET "$ansim" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
}

regions=us-east-1,ap-northeast-2
run collect --endpoint-url "$ANSIM_MOTO_URL" --region $regions -o "$tmp/snap.json"
check "collect exits 0 (got $rc)" test "$rc" -eq 0
snap=$tmp/snap.json
check "snapshot format, account and regions" jq -e '.format == "ansim-snapshot/1" and .account_id == env.ANSIM_MOTO_ACCOUNT and .regions == ["us-east-1", "ap-northeast-2"]' "$snap"
check "EC2/VPC in both regions: security groups with rules, VPCs, EBS default encryption" jq -e '
    ([.resources[] | select(.type == "aws_ec2_security_group") | .region] | unique) == ["ap-northeast-2", "us-east-1"] and
    any(.resources[]; .type == "aws_ec2_security_group" and .data.GroupName == "web" and
        any(.data.IpPermissions[]; .FromPort == 22 and .IpRanges[0].CidrIp == "0.0.0.0/0")) and
    ([.resources[] | select(.type == "aws_ebs_encryption_by_default")] | length) == 2 and
    ([.resources[] | select(.type == "aws_ec2_vpc")] | length) >= 2' "$snap"
check "a denied read (RDS) is recorded per region, not hidden" jq -e '
    ([.errors[] | select(.service == "rds" and .code == "AccessDenied") | .region] | sort) == ["ap-northeast-2", "us-east-1"]' "$snap"
check "IAM users, group, summary and credential report collected" jq -e '
    ([.resources[] | select(.type == "aws_iam_user") | .id] | sort) == ["ansim-audit", "dev1"] and
    any(.resources[]; .type == "aws_iam_group" and .id == "admins" and (.data.GroupPolicyList[0].PolicyDocument.Statement[0].Action == "*")) and
    any(.resources[]; .type == "aws_iam_account_summary" and (.data.Users == 2)) and
    any(.resources[]; .type == "aws_iam_credential_report" and .id == "ansim-audit" and .data.access_key_1_active == "true")' "$snap"
check "user details: access keys with last use, login profile, MFA devices" jq -e '
    .resources[] | select(.type == "aws_iam_user" and .id == "ansim-audit") | .data |
    (.AccessKeys | length) == 1 and (.AccessKeys[0] | has("LastUsed")) and has("LoginProfile") and .LoginProfile == null and .MFADevices == []' "$snap"
check "no password policy in moto: absent, not an error" jq -e '
    ([.resources[] | select(.type == "aws_iam_password_policy")] | length) == 0 and
    ([.errors[] | select(.operation == "GetAccountPasswordPolicy")] | length) == 0' "$snap"
check "services not collected yet are recorded, never silent" jq -e '
    any(.errors[]; .service == "s3" and .code == "NotCollected") and any(.errors[]; .service == "kms" and .code == "NotCollected") and
    all(.errors[]; .service != "ec2" or .code != "NotCollected")' "$snap"
check "the secret key appears nowhere (snapshot, stderr)" bash -c '! grep -qF "$1" "$2" "$3"' _ "$ANSIM_MOTO_SECRET" "$snap" "$tmp/err"

run collect --endpoint-url "$ANSIM_MOTO_URL" --region $regions --max-concurrency 1 -o "$tmp/snap1.json"
check "one region at a time gives the same snapshot as in parallel (exit $rc)" bash -c '
    strip() { jq -S "del(.collected_at) | walk(if type == \"object\" then del(.access_key_1_last_used_date, .LastUsedDate) else . end)" "$1"; }
    diff <(strip "$1") <(strip "$2")' _ "$tmp/snap1.json" "$snap"
run scan --no-db --snapshot "$snap" --format json
check "scan of the snapshot exits 3" test "$rc" -eq 3
cp "$tmp/out" "$tmp/from-snapshot.json"
web=$(jq -r '.resources[] | select(.type == "aws_ec2_security_group" and .data.GroupName == "web") | .id' "$snap")
check "planted problems found: admin group policy, user with inline policy, SSH open to the world" jq -e --arg web "$web" '
    any(.findings[]; .control_id == "iam.full_admin_policy" and .resource_id == "admins" and .status == "fail") and
    any(.findings[]; .control_id == "iam.user_attached_policies" and .resource_id == "ansim-audit" and .status == "fail") and
    any(.findings[]; .control_id == "ec2.sg_admin_ports_open" and .resource_id == $web and .status == "fail") and
    all(.findings[]; .control_id != "ec2.sg_admin_ports_open" or .resource_id == $web or .status == "pass")' "$tmp/from-snapshot.json"
check "the denied RDS reads make the RDS controls error" jq -e '
    [.findings[] | select(.control_id | startswith("rds."))] | length > 0 and all(.status == "error") and
    any(.reason | test("AccessDenied"))' "$tmp/from-snapshot.json"
check "controls of uncollected services report error, not pass" jq -e '
    [.findings[] | select(.control_id | test("^(s3|kms|cloudtrail)\\."))] |
    length > 0 and all(.status == "error")' "$tmp/from-snapshot.json"

run scan --no-db --endpoint-url "$ANSIM_MOTO_URL" --region $regions --format json
check "live scan exits 3" test "$rc" -eq 3
check "live scan reports source live" jq -e '.scan.source == "live"' "$tmp/out"
check "live scan and snapshot scan give identical findings" \
    bash -c 'diff <(jq -S .findings "$1") <(jq -S .findings "$2")' _ "$tmp/out" "$tmp/from-snapshot.json"

AWS_ACCESS_KEY_ID=$ANSIM_MOTO_AKID AWS_SECRET_ACCESS_KEY=wrong "$ansim" collect --endpoint-url "$ANSIM_MOTO_URL" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "wrong secret: exit 1 (got $rc)" test "$rc" -eq 1
check "...one line naming the refusal" bash -c '[ "$(wc -l <"$1")" -eq 1 ] && grep -q SignatureDoesNotMatch "$1"' _ "$tmp/err"
check "...and nothing on stdout" test ! -s "$tmp/out"
"$ansim" collect --endpoint-url "$ANSIM_MOTO_URL" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "no credentials: exit 1 with one line (got $rc)" bash -c '[ "$1" -eq 1 ] && [ "$(wc -l <"$2")" -eq 1 ] && grep -q "no AWS credentials" "$2"' _ "$rc" "$tmp/err"
finish
