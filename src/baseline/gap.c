/*
 * gap.c — gap mode: from a scan's failing findings to the ordered steps that close them.
 *
 * Which controls a model covers: those its components list; the standard and shared models
 * also take every other control except the ones only the network-separation model lists
 * (their per-resource checks — RDS, EC2, IAM users — have no component but are part of the
 * five areas). A control's rank is the lowest order of the components listing it (so the
 * log bucket and key come before the trail), else a rank for its area.
 *
 * cli / terraform: one step per failing finding, its body the control's remediation
 * filled in for that resource (the same text `ansim scan` shows). cloudformation cannot
 * change a resource it did not create, so a component is taken when one of its controls
 * fails for the account or a region as a whole (nothing exists yet); per-resource failures
 * are listed as notes pointing at the cli or terraform output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../controls/controls.h"
#include "../util/util.h"
#include "baseline.h"

static const int area_rank[AREA__COUNT] = {
    [AREA_DATA] = 25, [AREA_DETECTION] = 35, [AREA_IR] = 55, [AREA_INFRA] = 65, [AREA_IAM] = 75};

/* The rank of control id in model m: -1 when m does not cover it. */
static int control_rank(const struct bl_set *s, enum bl_model m, const struct control *c)
{
    int rank = -1, other = 0;
    for (size_t i = 0; i < s->n; i++)
        for (size_t k = 0; k < s->c[i].ncontrols; k++) {
            if (strcmp(s->c[i].controls[k], c->id) != 0)
                continue;
            if (s->c[i].models & (1u << m)) {
                if (rank < 0 || s->c[i].order < rank)
                    rank = s->c[i].order;
            } else {
                other |= (int)s->c[i].models;
            }
        }
    if (rank >= 0)
        return rank;
    if ((m == BL_STANDARD || m == BL_SHARED) && other != (1 << BL_NETSEP))
        return area_rank[c->area];
    return -1;
}

/* A step name from a finding: control:resource, with anything a shell word or a state-file
 * line could trip on made '_' */
static char *step_name(const struct finding *f)
{
    char *n = xasprintf("%s:%s", f->control->id, f->resource_id ? f->resource_id : "");
    for (char *c = n; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              strchr("._:/@+=,-", *c)))
            *c = '_';
    return n;
}

struct pick {
    const struct finding *f;
    int rank;
};

static int pick_cmp(const void *a, const void *b)
{
    const struct pick *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    int c = strcmp(x->f->control->id, y->f->control->id);
    return c ? c
             : strcmp(x->f->resource_id ? x->f->resource_id : "", y->f->resource_id ? y->f->resource_id : "");
}

/* built from the account by bl_guardrails (ids "guardrail.<...>"), not bundled */
static int is_guardrail(const struct bl_component *c) { return strncmp(c->id, "guardrail.", 10) == 0; }

static int guarded(const struct bl_set *s, const char *control)
{
    for (size_t i = 0; i < s->n; i++)
        if (is_guardrail(&s->c[i]))
            for (size_t k = 0; k < s->c[i].ncontrols; k++)
                if (strcmp(s->c[i].controls[k], control) == 0)
                    return 1;
    return 0;
}

/* remediation_render() writes <name> for a value it could not fill in (unknown, or unsafe to
 * paste): such a fix cannot run as it is */
static const char *unfilled(const char *fix)
{
    for (const char *p = fix ? strchr(fix, '<') : NULL; p; p = strchr(p + 1, '<')) {
        size_t n = strspn(p + 1, "abcdefghijklmnopqrstuvwxyz_");
        if (n && p[1 + n] == '>')
            return p;
    }
    return NULL;
}

/* st becomes a step done by hand: why (taken over), and the code shown for review */
static void hold(struct bl_step *st, char *why_en, char *why_ko, const char *code)
{
    st->manual.en = why_en;
    st->manual.ko = why_ko;
    st->held = xstrdup(code);
}

static void finding_step(struct bl_plan *p, const struct finding *f)
{
    struct bl_step st;
    memset(&st, 0, sizeof st);
    st.name = step_name(f);
    st.title.en = xstrdup(f->control->title.en ? f->control->title.en : f->control->id);
    st.title.ko = xstrdup(f->control->title.ko);
    st.what.en = xstrdup(f->reason);
    st.what.ko = xstrdup(f->reason_ko);
    st.controls = xcalloc(2, sizeof *st.controls);
    st.controls[st.ncontrols++] = xstrdup(f->control->id);
    const char *fix = p->format == BL_TF ? f->fix_terraform : f->fix_cli;
    char verb[128];
    const char *bad = f->fix_cli ? bl_destructive(f->fix_cli, verb, sizeof verb) : NULL;
    /* the cli text decides what kind of fix it is, whatever the format written */
    const char *u = fix ? unfilled(fix) : NULL;
    if (!fix)
        hold(&st, xstrdup("the control has no automatic fix for this resource; see its remediation text"),
             xstrdup("이 리소스에 대한 자동 조치가 없습니다. 통제 항목의 조치 설명을 참고하십시오"), NULL);
    else if (f->control->remediation_by_hand || (f->fix_cli && !bl_changes(f->fix_cli)))
        hold(
            &st,
            xstrdup(
                "the fix needs a person (a decision, a device, a sign-in or a migration); its commands below "
                "help and check"),
            xstrdup("사람이 직접 해야 하는 조치입니다(판단, 장치 등록, 로그인 또는 이전 작업). "
                    "아래 명령은 작업을 돕고 확인합니다"),
            fix);
    else if (u)
        hold(&st,
             xasprintf("the fix needs a value ansim could not fill in (%.*s); fill it in, then run it",
                       (int)strcspn(u, ">") + 1, u),
             xasprintf("ansim이 채우지 못한 값(%.*s)이 있습니다. 값을 채운 뒤 실행하십시오",
                       (int)strcspn(u, ">") + 1, u),
             fix);
    else if (bad)
        hold(&st,
             xasprintf("the fix would take something away (%s); a baseline never runs that. Check nothing "
                       "depends on it, then run the commands below by hand",
                       bad),
             xasprintf(
                 "이 조치는 기존 설정을 제거합니다(%s). 기준선은 이를 실행하지 않으니 영향을 확인한 뒤 아래 "
                 "명령을 직접 실행하십시오",
                 bad),
             fix);
    else
        st.body = xstrdup(fix);
    bl_plan_add(p, &st);
}

