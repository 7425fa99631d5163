/*
 * baseline.h — the reference architectures as code: `ansim baseline`.
 *
 * A model (standard, shared, network-separation, account) is a set of components. A
 * component (baselines/<area>/<id>.yaml, compiled into the binary) is one coherent piece of
 * the architecture — the log bucket, the trail, GuardDuty with its alert topic, the
 * separated VPC — written once per output format (a CloudFormation Resources fragment, a
 * Terraform fragment, an AWS CLI fragment), with the controls it makes pass, the components
 * it needs first, and the account it belongs in (the shared model's security or service
 * account).
 *
 * Greenfield: every component of the model, in dependency order, with the parameters the
 * fragments use declared once (defaults from the organisation profile and --set).
 * Gap mode: from a scan's failing findings, the controls' own remediation (cli, terraform)
 * or the components whose controls fail (cloudformation), ordered the same way.
 * Nothing here applies anything; output is text the user reviews and runs.
 */
#ifndef ANSIM_BASELINE_H
#define ANSIM_BASELINE_H

#include <jansson.h>
#include <stddef.h>

enum bl_model { BL_STANDARD, BL_SHARED, BL_NETSEP, BL_ACCOUNT, BL__NMODELS };
enum bl_format { BL_CFN, BL_TF, BL_CLI, BL__NFORMATS };

/* "standard" ... ; -1 when unknown */
int bl_model_parse(const char *s);
const char *bl_model_name(enum bl_model m);
int bl_format_parse(const char *s); /* "cloudformation" | "terraform" | "cli"; -1 unknown */
const char *bl_format_name(enum bl_format f);

struct bl_text {
    char *en, *ko;
};

/* One piece of a model (see the top of this file and docs/baseline.md for the YAML). */
struct bl_component {
    char *id;          /* "detect.cloudtrail" */
    char *source;      /* the file it came from, for messages */
    unsigned models;   /* 1u << enum bl_model */
    int order;         /* dependency rank: lower comes first */
    char **after;      /* ids that must come before it when both are in one output */
    size_t nafter;
    char *account;     /* shared model: "security" or "service"; NULL: the only/every account */
    int regional;      /* repeated for every region (cli: a loop; terraform: one copy per region) */
    struct bl_text title, what;
    char **controls; /* control ids it makes pass */
    size_t ncontrols;
    char *frag[BL__NFORMATS]; /* NULL: not expressible in that format (the output says so) */
    struct bl_text note[BL__NFORMATS]; /* why not, or what to do by hand; may be NULL */
};

struct bl_set {
    struct bl_component *c;
    size_t n;
};

/* The bundled components (baselines/ compiled in). 0, or -1 with err naming file:key. */
int bl_load_builtin(struct bl_set *s, char *err, size_t errlen);
/* One YAML document (name for messages) appended to s. 0 or -1 with err. */
int bl_load_yaml(struct bl_set *s, const char *name, const char *buf, size_t len, char *err,
                 size_t errlen);
/* Check references (after ids exist, no cycles), sort into dependency order (stable:
 * order, then id). 0 or -1 with err. */
int bl_finalize(struct bl_set *s, char *err, size_t errlen);
void bl_component_free(struct bl_component *c);
void bl_set_free(struct bl_set *s);
/* Appends a copy-free component (ownership moves to s). */
void bl_set_add(struct bl_set *s, struct bl_component *c);

/* ---- parameters (params.c) ---- */

/* A model parameter, named per format: CloudFormation `!Ref Name`, Terraform `var.name`,
 * shell `$NAME`. A fragment uses a parameter by writing its name in its format's own way;
 * the output declares exactly the parameters its fragments use. */
struct bl_param {
    const char *cfn, *tf, *sh;
    const char *type; /* "string" | "list" | "number" */
    const char *desc_en, *desc_ko;
};
extern const struct bl_param bl_params[];
extern const size_t bl_nparams;

/* Parameter values: name (the tf spelling) -> value (a string, or a JSON array text for
 * lists); NULL value: no default (the user must give it when deploying). */
struct bl_values {
    char **names, **values;
    size_t n;
};
void bl_values_set(struct bl_values *v, const char *name, const char *value);
const char *bl_values_get(const struct bl_values *v, const char *name);
void bl_values_free(struct bl_values *v);

/* ---- guardrails from `ansim iam scope` (guardrails.c) ---- */

/* The separated network and the account the scope was computed for. The three lists are
 * the organisation profile's JSON arrays of strings (profile_get: separated_cidrs,
 * separated_vpcs, separated_vpc_endpoints); NULL or "[]" for none. */
struct bl_guard_opts {
    const char *cidrs_json, *vpcs_json, *vpces_json;
    int in_org;                 /* the account is in an organization: also generate an SCP */
    const char *account_id;     /* 12 digits: the account of the scope */
    const char *partition;      /* "aws", "aws-cn", ...; NULL: "aws" */
    const char *const *exclude; /* principal ARNs to leave out (a break-glass role) */
    size_t nexclude;
};

/* Guardrails for the network-separation model from a scope (iam_account_scope's JSON): for
 * every principal not confined, a Deny of the download and destroy actions on the
 * personal-data resources and of the grant actions on "*" that applies only outside the
 * separated network (NotIpAddressIfExists aws:SourceIp, StringNotEqualsIfExists
 * aws:SourceVpc / aws:SourceVpce, BoolIfExists aws:ViaAWSService false: only the keys the
 * profile gives), as customer-managed policies (ansim-network-separation, split under IAM's
 * 6,144-character limit) attached to each unconfined user and role of the account
 * (service-linked roles and principals of other accounts are listed, not attached); with
 * in_org also an SCP for the management account; and the VPC endpoints that make the denied
 * services reachable from each separated VPC. Components (ids "guardrail.<...>", order 80,
 * model network-separation, controls [iam.network_separation_scope]) are appended to out in
 * all three formats, concrete (literal ARNs, quoted for YAML, HCL and shell). Nothing is
 * appended when no principal is unconfined. Returns 0, or -1 with err: a scope that is not
 * one, no separated network in the profile, a malformed account id, CIDR, VPC or endpoint
 * id, or a user or role name IAM would not accept. */
int bl_guardrails(const json_t *scope, const struct bl_guard_opts *o, struct bl_set *out, char *err,
                  size_t errlen);

#endif
