"""tests/coverage/seed_edge.py — the "edge" controls' planted resources for tests/coverage.sh:
internet-facing load balancers (ELBv2) and their listeners, WAFv2 web ACLs, CloudFront
distributions and ACM certificates, each good or bad on purpose.

seed(url, regions) plants them in the moto server at url and returns the expectations
(control_id, resource_id, status) a live `ansim scan` must produce.

What moto 5.2.1 lacks, and what ansim must answer instead:
- wafv2 ListResourcesForWebACL answers HTTP 500, so an internet-facing ALB in a region that
  has any REGIONAL web ACL cannot be proven protected: waf.public_endpoints must say `error`
  for it (never pass). In a region without web ACLs nothing needs that call, and an ALB
  there is a plain `fail`.
- only classic ELB listeners mark an ACM certificate as in use (InUseBy), so the certificates
  are put in use through a classic load balancer (ansim does not read classic ELBs itself).
- moto's ListDistributions answers a DistributionSummary with only Id, ARN, Status,
  LastModifiedTime and DomainName: no WebACLId and no Restrictions. Both CloudFront controls
  must then say `error` (the fields are not in the snapshot), never pass or fail; the
  distributions are still planted good and bad, as they would be judged on AWS.
- ACM refuses to import a certificate that has already expired, so only "expires soon" is
  planted for acm.certificate_expiry.
"""
import datetime

import boto3
from botocore.config import Config
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


def _clients(url, region, *names):
    kw = dict(endpoint_url=url, region_name=region, aws_access_key_id="testing",
              aws_secret_access_key="testing", config=Config(retries={"max_attempts": 1}))
    return [boto3.client(n, **kw) for n in names]


