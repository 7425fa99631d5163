/*
 * test_collect_acct.c — the account-settings, Access Analyzer and identity-provider
 * collectors against recorded answers. moto lacks Access Analyzer and Cost Explorer anomaly
 * monitors, and never answers the way AWS's rest-json front ends do (the error code only in
 * the x-amzn-ErrorType header), so a small HTTP server in this process plays AWS: each test
 * gives it the answers (bodies written from botocore's output shapes) and checks the
 * resources and errors the collectors put in the sink. Proves: answers become the shapes of
 * docs/resources.md (pages joined, epoch timestamps as RFC 3339, ARNs built); "not
 * configured" answers (ResourceNotFoundException, NotFoundException) are data, not errors;
 * real failures (denials, 5xx) are recorded errors and leave no resource behind.
 */
#include "support.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/collect/collect.h"
#include "../../src/util/util.h"
#include "canned.h"

/* ---- the canned AWS (canned.c) ---- */

/* One canned answer: served for a request whose target/path contains `op` and whose query
 * or body contains `also` (NULL: anything). The first matching route wins. */
struct route {
    const char *op, *also;
    int status;
    const char *error_type; /* x-amzn-ErrorType header, or NULL */
    const char *content_type, *body;
};

static struct canned_server stub;
static const struct route *routes_now; /* under stub.lock */
static size_t nroutes_now;

static int seen(const char *head, const char *body, const char *s)
{
    return strstr(head, s) || strstr(body, s);
}

/* the operation shows in the path (rest-json), X-Amz-Target (json) or Action= (query) */
static void answer(const char *head, const char *body, struct canned_reply *out)
{
    for (size_t i = 0; i < nroutes_now; i++) {
        const struct route *r = &routes_now[i];
        if (seen(head, body, r->op) && (!r->also || seen(head, body, r->also))) {
            *out = (struct canned_reply){r->status, r->content_type, r->error_type, r->body};
            return;
        }
    }
    *out = (struct canned_reply){400, "application/json", "UnknownOperationException",
                                 "{\"message\":\"no route in the test\"}"};
}

static int stub_start(void **state)
{
    (void)state;
    return canned_start(&stub, answer);
}

static int stub_stop(void **state)
{
    (void)state;
    canned_stop(&stub);
    aws_http_thread_done();
    return 0;
}

/* ---- collecting against it ---- */

struct run {
    struct aws_client client;
    struct collect_sink sink;
    struct collect_ctx ctx;
    char *url;
};

