"""What reading a message in its conversation costs per turn, on and off in turns.

    python -m scripts.bench_conversation_cost [--model models/imuran.tar.gz] [--rounds 4]

Loads the model in-process as the server does (`rasa_patches.install()`, the server's
response generator) and holds short conversations of ordinary questions, follow-ups and
thanks through `Agent.handle_text`, alternating in each round between:
- on: the conversation brief on each message (rasa_patches/conversation.py), the
  follow-up component (components/follow_up.py) and the two-questions split
  (rasa_patches/two_questions.py), as shipped;
- off: the same three turned off (the message read alone, as before the conversation
  work).
Both run in one process, in turns, so the host's drift reaches both alike (the HTTP
benchmark, `make bench`, varies up to 1.5x between runs on this machine). Reports p50 and
p95 per turn and the added share; writes results/bench_conversation_cost.json. A script
to run and report, not a timed test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List

ROOT = Path(__file__).resolve().parent.parent
CONVERSATION = [
    "how should i store my imuran",
    "what about when I travel?",
    "thanks",
    "can i drink alcohol on it",
    "how long before it works",
    "ok",
    "what if i miss a dose",
    "and if I forget two?",
    "do i need blood tests and how often",
    "thank you",
]


def load(model: Path) -> Any:
    from rasa.utils.endpoints import EndpointConfig

    from harness.nlu import load_agent

    nlg = EndpointConfig(type="components.leaflet_nlg.LeafletAnswerGenerator")
    return load_agent(model, generator=nlg)


class Switch:
    """Turns the three conversation pieces off and on again."""

    def __init__(self) -> None:
        import components.follow_up as follow_up
        import rasa_patches.nlu_thread as nlu_thread

        self.nlu_thread, self.follow_up = nlu_thread, follow_up
        self.saved = (
            nlu_thread.with_context,
            follow_up.ConversationContext.process,
            nlu_thread.add_second_question,
        )

    def off(self) -> None:
        async def unsplit(message: Any, parse_data: Dict[str, Any], parse: Any) -> Any:
            return parse_data

        self.nlu_thread.with_context = lambda message, tracker: None
        self.follow_up.ConversationContext.process = lambda component, messages: messages
        self.nlu_thread.add_second_question = unsplit

    def on(self) -> None:
        (
            self.nlu_thread.with_context,
            self.follow_up.ConversationContext.process,
            self.nlu_thread.add_second_question,
        ) = self.saved


async def conversations(agent: Any, count: int) -> List[float]:
    latencies = []
    for _ in range(count):
        sender = f"bench-{uuid.uuid4().hex[:10]}"
        for text in CONVERSATION:
            start = time.perf_counter()
            await agent.handle_text(text, sender_id=sender)
            latencies.append((time.perf_counter() - start) * 1000)
    return latencies


def summary(latencies: List[float]) -> Dict[str, float]:
    ordered = sorted(latencies)
    return {
        "turns": len(ordered),
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[int(len(ordered) * 0.95)], 2),
    }


async def measure(model: Path, rounds: int, per_round: int) -> Dict[str, Any]:
    agent = load(model)
    switch = Switch()
    await conversations(agent, 1)  # warm-up
    results: Dict[str, List[float]] = {"on": [], "off": []}
    for _ in range(rounds):
        switch.off()
        results["off"] += await conversations(agent, per_round)
        switch.on()
        results["on"] += await conversations(agent, per_round)
    on, off = summary(results["on"]), summary(results["off"])
    return {
        "on": on,
        "off": off,
        "p50_added": round(on["p50_ms"] / off["p50_ms"] - 1, 3),
        "rounds": rounds,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "imuran.tar.gz")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--per-round", type=int, default=3, help="conversations per turn")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "results" / "bench_conversation_cost.json"
    )
    args = parser.parse_args()
    report = asyncio.run(measure(args.model, args.rounds, args.per_round))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
