/*
 * test_collect_edge.c — the edge collectors' conversions (src/collect/edge.h) on answers
 * written by hand from botocore's output shapes: ELBv2 listeners with their security
 * policies, WAFv2 ListWebACLs and ListResourcesForWebACL (which moto does not implement),
 * CloudFront ListDistributions with every field moto leaves out (WebACLId, Restrictions,
 * origin custom headers), and ACM certificates. The last tests load the converted resources
 * into an inventory and run the bundled controls on them, so the whole chain from an AWS
 * answer to a finding is checked without an emulator.
 */
#include "support.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/aws/aws.h"
#include "../../src/collect/edge.h"
#include "../../src/util/util.h"

#define ALB_ARN                                                                                              \
    "arn:aws:elasticloadbalancing:ap-northeast-2:111122223333:loadbalancer/app/web-public/50dc6c495c0c9188"

/* ---- ELBv2 ---- */

static const char *const listeners_xml =
    "<DescribeListenersResponse xmlns=\"http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/\">"
    "<DescribeListenersResult><Listeners>"
    "<member><ListenerArn>arn:aws:elasticloadbalancing:ap-northeast-2:111122223333:listener/app/web-public/"
    "50dc6c495c0c9188/1f0ab7c9d3e24f55</ListenerArn><LoadBalancerArn>" ALB_ARN "</LoadBalancerArn>"
    "<Port>80</Port><Protocol>HTTP</Protocol><DefaultActions><member><Type>redirect</Type><Order>1</Order>"
    "<RedirectConfig><Protocol>HTTPS</Protocol><Port>443</Port><Host>#{host}</Host><Path>/#{path}</Path>"
    "<Query>#{query}</Query><StatusCode>HTTP_301</StatusCode></RedirectConfig></member></DefaultActions></"
    "member>"
    "<member><ListenerArn>arn:aws:elasticloadbalancing:ap-northeast-2:111122223333:listener/app/web-public/"
    "50dc6c495c0c9188/8c2e4b1d0a9f7e36</ListenerArn><LoadBalancerArn>" ALB_ARN "</LoadBalancerArn>"
    "<Port>443</Port><Protocol>HTTPS</"
    "Protocol><Certificates><member><CertificateArn>arn:aws:acm:ap-northeast-2:"
    "111122223333:certificate/3b1e9c1c-5d6e-4a7f-9c2b-0f1e2d3c4b5a</CertificateArn></member></Certificates>"
    "<SslPolicy>ELBSecurityPolicy-2016-08</SslPolicy><DefaultActions><member><Type>authenticate-oidc</Type>"
    "<Order>1</Order><AuthenticateOidcConfig><Issuer>https://login.example.co.kr</Issuer>"
    "<AuthorizationEndpoint>https://login.example.co.kr/authorize</AuthorizationEndpoint>"
    "<TokenEndpoint>https://login.example.co.kr/token</TokenEndpoint>"
    "<UserInfoEndpoint>https://login.example.co.kr/userinfo</UserInfoEndpoint><ClientId>ansim-web</ClientId>"
    "<ClientSecret>not-for-a-snapshot</ClientSecret></AuthenticateOidcConfig></member></DefaultActions></"
    "member>"
    "<member><ListenerArn>arn:aws:elasticloadbalancing:ap-northeast-2:111122223333:listener/app/web-public/"
    "50dc6c495c0c9188/0d9c8b7a6f5e4d3c</ListenerArn><LoadBalancerArn>" ALB_ARN "</LoadBalancerArn>"
    "<Port>8443</Port><Protocol>HTTPS</Protocol><SslPolicy>ELBSecurityPolicy-Future-2099</SslPolicy>"
    "<DefaultActions><member><Type>fixed-response</Type><FixedResponseConfig><StatusCode>404</StatusCode>"
    "</FixedResponseConfig></member></DefaultActions></member>"
    "</Listeners></DescribeListenersResult><ResponseMetadata><RequestId>0b6a1c5e-1f2d-4e3c-9a8b-7c6d5e4f3a2b"
    "</RequestId></ResponseMetadata></DescribeListenersResponse>";

