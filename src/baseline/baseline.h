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
    char *id;        /* "detect.cloudtrail" */
    char *source;    /* the file it came from, for messages */
    unsigned models; /* 1u << enum bl_model */
    int order;       /* dependency rank: lower comes first */
    char **after;    /* ids that must come before it when both are in one output */
    size_t nafter;
    char *account; /* shared model: "security" or "service"; NULL: the only/every account */
    int regional;  /* repeated for every region (cli: a loop; terraform: one copy per region) */
    struct bl_text title, what;
    char **controls; /* control ids it makes pass */
    size_t ncontrols;
    char *frag[BL__NFORMATS];          /* NULL: not expressible in that format (the output says so) */
    struct bl_text note[BL__NFORMATS]; /* why not, or what to do by hand; may be NULL */
};

struct bl_set {
    struct bl_component *c;
    size_t n;
};

/* The bundled components (baselines/ compiled in). 0, or -1 with err naming file:key. */
int bl_load_builtin(struct bl_set *s, char *err, size_t errlen);
/* One YAML document (name for messages) appended to s. 0 or -1 with err. */
int bl_load_yaml(struct bl_set *s, const char *name, const char *buf, size_t len, char *err, size_t errlen);
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

/* When bl_guardrails could not write the deny (why: its error, e.g. no separated network)
 * but principals are unconfined: the policy component as a step done by hand in every
 * format, saying why, so that the model's other fixes can still be written. */
void bl_guardrails_pending(struct bl_set *out, const char *why);

/* ---- plans (plan.c) and their rendering (render*.c) ---- */

/* One step of a plan: a component (greenfield, CloudFormation gap) or one failing finding's
 * remediation (cli and terraform gap). */
struct bl_step {
    char *name;    /* component id, or "control.id:resource-id" */
    char *account; /* shared model: "security" | "service"; NULL: every file */
    int regional;
    struct bl_text title, what;
    char **controls; /* what it makes pass */
    size_t ncontrols;
    char *body;            /* the code in the plan's format; NULL: done by hand */
    struct bl_text manual; /* body NULL: why, and what to do; else what is left to do by hand (or NULL) */
    char *held;            /* when body is NULL: the code not run, shown commented out (or NULL) */
};

struct bl_plan {
    enum bl_model model;
    enum bl_format format;
    int gap;          /* 0: greenfield */
    char *source;     /* "greenfield", "snapshot FILE", "live account" */
    char *account_id; /* gap mode: the account scanned; NULL otherwise */
    char **regions;   /* [0]: the home region */
    size_t nregions;
    struct bl_values values; /* parameter defaults */
    char generated_at[32];
    struct bl_step *steps;
    size_t nsteps;
    char **notes; /* free-text lines for the header (e.g. findings left out and why) */
    size_t nnotes;
};

/* Greenfield: a step per component of p->model (p->model, format, regions, values set by
 * the caller; s finalized), in s's order. */
void bl_plan_model(const struct bl_set *s, struct bl_plan *p);
/* Gap mode: the steps that close what res (a scan of the account) found failing among the
 * controls the model covers — for cli and terraform each failing finding's own remediation,
 * for cloudformation the components whose controls fail account-wide; components of s whose
 * id starts with "guardrail." (built from the account, bl_guardrails) stand in for their
 * controls' findings. A fix that would take something away becomes a manual step. Findings
 * left out are told in p->notes. Needs p->account_id. */
struct scan_result;
void bl_plan_gap(const struct bl_set *s, struct bl_plan *p, const struct scan_result *res);
void bl_plan_add(struct bl_plan *p, struct bl_step *st); /* ownership moves */
void bl_plan_note(struct bl_plan *p, const char *line);
void bl_plan_free(struct bl_plan *p);
/* Does a shell fragment remove, disable or open something (delete-*, revoke-*, ...)? Such
 * steps are never run by generated code; NULL when not, else the offending command. */
const char *bl_destructive(const char *cli, char *buf, size_t len);

/* Is s a whole number a number parameter accepts (digits only, at most 9; quote.c)? */
int bl_whole_number(const char *s);

/* Does a shell fragment change anything: an AWS CLI command that is not a read (get-,
 * describe-, list-, head-, lookup-, wait)? */
int bl_changes(const char *cli);

/* A generated file: path relative to the output directory, and its text. */
struct bl_file {
    char *path, *text;
};
/* Render p in its format: the files (caller frees with bl_files_free) and the summary
 * (JSON: model, format, mode, files, steps, targets, manual; caller decrefs). 0, or -1 with
 * err (a value that cannot be written safely). */
int bl_render(const struct bl_plan *p, struct bl_file **files, size_t *nfiles, json_t **summary, char *err,
              size_t errlen);
void bl_files_free(struct bl_file *f, size_t n);

#endif
