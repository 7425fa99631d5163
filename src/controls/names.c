/* names.c — names and bilingual labels of statuses, severities and areas. */
#include <string.h>

#include "controls.h"

static const char *const status_names[ST__COUNT] = {"pass", "fail", "error", "manual", "not_applicable"};
static const char *const status_en[ST__COUNT] = {"Pass", "Fail", "Error", "Manual", "N/A"};
static const char *const status_ko[ST__COUNT] = {"통과", "실패", "오류", "수동 확인", "해당 없음"};

static const char *const sev_names[SEV__COUNT] = {"critical", "high", "medium", "low", "info"};
static const char *const sev_en[SEV__COUNT] = {"Critical", "High", "Medium", "Low", "Info"};
static const char *const sev_ko[SEV__COUNT] = {"긴급", "높음", "보통", "낮음", "정보"};
static const int sev_weights[SEV__COUNT] = {10, 5, 3, 1, 0};

static const char *const area_names[AREA__COUNT] = {"iam", "detection", "infrastructure", "data_protection",
                                                    "incident_response"};
static const char *const area_en[AREA__COUNT] = {"Identity and access management", "Detection",
                                                 "Infrastructure protection", "Data protection",
                                                 "Incident response"};
static const char *const area_ko[AREA__COUNT] = {"계정 및 권한 관리", "탐지 통제", "인프라 보호",
                                                 "데이터 보호", "사고 대응"};

const char *status_name(enum status s) { return s < ST__COUNT ? status_names[s] : "?"; }
const char *status_label(enum status s, enum lang l)
{
    return s < ST__COUNT ? (l == LANG_KO ? status_ko[s] : status_en[s]) : "?";
}
const char *severity_name(enum severity s) { return s < SEV__COUNT ? sev_names[s] : "?"; }
const char *severity_label(enum severity s, enum lang l)
{
    return s < SEV__COUNT ? (l == LANG_KO ? sev_ko[s] : sev_en[s]) : "?";
}
const char *area_name(enum area a) { return a < AREA__COUNT ? area_names[a] : "?"; }
const char *area_label(enum area a, enum lang l)
{
    return a < AREA__COUNT ? (l == LANG_KO ? area_ko[a] : area_en[a]) : "?";
}
int severity_weight(enum severity s) { return s < SEV__COUNT ? sev_weights[s] : 0; }

int severity_parse(const char *s, enum severity *out)
{
    for (int i = 0; i < SEV__COUNT; i++) {
        if (strcmp(s, sev_names[i]) == 0) {
            *out = (enum severity)i;
            return 0;
        }
    }
    return -1;
}