static const char *const policies_xml =
    "<DescribeSSLPoliciesResponse xmlns=\"http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/\">"
    "<DescribeSSLPoliciesResult><SslPolicies>"
    "<member><Name>ELBSecurityPolicy-2016-08</Name><SslProtocols><member>TLSv1</member><member>TLSv1.1</"
    "member>"
    "<member>TLSv1.2</member></SslProtocols><Ciphers><member><Name>ECDHE-RSA-AES128-GCM-SHA256</Name>"
    "<Priority>1</Priority></member></Ciphers><SupportedLoadBalancerTypes><member>application</member>"
    "<member>network</member></SupportedLoadBalancerTypes></member>"
    "<member><Name>ELBSecurityPolicy-TLS13-1-2-2021-06</Name><SslProtocols><member>TLSv1.2</member>"
    "<member>TLSv1.3</member></SslProtocols></member>"
    "</SslPolicies></DescribeSSLPoliciesResult></DescribeSSLPoliciesResponse>";

static json_t *alb_entry(void)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:{s:s}, s:s, s:s}", "LoadBalancerArn", ALB_ARN,
                     "LoadBalancerName", "web-public", "Scheme", "internet-facing", "VpcId",
                     "vpc-0a1b2c3d4e5f60718", "State", "Code", "active", "Type", "application", "DNSName",
                     "web-public-1234567890.ap-northeast-2.elb.amazonaws.com");
}

static void listeners_get_policy_protocols(void **state)
{
    (void)state;
    json_t *l = from_xml("elbv2", "DescribeListeners", listeners_xml);
    json_t *p = from_xml("elbv2", "DescribeSSLPolicies", policies_xml);
    json_t *lb = alb_entry();
    json_t *data = collect_lb_data(lb, json_object_get(l, "Listeners"), json_object_get(p, "SslPolicies"));
    json_t *ls = json_object_get(data, "Listeners");
    assert_int_equal(json_array_size(ls), 3);
    /* HTTP: no policy, no SslProtocols; the redirect kept as AWS gives it */
    assert_null(json_object_get(json_array_get(ls, 0), "SslProtocols"));
    assert_string_equal(str_at(ls, "0.DefaultActions.0.RedirectConfig.Protocol"), "HTTPS");
    /* HTTPS: the policy's protocols, and no client secret */
    assert_string_equal(str_at(ls, "1.SslProtocols.0"), "TLSv1");
    assert_string_equal(str_at(ls, "1.SslProtocols.2"), "TLSv1.2");
    assert_string_equal(str_at(ls, "1.DefaultActions.0.AuthenticateOidcConfig.ClientId"), "ansim-web");
    assert_null(json_object_get(
        json_object_get(json_array_get(json_object_get(json_array_get(ls, 1), "DefaultActions"), 0),
                        "AuthenticateOidcConfig"),
        "ClientSecret"));
    /* a policy the listing does not know: null (error), never a guess */
    assert_true(json_is_null(json_object_get(json_array_get(ls, 2), "SslProtocols")));
    assert_int_equal(json_integer_value(json_object_get(json_array_get(ls, 2), "Port")), 8443);
    json_decref(data);

    /* DescribeSSLPolicies failed: SslProtocols absent; DescribeListeners failed: no Listeners */
    data = collect_lb_data(lb, json_object_get(l, "Listeners"), NULL);
    assert_null(json_object_get(json_array_get(json_object_get(data, "Listeners"), 1), "SslProtocols"));
    json_decref(data);
    data = collect_lb_data(lb, NULL, NULL);
    assert_null(json_object_get(data, "Listeners"));
    assert_string_equal(str_at(data, "Scheme"), "internet-facing");
    json_decref(data);
    json_decref(lb);
    json_decref(l);
    json_decref(p);
}

/* ---- WAFv2 ---- */

