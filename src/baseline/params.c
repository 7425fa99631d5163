/*
 * params.c — the parameters a baseline model's fragments may use, and their values.
 *
 * Each parameter has one spelling per format (CloudFormation Name, Terraform name, shell
 * NAME) so that a fragment reads naturally in its own language (`!Ref NotificationEmail`,
 * `var.notification_email`, `"$NOTIFICATION_EMAIL"`). The emitter declares the parameters a
 * fragment mentions, with the default taken from --set / the organisation profile; a
 * parameter with no default must be given when the code is deployed (the CloudFormation
 * parameter has no Default, the Terraform variable none, the script stops with a message).
 */
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "baseline.h"

const struct bl_param bl_params[] = {
    {"Regions", "regions", "REGIONS", "list", "Regions the regional services are turned on in",
     "지역 서비스를 켤 리전"},
    {"NotificationEmail", "notification_email", "NOTIFICATION_EMAIL", "string",
     "E-mail address that receives security alerts (GuardDuty, alarms, budget)",
     "보안 경보(GuardDuty, 경보, 예산)를 받을 이메일 주소"},
    {"LogRetentionDays", "log_retention_days", "LOG_RETENTION_DAYS", "number",
     "Days audit logs are kept (access records and permission-change records; from the organisation profile)",
     "감사 로그 보관 일수(접속기록·권한 변경 기록, 조직 프로필 기준)"},
    {"VpcCidr", "vpc_cidr", "VPC_CIDR", "string", "CIDR block of the VPC the model creates",
     "모델이 만드는 VPC의 CIDR"},
    {"PrivateSubnetACidr", "private_subnet_a_cidr", "PRIVATE_SUBNET_A_CIDR", "string",
     "CIDR of the first private subnet", "첫 번째 프라이빗 서브넷 CIDR"},
    {"PrivateSubnetBCidr", "private_subnet_b_cidr", "PRIVATE_SUBNET_B_CIDR", "string",
     "CIDR of the second private subnet (another availability zone)",
     "두 번째 프라이빗 서브넷 CIDR(다른 가용 영역)"},
    {"FirewallSubnetCidr", "firewall_subnet_cidr", "FIREWALL_SUBNET_CIDR", "string",
     "CIDR of the subnet that holds the egress firewall endpoint", "송신 방화벽 엔드포인트 서브넷 CIDR"},
    {"PublicSubnetCidr", "public_subnet_cidr", "PUBLIC_SUBNET_CIDR", "string",
     "CIDR of the public subnet that holds only the NAT gateway", "NAT 게이트웨이만 두는 퍼블릭 서브넷 CIDR"},
    {"AllowedUpdateDomains", "allowed_update_domains", "ALLOWED_UPDATE_DOMAINS", "list",
     "Domains the separated network may reach for software updates (all else is denied)",
     "분리된 망에서 업데이트를 위해 접근할 수 있는 도메인(나머지는 차단)"},
    {"IdpMetadataDocument", "idp_metadata_file", "IDP_METADATA_FILE", "string",
     "SAML 2.0 metadata of the identity provider (CloudFormation: the XML; Terraform and cli: a file path)",
     "SAML 2.0 IdP 메타데이터(CloudFormation은 XML 본문, Terraform·cli는 파일 경로)"},
    {"IdpName", "idp_name", "IDP_NAME", "string", "Name of the SAML identity provider in IAM",
     "IAM에 등록할 SAML IdP 이름"},
    {"SeparatedCidrs", "separated_cidrs", "SEPARATED_CIDRS", "list",
     "Public CIDRs of the separated network (aws:SourceIp; from the organisation profile)",
     "분리된 망의 공인 CIDR(aws:SourceIp, 조직 프로필 기준)"},
    {"SeparatedVpcs", "separated_vpcs", "SEPARATED_VPCS", "list",
     "VPC ids of the separated network (aws:SourceVpc; from the organisation profile)",
     "분리된 망의 VPC ID(aws:SourceVpc, 조직 프로필 기준)"},
    {"PiiTagKey", "pii_tag_key", "PII_TAG_KEY", "string", "Tag key that marks personal data",
     "개인정보 리소스 태그 키"},
    {"PiiTagValue", "pii_tag_value", "PII_TAG_VALUE", "string", "Tag value that marks personal data",
     "개인정보 리소스 태그 값"},
    {"SecurityAccountId", "security_account_id", "SECURITY_ACCOUNT_ID", "string",
     "Account id of the shared security account (shared model)", "공통 보안 계정 ID(공통 보안 모델)"},
    {"ServiceAccountIds", "service_account_ids", "SERVICE_ACCOUNT_IDS", "list",
     "Account ids of the service accounts that send their logs to the security account",
     "보안 계정으로 로그를 보내는 서비스 계정 ID"},
    {"SecurityVpcCidr", "security_vpc_cidr", "SECURITY_VPC_CIDR", "string",
     "CIDR of the security account's VPC (shared model)", "보안 계정 VPC CIDR(공통 보안 모델)"},
    {"TransitGatewayId", "transit_gateway_id", "TRANSIT_GATEWAY_ID", "string",
     "Transit Gateway shared from the security account (service account side)",
     "보안 계정이 공유한 Transit Gateway ID(서비스 계정 측)"},
    {"MonthlyBudgetUsd", "monthly_budget_usd", "MONTHLY_BUDGET_USD", "number",
     "Monthly cost budget in USD that alerts at 80 % and 100 %", "80 %·100 % 도달 시 알리는 월 예산(USD)"},
    {"SecurityContactName", "security_contact_name", "SECURITY_CONTACT_NAME", "string",
     "Name of the account's security contact", "계정 보안 연락 담당자 이름"},
    {"SecurityContactPhone", "security_contact_phone", "SECURITY_CONTACT_PHONE", "string",
     "Phone number of the account's security contact", "계정 보안 연락 담당자 전화번호"},
    {"AllowedCountries", "allowed_countries", "ALLOWED_COUNTRIES", "list",
     "Countries (ISO 3166 alpha-2) the web front end serves; others are blocked",
     "웹 서비스를 허용할 국가(ISO 3166 alpha-2), 나머지 차단"},
};
const size_t bl_nparams = sizeof bl_params / sizeof bl_params[0];

void bl_values_set(struct bl_values *v, const char *name, const char *value)
{
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->names[i], name) == 0) {
            free(v->values[i]);
            v->values[i] = xstrdup(value);
            return;
        }
    v->names = xrealloc(v->names, (v->n + 1) * sizeof *v->names);
    v->values = xrealloc(v->values, (v->n + 1) * sizeof *v->values);
    v->names[v->n] = xstrdup(name);
    v->values[v->n] = xstrdup(value);
    v->n++;
}

const char *bl_values_get(const struct bl_values *v, const char *name)
{
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->names[i], name) == 0)
            return v->values[i];
    return NULL;
}

void bl_values_free(struct bl_values *v)
{
    for (size_t i = 0; i < v->n; i++) {
        free(v->names[i]);
        free(v->values[i]);
    }
    free(v->names);
    free(v->values);
    memset(v, 0, sizeof *v);
}
