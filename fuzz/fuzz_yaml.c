/* fuzz_yaml.c — libFuzzer target: any bytes as a control/framework YAML file. */
#include <stddef.h>
#include <stdint.h>

#include "../src/controls/controls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct catalogue cat;
    char err[ERRLEN];
    cat_init(&cat);
    if (cat_load_yaml(&cat, "fuzz.yaml", (const char *)data, size, err, sizeof err) == 0)
        cat_finalize(&cat, err, sizeof err);
    cat_free(&cat);
    return 0;
}
