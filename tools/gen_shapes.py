#!/usr/bin/env python3
"""tools/gen_shapes.py > src/aws/shapes_gen.c — AWS response shapes as C tables.

Reads botocore's service models (the data files installed with botocore) and writes, for the
operations listed in OPS, every shape their outputs reach: structures with their members'
JSON names and XML element names, lists (member element name, flattened or not), maps, and
scalar types. src/aws/xml.c walks these tables to turn query / ec2 / rest-xml responses into
JSON with the AWS API field names the snapshot format (docs/resources.md) keeps.

Regenerate with `make shapes` after changing OPS or upgrading botocore; the output is
committed so building ansim never needs Python or botocore.
"""
import gzip
import json
import os
import sys

import botocore

# service -> the read operations ansim's collectors call (a subset of aws_op_allowed)
OPS = {
    "iam": ["GetAccountAuthorizationDetails", "GetAccountSummary", "GetAccountPasswordPolicy",
            "GenerateCredentialReport", "GetCredentialReport", "ListUsers", "ListMFADevices",
            "ListAccessKeys", "GetAccessKeyLastUsed", "GetLoginProfile", "ListPolicies", "GetPolicyVersion",
            "ListSAMLProviders", "ListOpenIDConnectProviders"],
    "sts": ["GetCallerIdentity", "AssumeRole"],
    "ec2": ["DescribeRegions", "DescribeSecurityGroups", "DescribeInstances", "DescribeVpcs",
            "DescribeFlowLogs", "GetEbsEncryptionByDefault", "DescribeRouteTables", "DescribeSubnets",
            "DescribeNatGateways", "DescribeInternetGateways", "DescribeVpcEndpoints"],
    "rds": ["DescribeDBInstances", "DescribeDBClusters", "DescribeOptionGroups"],
    "s3": ["ListBuckets", "GetBucketLocation", "GetPublicAccessBlock", "GetBucketPolicy",
           "GetBucketPolicyStatus", "GetBucketAcl", "GetBucketEncryption", "GetBucketVersioning",
           "GetObjectLockConfiguration", "GetBucketLifecycleConfiguration", "GetBucketTagging"],
    "s3control": ["GetPublicAccessBlock"],
    "cloudtrail": ["DescribeTrails", "GetTrailStatus", "GetEventSelectors"],
    "kms": ["ListKeys", "DescribeKey", "GetKeyRotationStatus", "GetKeyPolicy", "ListResourceTags"],
    "organizations": ["DescribeOrganization", "ListParents", "ListPoliciesForTarget", "DescribePolicy"],
    "guardduty": ["ListDetectors", "GetDetector"],
    # the wave-2/3 collectors (issue 5)
    "accessanalyzer": ["ListAnalyzers"],
    "account": ["GetAlternateContact"],
    "budgets": ["DescribeBudgets"],
    "ce": ["GetAnomalyMonitors"],
    "config": ["DescribeConfigurationRecorders", "DescribeConfigurationRecorderStatus",
               "DescribeDeliveryChannels"],
    "securityhub": ["DescribeHub", "GetEnabledStandards"],
    "cloudwatch": ["DescribeAlarms", "GetMetricStatistics", "GetMetricData"],
    "logs": ["DescribeLogGroups", "DescribeMetricFilters", "ListTagsForResource"],
    "sns": ["ListTopics", "ListSubscriptionsByTopic"],
    "macie2": ["GetMacieSession"],
    "inspector2": ["BatchGetAccountStatus"],
    "ssm": ["DescribeInstanceInformation", "GetDocument"],
    "wafv2": ["ListWebACLs", "ListResourcesForWebACL"],
    "cloudfront": ["ListDistributions"],
    "elbv2": ["DescribeLoadBalancers", "DescribeListeners", "DescribeSSLPolicies"],
    "acm": ["ListCertificates", "DescribeCertificate"],
    "secretsmanager": ["ListSecrets"],
    "workspaces": ["DescribeWorkspaces", "DescribeWorkspaceDirectories", "DescribeWorkspaceBundles",
                   "DescribeWorkspacesConnectionStatus"],
    "ds": ["DescribeDirectories"],
    "appstream": ["DescribeStacks", "DescribeFleets"],
    "network-firewall": ["ListFirewalls", "DescribeFirewall", "DescribeFirewallPolicy", "DescribeRuleGroup"],
    "sso-admin": ["ListInstances"],
}
# `ansim trail fetch|verify` (issue 6): listing a trail bucket, CloudTrail's public keys.
# Generated after OPS so that adding them only appends to the tables. (s3:GetObject is not
# here: it stays denied; src/aws/allow.c holds its one narrow exception for the trail commands.)
TRAIL_OPS = {
    "s3": ["ListObjectsV2"],
    "cloudtrail": ["ListPublicKeys"],
}

