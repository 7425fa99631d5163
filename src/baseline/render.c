/*
 * render.c — turning a plan into files: which file each step goes to (the shared model has
 * one for the security account and one for the service accounts), the header every file
 * starts with (what it is, where it came from, the safety promise, the step list), the
 * parameters a file must declare, and the JSON summary.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "baseline.h"
#include "render_int.h"

static const char *const model_title[BL__NMODELS][2] = {
    {"Standard security reference model: the five security areas in one account",
     "표준 보안 참조 모델: 한 계정에 다섯 보안 영역 구성"},
    {"Shared Security model: a security account holding the shared services and logs, joined to service "
     "accounts",
     "공통 보안 모델: 공통 서비스와 로그를 모은 보안 계정과 서비스 계정 연결"},
    {"Network-separated environment for personal-data handlers (WorkSpaces / AppStream 2.0)",
     "개인정보취급자 망분리 환경(WorkSpaces / AppStream 2.0)"},
    {"Day-one account baseline", "신규 계정 기본 보안 설정"},
};

static int word_char(char c) { return isalnum((unsigned char)c) || c == '_'; }

/* name appears in text right after prefix, with no word character before the prefix or
 * after the name */
static int has_word(const char *text, const char *prefix, const char *name)
{
    size_t pl = strlen(prefix), nl = strlen(name);
    for (const char *p = text; (p = strstr(p, name)); p++) {
        if (word_char(p[nl]))
            continue;
        if ((size_t)(p - text) >= pl && strncmp(p - pl, prefix, pl) == 0 &&
            ((size_t)(p - text) == pl || !word_char(p[-(long)pl - 1])))
            return 1;
    }
    return 0;
}

int render_uses(const char *text, const struct bl_param *prm, enum bl_format f)
{
    if (!text)
        return 0;
    switch (f) {
    case BL_CFN: /* a reference, not a property that happens to share the name */
        return has_word(text, "!Ref ", prm->cfn) || has_word(text, "Ref: ", prm->cfn) ||
               has_word(text, "${", prm->cfn);
    case BL_TF: return has_word(text, "var.", prm->tf);
    default: return has_word(text, "$", prm->sh) || has_word(text, "${", prm->sh);
    }
}

int render_in_file(const struct bl_step *st, const char *account)
{
    return !account || !st->account || strcmp(st->account, account) == 0;
}

int render_file_uses(const struct bl_plan *p, const char *account, const struct bl_param *prm)
{
    for (size_t i = 0; i < p->nsteps; i++) {
        const struct bl_step *st = &p->steps[i];
        if (!render_in_file(st, account) || !st->body)
            continue;
        if (render_uses(st->body, prm, p->format))
            return 1;
        /* the script's loop over a regional step reads $REGIONS itself */
        if (p->format == BL_CLI && st->regional && strcmp(prm->tf, "regions") == 0)
            return 1;
    }
    return 0;
}

char **render_list(const char *value, size_t *n)
{
    *n = 0;
    char **v = NULL;
    if (!value)
        return NULL;
    json_t *j = value[0] == '[' ? json_loads(value, 0, NULL) : NULL;
    if (json_is_array(j)) {
        v = xcalloc(json_array_size(j) + 1, sizeof *v);
        size_t i;
        json_t *e;
        json_array_foreach(j, i, e) if (json_is_string(e)) v[(*n)++] = xstrdup(json_string_value(e));
        json_decref(j);
        return v;
    }
    json_decref(j);
    v = xcalloc(strlen(value) + 2, sizeof *v);
    for (const char *p = value; *p;) {
        size_t k = strcspn(p, ", ");
        if (k)
            v[(*n)++] = xstrndup(p, k);
        p += k;
        while (*p == ',' || *p == ' ')
            p++;
    }
    return v;
}

char *render_list_join(const char *value, const char *sep)
{
    size_t n;
    char **v = render_list(value, &n);
    struct strbuf j;
    sb_init(&j);
    for (size_t i = 0; i < n; i++)
        sb_printf(&j, "%s%s", i ? sep : "", v[i]);
    render_list_free(v, n);
    return j.buf ? sb_detach(&j) : xstrdup("");
}

void render_list_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void render_comment(struct strbuf *sb, const char *prefix, const char *a, const char *b)
{
    sb_puts(sb, prefix);
    for (int k = 0; k < 2; k++)
        for (const unsigned char *c = (const unsigned char *)((k ? b : a) ? (k ? b : a) : ""); *c; c++)
            sb_putc(sb, *c < 0x20 || *c == 0x7f ? ' ' : (char)*c);
    sb_putc(sb, '\n');
}

static void put_line(struct strbuf *sb, const char *prefix, const char *s)
{
    render_comment(sb, prefix, s, NULL);
}

