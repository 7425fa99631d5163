/*
 * init.c — `ansim init [-o FILE] [--force] [--non-interactive]`: write the organisation
 * profile (ansim.yaml). On a terminal it asks the questions one by one (Enter keeps the
 * shown default; `unknown` is always allowed and makes the stricter rule apply); otherwise,
 * or with --non-interactive, it writes the defaults for the user to edit. Every answer is
 * checked by the same reader scans use, so init never writes a profile a scan would reject.
 * The file is written atomically and an existing one is kept unless --force is given.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../profile/profile.h"
#include "../util/util.h"
#include "cmd.h"

struct question {
    const char *key, *en, *ko;
    int list;        /* answer is a comma-separated list */
    const char *sub; /* key under separated_network */
};

static const struct question questions[] = {
    {"regulation", "Which notice applies: pipa-2023 (amended 2025) or pipa-tech-2021?",
     "적용 기준: pipa-2023(2025 개정 포함) 또는 pipa-tech-2021?", 0, NULL},
    {"data_subjects", "How many data subjects does the largest system hold? (number or unknown)",
     "가장 큰 개인정보처리시스템의 정보주체 수는? (숫자 또는 unknown)", 0, NULL},
    {"daily_users", "Average daily users over the last 3 months of last year? (number or unknown)",
     "전년도 말 직전 3개월 일평균 이용자 수는? (숫자 또는 unknown)", 0, NULL},
    {"ict_revenue_krw",
     "Last year's information-and-communication revenue in won? (pipa-tech-2021; or unknown)",
     "정보통신서비스 부문 전년도 매출액(원)은? (pipa-tech-2021용, 또는 unknown)", 0, NULL},
    {"unique_identifiers",
     "Are unique identifiers (resident registration numbers, ...) stored? (true/false/unknown)",
     "고유식별정보(주민등록번호 등)를 처리합니까? (true/false/unknown)", 0, NULL},
    {"sensitive_data", "Is sensitive data (health, biometrics, ...) stored? (true/false/unknown)",
     "민감정보(건강, 생체인식 등)를 처리합니까? (true/false/unknown)", 0, NULL},
    {"telecom_carrier", "Is the company a 기간통신사업자 (facilities-based carrier)? (true/false/unknown)",
     "기간통신사업자입니까? (true/false/unknown)", 0, NULL},
    {"pii_tag", "Which tag marks resources holding personal data? (KEY=VALUE)",
     "개인정보를 담은 자원을 표시하는 태그는? (KEY=VALUE)", 0, NULL},
    {"separated_network", "Public CIDRs of the separated network, comma-separated (empty: none)",
     "분리된 망의 공인 IP 대역(쉼표로 구분, 없으면 빈칸)", 1, "cidrs"},
    {"separated_network", "VPC ids of the separated network, comma-separated",
     "분리된 망의 VPC ID(쉼표로 구분)", 1, "vpcs"},
    {"separated_network", "VPC endpoint ids the separated network uses, comma-separated",
     "분리된 망이 쓰는 VPC 엔드포인트 ID(쉼표로 구분)", 1, "vpc_endpoints"},
};

/* value as a double-quoted YAML scalar */
static void yq(struct strbuf *sb, const char *s, size_t n)
{
    sb_putc(sb, '"');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"' || s[i] == '\\')
            sb_putc(sb, '\\');
        if ((unsigned char)s[i] >= 0x20)
            sb_putc(sb, s[i]);
    }
    sb_putc(sb, '"');
}

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    size_t k = strspn(s, " \t");
    memmove(s, s + k, n - k + 1);
}

/* The YAML line(s) for one answer appended to doc. */
static void answer_yaml(struct strbuf *doc, const struct question *q, const char *a)
{
    if (!q->list) {
        sb_printf(doc, "%s: ", q->key);
        yq(doc, a, strlen(a));
        sb_putc(doc, '\n');
        return;
    }
    if (!strstr(doc->buf ? doc->buf : "", "separated_network:"))
        sb_puts(doc, "separated_network:\n");
    sb_printf(doc, "  %s: [", q->sub);
    const char *p = a;
    int first = 1;
    while (*p) {
        size_t n = strcspn(p, ",");
        const char *s = p;
        size_t len = n;
        while (len && (*s == ' ' || *s == '\t'))
            s++, len--;
        while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
            len--;
        if (len) {
            sb_puts(doc, first ? "" : ", ");
            yq(doc, s, len);
            first = 0;
        }
        p += n + (p[n] == ',');
    }
    sb_puts(doc, "]\n");
}

static const char *shown_default(const struct profile *p, const struct question *q, char *buf, size_t len)
{
    if (!strcmp(q->key, "regulation"))
        return p->regulation;
    if (!strcmp(q->key, "pii_tag")) {
        snprintf(buf, len, "%s=%s", p->pii_key, p->pii_value);
        return buf;
    }
    return q->list ? "" : "unknown";
}