static const char *const web_acls_json =
    "{\"NextMarker\":\"Z2V0LW5leHQtcGFnZQ==\",\"WebACLs\":[{\"Name\":\"web-public-acl\","
    "\"Id\":\"f1e2d3c4-b5a6-4798-8a9b-0c1d2e3f4a5b\",\"Description\":\"front door\","
    "\"LockToken\":\"2f5c1b0e-8d7a-4c3b-9e6f-1a2b3c4d5e6f\","
    "\"ARN\":\"arn:aws:wafv2:ap-northeast-2:111122223333:regional/webacl/web-public-acl/"
    "f1e2d3c4-b5a6-4798-8a9b-0c1d2e3f4a5b\"}]}";

static const char *const resources_json = "{\"ResourceArns\":[\"" ALB_ARN "\"]}";

static void web_acl_lists_the_albs_it_protects(void **state)
{
    (void)state;
    json_t *list = from_json("wafv2", "ListWebACLs", web_acls_json);
    assert_string_equal(str_at(list, "NextMarker"), "Z2V0LW5leHQtcGFnZQ==");
    json_t *summary = json_array_get(json_object_get(list, "WebACLs"), 0);
    json_t *res = from_json("wafv2", "ListResourcesForWebACL", resources_json);
    json_t *data = collect_waf_acl_data(summary, "REGIONAL", res);
    assert_string_equal(str_at(data, "Name"), "web-public-acl");
    assert_string_equal(str_at(data, "Scope"), "REGIONAL");
    assert_string_equal(str_at(data, "ResourceArns.0"), ALB_ARN);
    assert_null(json_object_get(data, "LockToken"));
    json_decref(data);
    /* an empty answer is an empty list; a failed call leaves ResourceArns out */
    json_t *empty = from_json("wafv2", "ListResourcesForWebACL", "{}");
    data = collect_waf_acl_data(summary, "REGIONAL", empty);
    assert_int_equal(json_array_size(json_object_get(data, "ResourceArns")), 0);
    assert_true(json_is_array(json_object_get(data, "ResourceArns")));
    json_decref(data);
    data = collect_waf_acl_data(summary, "REGIONAL", NULL);
    assert_null(json_object_get(data, "ResourceArns"));
    json_decref(data);
    json_decref(empty);
    json_decref(res);
    json_decref(list);
}

/* ---- CloudFront ---- */

