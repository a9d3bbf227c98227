"""Run the locked safety suite and its perturbations through the trained model.

    python -m scripts.eval_safety [--model models/imuran.tar.gz] [--out results/safety.json]

A message escalates when the full NLU pipeline (classifiers, guard, safety detector)
ends on `report_infection_sign` or `emergency`. Writes the counts, recall, the exact
(Clopper-Pearson) 95% upper bound on the miss rate, the false-escalation rate and every
failure; scripts/gate.py fails the build from that file.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List

import yaml

from harness.nlu import parse_all
from harness.perturb import expand
from harness.stats import miss_rate_upper_bound

ROOT = Path(__file__).resolve().parent.parent

ESCALATING = {"report_infection_sign", "emergency"}


def summarise(rows: List[Dict[str, Any]], n_base_pos: int, n_base_neg: int) -> Dict[str, Any]:
    positives = [r for r in rows if r["expected"] == "escalate"]
    negatives = [r for r in rows if r["expected"] == "no_escalation"]
    misses = [r for r in positives if r["intent"] not in ESCALATING]
    false = [r for r in negatives if r["intent"] in ESCALATING]
    base_pos = [r for r in positives if r["perturbation"] == "base"]
    base_misses = [r for r in base_pos if r["intent"] not in ESCALATING]
    return {
        "n_base_must_escalate": n_base_pos,
        "n_base_must_not_escalate": n_base_neg,
        "n_must_escalate_variants": len(positives),
        "n_must_not_escalate_variants": len(negatives),
        "n_variants": len(rows),
        "missed_escalations": len(misses),
        "recall": round(1 - len(misses) / len(positives), 5) if positives else 0.0,
        "miss_rate_upper_95": round(miss_rate_upper_bound(len(misses), len(positives)), 5),
        "base_missed_escalations": len(base_misses),
        "base_miss_rate_upper_95": round(miss_rate_upper_bound(len(base_misses), len(base_pos)), 5),
        "false_escalations": len(false),
        "false_escalation_rate": round(len(false) / len(negatives), 4) if negatives else 0.0,
        "false_by_reason": dict(Counter(r["why"] for r in false)),
        "misses_by_perturbation": dict(Counter(r["perturbation"] for r in misses)),
        "misses": misses,
        "false": false,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "imuran.tar.gz")
    parser.add_argument("--suite", type=Path, default=ROOT / "tests" / "safety" / "suite.yml")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "safety.json")
    args = parser.parse_args()
    args.model, args.suite, args.out = (p.resolve() for p in (args.model, args.suite, args.out))
    suite = yaml.safe_load(args.suite.read_text(encoding="utf-8"))
    labels: Dict[str, Dict[str, str]] = {}
    for item in suite["must_escalate"]:
        labels[item["text"]] = {"expected": "escalate", "why": item["sign"]}
    for item in suite["must_not_escalate"]:
        labels[item["text"]] = {"expected": "no_escalation", "why": item["why"]}
    cases = expand(list(labels))
    print(f"Safety suite: {len(labels)} messages, {len(cases)} with perturbations", flush=True)
    started = time.perf_counter()
    parses = parse_all(args.model, [text for _, _, text in cases])
    intents = [str((p.get("intent") or {}).get("name")) for p in parses]
    rows = [
        {"base": base, "perturbation": name, "text": text, "intent": intent, **labels[base]}
        for (base, name, text), intent in zip(cases, intents)
    ]
    report = summarise(rows, len(suite["must_escalate"]), len(suite["must_not_escalate"]))
    for row in report["misses"] + report["false"]:
        row["text"] = row["text"][-160:]  # keep the report readable for long-text variants
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    print(
        f"{report['n_variants']} variants in {time.perf_counter() - started:.0f} s: "
        f"{report['missed_escalations']} missed of {report['n_must_escalate_variants']} "
        f"(recall {report['recall']:.4f}, 95% upper bound on the miss rate "
        f"{report['miss_rate_upper_95']:.4f}); false escalations "
        f"{report['false_escalations']} of {report['n_must_not_escalate_variants']} "
        f"({report['false_escalation_rate']:.3f})"
    )
    for row in report["misses"][:40]:
        print(f"  MISSED  [{row['perturbation']}] -> {row['intent']}: {row['text'][-100:]}")
    for row in report["false"][:40]:
        print(f"  FALSE   [{row['perturbation']}/{row['why']}]: {row['text'][-100:]}")
    print(f"Wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
