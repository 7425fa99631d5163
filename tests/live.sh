#!/usr/bin/env bash
# tests/live.sh ANSIM — live collection against the local AWS emulators that tests/run.sh
# started (tests/moto.sh exports ANSIM_MOTO_*, ANSIM_FAULT_URL, ANSIM_STARTUP_URL):
# `ansim collect` reads the seeded account (IAM; S3 and S3 Control; EC2/VPC, CloudTrail and KMS
# in two regions; RDS, which the audit user may not read) into a snapshot without leaking the
# secret key; the planted problems are found with the right control and resource ids and the
# well-configured resources pass; denied reads and broken answers make their controls
# error, never pass; a live `ansim scan` gives exactly the findings of a scan of the
# collected snapshot; the example start-up account recreated in moto fails the same
# controls as its snapshot; endpoint overrides work; bad or missing credentials are
# one-line errors. Prints "N passed, M failed".
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
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE AWS_ENDPOINT_URL
export AWS_EC2_METADATA_DISABLED=true  # never reach for a real instance-metadata address
run() {  # run ansim with the audit user's key; stdout/stderr in $tmp/out, $tmp/err; exit code in $rc
    AWS_ACCESS_KEY_ID=$ANSIM_MOTO_AKID AWS_SECRET_ACCESS_KEY=$ANSIM_MOTO_SECRET "$ansim" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
}

regions=us-east-1,ap-northeast-2
run collect --endpoint-url "$ANSIM_MOTO_URL" --region $regions -o "$tmp/snap.json"
check "collect exits 0 (got $rc)" test "$rc" -eq 0
snap=$tmp/snap.json
check "attached AWS-managed policies are read with their documents" jq -e '
    [.resources[] | select(.type == "aws_iam_aws_managed_policy")] | length == 1 and .[0].id == "AmazonS3ReadOnlyAccess"
    and .[0].arn == "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" and (.[0].data.Document.Statement | length) > 0' "$snap"
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
    ([.resources[] | select(.type == "aws_iam_user") | .id] | sort) == ["ansim-audit", "dev1", "seed-admin"] and
    any(.resources[]; .type == "aws_iam_group" and .id == "admins" and (.data.GroupPolicyList[0].PolicyDocument.Statement[0].Action == "*")) and
    any(.resources[]; .type == "aws_iam_account_summary" and (.data.Users == 3)) and
    any(.resources[]; .type == "aws_iam_credential_report" and .id == "ansim-audit" and .data.access_key_1_active == "true")' "$snap"
check "user details: access keys with last use, login profile, MFA devices" jq -e '
    .resources[] | select(.type == "aws_iam_user" and .id == "ansim-audit") | .data |
    (.AccessKeys | length) == 1 and (.AccessKeys[0] | has("LastUsed")) and has("LoginProfile") and .LoginProfile == null and .MFADevices == []' "$snap"
check "no password policy in moto: absent, not an error" jq -e '
    ([.resources[] | select(.type == "aws_iam_password_policy")] | length) == 0 and
    ([.errors[] | select(.operation == "GetAccountPasswordPolicy")] | length) == 0' "$snap"
check "every service the controls need is collected (no NotCollected)" jq -e 'all(.errors[]; .code != "NotCollected")' "$snap"
check "a standalone account: no organization policies, and no error for it" jq -e '
    all(.resources[]; .type != "aws_organizations_policy_path") and all(.errors[]; .service != "organizations")' "$snap"
check "S3: buckets in their own regions with ACL, policy, encryption, lock, tags" jq -e '
    any(.resources[]; .type == "aws_s3_bucket" and .id == "public-images" and .region == "ap-northeast-2" and
        .arn == "arn:aws:s3:::public-images" and .data.Policy == null and .data.PublicAccessBlockConfiguration == null and
        .data.ServerSideEncryptionConfiguration == null and .data.Tags == [{"Key": "ansim:pii", "Value": "true"}] and
        any(.data.Acl.Grants[]; .Grantee.Type == "Group" and (.Grantee.URI | endswith("/AllUsers")))) and
    any(.resources[]; .type == "aws_s3_bucket" and .id == "secure-logs" and .region == "us-east-1" and
        .data.Policy.Statement[0].Sid == "TLSOnly" and .data.ObjectLockConfiguration.Rule.DefaultRetention.Years == 1 and
        .data.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm == "aws:kms" and
        .data.PublicAccessBlockConfiguration.RestrictPublicBuckets == true)' "$snap"