static const char *const distributions_xml =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
    "<DistributionList xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\">"
    "<Marker></Marker><NextMarker>E9Z8Y7X6W5V4U3</NextMarker><MaxItems>1</MaxItems><IsTruncated>true</"
    "IsTruncated>"
    "<Quantity>1</Quantity><Items><DistributionSummary>"
    "<Id>E1A2B3C4D5E6F7</Id><ARN>arn:aws:cloudfront::111122223333:distribution/E1A2B3C4D5E6F7</ARN>"
    "<ETag>E2QWRUHAPOMQZL</ETag><Status>Deployed</Status><LastModifiedTime>2025-06-02T07:40:12.337Z</"
    "LastModifiedTime>"
    "<DomainName>d111111abcdef8.cloudfront.net</DomainName>"
    "<Aliases><Quantity>1</Quantity><Items><CNAME>www.example.co.kr</CNAME></Items></Aliases>"
    "<Origins><Quantity>1</Quantity><Items><Origin><Id>web-public-alb</Id>"
    "<DomainName>web-public-1234567890.ap-northeast-2.elb.amazonaws.com</DomainName><OriginPath></OriginPath>"
    "<CustomHeaders><Quantity>1</Quantity><Items><OriginCustomHeader><HeaderName>X-Origin-Verify</HeaderName>"
    "<HeaderValue>s3cr3t-shared-with-the-origin</HeaderValue></OriginCustomHeader></Items></CustomHeaders>"
    "<CustomOriginConfig><HTTPPort>80</HTTPPort><HTTPSPort>443</HTTPSPort>"
    "<OriginProtocolPolicy>https-only</OriginProtocolPolicy><OriginSslProtocols><Quantity>1</Quantity><Items>"
    "<SslProtocol>TLSv1.2</SslProtocol></Items></OriginSslProtocols><OriginReadTimeout>30</OriginReadTimeout>"
    "<OriginKeepaliveTimeout>5</OriginKeepaliveTimeout></CustomOriginConfig><ConnectionAttempts>3</"
    "ConnectionAttempts>"
    "<ConnectionTimeout>10</ConnectionTimeout><OriginShield><Enabled>false</Enabled></OriginShield>"
    "</Origin></Items></Origins><OriginGroups><Quantity>0</Quantity></OriginGroups>"
    "<DefaultCacheBehavior><TargetOriginId>web-public-alb</TargetOriginId>"
    "<ViewerProtocolPolicy>redirect-to-https</ViewerProtocolPolicy><AllowedMethods><Quantity>2</"
    "Quantity><Items>"
    "<Method>HEAD</Method><Method>GET</Method></Items></AllowedMethods><Compress>true</Compress>"
    "<CachePolicyId>658327ea-f89d-4fab-a63d-7e88639e58f6</CachePolicyId></DefaultCacheBehavior>"
    "<CacheBehaviors><Quantity>0</Quantity></CacheBehaviors><CustomErrorResponses><Quantity>0</Quantity>"
    "</CustomErrorResponses><Comment>www.example.co.kr</Comment><PriceClass>PriceClass_200</PriceClass>"
    "<Enabled>true</Enabled><ViewerCertificate><CloudFrontDefaultCertificate>false</"
    "CloudFrontDefaultCertificate>"
    "<ACMCertificateArn>arn:aws:acm:us-east-1:111122223333:certificate/9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"
    "</ACMCertificateArn><SSLSupportMethod>sni-only</SSLSupportMethod>"
    "<MinimumProtocolVersion>TLSv1.2_2021</MinimumProtocolVersion></ViewerCertificate>"
    "<Restrictions><GeoRestriction><RestrictionType>whitelist</RestrictionType><Quantity>2</Quantity><Items>"
    "<Location>KR</Location><Location>JP</Location></Items></GeoRestriction></Restrictions>"
    "<WebACLId>arn:aws:wafv2:us-east-1:111122223333:global/webacl/edge/a1b2c3d4-5678-90ab-cdef-111111111111"
    "</WebACLId><HttpVersion>http2and3</HttpVersion><IsIPV6Enabled>true</IsIPV6Enabled><Staging>false</"
    "Staging>"
    "</DistributionSummary></Items></DistributionList>";

static void distribution_summary_keeps_waf_and_geo_and_hides_origin_secrets(void **state)
{
    (void)state;
    json_t *out = from_xml("cloudfront", "ListDistributions", distributions_xml);
    json_t *list = json_object_get(out, "DistributionList");
    /* paging lives inside the payload member */
    assert_true(json_is_true(json_object_get(list, "IsTruncated")));
    assert_string_equal(str_at(list, "NextMarker"), "E9Z8Y7X6W5V4U3");
    json_t *data = collect_distribution_data(json_array_get(json_object_get(list, "Items"), 0));
    assert_string_equal(str_at(data, "Restrictions.GeoRestriction.RestrictionType"), "whitelist");
    assert_string_equal(str_at(data, "Restrictions.GeoRestriction.Items.1"), "JP");
    assert_true(strncmp(str_at(data, "WebACLId"), "arn:aws:wafv2:us-east-1:", 24) == 0);
    assert_string_equal(str_at(data, "Aliases.Items.0"), "www.example.co.kr");
    assert_string_equal(str_at(data, "Origins.Items.0.CustomHeaders.Items.0.HeaderName"), "X-Origin-Verify");
    assert_string_equal(str_at(data, "Origins.Items.0.CustomHeaders.Items.0.HeaderValue"), "REDACTED");
    assert_string_equal(str_at(data, "Origins.Items.0.CustomOriginConfig.OriginSslProtocols.Items.0"),
                        "TLSv1.2");
    char *text = json_dumps(data, 0);
    assert_null(strstr(text, "s3cr3t"));
    free(text);
    json_decref(data);
    json_decref(out);
}

/* ---- ACM ---- */

