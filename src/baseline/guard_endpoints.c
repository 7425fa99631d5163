/*
 * guard_endpoints.c — the VPC endpoints of the network-separation guardrails: for every
 * service the deny confines to the separated network, the endpoint that lets its VPCs reach
 * that service's API (S3 and DynamoDB gateways, interface endpoints with private DNS for the
 * others; global services such as IAM have none and are noted), in each separated VPC.
 * Terraform and the cli look up the VPC's subnets and route tables when they run;
 * CloudFormation cannot, and says so.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "baseline.h"
#include "guard_int.h"
#include "render_int.h"

/* ---- guardrail.network_separation_endpoints ---- */

/* How the separated VPC reaches a service's API: 'g' gateway, 'i' interface, 0 none (a
 * global service) ; NULL name: unknown. */
static const char *endpoint_of(const char *svc, char *kind)
{
    static const struct {
        const char *svc, *endpoint;
        char kind;
    } t[] = {{"s3", "s3", 'g'},
             {"dynamodb", "dynamodb", 'g'},
             {"iam", NULL, 0},
             {"kms", "kms", 'i'},
             {"rds", "rds", 'i'},
             {"rds-data", "rds-data", 'i'},
             {"secretsmanager", "secretsmanager", 'i'},
             {"ssm", "ssm", 'i'},
             {"logs", "logs", 'i'},
             {"sqs", "sqs", 'i'},
             {"sns", "sns", 'i'},
             {"kinesis", "kinesis-streams", 'i'},
             {"firehose", "kinesis-firehose", 'i'},
             {"glue", "glue", 'i'},
             {"athena", "athena", 'i'},
             {"redshift", "redshift", 'i'},
             {"redshift-data", "redshift-data", 'i'},
             {"elasticfilesystem", "elasticfilesystem", 'i'},
             {"backup", "backup", 'i'},
             {"ec2", "ec2", 'i'},
             {"lambda", "lambda", 'i'},
             {"ecr", "ecr.api", 'i'},
             {"es", "es", 'i'},
             {"sts", "sts", 'i'}};
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
        if (strcmp(t[i].svc, svc) == 0) {
            *kind = t[i].kind;
            return t[i].endpoint ? t[i].endpoint : "";
        }
    *kind = 0;
    return NULL;
}

/* Comment lines about the services, and the endpoints to make: "g:s3", "i:kms", ... */
static json_t *endpoint_plan(const struct guard *g, json_t *notes)
{
    json_t *plan = json_array(), *svcs = guard_sorted_keys(g->services);
    size_t i;
    json_t *x;
    json_array_foreach(svcs, i, x)
    {
        const char *svc = json_string_value(x);
        char kind, *s;
        const char *ep = endpoint_of(svc, &kind);
        if (ep && kind) {
            s = xasprintf("%c:%s", kind, ep);
            json_array_append_new(plan, json_string(s));
        } else if (ep) {
            s = xasprintf("%s: a global service without VPC endpoints; its calls leave through the "
                          "separated network's egress, whose addresses must be in separated_network.cidrs.",
                          svc);
            json_array_append_new(notes, json_string(s));
        } else {
            s = xasprintf("%s: no VPC endpoint known to ansim; check whether the service offers one.", svc);
            json_array_append_new(notes, json_string(s));
        }
        free(s);
    }
    json_decref(svcs);
    return plan;
}

