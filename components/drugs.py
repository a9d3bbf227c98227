"""Names of medicines in a message, from a maintained drug dictionary.

The dictionary is the one the drug-named-entity-recognition library ships (MeSH,
Wikipedia and the NHS: generic names, brand names and abbreviations, each resolved to a
generic name: Humira -> Adalimumab, 6-MP -> Mercaptopurine, Imuran -> Azathioprine). The
library's own finder builds a fuzzy index of every name when it is imported, far more
memory than a server should spend on it (docs/benchmarks.md); this assistant needs exact
look-ups only. So training reads the library's dictionary file once and keeps in the
model a sorted array of 64-bit name hashes and the generic names; serving loads just that.

`DrugMentionRecogniser` adds a `drug` entity (the generic name, and where it was written)
for every medicine named; the answer guard decides what that means for the reply.
"""

from __future__ import annotations

import bz2
import fnmatch
import hashlib
import importlib.util
import json
import pickle  # nosec B403: the library's own packaged dictionary, read at training only
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Set

import numpy as np
import yaml
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from clinic.content import CONTENT_DIR
from clinic.sentences import asking_sentence_start, question_spans
from components.base import BuiltComponent
from components.typo_normaliser import english_words

LIBRARY = "drug_named_entity_recognition"
DICTIONARY_FILE = "drug_ner_dictionary.pkl.bz2"
DRUG_ENTITY = "drug"
EXTRACTOR = "DrugMentionRecogniser"
MAX_WORDS = 4  # longest name looked up ("st johns wort", "interferon beta 1a")
MIN_SINGLE_WORD = 3  # a lone one- or two-letter token is never taken for a drug name
FUZZY_MIN_LETTERS = 6  # shorter misspellings are too often another word
MAX_CLOSE_LOOKUPS = 12  # distinct unknown words looked up by spelling, per message
CACHE_SIZE = 16_384
TOKEN = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")


def name_hash(name: str) -> int:
    """A stable 64-bit hash (Python's own hash() changes between processes)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "little") - (
        1 << 63
    )


@dataclass(frozen=True)
class DrugMention:
    name: str  # the generic name
    text: str  # as written
    start: int
    end: int


def library_dictionary() -> Dict[str, str]:
    """Every name variant (lower case) -> its generic name, from the library's file."""
    spec = importlib.util.find_spec(LIBRARY)  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"{LIBRARY} is not installed (requirements.txt)")
    path = Path(list(spec.submodule_search_locations)[0]) / DICTIONARY_FILE
    with bz2.open(path, "rb") as handle:
        data = pickle.load(handle)  # nosec B301: see the import
    canonical = data["drug_canonical_to_data"]
    return {
        variant: str(canonical.get(names[0], {}).get("name") or names[0])
        for variant, names in data["drug_variant_to_canonical"].items()
        if names and len(variant.split()) <= MAX_WORDS
    }


