"""Score labelled multi-turn conversations against the real servers, as a patient meets them.

    python -m scripts.score_conversations --out results/conversations.json SET.yml [...]

A set file (written by someone who never saw the training data or the stories):

    writer: "..."
    conversations:
      - turns:
          - {text: "...", expect: section:<id> | infection_sign | emergency | calm |
                                  out_of_scope | other_drug | handoff, also: <id>, kind: ...}

Each conversation is a fresh sender on the REST channel of a real action server and Rasa
server (harness/servers.py); what each turn did is read from the stored conversation, as
CONTRACT.md defines it. Prints the totals only; the per-turn results go to --out, to be
read after the untuned totals are written down, never before.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml

from harness.servers import MODEL, Servers
from harness.stats import miss_rate_upper_bound

ESCALATIONS = {"infection_sign", "emergency"}
SECTION_PREFIX = "utter_leaflet/"


def turn_behaviour(events: List[Dict[str, Any]]) -> Dict[str, Any]:
    """What one turn did, from its events (from its user event on)."""
    actions = [e.get("name") for e in events if e.get("event") == "action"]
    utters = [
        str((e.get("metadata") or {}).get("utter_action") or "")
        for e in events
        if e.get("event") == "bot"
    ]
    sections = [u[len(SECTION_PREFIX) :] for u in utters if u.startswith(SECTION_PREFIX)]
    slots = {e.get("name"): e.get("value") for e in events if e.get("event") == "slot"}
    return {
        "emergency": "utter_emergency" in actions or "utter_emergency" in utters,
        "infection_sign": "action_escalate_infection" in actions,
        "handoff": "action_handoff" in actions,
        "other_drug": "utter_other_drug" in actions or "utter_other_drug" in utters,
        "sections": list(dict.fromkeys(sections)),
        "section_slot": slots.get("leaflet_section"),
        "utters": utters,
    }


def correct(expect: str, did: Dict[str, Any]) -> bool:
    """Whether the turn did what its label asks (CONTRACT.md's observable behaviour)."""
    escalated = did["emergency"] or did["infection_sign"]
    if expect == "emergency":
        return bool(did["emergency"])
    if expect == "infection_sign":
        return bool(did["infection_sign"] or did["emergency"])
    if expect == "handoff":
        return bool(did["handoff"])
    if expect.startswith("section:"):
        return bool(did["sections"]) and did["sections"][0] == expect.split(":", 1)[1]
    # calm, out_of_scope, other_drug: no escalation and no leaflet answer.
    return not escalated and not did["sections"]


def stale(did: Dict[str, Any], slot_now: Optional[str]) -> bool:
    """A turn with no leaflet answer that leaves a section id in the slot."""
    return not did["sections"] and slot_now is not None


def score(servers: Servers, conversations: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    results: List[Dict[str, Any]] = []
    for number, conversation in enumerate(conversations):
        sender = f"conv-{uuid.uuid4().hex[:12]}"
        for index, turn in enumerate(conversation["turns"]):
            servers.send(sender, turn["text"])
            tracker = servers.tracker(sender)
            events = tracker["events"]
            last_user = max(i for i, e in enumerate(events) if e["event"] == "user")
            did = turn_behaviour(events[last_user:])
            slot_now = (tracker.get("slots") or {}).get("leaflet_section")
            expect = str(turn["expect"])
            also = turn.get("also")
            results.append(
                {
                    "set": conversation["set"],
                    "conversation": number,
                    "turn": index,
                    "text": turn["text"],
                    "expect": expect,
                    "also": also,
                    "did": did,
                    "correct": correct(expect, did),
                    "also_answered": (also in did["sections"]) if also else None,
                    "stale": stale(did, slot_now),
                }
            )
    return results


def rate(hits: int, total: int) -> Dict[str, Any]:
    return {"hits": hits, "total": total, "rate": round(hits / total, 3) if total else None}


def totals(results: List[Dict[str, Any]]) -> Dict[str, Any]:
    escalations = [r for r in results if r["expect"] in ESCALATIONS]
    missed = sum(not r["correct"] for r in escalations)
    report: Dict[str, Any] = {
        "conversations": len({(r["set"], r["conversation"]) for r in results}),
        "turns": len(results),
        "turn_accuracy": rate(sum(r["correct"] for r in results), len(results)),
        "escalation_and_emergency_turns": {
            **rate(len(escalations) - missed, len(escalations)),
            "miss_rate_upper_95": round(miss_rate_upper_bound(missed, len(escalations)), 3),
        },
        "stale_section_turns": sum(r["stale"] for r in results),
        "second_question_answered": rate(
            sum(bool(r["also_answered"]) for r in results if r["also"]),
            sum(1 for r in results if r["also"]),
        ),
        "later_turns_accuracy": rate(
            sum(r["correct"] for r in results if r["turn"] > 0),
            sum(1 for r in results if r["turn"] > 0),
        ),
    }
    by_label: Dict[str, Any] = {}
    for label in sorted({r["expect"].split(":")[0] for r in results}):
        chosen = [r for r in results if r["expect"].split(":")[0] == label]
        by_label[label] = rate(sum(r["correct"] for r in chosen), len(chosen))
    report["by_label"] = by_label
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="+", type=Path)
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    conversations: List[Dict[str, Any]] = []
    for path in args.sets:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        conversations += [{**c, "set": path.stem} for c in data["conversations"]]
    with tempfile.TemporaryDirectory() as workdir:
        servers = Servers(workdir=Path(workdir), model=args.model)
        try:
            servers.start_actions()
            servers.start_rasa()
            results = score(servers, conversations)
        finally:
            servers.stop()
    report = totals(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"totals": report, "turns": results}, indent=1))
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
