"""Fail the build when an evaluation report is below its thresholds.

    python -m scripts.gate results/heldout.json tests/heldout/thresholds.yml
    python -m scripts.gate results/safety.json tests/safety/thresholds.yml

Reads a report written by scripts/eval_*.py; never computes figures itself.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Dict, List, Tuple

import yaml


def check(report: Dict[str, Any], limits: Dict[str, float]) -> List[Tuple[str, float, str, bool]]:
    """(metric, value, requirement, ok) for every threshold."""
    rows = []
    for key, limit in limits.items():
        if key.endswith("_min"):
            metric = key[: -len("_min")]
            value = float(report[metric])
            rows.append((metric, value, f">= {limit}", value >= limit))
        elif key.endswith("_max"):
            metric = key[: -len("_max")]
            value = float(report[metric])
            rows.append((metric, value, f"<= {limit}", value <= limit))
        else:
            raise ValueError(f"threshold '{key}' must end in _min or _max")
    return rows


def main(argv: List[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    report = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    limits = yaml.safe_load(Path(argv[2]).read_text(encoding="utf-8"))
    rows = check(report, limits)
    if not report or report.get("n_messages", report.get("n_variants", 0)) == 0:
        print("FAIL: the report holds no messages", file=sys.stderr)
        return 1
    print(f"Gate on {argv[1]} ({argv[2]}):")
    for metric, value, requirement, ok in rows:
        print(f"  {'ok  ' if ok else 'FAIL'} {metric:38} {value:8.3f}  (needs {requirement})")
    failed = [r for r in rows if not r[3]]
    if failed:
        print(f"FAIL: {len(failed)} threshold(s) not met; errors are listed in {argv[1]}")
        return 1
    print("Gate passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
