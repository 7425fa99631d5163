/*
 * profile_sql.c — the organisation profile (src/profile) as SQL functions for controls:
 *   profile(key)             a derived parameter's value ("730", "pipa-2023", a JSON array)
 *                            or NULL for an unknown key;
 *   profile_note(key, lang)  NULL when the user's profile decided the value, else the
 *                            sentence ('en' or 'ko') saying which fact was unknown and that
 *                            the stricter rule was applied — controls append it to reasons.
 * The inventory uses the profile given to inv_set_profile(), or the defaults.
 */
#include <string.h>

#include "../profile/profile.h"
#include "inventory.h"
#include "inventory_internal.h"

static const struct profile_param *param(sqlite3_context *ctx, sqlite3_value *key)
{
    struct inventory *inv = sqlite3_user_data(ctx);
    const char *k = (const char *)sqlite3_value_text(key);
    return k ? profile_get(inv->profile ? inv->profile : &inv->default_profile, k) : NULL;
}

static void fn_profile(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const struct profile_param *p = param(ctx, argv[0]);
    if (p && p->value && *p->value)
        sqlite3_result_text(ctx, p->value, -1, SQLITE_TRANSIENT);
    else
        sqlite3_result_null(ctx);
}

static void fn_profile_note(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const struct profile_param *p = param(ctx, argv[0]);
    const char *lang = (const char *)sqlite3_value_text(argv[1]);
    const char *note = !p ? NULL : lang && strcmp(lang, "ko") == 0 ? p->note_ko : p->note_en;
    if (note)
        sqlite3_result_text(ctx, note, -1, SQLITE_TRANSIENT);
    else
        sqlite3_result_null(ctx);
}

int inv_register_profile_functions(sqlite3 *db, struct inventory *inv)
{
    int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
    if (sqlite3_create_function(db, "profile", 1, flags, inv, fn_profile, NULL, NULL) != SQLITE_OK ||
        sqlite3_create_function(db, "profile_note", 2, flags, inv, fn_profile_note, NULL, NULL) != SQLITE_OK)
        return -1;
    return 0;
}

void inv_set_profile(struct inventory *inv, const struct profile *p)
{
    inv->profile = p;
    const struct profile *q = p ? p : &inv->default_profile;
    inv->pii_key = q->pii_key;
    inv->pii_value = q->pii_value;
}
