"""Soak test: steady load for a long time, then check memory, errors and the records.

    python -m scripts.soak [--minutes 30] [--rate 8] [--users 4] [--warmup 3]

Starts the real action server and Rasa server (SQLite tracker store, as `make run`),
sends the assistant's message mix at a steady rate from several simulated users (a new
conversation after each round), samples the server's memory every 10 s, and at the end:
- memory growth after warm-up (target < 10%),
- errors (target 0),
- reconciles the client's log of answered messages with the tracker store's user events,
  one to one and in order, per conversation.
Writes results/soak.json and results/soak_client.jsonl. A script to run and report, not a
timed test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List

import aiohttp

from harness.load import OUR_MESSAGES, process_tree_rss_mb
from harness.servers import Servers
from persistence.conversations import export_conversation

ROOT = Path(__file__).resolve().parent.parent


async def user(
    session: aiohttp.ClientSession, url: str, name: str, interval: float, offset: float,
    until: float, log: List[Dict[str, Any]],
) -> None:  # fmt: skip
    i = 0
    next_at = time.monotonic() + offset  # users spread over the interval, not in step
    await asyncio.sleep(offset)
    while time.monotonic() < until:
        sender = f"{name}-{i // len(OUR_MESSAGES)}"
        text = OUR_MESSAGES[i % len(OUR_MESSAGES)]
        i += 1
        t0 = time.perf_counter()
        entry: Dict[str, Any] = {"sender": sender, "text": text, "sent": time.time()}
        try:
            async with session.post(url, json={"sender": sender, "message": text}) as reply:
                body = await reply.json(content_type=None)
                entry.update(
                    status=reply.status, replies=len(body) if isinstance(body, list) else 0
                )
        except Exception as error:  # counted as an error, never hidden
            entry.update(status=0, error=type(error).__name__)
        entry["ms"] = round((time.perf_counter() - t0) * 1000, 1)
        log.append(entry)
        next_at += interval
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))


async def sample_memory(pid: int, until: float, samples: List[List[float]]) -> None:
    started = time.monotonic()
    while time.monotonic() < until:
        samples.append([round(time.monotonic() - started, 1), round(process_tree_rss_mb(pid), 1)])
        await asyncio.sleep(10)


async def run_load(servers: Servers, args: argparse.Namespace) -> Dict[str, Any]:
    until = time.monotonic() + args.minutes * 60
    log: List[Dict[str, Any]] = []
    memory: List[List[float]] = []
    interval = args.users / args.rate
    assert servers.rasa is not None
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        url = f"{servers.url}/webhooks/rest/webhook"
        await asyncio.gather(
            sample_memory(servers.rasa.pid, until, memory),
            *(user(session, url, f"soak{u}-{int(time.time())}", interval,
                   u * interval / args.users, until, log)
              for u in range(args.users)),
        )  # fmt: skip
    return {"log": log, "memory": memory}


def reconcile(servers: Servers, log: List[Dict[str, Any]]) -> Dict[str, Any]:
    import sqlalchemy as sa

    engine = sa.create_engine(f"sqlite:///{servers.workdir / 'tracker.db'}")
    answered: Dict[str, List[str]] = {}
    for entry in log:
        if entry.get("status") == 200:
            answered.setdefault(entry["sender"], []).append(entry["text"])
    mismatched = []
    stored_total = 0
    for sender, texts in answered.items():
        stored = [e["text"] for e in export_conversation(engine, sender) if e["event"] == "user"]
        stored_total += len(stored)
        if stored != texts:
            mismatched.append({"sender": sender, "client": texts, "store": stored})
    return {
        "conversations": len(answered),
        "client_answered": sum(len(t) for t in answered.values()),
        "store_user_events": stored_total,
        "mismatched_conversations": mismatched[:5],
        "mismatches": len(mismatched),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--rate", type=float, default=8, help="messages per second in all")
    parser.add_argument("--users", type=int, default=4)
    parser.add_argument("--warmup", type=float, default=3, help="minutes before the baseline")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "soak.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        servers = Servers(workdir=Path(workdir))
        servers.start_actions()
        servers.start_rasa()
        print(f"Soak: {args.rate} msgs/s from {args.users} users for {args.minutes} min ...",
              flush=True)  # fmt: skip
        try:
            result = asyncio.run(run_load(servers, args))
            records = reconcile(servers, result["log"])
        finally:
            servers.stop()
    log, memory = result["log"], result["memory"]
    errors = [e for e in log if e.get("status") != 200 or not e.get("replies")]
    after_warmup = [rss for t, rss in memory if t >= args.warmup * 60]
    base = after_warmup[0] if after_warmup else float("nan")
    growth = (after_warmup[-1] - base) / base * 100 if after_warmup else float("nan")
    latencies = [e["ms"] for e in log if e.get("status") == 200]
    summary = {
        "minutes": args.minutes,
        "messages": len(log),
        "errors": len(errors),
        "latency_ms_p50": statistics.median(latencies) if latencies else None,
        "latency_ms_p95": sorted(latencies)[int(0.95 * len(latencies))] if latencies else None,
        "rss_mb_after_warmup": base,
        "rss_mb_end": after_warmup[-1] if after_warmup else None,
        "rss_mb_max": max(rss for _, rss in memory) if memory else None,
        "memory_growth_pct_after_warmup": round(growth, 2),
        **records,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({**summary, "memory_samples": memory}, indent=2))
    with (args.out.parent / "soak_client.jsonl").open("w") as client_log:
        for entry in log:
            client_log.write(json.dumps(entry) + "\n")
    for key, value in summary.items():
        if key != "mismatched_conversations":
            print(f"  {key:32} {value}")
    ok = not errors and records["mismatches"] == 0 and growth < 10
    print("Soak " + ("passed" if ok else "FAILED") + ": errors 0, records one to one, "
          "memory growth < 10% after warm-up")  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