DATA = os.path.join(os.path.dirname(botocore.__file__), "data")
TYPES = {"structure": "SH_STRUCT", "list": "SH_LIST", "map": "SH_MAP", "string": "SH_STRING",
         "integer": "SH_INT", "long": "SH_INT", "boolean": "SH_BOOL", "double": "SH_DOUBLE",
         "float": "SH_DOUBLE", "timestamp": "SH_TIMESTAMP", "blob": "SH_STRING"}


def load(service):
    d = os.path.join(DATA, service)
    version = sorted(v for v in os.listdir(d) if os.path.isdir(os.path.join(d, v)))[-1]
    path = os.path.join(d, version, "service-2.json")
    if os.path.exists(path + ".gz"):
        with gzip.open(path + ".gz") as f:
            return json.load(f)
    with open(path) as f:
        return json.load(f)


def c_str(s):
    return "NULL" if s is None else '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


shapes, members, index, ops = [], [], {}, []


def add_shape(service, model, name, top=False):
    key = (service, name)
    if key in index:
        return index[key]
    s = model["shapes"][name]
    idx = len(shapes)
    index[key] = idx
    shape_type = TYPES.get(s["type"], "SH_STRING")
    if service == "iam" and name == "policyDocumentType":
        shape_type = "SH_POLICY"  # URL-encoded JSON: decoded as botocore's handlers do
    entry = {"type": shape_type, "flattened": int(bool(s.get("flattened"))),
             "member_xml": None, "member": -1, "key": -1, "key_xml": None, "value_xml": None,
             "first": 0, "n": 0, "name": f"{service}.{name}"}
    shapes.append(entry)
    if s["type"] == "structure":
        mlist = []
        for mname, m in s.get("members", {}).items():
            if top and m.get("location"):  # headers, status code: not in the document
                continue
            mlist.append((mname, m))
        children = [(mname, m.get("locationName", mname), add_shape(service, model, m["shape"]),
                     int(bool(m.get("flattened"))), int(bool(m.get("xmlAttribute")))) for mname, m in mlist]
        entry["first"], entry["n"] = len(members), len(children)
        members.extend(children)
    elif s["type"] == "list":
        entry["member_xml"] = s["member"].get("locationName", "member")
        entry["member"] = add_shape(service, model, s["member"]["shape"])
    elif s["type"] == "map":
        entry["key_xml"] = s["key"].get("locationName", "key")
        entry["value_xml"] = s["value"].get("locationName", "value")
        entry["key"] = add_shape(service, model, s["key"]["shape"])
        entry["member"] = add_shape(service, model, s["value"]["shape"])
    return idx


READ = ("Describe", "Get", "List")
# not named like reads, yet change nothing in the account: the credential report is a
# cached document IAM builds on request; AssumeRole only returns temporary credentials
# BatchGetAccountStatus only reads (it is named for taking several accounts)
WRITES_ALLOWED = {("iam", "GenerateCredentialReport"), ("sts", "AssumeRole"),
                  ("inspector2", "BatchGetAccountStatus")}
