"""Campaign grouping: quality (B-cubed against planted campaigns) and scale (time, memory).

    .venv/bin/python -m benchmarks.campaigns --quality 20000
    .venv/bin/python -m benchmarks.campaigns --scale 1000000

The corpus is made here (``campaign_corpus``); the grouping runs in a child
process that reads the texts from a file, so its time and peak memory are the
grouping's own (reading a million texts included, making them not).
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from . import common
from .campaign_corpus import KINDS, bcubed, found_in_campaign, make_corpus


def _child(path: str, out: str) -> None:
    """In the child: group the texts of ``path``; write the groups and the figures to ``out``."""
    from consultation.campaigns import grouping, minhash

    started = time.perf_counter()
    texts = Path(path).read_text(encoding="utf-8").split("\n\x1e\n")
    read = time.perf_counter() - started
    steps = {}
    original = minhash.signatures

    def timed_signatures(*args, **kwargs):
        begun = time.perf_counter()
        result = original(*args, **kwargs)
        steps["signatures"] = time.perf_counter() - begun
        return result

    grouping.minhash.signatures = timed_signatures
    begun = time.perf_counter()
    groups = grouping.group_texts(texts)
    total = time.perf_counter() - begun
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    labels = [None] * len(texts)
    for number, group in enumerate(groups):
        for item, _similarity in group.members:
            labels[item] = number
    Path(out).write_text(
        json.dumps(
            {
                "labels": labels,
                "read": read,
                "group": total,
                "signatures": steps.get("signatures"),
                "cpu": cpu.ru_utime + cpu.ru_stime,
                "peak_mb": cpu.ru_maxrss / 1024,
                "groups": len(groups),
            }
        )
    )


def run_grouping(texts) -> dict:
    """Group ``texts`` in a child process (``nice``-able like the parent); its figures."""
    with tempfile.TemporaryDirectory() as folder:
        source, out = Path(folder) / "texts", Path(folder) / "out.json"
        source.write_text("\n\x1e\n".join(texts), encoding="utf-8")
        subprocess.run(
            [sys.executable, "-m", "benchmarks.campaigns", "--child", str(source), str(out)],
            cwd=common.ROOT,
            check=True,
        )
        return json.loads(out.read_text())


def quality(size: int) -> str:
    corpus = make_corpus(size, campaign_share=0.5, campaigns=40, seed=1)
    sizes = list(Counter(c for c in corpus.campaign if c is not None).values())
    result = run_grouping(corpus.texts)
    labels = result["labels"]
    everyone = bcubed(corpus.campaign, labels)
    copies = [i for i, c in enumerate(corpus.campaign) if c is not None]
    organic = [i for i, c in enumerate(corpus.campaign) if c is None]
    found = found_in_campaign(corpus, labels)
    rows = [["all answers", len(labels), *everyone, None]]
    rows.append(["campaign copies", len(copies), *bcubed(corpus.campaign, labels, copies), None])
    for kind in ("template", *KINDS):
        among = [i for i in copies if corpus.kind[i] == kind]
        rows.append([f"  {kind}", len(among), *bcubed(corpus.campaign, labels, among), found[kind]])
    wrongly = sum(labels[i] is not None for i in organic)
    rows.append(["organic answers", len(organic), *bcubed(corpus.campaign, labels, organic), None])
    table = common.table(
        ["answers", "count", "B-cubed precision", "B-cubed recall", "in their campaign's group"],
        rows,
    )
    return (
        "\n".join(common.machine())
        + f"\n- load average before the run: {_load()}\n\n"
        + f"{size:,} answers, half of them copies of 40 planted campaigns (sizes skewed from "
        f"{max(sizes):,} down to {min(sizes):,}), the kinds of copy drawn evenly; "
        f"{result['groups']:,} groups found in {result['group']:.1f} s. "
        f"{wrongly:,} organic answers were put in a group.\n\n" + table + "\n\n"
        "Targets (issue 16): precision at least 0.95 and recall at least 0.90 on synonym-swapped "
        "copies; exact and reordered copies all in their campaign's group.\n"
    )


def _load() -> str:
    return ", ".join(f"{v:.2f}" for v in os.getloadavg())


def scale(size: int) -> str:
    began = time.perf_counter()
    corpus = make_corpus(size, campaign_share=0.6, campaigns=50, seed=2)
    made = time.perf_counter() - began
    load = _load()
    result = run_grouping(corpus.texts)
    precision, recall = bcubed(corpus.campaign, result["labels"])
    rows = [
        [
            size,
            result["read"],
            result["signatures"],
            result["group"],
            result["cpu"],
            result["peak_mb"],
            result["groups"],
            precision,
            recall,
        ]
    ]
    table = common.table(
        [
            "answers",
            "read (s)",
            "signatures (s)",
            "grouping in all (s)",
            "CPU (s)",
            "peak memory (MB)",
            "groups",
            "B-cubed precision",
            "B-cubed recall",
        ],
        rows,
    )
    return (
        "\n".join(common.machine())
        + f"\n- load average before the grouping: {load}\n\n"
        + f"{size:,} answers, 60 % of them copies of 50 planted campaigns (made in {made:.0f} s, "
        "not counted). One process, one core: `grouping.group_texts` from the texts to the "
        "groups (tokens, shingles, signatures, bands, components, centres, checks). Peak "
        "memory is the child process's maximum resident size, the texts included.\n\n"
        + table
        + "\n\nTargets (issue 16): under 5 minutes on this 2-core machine, "
        "peak memory under 2 GB.\n"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quality", type=int, metavar="ANSWERS")
    parser.add_argument("--scale", type=int, metavar="ANSWERS")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    if arguments.child:
        _child(*arguments.child)
        return
    if arguments.quality:
        body = quality(arguments.quality)
        print(body)
        common.write_section("campaigns-quality", "Campaign grouping: quality", body)
    if arguments.scale:
        body = scale(arguments.scale)
        print(body)
        common.write_section("campaigns-scale", "Campaign grouping: scale", body)


if __name__ == "__main__":
    main()
