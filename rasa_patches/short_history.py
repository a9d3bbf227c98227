"""The dialogue policy reads the last turns, not the whole conversation.

Rasa 3.6's RulePolicy turns the whole tracker into states on every prediction
(`tracker.past_states`, over every event), so a turn's cost grows with the conversation:
turn 95 of one conversation took twice as long as turn 5 (docs/benchmarks.md). Every
rule here is about the latest turn (data/rules/), so the policies are given a tracker of
the last KEPT_TURNS turns only (with every slot set before them, so slots stay as they
are). A follow-up action Rasa scheduled is still taken from the real tracker.
"""

from __future__ import annotations

from typing import Any, Callable, List

from rasa.core.policies.policy import PolicyPrediction
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

KEPT_TURNS = 3


def recent_events(events: List[Event], turns: int = KEPT_TURNS) -> List[Event]:
    """The events from the listen before the `turns`-th last user message on, with the
    slot events before it first; all events when there are fewer turns."""
    seen = 0
    for index in range(len(events) - 1, -1, -1):
        if isinstance(events[index], UserUttered):
            seen += 1
            if seen == turns:
                start = index
                while start > 0 and not isinstance(events[start - 1], ActionExecuted):
                    start -= 1
                start = max(start - 1, 0)
                slots = [e for e in events[:start] if isinstance(e, SlotSet)]
                return slots + events[start:]
    return events


def with_recent_turns(
    predict: Callable[[Any, DialogueStateTracker], PolicyPrediction]
) -> Callable[[Any, DialogueStateTracker], PolicyPrediction]:
    """MessageProcessor._predict_next_with_tracker, given the recent turns only."""

    def predict_next(self: Any, tracker: DialogueStateTracker) -> PolicyPrediction:
        if tracker.followup_action:
            return predict(self, tracker)
        events = list(tracker.events)
        kept = recent_events(events)
        if len(kept) == len(events):
            return predict(self, tracker)
        short = DialogueStateTracker.from_events(
            tracker.sender_id, kept, slots=self.domain.slots, sender_source=tracker.sender_source
        )
        return predict(self, short)

    return predict_next
