"""Training data volume per section, and the held-out set kept apart from it."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.content.sections import ROOT, SECTION_IDS, nlu_examples, normalise

TRAINING: dict = {}
for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
    for intent, examples in nlu_examples(path).items():
        TRAINING.setdefault(intent, []).extend(examples)
HELDOUT = nlu_examples(ROOT / "tests" / "heldout" / "nlu_heldout.yml")
SAFETY_AND_ROUTING = [
    "report_infection_sign", "emergency", "request_human", "out_of_scope",
    "greet", "goodbye", "thanks", "bot_challenge",
]  # fmt: skip


@pytest.mark.parametrize("section", SECTION_IDS)
def test_at_least_25_training_examples_per_section(section):
    assert len(set(TRAINING.get(f"leaflet/{section}", []))) >= 25


@pytest.mark.parametrize("section", SECTION_IDS)
def test_at_least_10_heldout_examples_per_section(section):
    assert len(set(HELDOUT.get(f"leaflet/{section}", []))) >= 10


@pytest.mark.parametrize("intent", SAFETY_AND_ROUTING)
def test_routing_intents_are_trained_and_held_out(intent):
    assert len(TRAINING.get(intent, [])) >= 20
    assert len(HELDOUT.get(intent, [])) >= 5


def test_heldout_is_never_trained_on():
    trained = {normalise(e) for examples in TRAINING.values() for e in examples}
    leaked = [e for examples in HELDOUT.values() for e in examples if normalise(e) in trained]
    assert not leaked, leaked[:10]


def test_heldout_labels_exist_in_training():
    assert set(HELDOUT) <= set(TRAINING)


def test_no_duplicate_training_examples():
    counts = Counter(e.lower().strip() for examples in TRAINING.values() for e in examples)
    assert [e for e, n in counts.items() if n > 1] == []