class DrugTable:
    """Exact look-up of name variants, as hashes (about 1 MB for ~100,000 names), and a
    close-spelling look-up of one-word names for words that are not English ("ibuprofin",
    "metrotrexat", "cellsept"): patients rarely spell a drug's name right."""

    def __init__(
        self,
        hashes: np.ndarray,
        generic: np.ndarray,
        names: List[str],
        spellings: Optional[List[str]] = None,
    ) -> None:
        self.hashes, self.generic, self.names = hashes, generic, names
        self.spellings = spellings or []  # one-word names of FUZZY_MIN_LETTERS or more
        self.short_names: Dict[str, str] = {}  # content/other_drugs.yml, see add_short_names
        self.plain_words: Set[str] = set()  # content/other_drugs.yml: never a medicine's name
        # Built when the table is, not on the first message; shared with the typo normaliser.
        self._english = english_words() if self.spellings else None
        self._closest = lru_cache(maxsize=CACHE_SIZE)(self._close_spelling)

    def close_spelling(self, word: str) -> Optional[str]:
        """The generic name of a drug this non-English word is a misspelling of, or None:
        one edit for words up to 7 letters, two for longer (Damerau-Levenshtein)."""
        if len(word) < FUZZY_MIN_LETTERS or not word.isalpha() or self._english is None:
            return None
        return self._closest(word)  # each decision cached: repeated words cost nothing

    def _close_spelling(self, word: str) -> Optional[str]:
        if self._english is None or word in self._english:
            return None
        if word.endswith("in") and word + "g" in self._english:
            return None  # a dropped g ("startin", "somethin"), not a statin
        limit = 1 if len(word) <= 7 else 2
        match = process.extractOne(
            word, self.spellings, scorer=DamerauLevenshtein.distance, score_cutoff=limit
        )
        return self.lookup(str(match[0])) if match else None

    @classmethod
    def from_dictionary(cls, dictionary: Dict[str, str]) -> "DrugTable":
        names = sorted(set(dictionary.values()))
        index = {name: i for i, name in enumerate(names)}
        hashes = np.array([name_hash(v) for v in dictionary], dtype=np.int64)
        generic = np.array([index[g] for g in dictionary.values()], dtype=np.int32)
        order = np.argsort(hashes)
        spellings = sorted(v for v in dictionary if v.isalpha() and len(v) >= FUZZY_MIN_LETTERS)
        return cls(hashes[order], generic[order], names, spellings)

    def save(self, directory: Path) -> None:
        np.savez(directory / "drugs.npz", hashes=self.hashes, generic=self.generic)
        (directory / "drug_names.json").write_text(json.dumps(self.names), encoding="utf-8")
        (directory / "drug_spellings.json").write_text(json.dumps(self.spellings), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> "DrugTable":
        arrays = np.load(directory / "drugs.npz")
        names = json.loads((directory / "drug_names.json").read_text(encoding="utf-8"))
        spellings_file = directory / "drug_spellings.json"
        spellings = (
            json.loads(spellings_file.read_text(encoding="utf-8"))
            if spellings_file.exists()
            else []
        )  # a model from before close spellings: exact names only
        return cls(arrays["hashes"], arrays["generic"], names, spellings)

    def lookup(self, variant: str) -> Optional[str]:
        key = name_hash(variant)
        i = int(np.searchsorted(self.hashes, key))
        if i < len(self.hashes) and int(self.hashes[i]) == key:
            return self.names[int(self.generic[i])]
        return None

    def _exact(self, words: str, size: int) -> Optional[str]:
        """The dictionary's name for these words, but not for an English word that
        stands for a laboratory chemical: the dictionary also holds such abbreviations
        ("sits": 4-acetamido-4'-isothiocyanatostilbene-2,2'-disulfonic acid, batch 23),
        while brands in the English word list stay ("tums", "tylenol", "valium")."""
        name = self.lookup(words)
        if (
            name is not None
            and size == 1
            and self._english is not None
            and words in self._english
            and name.lower() != words
            and any(c.isdigit() for c in name)
        ):
            return None
        return name

    def add_short_names(self, short_names: Dict[str, str]) -> None:
        """Patients' short names the dictionary lacks ("tacro" -> tacrolimus), each
        resolved through the dictionary; one that does not resolve is an error."""
        for short, name in short_names.items():
            generic = self.lookup(str(name).lower())
            if generic is None:
                raise ValueError(f"short name {short!r}: {name!r} is not in the dictionary")
            self.short_names[str(short).lower()] = generic

    def add_plain_words(self, words: List[str]) -> None:
        """Words that read like a medicine's name but name none ("la medicina", close to
        Medigoxin by spelling): never looked up."""
        self.plain_words.update(str(w).lower() for w in words)

    def find(self, text: str) -> List[DrugMention]:
        """Medicines named in the text, longest names first, not overlapping."""
        tokens = list(TOKEN.finditer(text.lower()))
        taken: set = set()
        close_lookups = 0  # a bounded number per message: no input can make this slow
        found: List[DrugMention] = []
        for size in range(MAX_WORDS, 0, -1):
            for i in range(len(tokens) - size + 1):
                span = range(i, i + size)
                if taken.intersection(span):
                    continue
                words = " ".join(t.group(0) for t in tokens[i : i + size])
                if size == 1 and len(words) < MIN_SINGLE_WORD or words in self.plain_words:
                    continue
                name = (
                    self.short_names.get(words)
                    or self._exact(words, size)
                    or (self.lookup(words[:-2]) if words.endswith("'s") else None)  # Humira's
                )
                spellable = len(words) >= FUZZY_MIN_LETTERS and words.isalpha()
                if name is None and size == 1 and spellable and close_lookups < MAX_CLOSE_LOOKUPS:
                    close_lookups += 1
                    name = self.close_spelling(words)
                if name is not None:
                    start, end = tokens[i].start(), tokens[i + size - 1].end()
                    found.append(DrugMention(name, text[start:end], start, end))
                    taken.update(span)
        return sorted(found, key=lambda m: m.start)


def _other_drugs_content(path: Optional[Path]) -> Dict[str, Any]:
    return dict(
        yaml.safe_load((path or CONTENT_DIR / "other_drugs.yml").read_text(encoding="utf-8"))
    )


def short_names(path: Optional[Path] = None) -> Dict[str, str]:
    """content/other_drugs.yml's short names ("tacro": "tacrolimus")."""
    data = _other_drugs_content(path)
    return {str(k): str(v) for k, v in (data.get("short_names") or {}).items()}


def plain_words(path: Optional[Path] = None) -> List[str]:
    """content/other_drugs.yml's words that are never a medicine's name."""
    return [str(w) for w in _other_drugs_content(path).get("not_medicine_names") or []]


class OtherDrugPolicy:
    """Which named medicines make a leaflet answer the wrong answer (content/other_drugs.yml).

    Azathioprine itself never does; a medicine the sources name for a section does not for
    that section (methotrexate for "alternatives"); every other medicine does.
    """

    def __init__(self, path: Path) -> None:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.this_drug = [str(n) for n in data.get("this_drug", [])]
        self.by_section = {
            str(section): [str(n) for n in names]
            for section, names in (data.get("named_by_sources") or {}).items()
        }
        self.needs_relation = frozenset(str(s) for s in data.get("needs_relation") or [])
        words = sorted((str(w).lower() for w in data.get("relation_words") or []), key=len)
        self.relation = re.compile(
            r"\b(?:" + "|".join(re.escape(w) for w in reversed(words)) + r")\b"
            if words
            else r"(?!x)x"
        )

    def relates(self, entities: List[Dict[str, Any]], text: str) -> bool:
        """The question relates a medicine to this drug: names azathioprine too, or says a
        relation word ("with", "instead of", "what about")."""
        named_this = any(
            self._allowed(e, self.this_drug) for e in entities if e.get("entity") == DRUG_ENTITY
        )
        return named_this or bool(self.relation.search(text.lower().replace("’", "'")))

    def _section_drugs(
        self, entities: List[Dict[str, Any]], section: Optional[str], text: Optional[str]
    ) -> List[str]:
        """The medicines the sources name for the section, where this question may use
        them (content/other_drugs.yml, needs_relation)."""
        named = self.by_section.get(section or "", [])
        if text is not None and section in self.needs_relation:
            return named if self.relates(entities, text) else []
        return named

    def other_drugs(
        self, entities: List[Dict[str, Any]], section: Optional[str], text: str = ""
    ) -> List[str]:
        """The names, as written, of the medicines the answer would wrongly be about.

        Patients often list their other medicines before they ask about this one ("he's
        on tacrolimus and prednisone... how long does azathioprine take to work?"), so
        what counts is the sentence that asks (the last one with a "?", else the last
        one): another medicine named there counts; one named only before it counts when
        azathioprine is not named at all ("I started Humira. How long does it take?").
        """
        allowed = self.this_drug + self._section_drugs(entities, section, text or None)
        drugs = [e for e in entities if e.get("entity") == DRUG_ENTITY]
        if text and any(self._allowed(e, self.this_drug) for e in drugs):
            # Also one named in an earlier question ("What happens if he misses a dose of
            # his prograf? Is it the same rule as the azathioprine?").
            start = asking_sentence_start(text)
            asked = question_spans(text)
            drugs = [
                e
                for e in drugs
                if int(e.get("start", 0)) >= start
                or any(b <= int(e.get("start", 0)) < end for b, end in asked)
            ]
        return [
            str(e.get("text") or e.get("value")) for e in drugs if not self._allowed(e, allowed)
        ]

    def named_for_section(
        self, entities: List[Dict[str, Any]], section: Optional[str], text: Optional[str] = None
    ) -> bool:
        """A medicine the sources name for this section is named ("is methotrexate an
        alternative?"); azathioprine alone is not one ("is coffee ok with azathioprine")."""
        named = self._section_drugs(entities, section, text)
        return any(
            self._allowed(e, named) and not self._allowed(e, self.this_drug)
            for e in entities
            if e.get("entity") == DRUG_ENTITY
        )

    @staticmethod
    def _allowed(entity: Dict[str, Any], patterns: List[str]) -> bool:
        return any(fnmatch.fnmatchcase(str(entity.get("value")), p) for p in patterns)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class DrugMentionRecogniser(BuiltComponent):
    """Adds a `drug` entity (the generic name) for every medicine a message names."""

    def __init__(
        self,
        model_storage: ModelStorage,
        resource: Resource,
        table: Optional[DrugTable] = None,
    ) -> None:
        self._model_storage, self._resource, self.table = model_storage, resource, table

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # Part of the training fingerprint: raise it when what `train` stores changes, so
        # Rasa's training cache is not reused for a table of another shape.
        return {"table_format": 2}

    @classmethod
    def build(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        stored: Optional[Path],
    ) -> "DrugMentionRecogniser":
        table = DrugTable.load(stored) if stored else None
        if table is not None:
            table.add_short_names(short_names())
            table.add_plain_words(plain_words())
        return cls(model_storage, resource, table)

    def train(self, training_data: TrainingData) -> Resource:
        self.table = DrugTable.from_dictionary(library_dictionary())
        with self._model_storage.write_to(self._resource) as directory:
            self.table.save(directory)
        self.table.add_short_names(short_names())  # read from content/, not stored
        self.table.add_plain_words(plain_words())
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        if self.table is None:
            return messages
        for message in messages:
            mentions = self.table.find(message.get(TEXT) or "")
            if mentions:
                entities = list(message.get(ENTITIES) or []) + [
                    {
                        "entity": DRUG_ENTITY,
                        "value": m.name,
                        "text": m.text,
                        "start": m.start,
                        "end": m.end,
                        "extractor": EXTRACTOR,
                    }
                    for m in mentions
                ]
                message.set(ENTITIES, entities, add_to_output=True)
        return messages