def _certificate(domain, days):
    """A self-signed certificate for domain valid for days more days (PEM cert, PEM key)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, domain)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=30))
            .not_valid_after(now + datetime.timedelta(days=days))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(domain)]), critical=False)
            .sign(key, hashes.SHA256()))
    pem_key = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM), pem_key


def _network(ec2, region, cidr):
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    base = cidr.split(".")
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"{base[0]}.{base[1]}.{i}.0/24",
                                 AvailabilityZone=region + az)["Subnet"]["SubnetId"]
               for i, az in ((1, "a"), (2, "b"))]
    return vpc, subnets


def _redirect():
    return [{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443",
                                                    "StatusCode": "HTTP_301"}}]


def _web_acl(waf, name, scope):
    return waf.create_web_acl(Name=name, Scope=scope, DefaultAction={"Allow": {}},
                              VisibilityConfig={"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True,
                                                "MetricName": name})["Summary"]


def _distribution(cf, ref, web_acl="", geo=None):
    origin = "origin-" + ref
    config = {
        "CallerReference": ref, "Comment": "ansim coverage " + ref, "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [{
            "Id": origin, "DomainName": ref + ".example.com",
            "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"}}]},
        "DefaultCacheBehavior": {"TargetOriginId": origin, "ViewerProtocolPolicy": "redirect-to-https",
                                 "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"},
        "WebACLId": web_acl,
    }
    if geo:
        config["Restrictions"] = {"GeoRestriction": {"RestrictionType": "whitelist", "Quantity": len(geo),
                                                     "Items": geo}}
    return cf.create_distribution(DistributionConfig=config)["Distribution"]["Id"]


def seed(url, regions):
    region = regions[0]
    ec2, elbv2, elb, acm, waf = _clients(url, region, "ec2", "elbv2", "elb", "acm", "wafv2")
    expect = []
    vpc, subnets = _network(ec2, region, "10.77.0.0/16")

    # ACM: two imported certificates put in use by a classic load balancer
    ok_pem, ok_key = _certificate("www.edge-good.example", 200)
    soon_pem, soon_key = _certificate("www.edge-soon.example", 10)
    ok_cert = acm.import_certificate(Certificate=ok_pem, PrivateKey=ok_key)["CertificateArn"]
    soon_cert = acm.import_certificate(Certificate=soon_pem, PrivateKey=soon_key)["CertificateArn"]
    acm.import_certificate(Certificate=soon_pem, PrivateKey=soon_key)  # unused: no finding
    elb.create_load_balancer(LoadBalancerName="edge-classic", AvailabilityZones=[region + "a"], Listeners=[
        {"Protocol": "HTTPS", "LoadBalancerPort": 443, "InstanceProtocol": "HTTP", "InstancePort": 80,
         "SSLCertificateId": ok_cert},
        {"Protocol": "HTTPS", "LoadBalancerPort": 8443, "InstanceProtocol": "HTTP", "InstancePort": 80,
         "SSLCertificateId": soon_cert}])
    expect += [("acm.certificate_expiry", ok_cert, "pass"), ("acm.certificate_expiry", soon_cert, "fail")]

    # ELBv2: a good and a bad internet-facing ALB, a TLS NLB, an internal ALB (not judged)
    tg = elbv2.create_target_group(Name="edge-tg", Protocol="HTTP", Port=80, VpcId=vpc)["TargetGroups"][0]
    forward = [{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}]

    def lb(name, scheme="internet-facing", kind="application"):
        return elbv2.create_load_balancer(Name=name, Subnets=subnets, Scheme=scheme,
                                          Type=kind)["LoadBalancers"][0]["LoadBalancerArn"]

    def listener(arn, protocol, port, actions, policy=None):
        kw = {"SslPolicy": policy, "Certificates": [{"CertificateArn": ok_cert}]} if policy else {}
        elbv2.create_listener(LoadBalancerArn=arn, Protocol=protocol, Port=port, DefaultActions=actions, **kw)

    good = lb("edge-good-alb")
    listener(good, "HTTP", 80, _redirect())
    listener(good, "HTTPS", 443, forward, "ELBSecurityPolicy-TLS13-1-2-2021-06")
    bad = lb("edge-bad-alb")
    listener(bad, "HTTP", 80, forward)
    listener(bad, "HTTPS", 443, forward, "ELBSecurityPolicy-2016-08")
    nlb_tg = elbv2.create_target_group(Name="edge-nlb-tg", Protocol="TCP", Port=443, VpcId=vpc)["TargetGroups"][0]
    nlb = lb("edge-nlb", kind="network")
    listener(nlb, "TLS", 443, [{"Type": "forward", "TargetGroupArn": nlb_tg["TargetGroupArn"]}],
             "ELBSecurityPolicy-TLS13-1-2-2021-06")
    internal = lb("edge-internal-alb", scheme="internal")
    listener(internal, "HTTP", 80, forward)
    expect += [("elb.tls_listeners", "edge-good-alb:80", "pass"), ("elb.tls_listeners", "edge-good-alb:443", "pass"),
               ("elb.tls_listeners", "edge-bad-alb:80", "fail"), ("elb.tls_listeners", "edge-bad-alb:443", "fail"),
               ("elb.tls_listeners", "edge-nlb:443", "pass")]
    # no REGIONAL web ACL in this region: neither ALB is protected
    expect += [("waf.public_endpoints", "edge-good-alb", "fail"), ("waf.public_endpoints", "edge-bad-alb", "fail")]

    # a second region with a web ACL: ListResourcesForWebACL is a 500 in moto, so: error
    if len(regions) > 1:
        other = regions[1]
        ec2b, elbv2b, wafb = _clients(url, other, "ec2", "elbv2", "wafv2")
        _, subnets_b = _network(ec2b, other, "10.78.0.0/16")
        _web_acl(wafb, "edge-regional-acl", "REGIONAL")
        elbv2b.create_load_balancer(Name="edge-waf-alb", Subnets=subnets_b, Scheme="internet-facing",
                                    Type="application")
        expect.append(("waf.public_endpoints", "edge-waf-alb", "error"))

    # CloudFront (global; its web ACLs are CLOUDFRONT-scope ones in us-east-1)
    (cf, waf_us) = _clients(url, "us-east-1", "cloudfront", "wafv2")
    acl = _web_acl(waf_us, "edge-cloudfront-acl", "CLOUDFRONT")
    protected = _distribution(cf, "edge-protected", web_acl=acl["ARN"], geo=["KR"])
    open_dist = _distribution(cf, "edge-open")
    # on AWS: pass, fail, pass, fail; moto lists neither WebACLId nor Restrictions (see above)
    expect += [("waf.public_endpoints", protected, "error"), ("waf.public_endpoints", open_dist, "error"),
               ("cloudfront.geo_restriction", protected, "error"), ("cloudfront.geo_restriction", open_dist, "error")]
    return expect