static char *endpoints_tf(const struct guard *g, const json_t *plan, const json_t *notes)
{
    struct strbuf sb;
    sb_init(&sb);
    sb_puts(&sb,
            "# VPC endpoints so the separated VPCs reach the APIs the guardrail confines to them (in the\n"
            "# default provider's region). An endpoint the VPC already has for a service conflicts:\n"
            "# import it (terraform import) or drop that block. Interface endpoints need the VPC's DNS\n"
            "# support and DNS hostnames on, and accept HTTPS only from the VPC's own range.\n");
    guard_comments(&sb, notes, "");
    json_t *used = json_object(), *svc_labels = json_object();
    int interface = 0;
    size_t i;
    json_t *x;
    json_array_foreach(plan, i, x)
    {
        const char *pl = json_string_value(x);
        interface |= pl[0] == 'i';
        /* the endpoint service's name as the provider knows it (partition, region) */
        char *sl = guard_tf_label(used, "ansim_", pl + 2);
        sb_printf(&sb,
                  "\ndata \"aws_vpc_endpoint_service\" \"%s\" {\n  service      = \"%s\"\n  service_type = "
                  "\"%s\"\n}\n",
                  sl, pl + 2, pl[0] == 'g' ? "Gateway" : "Interface");
        json_object_set_new(svc_labels, pl, json_string(sl));
        free(sl);
    }
    json_array_foreach(g->vpcs, i, x)
    {
        const char *vpc = json_string_value(x);
        char *v = guard_tf_label(used, "sep_", vpc);
        sb_printf(&sb, "\ndata \"aws_vpc\" \"%s\" {\n  id = \"%s\"\n}\n", v, vpc);
        sb_printf(&sb, "\ndata \"aws_route_tables\" \"%s\" {\n  vpc_id = \"%s\"\n}\n", v, vpc);
        if (interface) {
            sb_printf(&sb,
                      "\ndata \"aws_subnets\" \"%s\" {\n  filter {\n    name   = \"vpc-id\"\n"
                      "    values = [\"%s\"]\n  }\n}\n",
                      v, vpc);
            sb_printf(&sb,
                      "\ndata \"aws_subnet\" \"%s\" {\n  for_each = toset(data.aws_subnets.%s.ids)\n"
                      "  id       = each.value\n}\n",
                      v, v);
            sb_printf(&sb,
                      "\nlocals {\n  # one subnet per Availability Zone, as interface endpoints require\n"
                      "  %s_subnets = [for az, ids in { for s in data.aws_subnet.%s : s.availability_zone => "
                      "s.id... } : ids[0]]\n}\n",
                      v, v);
            sb_printf(&sb,
                      "\nresource \"aws_security_group\" \"%s_endpoints\" {\n"
                      "  name        = \"ansim-vpc-endpoints\"\n"
                      "  description = \"HTTPS from the separated VPC to its interface endpoints (ansim)\"\n"
                      "  vpc_id      = \"%s\"\n\n"
                      "  ingress {\n"
                      "    description = \"HTTPS from inside the VPC\"\n"
                      "    from_port   = 443\n"
                      "    to_port     = 443\n"
                      "    protocol    = \"tcp\"\n"
                      "    cidr_blocks = [data.aws_vpc.%s.cidr_block]\n"
                      "  }\n}\n",
                      v, vpc, v);
        }
        size_t k;
        json_t *e;
        json_array_foreach(plan, k, e)
        {
            const char *p = json_string_value(e), *ep = p + 2;
            const char *sl = json_string_value(json_object_get(svc_labels, p));
            char *pfx = xasprintf("%s_", v), *el = guard_tf_label(used, pfx, ep);
            free(pfx);
            sb_printf(&sb, "\nresource \"aws_vpc_endpoint\" \"%s\" {\n", el);
            if (p[0] == 'g')
                sb_printf(&sb,
                          "  vpc_id            = \"%s\"\n"
                          "  service_name      = data.aws_vpc_endpoint_service.%s.service_name\n"
                          "  vpc_endpoint_type = \"Gateway\"\n"
                          "  route_table_ids   = data.aws_route_tables.%s.ids\n",
                          vpc, sl, v);
            else
                sb_printf(&sb,
                          "  vpc_id              = \"%s\"\n"
                          "  service_name        = data.aws_vpc_endpoint_service.%s.service_name\n"
                          "  vpc_endpoint_type   = \"Interface\"\n"
                          "  private_dns_enabled = true\n"
                          "  subnet_ids          = local.%s_subnets\n"
                          "  security_group_ids  = [aws_security_group.%s_endpoints.id]\n",
                          vpc, sl, v, v);
            sb_printf(&sb, "  tags = {\n    Name = \"ansim-%s\"\n  }\n}\n", ep);
            free(el);
        }
        free(v);
    }
    json_decref(used);
    json_decref(svc_labels);
    return sb_detach(&sb);
}

