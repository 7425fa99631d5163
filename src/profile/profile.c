/*
 * profile.c — reading ansim.yaml and deriving the regulation's parameters from it.
 *
 * The derivation follows the two notices (research/korea-regs.md §1.2, §2.1):
 *   access records      pipa-2023: 2 years when the system holds ≥ 50,000 data subjects,
 *                       unique identifiers or sensitive data, or the company is a
 *                       기간통신사업자; else 1 year. pipa-tech-2021: 2 years for a
 *                       기간통신사업자, else 1 year.
 *   permission records  pipa-2023: 3 years; pipa-tech-2021: 5 years.
 *   network separation  pipa-2023 (제6조의2): ≥ 1,000,000 daily users on average;
 *                       pipa-tech-2021 (제4조⑥): the same, or ≥ 10 billion won of
 *                       information-and-communication revenue.
 * A fact that is not known cannot lift a duty: the stricter value applies, with a note.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libfyaml.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "../util/util.h"
#include "profile.h"

/* ---- defaults and cleanup ---- */

static void params_free(struct profile *p)
{
    for (size_t i = 0; i < PROFILE_NPARAMS; i++) {
        free(p->params[i].value);
        free(p->params[i].note_en);
        free(p->params[i].note_ko);
        memset(&p->params[i], 0, sizeof p->params[i]);
    }
}

static void derive(struct profile *p);

void profile_init(struct profile *p)
{
    memset(p, 0, sizeof *p);
    p->regulation = xstrdup("pipa-2023");
    p->data_subjects = p->daily_users = p->ict_revenue_krw = -1;
    p->unique_identifiers = p->sensitive_data = p->telecom_carrier = PROFILE_UNKNOWN;
    p->pii_key = xstrdup("ansim:pii");
    p->pii_value = xstrdup("true");
    p->cidrs = xstrdup("[]");
    p->vpcs = xstrdup("[]");
    p->vpc_endpoints = xstrdup("[]");
    derive(p);
}

void profile_free(struct profile *p)
{
    if (!p)
        return;
    params_free(p);
    free(p->source);
    free(p->regulation);
    free(p->pii_key);
    free(p->pii_value);
    free(p->cidrs);
    free(p->vpcs);
    free(p->vpc_endpoints);
    free(p->baseline);
    memset(p, 0, sizeof *p);
}

/* ---- derivation ---- */

static void set(struct profile *p, size_t i, const char *key, char *value, char *en, char *ko)
{
    p->params[i].key = key;
    p->params[i].value = value;
    p->params[i].note_en = en;
    p->params[i].note_ko = ko;
}

/* "the number of data subjects, whether unique identifiers are stored" from the unknown
 * facts named in names[] (NULL-terminated, some NULL-skipped by flags). */
static char *join(const char *const *names, const int *unknown, size_t n, const char *sep)
{
    struct strbuf sb;
    sb_init(&sb);
    for (size_t i = 0; i < n; i++)
        if (unknown[i])
            sb_printf(&sb, "%s%s", sb.len ? sep : "", names[i]);
    return sb_detach(&sb);
}

static const char *where(const struct profile *p) { return p->source ? p->source : "no " PROFILE_FILE; }

static void derive_access(struct profile *p, size_t i)
{
    int tech = strcmp(p->regulation, "pipa-tech-2021") == 0;
    int yes, unknown[4];
    static const char *const en[] = {"the number of data subjects", "whether unique identifiers are stored",
                                     "whether sensitive data is stored",
                                     "whether the company is a 기간통신사업자"};
    static const char *const ko[] = {"정보주체 수", "고유식별정보 처리 여부", "민감정보 처리 여부",
                                     "기간통신사업자 여부"};
    if (tech) {
        yes = p->telecom_carrier == PROFILE_YES;
        unknown[0] = unknown[1] = unknown[2] = 0;
        unknown[3] = p->telecom_carrier == PROFILE_UNKNOWN;
    } else {
        yes = p->data_subjects >= 50000 || p->unique_identifiers == PROFILE_YES ||
              p->sensitive_data == PROFILE_YES || p->telecom_carrier == PROFILE_YES;
        unknown[0] = p->data_subjects < 0;
        unknown[1] = p->unique_identifiers == PROFILE_UNKNOWN;
        unknown[2] = p->sensitive_data == PROFILE_UNKNOWN;
        unknown[3] = p->telecom_carrier == PROFILE_UNKNOWN;
    }
    int any_unknown = unknown[0] || unknown[1] || unknown[2] || unknown[3];
    char *ne = NULL, *nk = NULL;
    if (!yes && any_unknown) {
        char *u = join(en, unknown, 4, ", "), *k = join(ko, unknown, 4, ", ");
        ne = xasprintf("The organisation profile (%s) does not say %s, so the stricter 2-year access-record "
                       "retention is applied.",
                       where(p), u);
        nk = xasprintf("조직 프로필(%s)에 %s이(가) 없어 더 엄격한 접속기록 보관 기간 2년을 적용했습니다.",
                       p->source ? p->source : PROFILE_FILE " 없음", k);
        free(u);
        free(k);
    }
    set(p, i, "access_record_days", xstrdup(yes || any_unknown ? "730" : "365"), ne, nk);
}