check "CloudTrail: the multi-region trail listed once, in its home region, with status and selectors" jq -e '
    [.resources[] | select(.type == "aws_cloudtrail_trail")] | length == 1 and .[0].region == "us-east-1" and
    .[0].data.Status.IsLogging == true and .[0].data.LogFileValidationEnabled == true and (.[0].data.EventSelectors | type) == "array"' "$snap"
check "KMS: three customer keys with rotation status, decoded policy, tags" jq -e '
    [.resources[] | select(.type == "aws_kms_key")] | length == 3 and
    ([.[] | select(.region == "ap-northeast-2") | .data.KeyRotationEnabled] | sort) == [false, true] and
    all(.data.Policy.Statement | type == "array") and all(.data.Tags | type == "array") and
    all(.data.CreationDate | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T"))' "$snap"
check "the secret key appears nowhere (snapshot, stderr)" bash -c '! grep -qF "$1" "$2" "$3"' _ "$ANSIM_MOTO_SECRET" "$snap" "$tmp/err"

run collect --endpoint-url "$ANSIM_MOTO_URL" --region $regions --max-concurrency 1 -o "$tmp/snap1.json"
check "one region at a time gives the same snapshot as in parallel (exit $rc)" bash -c '
    strip() { jq -S "del(.collected_at) | walk(if type == \"object\" then del(.access_key_1_last_used_date, .LastUsedDate, .LatestDeliveryTime, .LatestDeliveryAttemptTime, .LatestNotificationAttemptTime) else . end)" "$1"; }
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
check "planted S3/KMS problems fail with their resource ids" jq -e '
    def st(c; r): [.findings[] | select(.control_id == c and .resource_id == r) | .status] | unique;
    st("s3.bucket_public"; "public-images") == ["fail"] and st("s3.bucket_public_access_block"; "public-images") == ["fail"] and
    st("s3.default_encryption"; "public-images") == ["fail"] and st("s3.account_public_access_block"; env.ANSIM_MOTO_ACCOUNT) == ["fail"] and
    ([.findings[] | select(.control_id == "kms.key_rotation" and .status == "fail")] | length) == 1' "$tmp/from-snapshot.json"
check "well-configured bucket, trail and keys pass" jq -e '
    def st(c; r): [.findings[] | select(.control_id == c and .resource_id == r) | .status] | unique;
    st("s3.bucket_public"; "secure-logs") == ["pass"] and st("s3.ssl_only"; "secure-logs") == ["pass"] and
    st("s3.default_encryption"; "secure-logs") == ["pass"] and st("s3.bucket_public_access_block"; "secure-logs") == ["pass"] and
    st("cloudtrail.log_file_validation"; "main-trail") == ["pass"] and st("cloudtrail.kms_encryption"; "main-trail") == ["pass"] and
    st("cloudtrail.bucket_object_lock"; "main-trail") == ["pass"] and st("cloudtrail.bucket_not_public"; "main-trail") == ["pass"] and
    ([.findings[] | select(.control_id == "cloudtrail.multi_region") | .status] == ["pass"]) and
    ([.findings[] | select(.control_id == "kms.key_rotation" and .status == "pass")] | length) == 2' "$tmp/from-snapshot.json"

run scan --no-db --endpoint-url "$ANSIM_MOTO_URL" --region $regions --format json
check "live scan exits 3" test "$rc" -eq 3
check "live scan reports source live" jq -e '.scan.source == "live"' "$tmp/out"
check "live scan and snapshot scan give identical findings" \
    bash -c 'diff <(jq -S .findings "$1") <(jq -S .findings "$2")' _ "$tmp/out" "$tmp/from-snapshot.json"

# AWS_ENDPOINT_URL instead of --endpoint-url; AWS_ENDPOINT_URL_S3 sends S3 somewhere dead
AWS_ENDPOINT_URL=$ANSIM_MOTO_URL AWS_ENDPOINT_URL_S3=http://127.0.0.1:9 run scan --no-db --region us-east-1 --format json
check "AWS_ENDPOINT_URL is honoured (exit $rc)" jq -e 'any(.findings[]; .control_id == "iam.full_admin_policy" and .resource_id == "admins" and .status == "fail")' "$tmp/out"
check "AWS_ENDPOINT_URL_S3 overrides it for S3 (not S3 Control): unreachable, so bucket controls error, never pass" jq -e '
    [.findings[] | select(.control_id | startswith("s3.")) | select(.control_id != "s3.account_public_access_block")] |
    length > 0 and all(.status == "error") and any(.reason | test("s3:ListBuckets"))' "$tmp/out"

# every answer after the first cut in half: the scan finishes and passes nothing
plan=$(python3 -c 'import json; print(json.dumps(["pass"] + ["halfbody"] * 400))')
curl -s -X POST --data "$plan" "$ANSIM_FAULT_URL/__fault/plan" >/dev/null
run scan --no-db --endpoint-url "$ANSIM_FAULT_URL" --region us-east-1 --format json
curl -s -X POST --data '[]' "$ANSIM_FAULT_URL/__fault/plan" >/dev/null
check "broken answers everywhere: the scan still finishes, with no failure it could verify (exit $rc)" test "$rc" -eq 0
check "...and reports no pass it could not verify" jq -e '
    ([.findings[] | select(.status == "pass")] | length) == 0 and ([.findings[] | select(.status == "error")] | length) > 10' "$tmp/out"
check "...with the malformed answers named" jq -e 'any(.findings[]; .reason | test("MalformedResponse|malformed"))' "$tmp/out"

# the example start-up account, recreated in moto: the same controls fail as in its snapshot.
# Ids AWS generates (sg-, i-, vpc-, key ids) are compared by kind; controls that depend on
# the age of keys, or on the credential report's root row (moto has none), are left out, and
# so are those moto cannot model: Access Analyzer, anomaly monitors, SSM's node list and
# AppStream 2.0 (not implemented; AppStream's fleets also decide network.separated_egress) and
# federation (moto shows an Identity Center instance in every region).
norm='[.findings[] | select(.control_id | test("^iam\\.(access_key_rotation|unused_credentials|root_|access_analyzer_enabled|federated_access)|^account\\.cost_anomaly_monitor|^ssm\\.managed_instances|^appstream\\.|^network\\.separated_egress") | not) |
       "\(.control_id) \(.status) \(.resource_id | sub("^(sg|i|vpc)-[0-9a-f]+$"; "\\1-*") | sub("^[0-9a-f]{8}-[0-9a-f-]{27}$"; "key-*"))"] | unique | .[]'
