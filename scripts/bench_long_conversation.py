"""The cost of a turn late in one long conversation against an early one.

    python -m scripts.bench_long_conversation [--turns 100] [--rounds 3]

Starts the real action server and Rasa server (SQLite tracker store, as `make run`) in a
temporary directory and holds one conversation of --turns turns over REST (a patient's
ordinary questions and thanks, in a fixed cycle), --rounds times with a new sender each
time. Reports the median latency of turns 1-10 and of the last ten turns, and their ratio
(target: the last ten within 1.5x of the first ten). Writes
results/bench_long_conversation.json. A script to run and report, not a timed test.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List

from harness.servers import MODEL, Servers

ROOT = Path(__file__).resolve().parent.parent
CYCLE = [
    "how should I store imuran?",
    "thanks",
    "what if I miss a dose?",
    "ok",
    "why do I need blood tests?",
    "can I have the flu jab?",
    "thank you",
    "how long does it take to work?",
    "does it make you feel sick?",
    "got it, thanks",
]


def one_conversation(servers: Servers, turns: int) -> List[float]:
    sender = f"long-{uuid.uuid4().hex[:12]}"
    latencies: List[float] = []
    for turn in range(turns):
        started = time.perf_counter()
        servers.send(sender, CYCLE[turn % len(CYCLE)])
        latencies.append(time.perf_counter() - started)
    return latencies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--model", type=Path, default=MODEL)
    args = parser.parse_args()
    runs: List[List[float]] = []
    with tempfile.TemporaryDirectory() as workdir:
        servers = Servers(workdir=Path(workdir), model=args.model)
        try:
            servers.start_actions()
            servers.start_rasa()
            one_conversation(servers, 10)  # warm-up
            runs = [one_conversation(servers, args.turns) for _ in range(args.rounds)]
        finally:
            servers.stop()
    first = [lat for run in runs for lat in run[:10]]
    last = [lat for run in runs for lat in run[-10:]]
    report: Dict[str, Any] = {
        "turns": args.turns,
        "rounds": args.rounds,
        "first_ten_p50_ms": round(statistics.median(first) * 1000, 1),
        "last_ten_p50_ms": round(statistics.median(last) * 1000, 1),
    }
    report["ratio"] = round(report["last_ten_p50_ms"] / report["first_ten_p50_ms"], 2)
    out = ROOT / "results" / "bench_long_conversation.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