# protocols the call layer speaks, in order of preference (a model may offer several:
# CloudWatch lists smithy-rpc-v2-cbor first, then json and query)
PROTOCOLS = ("query", "ec2", "json", "rest-json", "rest-xml")
for service, names in list(OPS.items()) + list(TRAIL_OPS.items()):
    for op in names:  # the table is also the read-only allow-list (src/aws/query.c)
        if not op.startswith(READ) and (service, op) not in WRITES_ALLOWED:
            sys.exit(f"gen_shapes: {service}:{op} is not a read operation")
    model = load(service)
    meta = model["metadata"]
    for op in names:
        o = model["operations"][op]
        out = o.get("output")
        payload = model["shapes"][out["shape"]].get("payload") if out else None
        if payload:  # the document is the payload member's shape (REST protocols)
            shape = add_shape(service, model, model["shapes"][out["shape"]]["members"][payload]["shape"])
        else:
            shape = add_shape(service, model, out["shape"], top=True) if out else -1
        offered = meta.get("protocols", [meta["protocol"]])
        proto = next((p for p in PROTOCOLS if p in offered), None)
        if proto is None:
            sys.exit(f"gen_shapes: {service} speaks none of {PROTOCOLS}")
        ops.append((service, op, proto, meta["apiVersion"], (out or {}).get("resultWrapper"), shape,
                    o["http"]["method"], o["http"]["requestUri"], meta.get("targetPrefix"),
                    meta.get("jsonVersion"), payload, meta.get("signingName", meta["endpointPrefix"])))

w = sys.stdout.write
w(f"/* shapes_gen.c — GENERATED by tools/gen_shapes.py from botocore {botocore.__version__}; do not edit.\n"
  " * The output shapes of the operations ansim calls (see src/aws/xml.c). */\n")
w('#include "shapes.h"\n\n')
w("const struct aws_shape aws_shapes[] = {\n")
for s in shapes:
    w(f"    {{{s['type']}, {s['flattened']}, {c_str(s['member_xml'])}, {s['member']}, {s['key']}, "
      f"{c_str(s['key_xml'])}, {c_str(s['value_xml'])}, {s['first']}, {s['n']}}}, /* {s['name']} */\n")
w("};\n\nconst struct aws_member aws_members[] = {\n")
for name, xml, shape, flat, attr in members:
    w(f"    {{{c_str(name)}, {c_str(xml)}, {shape}, {flat}, {attr}}},\n")
w("};\n\nconst struct aws_op aws_ops[] = {\n")
for service, op, proto, version, wrapper, shape, method, uri, target, jsonv, payload, signing in ops:
    w(f"    {{{c_str(service)}, {c_str(op)}, {c_str(proto)}, {c_str(version)}, {c_str(wrapper)}, {shape},\n"
      f"     {c_str(method)}, {c_str(uri)}, {c_str(target)}, {c_str(jsonv)}, {c_str(payload)}, {c_str(signing)}}},\n")
w(f"}};\n\nconst size_t aws_nops = {len(ops)};\n")

# service -> where it is reached: the endpoint prefix, the service id (for
# AWS_ENDPOINT_URL_<SERVICE_ID>), and for a global service its host in the aws partition
with open(os.path.join(DATA, "endpoints.json")) as f:
    aws_partition = next(p for p in json.load(f)["partitions"] if p["partition"] == "aws")
w("\nconst struct aws_service aws_services[] = {\n")
for service in OPS:
    meta = load(service)["metadata"]
    prefix = meta["endpointPrefix"]
    ep = aws_partition["services"].get(prefix, {})
    glob = ep.get("endpoints", {}).get(ep.get("partitionEndpoint", ""), {}) if ep.get("isRegionalized") is False else {}
    # the aws-partition regions that offer it: a space-separated list, NULL when the
    # service is global or offered everywhere botocore knows (then assumed available)
    offered = sorted(r for r in ep.get("endpoints", {}) if r in aws_partition["regions"])
    everywhere = len(offered) == len(aws_partition["regions"]) or glob
    regions = None if everywhere or not offered else " " + " ".join(offered) + " "
    w(f"    {{{c_str(service)}, {c_str(prefix)}, {c_str(meta['serviceId'])}, {c_str(glob.get('hostname'))},\n"
      f"     {c_str(regions)}}},\n")
w(f"}};\n\nconst size_t aws_nservices = {len(OPS)};\n")
# the aws-partition regions botocore knows: a region outside it is newer than these data,
# and every service is assumed offered there
w("\nconst char aws_known_regions[] = " + c_str(" " + " ".join(sorted(aws_partition["regions"])) + " ") + ";\n")