AWS_ACCESS_KEY_ID=startup AWS_SECRET_ACCESS_KEY=startup "$ansim" scan --no-db --endpoint-url "$ANSIM_STARTUP_URL" --region ap-northeast-2 --format json >"$tmp/startup-live.json" 2>"$tmp/err"
rc=$?
"$ansim" scan --no-db --snapshot examples/startup-v0.1.json --format json >"$tmp/startup-snap.json" 2>/dev/null
check "start-up account in moto: live scan exits 3 like its snapshot (got $rc)" test "$rc" -eq 3
check "...and fails and passes the same controls on the same resources" \
    bash -c 'diff <(jq -r "$1" "$2") <(jq -r "$1" "$3")' _ "$norm" "$tmp/startup-snap.json" "$tmp/startup-live.json"
check "...root checks it cannot verify (no root row in moto's report) are error, not pass" jq -e '
    [.findings[] | select(.control_id | test("^iam\\.root_(mfa|access_keys)"))] | length == 2 and all(.status == "error")' "$tmp/startup-live.json"

# the hardened start-up account in moto: nothing fails; only what moto cannot show is error
AWS_ACCESS_KEY_ID=clean AWS_SECRET_ACCESS_KEY=clean "$ansim" scan --no-db --endpoint-url "$ANSIM_CLEAN_URL" --region ap-northeast-2 --format json >"$tmp/clean.json" 2>"$tmp/err"
rc=$?
check "clean account in moto: live scan exits 0 (got $rc)" test "$rc" -eq 0
check "...no control fails, and the wave-1 controls moto can model pass" jq -e '
    ([.findings[] | select(.status == "fail")] | length) == 0 and ([.findings[] | select(.status == "pass")] | length) >= 30 and
    ([.findings[] | select(.status == "pass") | .control_id] | unique | length) >= 24' "$tmp/clean.json"
