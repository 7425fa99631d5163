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

int iam_glob(const char *p, const char *t, int fold)
{
    const char *star = NULL, *resume = NULL;
    while (*t) {
        if (*p == '*') {
            star = p++;
            resume = t;
        } else if (*p && (*p == '?' || same(*p, *t, fold))) {
            p++;
            t++;
        } else if (star) {
            p = star + 1;
            t = ++resume;
        } else {
            return 0;
        }
    }
    while (*p == '*')
        p++;
    return *p == '\0';
}

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

static int glob_n(const char *p, size_t pn, const char *t, size_t tn)
{
    char pb[1024], tb[1024];
    if (pn >= sizeof pb || tn >= sizeof tb)
        return 0;
    memcpy(pb, p, pn);
    pb[pn] = '\0';
    memcpy(tb, t, tn);
    tb[tn] = '\0';
    return iam_glob(pb, tb, 0);
}

int iam_resource_match(const char *pattern, const char *arn)
{
    if (strcmp(pattern, "*") == 0)
        return 1;
    const char *ps[6], *ts[6];
    size_t pl[6], tl[6];
    if (!split_arn(pattern, ps, pl) || !split_arn(arn, ts, tl))
        return iam_glob(pattern, arn, 0); /* not both ARNs: the whole text */
    for (int i = 0; i < 5; i++) {
        if (pl[i] && ps[i][pl[i] - 1] == '*' && i > 0) {
            /* a trailing '*' in a field may run past the colons: match the rest as a whole */
            if (iam_glob(ps[i], ts[i], 0))
                return 1;
        }
        if (!glob_n(ps[i], pl[i], ts[i], tl[i]))
            return 0;
    }
    return iam_glob(ps[5], ts[5], 0);
}