static void derive_separation(struct profile *p, size_t i)
{
    int tech = strcmp(p->regulation, "pipa-tech-2021") == 0;
    int yes = p->daily_users >= 1000000 || (tech && p->ict_revenue_krw >= 10000000000LL);
    int unknown = p->daily_users < 0 || (tech && p->ict_revenue_krw < 0);
    char *ne = NULL, *nk = NULL;
    if (!yes && unknown) {
        ne = xasprintf("The organisation profile (%s) does not give %s, so network separation is treated as "
                       "mandatory (the stricter reading).",
                       where(p),
                       tech ? "the daily users and the information-and-communication revenue"
                            : "the daily users");
        nk = xasprintf("조직 프로필(%s)에 %s이(가) 없어 망분리를 의무로 보았습니다(더 엄격한 해석).",
                       p->source ? p->source : PROFILE_FILE " 없음",
                       tech ? "일평균 이용자 수와 정보통신서비스 매출액" : "일평균 이용자 수");
    }
    set(p, i, "network_separation_required", xstrdup(yes || unknown ? "1" : "0"), ne, nk);
}

static char *num_or_empty(long long v) { return v < 0 ? xstrdup("") : xasprintf("%lld", v); }

static void derive(struct profile *p)
{
    params_free(p);
    int tech = strcmp(p->regulation, "pipa-tech-2021") == 0;
    char *ne = NULL, *nk = NULL;
    if (!p->regulation_set) {
        ne = xasprintf("The organisation profile (%s) names no regulation, so the default pipa-2023 applies.",
                       where(p));
        nk = xasprintf("조직 프로필(%s)에 적용 기준이 없어 기본값 pipa-2023을 적용했습니다.",
                       p->source ? p->source : PROFILE_FILE " 없음");
    }
    size_t i = 0;
    set(p, i++, "regulation", xstrdup(p->regulation), ne, nk);
    set(p, i++, "permission_record_days", xstrdup(tech ? "1825" : "1095"), ne ? xstrdup(ne) : NULL,
        nk ? xstrdup(nk) : NULL);
    set(p, i++, "password_rule", xstrdup(p->regulation), ne ? xstrdup(ne) : NULL, nk ? xstrdup(nk) : NULL);
    derive_access(p, i++);
    derive_separation(p, i++);
    set(p, i++, "data_subjects", num_or_empty(p->data_subjects), NULL, NULL);
    set(p, i++, "daily_users", num_or_empty(p->daily_users), NULL, NULL);
    set(p, i++, "pii_tag_key", xstrdup(p->pii_key), NULL, NULL);
    set(p, i++, "pii_tag_value", xstrdup(p->pii_value), NULL, NULL);
    set(p, i++, "separated_cidrs", xstrdup(p->cidrs), NULL, NULL);
    set(p, i++, "separated_vpcs", xstrdup(p->vpcs), NULL, NULL);
    set(p, i++, "separated_vpc_endpoints", xstrdup(p->vpc_endpoints), NULL, NULL);
}

const struct profile_param *profile_get(const struct profile *p, const char *key)
{
    for (size_t i = 0; key && i < PROFILE_NPARAMS; i++)
        if (p->params[i].key && strcmp(p->params[i].key, key) == 0)
            return &p->params[i];
    return NULL;
}

/* ---- reading ---- */

struct pctx {
    const char *name;
    char *err;
    size_t errlen;
};

static int pfail(struct pctx *c, struct fy_node *n, const char *key, const char *what)
{
    int line = yaml_line(n);
    if (line)
        snprintf(c->err, c->errlen, "%s:%d: %s: %s", c->name, line, key, what);
    else
        snprintf(c->err, c->errlen, "%s: %s: %s", c->name, key, what);
    return -1;
}