static int ask(const struct global_opts *g, struct profile *p, char *err, size_t errlen)
{
    struct strbuf doc;
    sb_init(&doc);
    char *line = NULL;
    size_t cap = 0;
    int rc = 0;
    for (size_t i = 0; i < sizeof questions / sizeof *questions && rc == 0; i++) {
        const struct question *q = &questions[i];
        char dbuf[300];
        const char *def = shown_default(p, q, dbuf, sizeof dbuf);
        for (;;) {
            fprintf(stderr, "%s [%s]: ", L(g->lang, q->en, q->ko), def);
            fflush(stderr);
            if (getline(&line, &cap, stdin) < 0) {
                snprintf(err, errlen, "ansim init: input ended before every question was answered");
                rc = -1;
                break;
            }
            trim(line);
            const char *a = *line ? line : def;
            size_t mark = doc.len;
            answer_yaml(&doc, q, a);
            struct profile t;
            profile_init(&t);
            char perr[ERRLEN] = "";
            if (profile_load_buf(&t, "answer", doc.buf, doc.len, perr, sizeof perr) == 0) {
                profile_free(&t);
                break;
            }
            profile_free(&t);
            doc.len = mark; /* drop the bad answer and ask again */
            doc.buf[mark] = '\0';
            const char *why = strstr(perr, ": ");
            fprintf(stderr, "  %s\n", why ? why + 2 : perr);
        }
    }
    free(line);
    if (rc == 0)
        rc = profile_load_buf(p, "answers", doc.buf ? doc.buf : "", doc.len, err, errlen);
    sb_free(&doc);
    return rc;
}

int cmd_init(int argc, char **argv, const struct global_opts *g)
{
    const char *out = PROFILE_FILE;
    int force = 0, batch = !isatty(STDIN_FILENO), bad = 0;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if ((v = opt_value(argc, argv, &i, "-o", &bad)))
            out = v;
        else if (!bad && strcmp(argv[i], "--force") == 0)
            force = 1;
        else if (!bad && (strcmp(argv[i], "--non-interactive") == 0 || strcmp(argv[i], "-y") == 0))
            batch = 1;
        else if (!bad && strcmp(argv[i], "--interactive") == 0) /* ask even when stdin is a pipe */
            batch = 0;
        else {
            if (!bad)
                fprintf(stderr, "ansim init: unknown argument \"%s\"\n", argv[i]);
            fprintf(stderr, "usage: ansim init [-o FILE] [--force] [--non-interactive|--interactive]\n");
            return EXIT_USAGE;
        }
    }
    if (!force && access(out, F_OK) == 0) {
        fprintf(stderr, "ansim init: %s exists; edit it, or run again with --force to replace it\n", out);
        return EXIT_RUNTIME;
    }
    struct profile p;
    profile_init(&p);
    char err[ERRLEN] = "";
    if (!batch && ask(g, &p, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        profile_free(&p);
        return EXIT_RUNTIME;
    }
    char *text = profile_to_yaml(&p, g->lang == LANG_KO ? "ko" : "en");
    int rc = file_write_atomic(out, text, strlen(text), err, sizeof err);
    free(text);
    if (rc) {
        fprintf(stderr, "ansim init: %s\n", err);
        profile_free(&p);
        return EXIT_RUNTIME;
    }
    /* read back what was written: the summary and its notes come from the file itself */
    if (profile_load_file(&p, out, err, sizeof err)) {
        fprintf(stderr, "ansim init: %s\n", err);
        profile_free(&p);
        return EXIT_RUNTIME;
    }
    const struct profile_param *ar = profile_get(&p, "access_record_days"),
                               *pr = profile_get(&p, "permission_record_days"),
                               *ns = profile_get(&p, "network_separation_required");
    printf(L(g->lang,
             "wrote %s: %s; access records %s days, permission records %s days, network separation %s\n",
             "%s 작성: %s; 접속기록 %s일, 권한 기록 %s일 보관, 망분리 %s\n"),
           out, p.regulation, ar->value, pr->value,
           strcmp(ns->value, "1") == 0 ? L(g->lang, "mandatory", "의무")
                                       : L(g->lang, "not mandatory", "의무 아님"));
    for (size_t i = 0; i < PROFILE_NPARAMS; i++)
        if (p.params[i].note_en && strcmp(p.params[i].key, "permission_record_days") &&
            strcmp(p.params[i].key, "password_rule"))
            printf("  %s\n", L(g->lang, p.params[i].note_en, p.params[i].note_ko));
    profile_free(&p);
    return EXIT_OK;
}
