"""Measure training time, model size, server start time, memory and per-message latency.

    python scripts/benchmark.py [--model models/imuran.tar.gz] [--skip-train] [--messages 200]

Training is a full `rasa train --force` into a temporary folder (no cache reuse). Latency
is measured on the REST channel, one conversation at a time, with real servers on
loopback. Figures are printed and written to results/benchmark.json; this is a script to
run and report, not a test with a time limit.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.servers import Servers  # noqa: E402  (needs ROOT on sys.path)

MESSAGES = [
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


def percentile(values: List[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure_training() -> Dict[str, float]:
    with tempfile.TemporaryDirectory() as out:
        print("Training from scratch (rasa train --force) ...", flush=True)
        started = time.perf_counter()
        subprocess.run(
            [str(Path(sys.executable).parent / "rasa"), "train", "--force", "--quiet",
             "--fixed-model-name", "bench", "--out", out],
            cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
            env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
        )  # fmt: skip
        seconds = time.perf_counter() - started
        size = (Path(out) / "bench.tar.gz").stat().st_size / 1e6
    return {"training_seconds": round(seconds, 1), "trained_model_mb": round(size, 1)}


def measure_serving(model: Path, n_messages: int) -> Dict[str, float]:
    with tempfile.TemporaryDirectory() as workdir:
        servers = Servers(workdir=Path(workdir), model=model)
        print("Starting the action server and the Rasa server ...", flush=True)
        servers.start_actions()
        started = time.perf_counter()
        servers.start_rasa()
        ready = time.perf_counter() - started
        try:
            servers.send("bench-warmup", "hello")
            first_answer = time.perf_counter() - started
            latencies = []
            print(f"Sending {n_messages} messages, one conversation at a time ...", flush=True)
            for i in range(n_messages):
                sender = f"bench-{i // len(MESSAGES)}"
                t0 = time.perf_counter()
                reply = requests.post(
                    f"{servers.url}/webhooks/rest/webhook",
                    json={"sender": sender, "message": MESSAGES[i % len(MESSAGES)]},
                    timeout=60,
                )
                latencies.append((time.perf_counter() - t0) * 1000)
                reply.raise_for_status()
            assert servers.rasa is not None
            memory = rss_mb(servers.rasa.pid)
        finally:
            servers.stop()
    return {
        "server_ready_seconds": round(ready, 1),
        "first_answer_seconds": round(first_answer, 1),
        "latency_ms_p50": round(statistics.median(latencies), 1),
        "latency_ms_p95": round(percentile(latencies, 95), 1),
        "latency_ms_max": round(max(latencies), 1),
        "messages": n_messages,
        "server_rss_mb": round(memory, 0),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "imuran.tar.gz")
    parser.add_argument("--skip-train", action="store_true")
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "benchmark.json")
    args = parser.parse_args()
    args.model, args.out = args.model.resolve(), args.out.resolve()
    results: Dict[str, float] = {"model_mb": round(args.model.stat().st_size / 1e6, 1)}
    if not args.skip_train:
        results.update(measure_training())
    results.update(measure_serving(args.model, args.messages))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print("\nBenchmark (this machine, REST channel on loopback):")
    for key, value in results.items():
        print(f"  {key:24} {value}")
    print(f"Wrote {args.out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
