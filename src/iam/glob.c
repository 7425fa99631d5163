/*
 * glob.c — wildcard matching for actions, resources and *Like conditions: '*' matches any
 * run of characters, '?' exactly one. Bytes 0x01 and 0x02 in a pattern stand for a literal
 * '*' and '?' (what a substituted policy variable or ${*} / ${?} produces).
 *
 * How it works, and why it never backtracks: a pattern is pieces separated by '*'. The first
 * piece must match at the start of the text and the last one at its end; each piece between
 * them is looked for left to right, at its leftmost place after the previous one. Taking the
 * leftmost place is never wrong (any later place leaves less room for the rest), so no
 * choice is ever undone and each text character is looked at for one piece only. A piece
 * without '?' is found with Knuth–Morris–Pratt, a piece with '?' with Shift-And (a bit per
 * pattern character, 64 to a machine word); both skip with memchr to where the piece may
 * start when nothing is under way.
 *
 * Bounds, for a text of n characters and a pattern of m: O(n + m) steps when no piece
 * between two stars is a run of more than 64 characters holding a '?' (so `*a*a*a*b`, `***…`,
 * `?…?`, `*a?b*` and a 5,000-character literal between stars are all linear). A longer
 * piece of k characters with a '?' costs ⌈k/64⌉ word steps per text character it is looked
 * for in (linear in n for a given pattern; quadratic/64 only when both are huge, as no
 * simple algorithm does better for "don't care" characters). Memory is O(m), allocated only
 * for pieces longer than 64 characters. iam_glob_steps counts the steps (the tests check
 * the bounds with it, not with a clock).
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "internal.h"

#define NOT_FOUND ((size_t)-1)

static unsigned char fold_c(char c, int fold)
{
    return fold ? (unsigned char)tolower((unsigned char)c) : (unsigned char)c;
}

/* The text character a pattern byte other than '*' and '?' stands for. */
static unsigned char lit(char c, int fold)
{
    if (c == '\x01')
        return '*';
    if (c == '\x02')
        return '?';
    return fold_c(c, fold);
}

/* Piece p[0..k) against t[0..k). */
static int piece_at(const char *p, const char *t, size_t k, int fold, size_t *steps)
{
    for (size_t i = 0; i < k; i++) {
        (*steps)++;
        if (p[i] != '?' && lit(p[i], fold) != fold_c(t[i], fold))
            return 0;
    }
    return 1;
}

/* The end of the leftmost occurrence of piece p[0..k) (no '?', k > 0) in t[from..to), or
 * NOT_FOUND: Knuth–Morris–Pratt, at most 2(k + to - from) steps. */
static size_t find_plain(const char *p, size_t k, const char *t, size_t from, size_t to, int fold,
                         size_t *steps)
{
    if (to - from < k)
        return NOT_FOUND;
    size_t small[64], *next = k <= 64 ? small : xcalloc(k, sizeof *next);
    next[0] = 0; /* next[i]: the longest proper border of p[0..i] */
    for (size_t i = 1, q = 0; i < k; i++) {
        while (q > 0 && lit(p[i], fold) != lit(p[q], fold))
            q = next[q - 1], (*steps)++;
        q += lit(p[i], fold) == lit(p[q], fold);
        next[i] = q;
        (*steps)++;
    }
    size_t end = NOT_FOUND;
    unsigned char first = lit(p[0], fold);
    int skip = !fold || toupper(first) == first; /* memchr finds where the piece may start */
    for (size_t j = from, q = 0; j < to; j++) {
        if (q == 0 && skip) {
            const char *c0 = memchr(t + j, first, to - j);
            size_t next = c0 ? (size_t)(c0 - t) : to;
            *steps += next - j;
            if ((j = next) == to)
                break;
        }
        unsigned char c = fold_c(t[j], fold);
        while (q > 0 && lit(p[q], fold) != c)
            q = next[q - 1], (*steps)++;
        q += lit(p[q], fold) == c;
        (*steps)++;
        if (q == k) {
            end = j + 1;
            break;
        }
    }
    if (next != small)
        free(next);
    return end;
}

/* find_wild for a piece of at most 64 characters: one word of state, and while no prefix
 * is under way, memchr skips to where the piece may start. */
static size_t find_wild_word(const char *p, size_t k, const char *t, size_t from, size_t to, int fold,
                             uint64_t lits[256], size_t *steps)
{
    uint64_t any = 0, d = 0, top = (uint64_t)1 << (k - 1);
    for (size_t i = 0; i < k; i++) {
        if (p[i] == '?')
            any |= (uint64_t)1 << i;
        else
            lits[lit(p[i], fold)] |= (uint64_t)1 << i;
    }
    unsigned char first = lit(p[0], fold);
    int skip = p[0] != '?' && (!fold || toupper(first) == first);
    size_t end = NOT_FOUND, j;
    for (j = from; j < to; j++) {
        if (d == 0 && skip) {
            const char *c0 = memchr(t + j, first, to - j);
            size_t next = c0 ? (size_t)(c0 - t) : to;
            *steps += next - j;
            if ((j = next) == to)
                break;
        }
        d = ((d << 1) | 1) & (any | lits[fold_c(t[j], fold)]);
        (*steps)++;
        if (d & top) {
            end = j + 1;
            break;
        }
    }
    for (size_t i = 0; i < k; i++)
        if (p[i] != '?')
            lits[lit(p[i], fold)] = 0;
    *steps += 2 * k;
    return end;
}

