/*
 * controls.h — the control and framework catalogue, evaluation and scoring.
 *
 * A catalogue holds controls (YAML: metadata + SQL query) and frameworks (YAML:
 * requirement ids with titles). Controls map themselves onto framework requirements;
 * frameworks may add more. cat_finalize() checks every reference and builds the
 * requirement -> controls index. eval_run() runs each selected control's query over an
 * inventory and produces findings, applying the "a failure to read is never a pass" rule.
 */
#ifndef ANSIM_CONTROLS_H
#define ANSIM_CONTROLS_H

#include <stddef.h>
#include "../inventory/inventory.h"
#include "../util/util.h"

enum status { ST_PASS, ST_FAIL, ST_ERROR, ST_MANUAL, ST_NA, ST__COUNT };
enum severity { SEV_CRITICAL, SEV_HIGH, SEV_MEDIUM, SEV_LOW, SEV_INFO, SEV__COUNT };
enum area { AREA_IAM, AREA_DETECTION, AREA_INFRA, AREA_DATA, AREA_IR, AREA__COUNT };

const char *status_name(enum status s); /* "pass", "fail", ... */
const char *status_label(enum status s, enum lang l);
const char *severity_name(enum severity s); /* "critical", ... */
const char *severity_label(enum severity s, enum lang l);
const char *area_name(enum area a); /* "iam", "detection", ... */
const char *area_label(enum area a, enum lang l);
int severity_parse(const char *s, enum severity *out); /* 0 ok, -1 unknown */
int severity_weight(enum severity s);                  /* critical 10, high 5, medium 3, low 1, info 0 */

/* Text in both languages. */
struct i18n {
    char *en, *ko;
};

/* One framework mapping of a control: framework id -> requirement ids. */
struct fw_ref {
    char *framework;
    char **reqs;
    size_t nreqs;
};

struct control {
    char *id;
    struct i18n title, rationale, remediation;
    char *remediation_cli, *remediation_terraform;
    int remediation_by_hand; /* remediation.automatic: false — the fix needs a person (root's MFA
                                device, a user's own MFA, ...): its commands only help or check */
    enum severity severity;
    enum area area;
    char *resource_type;
    char **requires; /* "service:Operation" / "service:*" */
    size_t nrequires;
    struct fw_ref *fw; /* after cat_finalize(): the merged mapping */
    size_t nfw;
    char *query;
    char *source; /* file it came from (for messages) */
};

struct requirement {
    char *id;
    struct i18n title, evidence;
    char **controls; /* after cat_finalize(): merged, sorted, unique */
    size_t ncontrols;
};

struct framework {
    char *id;
    struct i18n title, source_text;
    char *version;
    struct requirement *reqs;
    size_t nreqs;
    char *source;
};

struct catalogue {
    struct control *controls; /* sorted by id after cat_finalize() */
    size_t ncontrols;
    struct framework *frameworks;
    size_t nframeworks;
};

/* Loading. Each returns 0, or -1 with err naming the file and field at fault. */
void cat_init(struct catalogue *cat);
int cat_load_builtin(struct catalogue *cat, char *err, size_t errlen);
int cat_load_dir(struct catalogue *cat, const char *dir, char *err, size_t errlen);
/* Parse one YAML document (control or framework, told apart by a `requirements` key). */
int cat_load_yaml(struct catalogue *cat, const char *name, const char *buf, size_t len, char *err,
                  size_t errlen);
/* Validate references, merge mappings, sort. Call once after loading. */
int cat_finalize(struct catalogue *cat, char *err, size_t errlen);
void cat_free(struct catalogue *cat);

const struct control *cat_control(const struct catalogue *cat, const char *id);
const struct framework *cat_framework(const struct catalogue *cat, const char *id);
/* Requirement ids of framework fw backed by control c (NULL, 0 when none). */
const struct fw_ref *control_fw(const struct control *c, const char *fw);

/* ---- evaluation ---- */

struct finding {
    const struct control *control;
    enum status status;
    char *resource_type, *resource_id, *resource_arn, *region;
    char *reason, *reason_ko;
    char *fix_cli, *fix_terraform; /* failing findings: the remediation filled in for this resource */
};

/* ---- remediation (remediation.c) ---- */

/* Placeholder names and their values (a value may be NULL: unknown). A value marked
 * trusted (a fix_X column the control's query built, quoting included) is inserted as it is;
 * the others are raw account data and are checked (remediation.c). */
struct remediation_vars {
    const char *const *names;
    const char *const *values;
    const int *trusted; /* NULL: none */
    size_t n;
};
/* tmpl with every {{name}} replaced by its value (see remediation.c for unsafe and missing
 * values, which become <name>, with a line starting with comment saying why). NULL tmpl ->
 * NULL; otherwise a new string the caller frees. */
char *remediation_render(const char *tmpl, const struct remediation_vars *v, const char *comment);
/* A resource id as a Terraform identifier (lower case, [a-z0-9_], starting with a letter). */
char *remediation_tf_name(const char *id);

struct counts {
    size_t n[ST__COUNT];
    double score; /* 0..100, see docs/catalogue.md */
};

struct scan_meta {
    char id[33];
    char started_at[32], finished_at[32];
    char *source; /* "snapshot" | "live" */
    char *snapshot_path;
    char *account_id;
    char **regions;
    size_t nregions;
};

struct req_result {
    const struct requirement *req;
    enum status status; /* ST_MANUAL when no control backs it */
    struct counts counts;
};

/* The failing findings of a requirement's controls: the first max into out, in report
 * order; returns how many there are in all. */
struct scan_result;
size_t eval_req_failing(const struct scan_result *res, const struct req_result *rr,
                        const struct finding **out, size_t max);

struct fw_result {
    const struct framework *fw;
    struct req_result *reqs;
    size_t nreqs;
    struct counts counts; /* over requirements: pass/fail/error/manual/na */
    double score;         /* over the findings of its controls */
};

struct scan_result {
    struct scan_meta meta;
    struct finding *findings; /* sorted: status (fail, error, ...), severity, control, resource */
    size_t nfindings;
    struct counts total;
    struct counts by_area[AREA__COUNT];
    struct counts by_severity[SEV__COUNT];
    struct fw_result *fws; /* the frameworks reported (all, or the --framework one) */
    size_t nfws;
    const struct control **controls; /* the controls evaluated */
    size_t ncontrols;
};

struct selection {
    const char *framework; /* only controls mapped to this framework; NULL = all */
    char **control_ids;    /* only these; NULL = all */
    size_t ncontrol_ids;
};

/* Check a selection against the catalogue (unknown ids). 0 ok, -1 with err. */
int eval_check_selection(const struct catalogue *cat, const struct selection *sel, char *err, size_t errlen);
/* Evaluate. res->meta.started_at/id must be set by the caller; the rest is filled.
 * Returns 0, or -1 with err (only for failures that stop the whole scan). */
int eval_run(const struct catalogue *cat, struct inventory *inv, const struct selection *sel,
             struct scan_result *res, char *err, size_t errlen);
void scan_result_free(struct scan_result *res);

/* Score from counts weighted by severity: fills c->score given per-severity counts. */
double score_of(const struct counts by_sev[SEV__COUNT]);

#endif
