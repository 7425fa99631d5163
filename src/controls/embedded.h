/* embedded.h — the bundled catalogue (controls/ and frameworks/ YAML files), compiled
 * into the binary by tools/embed.c at build time (build/embedded.c). */
#ifndef ANSIM_EMBEDDED_H
#define ANSIM_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
    const char *name; /* path relative to the repository root */
    const char *data;
    size_t len;
};

extern const struct embedded_file embedded_files[];
extern const size_t embedded_count;

#endif