#define WINDOW 1024 /* text characters per pass over the blocks of a long piece */

/* The end of the leftmost occurrence of piece p[0..k) (with '?') in t[from..to), or
 * NOT_FOUND. Shift-And, in blocks of 64 pattern characters: bit i of block b's state is set
 * when p[0 .. 64b+i] matches the text ending at the current character. The text is taken a
 * window at a time; each block runs over the window, reading from done[] where the block
 * before it completed and writing where it completes itself. lits: 256 zero words, the
 * block's literal positions for each character while it runs (zero again on return, so a
 * piece costs its length, not a table of 256). */
static size_t find_wild(const char *p, size_t k, const char *t, size_t from, size_t to, int fold,
                        uint64_t lits[256], size_t *steps)
{
    if (to - from < k)
        return NOT_FOUND;
    if (k <= 64)
        return find_wild_word(p, k, t, from, to, fold, lits, steps);
    size_t nblocks = (k + 63) / 64;
    uint64_t *state = xcalloc(nblocks, sizeof *state);
    unsigned char *carry = xcalloc(nblocks, 1);
    uint64_t done[WINDOW / 64] = {0};
    size_t end = NOT_FOUND;
    for (size_t w = from; w < to && end == NOT_FOUND; w += WINDOW) {
        size_t wl = to - w < WINDOW ? to - w : WINDOW;
        for (size_t b = 0; b < nblocks && end == NOT_FOUND; b++) {
            const char *bp = p + 64 * b;
            size_t len = k - 64 * b < 64 ? k - 64 * b : 64;
            uint64_t any = 0; /* the '?' positions match every character */
            for (size_t i = 0; i < len; i++) {
                if (bp[i] == '?')
                    any |= (uint64_t)1 << i;
                else
                    lits[lit(bp[i], fold)] |= (uint64_t)1 << i;
            }
            uint64_t d = state[b], top = (uint64_t)1 << (len - 1);
            unsigned in = b == 0 ? 1 : carry[b]; /* did blocks 0..b-1 complete just before? */
            size_t j;
            for (j = 0; j < wl; j++) {
                unsigned before = b == 0 ? 1 : (unsigned)(done[j / 64] >> (j % 64)) & 1;
                d = ((d << 1) | in) & (any | lits[fold_c(t[w + j], fold)]);
                in = before;
                if (d & top)
                    done[j / 64] |= (uint64_t)1 << (j % 64);
                else
                    done[j / 64] &= ~((uint64_t)1 << (j % 64));
                if ((d & top) && b == nblocks - 1) {
                    end = w + j + 1;
                    j++;
                    break;
                }
            }
            for (size_t i = 0; i < len; i++)
                if (bp[i] != '?')
                    lits[lit(bp[i], fold)] = 0;
            *steps += 2 * len + j;
            state[b] = d;
            carry[b] = (unsigned char)in;
        }
    }
    free(state);
    free(carry);
    return end;
}

/* p[0..pn) against t[0..tn). */
static int glob_n(const char *p, size_t pn, const char *t, size_t tn, int fold, size_t *steps)
{
    const char *first = memchr(p, '*', pn);
    if (!first)
        return pn == tn && piece_at(p, t, pn, fold, steps);
    size_t head = (size_t)(first - p), last = pn - 1;
    while (p[last] != '*')
        last--, (*steps)++;
    size_t tail = pn - last - 1;
    if (head + tail > tn || !piece_at(p, t, head, fold, steps) ||
        !piece_at(p + last + 1, t + tn - tail, tail, fold, steps))
        return 0;
    size_t pos = head, limit = tn - tail; /* the middle pieces go in t[pos..limit) */
    uint64_t lits[256];
    int lits_ready = 0;
    for (size_t i = head + 1; i < last;) {
        size_t e = i;
        while (p[e] != '*')
            e++;
        *steps += e - i + 1;
        if (e > i && memchr(p + i, '?', e - i)) {
            if (!lits_ready) {
                memset(lits, 0, sizeof lits);
                lits_ready = 1;
                *steps += 256;
            }
            pos = find_wild(p + i, e - i, t, pos, limit, fold, lits, steps);
        } else if (e > i) {
            pos = find_plain(p + i, e - i, t, pos, limit, fold, steps);
        }
        if (pos == NOT_FOUND)
            return 0;
        i = e + 1;
    }
    return 1;
}

int iam_glob_steps(const char *p, const char *t, int fold, size_t *steps)
{
    size_t n = 0;
    int m = glob_n(p, strlen(p), t, strlen(t), fold, &n);
    if (steps)
        *steps += n;
    return m;
}

int iam_glob(const char *p, const char *t, int fold) { return iam_glob_steps(p, t, fold, NULL); }

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
    size_t pl[6], tl[6], steps = 0;
    if (!split_arn(pattern, ps, pl) || !split_arn(arn, ts, tl))
        return -1;
    for (int i = 0; i < 5; i++) {
        if (spill && i > 0 && pl[i] && ps[i][pl[i] - 1] == '*' && iam_glob(ps[i], ts[i], 0))
            return 1; /* the rest of the pattern against the rest of the ARN, as a whole */
        if (!glob_n(ps[i], pl[i], ts[i], tl[i], 0, &steps))
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
