/*
 * inventory.c — the inventory's SQLite database: schema, lifetime and accessors.
 * Loading is in snapshot.c; SQL helper functions in sqlfuncs.c.
 */
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "../iam/iam.h"
#include "inventory_internal.h"

static const char schema[] =
    /* ord and bad are the loader's: position in the snapshot and what is wrong with the
     * entry (NULL when valid); they come before data so checks need not read it. */
    "CREATE TABLE resources(type TEXT, region TEXT NOT NULL, id TEXT, arn TEXT, ord INTEGER,"
    " bad TEXT, data TEXT NOT NULL);"
    "CREATE INDEX resources_type_id ON resources(type, id);"
    "CREATE TABLE regions(name TEXT PRIMARY KEY);"
    "CREATE TABLE services_not_offered(service TEXT NOT NULL, region TEXT NOT NULL, message TEXT NOT NULL);"
    "CREATE TABLE collection_errors(service TEXT NOT NULL, region TEXT NOT NULL,"
    " operation TEXT NOT NULL, code TEXT NOT NULL, message TEXT NOT NULL);"
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);";

int inv_open(struct inventory **out, char *err, size_t errlen)
{
    struct inventory *inv = xcalloc(1, sizeof *inv);
    profile_init(&inv->default_profile);
    inv_set_profile(inv, NULL);
    if (sqlite3_open_v2(":memory:", &inv->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        snprintf(err, errlen, "inventory: cannot open SQLite: %s",
                 inv->db ? sqlite3_errmsg(inv->db) : "out of memory");
        inv_close(inv);
        return -1;
    }
    char *msg = NULL;
    if (sqlite3_exec(inv->db, schema, NULL, NULL, &msg) != SQLITE_OK ||
        inv_register_functions(inv->db, inv) != 0 || inv_register_iam_functions(inv->db, inv) != 0 ||
        inv_register_profile_functions(inv->db, inv) != 0 || inv_register_ws_functions(inv->db, inv) != 0 ||
        inv_register_log_functions(inv->db, inv) != 0) {
        snprintf(err, errlen, "inventory: %s", msg ? msg : sqlite3_errmsg(inv->db));
        sqlite3_free(msg);
        inv_close(inv);
        return -1;
    }
    *out = inv;
    return 0;
}

void inv_close(struct inventory *inv)
{
    if (!inv)
        return;
    sqlite3_close(inv->db);
    inv_release_functions(inv);
    inv_release_ws_prices(inv);
    iam_account_free(inv->iam);
    profile_free(&inv->default_profile);
    free(inv->account_id);
    free(inv->partition);
    free(inv->collected_at);
    for (size_t i = 0; i < inv->nregions; i++)
        free(inv->regions[i]);
    free(inv->regions);
    free(inv);
}

sqlite3 *inv_db(struct inventory *inv) { return inv->db; }
const char *inv_account_id(const struct inventory *inv) { return inv->account_id; }
const char *inv_collected_at(const struct inventory *inv) { return inv->collected_at; }
const char *inv_partition(const struct inventory *inv) { return inv->partition ? inv->partition : "aws"; }
time_t inv_now(const struct inventory *inv) { return inv->now; }
size_t inv_region_count(const struct inventory *inv) { return inv->nregions; }
const char *inv_region(const struct inventory *inv, size_t i)
{
    return i < inv->nregions ? inv->regions[i] : NULL;
}
size_t inv_resource_count(const struct inventory *inv) { return inv->nresources; }
