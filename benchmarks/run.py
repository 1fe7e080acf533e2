"""`make bench` and `make bench-full`: every benchmark in turn, each writing its section.

    .venv/bin/python -m benchmarks.run --quick   # a few minutes
    .venv/bin/python -m benchmarks.run --full    # the large sizes: an hour or more

Each benchmark runs in its own process and prints its tables; a failure of one
(a lost contribution, an operation that fails) makes the whole run fail, after
the others have run.
"""

import argparse
import os
import subprocess
import sys

from . import common

QUICK = [
    ["benchmarks.submissions", "--quick"],
    # What the server spends on one cycle, by part (one process, CPU time).
    ["benchmarks.profile_cycle", "--write"],
    ["benchmarks.flash_crowd", "--write"],
    "benchmarks.scale --sizes 10000,100000 --generate-up-to 10000 --xlsx-up-to 10000".split(),
    # Published contributions: public pages, API pages and the JSON Lines file.
    "benchmarks.publication --sizes 10000 --generate-up-to 10000".split(),
    # Campaign grouping against planted campaigns: B-cubed precision and recall.
    "benchmarks.campaigns --quality 20000".split(),
]
FULL = [
    ["benchmarks.submissions"],
    ["benchmarks.profile_cycle", "--write"],
    ["benchmarks.profile_cycle", "--instructions", "--write"],
    ["benchmarks.flash_crowd", "--backend", "both", "--write"],
    (
        "benchmarks.scale --sizes 10000,100000,1000000,5000000 --generate-up-to 10000 "
        "--xlsx-up-to 100000 --section scale-full"
    ).split(),
    # A CSV of five million responses as a job, and the questionnaire's p99 meanwhile.
    "benchmarks.jobs_export --sizes 5000000 --generate-up-to 10000 --section jobs-full".split(),
    (
        "benchmarks.publication --sizes 10000,100000,1000000 --generate-up-to 10000 "
        "--section publication-full"
    ).split(),
    # Campaign grouping: quality, and a million answers (60 % in 50 campaigns) for time and memory.
    "benchmarks.campaigns --quality 20000 --scale 1000000".split(),
]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group(required=True)
    size.add_argument("--quick", action="store_true")
    size.add_argument("--full", action="store_true")
    arguments = parser.parse_args(argv)
    failed = []
    for command in QUICK if arguments.quick else FULL:
        print(f"\n=== {' '.join(command)}", flush=True)
        env = dict(os.environ)
        env.setdefault("BENCH_COMMAND", f"make {'bench' if arguments.quick else 'bench-full'}")
        env["BENCH_COMMAND"] += f" ({' '.join(command)})"
        done = subprocess.run([sys.executable, "-m", *command], cwd=common.ROOT, env=env)
        if done.returncode:
            failed.append(command[0])
    print(f"\nResults written to {common.RESULTS.relative_to(common.ROOT)}")
    if failed:
        raise SystemExit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
