"""The lexicon's regular expressions, matched on a message's text in one pass.

medspaCy's TargetMatcher can match regular expressions too, but it rebuilds the text of
the document for every pattern; with well over a hundred patterns ("my head is pounding",
"took the whole week's tablets") that cost more than everything else together. This spaCy
component, placed right after the TargetMatcher, builds the text once, matches every
pattern and merges the matches with the TargetMatcher's phrases: where two overlap, the
longer one wins, as in the TargetMatcher ("gave me chills" at a film over "chills"),
except that an emergency wins over the infection signs it crosses: in "my lips feel
swollen and my throat feels tight" the longer "swollen and my throat" (a sore throat) must
not hide the swollen lips (an allergic reaction). Phrases that are not signs keep the
longest-wins rule against emergencies too ("would give you a heart attack").
"""

import re
from typing import Any, Collection, List, Sequence, Tuple

from spacy.language import Language
from spacy.util import filter_spans

NAME = "safety_pattern_matcher"


class PatternMatcher:
    """Adds a labelled entity for every match of every (label, pattern)."""

    def __init__(
        self,
        patterns: Sequence[Tuple[str, str]],
        urgent: Collection[str] = (),
        yielding: Collection[str] = (),
    ) -> None:
        # The text is lower-cased before matching, so the patterns are case-sensitive.
        self.patterns = [(label, re.compile(pattern)) for label, pattern in patterns]
        self.urgent = frozenset(urgent)  # emergency labels
        self.yielding = frozenset(yielding)  # infection sign labels, which give way to them

    def __call__(self, doc: Any) -> Any:
        text = doc.text
        found: List[Any] = []
        for label, pattern in self.patterns:
            for match in pattern.finditer(text):
                if match.end() == match.start():
                    continue
                span = doc.char_span(match.start(), match.end(), label, alignment_mode="expand")
                if span is not None and len(span):
                    found.append(span)
        if found:
            candidates = [*doc.ents, *found]
            doc.ents = self._urgent_first(candidates, filter_spans(candidates))
        return doc

    def _urgent_first(self, candidates: List[Any], kept: List[Any]) -> List[Any]:
        """`kept` with each emergency that only infection signs pushed out put back in
        their place."""
        for span in sorted(candidates, key=lambda s: (s.end - s.start), reverse=True):
            if span.label_ not in self.urgent or span in kept:
                continue
            over = [k for k in kept if k.start < span.end and span.start < k.end]
            # Only where the two cross or match: a sign that holds the whole emergency
            # phrase and more says more ("white bits on his tongue and inside his cheeks"
            # is thrush, not the tablet residue of "white bits on his tongue"); the same
            # words ("white bits round his mouth") are the emergency's.
            inside = any(
                k.start <= span.start and span.end <= k.end and len(k) > len(span) for k in over
            )
            if over and not inside and all(k.label_ in self.yielding for k in over):
                kept = sorted([k for k in kept if k not in over] + [span], key=lambda s: s.start)
        return kept


# No `from __future__ import annotations` here: spaCy reads the factory's annotations.
@Language.factory(NAME, default_config={"patterns": [], "urgent": [], "yielding": []})
def make_pattern_matcher(
    nlp: Language, name: str, patterns: List[List[str]], urgent: List[str], yielding: List[str]
) -> PatternMatcher:
    return PatternMatcher(
        [(str(label), str(pattern)) for label, pattern in patterns], urgent, yielding
    )