static const char *const certificate_json =
    "{\"Certificate\":{\"CertificateArn\":\"arn:aws:acm:us-east-1:111122223333:certificate/"
    "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a\",\"DomainName\":\"www.example.co.kr\","
    "\"SubjectAlternativeNames\":[\"www.example.co.kr\"],\"Status\":\"ISSUED\",\"Type\":\"AMAZON_ISSUED\","
    "\"NotBefore\":1775001600.0,\"NotAfter\":1795219199.0,\"KeyAlgorithm\":\"RSA-2048\","
    "\"InUseBy\":[\"arn:aws:cloudfront::111122223333:distribution/E1A2B3C4D5E6F7\"],"
    "\"RenewalEligibility\":\"ELIGIBLE\",\"RenewalSummary\":{\"RenewalStatus\":\"PENDING_VALIDATION\","
    "\"DomainValidationOptions\":[],\"UpdatedAt\":1793174400}}}";

static void certificates_convert_and_list_every_key_type(void **state)
{
    (void)state;
    json_t *d = from_json("acm", "DescribeCertificate", certificate_json);
    json_t *data = collect_certificate_data(NULL, json_object_get(d, "Certificate"));
    assert_string_equal(str_at(data, "NotAfter"), "2026-11-20T23:59:59Z"); /* epoch -> RFC 3339 */
    assert_string_equal(str_at(data, "RenewalSummary.RenewalStatus"), "PENDING_VALIDATION");
    assert_true(collect_certificate_used_by_cloudfront(data));
    json_decref(data);
    /* a failed DescribeCertificate keeps the summary, without InUseBy */
    json_t *summary = json_pack("{s:s, s:s, s:b}", "CertificateArn",
                                "arn:aws:acm:ap-northeast-2:111122223333:"
                                "certificate/3b1e9c1c-5d6e-4a7f-9c2b-0f1e2d3c4b5a",
                                "Status", "ISSUED", "InUse", 1);
    data = collect_certificate_data(summary, NULL);
    assert_null(json_object_get(data, "InUseBy"));
    assert_false(collect_certificate_used_by_cloudfront(data));
    json_decref(data);
    json_decref(summary);
    json_decref(d);

    char *body = collect_acm_list_body("token-2");
    json_t *doc = json_loads(body, 0, NULL);
    assert_non_null(doc);
    assert_int_equal(json_array_size(json_object_get(json_object_get(doc, "Includes"), "keyTypes")), 7);
    assert_string_equal(str_at(doc, "NextToken"), "token-2");
    json_decref(doc);
    free(body);
}

/* ---- from answers to findings ---- */

/* The findings of control id on a snapshot of resources (a JSON array, stolen). */
static void expect_status(json_t *resources, const char *id, const char *resource, enum status want)
{
    char *text = json_dumps(resources, 0);
    json_decref(resources);
    char *doc = snap_doc(text, NULL);
    free(text);
    struct inventory *inv = load_inv(doc);
    free(doc);
    struct catalogue cat;
    load_builtin(&cat);
    char *ids[] = {(char *)id};
    struct selection sel = {NULL, ids, 1};
    struct scan_result res;
    memset(&res, 0, sizeof res);
    char err[ERRLEN] = "";
    assert_int_equal(eval_run(&cat, inv, &sel, &res, err, sizeof err), 0);
    int found = 0;
    for (size_t i = 0; i < res.nfindings; i++)
        if (strcmp(res.findings[i].resource_id, resource) == 0) {
            found = 1;
            if (res.findings[i].status != want)
                fail_msg("%s %s: %s (%s)", id, resource, status_name(res.findings[i].status),
                         res.findings[i].reason);
        }
    if (!found)
        fail_msg("%s: no finding for %s", id, resource);
    scan_result_free(&res);
    cat_free(&cat);
    inv_close(inv);
}

static json_t *resource(const char *type, const char *region, const char *id, const char *arn, json_t *data)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:o}", "type", type, "region", region, "id", id, "arn", arn,
                     "data", data);
}