AWS_ACCESS_KEY_ID=clean AWS_SECRET_ACCESS_KEY=clean "$ansim" collect --endpoint-url "$ANSIM_CLEAN_URL" --region ap-northeast-2 -o "$tmp/clean-snap.json" 2>/dev/null
check "...in an organization: the SCPs from the root down to the account, documents decoded" jq -e '
    .resources[] | select(.type == "aws_organizations_policy_path") | .data |
    .PoliciesApply == true and .IsManagementAccount == true and (.Path | map(.Type)) == ["ROOT", "ACCOUNT"] and
    any(.Path[0].ServiceControlPolicies[]; .Name == "protect-trail" and .Content.Statement[0].Effect == "Deny") and
    any(.Path[1].ResourceControlPolicies[]; .AwsManaged == true)' "$tmp/clean-snap.json"
check "...errors only where moto cannot show the data (no root row in its credential report; no Access Analyzer, anomaly monitors, SSM node list or AppStream)" jq -e '
    [.findings[] | select(.status == "error") | .control_id] | unique == ["account.cost_anomaly_monitor", "appstream.data_transfer", "iam.access_analyzer_enabled", "iam.root_access_keys", "iam.root_mfa", "iam.root_recent_use", "network.separated_egress", "ssm.managed_instances"]' "$tmp/clean.json"
# the IAM questions, live: the account's personal-data bucket is reachable only from the
# separated network (its bucket policy); the start-up account's admin reads it from anywhere
AWS_ACCESS_KEY_ID=clean AWS_SECRET_ACCESS_KEY=clean "$ansim" iam scope --endpoint-url "$ANSIM_CLEAN_URL" --region ap-northeast-2 --format json >"$tmp/scope.json" 2>"$tmp/err"
check "iam scope, live: dev1 can download the tagged bucket, confined to the separated network" jq -e '
    .resources == [{"arn": "arn:aws:s3:::startup-user-data", "why": "tag ansim:pii=true"}] and
    (.principals[] | select(.arn | endswith(":user/dev1")) | .confined and .download.decision == "conditional")' "$tmp/scope.json"
AWS_ACCESS_KEY_ID=startup AWS_SECRET_ACCESS_KEY=startup "$ansim" iam who-can s3:GetObject arn:aws:s3:::startup-user-images/a.jpg --endpoint-url "$ANSIM_STARTUP_URL" --region ap-northeast-2 --format json >"$tmp/whocan.json" 2>"$tmp/err"
check "iam who-can, live: the start-up admin (StartupAdmin, Action *) and the deploy user" jq -e '
    [.principals[] | select(.decision == "allow") | .arn | split("/")[-1]] | (index("dev1") != null and index("deploy") != null)' "$tmp/whocan.json"

