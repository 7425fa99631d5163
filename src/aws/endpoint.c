/*
 * endpoint.c — where a call goes: the partition of a region, the standard endpoint of a
 * service in a region (global services — IAM, Organizations — in their partition's home
 * region), and the
 * overrides the AWS CLI honours: --endpoint-url, AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL
 * (both ignored when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "aws.h"
#include "shapes.h"

struct partition {
    const char *prefix, *name, *suffix, *iam_host, *iam_region, *org_region;
};

/* The partitions by region prefix (botocore's endpoints data); "aws" for everything else. */
static const struct partition partitions[] = {
    {"cn-", "aws-cn", "amazonaws.com.cn", "iam.cn-north-1.amazonaws.com.cn", "cn-north-1", "cn-northwest-1"},
    {"us-gov-", "aws-us-gov", "amazonaws.com", "iam.us-gov.amazonaws.com", "us-gov-west-1", "us-gov-west-1"},
    {"us-isob-", "aws-iso-b", "sc2s.sgov.gov", "iam.us-isob-east-1.sc2s.sgov.gov", "us-isob-east-1",
     "us-isob-east-1"},
    {"us-iso-", "aws-iso", "c2s.ic.gov", "iam.us-iso-east-1.c2s.ic.gov", "us-iso-east-1", "us-iso-east-1"},
};
static const struct partition standard = {"",          "aws",      "amazonaws.com", "iam.amazonaws.com",
                                          "us-east-1", "us-east-1"};

static const struct partition *partition_of(const char *region)
{
    for (size_t i = 0; region && i < sizeof partitions / sizeof *partitions; i++)
        if (strncmp(region, partitions[i].prefix, strlen(partitions[i].prefix)) == 0)
            return &partitions[i];
    return &standard;
}

const char *aws_partition(const char *region) { return partition_of(region)->name; }

int aws_valid_label(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return 0;
    return 1;
}

/* AWS_ENDPOINT_URL_<SERVICE ID>: the service id upper-cased, spaces as '_' ("S3_CONTROL",
 * "CLOUDWATCH_LOGS", "ELASTIC_LOAD_BALANCING_V2"). */
static const char *env_override(const char *service)
{
    const char *ignore = getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
    if (ignore && strcasecmp(ignore, "true") == 0)
        return NULL;
    char name[96] = "AWS_ENDPOINT_URL_";
    const struct aws_service *svc = aws_find_service(service);
    const char *id = svc ? svc->service_id : service;
    size_t n = strlen(name);
    for (; *id && n + 1 < sizeof name; id++)
        name[n++] = *id == '-' || *id == ' ' ? '_' : (char)toupper((unsigned char)*id);
    name[n] = '\0';
    const char *v = getenv(name);
    if (v && *v)
        return v;
    v = getenv("AWS_ENDPOINT_URL");
    return v && *v ? v : NULL;
}

const struct aws_service *aws_find_service(const char *service)
{
    for (size_t i = 0; i < aws_nservices; i++)
        if (strcmp(aws_services[i].service, service) == 0)
            return &aws_services[i];
    return NULL;
}

static int listed(const char *list, const char *region)
{
    char word[80];
    if (strlen(region) + 3 > sizeof word)
        return 0;
    snprintf(word, sizeof word, " %s ", region);
    return strstr(list, word) != NULL;
}

int aws_service_in_region(const char *service, const char *region)
{
    const struct aws_service *svc = aws_find_service(service);
    if (!svc || !svc->regions || !region)
        return 1;
    /* only what botocore knows can be ruled out: a newer region may offer it */
    return listed(svc->regions, region) || !listed(aws_known_regions, region);
}

char *aws_endpoint(const struct aws_client *c, const char *service, const char *region,
                   const char **sign_region, int *custom)
{
    const struct partition *p = partition_of(region);
    const struct aws_service *svc = aws_find_service(service);
    int iam = strcmp(service, "iam") == 0, org = strcmp(service, "organizations") == 0;
    /* other global services (Budgets, Cost Explorer, CloudFront, Account) are signed for
     * and reached in the partition's home region */
    int global = !iam && !org && svc && svc->global_host;
    *sign_region = iam || global ? p->iam_region : org ? p->org_region : region;
    const char *url = c->endpoint_url && *c->endpoint_url ? c->endpoint_url : env_override(service);
    *custom = url != NULL;
    if (url) {
        size_t n = strlen(url);
        return xstrndup(url, n && url[n - 1] == '/' ? n - 1 : n);
    }
    if (iam)
        return xasprintf("https://%s", p->iam_host);
    if (org) /* global too: one regional endpoint per partition */
        return xasprintf("https://organizations.%s.%s", p->org_region, p->suffix);
    if (strcmp(service, "s3control") == 0) /* the account id is prefixed by the caller */
        return xasprintf("https://s3-control.%s.%s", region, p->suffix);
    const char *prefix = svc ? svc->endpoint_prefix : service;
    if (global)
        return p == &standard ? xasprintf("https://%s", svc->global_host)
                              : xasprintf("https://%s.%s.%s", prefix, p->iam_region, p->suffix);
    return xasprintf("https://%s.%s.%s", prefix, region, p->suffix);
}

char *aws_url_host(const char *url)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    return xstrndup(p, strcspn(p, "/?#"));
}
