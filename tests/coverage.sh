#!/usr/bin/env bash
# tests/coverage.sh ANSIM — every control of spec/controls.tsv evaluated by a live scan of a
# seeded moto account (tests/coverage/run.py; seed modules tests/coverage/seed_*.py).
exec python3 "$(dirname "$0")/coverage/run.py" "${1:?usage: tests/coverage.sh ANSIM_BINARY}"
