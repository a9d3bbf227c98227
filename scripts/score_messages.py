"""Score a batch of labelled messages through the trained model, as the server parses them.

    python -m scripts.score_messages --model models/imuran.tar.gz --out results/batch.json \
        BATCH.yml [BATCH.yml ...]

A batch file (written by someone who never saw the training data, docs/evaluation.md):

    writer: "..."
    messages:
      - {text: "...", expect: infection_sign | emergency | calm | section:<id> |
                              out_of_scope | other_drug | handoff, kind: ...}

Prints the totals only. The per-message predictions go to the output file, to be read
after the untuned totals are written down, never before; with --totals-only (the locked
set) they are not kept at all. The report's flat rates are what scripts/gate.py reads.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Dict, List, Tuple

import yaml

from components.language import LANGUAGE_KEY
from harness.nlu import parse_all
from harness.stats import miss_rate_upper_bound

ESCALATING = {"report_infection_sign", "emergency"}


def behaviour(parse: Dict[str, Any]) -> str:
    """What the turn does, from the parse: the intent decides the rule that runs."""
    intent = str((parse.get("intent") or {}).get("name") or "")
    if intent == "nlu_fallback" and parse.get(LANGUAGE_KEY):
        return "not_english"  # the reply for messages in another language
    if intent == "leaflet":
        selector = (parse.get("response_selector") or {}).get("leaflet") or {}
        key = str((selector.get("response") or {}).get("intent_response_key") or "")
        return "section:" + key.split("/", 1)[-1] if key else "clarify"
    return {
        "report_infection_sign": "infection_sign",
        "emergency": "emergency",
        "out_of_scope": "out_of_scope",
        "other_drug": "other_drug",
        "request_human": "handoff",
        "nlu_fallback": "clarify",
    }.get(intent, intent)


def load_batches(paths: List[Path]) -> List[Dict[str, Any]]:
    items: List[Dict[str, Any]] = []
    for path in paths:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for item in data["messages"]:
            items.append({**item, "batch": path.stem})
    return items


def rate(hits: int, total: int) -> Dict[str, Any]:
    return {"hits": hits, "total": total, "rate": round(hits / total, 3) if total else None}


def totals(items: List[Dict[str, Any]]) -> Dict[str, Dict[str, Any]]:
    """The measures of docs/evaluation.md, one line each."""

    def of(label: str) -> List[Dict[str, Any]]:
        return [i for i in items if i["expect"] == label]

    def count(group: List[Dict[str, Any]], test: Any) -> Tuple[int, int]:
        return sum(1 for i in group if test(i["got"])), len(group)

    signs, emergencies = of("infection_sign"), of("emergency")
    sections = [i for i in items if i["expect"].startswith("section:")]
    escalated = count(signs, lambda g: g in ("infection_sign", "emergency"))
    measures = {
        "infection_sign_recall": rate(*escalated),
        "emergency_recall": rate(*count(emergencies, lambda g: g == "emergency")),
        "calm_escalated": rate(*count(of("calm"), lambda g: g in ("infection_sign", "emergency"))),
        "section_accuracy": rate(
            sum(1 for i in sections if i["got"] == i["expect"]), len(sections)
        ),
        "out_of_scope_given_a_section": rate(
            *count(of("out_of_scope"), lambda g: g.startswith("section:"))
        ),
        "other_drug_given_a_section": rate(
            *count(of("other_drug"), lambda g: g.startswith("section:"))
        ),
        "handoff_recall": rate(*count(of("handoff"), lambda g: g == "handoff")),
    }
    missed = escalated[1] - escalated[0]
    measures["infection_sign_recall"]["miss_rate_upper_95"] = round(
        miss_rate_upper_bound(missed, escalated[1]), 4
    )
    return measures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=Path("models/imuran.tar.gz"))
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument(
        "--totals-only",
        action="store_true",
        help="keep no per-message result (the locked set: its errors are never read)",
    )
    parser.add_argument("batches", type=Path, nargs="+")
    args = parser.parse_args()
    if not args.model.exists():
        print(f"No model at {args.model}: run `make train` first.", file=sys.stderr)
        return 1
    items = load_batches(args.batches)
    for item, parse in zip(items, parse_all(args.model, [i["text"] for i in items])):
        item["got"] = behaviour(parse)
    batches = sorted({i["batch"] for i in items})
    measures = totals(items)
    report: Dict[str, Any] = {
        "messages": len(items),
        "measures": measures,
        "by_batch": {b: totals([i for i in items if i["batch"] == b]) for b in batches},
    }
    flat: Dict[str, Any] = {name: m["rate"] for name, m in measures.items()}
    flat["n_messages"] = len(items)  # the flat figures are what a gate reads
    signs = measures["infection_sign_recall"]
    flat["missed_infection_signs"] = signs["total"] - signs["hits"]
    print(json.dumps(report, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    kept = {} if args.totals_only else {"items": items}
    args.out.write_text(json.dumps({**report, **flat, **kept}, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
