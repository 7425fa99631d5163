/*
 * edge.h — private to src/collect: how the edge collectors (elbv2.c, wafv2.c, cloudfront.c,
 * acm.c) turn API answers into resource data. Pure functions of JSON, so the unit tests
 * check them on answers written from botocore's output shapes, including the ones moto
 * does not implement (wafv2 ListResourcesForWebACL).
 *
 * Every function returns a new JSON value the caller owns and only reads its arguments.
 */
#ifndef ANSIM_COLLECT_EDGE_H
#define ANSIM_COLLECT_EDGE_H

#include <jansson.h>

/* aws_lb data: the DescribeLoadBalancers entry lb plus Listeners, the DescribeListeners
 * entries (listeners NULL: not read, so no Listeners member), each listener with an
 * SslPolicy given SslProtocols from the matching DescribeSSLPolicies entry of policies
 * (null when the policy is not among them; absent when policies is NULL: not read). OIDC
 * client secrets are dropped. */
json_t *collect_lb_data(const json_t *lb, const json_t *listeners, const json_t *policies);

/* aws_wafv2_web_acl data: the ListWebACLs summary without its LockToken, with Scope, and
 * for REGIONAL scope ResourceArns from the ListResourcesForWebACL output resources
 * (NULL: not read, so no ResourceArns member). */
json_t *collect_waf_acl_data(const json_t *summary, const char *scope, const json_t *resources);

/* aws_cloudfront_distribution data: the ListDistributions DistributionSummary with the
 * values of origin custom headers (often a shared secret the origin checks) redacted. */
json_t *collect_distribution_data(const json_t *summary);

/* aws_acm_certificate data: DescribeCertificate's Certificate, or, when detail is NULL (the
 * call failed), the ListCertificates summary (which has no InUseBy). */
json_t *collect_certificate_data(const json_t *summary, const json_t *detail);

/* 1 when a certificate's InUseBy names a CloudFront distribution. */
int collect_certificate_used_by_cloudfront(const json_t *data);

/* The ListCertificates request document: every key type (by default ACM lists RSA-2048 and
 * RSA-1024 certificates only), from token when set. Caller frees. */
char *collect_acm_list_body(const char *token);

#endif
