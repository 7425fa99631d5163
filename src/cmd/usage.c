/* usage.c — help texts for `ansim help [COMMAND]` and usage errors. */
#include <string.h>

#include "cmd.h"

static const char overview[] =
    "ansim — AWS security and Korean privacy-law compliance checker (안심)\n"
    "\n"
    "usage: ansim [global options] COMMAND [options]\n"
    "\n"
    "commands:\n"
    "  scan [--snapshot FILE] evaluate every control on a snapshot (or the live account) and report\n"
    "  collect [-o FILE]      read the account (read-only) into a snapshot\n"
    "  controls               list the controls (id, severity, area, title)\n"
    "  frameworks             list the frameworks and their requirement counts\n"
    "  history                list past scans kept in the history database\n"
    "  iam eval FILE|-        decide IAM requests given in a file, as AWS would (no account needed)\n"
    "  iam can|who-can|scope  who can do what in an account; the network-separation scope\n"
    "  trail fetch|verify     copy a trail's log and digest files; prove they were not altered\n"
    "  trail hunt|report      detections over CloudTrail logs; access-review / permission-history\n"
    "  baseline --model M     the reference architectures as code (CloudFormation, Terraform,\n"
    "                         AWS CLI): the whole model, or only the fixes an account needs\n"
    "  init                   write the organisation profile (ansim.yaml), asking the questions\n"
    "  version                print the version\n"
    "  help [COMMAND]         this help, or a command's\n"
    "\n"
    "global options (before or after the command):\n"
    "  --lang ko|en           language of the output (default from LANG)\n"
    "  --db PATH              history database (default $XDG_DATA_HOME/ansim/ansim.db)\n"
    "  --no-db                keep no history\n"
    "  --profile-file FILE    organisation profile for scan, iam and trail (default ./ansim.yaml if "
    "present)\n"
    "  --profile NAME, --region R[,R...], --endpoint-url URL   AWS settings for live commands\n"
    "  --max-concurrency N    live commands: API calls in flight at most (default 8)\n"
    "  --stats                live commands: print the calls made per operation\n"
    "  -q, -v                 quieter / more verbose messages on stderr\n"
    "\n"
    "exit codes: 0 ok, 1 could not run, 2 usage error, 3 failed findings at or above --fail-on\n";

static const char scan_help[] =
    "usage: ansim scan [--snapshot FILE] [--format F [-o FILE]]... [--framework ID]\n"
    "                  [--control ID[,ID...]] [--fail-on SEVERITY] [--controls DIR]\n"
    "                  [--workspaces-prices FILE]\n"
    "\n"
    "  --snapshot FILE    snapshot to evaluate (ansim-snapshot/1; '-' = stdin); without it\n"
    "                     the account is collected live first (see `ansim help collect`)\n"
    "  --format F         tty, json, html, sarif or csv; repeat for several reports\n"
    "                     (default: tty on a terminal, json when piped or redirected)\n"
    "  -o FILE            write the preceding --format to FILE (atomically); without\n"
    "                     --format the format comes from the extension\n"
    "  --framework ID     only controls mapped to this framework (see `ansim frameworks`)\n"
    "  --control IDS      only these controls (comma-separated, repeatable)\n"
    "  --fail-on SEV      exit 3 when a failed finding is at least SEV\n"
    "                     (critical, high, medium, low (default), info)\n"
    "  --controls DIR     add the control/framework YAML files under DIR\n"
    "  --workspaces-prices FILE  WorkSpaces prices (TSV) looked up before the built-in\n"
    "                     table (default: $ANSIM_WORKSPACES_PRICES; docs/workspaces-prices.md)\n"
    "  --color, --no-color  force colours on or off in the tty report\n";

static const char collect_help[] =
    "usage: ansim collect [-o FILE]\n"
    "       (global: --profile, --region R[,R...], --endpoint-url, --max-concurrency N, --stats)\n"
    "  Reads the account with read-only API calls into a snapshot (ansim-snapshot/1), written\n"
    "  atomically to FILE or to stdout: IAM (+ SAML/OIDC providers), S3 (+ S3 Control),\n"
    "  Organizations, CloudFront, the account's security contact, Budgets and Cost Anomaly\n"
    "  Detection, and in every enabled region (or --region) EC2/VPC (subnets, routes, gateways,\n"
    "  endpoints), RDS, CloudTrail, KMS, CloudWatch Logs, alarms and SNS, Config, GuardDuty,\n"
    "  Security Hub, Macie, Inspector, Access Analyzer, Identity Center, ELBv2, WAFv2, ACM,\n"
    "  Systems Manager, Secrets Manager (metadata, never values), WorkSpaces (with Directory\n"
    "  Service and CloudWatch usage), AppStream 2.0 and Network Firewall; a service not offered\n"
    "  in a region is skipped there. Credentials are found as the AWS CLI finds them\n"
    "  (environment, profiles with keys, credential_process or role_arn, container, instance\n"
    "  metadata). A call that fails is recorded in the\n"
    "  snapshot's errors, so the controls that needed it report error, never pass. See\n"
    "  docs/live.md.\n";