static void run_start(struct run *r, const struct route *routes, size_t n)
{
    pthread_mutex_lock(&stub.lock);
    routes_now = routes;
    nroutes_now = n;
    pthread_mutex_unlock(&stub.lock);
    memset(r, 0, sizeof *r);
    r->url = xstrdup(stub.url);
    r->client.cred.access_key_id = xstrdup("AKIAIOSFODNN7EXAMPLE");
    r->client.cred.secret_access_key = xstrdup("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    r->client.endpoint_url = r->url;
    r->client.timeout_ms = 5000;
    r->client.max_attempts = 1; /* a 5xx is an error at once */
    sink_init(&r->sink);
    r->ctx = (struct collect_ctx){&r->client, &r->sink, "111122223333", "ap-northeast-2", NULL};
}

static void run_end(struct run *r)
{
    sink_free(&r->sink);
    aws_cred_free(&r->client.cred);
    free(r->url);
}

static int is_type(json_t *res, const char *type)
{
    return strcmp(json_string_value(json_object_get(res, "type")), type) == 0;
}

/* The n-th resource of type (0-based), or NULL. */
static json_t *resource(struct run *r, const char *type, size_t n)
{
    size_t i;
    json_t *e;
    json_array_foreach(r->sink.resources, i, e)
    {
        if (is_type(e, type) && n-- == 0)
            return e;
    }
    return NULL;
}

static size_t count(struct run *r, const char *type)
{
    size_t n = 0, i;
    json_t *e;
    json_array_foreach(r->sink.resources, i, e) n += is_type(e, type);
    return n;
}

/* The error recorded for service/operation, or NULL. */
static json_t *error_for(struct run *r, const char *service, const char *op)
{
    size_t i;
    json_t *e;
    json_array_foreach(r->sink.errors, i, e)
    {
        if (strcmp(json_string_value(json_object_get(e, "service")), service) == 0 &&
            strcmp(json_string_value(json_object_get(e, "operation")), op) == 0)
            return e;
    }
    return NULL;
}

#define JSON "application/x-amz-json-1.1"

/* ---- account settings ---- */

static void account_answers_become_resources(void **state)
{
    (void)state;
    static const struct route routes[] = {
        {"/getAlternateContact", "\"SECURITY\"", 200, NULL, "application/json",
         "{\"AlternateContact\":{\"AlternateContactType\":\"SECURITY\",\"EmailAddress\":\"security@example."
         "co.kr\","
         "\"Name\":\"Security Operations\",\"PhoneNumber\":\"+82-2-555-0100\",\"Title\":\"CISO office\"}}"},
        {"DescribeBudgets", "\"NextToken\":\"page-2\"", 200, NULL, JSON,
         "{\"Budgets\":[{\"BudgetName\":\"ec2-usage\",\"BudgetLimit\":{\"Amount\":\"2000.0\",\"Unit\":"
         "\"Hrs\"},"
         "\"TimeUnit\":\"MONTHLY\",\"BudgetType\":\"USAGE\",\"LastUpdatedTime\":1793437200.0}]}"},
        {"DescribeBudgets", "\"AccountId\":\"111122223333\"", 200, NULL, JSON,
         "{\"Budgets\":[{\"BudgetName\":\"monthly-cost\",\"BudgetLimit\":{\"Amount\":\"100.0\",\"Unit\":"
         "\"USD\"},"
         "\"TimeUnit\":\"MONTHLY\",\"TimePeriod\":{\"Start\":1767225600.0,\"End\":3706473600.0},"
         "\"CalculatedSpend\":{\"ActualSpend\":{\"Amount\":\"41.27\",\"Unit\":\"USD\"}},\"BudgetType\":"
         "\"COST\","
         "\"LastUpdatedTime\":1793437200.5}],\"NextToken\":\"page-2\"}"},
        {"GetAnomalyMonitors", NULL, 200, NULL, JSON,
         "{\"AnomalyMonitors\":[{\"MonitorArn\":\"arn:aws:ce::111122223333:anomalymonitor/"
         "0b9a6c2e-1f4d-4b7a-9c55-"
         "2d3e4f5a6b7c\",\"MonitorName\":\"services\",\"CreationDate\":\"2026-02-01\",\"MonitorType\":"
         "\"DIMENSIONAL\",\"MonitorDimension\":\"SERVICE\",\"DimensionalValueCount\":14}]}"},
    };
    struct run r;
    run_start(&r, routes, sizeof routes / sizeof *routes);
    collect_account(&r.ctx);
    if (json_array_size(r.sink.errors))
        fail_msg("errors: %s", json_dumps(r.sink.errors, 0));
    json_t *c = resource(&r, "aws_account_alternate_contact", 0);
    assert_non_null(c);
    assert_string_equal(str_at(c, "id"), "SECURITY");
    assert_string_equal(str_at(c, "region"), "global");
    assert_string_equal(str_at(c, "data.AlternateContact.EmailAddress"), "security@example.co.kr");
    assert_int_equal(count(&r, "aws_budgets_budget"), 2); /* both pages */
    json_t *b = resource(&r, "aws_budgets_budget", 0);
    assert_string_equal(str_at(b, "id"), "monthly-cost");
    assert_string_equal(str_at(b, "arn"), "arn:aws:budgets::111122223333:budget/monthly-cost");
    assert_string_equal(str_at(b, "data.LastUpdatedTime"), "2026-10-31T09:00:00.500Z");
    assert_string_equal(str_at(b, "data.TimePeriod.Start"), "2026-01-01T00:00:00Z");
    assert_string_equal(str_at(resource(&r, "aws_budgets_budget", 1), "id"), "ec2-usage");
    json_t *m = resource(&r, "aws_ce_anomaly_monitor", 0);
    assert_string_equal(str_at(m, "id"),
                        "arn:aws:ce::111122223333:anomalymonitor/0b9a6c2e-1f4d-4b7a-9c55-2d3e4f5a6b7c");
    assert_string_equal(str_at(m, "data.MonitorName"), "services");
    run_end(&r);
}

static void account_not_configured_is_data(void **state)
{
    (void)state;
    static const struct route routes[] = {
        /* AWS's rest-json front end: the code only in the header */
        {"/getAlternateContact", NULL, 404,
         "ResourceNotFoundException:http://internal.amazon.com/coral/com.amazon.account.model/",
         "application/json", "{\"message\":\"No contact of the inputted alternate contact type found.\"}"},
        {"DescribeBudgets", NULL, 400, NULL, JSON,
         "{\"__type\":\"NotFoundException\",\"Message\":\"[Exception=NotFoundException] Unable to get "
         "budgets for "
         "account: 111122223333 - the requested resource does not exist\"}"},
        {"GetAnomalyMonitors", NULL, 200, NULL, JSON, "{\"AnomalyMonitors\":[]}"},
    };
    struct run r;
    run_start(&r, routes, sizeof routes / sizeof *routes);
    collect_account(&r.ctx);
    if (json_array_size(r.sink.errors))
        fail_msg("errors: %s", json_dumps(r.sink.errors, 0));
    json_t *c = resource(&r, "aws_account_alternate_contact", 0);
    assert_non_null(c);
    assert_true(json_is_null(json_object_get(json_object_get(c, "data"), "AlternateContact")));
    assert_int_equal(count(&r, "aws_budgets_budget"), 0);
    assert_int_equal(count(&r, "aws_ce_anomaly_monitor"), 0);
    run_end(&r);
}

static void account_failures_are_errors(void **state)
{
    (void)state;
    static const struct route routes[] = {
        {"/getAlternateContact", NULL, 403, "AccessDeniedException:http://internal.amazon.com/coral/",
         "application/json",
         "{\"message\":\"User is not authorized to perform: account:GetAlternateContact\"}"},
        {"DescribeBudgets", "page-2", 503, NULL, JSON, "{\"__type\":\"ServiceUnavailableException\"}"},
        {"DescribeBudgets", NULL, 200, NULL, JSON,
         "{\"Budgets\":[{\"BudgetName\":\"monthly-cost\",\"BudgetType\":\"COST\",\"TimeUnit\":\"MONTHLY\"}],"
         "\"NextToken\":\"page-2\"}"},
        {"GetAnomalyMonitors", NULL, 500, NULL, "text/html", "<html>Internal Server Error</html>"},
    };
    struct run r;
    run_start(&r, routes, sizeof routes / sizeof *routes);
    collect_account(&r.ctx);
    json_t *e = error_for(&r, "account", "GetAlternateContact");
    assert_non_null(e);
    assert_string_equal(str_at(e, "code"), "AccessDeniedException"); /* from the header */
    assert_string_equal(str_at(e, "region"), "global");
    assert_non_null(strstr(str_at(e, "message"), "not authorized"));
    e = error_for(&r, "budgets", "DescribeBudgets");
    assert_non_null(e);
    assert_string_equal(str_at(e, "code"), "ServiceUnavailableException");
    assert_string_equal(str_at(error_for(&r, "ce", "GetAnomalyMonitors"), "code"), "HTTP500");
    /* a half-read listing is no listing: nothing that could pass for "all budgets" */
    assert_int_equal(json_array_size(r.sink.resources), 0);
    run_end(&r);
}

/* ---- Access Analyzer ---- */

static void analyzers_of_a_region_are_one_resource(void **state)
{
    (void)state;
    static const struct route routes[] = {
        {"/analyzer", "nextToken=n2", 200, NULL, "application/json",
         "{\"analyzers\":[{\"arn\":\"arn:aws:access-analyzer:us-east-1:111122223333:analyzer/"
         "unused\",\"name\":"
         "\"unused\",\"type\":\"ACCOUNT_UNUSED_ACCESS\",\"createdAt\":\"2026-03-02T01:02:03Z\",\"status\":"
         "\"ACTIVE\","
         "\"configuration\":{\"unusedAccess\":{\"unusedAccessAge\":90}}}]}"},
        {"/analyzer", NULL, 200, NULL, "application/json",
         "{\"analyzers\":[{\"arn\":\"arn:aws:access-analyzer:us-east-1:111122223333:analyzer/"
         "account\",\"name\":"
         "\"account\",\"type\":\"ACCOUNT\",\"createdAt\":\"2026-03-02T01:02:03Z\",\"lastResourceAnalyzed\":"
         "\"arn:aws:s3:::logs\",\"lastResourceAnalyzedAt\":1793437200,\"status\":\"FAILED\",\"statusReason\":"
         "{\"code\":\"SERVICE_LINKED_ROLE_CREATION_FAILED\"},\"tags\":{\"team\":\"sec\"}}],\"nextToken\":"
         "\"n2\"}"},
    };
    struct run r;
    run_start(&r, routes, sizeof routes / sizeof *routes);
    collect_accessanalyzer(&r.ctx, "us-east-1");
    if (json_array_size(r.sink.errors))
        fail_msg("errors: %s", json_dumps(r.sink.errors, 0));
    assert_int_equal(json_array_size(r.sink.resources), 1);
    json_t *a = resource(&r, "aws_accessanalyzer_region", 0);
    assert_string_equal(str_at(a, "id"), "us-east-1");
    assert_string_equal(str_at(a, "region"), "us-east-1");
    json_t *list = json_object_get(json_object_get(a, "data"), "Analyzers");
    assert_int_equal(json_array_size(list), 2);
    assert_string_equal(str_at(json_array_get(list, 0), "statusReason.code"),
                        "SERVICE_LINKED_ROLE_CREATION_FAILED");
    assert_string_equal(str_at(json_array_get(list, 0), "lastResourceAnalyzedAt"), "2026-10-31T09:00:00Z");
    assert_string_equal(str_at(json_array_get(list, 1), "type"), "ACCOUNT_UNUSED_ACCESS");
    run_end(&r);

    static const struct route denied[] = {
        {"/analyzer", NULL, 403, "AccessDeniedException", "application/json", "{\"message\":\"denied\"}"},
    };
    run_start(&r, denied, 1);
    collect_accessanalyzer(&r.ctx, "ap-northeast-2");
    assert_int_equal(json_array_size(r.sink.resources), 0);
    json_t *e = error_for(&r, "accessanalyzer", "ListAnalyzers");
    assert_string_equal(str_at(e, "code"), "AccessDeniedException");
    assert_string_equal(str_at(e, "region"), "ap-northeast-2");
    run_end(&r);
}

/* ---- identity providers and Identity Center ---- */

static void identity_providers_and_instances(void **state)
{
    (void)state;
    static const struct route routes[] = {
        {"Action=ListSAMLProviders", NULL, 200, NULL, "text/xml",
         "<ListSAMLProvidersResponse "
         "xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><ListSAMLProvidersResult>"
         "<SAMLProviderList><member><Arn>arn:aws:iam::111122223333:saml-provider/"
         "AWSSSO_2f1e0d9c8b7a6f5e_DO_NOT_DELETE"
         "</Arn><ValidUntil>2126-01-01T00:00:00Z</ValidUntil><CreateDate>2025-06-01T00:00:00Z</CreateDate></"
         "member>"
         "</SAMLProviderList></ListSAMLProvidersResult><ResponseMetadata><RequestId>7a62c49f-347e-4fc4-9331-"
         "6e8eEXAMPLE</RequestId></ResponseMetadata></ListSAMLProvidersResponse>"},
        {"Action=ListOpenIDConnectProviders", NULL, 200, NULL, "text/xml",
         "<ListOpenIDConnectProvidersResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
         "<ListOpenIDConnectProvidersResult><OpenIDConnectProviderList><member><Arn>arn:aws:iam::"
         "111122223333:"
         "oidc-provider/token.actions.githubusercontent.com</Arn></member></OpenIDConnectProviderList>"
         "</"
         "ListOpenIDConnectProvidersResult><ResponseMetadata><RequestId>de2c0228-4f63-11e4-aefa-bfd6aEXAMPLE"
         "</RequestId></ResponseMetadata></ListOpenIDConnectProvidersResponse>"},
        {"ListInstances", NULL, 200, NULL, JSON,
         "{\"Instances\":[{\"InstanceArn\":\"arn:aws:sso:::instance/"
         "ssoins-7223a1b2c3d4e5f6\",\"IdentityStoreId\":"
         "\"d-9067c1a2b3\",\"OwnerAccountId\":\"111122223333\",\"Name\":\"corp\",\"CreatedDate\":1746057600,"
         "\"Status\":\"ACTIVE\"}]}"},
    };
    struct run r;
    run_start(&r, routes, sizeof routes / sizeof *routes);
    collect_identity(&r.ctx);
    collect_sso_admin(&r.ctx, "ap-northeast-2");
    if (json_array_size(r.sink.errors))
        fail_msg("errors: %s", json_dumps(r.sink.errors, 0));
    json_t *s = resource(&r, "aws_iam_saml_provider", 0);
    assert_string_equal(str_at(s, "id"), "AWSSSO_2f1e0d9c8b7a6f5e_DO_NOT_DELETE");
    assert_string_equal(str_at(s, "region"), "global");
    assert_string_equal(str_at(s, "data.ValidUntil"), "2126-01-01T00:00:00Z");
    assert_string_equal(str_at(resource(&r, "aws_iam_openid_connect_provider", 0), "id"),
                        "token.actions.githubusercontent.com");
    json_t *i = resource(&r, "aws_ssoadmin_instance", 0);
    assert_string_equal(str_at(i, "id"), "ssoins-7223a1b2c3d4e5f6");
    assert_string_equal(str_at(i, "region"), "ap-northeast-2");
    assert_string_equal(str_at(i, "data.CreatedDate"), "2025-05-01T00:00:00Z");
    run_end(&r);

    static const struct route failing[] = {
        {"Action=ListSAMLProviders", NULL, 403, NULL, "text/xml",
         "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized</Message>"
         "</Error></ErrorResponse>"},
        {"Action=ListOpenIDConnectProviders", NULL, 200, NULL, "text/xml",
         "<ListOpenIDConnectProvidersResponse><ListOpenIDConnectProvidersResult><OpenIDConnectProviderList/>"
         "</ListOpenIDConnectProvidersResult></ListOpenIDConnectProvidersResponse>"},
        {"ListInstances", NULL, 400, NULL, JSON,
         "{\"__type\":\"AccessDeniedException\",\"Message\":\"denied\"}"},
    };
    run_start(&r, failing, sizeof failing / sizeof *failing);
    collect_identity(&r.ctx);
    collect_sso_admin(&r.ctx, "eu-west-1");
    assert_int_equal(json_array_size(r.sink.resources), 0);
    assert_string_equal(str_at(error_for(&r, "iam", "ListSAMLProviders"), "region"), "global");
    json_t *e = error_for(&r, "sso-admin", "ListInstances");
    assert_string_equal(str_at(e, "code"), "AccessDeniedException");
    assert_string_equal(str_at(e, "region"), "eu-west-1");
    assert_null(error_for(&r, "iam", "ListOpenIDConnectProviders"));
    run_end(&r);
}

int run_collect_acct_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(account_answers_become_resources),
        cmocka_unit_test(account_not_configured_is_data),
        cmocka_unit_test(account_failures_are_errors),
        cmocka_unit_test(analyzers_of_a_region_are_one_resource),
        cmocka_unit_test(identity_providers_and_instances),
    };
    return cmocka_run_group_tests_name("collect_acct", tests, stub_start, stub_stop);
}
