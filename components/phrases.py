"""Phrase lists a clinician or the clinic reviews (content/), compiled for the guard."""

from __future__ import annotations

import re
from pathlib import Path
from typing import List, Optional

import yaml


def uncovered_pattern(path: Path) -> "re.Pattern[str]":
    """One whole-word, case-insensitive pattern for every uncovered topic in the file: a
    term is a phrase, or {regex: ...} where a phrase alone would also catch this drug."""
    terms = yaml.safe_load(path.read_text(encoding="utf-8"))["terms"]
    phrases = sorted((str(t).lower() for t in terms if not isinstance(t, dict)), key=len)
    alternatives = [re.escape(p) for p in reversed(phrases)]
    alternatives += [str(t["regex"]) for t in terms if isinstance(t, dict)]
    return re.compile(rf"\b(?:{'|'.join(alternatives)})\b", re.IGNORECASE)


class PersonRequests:
    """Ways of asking for a person (content/handoff_phrases.yml)."""

    def __init__(self, path: Path) -> None:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.pattern = re.compile("|".join(f"(?:{p})" for p in data["patterns"]), re.IGNORECASE)
        self.advice: List["re.Pattern[str]"] = [
            re.compile(p, re.IGNORECASE) for p in data.get("advice_openers") or []
        ]

    def find(self, text: str) -> Optional[str]:
        """The words that ask for a person, or None (an advice question is not a request)."""
        for match in self.pattern.finditer(text):
            before = text[max(0, match.start() - 24) : match.start()]
            if not any(a.search(before) for a in self.advice):
                return match.group(0)
        return None
