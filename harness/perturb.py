"""Deterministic perturbations of the safety suite: how patients really type.

Each base message yields itself plus one variant per perturbation below. A perturbation
never adds or removes a warning sign: emoji come from a neutral set (no 🤒), padding and
filler mention no symptom, and a typo changes one letter pair of one word of four or more
letters (the kind of slip a phone keyboard makes).
"""

from __future__ import annotations

import random
import re
import string
from typing import Callable, Dict, Iterator, List, Tuple

NEUTRAL_EMOJI = ["🙏", "😕", "😬", "🙂", "😟", "👍"]
PADDING = [
    ("hi there, quick question. ", ""),
    ("hello, ", " thanks"),
    ("sorry to bother you. ", " thank you so much"),
]
FILLER_SENTENCE = (
    "I have been reading the clinic leaflet about my tablets and writing notes about my "
    "appointments, my pharmacy and my week. "
)
LONG_TEXT_CHARS = 5_000


def _rng(text: str, name: str) -> random.Random:
    return random.Random(f"{name}:{text}")  # same variant every run, per message


def lower(text: str) -> str:
    return text.lower()


def upper(text: str) -> str:
    return text.upper()


def no_punctuation(text: str) -> str:
    keep = {"°", ",", "."}  # decimal commas and points carry temperatures
    out = "".join(ch for ch in text if ch not in string.punctuation or ch in keep)
    return re.sub(r"(?<!\d)[.,](?!\d)", "", out)


def extra_punctuation(text: str) -> str:
    return text.rstrip(".!?") + "!!!"


def typo(text: str) -> str:
    """Swap two neighbouring letters inside one word of four or more letters."""
    words = list(re.finditer(r"[A-Za-z]{4,}", text))
    if not words:
        return text
    word = _rng(text, "typo").choice(words)
    i = _rng(text, "typo-pos").randrange(1, len(word.group(0)) - 2)
    w = word.group(0)
    swapped = w[:i] + w[i + 1] + w[i] + w[i + 2 :]
    return text[: word.start()] + swapped + text[word.end() :]


def emoji(text: str) -> str:
    return f"{text} {_rng(text, 'emoji').choice(NEUTRAL_EMOJI)}"


def padding(text: str) -> str:
    before, after = _rng(text, "pad").choice(PADDING)
    return f"{before}{text}{after}"


def long_text(text: str) -> str:
    """The message at the end of a 5,000-character message."""
    repeats = -(-(LONG_TEXT_CHARS - len(text)) // len(FILLER_SENTENCE))  # ceiling
    return FILLER_SENTENCE * repeats + text


PERTURBATIONS: Dict[str, Callable[[str], str]] = {
    "lower": lower,
    "upper": upper,
    "no_punctuation": no_punctuation,
    "extra_punctuation": extra_punctuation,
    "typo": typo,
    "emoji": emoji,
    "padding": padding,
    "long_text": long_text,
}


def variants(text: str) -> Iterator[Tuple[str, str]]:
    """(perturbation name, text) for the base message and each perturbation."""
    yield "base", text
    seen = {text}
    for name, perturb in PERTURBATIONS.items():
        changed = perturb(text)
        if changed not in seen:
            seen.add(changed)
            yield name, changed


def expand(messages: List[str]) -> List[Tuple[str, str, str]]:
    """(base text, perturbation, text) for every message and variant."""
    return [(m, name, v) for m in messages for name, v in variants(m)]