/* The scalar text of n (not NUL-terminated: *len), or NULL when n is not a scalar. */
static const char *scalar(struct fy_node *n, size_t *len)
{
    if (!n || !fy_node_is_scalar(n))
        return NULL;
    const char *s = fy_node_get_scalar(n, len);
    return s && !memchr(s, '\0', *len) ? s : NULL;
}

static int is(const char *s, size_t len, const char *word)
{
    return strlen(word) == len && !strncmp(s, word, len);
}

static int read_count(struct pctx *c, struct fy_node *n, const char *key, long long *out)
{
    size_t len;
    const char *s = scalar(n, &len);
    if (s && (is(s, len, "unknown") || is(s, len, "~") || is(s, len, "null") || len == 0)) {
        *out = -1;
        return 0;
    }
    long long v = 0;
    size_t digits = 0;
    for (size_t i = 0; s && i < len; i++) {
        if (s[i] == '_' || s[i] == ',')
            continue;
        if (s[i] < '0' || s[i] > '9' || v > (9000000000000000000LL - 9) / 10)
            return pfail(c, n, key, "must be a whole number (e.g. 120000) or `unknown`");
        v = v * 10 + (s[i] - '0');
        digits++;
    }
    if (!s || !digits)
        return pfail(c, n, key, "must be a whole number (e.g. 120000) or `unknown`");
    *out = v;
    return 0;
}

static int read_tri(struct pctx *c, struct fy_node *n, const char *key, int *out)
{
    size_t len;
    const char *s = scalar(n, &len);
    if (s && (is(s, len, "true") || is(s, len, "yes") || is(s, len, "True")))
        *out = PROFILE_YES;
    else if (s && (is(s, len, "false") || is(s, len, "no") || is(s, len, "False")))
        *out = PROFILE_NO;
    else if (s && (is(s, len, "unknown") || is(s, len, "~") || is(s, len, "null") || len == 0))
        *out = PROFILE_UNKNOWN;
    else
        return pfail(c, n, key, "must be true, false or `unknown`");
    return 0;
}

static int valid_cidr(const char *s)
{
    const char *slash = strchr(s, '/');
    if (!slash || slash == s || strlen(slash + 1) == 0 || strlen(slash + 1) > 3)
        return 0;
    char addr[64];
    size_t n = (size_t)(slash - s);
    if (n >= sizeof addr)
        return 0;
    memcpy(addr, s, n);
    addr[n] = '\0';
    int bits = 0;
    for (const char *d = slash + 1; *d; d++) {
        if (*d < '0' || *d > '9')
            return 0;
        bits = bits * 10 + (*d - '0');
    }
    unsigned char buf[16];
    if (inet_pton(AF_INET, addr, buf) == 1)
        return bits <= 32;
    if (inet_pton(AF_INET6, addr, buf) == 1)
        return bits <= 128;
    return 0;
}

static int valid_id(const char *s, const char *prefix)
{
    size_t n = strlen(prefix);
    if (strncmp(s, prefix, n) != 0 || !s[n])
        return 0;
    for (s += n; *s; s++)
        if (!((*s >= 'a' && *s <= 'f') || (*s >= '0' && *s <= '9')))
            return 0;
    return 1;
}

/* A list of strings, each checked by kind ('c' CIDR, 'v' vpc-, 'e' vpce-), as a JSON array. */
static int read_list(struct pctx *c, struct fy_node *n, const char *key, int kind, char **out)
{
    if (!n || (fy_node_is_scalar(n) && fy_node_get_scalar_length(n) == 0)) {
        free(*out);
        *out = xstrdup("[]");
        return 0;
    }
    if (!fy_node_is_sequence(n))
        return pfail(c, n, key, "must be a list, e.g. [10.10.0.0/16]");
    json_t *arr = json_array();
    void *it = NULL;
    struct fy_node *e;
    while ((e = fy_node_sequence_iterate(n, &it))) {
        size_t len;
        const char *s = scalar(e, &len);
        char *v = s ? xstrndup(s, len) : NULL;
        const char *what = kind == 'c'   ? "is not a CIDR block (e.g. 10.10.0.0/16)"
                           : kind == 'v' ? "is not a VPC id (vpc-...)"
                                         : "is not a VPC endpoint id (vpce-...)";
        int good = v && (kind == 'c' ? valid_cidr(v) : valid_id(v, kind == 'v' ? "vpc-" : "vpce-"));
        if (!good) {
            char *msg = xasprintf("`%s` %s", v ? v : "(not text)", what);
            pfail(c, e, key, msg);
            free(msg);
            free(v);
            json_decref(arr);
            return -1;
        }
        json_array_append_new(arr, json_string(v));
        free(v);
    }
    free(*out);
    *out = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    return 0;
}

