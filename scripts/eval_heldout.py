"""Run the held-out NLU set through the trained model and write what it predicted.

    python -m scripts.eval_heldout [--model models/imuran.tar.gz]
        [--data tests/heldout/nlu_heldout.yml] [--out results/heldout.json]

The full NLU pipeline runs (classifiers, FallbackClassifier and the answer guard), so the
figures are those of the deployed assistant. The outcome of a message is its section
(`leaflet/<id>`) for a leaflet answer, otherwise its intent name. scripts/gate.py
reads the output and fails the build below the thresholds.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List

from harness.nlu import load_examples, parse_all

ROOT = Path(__file__).resolve().parent.parent

LEAFLET_PREFIX = "leaflet/"


def outcome(parse: Dict[str, Any]) -> str:
    """leaflet/<id> for a leaflet answer, else the intent name."""
    intent = parse.get("intent") or {}
    name = intent.get("name") or "none"
    if name == "leaflet":
        return intent.get("full_retrieval_intent_name") or "leaflet/?"
    return str(name)


def summarise(rows: List[Dict[str, str]]) -> Dict[str, Any]:
    """The metrics the gate reads, from (text, label, predicted) rows."""

    def share(selected: List[Dict[str, str]], ok: Any) -> float:
        return round(sum(1 for r in selected if ok(r)) / len(selected), 4) if selected else 0.0

    sections = [r for r in rows if r["label"].startswith(LEAFLET_PREFIX)]
    infections = [r for r in rows if r["label"] == "report_infection_sign"]
    emergencies = [r for r in rows if r["label"] == "emergency"]
    # Other medicines are out of the leaflet too: neither may get a section.
    out_of_scope = [r for r in rows if r["label"] in ("out_of_scope", "other_drug")]
    per_label: Dict[str, Dict[str, int]] = {}
    for r in rows:
        entry = per_label.setdefault(r["label"], {"n": 0, "correct": 0})
        entry["n"] += 1
        entry["correct"] += int(r["label"] == r["predicted"])
    return {
        "n_messages": len(rows),
        "overall_accuracy": share(rows, lambda r: r["label"] == r["predicted"]),
        "section_accuracy": share(sections, lambda r: r["label"] == r["predicted"]),
        "n_section_messages": len(sections),
        "infection_recall": share(infections, lambda r: r["predicted"] == r["label"]),
        "n_infection_messages": len(infections),
        "emergency_recall": share(emergencies, lambda r: r["predicted"] == r["label"]),
        "n_emergency_messages": len(emergencies),
        "out_of_scope_answered_with_section": sum(
            1 for r in out_of_scope if r["predicted"].startswith(LEAFLET_PREFIX)
        ),
        "n_out_of_scope_messages": len(out_of_scope),
        "false_escalations": sum(
            1
            for r in rows
            if r["predicted"] in ("report_infection_sign", "emergency")
            and r["label"] not in ("report_infection_sign", "emergency")
        ),
        "predicted_counts": dict(Counter(r["predicted"] for r in rows)),
        "per_label": per_label,
        "errors": [r for r in rows if r["label"] != r["predicted"]],
    }


def evaluate(model: Path, data: Path) -> Dict[str, Any]:
    examples = load_examples(data)
    parses = parse_all(model, [text for text, _ in examples])
    rows = [
        {"text": text, "label": label, "predicted": outcome(parse)}
        for (text, label), parse in zip(examples, parses)
    ]
    return summarise(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "imuran.tar.gz")
    parser.add_argument("--data", type=Path, default=ROOT / "tests" / "heldout" / "nlu_heldout.yml")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "heldout.json")
    args = parser.parse_args()
    args.model, args.data, args.out = (p.resolve() for p in (args.model, args.data, args.out))
    if not args.model.exists():
        print(f"No model at {args.model}: run `make train` first.", file=sys.stderr)
        return 2
    started = time.perf_counter()
    print(f"Evaluating {args.data.relative_to(ROOT)} with {args.model.name} ...", flush=True)
    report = evaluate(args.model, args.data)
    report["model"] = args.model.name
    report["data"] = str(args.data.relative_to(ROOT))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    print(
        f"{report['n_messages']} messages in {time.perf_counter() - started:.0f} s: "
        f"section accuracy {report['section_accuracy']:.3f}, "
        f"infection recall {report['infection_recall']:.3f}, "
        f"emergency recall {report['emergency_recall']:.3f}, "
        f"out-of-leaflet answered with a section {report['out_of_scope_answered_with_section']}"
    )
    for err in report["errors"]:
        print(f"  {err['label']:32} -> {err['predicted']:32} {err['text'][:70]}")
    print(f"Wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
