/* fuzz_snapshot.c — libFuzzer target: any bytes into the snapshot loader, then every
 * built-in control over what loaded. Must never crash, leak or hang. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../src/controls/controls.h"
#include "../src/inventory/inventory.h"

static struct catalogue cat;
static int ready;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[ERRLEN];
    if (!ready) {
        cat_init(&cat);
        if (cat_load_builtin(&cat, err, sizeof err) || cat_finalize(&cat, err, sizeof err))
            __builtin_trap();
        ready = 1;
    }
    struct inventory *inv = NULL;
    if (inv_open(&inv, err, sizeof err))
        __builtin_trap();
    if (inv_load_snapshot_buf(inv, (const char *)data, size, "fuzz", err, sizeof err) == 0) {
        struct scan_result res;
        struct selection sel = {0};
        memset(&res, 0, sizeof res);
        eval_run(&cat, inv, &sel, &res, err, sizeof err);
        scan_result_free(&res);
    }
    inv_close(inv);
    return 0;
}