static int read_network(struct pctx *c, struct fy_node *n, struct profile *p)
{
    if (!n || (fy_node_is_scalar(n) && fy_node_get_scalar_length(n) == 0))
        return 0;
    if (!fy_node_is_mapping(n))
        return pfail(c, n, "separated_network", "must be a mapping with cidrs, vpcs and vpc_endpoints");
    void *it = NULL;
    struct fy_node_pair *kv;
    while ((kv = fy_node_mapping_iterate(n, &it))) {
        size_t len;
        const char *k = scalar(fy_node_pair_key(kv), &len);
        struct fy_node *v = fy_node_pair_value(kv);
        int rc;
        if (k && is(k, len, "cidrs"))
            rc = read_list(c, v, "separated_network.cidrs", 'c', &p->cidrs);
        else if (k && is(k, len, "vpcs"))
            rc = read_list(c, v, "separated_network.vpcs", 'v', &p->vpcs);
        else if (k && is(k, len, "vpc_endpoints"))
            rc = read_list(c, v, "separated_network.vpc_endpoints", 'e', &p->vpc_endpoints);
        else {
            char *key = k ? xstrndup(k, len) : xstrdup("?");
            char *msg = xasprintf("separated_network.%s", key);
            rc = pfail(c, fy_node_pair_key(kv), msg, "unknown key (expected cidrs, vpcs, vpc_endpoints)");
            free(msg);
            free(key);
        }
        if (rc)
            return -1;
    }
    return 0;
}

static int read_pii_tag(struct pctx *c, struct fy_node *n, struct profile *p)
{
    size_t len;
    const char *s = scalar(n, &len);
    const char *eq = s ? memchr(s, '=', len) : NULL;
    if (!eq || eq == s || eq == s + len - 1 || len > 256)
        return pfail(c, n, "pii_tag", "must be KEY=VALUE, e.g. ansim:pii=true");
    free(p->pii_key);
    free(p->pii_value);
    p->pii_key = xstrndup(s, (size_t)(eq - s));
    p->pii_value = xstrndup(eq + 1, len - (size_t)(eq - s) - 1);
    return 0;
}

/* baseline: a mapping of parameter name -> text or list of texts, kept as a JSON object;
 * `ansim baseline` checks the names against its parameters. */
static int read_baseline(struct pctx *c, struct fy_node *n, struct profile *p)
{
    if (!n || (fy_node_is_scalar(n) && fy_node_get_scalar_length(n) == 0))
        return 0;
    if (!fy_node_is_mapping(n))
        return pfail(c, n, "baseline",
                     "must be a mapping of parameter names to values (see docs/baseline.md)");
    json_t *obj = json_object();
    void *it = NULL;
    struct fy_node_pair *kv;
    while ((kv = fy_node_mapping_iterate(n, &it))) {
        size_t len, vl;
        const char *k = scalar(fy_node_pair_key(kv), &len);
        struct fy_node *v = fy_node_pair_value(kv);
        char *key = k ? xstrndup(k, len) : NULL;
        json_t *val = NULL;
        const char *s = scalar(v, &vl);
        if (s) {
            val = json_stringn(s, vl);
        } else if (v && fy_node_is_sequence(v)) {
            val = json_array();
            void *it2 = NULL;
            struct fy_node *e;
            while ((e = fy_node_sequence_iterate(v, &it2))) {
                const char *es = scalar(e, &vl);
                if (!es) {
                    json_decref(val);
                    val = NULL;
                    break;
                }
                json_array_append_new(val, json_stringn(es, vl));
            }
        }
        if (!key || !val) {
            char *msg = xasprintf("baseline.%s", key ? key : "?");
            int rc = pfail(c, v ? v : fy_node_pair_key(kv), msg, "must be a text value or a list of them");
            free(msg);
            free(key);
            json_decref(val);
            json_decref(obj);
            return rc;
        }
        json_object_set_new(obj, key, val);
        free(key);
    }
    free(p->baseline);
    p->baseline = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    return 0;
}

