"""The dialogue policy is given the last turns only (rasa_patches/short_history.py)."""

from __future__ import annotations

from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered

from rasa_patches.short_history import KEPT_TURNS, recent_events


def turn(n: int) -> list:
    return [UserUttered(f"message {n}", {"name": "greet"}), ActionExecuted("utter_greet"),
            BotUttered(f"reply {n}"), ActionExecuted("action_listen")]  # fmt: skip


def test_the_last_turns_from_the_listen_before_them_with_earlier_slots() -> None:
    events = [ActionExecuted("action_listen"), SlotSet("topic", "storage")]
    for n in range(10):
        events += turn(n)
    kept = recent_events(events)
    users = [e.text for e in kept if isinstance(e, UserUttered)]
    assert users == [f"message {n}" for n in range(10 - KEPT_TURNS, 10)]
    assert isinstance(kept[0], SlotSet) and kept[0].value == "storage"
    assert isinstance(kept[1], ActionExecuted) and kept[1].action_name == "action_listen"
    assert kept[-len(turn(0)) :] == events[-len(turn(0)) :]


def test_a_short_conversation_is_kept_whole() -> None:
    events = [ActionExecuted("action_listen"), *turn(0), *turn(1)]
    assert recent_events(events) == events
