#!/usr/bin/env python3
"""tests/faultproxy.py UPSTREAM_URL PORT_FILE [DELAY_MS] — a fault-injecting HTTP proxy for the
tests (and, with DELAY_MS, a network round trip of that many milliseconds added to every
request, for the benchmark: moto answers loopback calls in a few milliseconds, AWS across a
network in tens).

Listens on 127.0.0.1 (a free port, written to PORT_FILE) and forwards every request to
UPSTREAM_URL (the moto server), except that a plan set with
    POST /__fault/plan   body: ["throttle", "500", "pass", ...]
decides what happens to the next requests, one entry each, in order:
    pass      forward unchanged
    throttle  answer 400 with a throttling error in the request's protocol (query XML, or
              JSON {"__type": "ThrottlingException"} when X-Amz-Target is set)
    503       answer 503 with a SlowDown error document
    500       answer 500 with an InternalError document
    reset     close the connection without answering
    truncate  forward, but send only half of the upstream body (Content-Length stays full)
    halfbody  forward, and answer a complete HTTP response holding half of the document
    slow      wait 5 s before forwarding (longer than the client's timeout in the tests)
When the plan is used up every request is forwarded. GET /__fault/count returns how many
requests arrived since the last plan. Only loopback is ever contacted.
"""
import http.server
import json
import socket
import sys
import threading
import time
import urllib.error
import urllib.request

UPSTREAM = sys.argv[1].rstrip("/")
DELAY = float(sys.argv[3]) / 1000 if len(sys.argv) > 3 else 0.0
plan, count, lock = [], [0], threading.Lock()

THROTTLE = (b'<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>'
            b'<Message>Rate exceeded</Message></Error><RequestId>f</RequestId></ErrorResponse>')
SLOWDOWN = b'<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>'
JSON_THROTTLE = b'{"__type": "ThrottlingException", "message": "Rate exceeded"}'
INTERNAL = (b'<ErrorResponse><Error><Type>Receiver</Type><Code>InternalError</Code>'
            b'<Message>We encountered an internal error.</Message></Error></ErrorResponse>')


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms stall

    def log_message(self, *args):
        pass

    def reply(self, status, body, headers=(), ctype="text/xml"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path == "/__fault/plan":
            with lock:
                plan[:] = json.loads(body or b"[]")
                count[0] = 0
            return self.reply(200, b"ok")
        if self.path == "/__fault/count":
            return self.reply(200, str(count[0]).encode())
        with lock:
            count[0] += 1
            action = plan.pop(0) if plan else "pass"
        if action == "throttle":  # in the protocol of the request: JSON when X-Amz-Target is set
            if self.headers.get("X-Amz-Target"):
                return self.reply(400, JSON_THROTTLE, ctype="application/x-amz-json-1.1")
            return self.reply(400, THROTTLE)
        if action == "503":
            return self.reply(503, SLOWDOWN)
        if action == "500":
            return self.reply(500, INTERNAL)
        if action == "reset":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if action == "slow":
            time.sleep(5)
        if DELAY:
            time.sleep(DELAY)
        req = urllib.request.Request(UPSTREAM + self.path, data=body if body else None, method=self.command)
        for k, v in self.headers.items():
            if k.lower() not in ("host", "content-length", "connection", "accept-encoding"):
                req.add_header(k, v)
        req.add_header("Host", self.headers.get("Host", ""))
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                status, data, ctype = r.status, r.read(), r.headers.get("Content-Type", "text/xml")
        except urllib.error.HTTPError as e:
            status, data, ctype = e.code, e.read(), e.headers.get("Content-Type", "text/xml")
        if action == "halfbody":  # a complete HTTP answer whose document is cut in half
            data = data[: len(data) // 2]
        if action == "truncate":
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = handle_any


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[2], "w") as f:
    f.write(str(server.server_address[1]))
server.serve_forever()
