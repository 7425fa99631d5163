/*
 * collect.h — live collection: AWS API responses turned into snapshot resources with the
 * shapes of docs/resources.md, and every failed call recorded as a snapshot error.
 *
 * A collector is a blocking function for one service (and region); it queues tasks on the
 * pool. A service no collector reads is recorded in a snapshot as not collected, so the
 * controls that need it report `error`.
 */
#ifndef ANSIM_COLLECT_H
#define ANSIM_COLLECT_H

#include <jansson.h>
#include <pthread.h>

#include "../aws/aws.h"

/* Where collectors put what they find. Thread-safe. */
struct collect_sink {
    pthread_mutex_t lock;
    json_t *resources; /* array of {type, region, id, arn, data} */
    json_t *errors;    /* array of {service, region, operation, code, message} */
    size_t calls;      /* API calls made */
};

void sink_init(struct collect_sink *s);
void sink_free(struct collect_sink *s);
/* Add a resource; data is stolen (its reference is taken over). arn may be NULL. */
void sink_resource(struct collect_sink *s, const char *type, const char *region, const char *id,
                   const char *arn, json_t *data);
void sink_error(struct collect_sink *s, const char *service, const char *region, const char *operation,
                const char *code, const char *message);

struct collect_pool; /* pool.c */

struct collect_ctx {
    const struct aws_client *client;
    struct collect_sink *sink;
    const char *account_id;
    const char *home;          /* the home region: global services are called there */
    struct collect_pool *pool; /* NULL: tasks run at once, in the caller */
};

/* ---- tasks (pool.c) ---- */

typedef void (*collect_fn)(struct collect_ctx *ctx, void *arg);

/* Queue fn(ctx, arg) to run on a worker; free_arg(arg) afterwards (NULL: nothing). */
void collect_spawn(struct collect_ctx *ctx, collect_fn fn, void *arg, void (*free_arg)(void *));
/* free_arg for a task whose argument is a JSON value (its reference is dropped). */
void collect_release_json(void *v);
/* Queue fn(ctx, copy of region) (freed afterwards). */
void collect_spawn_region(struct collect_ctx *ctx, collect_fn fn, const char *region);
/* Run every queued task, and every task they queue, on nthreads workers (1: this thread);
 * progress: draw a progress line on stderr. */
void collect_run(struct collect_ctx *ctx, size_t nthreads, int progress);
struct collect_pool *collect_pool_new(void);
void collect_pool_free(struct collect_pool *p);

/* One read call with the result converted to JSON: returns the output (new reference), or
 * NULL after recording the failure in the sink — unless the error is one of the "not
 * configured" answers listed in quiet (NULL-terminated), which sets *quiet_hit to that entry
 * and records nothing. An entry is an error code ("NoSuchEntity"), or "Code:text" for a code
 * AWS also sends for real failures: it matches only when the message contains text (case
 * ignored), e.g. "AccessDeniedException:Macie is not enabled". params: nparams name/value
 * pairs. */
json_t *collect_request(struct collect_ctx *ctx, const struct aws_call *call, const char *const *quiet,
                        const char **quiet_hit);

/* collect_request() for a call with name/value parameters (for JSON protocols they become
 * the request document, as strings). */
json_t *collect_call(struct collect_ctx *ctx, const char *service, const char *region, const char *op,
                     const char *const *params, size_t nparams, const char *const *quiet,
                     const char **quiet_hit);

/* How an operation pages: the request parameter and response member carrying the token,
 * and (IAM) the member that says more pages follow (NULL: a token means more). */
struct collect_paging {
    const char *token_param, *token_member, *truncated_member;
};

/* Every page of op: the arrays under keys[] in each page are concatenated into out[]
 * (new arrays, always set). Returns 0, or -1 when a page failed (recorded in the sink). */
int collect_pages(struct collect_ctx *ctx, const char *service, const char *region, const char *op,
                  const char *const *params, size_t nparams, const struct collect_paging *pg,
                  const char *const *keys, json_t **out, size_t nkeys);

