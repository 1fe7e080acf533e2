"""Instructions executed by the server's side of each request, counted by Valgrind's callgrind.

CPU time varies with what else the machine runs (caches, frequency, the other
core's work); the number of instructions a request executes does not, to a
fraction of a per cent. ``profile_cycle --instructions`` runs itself again under

    valgrind --tool=callgrind --instr-atstart=no

(start-up, migrations and warm-up cycles run without instrumentation). Before the
measured cycles instrumentation is switched on; around the server's side of every
request the counters are zeroed and then dumped, with ``callgrind_control`` (which
reaches the process through Valgrind's gdbserver, so it works while the process
waits for it). The browser's side is run but never counted. Empty windows (zero,
then dump at once) measure what the two calls themselves add, and that is taken off.
"""

import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

#: Set in the child run under Valgrind: where its dumps go.
DUMP_FOLDER = "PROFILE_CYCLE_CALLGRIND_DIR"
_TRIGGER = re.compile(r"^desc: Trigger: dump (\S+)$", re.M)
_SUMMARY = re.compile(r"^summary: (\d+)$", re.M)
CALIBRATION = "empty"
_counting = False


def under_valgrind() -> bool:
    return DUMP_FOLDER in os.environ


def _control(*arguments: str) -> None:
    subprocess.run(
        ["callgrind_control", *arguments, str(os.getpid())],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def start() -> None:
    """Switch instrumentation on (the measured cycles follow), and calibrate."""
    global _counting
    if not under_valgrind():
        return
    _control("-i", "on")
    _counting = True
    for number in range(5):
        zero()
        dump(f"{CALIBRATION}-{number}")


def zero() -> None:
    if _counting:
        _control("-z")


def dump(name: str) -> None:
    if _counting:
        _control("-d", name)


def rerun_under_valgrind(argv: list[str]) -> dict[str, list[int]]:
    """Run ``profile_cycle`` with ``argv`` under callgrind; instructions per request by step."""
    python = sys.executable  # the interpreter itself (a link to it), not a shim script
    with tempfile.TemporaryDirectory(prefix="profile-cycle-callgrind-") as folder:
        env = dict(os.environ, **{DUMP_FOLDER: folder})
        command = [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={folder}/callgrind.out",
            python,
            "-m",
            "benchmarks.profile_cycle",
            *argv,
        ]
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"profile_cycle under Valgrind failed:\n{done.stderr[-3000:]}")
        return read_dumps(Path(folder))


def read_dumps(folder: Path) -> dict[str, list[int]]:
    """{step: [instructions of each request]}, less the median empty window."""
    counts: dict[str, list[int]] = {}
    for path in sorted(folder.glob("callgrind.out.*"), key=lambda p: int(p.suffix[1:])):
        text = path.read_text(errors="replace")
        trigger, summary = _TRIGGER.search(text), _SUMMARY.search(text)
        if trigger and summary:
            step = trigger.group(1).rsplit("-", 1)[0]
            counts.setdefault(step, []).append(int(summary.group(1)))
    empty = statistics.median(counts.pop(CALIBRATION, [0]))
    return {step: [max(0, int(n - empty)) for n in values] for step, values in counts.items()}


def table(counts: dict[str, list[int]], steps) -> str:
    """Median and mean millions of instructions per request and per cycle."""
    per_cycle = [sum(values) for values in zip(*(counts[s] for s in steps), strict=True)]
    lines = [f"{'request':<8} {'median M':>10} {'mean M':>10}"]
    for name, values in (*((s, counts[s]) for s in steps), ("cycle", per_cycle)):
        median, mean = statistics.median(values) / 1e6, statistics.fmean(values) / 1e6
        lines.append(f"{name:<8} {median:>10.1f} {mean:>10.1f}")
    return "\n".join(lines)
