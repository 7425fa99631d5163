#!/usr/bin/env python3
"""tests/iam_fuzz.py ANSIM [--seed N] [--count N] [--sim-dir DIR] [--dump FILE] [--verbose]

Differential fuzzing of ansim's IAM engine against @cloud-copilot/iam-simulate.

It generates COUNT random but valid requests with their policies from a fixed SEED (the
same seed always gives the same cases), runs all of them through ONE `ansim iam eval -`
process (a JSON list on stdin) and through the simulator in ONE node process
(tests/iam_fuzz_sim.mjs), and compares the decisions (allow / explicit_deny /
implicit_deny). The simulator is installed at test time into a fresh temporary folder
(`npm install --prefix DIR @cloud-copilot/iam-simulate`); if npm or the install fails
that is a failure, never a skip. --sim-dir DIR reuses an installed copy instead.

The cases cover every condition operator family (String*, Numeric*, Date*, Bool,
BinaryEquals, IpAddress/NotIpAddress, Arn*, Null), ...IfExists, ForAnyValue:/ForAllValues:
on missing, empty and multi-valued keys, policy variables (${aws:username},
${aws:PrincipalTag/x}, defaults ${k, 'd'}, the ${*} ${?} ${$} escapes), * and ? in
actions and resources, NotAction / NotResource / NotPrincipal, resource policies naming
the caller by account id, root ARN, role ARN, session ARN, user ARN, "*" or service,
permissions boundaries, session policies, SCP and RCP levels, VPC endpoint policies,
same- and cross-account requests, KMS key and role trust policies, and users, roles, role
sessions, federated users, the root user, service principals and anonymous callers.

"Valid" means what AWS accepts and documents: requests carry the context keys AWS always
sets for the caller (aws:PrincipalArn, aws:PrincipalAccount, aws:username for users),
multi-valued keys are lists and are tested with set operators, policy variables name
single-valued keys, and each kind of caller gets only the policies that can apply to it
(no SCPs for service or anonymous callers, session policies only for sessions, no identity
policies for the root user, anonymous or service callers; every KMS key has a key policy and
every role a trust policy), and IAM names are unique in an account whatever their path.

Every disagreement is either a bug to fix in src/iam/ or one of the KNOWN divergence
classes below: a rule AWS's documentation states (quoted there, with its address) and the
simulator does not follow. A disagreement is never excused wholesale: each class rewrites
the case so that, by its documented rule, AWS's decision cannot change while the simulator's
deviation no longer comes into play, and the disagreement belongs to the class only when
both engines, run again on the rewritten case, then agree on ansim's original decision.
Counting is per case: a case passes when the decisions agree or its disagreement is
classified; it fails when they disagree unexplained or either engine cannot evaluate it
(or the simulator drops a context key: a generator bug). Prints one line per failure, the
divergence classes seen with their counts, and "N passed, M failed"; exits 1 on failure.
"""
import argparse
import collections
import datetime
import itertools
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
A, B, C = "111111111111", "222222222222", "333333333333"
REGIONS = ["us-east-1", "eu-west-1", "ap-northeast-2"]
ORG, OTHER_ORG = "o-abc123", "o-xyz789"
OU1 = f"{ORG}/r-ab12/ou-ab12-11111111/"
OU2 = f"{ORG}/r-ab12/ou-ab12-22222222/"

# ---------------------------------------------------------------------------------------
# The world: callers, targets, context keys
# ---------------------------------------------------------------------------------------

# action -> kind of resource it takes ("*": a wildcard-only action)
TARGETS = [
    ("s3:GetObject", "object"), ("s3:PutObject", "object"), ("s3:DeleteObject", "object"),
    ("s3:ListBucket", "bucket"), ("s3:ListAllMyBuckets", "*"),
    ("dynamodb:GetItem", "table"), ("dynamodb:PutItem", "table"),
    ("sqs:SendMessage", "queue"), ("sns:Publish", "topic"),
    ("secretsmanager:GetSecretValue", "secret"), ("lambda:InvokeFunction", "function"),
    ("ec2:DescribeInstances", "*"), ("kms:Decrypt", "key"), ("sts:AssumeRole", "role"),
]
SAME_SERVICE = {
    "s3": ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:GetObjectAcl", "s3:DeleteBucket"],
    "dynamodb": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:DeleteTable"],
    "sqs": ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteQueue"],
    "sns": ["sns:Publish", "sns:Subscribe"],
    "secretsmanager": ["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"],
    "lambda": ["lambda:InvokeFunction", "lambda:GetFunction"],
    "ec2": ["ec2:DescribeInstances", "ec2:DescribeVpcs", "ec2:RunInstances"],
    "kms": ["kms:Decrypt", "kms:Encrypt", "kms:ScheduleKeyDeletion"],
    "sts": ["sts:AssumeRole", "sts:TagSession"],
}
BUCKETS = ["data-a", "data-b", "logs"]
KEYS = ["alice/report.csv", "bob/x.txt", "public/index.html", "carol/a?b.txt", "team/red/plan.md"]
TABLES = ["prod-users", "dev-orders", "Prod-Users"]

# single-valued context keys: key -> (type, values)
SINGLE = {
    "aws:PrincipalOrgID": ("String", [ORG, OTHER_ORG]),
    "aws:PrincipalTag/team": ("String", ["red", "blue", "Red"]),
    "aws:PrincipalTag/env": ("String", ["prod", "dev"]),
    "aws:PrincipalTag/bin": ("Binary", ["QmluYXJ5", "YWJj"]),
    "aws:RequestedRegion": ("String", REGIONS),
    "aws:SourceVpc": ("String", ["vpc-111", "vpc-222"]),
    "aws:SourceVpce": ("String", ["vpce-1a", "vpce-2b"]),
    "aws:ResourceTag/team": ("String", ["red", "blue"]),
    "aws:RequestTag/team": ("String", ["red", "blue"]),
    "aws:UserAgent": ("String", ["aws-cli/2.15", "Boto3/1.34*"]),
    "aws:SourceAccount": ("String", [A, B, C]),
    "aws:SourceArn": ("ARN", ["arn:aws:s3:::data-a", "arn:aws:sns:us-east-1:111111111111:alerts",
                              "arn:aws:lambda:eu-west-1:222222222222:function:fn1"]),
    "aws:MultiFactorAuthAge": ("Numeric", ["0", "300", "3600", "86400", "1.5"]),
    "aws:CurrentTime": ("Date", ["2024-01-01T00:00:00Z", "2025-06-15T12:30:00Z", "2026-12-31T23:59:59Z"]),
    "aws:EpochTime": ("Date", ["1700000000", "1750000000", "1800000000"]),
    "aws:TokenIssueTime": ("Date", ["2025-06-15T12:00:00Z", "2025-06-15T12:30:00Z"]),
    "aws:SecureTransport": ("Bool", ["true", "false"]),
    "aws:MultiFactorAuthPresent": ("Bool", ["true", "false"]),
    "aws:ViaAWSService": ("Bool", ["true", "false"]),
    "aws:SourceIp": ("IP", ["10.1.2.3", "192.168.5.5", "203.0.113.9", "2001:db8::1", "2001:db8:1::5"]),
    "aws:VpcSourceIp": ("IP", ["10.0.0.7", "172.16.0.1"]),
}
# multi-valued (ArrayOf...) context keys: key -> values a request may hold
MULTI = {
    "aws:TagKeys": ["team", "env", "owner", "Team"],
    "aws:PrincipalOrgPaths": [OU1, OU2],
    "aws:CalledVia": ["cloudformation.amazonaws.com", "athena.amazonaws.com"],
    "aws:ResourceOrgPaths": [OU1, OU2],
}
# keys set from the caller (present when the caller has them)
CALLER_KEYS = {"aws:PrincipalArn": "ARN", "aws:PrincipalAccount": "String", "aws:username": "String",
               "aws:userid": "String", "aws:PrincipalType": "String",
               "aws:PrincipalServiceName": "String", "aws:PrincipalIsAWSService": "Bool"}