/* collect_pages() for a JSON-protocol operation whose request has non-string members (an
 * integer MaxResults, say): body is the request document of the first page (not changed;
 * NULL: {}), the token goes in token_param, and the arrays under key in each page are
 * concatenated into *out (a new array, always set). Returns 0, or -1 when a page failed
 * (recorded in the sink). */
int collect_json_pages(struct collect_ctx *ctx, const char *service, const char *region, const char *op,
                       json_t *body, const char *token_param, const char *token_member, const char *key,
                       json_t **out);

/* ---- collectors: each queues its tasks ---- */

/* IAM: account summary, password policy, credential report, users (with MFA devices, access
 * keys and their last use, login profile), groups, roles and customer-managed policies. */
void collect_iam(struct collect_ctx *ctx);

/* EC2 in one region: security groups, VPCs, flow logs, instances, EBS encryption by
 * default, subnets, route tables, NAT and internet gateways, VPC endpoints, and the region
 * itself (its DescribeRegions entry, when given). */
void collect_ec2(struct collect_ctx *ctx, const char *region, json_t *region_entry);

/* RDS DB instances in one region, with the clusters and (SQL Server, Db2) option groups their
 * settings come from. */
void collect_rds(struct collect_ctx *ctx, const char *region);

/* S3: every bucket (in its own region) with its configuration, and the account-level Block
 * Public Access setting (S3 Control). */
void collect_s3(struct collect_ctx *ctx);

/* Organizations: the organization and the SCPs/RCPs on the path from its root to this
 * account (nothing for a standalone account). */
void collect_organizations(struct collect_ctx *ctx);

/* CloudTrail trails whose home region is region, with status and event selectors. */
void collect_cloudtrail(struct collect_ctx *ctx, const char *region);

/* KMS keys of one region with rotation status, key policy and tags. */
void collect_kms(struct collect_ctx *ctx, const char *region);

/* Elastic Load Balancing v2 in one region: load balancers with their listeners and the TLS
 * versions each listener's SslPolicy allows (classic load balancers are not read). */
void collect_elbv2(struct collect_ctx *ctx, const char *region);

/* WAFv2 REGIONAL web ACLs of one region, each with the ALBs it protects. */
void collect_wafv2(struct collect_ctx *ctx, const char *region);

/* WAFv2 CLOUDFRONT web ACLs (read in us-east-1, recorded in region global; aws partition). */
void collect_wafv2_cloudfront(struct collect_ctx *ctx);

/* CloudFront distributions (global; called in the home region). */
void collect_cloudfront(struct collect_ctx *ctx);

/* ACM certificates of one region with DescribeCertificate's details; cloudfront_only: keep
 * only those in use by CloudFront (us-east-1 read although not scanned). */
void collect_acm(struct collect_ctx *ctx, const char *region, int cloudfront_only);

/* AWS Config in one region: recorders, their status and the delivery channels. */
void collect_config(struct collect_ctx *ctx, const char *region);

/* GuardDuty in one region: the detector (if any) and its settings. */
void collect_guardduty(struct collect_ctx *ctx, const char *region);

/* Security Hub in one region: the hub (or its absence) and the enabled standards. */
void collect_securityhub(struct collect_ctx *ctx, const char *region);

/* Amazon Macie in one region: the Macie session (or its absence). */
void collect_macie(struct collect_ctx *ctx, const char *region);

/* Amazon Inspector in one region: this account's scan status per resource type. */
void collect_inspector(struct collect_ctx *ctx, const char *region);

/* WorkSpaces in one region: directories, WorkSpaces (with connection status and the hours
 * used in the last 30 days, from CloudWatch), and the Directory Service directories. */
void collect_workspaces(struct collect_ctx *ctx, const char *region);

/* AppStream 2.0 stacks and fleets in one region. */
void collect_appstream(struct collect_ctx *ctx, const char *region);