static int read_root(struct pctx *c, struct fy_node *root, struct profile *p)
{
    if (!root || (fy_node_is_scalar(root) && fy_node_get_scalar_length(root) == 0))
        return 0; /* an empty file: every fact unknown */
    if (!fy_node_is_mapping(root))
        return pfail(c, root, "(document)", "expected a mapping of profile keys (see `ansim init`)");
    void *it = NULL;
    struct fy_node_pair *kv;
    while ((kv = fy_node_mapping_iterate(root, &it))) {
        size_t len;
        const char *k = scalar(fy_node_pair_key(kv), &len);
        struct fy_node *v = fy_node_pair_value(kv);
        int rc = 0;
        if (k && is(k, len, "regulation")) {
            size_t vl;
            const char *s = scalar(v, &vl);
            if (!s || !(is(s, vl, "pipa-2023") || is(s, vl, "pipa-tech-2021")))
                rc = pfail(c, v, "regulation", "must be pipa-2023 or pipa-tech-2021");
            else {
                free(p->regulation);
                p->regulation = xstrndup(s, vl);
                p->regulation_set = 1;
            }
        } else if (k && is(k, len, "data_subjects"))
            rc = read_count(c, v, "data_subjects", &p->data_subjects);
        else if (k && is(k, len, "daily_users"))
            rc = read_count(c, v, "daily_users", &p->daily_users);
        else if (k && is(k, len, "ict_revenue_krw"))
            rc = read_count(c, v, "ict_revenue_krw", &p->ict_revenue_krw);
        else if (k && is(k, len, "unique_identifiers"))
            rc = read_tri(c, v, "unique_identifiers", &p->unique_identifiers);
        else if (k && is(k, len, "sensitive_data"))
            rc = read_tri(c, v, "sensitive_data", &p->sensitive_data);
        else if (k && is(k, len, "telecom_carrier"))
            rc = read_tri(c, v, "telecom_carrier", &p->telecom_carrier);
        else if (k && is(k, len, "pii_tag"))
            rc = read_pii_tag(c, v, p);
        else if (k && is(k, len, "separated_network"))
            rc = read_network(c, v, p);
        else if (k && is(k, len, "baseline"))
            rc = read_baseline(c, v, p);
        else {
            char *key = k ? xstrndup(k, len) : xstrdup("?");
            rc = pfail(c, fy_node_pair_key(kv), key,
                       "unknown key (expected regulation, data_subjects, daily_users, ict_revenue_krw, "
                       "unique_identifiers, sensitive_data, telecom_carrier, pii_tag, separated_network, "
                       "baseline)");
            free(key);
        }
        if (rc)
            return -1;
    }
    return 0;
}

/* Nothing but blank lines and comments (libfyaml builds no document from that). */
static int blank(const char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r'))
            i++;
        if (i < len && buf[i] != '\n' && buf[i] != '#')
            return 0;
        while (i < len && buf[i] != '\n')
            i++;
    }
    return 1;
}

int profile_load_buf(struct profile *p, const char *name, const char *buf, size_t len, char *err,
                     size_t errlen)
{
    struct fy_document *doc = NULL;
    if (!blank(buf, len) && !(doc = yaml_parse(name, buf, len, err, errlen)))
        return -1;
    struct profile q;
    profile_init(&q);
    struct pctx c = {name, err, errlen};
    int rc = doc ? read_root(&c, fy_document_root(doc), &q) : 0;
    fy_document_destroy(doc);
    if (rc) {
        profile_free(&q);
        return -1;
    }
    q.source = xstrdup(name);
    derive(&q);
    profile_free(p);
    *p = q;
    return 0;
}

int profile_load_file(struct profile *p, const char *path, char *err, size_t errlen)
{
    size_t len;
    char ferr[ERRLEN] = "";
    char *buf = file_read(path, &len, ferr, sizeof ferr);
    if (!buf) {
        snprintf(err, errlen, "organisation profile: %s", ferr);
        return -1;
    }
    int rc = profile_load_buf(p, path, buf, len, err, errlen);
    free(buf);
    return rc;
}

int profile_load_default(struct profile *p, const char *path, char *err, size_t errlen)
{
    if (path)
        return profile_load_file(p, path, err, errlen);
    if (access(PROFILE_FILE, F_OK) == 0)
        return profile_load_file(p, PROFILE_FILE, err, errlen);
    return 0;
}

/* ---- writing (ansim init) ---- */