VARIABLES = ["${aws:username}", "${aws:PrincipalTag/team}", "${aws:PrincipalAccount}", "${aws:userid}",
             "${aws:PrincipalTag/team, 'red'}", "${aws:PrincipalTag/env, 'dev'}", "${aws:SourceAccount}"]


class Gen:
    """Random cases from one random.Random: gen() returns one request in the ansim form."""

    def __init__(self, seed):
        self.r = random.Random(seed)

    def chance(self, p):
        return self.r.random() < p

    def pick(self, seq):
        return self.r.choice(seq)

    def some(self, seq, lo=1, hi=2):
        n = self.r.randint(lo, min(hi, len(seq)))
        return self.r.sample(list(seq), n)

    def one_or_list(self, vals):
        return vals[0] if len(vals) == 1 and self.chance(0.6) else list(vals)

    # ---- the caller ---------------------------------------------------------------
    def caller(self):
        kind = self.r.choices(["user", "role", "session", "federated", "root", "service", "anonymous"],
                              [22, 8, 26, 7, 6, 6, 6])[0]
        acct = self.pick([A, A, B])
        p = {"kind": kind, "account": acct, "ctx": {}}
        if kind == "user":
            name, path = self.pick(["alice", "bob", "carol"]), self.pick(["", "", "dev/"])
            p["arn"] = f"arn:aws:iam::{acct}:user/{path}{name}"
            p["ctx"] = {"aws:username": name, "aws:userid": "AIDAEXAMPLE" + name.upper(), "aws:PrincipalType": "User"}
        elif kind == "role":
            name, path = self.pick(["app", "ops"]), self.pick(["", "svc/"])
            p["arn"] = p["role"] = f"arn:aws:iam::{acct}:role/{path}{name}"
        elif kind == "session":
            name, path, sess = self.pick(["app", "ops"]), self.pick(["", "svc/"]), self.pick(["s1", "alice"])
            p["arn"] = f"arn:aws:sts::{acct}:assumed-role/{name}/{sess}"
            p["role"] = f"arn:aws:iam::{acct}:role/{path}{name}"
            p["ctx"] = {"aws:userid": f"AROAEXAMPLE:{sess}", "aws:PrincipalType": "AssumedRole"}
        elif kind == "federated":
            name = self.pick(["carol", "dave"])
            p["arn"] = f"arn:aws:sts::{acct}:federated-user/{name}"
            p["user"] = f"arn:aws:iam::{acct}:user/{name}"
            p["ctx"] = {"aws:userid": f"{acct}:{name}", "aws:PrincipalType": "FederatedUser"}
        elif kind == "root":
            p["arn"] = f"arn:aws:iam::{acct}:root"
            p["ctx"] = {"aws:userid": acct, "aws:PrincipalType": "Account"}
        elif kind == "service":
            p["arn"] = self.pick(["lambda.amazonaws.com", "cloudtrail.amazonaws.com"])
            p["account"] = None
            p["ctx"] = {"aws:PrincipalServiceName": p["arn"], "aws:PrincipalIsAWSService": "true"}
        else:
            p["arn"] = None
            p["account"] = None
        if kind in ("user", "role", "session", "federated", "root"):
            p["ctx"]["aws:PrincipalArn"] = p.get("role") or p["arn"]
            p["ctx"]["aws:PrincipalAccount"] = acct
            p["ctx"]["aws:PrincipalIsAWSService"] = "false"
        return p

    # ---- the target -----------------------------------------------------------------
    def target(self, racct):
        action, kind = self.pick(TARGETS)
        region = self.pick(REGIONS)
        if kind == "object":
            res = f"arn:aws:s3:::{self.pick(BUCKETS)}/{self.pick(KEYS)}"
        elif kind == "bucket":
            res = f"arn:aws:s3:::{self.pick(BUCKETS)}"
        elif kind == "table":
            res = f"arn:aws:dynamodb:{region}:{racct}:table/{self.pick(TABLES)}"
        elif kind == "queue":
            res = f"arn:aws:sqs:{region}:{racct}:{self.pick(['jobs', 'jobs-dlq'])}"
        elif kind == "topic":
            res = f"arn:aws:sns:{region}:{racct}:{self.pick(['alerts', 'Alerts'])}"
        elif kind == "secret":
            res = f"arn:aws:secretsmanager:{region}:{racct}:secret:{self.pick(['db-pass', 'api-key'])}-AbCdEf"
        elif kind == "function":
            res = f"arn:aws:lambda:{region}:{racct}:function:{self.pick(['fn1', 'fn2'])}"
        elif kind == "key":
            res = f"arn:aws:kms:{region}:{racct}:key/{self.pick(['1234abcd-12ab-34cd-56ef-1234567890ab', 'mrk-0f1e'])}"
        elif kind == "role":
            res = f"arn:aws:iam::{racct}:role/{self.pick(['target', 'deploy', 'svc/app'])}"
        else:
            res = "*"
        return action, res

    # ---- Action / Resource patterns -------------------------------------------------
    def action_pattern(self, action):
        svc, name = action.split(":")
        forms = [
            action, action, action.lower(), svc.upper() + ":" + name.lower(), f"{svc}:{name[:3]}*", f"{svc}:*",
            "*", f"{svc}:*{name[-4:]}", f"{svc}:{name[0]}?{name[2:]}", f"{svc}:{name[:-1]}?",
            self.pick(SAME_SERVICE[svc]), self.pick([a for a, _ in TARGETS]), "sts:AssumeRole",
        ]
        return self.pick(forms)

    def actions(self, action):
        return self.one_or_list([self.action_pattern(action) for _ in range(self.r.randint(1, 3))])

    def resource_pattern(self, res):
        if res == "*":
            return self.pick(["*", "*", "arn:aws:s3:::data-a", "arn:aws:ec2:*:*:instance/*"])
        parts = res.split(":", 5)
        svc, region, acct, rest = parts[2], parts[3], parts[4], parts[5]
        forms = [res, res, "*", f"arn:aws:{svc}:{region}:{acct}:*", f"arn:aws:{svc}:*:{acct}:{rest}",
                 f"arn:aws:{svc}:{region}:*:{rest}", f"arn:aws:{svc}:*:*:*"]
        if svc == "s3":
            bucket, _, key = rest.partition("/")
            forms += [f"arn:aws:s3:::{bucket}/*", f"arn:aws:s3:::{bucket}*", "arn:aws:s3:::data-?/*",
                      f"arn:aws:s3:::{bucket}", "arn:aws:s3:::logs/*", f"arn:aws:s3:::{bucket}/*/*",
                      f"arn:aws:s3:::{bucket}/{key.split('/')[0]}/*", f"arn:aws:s3:::*/{key}"]
            forms += [f"arn:aws:s3:::{bucket}/${{aws:username}}/*", "arn:aws:s3:::data-a/${aws:username}/*",
                          f"arn:aws:s3:::{bucket}/team/${{aws:PrincipalTag/team}}/*",
                          f"arn:aws:s3:::{bucket}/${{aws:PrincipalTag/team, 'team'}}/*",
                          f"arn:aws:s3:::{bucket}/carol/a${{?}}b.txt", f"arn:aws:s3:::{bucket}/carol/a?b.txt"]
        else:
            head = rest.split("/")[0].split(":")[0]
            if self.chance(0.3):  # a '*' ending a field that has to run past the colons
                forms += [f"arn:aws:{svc}:{region[:3]}*:{rest}", f"arn:aws:{svc}:*:{rest}"]
            forms += [f"arn:aws:{svc}:{region}:{acct}:{head}*", f"arn:aws:{svc}:{region}:{acct}:{rest[:-2]}??",
                      f"arn:aws:{svc}:{region}:{acct}:{rest.upper()}", f"arn:aws:{svc}:{region}:{C}:{rest}",
                      f"arn:aws:{svc}:*:{acct}:{rest[:len(rest) // 2]}*"]
            forms += [f"arn:aws:{svc}:{region}:${{aws:PrincipalAccount}}:{rest}",  # literal before the 5th ':'
                      f"arn:aws:{svc}:*:{acct}:{head}${{*}}"]
        return self.pick(forms)

    def resources(self, res):
        return self.one_or_list([self.resource_pattern(res) for _ in range(self.r.randint(1, 2))])

    # ---- conditions -------------------------------------------------------------------
    def string_values(self, key, like):
        dom = SINGLE.get(key, (None, []))[1] or MULTI.get(key, [])
        if key == "aws:PrincipalArn":
            dom = [self.p.get("role") or self.p["arn"] or "x"] if self.p.get("arn") else []
            dom += ["arn:aws:iam::111111111111:role/app", "arn:aws:iam::222222222222:user/alice"]
        elif key in ("aws:PrincipalAccount", "aws:SourceAccount"):
            dom = [A, B]
        elif key == "aws:username":
            dom = ["alice", "bob", "Alice"]
        elif key == "aws:userid":
            dom = ["AIDAEXAMPLEALICE", "AROAEXAMPLE:s1"]
        elif key == "aws:PrincipalType":
            dom = ["User", "AssumedRole"]
        vals = list(dom) + ["other"]
        if like:
            vals += ["*", "re*", "?ed", "*amazonaws.com", "o-*", OU1 + "*", "aws-cli/*", "Boto3/1.34${*}"]
        if self.chance(0.3):
            vals.append(self.pick(VARIABLES + ["${$}x", "lit${*}"]))
        return self.some(vals, 1, 3)

    def condition_entry(self):
        """One (operator, key, values)."""
        fam = self.r.choices(["String", "Numeric", "Date", "Bool", "Binary", "IP", "Arn", "Null", "Set"],
                             [24, 7, 8, 7, 3, 9, 9, 8, 18])[0]
        if fam == "String":
            op = self.pick(["StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
                            "StringLike", "StringNotLike"])
            key = self.pick([k for k, (t, _) in SINGLE.items() if t == "String"] +
                            ["aws:username", "aws:userid", "aws:PrincipalAccount", "aws:PrincipalType"])
            vals = self.string_values(key, "Like" in op)
        elif fam == "Numeric":
            op = self.pick(["NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
                            "NumericGreaterThan", "NumericGreaterThanEquals"])
            key, vals = "aws:MultiFactorAuthAge", self.some(["0", "300", "3600", "1000.5", "-1", "86400"], 1, 2)
        elif fam == "Date":
            op = self.pick(["DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan",
                            "DateGreaterThanEquals"])
            key = self.pick(["aws:CurrentTime", "aws:EpochTime", "aws:TokenIssueTime"])
            vals = self.some(["2025-01-01T00:00:00Z", "2025-06-15T12:30:00Z", "2026-01-01", "1750000000",
                              "2024-06-01T00:00:00Z", "1800000000"], 1, 2)
        elif fam == "Bool":
            op, key = "Bool", self.pick(["aws:SecureTransport", "aws:MultiFactorAuthPresent", "aws:ViaAWSService",
                                         "aws:PrincipalIsAWSService"])
            vals = self.some(["true", "false"], 1, 1)
        elif fam == "Binary":
            op, key, vals = "BinaryEquals", "aws:PrincipalTag/bin", self.some(["QmluYXJ5", "YWJj", "Zm9v"], 1, 2)
        elif fam == "IP":
            op = self.pick(["IpAddress", "NotIpAddress"])
            key = self.pick(["aws:SourceIp", "aws:SourceIp", "aws:VpcSourceIp"])
            vals = self.some(["10.0.0.0/8", "192.168.0.0/16", "203.0.113.0/24", "10.1.2.3", "2001:db8::/32",
                              "2001:db8::1", "172.16.0.0/12", "0.0.0.0/0"], 1, 2)
        elif fam == "Arn":
            op = self.pick(["ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"])
            key = self.pick(["aws:SourceArn", "aws:PrincipalArn"])
            vals = self.some(["arn:aws:s3:::data-*", "arn:aws:s3:::data-a", "arn:aws:sns:*:111111111111:*",
                              "arn:aws:lambda:*:*:function:fn?", "arn:aws:iam::111111111111:role/*",
                              "arn:aws:iam::*:user/*", "arn:aws:iam::${aws:PrincipalAccount}:*",
                              "arn:aws:iam::111111111111:role/svc/app", "arn:aws:*:*:111111111111:*"], 1, 2)
        elif fam == "Null":
            op = "Null"
            key = self.pick(list(SINGLE) + list(MULTI) + ["aws:username", "aws:PrincipalArn"])
            vals = self.some(["true", "false"], 1, 1)
        else:  # a set operator, mostly on multi-valued keys
            op = self.pick(["ForAnyValue:", "ForAllValues:"]) + self.pick(
                ["StringEquals", "StringLike", "StringNotEquals", "StringNotLike", "StringEqualsIgnoreCase"])
            key = (self.pick(list(MULTI)) if self.chance(0.85)
                   else self.pick(["aws:PrincipalTag/team", "aws:RequestedRegion"]))
            vals = self.string_values(key, "Like" in op)
        if fam in ("Numeric", "Bool") and self.chance(0.25):  # JSON numbers and booleans, as AWS accepts
            vals = [float(v) if "." in v else int(v) if fam == "Numeric" else v == "true" for v in vals]
        if op != "Null" and self.chance(0.2):
            op += "IfExists"
        if self.chance(0.1):
            key = key.upper() if self.chance(0.5) else key.lower()
        return op, key, vals

    def condition(self):
        cond = {}
        for _ in range(self.r.randint(1, 2)):
            op, key, vals = self.condition_entry()
            cond.setdefault(op, {})[key] = self.one_or_list(vals)
        return cond

    # ---- statements and policies ----------------------------------------------------
    def statement(self, kind, allow_p=0.85, principals=None):
        st = {}
        if self.chance(0.15):
            st["Sid"] = self.pick(["S1", "ReadData", "DenyOthers"])
        st["Effect"] = "Allow" if self.chance(allow_p) else "Deny"
        if kind == "rcp":
            st["Effect"] = "Deny"
        if kind != "rcp" and self.chance(0.12):
            st["NotAction"] = self.actions(self.action)
        else:
            acts = self.actions(self.action)
            if kind == "rcp":  # RCPs take Action, never "*"
                acts = [a for a in (acts if isinstance(acts, list) else [acts]) if a != "*"] or self.action
            st["Action"] = acts
        if not (kind == "resource" and self.chance(0.1)):
            rkey = "NotResource" if self.chance(0.12) else "Resource"
            st[rkey] = self.resources(self.resource)
        if principals:
            principals(st)
        # guardrails mostly carry conditions; a Deny without one shadows every other path
        if self.chance(0.9 if kind == "rcp" else 0.7 if st["Effect"] == "Deny" else 0.3):
            st["Condition"] = self.condition()
        return st

    def policy(self, kind, nmax=3, allow_p=0.85, principals=None):
        stmts = [self.statement(kind, allow_p, principals) for _ in range(self.r.randint(1, nmax))]
        doc = {"Statement": stmts if len(stmts) > 1 or self.chance(0.7) else stmts[0]}
        if kind == "rcp" or self.chance(0.93):
            doc = {"Version": "2012-10-17", **doc}
        elif self.chance(0.5):
            doc = {"Version": "2008-10-17", **doc}
        return doc

    # ---- resource policy principals ----------------------------------------------------
    def principal_value(self):
        p, acct = self.p, self.p["account"] or self.pick([A, B])
        # IAM names are unique within an account whatever the path, so the others are named apart
        forms = ["*", {"AWS": "*"}, {"AWS": acct}, {"AWS": f"arn:aws:iam::{acct}:root"}, {"AWS": B},
                 {"AWS": f"arn:aws:iam::{C}:root"}, {"Service": "lambda.amazonaws.com"},
                 {"Service": "cloudtrail.amazonaws.com"}, {"AWS": f"arn:aws:iam::{acct}:user/erin"},
                 {"AWS": f"arn:aws:iam::{acct}:role/deploy"}, {"AWS": f"arn:aws:sts::{acct}:assumed-role/deploy/s1"},
                 ]
        other = B if acct == A else A  # the caller's name in another account is someone else
        for mine in (p.get("role"), p.get("user"), p["arn"] if p["kind"] == "user" else None):
            if mine:
                forms.append({"AWS": mine.replace(f"::{acct}:", f"::{other}:")})
        if p["kind"] == "session":  # another session of the same role
            forms.append({"AWS": p["arn"].rsplit("/", 1)[0] + "/other"})
        if p["kind"] in ("user", "role", "session", "federated", "root"):
            forms += [{"AWS": p["arn"]}] * 4
        if p.get("role"):
            forms += [{"AWS": p["role"]}] * 3
        if p.get("user"):
            forms += [{"AWS": p["user"]}] * 2
        if p["kind"] == "service":
            forms += [{"Service": p["arn"]}] * 3
        v = self.pick(forms)
        if isinstance(v, dict) and self.chance(0.25):  # a list of several
            extra = self.pick(forms)
            if isinstance(extra, dict):
                merged = {}
                for d in (v, extra):
                    for k, x in d.items():
                        merged.setdefault(k, [])
                        if x not in merged[k]:
                            merged[k].append(x)
                v = {k: (x[0] if len(x) == 1 else x) for k, x in merged.items()}
        return v

    def not_principal_value(self):
        p, acct = self.p, self.p["account"] or A
        names = [f"arn:aws:iam::{acct}:root", acct, f"arn:aws:iam::{B}:root"]
        if p.get("arn") and p["kind"] not in ("service", "anonymous"):
            names += [p["arn"], p["arn"]]
        if p.get("role"):
            names += [p["role"], p["role"]]
        if p.get("user"):
            names.append(p["user"])
        aws = self.some(names, 1, 3)
        v = {"AWS": aws[0] if len(aws) == 1 else aws}
        if self.chance(0.15):
            v["Service"] = "lambda.amazonaws.com"
        return v

    def rp_principals(self, st):
        if st["Effect"] == "Deny" and self.chance(0.25):
            st["NotPrincipal"] = self.not_principal_value()
        else:
            st["Principal"] = self.principal_value()

    # ---- context ------------------------------------------------------------------------
    def context(self):
        ctx = dict(self.p["ctx"])
        for key, (_, vals) in SINGLE.items():
            if self.chance(0.35):
                ctx[key] = self.pick(vals)
        for key, vals in MULTI.items():
            if self.chance(0.35):
                ctx[key] = self.r.sample(vals, self.r.randint(0, len(vals)))
        kind = self.p["kind"]
        if kind in ("root", "service", "anonymous"):  # no tags; no organization but the root user's
            for k in ("aws:PrincipalTag/team", "aws:PrincipalTag/env", "aws:PrincipalTag/bin") + (
                    ("aws:PrincipalOrgID", "aws:PrincipalOrgPaths") if kind != "root" else ()):
                ctx.pop(k, None)
        if self.chance(0.1):  # key names are case-insensitive
            k = self.pick(sorted(ctx)) if ctx else None
            if k and k not in CALLER_KEYS:
                ctx[k.upper()] = ctx.pop(k)
        return ctx

    # ---- one case -----------------------------------------------------------------------
    def gen(self):
        self.p = p = self.caller()
        racct = p["account"] if p["account"] and self.chance(0.55) else self.pick([A, B])
        self.action, self.resource = self.target(racct)
        q = {"principal": p["arn"], "action": self.action, "resource": self.resource, "resource_account": racct,
             "context": self.context()}
        identity = p["kind"] in ("user", "role", "session", "federated")
        if identity:
            q["identity_policies"] = [self.policy("identity") for _ in range(self.r.randint(0, 2))]
        # every KMS key has a key policy and every role a trust policy
        if self.chance(0.6) or self.action in ("kms:Decrypt", "sts:AssumeRole"):
            q["resource_policy"] = self.policy("resource", 3, 0.75, self.rp_principals)
        if identity and p["kind"] != "federated" and self.chance(0.2):
            q["permission_boundary"] = self.policy("boundary", 2, 0.85)
        if p["kind"] in ("session", "federated") and self.chance(0.45):
            q["session_policy"] = self.policy("session", 2, 0.85)
        if self.chance(0.1):
            q["endpoint_policies"] = [self.policy("endpoint", 2, 0.8, lambda st: st.update(Principal="*"))]
        if p["kind"] not in ("service", "anonymous") and self.chance(0.4):
            q["scps"] = [self.scp_level() for _ in range(self.r.randint(1, 3))]
        if self.chance(0.25):
            q["rcps"] = [[self.policy("rcp", 1, 0.0, lambda st: st.update(Principal="*"))
                          for _ in range(self.r.randint(0, 2))] for _ in range(self.r.randint(1, 2))]
        return q

    def scp_level(self):
        docs = []
        if self.chance(0.85):
            docs.append({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
        for _ in range(self.r.randint(0 if docs else 1, 1)):
            docs.append(self.policy("scp", 2, 0.6))
        return docs


# ---------------------------------------------------------------------------------------
# Running both engines
# ---------------------------------------------------------------------------------------

def install_simulator(tmp):
    """npm install into a fresh folder; returns (dir, None) or (None, why)."""
    npm = shutil.which("npm")
    if not npm or not shutil.which("node"):
        return None, "node and npm are needed (scripts/install-deps installs them)"
    d = os.path.join(tmp, "iamsim")
    os.makedirs(d)
    proc = subprocess.run([npm, "install", "--prefix", d, "--no-audit", "--no-fund", "@cloud-copilot/iam-simulate"],
                          capture_output=True, text=True)
    pkg = os.path.join(d, "node_modules", "@cloud-copilot", "iam-simulate", "package.json")
    if proc.returncode != 0 or not os.path.exists(pkg):
        tail = " | ".join(line.strip() for line in proc.stderr.strip().splitlines()[-4:])
        return None, f"npm install @cloud-copilot/iam-simulate failed (exit {proc.returncode}): {tail[-400:]}"
    return d, None


def json_lines(text):
    out = []
    for line in text.splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            out.append({"error": f"not JSON: {line[:200]}"})
    return out


def run_ansim(ansim, path):
    """One `ansim iam eval -` over the JSON list in path: (results, stderr)."""
    with open(path, "rb") as f:
        proc = subprocess.run([ansim, "iam", "eval", "-"], stdin=f, capture_output=True)
    return json_lines(proc.stdout.decode()), proc.stderr.decode()


def run_sim(sim_dir, path):
    """One node process of tests/iam_fuzz_sim.mjs over the same list: (results, stderr)."""
    proc = subprocess.run(["node", os.path.join(HERE, "iam_fuzz_sim.mjs"), sim_dir, path], capture_output=True)
    return json_lines(proc.stdout.decode()), proc.stderr.decode()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[1])
    ap.add_argument("ansim")
    ap.add_argument("--seed", type=int, default=20261)
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--sim-dir", help="an existing `npm install --prefix` folder of @cloud-copilot/iam-simulate")
    ap.add_argument("--dump", help="write the generated cases (a JSON list, ansim's form) to this file and stop")
    ap.add_argument("--verbose", action="store_true", help="print each disagreement's case")
    args = ap.parse_args()

    gen = Gen(args.seed)
    cases = [gen.gen() for _ in range(args.count)]
    if args.dump:
        with open(args.dump, "w") as f:
            json.dump(cases, f)
        return 0
    tmp = tempfile.mkdtemp(prefix="iam_fuzz.")
    try:
        return compare(args, cases, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def compare(args, cases, tmp):
    path = os.path.join(tmp, "cases.json")
    with open(path, "w") as f:
        json.dump(cases, f)
    sim_dir = args.sim_dir
    if not sim_dir:
        sim_dir, why = install_simulator(tmp)
        if not sim_dir:
            print(f"not ok - {why}")
            print("0 passed, 1 failed")
            return 1
    got, aerr = run_ansim(args.ansim, path)
    want, serr = run_sim(sim_dir, path)
    if len(got) != len(cases) or len(want) != len(cases):
        print(f"not ok - ansim printed {len(got)} and the simulator {len(want)} results for {len(cases)} cases: "
              f"{aerr[:300]} {serr[:300]}")
        print("0 passed, 1 failed")
        return 1
    disagree = [i for i, (g, w) in enumerate(zip(got, want))
                if "error" not in g and "error" not in w and not w["ignored"] and g["decision"] != w["decision"]]
    known = classify(cases, got, want, disagree, args, sim_dir, tmp)
    passed = failed = 0
    seen = collections.Counter()
    fails = collections.Counter()
    for i, (c, g, w) in enumerate(zip(cases, got, want)):
        why = None
        if "error" in g:
            why = f"ansim could not evaluate it: {g['error']}"
        elif "error" in w:
            why = f"the simulator refused it: {w['error'][:300]}"
        elif w["ignored"]:
            why = f"the simulator ignored context keys {w['ignored']} (a generator bug)"
        elif g["decision"] != w["decision"]:
            if i in known:
                seen[known[i]] += 1
            else:
                why = f"ansim {g['decision']} ({g['reason']}), simulator {w['decision']} {w['a']}"
        if why:
            failed += 1
            fails[(g.get("decision"), w.get("decision"))] += 1
            print(f"not ok - case {i} (seed {args.seed}): {why}")
            if args.verbose:
                print("   ", json.dumps(c))
        else:
            passed += 1
    for cls, n in sorted(seen.items()):
        print(f"# known divergence {cls}: {n} case(s)")
    for name in sorted({n for cls in seen for n in cls.split("+")}):
        print(f"#   {name}: {KNOWN[name].rule}; {KNOWN[name].url}")
    agree = sum(1 for g, w in zip(got, want) if g.get("decision") and g.get("decision") == w.get("decision"))
    print(f"# {len(cases)} cases (seed {args.seed}): {agree} agree, {sum(seen.values())} known divergences, "
          f"{failed} failed; {dict(fails)}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


# ---------------------------------------------------------------------------------------
# Known divergence classes
#
# Each class is a rule that AWS's documentation states and the simulator does not follow
# (the quote is in KNOWN). Each comes with a rewrite of the case that, by that documented
# rule, leaves AWS's decision unchanged but takes the rule out of play: the root user gets
# the full-access policy it has anyway; an entry holding a variable with no value becomes a
# text that matches nothing; a resource pattern whose '*' runs past a colon becomes the
# request's own ARN, which it matched. A disagreement belongs to a class only when, on the
# rewritten case, ansim decides as before AND the simulator now agrees — both engines are
# run again (one more process each) on the rewrites, each class alone and, when one is not
# enough, the smallest set of them. Classes may also require what ansim said (its reason).
# ---------------------------------------------------------------------------------------

DOC = "https://docs.aws.amazon.com/IAM/latest/UserGuide/"


def docs_of(case):
    """(kind, document) for every policy of the case."""
    for d in case.get("identity_policies") or []:
        yield "identity", d
    if case.get("resource_policy"):
        yield "resource", case["resource_policy"]
    if case.get("permission_boundary"):
        yield "boundary", case["permission_boundary"]
    if case.get("session_policy"):
        yield "session", case["session_policy"]
    for d in case.get("endpoint_policies") or []:
        yield "endpoint", d
    for lvl in case.get("scps") or []:
        for d in lvl:
            yield "scp", d
    for lvl in case.get("rcps") or []:
        for d in lvl:
            yield "rcp", d


def stmts(doc):
    st = doc["Statement"]
    return st if isinstance(st, list) else [st]


def as_list(v):
    return v if isinstance(v, list) else [v]


def has_var(v):
    """A policy value that holds ${...} (condition values may also be JSON numbers or booleans)."""
    return isinstance(v, str) and "${" in v


def ctx_value(case, key):
    """The context value of key (case-insensitive), or None."""
    for k, v in (case.get("context") or {}).items():
        if k.lower() == key.lower():
            return v
    return None


def resolve(text, case):
    """Policy variables in text replaced as AWS does; None when one cannot be resolved (a
    missing or multi-valued key and no default)."""
    out, i = [], 0
    while i < len(text):
        j = text.find("${", i)
        end = text.find("}", j + 2) if j >= 0 else -1
        if j < 0 or end < 0:
            out.append(text[i:])
            break
        out.append(text[i:j])
        inner = text[j + 2:end]
        i = end + 1
        if inner in ("*", "?", "$"):
            out.append("${" + inner + "}")  # escapes stay escapes
            continue
        key, _, default = inner.partition(",")
        v = ctx_value(case, key.strip())
        if isinstance(v, str):
            out.append(v)
        elif default.strip().startswith("'") and default.strip().endswith("'") and len(default.strip()) > 1:
            out.append(default.strip()[1:-1])
        else:
            return None
    return "".join(out)


VAR_OPS = ("String", "Arn", "Bool")  # operator families whose values take variables


def base_op(op):
    return op.split(":", 1)[-1]


def inert(kind):
    """A statement that applies to none of the generated requests."""
    st = {"Effect": "Deny" if kind == "rcp" else "Allow", "Action": "sts:TagSession",
          "Resource": "arn:aws:iam::999999999999:role/none"}
    if kind in ("resource", "rcp", "endpoint"):
        st["Principal"] = "*" if kind != "resource" else {"AWS": "arn:aws:iam::999999999999:root"}
    return st


def rewrite_statements(case, fn):
    """A copy of case with fn(kind, doc, statement) -> statement or None (removed) applied;
    None when nothing changed."""
    c = json.loads(json.dumps(case))
    changed = False
    for kind, doc in docs_of(c):
        new = []
        for st in stmts(doc):
            st2 = fn(kind, doc, json.loads(json.dumps(st)))
            changed |= st2 != st
            if st2 is not None:
                new.append(st2)
        doc["Statement"] = new or [inert(kind)]
    return c if changed else None


def who(case):
    """Kind of caller: user, role, session, federated, root, service, anonymous."""
    p = case.get("principal")
    if not p:
        return "anonymous"
    if not p.startswith("arn:"):
        return "service"
    res = p.split(":", 5)[5]
    return ("root" if res == "root" else "user" if res.startswith("user/") else "role" if res.startswith("role/")
            else "session" if res.startswith("assumed-role/") else "federated")


def account_of(arn):
    return arn.split(":")[4] if arn and arn.startswith("arn:") else None


# ---- the rewrites ---------------------------------------------------------------------

def t_root_user(case):
    """The root user of the resource's account: give it the full access it has."""
    if who(case) != "root" or account_of(case["principal"]) != case["resource_account"]:
        return None
    c = json.loads(json.dumps(case))
    c["identity_policies"] = [{"Version": "2012-10-17",
                               "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}]
    return c


NEVER_RESOURCE = "arn:aws:none:::never"


def t_null_variable(case):
    """A variable with no value is a null value, equal to or like nothing: write the entries
    and condition values holding one as a text that matches nothing."""
    def fn(kind, doc, st):
        if doc.get("Version") != "2012-10-17":
            return st
        for key in ("Resource", "NotResource"):
            if key in st:
                ents = as_list(st[key])
                st[key] = [NEVER_RESOURCE if "${" in r.split(":", 5)[-1] and
                           resolve(r.split(":", 5)[-1], case) is None else r for r in ents]
        for op, kv in (st.get("Condition") or {}).items():
            if base_op(op).startswith(VAR_OPS):
                never = "arn:aws:none:::never" if base_op(op).startswith("Arn") else "never-equal-to-anything"
                for k, vals in kv.items():
                    kv[k] = [never if has_var(v) and resolve(v, case) is None else v for v in as_list(vals)]
        return st
    return rewrite_statements(case, fn)


def t_old_version(case):
    """A policy without Version 2012-10-17 has no variables: write its ${ literally, with the
    ${$} escape, under 2012-10-17."""
    c = json.loads(json.dumps(case))
    changed = False
    for _, doc in docs_of(c):
        if doc.get("Version") == "2012-10-17" or "${" not in json.dumps(doc):
            continue
        for st in stmts(doc):
            for key in ("Resource", "NotResource"):
                if key in st:
                    st[key] = [r.replace("${", "${$}{") for r in as_list(st[key])]
            for op, kv in (st.get("Condition") or {}).items():
                for k, vals in kv.items():
                    kv[k] = [v.replace("${", "${$}{") if has_var(v) else v for v in as_list(vals)]
        doc["Version"] = "2012-10-17"
        changed = True
    return c if changed else None


def t_arn_condition_variable(case):
    """Resolve the variables of Arn* condition values in place (the simulator splits the ARN
    at the colon inside ${aws:...} before substituting)."""
    def fn(kind, doc, st):
        if doc.get("Version") != "2012-10-17":
            return st
        for op, kv in (st.get("Condition") or {}).items():
            if base_op(op).startswith("Arn"):
                for k, vals in kv.items():
                    new = [resolve(v, case) if has_var(v) else v for v in as_list(vals)]
                    if None not in new:
                        kv[k] = new
        return st
    return rewrite_statements(case, fn)


def t_forany_ifexists(case):
    """ForAnyValue:...IfExists on a key the request does not have is true: drop it."""
    def fn(kind, doc, st):
        cond = st.get("Condition") or {}
        for op in list(cond):
            if op.lower().startswith("foranyvalue:") and op.endswith("IfExists"):
                for k in list(cond[op]):
                    if ctx_value(case, k) is None:
                        del cond[op][k]
                if not cond[op]:
                    del cond[op]
        if "Condition" in st and not cond:
            del st["Condition"]
        return st
    return rewrite_statements(case, fn)


def t_session_policy_direct(case):
    """A same-account resource policy naming the session itself is not limited by the
    session policy: let the session policy allow the request too."""
    if not case.get("session_policy"):
        return None
    c = json.loads(json.dumps(case))
    c["session_policy"]["Statement"] = stmts(c["session_policy"]) + [
        {"Effect": "Allow", "Action": case["action"], "Resource": case["resource"]}]
    return c


def caller_names(case):
    """What a NotPrincipal entry may name the caller by: (account, role, self)."""
    p = case["principal"]
    acct = account_of(p)
    role = ctx_value(case, "aws:PrincipalArn")
    return ({acct, f"arn:aws:iam::{acct}:root"}, {role} if who(case) == "session" else set(), {p})


def t_notprincipal_session(case):
    """A Deny whose NotPrincipal names a role session only partly (not its account, role and
    session all) still applies to it: drop the partial names."""
    if who(case) != "session":
        return None
    acct, role, me = caller_names(case)

    def fn(kind, doc, st):
        if kind != "resource" or "NotPrincipal" not in st or st["Effect"] != "Deny":
            return st
        aws = as_list(st["NotPrincipal"].get("AWS", [])) if isinstance(st["NotPrincipal"], dict) else []
        named = [bool(acct & set(aws)), bool(role & set(aws)), bool(me & set(aws))]
        if any(named) and not all(named):
            rest = [a for a in aws if a not in acct | role | me] or [f"arn:aws:iam::{C}:root"]
            st["NotPrincipal"]["AWS"] = rest
        return st
    return rewrite_statements(case, fn)


def t_federated_no_session_policy(case):
    """A federated user session without a session policy has no permissions: give it one
    that allows nothing."""
    if who(case) != "federated" or case.get("session_policy"):
        return None
    c = json.loads(json.dumps(case))
    c["session_policy"] = {"Version": "2012-10-17", "Statement": [inert("session")]}
    return c


def cidr(v):
    return v if "/" in v else v + ("/128" if ":" in v else "/32")


def t_ip_forms(case):
    """Bare addresses as the /32 or /128 they stand for, and 0.0.0.0/0 as its two halves."""
    def fn(kind, doc, st):
        for op, kv in (st.get("Condition") or {}).items():
            if base_op(op).replace("IfExists", "") in ("IpAddress", "NotIpAddress"):
                for k, vals in kv.items():
                    new = []
                    for v in as_list(vals):
                        new += ["0.0.0.0/1", "128.0.0.0/1"] if v == "0.0.0.0/0" else [cidr(v)]
                    kv[k] = new
        return st
    return rewrite_statements(case, fn)


def iso(v):
    """Epoch seconds as ISO 8601; anything else as it is."""
    return (datetime.datetime.fromtimestamp(int(v), datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            if isinstance(v, str) and v.isdigit() else v)


def t_epoch_dates(case):
    """Dates given as epoch seconds written as the same instant in ISO 8601."""
    c = rewrite_statements(case, lambda kind, doc, st: _iso_conditions(st)) or json.loads(json.dumps(case))
    for k, v in list(c["context"].items()):
        if k.lower() in ("aws:currenttime", "aws:epochtime", "aws:tokenissuetime") and isinstance(v, str):
            c["context"][k] = iso(v)
    return c if c != case else None


def _iso_conditions(st):
    for op, kv in (st.get("Condition") or {}).items():
        if base_op(op).startswith("Date"):
            for k, vals in kv.items():
                kv[k] = [iso(v) for v in as_list(vals)]
    return st


def t_empty_key(case):
    """A multi-valued key with no values is a null value, as if absent: leave it out."""
    empty = [k for k, v in (case.get("context") or {}).items() if v == []]
    if not empty:
        return None
    c = json.loads(json.dumps(case))
    for k in empty:
        del c["context"][k]
    return c


def glob(pattern, text):
    return re.fullmatch("".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern),
                        text, re.S) is not None


def spill_match(pat, arn):
    """A Resource entry against an ARN as AWS documents it: field by field, except that a '*'
    ending one of the fields may run on past the colons."""
    pf, af = pat.split(":"), arn.split(":")
    if len(pf) < 6 or len(af) < 6:
        return glob(pat, arn)
    for i in range(1, 5):
        if pf[i].endswith("*") and glob(":".join(pf[i:]), ":".join(af[i:])):
            return True
        if not glob(pf[i], af[i]):
            return False
    return glob(":".join(pf[5:]), ":".join(af[5:]))


def field_match(pat, arn):
    """The same, each field on its own ('*' never crossing a colon)."""
    pf, af = pat.split(":", 5), arn.split(":", 5)
    pf += ["*"] * (6 - len(pf))
    return len(af) == 6 and all(glob(p, a) for p, a in zip(pf, af))


def t_wildcard_spans_colons(case):
    """A Resource entry whose trailing-'*' field reaches past a colon to match the request
    written as the request's own ARN."""
    res = case["resource"]

    def fn(kind, doc, st):
        for key in ("Resource", "NotResource"):
            if key in st:
                st[key] = [res if "${" not in r and r != "*" and spill_match(r, res) and not field_match(r, res)
                           else r for r in as_list(st[key])]
        return st
    return rewrite_statements(case, fn) if res != "*" else None


Known = collections.namedtuple("Known", "rule url quote rewrite when", defaults=(None,))

KNOWN = {
    "resource-wildcard-spans-colons": Known(
        "a '*' ending a field of a Resource ARN may match past the colons (the simulator matches the five "
        "fields one by one and pads a short pattern with '*' fields)",
        DOC + "reference_policies_elements_resource.html",
        "If the * wildcard is the last character of a resource ARN segment, it can expand to match beyond the "
        "colon boundaries.", t_wildcard_spans_colons),
    "root-user": Known(
        "the root user of the resource's account needs no identity policy (the simulator wants one)",
        DOC + "reference_policies_evaluation-logic.html",
        "By default, all requests are implicitly denied with the exception of the AWS account root user, "
        "which has full access.", t_root_user),
    "null-variable": Known(
        "a policy variable with no value is a null value: negated operators match it, and a Resource or "
        "NotResource entry holding it matches no resource (the simulator fails the negated operator and "
        "drops the whole NotResource statement)",
        DOC + "reference_policies_variables.html#policy-vars-no-value",
        "Inverted condition operators like StringNotEquals or StringNotLike do match against a null value ... "
        "If a variable that has no value in the authorization context is used as part of the Resource or "
        "NotResource element of a policy, the resource that includes a policy variable with no value will not "
        "match any resource.", t_null_variable),
    "version-2008-variables": Known(
        "without Version 2012-10-17, ${...} is literal text (the simulator substitutes it anyway)",
        DOC + "reference_policies_elements_version.html",
        "If you don't include a Version element set to 2012-10-17, variables such as ${aws:username} aren't "
        "recognized as variables and are instead treated as literal strings in the policy.", t_old_version),
    "arn-condition-variable": Known(
        "a variable in an ARN condition value stands for its value in whichever field it is (the simulator "
        "splits the value at the colon inside ${aws:...} before substituting, so it never matches)",
        DOC + "reference_policies_elements_condition_operators.html#Conditions_ARN",
        "Amazon Resource Name (ARN) condition operators ... Policy variables - Supported ... Each of the six "
        "colon-delimited components of the ARN is checked separately", t_arn_condition_variable),
    "empty-multivalued-key": Known(
        "a multi-valued key holding no values is null, as if absent, for Null and ...IfExists (the simulator "
        "counts it as present)",
        DOC + "reference_policies_elements_condition_operators.html#Conditions_Null",
        "The ForAllValues qualifier returns true if there are no context keys in the request or if the context "
        "key value resolves to a null dataset, such as an empty string. To prevent missing context keys or "
        "context keys with empty values from evaluating to true, you can include the Null condition operator "
        "in your policy with a false value to check if the context key exists and its value is not null.",
        t_empty_key),
    "forany-ifexists-missing": Known(
        "...IfExists is true on a missing key, ForAnyValue:...IfExists included (the simulator ignores "
        "IfExists under a set operator)",
        DOC + "reference_policies_elements_condition_operators.html#Conditions_IfExists",
        "You can add IfExists to the end of any condition operator name except the Null condition ... If the "
        "condition key is present in the context of the request, process the key as specified in the policy. "
        "If the key is not present, evaluate the condition element as true.", t_forany_ifexists),
    "session-policy-direct-grant": Known(
        "a same-account resource policy naming the session itself (its ARN, or \"*\") is not limited by the "
        "session policy (the simulator denies on any session-policy implicit deny)",
        DOC + "access_policies.html#policies_session",
        "A resource-based policy can specify the ARN of the session as a principal. In that case, the "
        "permissions from the resource-based policy are added after the session is created. The resource-based "
        "policy permissions are not limited by the session policy. (For \"*\", "
        "reference_policies_evaluation-logic_policy-eval-denyallow.html: \"Permissions boundaries and session "
        "policies do not limit permissions granted using the aws:PrincipalArn condition key with a wildcard(*) "
        "in the Principal element\")",
        t_session_policy_direct, lambda case, got: got.get("reason") == "the resource policy names the caller"),
    "federated-no-session-policy": Known(
        "a federated user session without a session policy has no permissions (the simulator gives it the "
        "user's)",
        "https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html",
        "Though the session policy parameter is optional, if you do not pass a policy, then the resulting "
        "federated user session has no permissions.", t_federated_no_session_policy),
    "ip-address-forms": Known(
        "a bare address is its own block (/32, /128 for IPv6) and 0.0.0.0/0 holds every IPv4 address (the "
        "simulator's NotIpAddress fails for a bare address of the other family, and its /0 mask is /32)",
        DOC + "reference_policies_elements_condition_operators.html#Conditions_IPAddress",
        "If you specify an IP address without the associated routing prefix, IAM uses the default prefix "
        "value of /32. ... NotIpAddress: All IP addresses except the specified IP address or range",
        t_ip_forms),
    "epoch-dates": Known(
        "a date in epoch seconds is the same instant as its ISO 8601 form (the simulator compares epoch "
        "seconds with ISO dates in milliseconds)",
        DOC + "reference_policies_elements_condition_operators.html#Conditions_Date",
        "You must specify date/time values with one of the W3C implementations of the ISO 8601 date formats or "
        "in epoch (UNIX) time.", t_epoch_dates),
    "notprincipal-session": Known(
        "a Deny's NotPrincipal leaves a role session out only when it names the session's account, role and "
        "session (the simulator leaves it out when any one of them is named)",
        DOC + "reference_policies_elements_notprincipal.html",
        "When you use NotPrincipal with Deny, you must also specify the account ARN of the not-denied "
        "principal. ... If an assumed-role user (someone who is using a role) is being evaluated, AWS might "
        "validate the account first, then the role, and then the assumed-role user.", t_notprincipal_session),
}


def rewrite_with(case, names):
    """case rewritten by the classes names, in KNOWN's order, each on the previous result."""
    for name in KNOWN:
        if name in names:
            case = KNOWN[name].rewrite(case) or case
    return case


def classify(cases, got, want, idx, args, sim_dir, tmp):
    """{case index: class name(s)} for the disagreements in idx that a known class explains:
    the smallest set of classes whose rewrites make the simulator agree with ansim while
    leaving ansim's decision as it was (single classes first, then the subsets of those that
    change the case when applied one after the other)."""
    trials = []  # (case index, (classes), rewritten case)
    for i in idx:
        usable = [n for n, k in KNOWN.items() if not k.when or k.when(cases[i], got[i])]
        effective, t = [], cases[i]
        for name in usable:
            t2 = KNOWN[name].rewrite(t)
            if t2 is not None and t2 != t:
                effective.append(name)
                t = t2
        subsets = [(n,) for n in usable if KNOWN[n].rewrite(cases[i]) is not None]
        for size in range(2, len(effective) + 1):
            subsets += list(itertools.combinations(effective, size))
        for sub in subsets:
            trials.append((i, sub, rewrite_with(cases[i], sub)))
    if not trials:
        return {}
    path = os.path.join(tmp, "rewritten.json")
    with open(path, "w") as f:
        json.dump([t for _, _, t in trials], f)
    g2, _ = run_ansim(args.ansim, path)
    w2, _ = run_sim(sim_dir, path)
    found = {}
    for (i, names, _), g, w in zip(trials, g2, w2):
        d = got[i]["decision"]
        if i not in found and g.get("decision") == d and w.get("decision") == d:
            found[i] = "+".join(names)
    return found


if __name__ == "__main__":
    sys.exit(main())
