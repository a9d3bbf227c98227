"""The safety detector's added cost per message, p50/p95/p99, on realistic messages.

    python -m scripts.bench_detector [--rounds 3]

Times InfectionSignDetector.process() on one message at a time (what it adds to every
turn), over the safety suite and the held-out NLU set, each message several rounds, after
a warm-up. Prints figures and writes results/bench_detector.json; not a timed test.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import List

import yaml

from components.safety import InfectionSignDetector  # noqa: E402
from harness.nlu import load_examples
from harness.perturb import long_text

ROOT = Path(__file__).resolve().parent.parent


def messages() -> List[str]:
    suite = yaml.safe_load((ROOT / "tests/safety/suite.yml").read_text(encoding="utf-8"))
    texts = [i["text"] for i in suite["must_escalate"] + suite["must_not_escalate"]]
    texts += [t for t, _ in load_examples(ROOT / "tests/heldout/nlu_heldout.yml")]
    return texts


def percentile(values: List[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from rasa.shared.nlu.training_data.message import Message

    started = time.perf_counter()
    detector = InfectionSignDetector({"lexicon": None})
    load_seconds = time.perf_counter() - started
    texts = messages()
    for text in texts[:50]:  # warm-up: first calls fill caches
        detector.process([Message(data={"text": text})])
    timings = []
    for _ in range(args.rounds):
        for text in texts:
            message = Message(data={"text": text})
            t0 = time.perf_counter()
            detector.process([message])
            timings.append((time.perf_counter() - t0) * 1000)
    long_timings = []
    for text in texts[:100]:
        message = Message(data={"text": long_text(text)})
        t0 = time.perf_counter()
        detector.process([message])
        long_timings.append((time.perf_counter() - t0) * 1000)
    result = {
        "messages": len(timings),
        "load_seconds": round(load_seconds, 2),
        "ms_p50": round(statistics.median(timings), 3),
        "ms_p95": round(percentile(timings, 95), 3),
        "ms_p99": round(percentile(timings, 99), 3),
        "ms_max": round(max(timings), 3),
        "long_5000_chars_ms_p50": round(statistics.median(long_timings), 2),
        "long_5000_chars_ms_p95": round(percentile(long_timings, 95), 2),
    }
    out = ROOT / "results" / "bench_detector.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print("Safety detector, added cost per message (this machine):")
    for key, value in result.items():
        print(f"  {key:26} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
