"""Shared by the client scripts: each step runs, reports `ok NAME` or `FAIL NAME: why`."""

import sys
import traceback

failures = []


def step(name):
    def run(fn):
        try:
            fn()
            print(f"ok {name}")
        except Exception as e:  # a step's failure is reported, the others still run
            failures.append(name)
            detail = "".join(traceback.format_exception_only(type(e), e)).strip().splitlines()
            print(f"FAIL {name}: {' | '.join(detail)[:400]}")
        return fn
    return run


def finish():
    print(f"{len(failures)} failed" if failures else "all passed")
    sys.exit(1 if failures else 0)
