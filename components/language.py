"""Messages written in a language the assistant does not read.

The classifiers learnt English only. On a message in Tagalog or Spanish they still give an
answer, often at high confidence (an infection escalation for "can he go swimming?", a
clarifying reply for an overdose): a guess presented as an answer. This component, after
the conversation reader and before the safety detector, marks such a message
(`LANGUAGE_KEY`: the language's code) and turns it into nlu_fallback; the response
generator (components/leaflet_nlg.py) then answers with content/languages.yml's reply:
what the assistant reads, the emergency number, calling the doctor with an interpreter,
and the way to a nurse, with a line in the writer's language where the file has one.
The safety detector after it still reads the message: an English sign or emergency word
in it ("fever 39", "overdose") still escalates, with the same line added.

A message counts as written in another language when most of its letters are not Latin
(Arabic, Chinese, Devanagari, Hangul, Cyrillic...), or when Google's CLD2 (pycld2)
names another language with confidence, the message has at least `min_words` words and
fewer than `english_share_below` of them are English words (pyspellchecker's list, the
one the typo normaliser uses). The word count keeps short thanks ("ok gracias") and the
share keeps English with a few words of another language ("my lola has lagnat since
kagabi") on the English path. Measured on every development text: docs/evaluation.md.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, FrozenSet, List, Optional

import pycld2
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from components.base import BuiltComponent
from components.typo_normaliser import english_words

LANGUAGE_KEY = "language"  # on the parse: {"code": "es", "why": "..."}
MIN_WORDS = 4  # config.yml sets both; these are the component's defaults
ENGLISH_SHARE_BELOW = 0.5
UNKNOWN = "xx"
# CLD2's answers that are English, or that it could not decide on.
ENGLISH_CODES = frozenset({"en", "sco", "un", "xxx", "xx"})
# Short English words (the English list has words of four letters and more).
SHORT_WORDS = (
    "a i am an and are as at be but by can cos did do does dont for from get "
    "go got had has he her him his how if im in is it its ive me my no not "
    "now of ok on or our she so the them then they to too up us was we who why yes you"
)
SHORT_ENGLISH: FrozenSet[str] = frozenset(SHORT_WORDS.split())
WORD = re.compile(r"[a-z']+")
LETTER = re.compile(r"[^\W\d_]")
LATIN_LETTER = re.compile(r"[A-Za-z\u00C0-\u024F]")


def english_share(text: str) -> tuple[float, int]:
    """(share of the words that are English, number of words)."""
    words = [w.strip("'") for w in WORD.findall(text.lower().replace("’", "'"))]
    words = [w for w in words if len(w) > 1 or w in ("a", "i")]
    if not words:
        return 1.0, 0
    known = english_words()
    hits = sum(
        1 for w in words if w.replace("'", "") in SHORT_ENGLISH or (len(w) >= 4 and w in known)
    )
    return hits / len(words), len(words)


def cld2_language(text: str, best_effort: bool = False) -> tuple[str, bool]:
    """CLD2's best language code and whether it was sure; ("un", False) when it fails:
    it refuses some invalid UTF-8 input, and a lone surrogate cannot be encoded at all
    (the channels replace those, but the component must not depend on it).
    `best_effort`: a guess even from a few words."""
    try:
        reliable, _, details = pycld2.detect(text, bestEffort=best_effort)
    except (pycld2.error, UnicodeError):
        return "un", False
    return str(details[0][1]), bool(reliable)


def other_language(
    text: str, min_words: int = MIN_WORDS, english_share_below: float = ENGLISH_SHARE_BELOW
) -> Optional[Dict[str, str]]:
    """{"code", "why"} when the message is written in a language other than English."""
    letters = LETTER.findall(text)
    if not letters:
        return None
    latin = sum(1 for c in letters if LATIN_LETTER.match(c))
    if latin / len(letters) < 0.5:
        # Short texts leave CLD2 unsure, but its best-effort guess of a script's language
        # is the best there is for choosing the reply's line ("Как хранить таблетки?").
        code, _ = cld2_language(text, best_effort=True)
        return {"code": code if code not in ENGLISH_CODES else UNKNOWN, "why": "script"}
    code, reliable = cld2_language(text)
    if not reliable or code in ENGLISH_CODES:
        return None
    share, count = english_share(text)
    if count < min_words or share >= english_share_below:
        return None
    return {"code": code, "why": f"cld2, {share:.2f} of {count} words English"}


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class LanguageCheck(BuiltComponent):
    """Marks messages not written in English; see the module docstring."""

    stores_nothing = True

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"min_words": MIN_WORDS, "english_share_below": ENGLISH_SHARE_BELOW}

    def __init__(self, config: Dict[str, Any]) -> None:
        # Rasa merges get_default_config() into the configuration it passes.
        self.min_words = int(config["min_words"])
        self.english_share_below = float(config["english_share_below"])

    @classmethod
    def build(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        stored: Optional[Path],
    ) -> "LanguageCheck":
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            found = other_language(
                str(message.get(TEXT) or ""), self.min_words, self.english_share_below
            )
            if found is None:
                continue
            message.set(LANGUAGE_KEY, found, add_to_output=True)
            # What the classifiers made of words they never learnt is not an answer; the
            # ranking stays on the parse for anyone who reads it.
            message.set(
                INTENT,
                {INTENT_NAME_KEY: "nlu_fallback", PREDICTED_CONFIDENCE_KEY: 1.0},
                add_to_output=True,
            )
        return messages