static void put_count(struct strbuf *sb, const char *key, long long v, const char *comment)
{
    if (v < 0)
        sb_printf(sb, "%s: unknown    # %s\n", key, comment);
    else
        sb_printf(sb, "%s: %lld    # %s\n", key, v, comment);
}

static void put_tri(struct strbuf *sb, const char *key, int v, const char *comment)
{
    sb_printf(sb, "%s: %s    # %s\n", key,
              v == PROFILE_YES  ? "true"
              : v == PROFILE_NO ? "false"
                                : "unknown",
              comment);
}

static void put_list(struct strbuf *sb, const char *key, const char *json, const char *comment)
{
    sb_printf(sb, "  %s: %s    # %s\n", key, json, comment);
}

char *profile_to_yaml(const struct profile *p, const char *lang)
{
    int ko = lang && strcmp(lang, "ko") == 0;
    struct strbuf sb;
    sb_init(&sb);
    sb_puts(
        &sb,
        ko ? "# ansim 조직 프로필: AWS에서 알 수 없는 사실로, 적용할 기준과 보관 기간 등을 정합니다.\n"
             "# 모르는 값은 unknown으로 두면 더 엄격한 기준이 적용되고 점검 결과에 그 사실이 표시됩니다.\n"
           : "# ansim organisation profile: facts AWS cannot tell ansim, which decide the rules that apply.\n"
             "# Leave a fact `unknown` and the stricter rule applies; findings then say so.\n");
    sb_printf(&sb, "regulation: %s    # %s\n", p->regulation,
              ko ? "pipa-2023 (개인정보의 안전성 확보조치 기준, 2025 개정 포함) 또는 pipa-tech-2021"
                 : "pipa-2023 (the 2023 safety-measures notice, as amended in 2025) or pipa-tech-2021");
    put_count(&sb, "data_subjects", p->data_subjects,
              ko ? "개인정보처리시스템의 정보주체 수 (5만 명 이상이면 접속기록 2년)"
                 : "data subjects in the processing system (50,000 or more: 2-year access records)");
    put_count(&sb, "daily_users", p->daily_users,
              ko ? "전년도 말 직전 3개월 일평균 이용자 수 (100만 명 이상이면 망분리 의무)"
                 : "average daily users over the last 3 months of last year (1,000,000 or more: network "
                   "separation is mandatory)");
    put_count(&sb, "ict_revenue_krw", p->ict_revenue_krw,
              ko ? "정보통신서비스 부문 전년도 매출액(원), pipa-tech-2021에서만 사용"
                 : "last year's information-and-communication revenue in won (pipa-tech-2021 only)");
    put_tri(&sb, "unique_identifiers", p->unique_identifiers,
            ko ? "고유식별정보(주민등록번호 등)를 처리하는지"
               : "unique identifiers (resident numbers, ...) are stored");
    put_tri(&sb, "sensitive_data", p->sensitive_data,
            ko ? "민감정보(건강, 생체인식 등)를 처리하는지"
               : "sensitive data (health, biometrics, ...) is stored");
    put_tri(&sb, "telecom_carrier", p->telecom_carrier,
            ko ? "기간통신사업자인지" : "the company is a 기간통신사업자");
    sb_puts(&sb, "pii_tag: \"");
    for (const char *parts[] = {p->pii_key, "=", p->pii_value}, **q = parts; q < parts + 3; q++)
        for (const char *c = *q; *c; c++) {
            if (*c == '"' || *c == '\\')
                sb_putc(&sb, '\\');
            sb_putc(&sb, *c);
        }
    sb_printf(&sb, "\"    # %s\n",
              ko ? "개인정보를 담은 자원에 붙이는 태그"
                 : "the tag that marks resources holding personal data");
    sb_puts(&sb, ko ? "separated_network:    # 분리된 망(개인정보취급자 PC가 쓰는 망)\n"
                    : "separated_network:    # the separated network personal-data handlers work from\n");
    put_list(&sb, "cidrs", p->cidrs,
             ko ? "공인 IP 대역 (aws:SourceIp)" : "public address ranges (aws:SourceIp)");
    put_list(&sb, "vpcs", p->vpcs, ko ? "VPC ID (aws:SourceVpc)" : "VPC ids (aws:SourceVpc)");
    put_list(&sb, "vpc_endpoints", p->vpc_endpoints,
             ko ? "VPC 엔드포인트 ID (aws:SourceVpce)" : "VPC endpoint ids (aws:SourceVpce)");
    return sb_detach(&sb);
}
