"""tests/tap.py — the result lines of the Python test scripts: one "ok - ..." or
"not ok - ..." line per check, and the closing "N passed, M failed" that tests/run.sh counts."""
import sys

passed = failed = 0


def ok(cond, what, detail=None):
    """Print and count one check (with detail, indented, when it fails); returns cond."""
    global passed, failed
    if cond:
        passed += 1
        print(f"ok - {what}")
    else:
        failed += 1
        print(f"not ok - {what}")
        if detail:
            print("  " + str(detail).strip().replace("\n", "\n  ")[:2000])
    return cond


def finish():
    """Print the summary line; exit 1 when a check failed."""
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