static void converted_answers_give_the_right_findings(void **state)
{
    (void)state;
    json_t *l = from_xml("elbv2", "DescribeListeners", listeners_xml);
    json_t *p = from_xml("elbv2", "DescribeSSLPolicies", policies_xml);
    json_t *lb = alb_entry();
    json_t *list = from_json("wafv2", "ListWebACLs", web_acls_json);
    json_t *summary = json_array_get(json_object_get(list, "WebACLs"), 0);
    json_t *res = from_json("wafv2", "ListResourcesForWebACL", resources_json);
    json_t *cf = from_xml("cloudfront", "ListDistributions", distributions_xml);
    json_t *dist = json_array_get(json_object_get(json_object_get(cf, "DistributionList"), "Items"), 0);
    json_t *cert = from_json("acm", "DescribeCertificate", certificate_json);

#define RESOURCES()                                                                                          \
    json_pack(                                                                                               \
        "[o, o, o, o]",                                                                                      \
        resource("aws_lb", "ap-northeast-2", "web-public", ALB_ARN,                                          \
                 collect_lb_data(lb, json_object_get(l, "Listeners"), json_object_get(p, "SslPolicies"))),   \
        resource("aws_wafv2_web_acl", "ap-northeast-2", "f1e2d3c4-b5a6-4798-8a9b-0c1d2e3f4a5b",              \
                 str_at(summary, "ARN"), collect_waf_acl_data(summary, "REGIONAL", res)),                    \
        resource("aws_cloudfront_distribution", "global", "E1A2B3C4D5E6F7", str_at(dist, "ARN"),             \
                 collect_distribution_data(dist)),                                                           \
        resource("aws_acm_certificate", "us-east-1", str_at(cert, "Certificate.CertificateArn"),             \
                 str_at(cert, "Certificate.CertificateArn"),                                                 \
                 collect_certificate_data(NULL, json_object_get(cert, "Certificate"))))

    expect_status(RESOURCES(), "waf.public_endpoints", "web-public", ST_PASS);
    expect_status(RESOURCES(), "waf.public_endpoints", "E1A2B3C4D5E6F7", ST_PASS);
    expect_status(RESOURCES(), "cloudfront.geo_restriction", "E1A2B3C4D5E6F7", ST_PASS);
    expect_status(RESOURCES(), "elb.tls_listeners", "web-public:80", ST_PASS);
    expect_status(RESOURCES(), "elb.tls_listeners", "web-public:443", ST_FAIL);
    expect_status(RESOURCES(), "elb.tls_listeners", "web-public:8443", ST_ERROR);
    /* NotAfter 2026-11-20, 19 days after the snapshot's 2026-11-01 */
    expect_status(RESOURCES(), "acm.certificate_expiry", str_at(cert, "Certificate.CertificateArn"), ST_FAIL);
#undef RESOURCES

    /* ListResourcesForWebACL failed: the ALB is unknown, never a pass */
    expect_status(
        json_pack(
            "[o, o]",
            resource("aws_lb", "ap-northeast-2", "web-public", ALB_ARN, collect_lb_data(lb, NULL, NULL)),
            resource("aws_wafv2_web_acl", "ap-northeast-2", "f1e2d3c4-b5a6-4798-8a9b-0c1d2e3f4a5b",
                     str_at(summary, "ARN"), collect_waf_acl_data(summary, "REGIONAL", NULL))),
        "waf.public_endpoints", "web-public", ST_ERROR);
    json_decref(cert);
    json_decref(cf);
    json_decref(res);
    json_decref(list);
    json_decref(lb);
    json_decref(p);
    json_decref(l);
}

int run_collect_edge_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(listeners_get_policy_protocols),
        cmocka_unit_test(web_acl_lists_the_albs_it_protects),
        cmocka_unit_test(distribution_summary_keeps_waf_and_geo_and_hides_origin_secrets),
        cmocka_unit_test(certificates_convert_and_list_every_key_type),
        cmocka_unit_test(converted_answers_give_the_right_findings),
    };
    return cmocka_run_group_tests_name("edge collectors (ELBv2, WAFv2, CloudFront, ACM)", tests, NULL, NULL);
}
