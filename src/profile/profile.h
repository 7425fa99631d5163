/*
 * profile.h — the organisation profile (ansim.yaml): the facts about the company that AWS
 * cannot tell ansim and that decide which rule applies — the regulation version, the number
 * of data subjects and daily users, whether unique identifiers or sensitive data are kept,
 * whether the company is a 기간통신사업자, the personal-data tag, and the separated network.
 *
 * From them it derives the parameters controls use (access-record and permission-record
 * retention, whether network separation is mandatory). A fact left out or set to `unknown`
 * makes the stricter rule apply, and every derived parameter carries a note (English and
 * Korean) saying so, which controls append to their reasons.
 */
#ifndef ANSIM_PROFILE_H
#define ANSIM_PROFILE_H

#include <stddef.h>

#define PROFILE_FILE "ansim.yaml"

/* A yes/no fact that may be unknown. */
enum profile_tri { PROFILE_UNKNOWN = -1, PROFILE_NO = 0, PROFILE_YES = 1 };

#define PROFILE_NPARAMS 12

/* A derived parameter: its value as text, and why it has that value when a fact was
 * unknown or defaulted (NULL when the profile decided it). Owned by the profile. */
struct profile_param {
    const char *key;
    char *value;
    char *note_en, *note_ko;
};

struct profile {
    char *source;       /* the file read, or NULL: no profile (all defaults) */
    char *regulation;   /* "pipa-2023" (default) or "pipa-tech-2021" */
    int regulation_set; /* the file names the regulation */
    long long data_subjects, daily_users, ict_revenue_krw;   /* -1: unknown */
    int unique_identifiers, sensitive_data, telecom_carrier; /* enum profile_tri */
    char *pii_key, *pii_value;                               /* default ansim:pii = true */
    char *cidrs, *vpcs, *vpc_endpoints; /* the separated network: JSON arrays of strings */
    char *baseline; /* `baseline:` parameters for ansim baseline: a JSON object text, or NULL */
    struct profile_param params[PROFILE_NPARAMS]; /* derived (profile.c: derive) */
};

/* Every fact unknown, pipa-2023, tag ansim:pii=true. */
void profile_init(struct profile *p);
void profile_free(struct profile *p);

/* Read a profile document (YAML); name is used in errors. On error returns -1 with a
 * one-line err naming the file, line and key ("ansim.yaml:4: daily_users: must be a whole
 * number or `unknown`"); p is then left as profile_init made it. Unknown keys are errors
 * (a misspelt key would otherwise silently fall back to the stricter default). */
int profile_load_buf(struct profile *p, const char *name, const char *buf, size_t len, char *err,
                     size_t errlen);
int profile_load_file(struct profile *p, const char *path, char *err, size_t errlen);

/* The profile a command uses: path when given (it must exist), else ./ansim.yaml when it
 * exists, else the defaults. 0, or -1 with err. */
int profile_load_default(struct profile *p, const char *path, char *err, size_t errlen);

/* A derived parameter by key, or NULL for an unknown key. Keys: regulation,
 * access_record_days, permission_record_days, network_separation_required (1/0),
 * password_rule, data_subjects, daily_users (number or empty), pii_tag_key, pii_tag_value,
 * separated_cidrs, separated_vpcs, separated_vpc_endpoints (JSON arrays). Owned by p. */
const struct profile_param *profile_get(const struct profile *p, const char *key);

/* The profile as an ansim.yaml document with comments (lang "ko" or "en"); caller frees. */
char *profile_to_yaml(const struct profile *p, const char *lang);

#endif