# credentials that need a call: an assumed role, instance metadata, the container endpoint
mkdir -p "$HOME/.aws"
printf '[base]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$ANSIM_MOTO_AKID" "$ANSIM_MOTO_SECRET" >"$HOME/.aws/credentials"
printf '[profile audit]\nrole_arn = arn:aws:iam::123456789012:role/audit-role\nsource_profile = base\nexternal_id = ansim-test\nrole_session_name = ansim-live-test\n[profile wrong-id]\nrole_arn = arn:aws:iam::123456789012:role/audit-role\nsource_profile = base\nexternal_id = nope\n' >"$HOME/.aws/config"
"$ansim" -v --profile audit collect --endpoint-url "$ANSIM_MOTO_URL" --region us-east-1 -o "$tmp/role.json" 2>"$tmp/err"
rc=$?
check "assume-role profile (source_profile, external_id): collect exits 0 (got $rc)" test "$rc" -eq 0
check "...signing as the role" grep -q "credentials from role arn:aws:iam::123456789012:role/audit-role" "$tmp/err"
check "...and reads the account" jq -e 'any(.resources[]; .type == "aws_s3_bucket" and .id == "secure-logs")' "$tmp/role.json"
"$ansim" --profile wrong-id collect --endpoint-url "$ANSIM_MOTO_URL" --region us-east-1 >"$tmp/out" 2>"$tmp/err"
rc=$?
check "a role whose trust refuses us: exit 1, one line naming the role (got $rc)" bash -c '
    [ "$1" -eq 1 ] && [ "$(wc -l <"$2")" -eq 1 ] && grep -q "assuming arn:aws:iam::123456789012:role/audit-role was refused" "$2"' _ "$rc" "$tmp/err"
rm -f "$HOME/.aws/config" "$HOME/.aws/credentials"

curl -s -X POST --data 3600 "$ANSIM_CRED_URL/__ttl" >/dev/null
env -u AWS_EC2_METADATA_DISABLED AWS_EC2_METADATA_SERVICE_ENDPOINT=$ANSIM_CRED_URL \
    "$ansim" -v collect --endpoint-url "$ANSIM_MOTO_URL" --region us-east-1 -o "$tmp/imds.json" 2>"$tmp/err"
rc=$?
check "instance metadata (IMDSv2 token first): collect exits 0 (got $rc)" bash -c '[ "$1" -eq 0 ] && grep -q "credentials from EC2 instance metadata" "$2"' _ "$rc" "$tmp/err"
check "...credentials valid for an hour are fetched once" test "$(curl -s "$ANSIM_CRED_URL/__count")" -eq 1
curl -s -X POST --data 30 "$ANSIM_CRED_URL/__ttl" >/dev/null
AWS_CONTAINER_CREDENTIALS_FULL_URI=$ANSIM_CRED_URL/container/creds AWS_CONTAINER_AUTHORIZATION_TOKEN=container-secret-token \
    "$ansim" collect --endpoint-url "$ANSIM_MOTO_URL" --region us-east-1 -o "$tmp/container.json" 2>"$tmp/err"
rc=$?
check "container credentials (full URI + authorization token): collect exits 0 (got $rc)" test "$rc" -eq 0
check "...credentials about to expire are renewed during the collection" test "$(curl -s "$ANSIM_CRED_URL/__count")" -ge 3
check "...and give the same resources as the static key" bash -c '
    diff <(jq -c "[.resources[] | [.type, .id]]" "$1") <(jq -c "[.resources[] | [.type, .id]]" "$2")' _ "$tmp/container.json" "$tmp/imds.json"
AWS_CONTAINER_CREDENTIALS_FULL_URI=http://192.0.2.1/creds "$ansim" collect --endpoint-url "$ANSIM_MOTO_URL" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "container credentials over plain HTTP to a non-local host are refused (got $rc)" bash -c '
    [ "$1" -eq 1 ] && grep -q "must be https" "$2"' _ "$rc" "$tmp/err"

AWS_ACCESS_KEY_ID=$ANSIM_MOTO_AKID AWS_SECRET_ACCESS_KEY=wrong "$ansim" collect --endpoint-url "$ANSIM_MOTO_URL" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "wrong secret: exit 1 (got $rc)" test "$rc" -eq 1
check "...one line naming the refusal" bash -c '[ "$(wc -l <"$1")" -eq 1 ] && grep -q SignatureDoesNotMatch "$1"' _ "$tmp/err"
check "...and nothing on stdout" test ! -s "$tmp/out"
"$ansim" collect --endpoint-url "$ANSIM_MOTO_URL" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "no credentials: exit 1 with one line (got $rc)" bash -c '[ "$1" -eq 1 ] && [ "$(wc -l <"$2")" -eq 1 ] && grep -q "no AWS credentials" "$2"' _ "$rc" "$tmp/err"
finish
