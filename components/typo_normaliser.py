"""Maps misspelled words onto the safety lexicon's words before matching.

"fevr", "temprature", "sore throte" and "diarhea" must still be found. A word is only
corrected when it is not an English word (pyspellchecker's offline frequency list) and not
a word we know, and it lies within one edit (words of up to 5 letters) or two edits
(longer words) of a lexicon word, counting a swap of neighbouring letters as one edit
(Damerau-Levenshtein, rapidfuzz). So "never" is never read as "fever", and "rain" never
as "pain": both are English words.
"""

from __future__ import annotations

from typing import Dict, Iterable, List

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein
from spellchecker import SpellChecker

MIN_LENGTH = 4


class TypoNormaliser:
    """Corrects words towards a fixed vocabulary of target words; caches every decision."""

    def __init__(self, targets: Iterable[str], keep: Iterable[str] = ()) -> None:
        words = {w.lower() for t in targets for w in t.split()}
        self.targets: List[str] = sorted(w for w in words if len(w) >= MIN_LENGTH and w.isalpha())
        self._target_set = set(self.targets)
        self._keep = {w.lower() for w in keep}
        self._english = SpellChecker(language="en")
        self._cache: Dict[str, str] = {}

    def correct(self, word: str) -> str:
        """The lexicon word this word is a misspelling of, or the word unchanged."""
        lowered = word.lower()
        cached = self._cache.get(lowered)
        if cached is None:
            cached = self._correct(lowered)
            self._cache[lowered] = cached
        return word if cached == lowered else cached

    def _correct(self, word: str) -> str:
        if (
            len(word) < MIN_LENGTH
            or not word.isalpha()
            or word in self._target_set
            or word in self._keep
            or word in self._english
        ):
            return word
        limit = 1 if len(word) <= 5 else 2
        match = process.extractOne(
            word, self.targets, scorer=DamerauLevenshtein.distance, score_cutoff=limit
        )
        return str(match[0]) if match else word
