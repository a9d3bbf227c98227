"""The per-message speed-ups behave exactly like the Rasa code they replace."""

from __future__ import annotations

import inspect
from typing import Any, List

import numpy as np
import pytest
import scipy.sparse
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.utils.common import all_subclasses

import rasa_patches
from rasa_patches import speedups as rasa_speedups


@pytest.fixture(scope="module", autouse=True)
def applied() -> None:
    assert rasa_patches.install()
    assert rasa_patches.install() == rasa_patches.install()  # idempotent


def test_valid_action_result_passes() -> None:
    action = RemoteAction("action_x", None)
    result = {"events": [{"event": "slot", "name": "a", "value": 1}], "responses": []}
    assert action._validate_action_result(result) is True


def test_invalid_action_result_fails_as_before() -> None:
    action = RemoteAction("action_x", None)
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result({"events": "not a list", "responses": []})


def test_event_lookup_matches_the_original_for_every_event_type() -> None:
    for cls in all_subclasses(Event):
        if getattr(cls, "type_name", None) and not getattr(cls, "__abstractmethods__", None):
            assert Event.resolve_by_type(cls.type_name) is not None
    assert Event.resolve_by_type("user") is UserUttered
    assert Event.resolve_by_type("action") is ActionExecuted
    assert Event.resolve_by_type("slot") is SlotSet
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no-such-event", default=SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no-such-event")
    # A default given once is not remembered as the answer for that name.
    with pytest.raises(ValueError):
        Event.resolve_by_type("no-such-event")


def sparse(values: List[List[float]]) -> scipy.sparse.coo_matrix:
    return scipy.sparse.coo_matrix(np.array(values, dtype=np.float32))


def test_sparse_features_are_combined_once_per_message_and_as_before() -> None:
    message = Message(data={TEXT: "fever today"})
    for origin, seq, sent in [
        ("words", [[1, 0], [0, 1]], [[1, 1]]),
        ("chars", [[0, 2, 1], [3, 0, 0]], [[3, 2, 1]]),
    ]:
        message.add_features(Features(sparse(seq), FEATURE_TYPE_SEQUENCE, TEXT, origin))
        message.add_features(Features(sparse(sent), FEATURE_TYPE_SENTENCE, TEXT, origin))
    original = inspect.unwrap(Message.get_sparse_features)
    assert original is not Message.get_sparse_features

    def dense(pair: Any) -> List[Any]:
        return [f.features.toarray().tolist() if f is not None else None for f in pair]

    first = message.get_sparse_features(TEXT, [])
    assert dense(first) == dense(original(message, TEXT, []))
    assert dense(first)[1] == [[1, 1, 3, 2, 1]]
    assert message.get_sparse_features(TEXT, []) is first  # the second classifier's call
    assert dense(message.get_sparse_features(TEXT, ["words"])) == dense(
        original(message, TEXT, ["words"])
    )
    # A feature added later is part of the next answer, not hidden by the memo.
    message.add_features(Features(sparse([[5]]), FEATURE_TYPE_SENTENCE, TEXT, "regex"))
    assert dense(message.get_sparse_features(TEXT, []))[1] == [[1, 1, 3, 2, 1, 5]]


def test_domain_emptiness_is_rasas_answer_worked_out_once(monkeypatch: pytest.MonkeyPatch) -> None:
    assert rasa_patches.install()
    original = inspect.unwrap(Domain.is_empty)
    assert original is not Domain.is_empty
    calls: List[Domain] = []

    def counting(self: Domain) -> bool:
        calls.append(self)
        return bool(original(self))

    monkeypatch.setattr(Domain, "is_empty", counting)
    remembered = rasa_speedups._remembered_is_empty()
    empty = Domain.empty()
    full = Domain.from_dict({"intents": ["greet"], "responses": {"utter_hi": [{"text": "hi"}]}})
    for _ in range(3):
        assert remembered(empty) is True and remembered(full) is False
    assert calls == [empty, full]  # Rasa's check ran once per domain
