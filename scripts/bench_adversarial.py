"""Adversarial messages: their own latency, a bystander's, and health, one at a time.

    python -m scripts.bench_adversarial [--rounds 3]

Starts the real action server and Rasa server (SQLite tracker store, as `make run`) in a
temporary directory and sends, one at a time over REST, messages built to be expensive,
each as long as the message limit (channels/turn.py MAX_MESSAGE_CHARS): repeated emoji,
"fever " and "no, ", a dense mix of distinct symptom sentences, distinct emoji with no
spaces, CJK text, random words, one word as long as the limit, deeply nested
punctuation, many temperatures, mixed scripts. While each one is in flight, a bystander
thread asks "how should I store imuran?" again and again (a new conversation each time,
as other patients would) and another polls GET /webhooks/rest/health every 100 ms. Per
input, over --rounds rounds:
- the message's own latency (worst round), and that it got a reply that is not the
  "something went wrong" one;
- the bystander's worst latency while the message was in flight;
- whether health answered every poll (within 2 s) meanwhile.
Then the worst of each. Target (issue: adversarial input): each under 1 s, other
conversations answered meanwhile. Writes results/bench_adversarial.json and prints a
table. A script to run and report, not a timed test: this host is shared and noisy
(docs/benchmarks.md), so the CPU the hypervisor took during the run is reported too.
"""

from __future__ import annotations

import argparse
import json
import random
import string
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Tuple

import requests

from channels.turn import MAX_MESSAGE_CHARS
from clinic.wording import FAILURE_REPLY
from harness.load import cpu_ticks
from harness.servers import Servers

ROOT = Path(__file__).resolve().parent.parent
BYSTANDER_QUESTION = "how should I store imuran?"
TARGET_S = 1.0
HEALTH_EVERY_S = 0.1
HEALTH_TIMEOUT_S = 2.0
REQUEST_TIMEOUT_S = 120.0  # long enough to measure a slow message, not to hang forever

SYMPTOMS = [
    "I have a fever of {t}", "my throat is sore", "I keep shivering with chills",
    "there is a rash on my {p}", "I have been coughing for {d} days", "it burns when I pee",
    "my {p} is red and swollen", "I feel dizzy and weak", "I bruise very easily",
    "my gums are bleeding", "I have yellow skin and eyes", "my urine is dark",
    "I have a bad headache", "I threw up {d} times", "I have diarrhea since {d} days",
    "I get short of breath", "there is a cut on my {p} with pus", "I have mouth ulcers",
    "my {p} hurts a lot", "I sweat at night", "I feel very tired", "my stomach aches",
]  # fmt: skip
OPENINGS = ["Also", "Since yesterday", "Today", "This morning", "For a week", "Now",
            "My son says", "Still", "Again", "Tonight", "Suddenly", "Oh and"]  # fmt: skip
PLACES = ["arm", "leg", "face", "back", "chest", "hand", "foot", "neck", "knee", "belly"]
TEMPERATURES = ["38.1", "38.5", "39", "39.5", "40.2", "101 F", "102.5 F", "37.9"]
SCRIPTS = [
    "fever", "лихорадка", "πυρετός", "حمى", "חום", "बुखार", "发烧", "ไข้", "열", "😷",
    "e\u0301te\u0301", "\u202ehurts\u202c", "ﬁèvre", "Ｆｅｖｅｒ", "𝓯𝓮𝓿𝓮𝓻",
]  # fmt: skip
EMOJI_BLOCKS = [(0x1F300, 0x1F5FF), (0x1F600, 0x1F64F), (0x1F680, 0x1F6FF),
                (0x1F900, 0x1F9FF), (0x1FA70, 0x1FAFF), (0x2600, 0x27BF)]  # fmt: skip
SKIN_TONES = [chr(c) for c in range(0x1F3FB, 0x1F400)]


def fill(pieces: List[str], separator: str = " ") -> str:
    """Pieces joined until the next would pass the limit."""
    out: List[str] = []
    length = 0
    for piece in pieces:
        extra = len(piece) + (len(separator) if out else 0)
        if length + extra > MAX_MESSAGE_CHARS:
            break
        out.append(piece)
        length += extra
    return separator.join(out)


def distinct_emoji(count: int) -> str:
    """`count` distinct emoji with no spaces: each base alone, then with each skin tone
    (not every pair is a valid modifier sequence; a client can send it all the same)."""
    bases = [chr(c) for low, high in EMOJI_BLOCKS for c in range(low, high + 1)]
    items = bases + [base + tone for tone in SKIN_TONES for base in bases]
    return "".join(items[:count])