/* fails for the account or a whole region: nothing of the kind exists yet */
static int account_wide(const struct bl_plan *p, const struct finding *f)
{
    const char *r = f->resource_id ? f->resource_id : "";
    return (p->account_id && strcmp(r, p->account_id) == 0) || (f->region && strcmp(r, f->region) == 0) ||
           !f->resource_arn || !*f->resource_arn;
}

static void cfn_gap(const struct bl_set *s, struct bl_plan *p, const struct pick *picks, size_t n)
{
    char *taken = xcalloc(s->n + 1, 1);
    for (size_t k = 0; k < n; k++) {
        const struct finding *f = picks[k].f;
        int covered = 0;
        for (size_t i = 0; i < s->n; i++) {
            const struct bl_component *c = &s->c[i];
            if (!(c->models & (1u << p->model)) || !c->frag[BL_CFN])
                continue;
            for (size_t j = 0; j < c->ncontrols; j++)
                if (strcmp(c->controls[j], f->control->id) == 0 && (account_wide(p, f) || is_guardrail(c)))
                    covered = taken[i] = 1;
        }
        if (!covered) {
            char *name = step_name(f);
            char *line = xasprintf("%s fails for an existing resource; CloudFormation cannot change what it "
                                   "did not create: use --format cli or terraform for this fix",
                                   name);
            bl_plan_note(p, line);
            free(line);
            free(name);
        }
    }
    /* what a taken component needs comes with it (the trail's key and bucket), when the
     * model has it: a template cannot refer to what it does not hold */
    for (int grew = 1; grew;) {
        grew = 0;
        for (size_t i = 0; i < s->n; i++)
            for (size_t j = 0; taken[i] && j < s->c[i].nafter; j++)
                for (size_t k = 0; k < s->n; k++)
                    if (!taken[k] && strcmp(s->c[k].id, s->c[i].after[j]) == 0 &&
                        (s->c[k].models & (1u << p->model)) && s->c[k].frag[BL_CFN])
                        grew = taken[k] = 1;
    }
    struct bl_set sub = {0};
    struct bl_component *keep = xcalloc(s->n + 1, sizeof *keep);
    for (size_t i = 0; i < s->n; i++)
        if (taken[i])
            keep[sub.n++] = s->c[i];
    sub.c = keep;
    bl_plan_model(&sub, p); /* in s's (dependency) order */
    free(keep);
    free(taken);
}

void bl_plan_gap(const struct bl_set *s, struct bl_plan *p, const struct scan_result *res)
{
    struct pick *picks = xcalloc(res->nfindings + 1, sizeof *picks);
    size_t n = 0, errors = 0;
    for (size_t i = 0; i < res->nfindings; i++) {
        const struct finding *f = &res->findings[i];
        int rank = control_rank(s, p->model, f->control);
        if (rank < 0)
            continue;
        if (f->status == ST_ERROR)
            errors++;
        if (f->status == ST_FAIL)
            picks[n++] = (struct pick){f, rank};
    }
    qsort(picks, n, sizeof *picks, pick_cmp);
    if (p->format == BL_CFN) {
        cfn_gap(s, p, picks, n);
    } else {
        /* dynamic guardrails first in their own rank order, replacing their controls' fixes */
        size_t k = 0;
        for (size_t i = 0; i < s->n; i++) {
            if (!is_guardrail(&s->c[i]) || !(s->c[i].models & (1u << p->model)))
                continue;
            for (; k < n && picks[k].rank <= s->c[i].order; k++)
                if (!guarded(s, picks[k].f->control->id))
                    finding_step(p, picks[k].f);
            struct bl_set one = {(struct bl_component *)&s->c[i], 1};
            bl_plan_model(&one, p);
        }
        for (; k < n; k++)
            if (!guarded(s, picks[k].f->control->id))
                finding_step(p, picks[k].f);
    }
    if (errors) {
        char *line =
            xasprintf("%zu check(s) of this model could not be completed (error findings): fix "
                      "the access or the service, scan again and regenerate; they are not covered here",
                      errors);
        bl_plan_note(p, line);
        free(line);
    }
    free(picks);
}
