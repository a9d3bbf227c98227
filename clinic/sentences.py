"""The sentence of a patient's message that asks: long messages put the point at the end
("...sorry, long story. So can I take it with food?"). Shared by the drug recogniser
(components/drugs.py) and the run-time change that re-reads an unsure long message
(rasa_patches/long_message.py)."""

from __future__ import annotations

import re
from typing import List, Tuple

SENTENCE_END = re.compile(r"[.!?;]+(?:\s+|$)|\n+")


def _sentences(text: str) -> List[Tuple[int, int]]:
    bounds = [0] + [m.end() for m in SENTENCE_END.finditer(text) if m.end() < len(text)]
    return list(zip(bounds, bounds[1:] + [len(text)]))


def asking_sentence_start(text: str) -> int:
    """Where the sentence that asks begins: the last sentence with a "?", else the last."""
    sentences = _sentences(text)
    asking = [b for b, e in sentences if "?" in text[b:e]]
    return asking[-1] if asking else sentences[-1][0]


def question_spans(text: str) -> List[Tuple[int, int]]:
    """Start and end of every sentence with a "?" ("What happens if he misses a dose of
    his prograf? Is it the same rule as the azathioprine?": both ask)."""
    return [(b, e) for b, e in _sentences(text) if "?" in text[b:e]]


# Words that open a question typed without its "?" ("how do i get enough before we go").
QUESTION_OPENING = re.compile(
    r"^\W*(?:so\s+|and\s+|but\s+|ok\s+|okay\s+)?(?:how|what|whats|what's|when|where|which|"
    r"why|who|can|could|should|shall|do|does|did|is|are|will|would|am|may|might)\b",
    re.IGNORECASE,
)


def is_question(sentence: str) -> bool:
    """Whether a sentence asks: a "?" in it, or a question word first."""
    return "?" in sentence or bool(QUESTION_OPENING.match(sentence))