def inputs(seed: int = 7) -> List[Tuple[str, str]]:
    rng = random.Random(seed)  # the same messages on every run
    # Every filling of every sentence, each with every opening: ~1,000 distinct sentences.
    filled = {
        s.format(t=t, p=p, d=d)
        for s in SYMPTOMS
        for t, p, d in zip(TEMPERATURES * 2, PLACES, range(2, 12))
    }
    symptoms = sorted(f"{opening} {sentence}" for opening in OPENINGS for sentence in filled)
    rng.shuffle(symptoms)
    words = [
        "".join(rng.choices(string.ascii_lowercase, k=rng.randint(2, 10))) for _ in range(4000)
    ]
    mixed = [rng.choice(SCRIPTS) for _ in range(4000)]
    n = MAX_MESSAGE_CHARS  # every message as long as the limit allows
    cases = [
        ('"😷🤒" repeated', "😷🤒" * (n // 2)),
        ('"fever " repeated', "fever " * (n // 6)),
        ('"no, " repeated', "no, " * (n // 4)),
        ('"pee it hurts " repeated', "pee it hurts " * (n // 13)),
        ("distinct symptom sentences", fill(symptoms, ". ")),
        ("distinct emoji, no spaces", distinct_emoji(n // 2)),
        ("CJK characters", "".join(chr(rng.randint(0x4E00, 0x9FFF)) for _ in range(n))),
        ("random words", fill(words)),
        ("one word as long as the limit", "".join(rng.choices(string.ascii_lowercase, k=n))),
        ("nested punctuation", "([{<" * (n // 8) + ">}])" * (n // 8)),
        ('"39.5 " repeated', "39.5 " * (n // 5)),
        ("mixed scripts", fill(mixed)),
    ]  # fmt: skip
    for name, text in cases:
        if len(text) > MAX_MESSAGE_CHARS:
            raise SystemExit(f"{name}: {len(text)} characters, over the limit")
    return cases


@dataclass
class Watch:
    """The bystander and the health poller, running while one message is in flight."""

    url: str
    stop: threading.Event = field(default_factory=threading.Event)
    bystander_s: List[float] = field(default_factory=list)
    bystander_errors: int = 0
    health_s: List[float] = field(default_factory=list)
    health_unanswered: int = 0
    threads: List[threading.Thread] = field(default_factory=list)

    def bystander(self) -> None:
        with requests.Session() as session:
            while not self.stop.is_set():
                sender = f"bystander-{time.time_ns()}"
                started = time.perf_counter()
                try:
                    reply = session.post(
                        f"{self.url}/webhooks/rest/webhook",
                        json={"sender": sender, "message": BYSTANDER_QUESTION},
                        timeout=REQUEST_TIMEOUT_S,
                    )
                    ok = reply.status_code == 200 and bool(reply.json())
                except requests.RequestException:
                    ok = False
                # Counted even when it ends after the message: it waited while it was in flight.
                self.bystander_s.append(time.perf_counter() - started)
                self.bystander_errors += not ok

    def health(self) -> None:
        with requests.Session() as session:
            while not self.stop.is_set():
                started = time.perf_counter()
                try:
                    ok = session.get(
                        f"{self.url}/webhooks/rest/health", timeout=HEALTH_TIMEOUT_S
                    ).ok
                except requests.RequestException:
                    ok = False
                self.health_s.append(time.perf_counter() - started)
                self.health_unanswered += not ok
                self.stop.wait(HEALTH_EVERY_S)

    def __enter__(self) -> "Watch":
        self.threads = [
            threading.Thread(target=self.bystander),
            threading.Thread(target=self.health),
        ]
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()


def one_round(url: str, text: str, turn: int) -> Dict[str, Any]:
    sender = f"adversarial-{turn}-{time.time_ns()}"
    with Watch(url) as watch:
        time.sleep(0.05)  # the bystander's first request is in flight before the message
        started = time.perf_counter()
        reply = requests.post(
            f"{url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            timeout=REQUEST_TIMEOUT_S,
        )
        own_s = time.perf_counter() - started
    texts = [str(m.get("text")) for m in reply.json()] if reply.status_code == 200 else []
    return {
        "own_s": own_s,
        "status": reply.status_code,
        "answered": bool(texts) and FAILURE_REPLY not in texts,
        "first_reply": texts[0][:80] if texts else None,
        "bystander_worst_s": max(watch.bystander_s, default=0.0),
        "bystander_requests": len(watch.bystander_s),
        "bystander_errors": watch.bystander_errors,
        "health_polls": len(watch.health_s),
        "health_unanswered": watch.health_unanswered,
        "health_worst_s": max(watch.health_s, default=0.0),
    }


def summarise(name: str, text: str, rounds: List[Dict[str, Any]]) -> Dict[str, Any]:
    def ms(seconds: float) -> int:
        return round(seconds * 1000)

    return {
        "input": name,
        "characters": len(text),
        "own_ms_worst": ms(max(r["own_s"] for r in rounds)),
        "own_ms_each": [ms(r["own_s"]) for r in rounds],
        "answered": all(r["answered"] for r in rounds),
        "status": sorted({r["status"] for r in rounds}),
        "first_reply": rounds[0]["first_reply"],
        "bystander_ms_worst": ms(max(r["bystander_worst_s"] for r in rounds)),
        "bystander_requests": sum(r["bystander_requests"] for r in rounds),
        "bystander_errors": sum(r["bystander_errors"] for r in rounds),
        "health_polls": sum(r["health_polls"] for r in rounds),
        "health_unanswered": sum(r["health_unanswered"] for r in rounds),
        "health_ms_worst": ms(max(r["health_worst_s"] for r in rounds)),
    }


def report(rows: List[Dict[str, Any]], worst: Dict[str, Any]) -> None:
    print(
        "\n| Input | Chars | Own latency, worst (ms) | Bystander worst (ms) | Health answered |"
        "\n|---|---:|---:|---:|---|"
    )
    for row in rows:
        health = (
            f"yes ({row['health_polls']} polls, worst {row['health_ms_worst']} ms)"
            if not row["health_unanswered"]
            else f"NO: {row['health_unanswered']} of {row['health_polls']} unanswered"
        )
        own = f"{row['own_ms_worst']}" + ("" if row["answered"] else " (no proper reply)")
        print(
            f"| {row['input']} | {row['characters']:,} | {own} | {row['bystander_ms_worst']} "
            f"| {health} |"
        )
    print(
        f"| **worst** | | **{worst['own_ms']}** | **{worst['bystander_ms']}** "
        f"| {'yes' if worst['health_all_answered'] else 'NO'} |"
    )
    print(f"\nTarget: under {TARGET_S * 1000:.0f} ms each, other conversations answered meanwhile.")
    for label, key in (("own latency", "own_ms"), ("bystander", "bystander_ms")):
        met = worst[key] < TARGET_S * 1000
        print(f"  {'met    ' if met else 'NOT met'}  {label}: worst {worst[key]} ms")
    answered = worst["all_answered"] and worst["bystander_errors"] == 0
    print(f"  {'met    ' if answered else 'NOT met'}  every message and bystander answered")
    print(
        f"  {'met    ' if worst['health_all_answered'] else 'NOT met'}  health answered throughout"
    )
    print(f"CPU taken by the hypervisor during the run: {worst['cpu_stolen_pct']}%")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "imuran.tar.gz")
    parser.add_argument("--rounds", type=int, default=3, help="times each input is sent")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "bench_adversarial.json")
    args = parser.parse_args()
    cases = inputs()
    with tempfile.TemporaryDirectory() as tmp:
        servers = Servers(workdir=Path(tmp), model=args.model.resolve())
        print("Starting the servers ...", flush=True)
        servers.start_actions()
        try:
            servers.start_rasa()
            for i in range(5):  # first-message costs are not what is measured
                servers.send(f"warmup-{i}", BYSTANDER_QUESTION)
                servers.send(f"warmup-{i}", "I have a fever of 39.5")
            before = cpu_ticks()
            rows = []
            for name, text in cases:
                print(f"  {name} ...", flush=True)
                rounds = [one_round(servers.url, text, r) for r in range(args.rounds)]
                rows.append(summarise(name, text, rounds))
            after = cpu_ticks()
            alive = servers.rasa is not None and servers.rasa.poll() is None
        finally:
            servers.stop()
    total, steal = after[0] - before[0], after[1] - before[1]
    worst = {
        "own_ms": max(r["own_ms_worst"] for r in rows),
        "bystander_ms": max(r["bystander_ms_worst"] for r in rows),
        "health_ms": max(r["health_ms_worst"] for r in rows),
        "health_all_answered": all(r["health_unanswered"] == 0 for r in rows),
        "all_answered": all(r["answered"] for r in rows),
        "bystander_errors": sum(r["bystander_errors"] for r in rows),
        "server_alive_after": alive,
        "cpu_stolen_pct": round(100 * steal / total, 1) if total else None,
    }
    report(rows, worst)
    result = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "rounds": args.rounds,
              "target_ms": TARGET_S * 1000, "inputs": rows, "worst": worst}  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    out = args.out.resolve()
    print(f"Wrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
