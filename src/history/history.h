/*
 * history.h — the scan history database (SQLite file): every scan's metadata, summary and
 * findings, written in one transaction so an interrupted scan leaves nothing behind.
 */
#ifndef ANSIM_HISTORY_H
#define ANSIM_HISTORY_H

#include <sqlite3.h>
#include <stddef.h>

#include "../controls/controls.h"

/* Default path: $XDG_DATA_HOME/ansim/ansim.db, else $HOME/.local/share/ansim/ansim.db.
 * Returns a malloc'd string (caller frees), or NULL when neither variable is set. */
char *hist_default_path(void);

/* Open (creating directories and schema). 0, or -1 with err. Close with sqlite3_close. */
int hist_open(const char *path, sqlite3 **out, char *err, size_t errlen);

/* Store a finished scan: all or nothing. 0, or -1 with err. */
int hist_store(sqlite3 *db, const struct scan_result *res, char *err, size_t errlen);

struct hist_scan {
    char *id, *started_at, *finished_at, *source, *account_id, *regions;
    long long n[ST__COUNT];
    double score;
};

/* The most recent scans first (at most limit; 0 = all). Caller frees with hist_scans_free. */
int hist_list(sqlite3 *db, size_t limit, struct hist_scan **out, size_t *n, char *err, size_t errlen);
void hist_scans_free(struct hist_scan *v, size_t n);

#endif