static void put_linef(struct strbuf *sb, const char *prefix, const char *fmt, const char *a, const char *b)
{
    char *s = xasprintf(fmt, a ? a : "", b ? b : "");
    put_line(sb, prefix, s);
    free(s);
}

void render_header(struct strbuf *sb, const struct bl_plan *p, const char *account, const char *prefix)
{
    char *line = xasprintf("ansim %s baseline --model %s --format %s", ANSIM_VERSION, bl_model_name(p->model),
                           bl_format_name(p->format));
    put_line(sb, prefix, line);
    free(line);
    put_linef(sb, prefix, "%s / %s", model_title[p->model][0], model_title[p->model][1]);
    if (account)
        put_linef(sb, prefix, "%s",
                  strcmp(account, "security") == 0
                      ? "This file: the SECURITY account (보안 계정). Deploy it there first."
                      : "This file: each SERVICE account (서비스 계정), after the security account's file.",
                  NULL);
    if (p->gap)
        put_linef(sb, prefix, "Gap mode: only what the scan of %s found missing or failing (%s).",
                  p->account_id ? p->account_id : "the account", p->source);
    else
        put_linef(sb, prefix, "Greenfield: the whole model, parameterised.%s%s", "", "");
    put_linef(sb, prefix, "Generated %s.%s", p->generated_at, "");
    put_line(sb, prefix, "");
    put_line(sb, prefix, "SAFETY: ansim applied nothing. Review this file, then run it yourself.");
    put_line(sb, prefix,
             "It only creates resources or tightens settings: it never disables, deletes or opens");
    put_line(sb, prefix,
             "anything (a fix that would is listed under MANUAL and is not run), and it holds no");
    put_line(sb, prefix, "secrets (parameters without defaults, or Secrets Manager / SSM references).");
    put_line(sb, prefix,
             "안전: ansim은 아무것도 적용하지 않았습니다. 검토한 뒤 직접 실행하십시오. 이 파일은 리소스를");
    put_line(sb, prefix,
             "만들거나 설정을 강화할 뿐 끄거나 지우거나 여는 작업은 하지 않으며(그런 조치는 MANUAL에만");
    put_line(sb, prefix, "적고 실행하지 않음) 비밀 정보를 담지 않습니다.");
    put_line(sb, prefix, "");
    size_t n = 0, manual = 0;
    for (size_t i = 0; i < p->nsteps; i++)
        if (render_in_file(&p->steps[i], account))
            p->steps[i].body ? n++ : manual++;
    char cnt[64];
    snprintf(cnt, sizeof cnt, "%zu", n);
    put_linef(sb, prefix, "STEPS (%s), in dependency order:", cnt, NULL);
    size_t k = 0;
    for (size_t i = 0; i < p->nsteps; i++) {
        const struct bl_step *st = &p->steps[i];
        if (!render_in_file(st, account) || !st->body)
            continue;
        struct strbuf c;
        sb_init(&c);
        for (size_t j = 0; j < st->ncontrols; j++)
            sb_printf(&c, "%s%s", j ? ", " : "", st->controls[j]);
        char *l = xasprintf("%3zu. %s — %s / %s%s%s%s", ++k, st->name, st->title.en ? st->title.en : "",
                            st->title.ko ? st->title.ko : "", c.len ? " [makes pass: " : "",
                            c.len ? c.buf : "", c.len ? "]" : "");
        put_line(sb, prefix, l);
        free(l);
        sb_free(&c);
    }
    if (manual) {
        snprintf(cnt, sizeof cnt, "%zu", manual);
        put_line(sb, prefix, "");
        put_linef(sb, prefix, "MANUAL (%s): not done by this file; do them by hand after review.", cnt, NULL);
        for (size_t i = 0; i < p->nsteps; i++) {
            const struct bl_step *st = &p->steps[i];
            if (!render_in_file(st, account) || st->body)
                continue;
            put_linef(sb, prefix, "  - %s: %s", st->name, st->manual.en ? st->manual.en : "");
            if (st->manual.ko)
                put_linef(sb, prefix, "    %s%s", st->manual.ko, NULL);
        }
    }
    size_t follow = 0;
    for (size_t i = 0; i < p->nsteps; i++)
        follow += render_in_file(&p->steps[i], account) && p->steps[i].body && p->steps[i].manual.en;
    if (follow) {
        put_line(sb, prefix, "");
        put_line(sb, prefix, "BY HAND AFTERWARDS: what these steps cannot do in this format");
        for (size_t i = 0; i < p->nsteps; i++) {
            const struct bl_step *st = &p->steps[i];
            if (render_in_file(st, account) && st->body && st->manual.en) {
                put_linef(sb, prefix, "  - %s: %s", st->name, st->manual.en);
                if (st->manual.ko)
                    put_linef(sb, prefix, "    %s%s", st->manual.ko, NULL);
            }
        }
    }
    if (p->nnotes) {
        put_line(sb, prefix, "");
        put_line(sb, prefix, "NOTES:");
        for (size_t i = 0; i < p->nnotes; i++)
            put_linef(sb, prefix, "  - %s%s", p->notes[i], NULL);
    }
}

