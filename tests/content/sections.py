"""The leaflet section ids of ../shared/CONTRACT.md, and helpers to read the project data."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, List

import yaml

from harness.nlu import load_examples

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT.parent / "shared" / "CONTRACT.md"
SOURCES = ROOT.parent / "shared" / "sources"

SECTION_IDS = [
    "what_it_is", "uses", "how_to_take", "dose", "missed_dose", "storage", "side_effects",
    "nausea", "blood_tests", "vaccinations", "infection_prevention",
    "infection_warning_signs", "stopping", "supply", "pregnancy", "time_to_work",
    "combination", "alternatives",
]  # fmt: skip


def contract_section_ids() -> List[str]:
    """Section ids as listed in the contract's table (rows like '| storage | ... |')."""
    ids = re.findall(r"^\| ([a-z_]+) \|", CONTRACT.read_text(encoding="utf-8"), re.M)
    return [i for i in ids if i != "id"]


def leaflet_answers() -> Dict[str, str]:
    """Section id -> answer text, from content/leaflet_answers.yml."""
    data = yaml.safe_load((ROOT / "content/leaflet_answers.yml").read_text(encoding="utf-8"))
    return {
        key.split("/", 1)[1]: variations[0]["text"]
        for key, variations in data["responses"].items()
        if key.startswith("utter_leaflet/")
    }


def nlu_examples(path: Path) -> Dict[str, List[str]]:
    """Intent -> examples of one Rasa NLU YAML file."""
    out: Dict[str, List[str]] = {}
    for text, intent in load_examples(path):
        out.setdefault(intent, []).append(text)
    return out


def normalise(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())