/* Network Firewall in one region: firewalls, their policies and stateful rule groups. */
void collect_networkfirewall(struct collect_ctx *ctx, const char *region);

/* Account settings (region "global"): the SECURITY alternate contact, the budgets (AWS
 * Budgets) and the Cost Anomaly Detection monitors (Cost Explorer). */
void collect_account(struct collect_ctx *ctx);

/* IAM Access Analyzer in one region: the region's analyzers as one resource. */
void collect_accessanalyzer(struct collect_ctx *ctx, const char *region);

/* The account's SAML and OpenID Connect identity providers (IAM, region "global"). */
void collect_identity(struct collect_ctx *ctx);

/* The IAM Identity Center instances that ListInstances shows in one region. */
void collect_sso_admin(struct collect_ctx *ctx, const char *region);

/* Monitoring in one region: CloudWatch Logs groups (retention, metric filters, tags),
 * CloudWatch metric alarms, and SNS topics with their subscriptions. */
void collect_monitoring(struct collect_ctx *ctx, const char *region);

/* ---- conversions of recorded answers (pure: no call; the unit tests use them) ---- */

/* aws_account_alternate_contact's data for type from a GetAlternateContact output (NULL:
 * none registered): {AlternateContactType, AlternateContact: {...} or null}. New reference. */
json_t *collect_alternate_contact_data(const char *type, json_t *answer);
/* One aws_budgets_budget per DescribeBudgets entry (ARN built from partition and account). */
void collect_emit_budgets(struct collect_sink *sink, const char *account_id, const char *partition,
                          json_t *budgets);
/* One aws_ce_anomaly_monitor per GetAnomalyMonitors entry (id and arn: MonitorArn). */
void collect_emit_anomaly_monitors(struct collect_sink *sink, json_t *monitors);
/* aws_accessanalyzer_region's data from the concatenated ListAnalyzers `analyzers` lists:
 * {Analyzers: [...]}. New reference. */
json_t *collect_accessanalyzer_data(json_t *analyzers);
/* aws_iam_saml_provider / aws_iam_openid_connect_provider per SAMLProviderList /
 * OpenIDConnectProviderList entry (either list may be NULL: that listing failed). */
void collect_emit_identity_providers(struct collect_sink *sink, json_t *saml, json_t *oidc);
/* aws_ssoadmin_instance per ListInstances entry of region. */
void collect_emit_sso_instances(struct collect_sink *sink, const char *region, json_t *instances);

/* Systems Manager in one region: the managed-node list (DescribeInstanceInformation) and the
 * Session Manager preferences document (GetDocument SSM-SessionManagerRunShell). */
void collect_ssm(struct collect_ctx *ctx, const char *region);
/* The data of aws_ssm_session_preferences from a GetDocument answer, NULL when the document
 * does not exist (InvalidDocument): a new object, Content decoded from its JSON text. */
json_t *collect_ssm_preferences_data(json_t *doc);

/* Secrets Manager secrets of one region (ListSecrets: metadata and rotation settings only;
 * secret values are never read). */
void collect_secretsmanager(struct collect_ctx *ctx, const char *region);

/* A JSON-protocol request document from name/value pairs (string values): a new string the
 * caller frees. */
char *collect_json_body(const char *const *params, size_t nparams);

/* The regions to scan: the enabled regions of the account (EC2 DescribeRegions from home),
 * as an array of DescribeRegions entries (new reference), or NULL after recording the error. */
json_t *collect_regions(struct collect_ctx *ctx, const char *home);

/* The account id of the credentials (STS GetCallerIdentity), or NULL with err. Caller frees. */
char *collect_account_id(const struct aws_client *client, const char *region, char *err, size_t errlen);

/* The whole snapshot document (format ansim-snapshot/1). Returns a new reference. */
json_t *collect_snapshot(struct collect_sink *s, const char *account_id, const char *collected_at,
                         const char *const *regions, size_t nregions);

#endif