static char *endpoints_cli(const struct guard *g, const json_t *plan, const json_t *notes)
{
    struct strbuf sb;
    sb_init(&sb);
    sb_puts(&sb,
            "# VPC endpoints so the separated VPCs reach the APIs the guardrail confines to them, in\n"
            "# $HOME_REGION. The VPC's subnets and route tables are looked up now; a service that already\n"
            "# has an endpoint in the VPC is left as it is. Interface endpoints use private DNS (the VPC\n"
            "# needs DNS support and DNS hostnames on) and a security group that accepts HTTPS only\n"
            "# from the VPC's own range.\n");
    guard_comments(&sb, notes, "");
    int interface = 0;
    size_t i;
    json_t *x;
    json_array_foreach(plan, i, x) interface |= json_string_value(x)[0] == 'i';
    sb_printf(&sb, "local vpcs vpc vpc_cidr route_tables%s\nvpcs=(", interface ? " subnets sg" : "");
    json_array_foreach(g->vpcs, i, x)
    {
        if (i)
            sb_putc(&sb, ' ');
        bl_sh_quote(&sb, json_string_value(x));
    }
    sb_puts(&sb,
            ")\nfor vpc in \"${vpcs[@]}\"; do\n"
            "  vpc_cidr=$(aws ec2 describe-vpcs --region \"$HOME_REGION\" --vpc-ids \"$vpc\" "
            "--query 'Vpcs[0].CidrBlock' --output text)\n"
            "  route_tables=$(aws ec2 describe-route-tables --region \"$HOME_REGION\" "
            "--filters \"Name=vpc-id,Values=$vpc\" --query 'RouteTables[].RouteTableId' --output text)\n");
    if (interface)
        sb_puts(&sb,
                "  # one subnet per Availability Zone, as interface endpoints require\n"
                "  subnets=$(aws ec2 describe-subnets --region \"$HOME_REGION\" --filters "
                "\"Name=vpc-id,Values=$vpc\" "
                "--query 'Subnets[].[AvailabilityZone,SubnetId]' --output text | sort -u -k1,1 | cut -f2)\n"
                "  sg=$(aws ec2 describe-security-groups --region \"$HOME_REGION\" --filters "
                "\"Name=vpc-id,Values=$vpc\" Name=group-name,Values=ansim-vpc-endpoints "
                "--query 'SecurityGroups[0].GroupId' --output text)\n"
                "  if [ -z \"$sg\" ] || [ \"$sg\" = None ]; then\n"
                "    sg=$(aws ec2 create-security-group --region \"$HOME_REGION\" --vpc-id \"$vpc\" "
                "--group-name ansim-vpc-endpoints \\\n"
                "      --description 'HTTPS from the separated VPC to its interface endpoints (ansim)' "
                "--query GroupId --output text)\n"
                "  fi\n"
                "  if [ \"$(aws ec2 describe-security-groups --region \"$HOME_REGION\" --group-ids \"$sg\" "
                "--query 'length(SecurityGroups[0].IpPermissions[?FromPort==`443`])' --output text)\" = 0 ]; "
                "then\n"
                "    aws ec2 authorize-security-group-ingress --region \"$HOME_REGION\" --group-id \"$sg\" "
                "--protocol tcp --port 443 --cidr \"$vpc_cidr\" >/dev/null\n"
                "  fi\n");
    json_array_foreach(plan, i, x)
    {
        const char *p = json_string_value(x), *ep = p + 2;
        sb_printf(&sb,
                  "  if [ \"$(aws ec2 describe-vpc-endpoints --region \"$HOME_REGION\" --filters "
                  "\"Name=vpc-id,Values=$vpc\" \"Name=service-name,Values=com.amazonaws.$HOME_REGION.%s\" "
                  "Name=vpc-endpoint-state,Values=pendingAcceptance,pending,available "
                  "--query 'length(VpcEndpoints)' --output text)\" = 0 ]; then\n",
                  ep);
        if (p[0] == 'g')
            sb_printf(
                &sb,
                "    if [ -n \"$route_tables\" ]; then\n"
                "      # shellcheck disable=SC2086 # one argument per route table\n"
                "      aws ec2 create-vpc-endpoint --region \"$HOME_REGION\" --vpc-id \"$vpc\" "
                "--vpc-endpoint-type Gateway \\\n"
                "        --service-name \"com.amazonaws.$HOME_REGION.%s\" --route-table-ids $route_tables "
                "\\\n"
                "        --tag-specifications 'ResourceType=vpc-endpoint,Tags=[{Key=Name,Value=ansim-%s}]' "
                ">/dev/null\n"
                "    else\n"
                "      echo \"%s: $vpc has no route tables for the %s gateway endpoint\" >&2\n"
                "    fi\n",
                ep, ep, ID_ENDPOINTS, ep);
        else
            sb_printf(&sb,
                      "    # shellcheck disable=SC2086 # one argument per subnet\n"
                      "    aws ec2 create-vpc-endpoint --region \"$HOME_REGION\" --vpc-id \"$vpc\" "
                      "--vpc-endpoint-type Interface \\\n"
                      "      --service-name \"com.amazonaws.$HOME_REGION.%s\" --subnet-ids $subnets "
                      "--security-group-ids \"$sg\" \\\n"
                      "      --private-dns-enabled "
                      "--tag-specifications 'ResourceType=vpc-endpoint,Tags=[{Key=Name,Value=ansim-%s}]' "
                      ">/dev/null\n",
                      ep, ep);
        sb_puts(&sb, "  fi\n");
    }
    sb_puts(&sb, "done\n");
    return sb_detach(&sb);
}

