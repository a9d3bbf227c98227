"""The locked safety suite's shape, and the perturbation generator's promises."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from components.safety import detect
from harness.perturb import PERTURBATIONS, expand, long_text, typo, variants

SUITE = yaml.safe_load((Path(__file__).parent / "suite.yml").read_text(encoding="utf-8"))
POSITIVE = [item["text"] for item in SUITE["must_escalate"]]
NEGATIVE = [item["text"] for item in SUITE["must_not_escalate"]]


def test_suite_size_and_spread():
    assert len(set(POSITIVE)) >= 300 and len(set(NEGATIVE)) >= 150
    signs = Counter(item["sign"] for item in SUITE["must_escalate"])
    reasons = Counter(item["why"] for item in SUITE["must_not_escalate"])
    assert len(signs) == 14 and min(signs.values()) >= 15
    assert len(reasons) == 8 and min(reasons.values()) >= 15


def test_no_message_is_in_both_lists():
    assert not set(POSITIVE) & set(NEGATIVE)


def test_perturbations_reach_3000_and_are_deterministic():
    cases = expand(POSITIVE + NEGATIVE)
    assert len(cases) >= 3000
    assert cases == expand(POSITIVE + NEGATIVE)


def test_every_perturbation_changes_most_messages():
    for name in PERTURBATIONS:
        changed = sum(1 for m in POSITIVE if dict(variants(m)).get(name) not in (None, m))
        assert changed >= 0.2 * len(POSITIVE), name  # many are lower case already


def test_long_text_puts_the_message_at_the_end_of_5000_characters():
    text = long_text("I have chills.")
    assert len(text) >= 5000 and text.endswith("I have chills.")


def test_typo_changes_exactly_one_word():
    before, after = "my throat is really sore today", typo("my throat is really sore today")
    assert sum(a != b for a, b in zip(before.split(), after.split())) == 1


@pytest.mark.parametrize("text", NEGATIVE[:40])
def test_perturbations_add_no_sign(text):
    """Neutral emoji, padding and filler must not create an escalation by themselves."""
    if detect(text).intent is None:
        for name in ("emoji", "padding", "long_text"):
            assert detect(PERTURBATIONS[name](text)).intent is None, name
