/*
 * inventory.h — the inventory: a snapshot loaded into an in-memory SQLite database.
 *
 * Tables: resources(type, region, id, arn, data JSON), regions(name),
 * collection_errors(service, region, operation, code, message), meta(key, value),
 * and one view per resource type. SQL helper functions (see docs/catalogue.md) are
 * registered on the connection; time-based ones use the snapshot's collected_at as "now".
 */
#ifndef ANSIM_INVENTORY_H
#define ANSIM_INVENTORY_H

#include <sqlite3.h>
#include <stddef.h>
#include <time.h>

struct inventory;

/* Open an empty inventory. Returns 0, or -1 with err filled. Free with inv_close(). */
int inv_open(struct inventory **out, char *err, size_t errlen);
void inv_close(struct inventory *inv);

/* Load a snapshot document (format ansim-snapshot/1) from memory. name is used in
 * messages. All-or-nothing: on error nothing is loaded. Returns 0 or -1 with err. */
int inv_load_snapshot_buf(struct inventory *inv, const char *buf, size_t len, const char *name, char *err,
                          size_t errlen);
/* Same, from a file ("-" = stdin). */
int inv_load_snapshot_file(struct inventory *inv, const char *path, char *err, size_t errlen);

/* The connection (owned by the inventory). */
sqlite3 *inv_db(struct inventory *inv);

/* Snapshot metadata (owned by the inventory; valid until inv_close). */
const char *inv_account_id(const struct inventory *inv);
const char *inv_collected_at(const struct inventory *inv);
const char *inv_partition(const struct inventory *inv); /* "aws" unless the snapshot says otherwise */
time_t inv_now(const struct inventory *inv);
size_t inv_region_count(const struct inventory *inv);
const char *inv_region(const struct inventory *inv, size_t i);
size_t inv_resource_count(const struct inventory *inv);

/* Register the helper functions on any connection; now = the fixed "now".
 * Used by inv_open(); exposed for tests and tools. */
/* Replace secret values in a document by "REDACTED" (the keys the loader redacts, and every
 * value of an environment-variable map), in place. The live collector applies it before a
 * snapshot leaves memory. */
struct json_t;
void inv_redact(struct json_t *v);

int inv_register_functions(sqlite3 *db, struct inventory *inv);

/* Use the organisation profile p (not copied: it must outlive the inventory; NULL: the
 * defaults) for profile()/profile_note() and the personal-data tag. Call before loading a
 * snapshot. */
struct profile;
void inv_set_profile(struct inventory *inv, const struct profile *p);

/* The account's IAM model for the engine (src/iam/iam.h), built from the loaded snapshot on
 * first use; owned by the inventory. NULL with err. */
struct iam_account;
struct iam_account *inv_iam_account(struct inventory *inv, char *err, size_t errlen);

/* WorkSpaces prices (docs/workspaces-prices.md), behind the SQL function workspaces_price().
 * The built-in table is data/workspaces-prices.tsv; this loads the user's table from the TSV
 * file at path, whose rows are then looked up before the built-in ones (call it before
 * running controls; a second call replaces the first file). Returns 0, or -1 with err
 * "PATH:LINE: what is wrong" (one line) and the previous table unchanged. */
int inv_load_workspaces_prices(struct inventory *inv, const char *path, char *err, size_t errlen);

#endif
