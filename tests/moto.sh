#!/usr/bin/env bash
# tests/moto.sh start|start-examples|stop DIR — the local AWS emulator (moto server) for the tests.
#   start:  runs moto on 127.0.0.1 on a free port in strict mode (after the first three calls
#           it verifies SigV4 signatures and enforces IAM policies), seeds it with
#           tests/moto_seed.py, and writes DIR/env (ANSIM_MOTO_URL, ANSIM_MOTO_AKID,
#           ANSIM_MOTO_SECRET, ANSIM_MOTO_ACCOUNT, ANSIM_MOTO_EXPECT, and ANSIM_FAULT_URL:
#           tests/faultproxy.py in front of moto, which injects throttling, 5xx, resets,
#           truncation and delays on demand; ANSIM_CRED_URL: tests/credserver.py, standing in
#           for EC2 instance metadata and the container credentials endpoint) and the PID files.
#   start-examples: two more, permissive motos: the example start-up account as first set up
#           (tests/moto_startup.py; ANSIM_STARTUP_URL in DIR/env) and after hardening
#           (tests/moto_clean.py; ANSIM_CLEAN_URL).
#   stop:   stops the servers started in DIR by their PIDs.
# Exits non-zero, saying why, when moto is missing or does not come up: tests that need it
# then fail loudly. moto comes from Python (`pip install 'moto[server]' boto3`); see
# ../shared/research/moto.md.
set -u
cmd=${1:?usage: tests/moto.sh start|start-examples|stop DIR}
dir=${2:?usage: tests/moto.sh start|start-examples|stop DIR}
cd "$(dirname "$0")/.."

if [ "$cmd" = stop ]; then
    for f in pid proxy.pid startup.pid clean.pid creds.pid; do
        [ -s "$dir/$f" ] || continue
        p=$(cat "$dir/$f")
        kill "$p" 2>/dev/null
        for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$p" 2>/dev/null
        rm -f "$dir/$f"
    done
    exit 0
fi

mkdir -p "$dir"
if command -v moto_server >/dev/null 2>&1; then
    server=(moto_server)
elif python3 -c 'import moto.server' 2>/dev/null; then
    server=(python3 -m moto.server)
else
    echo "moto.sh: moto server not found (pip install 'moto[server]' boto3)" >&2
    exit 1
fi

# serve NAME [ENV=VALUE...]: start moto, wait until it answers; sets $url
serve() {
    local name=$1; shift
    local port
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    env "$@" "${server[@]}" -H 127.0.0.1 -p "$port" >"$dir/$name.log" 2>&1 &
    echo $! >"$dir/$name"
    url=http://127.0.0.1:$port
    for _ in $(seq 1 100); do
        python3 -c "import urllib.request; urllib.request.urlopen('$url/moto-api/', timeout=1)" 2>/dev/null && return 0
        if ! kill -0 "$(cat "$dir/$name")" 2>/dev/null; then
            echo "moto.sh: moto server exited: $(tail -1 "$dir/$name.log")" >&2
            return 1
        fi
        sleep 0.2
    done
    echo "moto.sh: moto server did not answer on $url within 20 s" >&2
    return 1
}

if [ "$cmd" = start-examples ]; then
    serve startup.pid || exit 1
    if ! python3 tests/moto_startup.py "$url" 2>"$dir/startup-seed.log"; then
        echo "moto.sh: seeding the start-up account failed: $(tail -1 "$dir/startup-seed.log")" >&2
        exit 1
    fi
    echo "ANSIM_STARTUP_URL=$url" >>"$dir/env"
    serve clean.pid || exit 1
    if ! python3 tests/moto_clean.py "$url" 2>"$dir/clean-seed.log"; then
        echo "moto.sh: seeding the clean account failed: $(tail -1 "$dir/clean-seed.log")" >&2
        exit 1
    fi
    echo "ANSIM_CLEAN_URL=$url" >>"$dir/env"
    exit 0
fi

# the seed script's first calls (admin user, policy, key) are free; every later call is authenticated
# AWS-managed policies loaded so that attaching one works (the collector reads their documents)
serve pid INITIAL_NO_AUTH_ACTION_COUNT=3 MOTO_IAM_LOAD_MANAGED_POLICIES=true || exit 1
if ! python3 tests/moto_seed.py "$url" "$dir/expect" >>"$dir/env" 2>"$dir/seed.log"; then
    echo "moto.sh: seeding failed: $(tail -1 "$dir/seed.log")" >&2
    exit 1
fi
echo "ANSIM_MOTO_URL=$url" >>"$dir/env"
# stand-ins for EC2 instance metadata and the container endpoint, handing out the audit key
. "$dir/env"
python3 tests/credserver.py "$dir/creds.port" "$ANSIM_MOTO_AKID" "$ANSIM_MOTO_SECRET" 2>"$dir/creds.log" &
echo $! >"$dir/creds.pid"
python3 tests/faultproxy.py "$url" "$dir/proxy.port" 2>"$dir/proxy.log" &
echo $! >"$dir/proxy.pid"
for _ in $(seq 1 50); do
    if [ -s "$dir/proxy.port" ] && [ -s "$dir/creds.port" ]; then
        echo "ANSIM_FAULT_URL=http://127.0.0.1:$(cat "$dir/proxy.port")" >>"$dir/env"
        echo "ANSIM_CRED_URL=http://127.0.0.1:$(cat "$dir/creds.port")" >>"$dir/env"
        exit 0
    fi
    sleep 0.1
done
echo "moto.sh: the fault-injection proxy or the credentials stand-in did not start: $(tail -1 "$dir/proxy.log" "$dir/creds.log")" >&2
exit 1
