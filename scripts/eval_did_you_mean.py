"""How often "Did you mean ...?" offers the right section, when the model is unsure.

    python -m scripts.eval_did_you_mean [--model models/imuran.tar.gz] SET.yml [...]

A set is the held-out NLU file (tests/heldout/nlu_heldout.yml) or a writers' batch
(tests/batches/*.yml). For every section question whose parse (as the server parses it)
gets the clarifying reply, the options "Did you mean" would offer are worked out with the
same function the response generator uses (components/follow_up.py offered_options);
the right section is a hit when it is among them. Prints the totals.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import List, Tuple

import yaml

from components.follow_up import FollowUpRules, offered_options
from harness.nlu import load_examples, parse_all
from harness.servers import MODEL

UNSURE = {"nlu_fallback"}


def section_questions(path: Path) -> List[Tuple[str, str]]:
    """(text, section) for every leaflet question of a set."""
    if "messages" in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}):
        items = yaml.safe_load(path.read_text(encoding="utf-8"))["messages"]
        return [
            (str(i["text"]), str(i["expect"]).split(":", 1)[1])
            for i in items
            if str(i["expect"]).startswith("section:")
        ]
    return [(t, i.split("/", 1)[1]) for t, i in load_examples(path) if i.startswith("leaflet/")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="+", type=Path)
    parser.add_argument("--model", type=Path, default=MODEL)
    args = parser.parse_args()
    rules = FollowUpRules.load()
    questions = [q for path in args.sets for q in section_questions(path)]
    parses = parse_all(args.model, [text for text, _ in questions])
    unsure = offered = hits = 0
    for (_, section), parse in zip(questions, parses):
        if (parse.get("intent") or {}).get("name") not in UNSURE:
            continue
        unsure += 1
        selector = (parse.get("response_selector") or {}).get("leaflet") or {}
        ranking = [
            [r.get("intent_response_key"), r.get("confidence") or 0.0]
            for r in selector.get("ranking") or []
        ]
        options = offered_options(rules, ranking)
        offered += bool(options)
        hits += section in options
    report = {
        "section_questions": len(questions),
        "unsure": unsure,
        "offered_buttons": offered,
        "right_section_among_buttons": hits,
        "hit_rate_of_unsure": round(hits / unsure, 3) if unsure else None,
        "hit_rate_when_offered": round(hits / offered, 3) if offered else None,
    }
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