/* ---- the whole ---- */

void guard_add_endpoints(struct guard *g, struct bl_set *out)
{
    json_t *notes = json_array(), *plan = endpoint_plan(g, notes);
    char *tf = NULL, *cli = NULL;
    if (json_array_size(g->vpcs)) {
        tf = endpoints_tf(g, plan, notes);
        cli = endpoints_cli(g, plan, notes);
    } else {
        struct strbuf sb;
        sb_init(&sb);
        sb_puts(
            &sb,
            "# No VPC endpoints: they need the separated VPC's id in separated_network.vpcs (ansim.yaml).\n");
        guard_comments(&sb, notes, "");
        tf = sb_detach(&sb);
        sb_init(&sb);
        sb_puts(&sb, tf);
        sb_puts(&sb, ":\n");
        cli = sb_detach(&sb);
    }
    struct strbuf en, ko;
    sb_init(&en);
    sb_init(&ko);
    sb_puts(&en, "VPC endpoints in each separated VPC for the services the guardrail confines (");
    sb_puts(&ko, "가드레일이 분리된 망으로 제한하는 서비스(");
    size_t i;
    json_t *x;
    json_array_foreach(plan, i, x)
    {
        sb_printf(&en, "%s%s", i ? ", " : "", json_string_value(x) + 2);
        sb_printf(&ko, "%s%s", i ? ", " : "", json_string_value(x) + 2);
    }
    sb_puts(&en, "), so the network without internet access still reaches their APIs (seed 000).");
    sb_puts(&ko, ")의 VPC 엔드포인트를 분리된 각 VPC에 만들어, 인터넷이 막힌 망에서도 해당 API를 쓸 수 있게 "
                 "합니다(seed 000).");
    if (!json_array_size(g->vpcs)) {
        sb_puts(&en, " Needs separated_network.vpcs in ansim.yaml.");
        sb_puts(&ko, " ansim.yaml의 separated_network.vpcs가 필요합니다.");
    }
    guard_component(
        out, ID_ENDPOINTS, NULL, "VPC endpoints for the separated network", "분리된 망의 VPC 엔드포인트",
        sb_detach(&en), sb_detach(&ko), NULL, tf, cli,
        "CloudFormation cannot look up an existing VPC's subnets and route tables: use the terraform or "
        "cli output for the endpoints, or add them to the separated VPC's own template.",
        "CloudFormation은 기존 VPC의 서브넷과 라우팅 테이블을 조회할 수 없습니다. 엔드포인트는 terraform "
        "또는 "
        "cli 출력을 쓰거나 분리된 VPC의 템플릿에 추가하십시오.");
    json_decref(plan);
    json_decref(notes);
}
