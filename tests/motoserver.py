"""tests/motoserver.py — one way for the Python tests to start their own moto server: on
127.0.0.1 at a free port, logging to TMP/moto.log, ready when /moto-api/ answers. Saying why
when it cannot start is the caller's check to fail (start() returns no process)."""
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request


def comment(text):
    """A TAP comment line (or several)."""
    print("# " + str(text).replace("\n", "\n# "))


def start(tmp, managed_policies=False):
    """(process, url) of a fresh moto server, or (None, url) after a comment saying why.
    managed_policies: load AWS's managed policies (arn:aws:iam::aws:policy/...)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    exe = shutil.which("moto_server")
    cmd = [exe] if exe else [sys.executable, "-m", "moto.server"]
    env = dict(os.environ)
    if managed_policies:
        env["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
    log = open(os.path.join(tmp, "moto.log"), "w")
    url = f"http://127.0.0.1:{port}"
    try:
        proc = subprocess.Popen(cmd + ["-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=log, env=env)
    except OSError as e:
        comment(f"cannot start moto ({e}); pip install 'moto[server]' boto3")
        return None, url
    for _ in range(150):
        try:
            urllib.request.urlopen(url + "/moto-api/", timeout=1)
            return proc, url
        except Exception:
            if proc.poll() is not None:
                break
            time.sleep(0.2)
    proc.kill()
    with open(os.path.join(tmp, "moto.log")) as f:
        comment("moto did not come up: " + f.read()[-500:])
    return None, url
