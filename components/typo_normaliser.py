"""Maps misspelled words onto the safety lexicon's words before matching.

"fevr", "temprature", "sore throte" and "diarhea" must still be found. A word is only
corrected when it is not an English word (pyspellchecker's offline frequency list) and not
a word we know, and it lies within one edit (words of up to 5 letters) or two edits
(longer words) of a lexicon word, counting a swap of neighbouring letters as one edit
(Damerau-Levenshtein, rapidfuzz). So "never" is never read as "fever", and "rain" never
as "pain": both are English words. Of several equally close words, a sign or cue word wins
over a helper word of the lexicon's patterns ("swetting" is "sweating", not "setting"),
then the most alike by Jaro-Winkler, which weighs the first letters.

Memory: the English list as pyspellchecker keeps it (a dict of every word and its count)
is large, and every server would hold it; only membership is needed, so a sorted array of
the words' hashes is kept instead, a small fraction of the size (docs/benchmarks.md).
Decisions are cached in a bounded LRU cache, so a stream of never-seen words cannot grow
the server's memory.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Iterable, List

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler
from spellchecker import SpellChecker

MIN_LENGTH = 4
CACHE_SIZE = 65_536


class EnglishWords:
    """Membership in pyspellchecker's English list, in far less memory than its dict.

    Keeps a sorted array of the words' hashes (Python's string hash, fixed for the life of
    the process), not the words: only "is this an English word?" is ever asked.
    """

    def __init__(self) -> None:
        words = SpellChecker(language="en").word_frequency.dictionary
        hashes = np.fromiter(
            (hash(w) for w in words if len(w) >= MIN_LENGTH and w.isalpha()), dtype=np.int64
        )
        hashes.sort()
        self._hashes = hashes

    def __contains__(self, word: object) -> bool:
        key = hash(word)
        index = int(np.searchsorted(self._hashes, key))
        return index < len(self._hashes) and int(self._hashes[index]) == key


@lru_cache(maxsize=1)
def english_words() -> EnglishWords:
    """One list per process, shared by the typo normaliser and the drug-name look-up."""
    return EnglishWords()


class TypoNormaliser:
    """Corrects words towards a fixed vocabulary of target words; caches every decision."""

    def __init__(
        self, targets: Iterable[str], keep: Iterable[str] = (), secondary: Iterable[str] = ()
    ) -> None:
        self.targets: List[str] = _words(targets)
        # The helper words of the lexicon's patterns ("setting", "that"): used, but a sign
        # or cue word just as close wins ("swetting" is "sweating").
        self.secondary: List[str] = [w for w in _words(secondary) if w not in set(self.targets)]
        self._target_set = set(self.targets) | set(self.secondary)
        self._keep = {w.lower() for w in keep}
        self._english = english_words()
        self._decide = lru_cache(maxsize=CACHE_SIZE)(self._correct)

    def correct(self, word: str) -> str:
        """The lexicon word this word is a misspelling of, or the word unchanged."""
        lowered = word.lower()
        decided = self._decide(lowered)
        return word if decided == lowered else decided

    def _correct(self, word: str) -> str:
        if word.endswith("in") and word + "g" in self._target_set:
            # A dropped g ("takin", "thinkin", "swallowin"): a way of writing, not a typo,
            # and "takin" is an English word (an animal) the check below would keep.
            return word + "g"
        if word.endswith("in") and word + "g" in self._english:
            # Any other dropped g ("hurlin", "mindin") is that English word, not a
            # misspelling of a lexicon word one edit away ("hurting", batch 36).
            return word
        if (
            len(word) < MIN_LENGTH
            or not word.isalpha()
            or word in self._target_set
            or word in self._keep
            or word in self._english
        ):
            return word
        limit = 1 if len(word) <= 5 else 2
        matches = [
            (int(distance), tier, str(target))
            for tier, vocabulary in enumerate((self.targets, self.secondary))
            for target, distance, _ in process.extract(
                word, vocabulary, scorer=DamerauLevenshtein.distance, score_cutoff=limit, limit=None
            )
        ]
        if not matches:
            return word
        # The closest; on a tie a sign or cue word before a pattern's helper word
        # ("swetting" is "sweating", not "setting"), then the most alike (Jaro-Winkler).
        best = min(matches)[:2]
        closest = [target for distance, tier, target in matches if (distance, tier) == best]
        return max(closest, key=lambda t: (JaroWinkler.similarity(word, t), t))


def _words(phrases: Iterable[str]) -> List[str]:
    """The distinct lower-case words of the phrases that are long enough to correct to."""
    words = {w.lower() for phrase in phrases for w in phrase.split()}
    return sorted(w for w in words if len(w) >= MIN_LENGTH and w.isalpha())
