/*
 * actions.c — the AWS IAM action catalogue: every action AWS documents, its access level,
 * its resource types and ansim's classes (download, destroy, grant).
 *
 * The catalogue is data/iam-actions.tsv (written by tools/gen_iam_actions.mjs), compiled
 * into the binary by tools/embed.c as iam_actions_tsv. On first use one copy of that text is
 * split in place into an array sorted by name, case-insensitively; lookups are binary
 * searches and pattern expansion scans only the range that the pattern's literal prefix
 * allows. The table is built once (pthread_once) and never changes after, so any thread
 * may read it; it lives as long as the process.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "internal.h"

static struct {
    char *text; /* the TSV, its tabs and newlines turned into NULs */
    struct iam_action_info *v;
    size_t n;
    const char *source; /* the header comment, without "# " */
} cat;

static pthread_once_t cat_once = PTHREAD_ONCE_INIT;

/* ---- case-insensitive ASCII comparison (IAM action names are ASCII; no locale) ---- */

static int fold(unsigned char c) { return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c; }

/* Compares at most n bytes, as strncasecmp would in the C locale. */
static int fold_cmp_n(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int x = fold((unsigned char)a[i]), y = fold((unsigned char)b[i]);
        if (x != y || !x)
            return x - y;
    }
    return 0;
}

static int fold_cmp(const char *a, const char *b) { return fold_cmp_n(a, b, (size_t)-1); }

static int by_name(const void *a, const void *b)
{
    return fold_cmp(((const struct iam_action_info *)a)->name, ((const struct iam_action_info *)b)->name);
}

/* ---- classes ---- */

static const struct {
    unsigned bit;
    const char *name;
} class_names[] = {
    {IAM_CLASS_DOWNLOAD, "download"}, {IAM_CLASS_DESTROY, "destroy"}, {IAM_CLASS_GRANT, "grant"}};

static unsigned class_bit(const char *s, size_t n)
{
    for (size_t i = 0; i < sizeof class_names / sizeof class_names[0]; i++)
        if (strlen(class_names[i].name) == n && fold_cmp_n(s, class_names[i].name, n) == 0)
            return class_names[i].bit;
    return 0;
}

unsigned iam_class_parse(const char *s)
{
    if (!s || !*s)
        return 0;
    unsigned set = 0;
    for (;;) {
        size_t n = strcspn(s, ",");
        unsigned bit = class_bit(s, n);
        if (!bit)
            return 0; /* an unknown or empty name makes the whole list invalid */
        set |= bit;
        if (!s[n])
            return set;
        s += n + 1;
    }
}

const char *iam_class_name(unsigned single_class)
{
    for (size_t i = 0; i < sizeof class_names / sizeof class_names[0]; i++)
        if (class_names[i].bit == single_class)
            return class_names[i].name;
    return NULL;
}

/* ---- loading ---- */

/* One data line, split at its tabs into e; 0 for a line that is not
 * "service:Action<TAB>level<TAB>types<TAB>classes" (skipped: the unit tests check that
 * every line of the file loads, so a malformed line fails the build's tests, not a scan). */
static int parse_line(char *line, struct iam_action_info *e)
{
    char *f[4];
    f[0] = line;
    for (int i = 1; i < 4; i++) {
        char *tab = strchr(f[i - 1], '\t');
        if (!tab)
            return 0;
        *tab = '\0';
        f[i] = tab + 1;
    }
    if (strchr(f[3], '\t') || !strchr(f[0], ':') || !*f[1])
        return 0;
    unsigned classes = iam_class_parse(f[3]);
    if (*f[3] && !classes)
        return 0;
    e->name = f[0];
    e->access_level = f[1];
    e->resource_types = f[2];
    e->classes = classes;
    return 1;
}

static void cat_load(void)
{
    cat.text = xstrndup(iam_actions_tsv, iam_actions_tsv_len);
    size_t lines = 1;
    for (const char *p = cat.text; *p; p++)
        lines += *p == '\n';
    cat.v = xcalloc(lines, sizeof *cat.v);
    cat.source = "";
    char *save = NULL;
    for (char *line = strtok_r(cat.text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        size_t len = strlen(line);
        if (len && line[len - 1] == '\r')
            line[--len] = '\0';
        if (line[0] == '#') {
            if (!*cat.source)
                cat.source = line + strspn(line, "# ");
        } else if (len && parse_line(line, &cat.v[cat.n])) {
            cat.n++;
        }
    }
    /* the generator writes the file sorted; sort anyway rather than trust it */
    for (size_t i = 1; i < cat.n; i++) {
        if (by_name(&cat.v[i - 1], &cat.v[i]) > 0) {
            qsort(cat.v, cat.n, sizeof *cat.v, by_name);
            break;
        }
    }
}

static void cat_init(void) { pthread_once(&cat_once, cat_load); }

/* ---- queries ---- */

size_t iam_action_count(void)
{
    cat_init();
    return cat.n;
}

const struct iam_action_info *iam_action_at(size_t i)
{
    cat_init();
    return i < cat.n ? &cat.v[i] : NULL;
}

const char *iam_action_catalogue_source(void)
{
    cat_init();
    return cat.source;
}

/* The first entry whose first n bytes compare >= key's (cat.n when none). */
static size_t lower_bound(const char *key, size_t n)
{
    size_t lo = 0, hi = cat.n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (fold_cmp_n(cat.v[mid].name, key, n) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const struct iam_action_info *iam_action_lookup(const char *name)
{
    if (!name)
        return NULL;
    cat_init();
    size_t i = lower_bound(name, (size_t)-1);
    return i < cat.n && fold_cmp(cat.v[i].name, name) == 0 ? &cat.v[i] : NULL;
}

size_t iam_actions_matching(const char *pattern, void (*fn)(const struct iam_action_info *, void *),
                            void *arg)
{
    if (!pattern)
        return 0;
    cat_init();
    /* every match starts with the pattern's literal prefix, and those entries are adjacent;
     * bytes below ' ' are iam_glob's escaped wildcards, so the prefix stops there too */
    size_t plen = 0;
    while (pattern[plen] && pattern[plen] != '*' && pattern[plen] != '?' &&
           (unsigned char)pattern[plen] >= ' ')
        plen++;
    size_t count = 0;
    for (size_t i = lower_bound(pattern, plen); i < cat.n && fold_cmp_n(cat.v[i].name, pattern, plen) == 0;
         i++) {
        if (!iam_glob(pattern, cat.v[i].name, 1))
            continue;
        count++;
        if (fn)
            fn(&cat.v[i], arg);
    }
    return count;
}
