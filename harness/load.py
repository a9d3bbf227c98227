"""Pieces the load benchmark and the soak share: the message mix, percentiles, process
memory, host CPU steal, and the speed targets judged from one run's figures."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

OUR_MESSAGES = [
    "how should I store imuran?",
    "i forgot my dose this morning",
    "what are the side effects",
    "can I get a flu shot",
    "I have a fever of 38.6",
    "can I drink alcohol with azathioprine",
    "hello",
    "how long until it starts working",
    "can I talk to a nurse",
    "thanks",
]


def percentile(values: Sequence[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))]


def cpu_ticks() -> Tuple[int, int]:
    """(all CPU ticks, ticks stolen by the hypervisor) since boot, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    steal = fields[7] if len(fields) > 7 else 0
    return sum(fields[:8]), steal


def process_tree_rss_mb(pid: int) -> float:
    """RSS of a process and its children (Sanic workers are children)."""
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    total = 0.0
    for one in pids:
        try:
            for line in Path(f"/proc/{one}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
        except FileNotFoundError:
            pass
    return total


def targets(
    ours: Dict[str, Any], base: Dict[str, Any], training: Optional[Dict[str, float]]
) -> List[Tuple[str, str, bool]]:
    """The speed issue's targets: (target, measured, met), from one run's figures.

    Throughput counts only load levels with p95 <= 500 ms and no errors, against the
    default bot's saturation in the same run.
    """
    usable = [lv for lv in ours["levels"] if lv["p95_ms"] <= 500 and lv["errors"] == 0]
    best = max(usable, key=lambda lv: lv["msgs_per_s"]) if usable else None
    theirs = base["saturation"]["msgs_per_s"]
    ratio = best["msgs_per_s"] / theirs if best and theirs else 0.0
    single = ours["single"]
    rows = [
        ("one conversation p50 <= 40 ms", f'{single["p50_ms"]} ms', single["p50_ms"] <= 40),
        ("one conversation p95 <= 80 ms", f'{single["p95_ms"]} ms', single["p95_ms"] <= 80),
        (
            "throughput >= 3x the default bot's, p95 <= 500 ms, no errors",
            f'{ratio:.2f}x ({best["msgs_per_s"] if best else 0} at '
            f'{best["conversations"] if best else "-"} users vs {theirs} msgs/s)',
            ratio >= 3,
        ),
        ("server ready <= 20 s", f'{ours["ready_s"]} s', ours["ready_s"] <= 20),
        ("server memory <= 800 MB", f'{ours["rss_mb"]} MB', ours["rss_mb"] <= 800),
    ]
    if training:
        full, edit = training["training_full_s"], training["retrain_answer_edit_s"]
        rows += [
            ("full training <= 120 s", f"{full} s", full <= 120),
            ("retraining after an answer text edit <= 30 s", f"{edit} s", edit <= 30),
        ]
    return rows
