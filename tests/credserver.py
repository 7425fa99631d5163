#!/usr/bin/env python3
"""tests/credserver.py PORT_FILE AKID SECRET — a stand-in for the two credential endpoints
ansim can read from, on 127.0.0.1 (a free port, written to PORT_FILE):

  EC2 instance metadata, IMDSv2 only:
    PUT /latest/api/token (X-aws-ec2-metadata-token-ttl-seconds required) -> a session token
    GET /latest/meta-data/iam/security-credentials/       -> "audit-role"   (token required)
    GET /latest/meta-data/iam/security-credentials/audit-role -> the credentials (token required)
  Container credentials:
    GET /container/creds (Authorization: container-secret-token required) -> the credentials

The credentials are AKID/SECRET with an Expiration TTL seconds ahead, where TTL is set with
POST /__ttl (body: seconds; default 3600). GET /__count returns how many credential
documents were served. Requests without the token are refused with 401, as AWS does.
"""
import datetime
import http.server
import json
import sys
import threading

port_file, akid, secret = sys.argv[1:4]
state = {"ttl": 3600, "count": 0}
lock = threading.Lock()
TOKEN = "imds-session-token"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms stall

    def log_message(self, *args):
        pass

    def reply(self, status, body):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def creds(self):
        with lock:
            state["count"] += 1
            ttl = state["ttl"]
        exp = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=ttl)
        return json.dumps({"Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": akid, "SecretAccessKey": secret,
                           "Token": "", "Expiration": exp.strftime("%Y-%m-%dT%H:%M:%SZ")})

    def do_PUT(self):
        if self.path == "/latest/api/token" and self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
            return self.reply(200, TOKEN)
        return self.reply(400, "bad token request")

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path == "/__ttl":
            with lock:
                state["ttl"], state["count"] = int(body), 0
            return self.reply(200, "ok")
        return self.reply(404, "")

    def do_GET(self):
        if self.path == "/__count":
            return self.reply(200, str(state["count"]))
        if self.path.startswith("/latest/meta-data/iam/security-credentials/"):
            if self.headers.get("X-aws-ec2-metadata-token") != TOKEN:
                return self.reply(401, "")
            role = self.path[len("/latest/meta-data/iam/security-credentials/"):]
            if role == "":
                return self.reply(200, "audit-role\n")
            return self.reply(200, self.creds()) if role == "audit-role" else self.reply(404, "")
        if self.path == "/container/creds":
            if self.headers.get("Authorization") != "container-secret-token":
                return self.reply(401, "")
            return self.reply(200, self.creds())
        return self.reply(404, "")


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(port_file, "w") as f:
    f.write(str(server.server_address[1]))
server.serve_forever()
