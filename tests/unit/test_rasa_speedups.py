"""The per-message speed-ups behave exactly like the Rasa code they replace."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
from rasa.shared.utils.common import all_subclasses

from channels import rasa_speedups


@pytest.fixture(scope="module", autouse=True)
def applied() -> None:
    assert rasa_speedups.apply() is True
    assert rasa_speedups.apply() is True  # idempotent


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
