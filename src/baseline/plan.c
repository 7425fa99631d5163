/*
 * plan.c — a baseline plan: the ordered steps one output is made of, whatever their origin
 * (a model's components, or the remediation of a scan's failing findings), and the safety
 * rule every step passes before it may become code that runs: nothing that removes,
 * disables or opens.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "baseline.h"

void bl_plan_add(struct bl_plan *p, struct bl_step *st)
{
    p->steps = xrealloc(p->steps, (p->nsteps + 1) * sizeof *p->steps);
    p->steps[p->nsteps++] = *st;
    memset(st, 0, sizeof *st);
}

void bl_plan_note(struct bl_plan *p, const char *line)
{
    p->notes = xrealloc(p->notes, (p->nnotes + 1) * sizeof *p->notes);
    p->notes[p->nnotes++] = xstrdup(line);
}

void bl_plan_model(const struct bl_set *s, struct bl_plan *p)
{
    for (size_t i = 0; i < s->n; i++) {
        const struct bl_component *c = &s->c[i];
        if (!(c->models & (1u << p->model)))
            continue;
        struct bl_step st;
        memset(&st, 0, sizeof st);
        st.name = xstrdup(c->id);
        st.account = p->model == BL_SHARED ? xstrdup(c->account) : NULL;
        st.regional = c->regional;
        st.title.en = xstrdup(c->title.en);
        st.title.ko = xstrdup(c->title.ko);
        st.what.en = xstrdup(c->what.en);
        st.what.ko = xstrdup(c->what.ko);
        st.controls = xcalloc(c->ncontrols + 1, sizeof *st.controls);
        for (size_t k = 0; k < c->ncontrols; k++)
            st.controls[k] = xstrdup(c->controls[k]);
        st.ncontrols = c->ncontrols;
        st.body = xstrdup(c->frag[p->format]);
        /* without a fragment: why; with one: what is left to do by hand */
        st.manual.en = xstrdup(c->note[p->format].en);
        st.manual.ko = xstrdup(c->note[p->format].ko);
        bl_plan_add(p, &st);
    }
}

/* Verbs of AWS CLI operations that take something away: a step using one is never run by
 * generated code (the rule: never disable, never delete, never open). */
static const char *const take_away[] = {
    "delete-", "disable-",    "deactivate-",   "detach-", "revoke-", "terminate-", "stop-",
    "remove-", "deregister-", "disassociate-", "cancel-", "reject-", "purge-",     NULL};

/* Calls fn(service, verb, rest of line, arg) for every "aws SERVICE VERB" outside comments
 * (also after `if !`, `$(`, `&&`) until fn returns non-zero; returns that value or 0. */
static int each_command(const char *cli,
                        int (*fn)(const char *svc, const char *verb, const char *eol, void *arg), void *arg)
{
    for (const char *line = cli; line && *line;) {
        const char *end = strchr(line, '\n');
        const char *eol = end ? end : line + strlen(line);
        const char *p = line;
        while (p < eol && isspace((unsigned char)*p))
            p++;
        for (const char *a = p; *p != '#' && a && a + 4 < eol; a = strstr(a + 1, "aws ")) {
            if (strncmp(a, "aws ", 4) != 0 || (a > line && (isalnum((unsigned char)a[-1]) || a[-1] == '-')))
                continue;
            const char *svc = a + 4;
            while (svc < eol && *svc == ' ')
                svc++;
            const char *verb = svc;
            while (verb < eol && *verb != ' ')
                verb++;
            while (verb < eol && *verb == ' ')
                verb++;
            int rc = fn(svc, verb, eol, arg);
            if (rc)
                return rc;
        }
        line = end ? end + 1 : NULL;
    }
    return 0;
}

struct verb_buf {
    char *buf;
    size_t len;
};

static int take_away_verb(const char *svc, const char *verb, const char *eol, void *arg)
{
    struct verb_buf *vb = arg;
    size_t vl = strcspn(verb, " \n\\");
    for (size_t k = 0; take_away[k]; k++)
        if (strncmp(verb, take_away[k], strlen(take_away[k])) == 0) {
            snprintf(vb->buf, vb->len, "aws %.*s", (int)(verb + vl - svc), svc);
            return 1;
        }
    /* an access key made Inactive is a credential disabled */
    const char *in = strstr(verb, "Inactive");
    if (strncmp(verb, "update-access-key", 17) == 0 && in && in < eol) {
        snprintf(vb->buf, vb->len, "aws iam update-access-key --status Inactive");
        return 1;
    }
    return 0;
}

const char *bl_destructive(const char *cli, char *buf, size_t len)
{
    struct verb_buf vb = {buf, len};
    return each_command(cli, take_away_verb, &vb) ? buf : NULL;
}

static int changing_verb(const char *svc, const char *verb, const char *eol, void *arg)
{
    (void)svc, (void)eol, (void)arg;
    static const char *const reads[] = {"get-",    "describe-", "list-", "head-",
                                        "lookup-", "wait ",     "help",  NULL};
    for (size_t k = 0; reads[k]; k++)
        if (strncmp(verb, reads[k], strlen(reads[k])) == 0)
            return 0;
    return *verb && *verb != '\n';
}

int bl_changes(const char *cli) { return each_command(cli, changing_verb, NULL); }

static void step_free(struct bl_step *st)
{
    free(st->name);
    free(st->account);
    free(st->title.en);
    free(st->title.ko);
    free(st->what.en);
    free(st->what.ko);
    for (size_t i = 0; i < st->ncontrols; i++)
        free(st->controls[i]);
    free(st->controls);
    free(st->body);
    free(st->held);
    free(st->manual.en);
    free(st->manual.ko);
}

void bl_plan_free(struct bl_plan *p)
{
    for (size_t i = 0; i < p->nsteps; i++)
        step_free(&p->steps[i]);
    free(p->steps);
    for (size_t i = 0; i < p->nregions; i++)
        free(p->regions[i]);
    free(p->regions);
    for (size_t i = 0; i < p->nnotes; i++)
        free(p->notes[i]);
    free(p->notes);
    free(p->source);
    free(p->account_id);
    bl_values_free(&p->values);
    memset(p, 0, sizeof *p);
}
