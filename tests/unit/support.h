/* support.h — helpers shared by the unit tests (cmocka). */
#ifndef ANSIM_TEST_SUPPORT_H
#define ANSIM_TEST_SUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../src/controls/controls.h"
#include "../../src/inventory/inventory.h"

/* A snapshot document around the given resources/errors JSON text (collected 2026-11-01). */
char *snap_doc(const char *resources, const char *errors);
/* Load doc into a new inventory; fails the test on error. */
struct inventory *load_inv(const char *doc);
/* First column of the first row of sql as a new string (NULL for SQL NULL). */
char *sql_text(struct inventory *inv, const char *sql);
long long sql_int(struct inventory *inv, const char *sql);
/* An API answer (JSON or XML protocol body) converted as the collectors see it; fails the
 * test when it does not parse. New reference. */
struct json_t;
struct json_t *from_json(const char *service, const char *op, const char *body);
struct json_t *from_xml(const char *service, const char *op, const char *body);
/* The string at a dotted path ("Listeners.0.Port": numbers index arrays), or NULL. */
const char *str_at(struct json_t *v, const char *path);
/* Built-in catalogue, finalized; fails the test on error. */
void load_builtin(struct catalogue *cat);

/* Test groups, one per file. */
int run_util_tests(void);
int run_inventory_tests(void);
int run_sqlfunc_tests(void);
int run_catalogue_tests(void);
int run_eval_tests(void);
int run_fixture_tests(void);
int run_report_tests(void);
int run_history_tests(void);
int run_sigv4_tests(void);
int run_creds_tests(void);
int run_aws_tests(void);
int run_iam_tests(void);
int run_iam_actions_tests(void);
int run_iam_account_tests(void);
int run_iam_hostile_tests(void);
int run_collect_compute_tests(void);
int run_profile_tests(void);
int run_wsprices_tests(void);
int run_collect_acct_tests(void);
int run_collect_edge_tests(void);
int run_detect_tests(void);
int run_sepnet_tests(void);
int run_trail_scan_tests(void);
int run_trail_report_tests(void);
int run_baseline_tests(void);
int run_trail_sigma_tests(void);
int run_logs_tests(void);
int run_trail_verify_tests(void);
int run_trail_fetch_tests(void);

#endif
