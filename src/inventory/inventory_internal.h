/* inventory_internal.h — the inventory's private state, shared by its .c files only. */
#ifndef ANSIM_INVENTORY_INTERNAL_H
#define ANSIM_INVENTORY_INTERNAL_H

#include "inventory.h"

struct iam_account;

#include "../profile/profile.h"

struct inventory {
    sqlite3 *db;
    char *account_id, *partition, *collected_at;
    time_t now;
    char **regions;
    size_t nregions;
    size_t nresources;
    int pii_in_use;             /* some resource carries the personal-data tag */
    int pii_seen, secrets_seen; /* the raw snapshot text mentions the tag key / a secret key */
    const char *pii_key, *pii_value;
    struct { /* sqlfuncs.c: the last JSON argument parsed, see json_arg() */
        char *text;
        size_t len;
        struct json_t *doc;
    } jcache;
    struct iam_account *iam;        /* iam.c: the IAM model, built on first use */
    const struct profile *profile;  /* profile_sql.c: the organisation profile (NULL: defaults) */
    struct profile default_profile; /* every fact unknown */
    struct ws_prices *ws_user;      /* wsprices.c: the user's WorkSpaces prices (or NULL) */
    struct ws_prices *ws_builtin;   /* wsprices.c: the built-in table, parsed on first use */
};

struct iam_account;
int inv_register_iam_functions(sqlite3 *db, struct inventory *inv);
int inv_register_profile_functions(sqlite3 *db, struct inventory *inv);
/* logs.c: cw_filter_missing, s3_lifecycle_expiration, trail_s3_read_coverage */
int inv_register_log_functions(sqlite3 *db, struct inventory *inv);

void inv_release_functions(struct inventory *inv);

/* wsprices.c: register workspaces_price() on db; free both price tables. */
int inv_register_ws_functions(sqlite3 *db, struct inventory *inv);
void inv_release_ws_prices(struct inventory *inv);

#endif