static char *file_path(const struct bl_plan *p, const char *account)
{
    const char *ext = p->format == BL_CFN ? "yaml" : p->format == BL_TF ? "tf" : "sh";
    const char *m = bl_model_name(p->model);
    if (p->format == BL_TF) /* a Terraform root module is a directory */
        return account ? xasprintf("%s-%s-account/main.tf", m, account) : xasprintf("%s/main.tf", m);
    return account ? xasprintf("%s-%s-account.%s", m, account, ext) : xasprintf("%s.%s", m, ext);
}

static json_t *strings(char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

static json_t *summary(const struct bl_plan *p, const struct bl_file *files, size_t nfiles)
{
    json_t *s = json_object(), *jf = json_array(), *steps = json_array(), *targets = json_array(),
           *manual = json_array();
    json_object_set_new(s, "tool", json_string("ansim"));
    json_object_set_new(s, "version", json_string(ANSIM_VERSION));
    json_object_set_new(s, "model", json_string(bl_model_name(p->model)));
    json_object_set_new(s, "format", json_string(bl_format_name(p->format)));
    json_object_set_new(s, "mode", json_string(p->gap ? "gap" : "greenfield"));
    json_object_set_new(s, "source", json_string(p->source ? p->source : "greenfield"));
    json_object_set_new(s, "account_id", p->account_id ? json_string(p->account_id) : json_null());
    json_object_set_new(s, "generated_at", json_string(p->generated_at));
    json_object_set_new(s, "regions", strings(p->regions, p->nregions));
    for (size_t i = 0; i < nfiles; i++)
        json_array_append_new(jf, json_string(files[i].path));
    json_object_set_new(s, "files", jf);
    for (size_t i = 0; i < p->nsteps; i++) {
        const struct bl_step *st = &p->steps[i];
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(st->name));
        json_object_set_new(o, "title", json_string(st->title.en ? st->title.en : ""));
        json_object_set_new(o, "title_ko", json_string(st->title.ko ? st->title.ko : ""));
        json_object_set_new(o, "controls", strings(st->controls, st->ncontrols));
        json_object_set_new(o, "automated", json_boolean(st->body != NULL));
        if (st->account)
            json_object_set_new(o, "account", json_string(st->account));
        if (!st->body)
            json_object_set_new(o, "why", json_string(st->manual.en ? st->manual.en : ""));
        else if (st->manual.en)
            json_object_set_new(o, "by_hand_afterwards", json_string(st->manual.en));
        json_array_append_new(steps, o);
        if (!st->body) {
            json_array_append_new(manual, json_string(st->name));
            continue;
        }
        for (size_t j = 0; j < st->ncontrols; j++) {
            size_t k;
            json_t *e;
            int seen = 0;
            json_array_foreach(targets, k, e) seen |= strcmp(json_string_value(e), st->controls[j]) == 0;
            if (!seen)
                json_array_append_new(targets, json_string(st->controls[j]));
        }
    }
    json_object_set_new(s, "steps", steps);
    json_object_set_new(s, "targets", targets);
    json_object_set_new(s, "manual", manual);
    json_object_set_new(s, "notes", strings(p->notes, p->nnotes));
    return s;
}

int bl_render(const struct bl_plan *p, struct bl_file **files, size_t *nfiles, json_t **sum, char *err,
              size_t errlen)
{
    static const char *const shared_accounts[] = {"security", "service"};
    const char *const none[] = {NULL};
    const char *const *accounts = p->model == BL_SHARED ? shared_accounts : none;
    size_t nacc = p->model == BL_SHARED ? 2 : 1;
    *files = xcalloc(nacc, sizeof **files);
    *nfiles = 0;
    for (size_t a = 0; a < nacc; a++) {
        char *text = p->format == BL_CFN  ? render_cfn(p, accounts[a], err, errlen)
                     : p->format == BL_TF ? render_tf(p, accounts[a], err, errlen)
                                          : render_cli(p, accounts[a], err, errlen);
        if (!text) {
            bl_files_free(*files, *nfiles);
            *files = NULL;
            *nfiles = 0;
            return -1;
        }
        (*files)[*nfiles].path = file_path(p, accounts[a]);
        (*files)[(*nfiles)++].text = text;
    }
    *sum = summary(p, *files, *nfiles);
    return 0;
}

void bl_files_free(struct bl_file *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(f[i].path);
        free(f[i].text);
    }
    free(f);
}