static const char controls_help[] =
    "usage: ansim controls [--framework ID] [--format tty|json|markdown] [--controls DIR]\n"
    "  Lists every control: id, severity, area and title (with --framework, the requirement\n"
    "  ids of that framework each control backs).\n";

static const char frameworks_help[] =
    "usage: ansim frameworks [--format tty|json] [--controls DIR]\n"
    "  Lists the frameworks with their requirement counts: how many are checked by controls\n"
    "  and how many need manual evidence.\n";

static const char history_help[] =
    "usage: ansim history [--limit N] [--format tty|json]\n"
    "  Lists the most recent scans (default 20; 0 = all) from the history database.\n";

static const char trail_help[] =
    "usage: ansim trail fetch s3://BUCKET[/PREFIX] DIR [--since DATE] [--until DATE]\n"
    "       ansim trail verify PATH|s3://BUCKET[/PREFIX] [--public-keys DIR] [--format tty|json]\n"
    "                          [-o FILE] [--cache DIR] [--since DATE] [--until DATE]\n"
    "       ansim trail hunt PATH [--rules DIR] [--format tty|json|csv] [-o FILE]\n"
    "                        [--pii-buckets NAME[,NAME...]] [--threads N] [--list-rules]\n"
    "       ansim trail report PATH --kind access-review|permission-history [--month YYYY-MM]\n"
    "                          [--format html|csv|json] [-o FILE] [--tz +HH:MM]\n"
    "                          [--pii-buckets B[,B...]] [--download-threshold N] [--work-hours HH-HH]\n"
    "                          [--since DATE] [--until DATE]\n"
    "\n"
    "  fetch   copy a trail bucket's log and digest files (read-only), with each object's S3\n"
    "          metadata in a sidecar file; resumable. --since/--until DATE select by the day in\n"
    "          the key path (digests one hour past --until too)\n"
    "  verify  check the digest chain: signatures, log file hashes, missing files and gaps\n"
    "          (exit 0 all valid, 3 problems found, 1 could not run); a local PATH needs\n"
    "          --public-keys DIR of <fingerprint>.der/.pem files; s3://... copies the bucket first\n"
    "          (into --cache DIR, kept, else a temporary directory) and takes the keys from\n"
    "          cloudtrail:ListPublicKeys unless --public-keys is given\n"
    "  hunt    detections over log files (.json / .json.gz, directories): bundled rules and\n"
    "          Sigma rules (--rules DIR); JSON output is one object per line; allowed networks\n"
    "          come from the profile; exit 0 nothing found, 3 detections, 1 a file or rule failed\n"
    "  report  the monthly access-record review (제8조: per person, flags for downloads above\n"
    "          the threshold, off-hours, new IPs, denied attempts) and the permission\n"
    "          grant/change/revoke history (제5조③); times in KST unless --tz; exit 0 written,\n"
    "          1 a file could not be read (named), 2 usage\n"
    "  See docs/trail.md.\n";

static const char iam_help[] =
    "usage: ansim iam eval FILE|-\n"
    "  Evaluates one request, or a JSON list of requests, given entirely in FILE (or stdin)\n"
    "  with AWS's policy evaluation logic; no account needed. A request: {\"principal\",\n"
    "  \"action\", \"resource\", \"resource_account\", \"context\": {key: value or [values]},\n"
    "  \"identity_policies\": [...], \"resource_policy\", \"permission_boundary\",\n"
    "  \"session_policy\", \"endpoint_policies\": [...], \"scps\" and \"rcps\": [[level 0 documents],\n"
    "  ...] (root first; FullAWSAccess is not implied for SCPs, RCPFullAWSAccess is for RCPs)}.\n"
    "  Prints one line per request: {\"decision\": \"allow\"|\"explicit_deny\"|\"implicit_deny\",\n"
    "  \"reason\", \"matched\": [statements]}.\n"
    "\n"
    "usage: ansim iam can PRINCIPAL_ARN ACTION RESOURCE_ARN [--context KEY=VALUE ...]\n"
    "       ansim iam who-can ACTION RESOURCE_ARN [--all] [--context KEY=VALUE ...]\n"
    "       ansim iam scope [--pii-tag KEY=VALUE] [--resource ARN ...]\n"
    "  [--snapshot FILE] [--format tty|json (scope: also html)]\n"
    "  Questions about an account, from a snapshot or a live collection. Context keys the\n"
    "  snapshot does not know (source IP, MFA, VPC endpoint, ...) may take any value, so an\n"
    "  answer can be \"conditional\" with the conditions it needs. who-can follows trust\n"
    "  policies to everyone who can become a role that can (\"via\"); --all adds the denied.\n"
    "  scope lists who can download, destroy or grant access to personal data (resources\n"
    "  tagged ansim:pii=true by default) and whether each is confined to the separated\n"
    "  network (aws:SourceIp / SourceVpc / SourceVpce / ViaAWSService). See docs/iam.md.\n";

