"""The lexicon's regular expressions, matched on a message's text in one pass.

medspaCy's TargetMatcher can match regular expressions too, but it rebuilds the text of
the document for every pattern; with well over a hundred patterns ("my head is pounding",
"took the whole week's tablets") that cost more than everything else together. This spaCy
component, placed right after the TargetMatcher, builds the text once, matches every
pattern and merges the matches with the TargetMatcher's phrases: where two overlap, the
longer one wins, as in the TargetMatcher ("gave me chills" at a film over "chills").
"""

import re
from typing import Any, List, Sequence, Tuple

from spacy.language import Language
from spacy.util import filter_spans

NAME = "safety_pattern_matcher"


class PatternMatcher:
    """Adds a labelled entity for every match of every (label, pattern)."""

    def __init__(self, patterns: Sequence[Tuple[str, str]]) -> None:
        # The text is lower-cased before matching, so the patterns are case-sensitive.
        self.patterns = [(label, re.compile(pattern)) for label, pattern in patterns]

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
            doc.ents = filter_spans([*doc.ents, *found])
        return doc


# No `from __future__ import annotations` here: spaCy reads the factory's annotations.
@Language.factory(NAME, default_config={"patterns": []})
def make_pattern_matcher(nlp: Language, name: str, patterns: List[List[str]]) -> PatternMatcher:
    return PatternMatcher([(str(label), str(pattern)) for label, pattern in patterns])
