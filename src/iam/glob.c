/*
 * glob.c — wildcard matching for actions, resources and *Like conditions: '*' matches any
 * run of characters, '?' exactly one. The greedy algorithm with one backtrack point never
 * takes exponential time, however many stars a hostile pattern holds (O(n·m) at worst).
 * Bytes 0x01 and 0x02 in a pattern stand for a literal '*' and '?' (what a substituted
 * policy variable or ${*} / ${?} produces).
 */
#include <ctype.h>
#include <string.h>

#include "internal.h"

static int same(char p, char t, int fold)
{
    if (p == '\x01')
        return t == '*';
    if (p == '\x02')
        return t == '?';
    if (fold)
        return tolower((unsigned char)p) == tolower((unsigned char)t);
    return p == t;
}

/* p[0..pn) against t[0..tn). */
static int glob_n(const char *p, size_t pn, const char *t, size_t tn, int fold)
{
    size_t i = 0, j = 0, star = (size_t)-1, resume = 0;
    while (j < tn) {
        if (i < pn && p[i] == '*') {
            star = i++;
            resume = j;
        } else if (i < pn && (p[i] == '?' || same(p[i], t[j], fold))) {
            i++;
            j++;
        } else if (star != (size_t)-1) {
            i = star + 1;
            j = ++resume;
        } else {
            return 0;
        }
    }
    while (i < pn && p[i] == '*')
        i++;
    return i == pn;
}

int iam_glob(const char *p, const char *t, int fold) { return glob_n(p, strlen(p), t, strlen(t), fold); }

/* The first five ':'-separated fields of an ARN and the rest; 0 when s has fewer. */
static int split_arn(const char *s, const char *start[6], size_t len[6])
{
    const char *q = s;
    for (int i = 0; i < 5; i++) {
        const char *c = strchr(q, ':');
        if (!c)
            return 0;
        start[i] = q;
        len[i] = (size_t)(c - q);
        q = c + 1;
    }
    start[5] = q;
    len[5] = strlen(q);
    return 1;
}

/* Field-by-field match of two split ARNs; with spill, a trailing '*' in a field after the
 * first may run past the colons (Resource elements, not ARN conditions). */
static int fields_match(const char *pattern, const char *arn, int spill)
{
    const char *ps[6], *ts[6];
    size_t pl[6], tl[6];
    if (!split_arn(pattern, ps, pl) || !split_arn(arn, ts, tl))
        return -1;
    for (int i = 0; i < 5; i++) {
        if (spill && i > 0 && pl[i] && ps[i][pl[i] - 1] == '*' && iam_glob(ps[i], ts[i], 0))
            return 1; /* the rest of the pattern against the rest of the ARN, as a whole */
        if (!glob_n(ps[i], pl[i], ts[i], tl[i], 0))
            return 0;
    }
    return iam_glob(ps[5], ts[5], 0);
}

int iam_resource_match(const char *pattern, const char *arn)
{
    if (strcmp(pattern, "*") == 0)
        return 1;
    int m = fields_match(pattern, arn, 1);
    return m < 0 ? iam_glob(pattern, arn, 0) : m; /* not both ARNs: the whole text */
}

int iam_arn_like(const char *pattern, const char *arn) { return fields_match(pattern, arn, 0) == 1; }
