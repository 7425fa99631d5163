/*
 * history.c — the history database: schema, storing a scan in one transaction, listing.
 */
#include <stdlib.h>
#include <string.h>

#include "history.h"

static const char schema[] =
    "PRAGMA journal_mode=WAL;"
    "CREATE TABLE IF NOT EXISTS scans(id TEXT PRIMARY KEY, started_at TEXT NOT NULL,"
    " finished_at TEXT NOT NULL, source TEXT NOT NULL, account_id TEXT, regions TEXT,"
    " pass INTEGER, fail INTEGER, error INTEGER, manual INTEGER, not_applicable INTEGER,"
    " score REAL, ansim_version TEXT);"
    "CREATE TABLE IF NOT EXISTS findings(scan_id TEXT NOT NULL REFERENCES scans(id),"
    " control_id TEXT NOT NULL, status TEXT NOT NULL, severity TEXT NOT NULL, area TEXT NOT NULL,"
    " resource_type TEXT, resource_id TEXT, resource_arn TEXT, region TEXT, reason TEXT);"
    "CREATE INDEX IF NOT EXISTS findings_scan ON findings(scan_id);"
    "CREATE INDEX IF NOT EXISTS scans_started ON scans(started_at);";

char *hist_default_path(void)
{
    const char *xdg = getenv("XDG_DATA_HOME");
    if (xdg && *xdg)
        return xasprintf("%s/ansim/ansim.db", xdg);
    const char *home = getenv("HOME");
    if (home && *home)
        return xasprintf("%s/.local/share/ansim/ansim.db", home);
    return NULL;
}

int hist_open(const char *path, sqlite3 **out, char *err, size_t errlen)
{
    if (mkdir_parents(path, err, errlen))
        return -1;
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: cannot open history database: %s", path,
                 db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return -1;
    }
    sqlite3_busy_timeout(db, 5000);
    char *msg = NULL;
    if (sqlite3_exec(db, schema, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "%s: not a usable ansim history database: %s", path,
                 msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        sqlite3_close(db);
        return -1;
    }
    *out = db;
    return 0;
}

static void bind_opt(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

int hist_store(sqlite3 *db, const struct scan_result *res, char *err, size_t errlen)
{
    sqlite3_stmt *scan = NULL, *fin = NULL;
    struct strbuf regions;
    sb_init(&regions);
    sb_putc(&regions, '[');
    for (size_t i = 0; i < res->meta.nregions; i++)
        sb_printf(&regions, "%s\"%s\"", i ? "," : "", res->meta.regions[i]);
    sb_putc(&regions, ']');
    int rc = -1;
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        goto out;
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO scans(id, started_at, finished_at, source, account_id, "
                           "regions, pass, fail, error, manual, not_applicable, score, "
                           "ansim_version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                           -1, &scan, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "INSERT INTO findings(scan_id, control_id, status, severity, area, "
                           "resource_type, resource_id, resource_arn, region, reason) "
                           "VALUES (?,?,?,?,?,?,?,?,?,?)",
                           -1, &fin, NULL) != SQLITE_OK)
        goto rollback;
    sqlite3_bind_text(scan, 1, res->meta.id, -1, SQLITE_STATIC);
    sqlite3_bind_text(scan, 2, res->meta.started_at, -1, SQLITE_STATIC);
    sqlite3_bind_text(scan, 3, res->meta.finished_at, -1, SQLITE_STATIC);
    bind_opt(scan, 4, res->meta.source);
    bind_opt(scan, 5, res->meta.account_id);
    sqlite3_bind_text(scan, 6, regions.buf, -1, SQLITE_STATIC);
    sqlite3_bind_int64(scan, 7, (sqlite3_int64)res->total.n[ST_PASS]);
    sqlite3_bind_int64(scan, 8, (sqlite3_int64)res->total.n[ST_FAIL]);
    sqlite3_bind_int64(scan, 9, (sqlite3_int64)res->total.n[ST_ERROR]);
    sqlite3_bind_int64(scan, 10, (sqlite3_int64)res->total.n[ST_MANUAL]);
    sqlite3_bind_int64(scan, 11, (sqlite3_int64)res->total.n[ST_NA]);
    sqlite3_bind_double(scan, 12, res->total.score);
    sqlite3_bind_text(scan, 13, ANSIM_VERSION, -1, SQLITE_STATIC);
    if (sqlite3_step(scan) != SQLITE_DONE)
        goto rollback;
    for (size_t i = 0; i < res->nfindings; i++) {
        const struct finding *f = &res->findings[i];
        sqlite3_bind_text(fin, 1, res->meta.id, -1, SQLITE_STATIC);
        sqlite3_bind_text(fin, 2, f->control->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(fin, 3, status_name(f->status), -1, SQLITE_STATIC);
        sqlite3_bind_text(fin, 4, severity_name(f->control->severity), -1, SQLITE_STATIC);
        sqlite3_bind_text(fin, 5, area_name(f->control->area), -1, SQLITE_STATIC);
        bind_opt(fin, 6, f->resource_type);
        bind_opt(fin, 7, f->resource_id);
        bind_opt(fin, 8, f->resource_arn);
        bind_opt(fin, 9, f->region);
        bind_opt(fin, 10, f->reason);
        if (sqlite3_step(fin) != SQLITE_DONE)
            goto rollback;
        sqlite3_reset(fin);
    }
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        goto rollback;
    rc = 0;
    goto out;
rollback:
    snprintf(err, errlen, "history database: %s", sqlite3_errmsg(db));
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
out:
    if (rc && !*err)
        snprintf(err, errlen, "history database: %s", sqlite3_errmsg(db));
    sqlite3_finalize(scan);
    sqlite3_finalize(fin);
    sb_free(&regions);
    return rc;
}

static char *dup_col(sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    return xstrdup(s ? (const char *)s : "");
}

int hist_list(sqlite3 *db, size_t limit, struct hist_scan **out, size_t *n, char *err, size_t errlen)
{
    sqlite3_stmt *st;
    *out = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT id, started_at, finished_at, source, account_id, regions, pass, "
                           "fail, error, manual, not_applicable, score FROM scans "
                           "ORDER BY started_at DESC, rowid DESC LIMIT ?",
                           -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "history database: %s", sqlite3_errmsg(db));
        return -1;
    }
    sqlite3_bind_int64(st, 1, limit ? (sqlite3_int64)limit : -1);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        *out = xrealloc(*out, (*n + 1) * sizeof **out);
        struct hist_scan *h = &(*out)[(*n)++];
        h->id = dup_col(st, 0);
        h->started_at = dup_col(st, 1);
        h->finished_at = dup_col(st, 2);
        h->source = dup_col(st, 3);
        h->account_id = dup_col(st, 4);
        h->regions = dup_col(st, 5);
        for (int s = 0; s < ST__COUNT; s++)
            h->n[s] = sqlite3_column_int64(st, 6 + s);
        h->score = sqlite3_column_double(st, 11);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        snprintf(err, errlen, "history database: %s", sqlite3_errmsg(db));
        hist_scans_free(*out, *n);
        *out = NULL;
        *n = 0;
        return -1;
    }
    return 0;
}

void hist_scans_free(struct hist_scan *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].id);
        free(v[i].started_at);
        free(v[i].finished_at);
        free(v[i].source);
        free(v[i].account_id);
        free(v[i].regions);
    }
    free(v);
}