static const char baseline_help[] =
    "usage: ansim baseline --model standard|shared|network-separation|account\n"
    "                      [--format cloudformation|terraform|cli] [-o DIR]\n"
    "                      [--snapshot FILE | --live] [--set NAME=VALUE ...]\n"
    "                      [--exclude-principal ARN ...]\n"
    "       ansim baseline --model M --list     the model's components and what they make pass\n"
    "\n"
    "  Generates a reference architecture as code for you to review and run; ansim itself\n"
    "  applies nothing, and the code only creates or tightens (never disables, deletes or\n"
    "  opens) and holds no secrets.\n"
    "  models: standard (the five security areas in one account), shared (a security account\n"
    "  plus service accounts: two files), network-separation (WorkSpaces/AppStream in private\n"
    "  subnets, egress only through a domain allow-list, and deny guardrails from `iam scope`\n"
    "  in gap mode), account (the day-one baseline of a new account).\n"
    "  Greenfield (no account given): the whole model, parameterised. Gap mode (--snapshot or\n"
    "  --live): scans first, then only the fixes for what fails, dependencies first, with the\n"
    "  controls each step makes pass. Default format: cli (an idempotent bash script that\n"
    "  stops on the first error and resumes where it stopped). -o DIR writes the files and\n"
    "  summary.json; without it the one file goes to stdout.\n"
    "  --set NAME=VALUE overrides a parameter (lists comma-separated): regions,\n"
    "  notification_email, log_retention_days (default from the profile), vpc_cidr,\n"
    "  private_subnet_a_cidr, private_subnet_b_cidr, firewall_subnet_cidr, public_subnet_cidr,\n"
    "  allowed_update_domains, idp_metadata_file, idp_name, separated_cidrs, separated_vpcs,\n"
    "  pii_tag_key, pii_tag_value, security_account_id, service_account_ids,\n"
    "  security_vpc_cidr, transit_gateway_id, monthly_budget_usd, security_contact_name,\n"
    "  security_contact_phone, allowed_countries. Defaults also come from the profile's\n"
    "  `baseline:` section.\n"
    "  --exclude-principal ARN  network-separation gap mode: leave this principal (a\n"
    "  break-glass role) out of the deny guardrails. See docs/baseline.md.\n";

static const char init_help[] =
    "usage: ansim init [-o FILE] [--force] [--non-interactive|--interactive]\n"
    "  Writes the organisation profile (default ./ansim.yaml): the regulation version\n"
    "  (pipa-2023, the default, or pipa-tech-2021), data subjects, daily users, unique\n"
    "  identifiers, sensitive data, 기간통신사업자, the personal-data tag and the separated\n"
    "  network. On a terminal it asks; otherwise it writes the defaults for you to edit.\n"
    "  Unknown facts make the stricter rule apply (2-year access records, network separation\n"
    "  mandatory) and findings say so. An existing file is kept unless --force. See docs/profile.md.\n";

void cmd_usage(FILE *f, const char *name)
{
    if (!name)
        fputs(overview, f);
    else if (strcmp(name, "scan") == 0)
        fputs(scan_help, f);
    else if (strcmp(name, "collect") == 0)
        fputs(collect_help, f);
    else if (strcmp(name, "controls") == 0)
        fputs(controls_help, f);
    else if (strcmp(name, "frameworks") == 0)
        fputs(frameworks_help, f);
    else if (strcmp(name, "history") == 0)
        fputs(history_help, f);
    else if (strcmp(name, "trail") == 0)
        fputs(trail_help, f);
    else if (strcmp(name, "iam") == 0)
        fputs(iam_help, f);
    else if (strcmp(name, "baseline") == 0)
        fputs(baseline_help, f);
    else if (strcmp(name, "init") == 0)
        fputs(init_help, f);
    else
        fputs(overview, f);
}
