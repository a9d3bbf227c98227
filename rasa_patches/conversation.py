"""What the NLU may know of the conversation: the last turns, in brief.

Rasa 3.6's NLU sees one message alone; its graph has no input for the conversation. A
follow-up ("how long does that last?"), a "yes" to the assistant's own question or a
typed "2" for a "Did you mean ...?" button only makes sense next to the turns before it.
So before a message is parsed, the processor (which holds the tracker) puts a brief of
the last RECENT_TURNS turns of this session on the message's metadata under CONTEXT_KEY:
for each, the intent, the leaflet answer chosen, the answer model's best candidates and
the actions that ran; and, under TEXTS_KEY, the session's last few user messages. The
graph's components read them there (components/follow_up.py, the safety detector). It
is stored with the message, so the tracker shows what context a turn was understood in.

`rasa test` parses a test story's messages without the conversation; `story_tracker`
gives its parses the story so far, so the test stories check the same behaviour.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

CONTEXT_KEY = "conversation"
TEXTS_KEY = "conversation_texts"
RECENT_TURNS = 2
# Earlier messages of the session kept (latest first, each cut): a carer who said "Dad
# takes azathioprine" three turns ago is still speaking for Dad (the safety detector).
EARLIER_TEXTS = 8
TEXT_CHARS = 500
RANKED = 3  # candidates kept per turn: "Did you mean" offers at most this many
IGNORED_ACTIONS = frozenset({"action_listen", "action_session_start"})


def turn_brief(user: UserUttered, actions: List[str]) -> Dict[str, Any]:
    """One turn in brief: what was understood and what ran."""
    intent = user.intent or {}
    answer = intent.get("full_retrieval_intent_name") or intent.get("name") or ""
    selector = ((user.parse_data or {}).get("response_selector") or {}).get("leaflet") or {}
    ranking = [
        [str(r.get("intent_response_key")), float(r.get("confidence") or 0.0)]
        for r in (selector.get("ranking") or [])
    ]
    return {
        "intent": str(intent.get("name") or "").split("/")[0],
        "answer": answer if "/" in str(answer) else None,
        "ranking": ranking[:RANKED],
        "actions": actions,
    }


def recent_turns(tracker: Optional[DialogueStateTracker]) -> List[Dict[str, Any]]:
    """Briefs of the last turns of this session, latest first."""
    return read_back(tracker)[0]


def read_back(
    tracker: Optional[DialogueStateTracker],
) -> Tuple[List[Dict[str, Any]], List[str]]:
    """(briefs of the last RECENT_TURNS turns, texts of the last EARLIER_TEXTS user
    messages), latest first, this session only. Reads the events backwards and stops
    early, so the cost does not grow with the length of the conversation."""
    turns: List[Dict[str, Any]] = []
    texts: List[str] = []
    if tracker is None:
        return turns, texts
    actions: List[str] = []
    for event in reversed(tracker.events):
        if isinstance(event, SessionStarted):
            break
        if isinstance(event, ActionExecuted) and event.action_name not in IGNORED_ACTIONS:
            actions.insert(0, str(event.action_name))
        elif isinstance(event, UserUttered):
            if len(turns) < RECENT_TURNS:
                turns.append(turn_brief(event, actions))
            actions = []
            texts.append(str(event.text or "")[:TEXT_CHARS])
            if len(texts) >= EARLIER_TEXTS:
                break
    return turns, texts


def with_context(message: UserMessage, tracker: Optional[DialogueStateTracker]) -> None:
    """Puts the brief of the recent turns and the earlier texts on the message's metadata
    (nothing at the start of a session)."""
    turns, texts = read_back(tracker if tracker is not None else story_tracker.current)
    if turns:
        message.metadata = {**(message.metadata or {}), CONTEXT_KEY: turns, TEXTS_KEY: texts}


class story_tracker:  # noqa: N801 (a namespace, read as "the story tracker")
    """The tracker `rasa test` builds for the story being checked, while it runs."""

    current: Optional[DialogueStateTracker] = None


def remember_story_trackers(tracker_class: Any) -> Any:
    """rasa.core.test's DialogueStateTracker, remembering each story's partial tracker
    (made once per story and updated in place as the story is replayed)."""

    class StoryTracker(tracker_class):
        @classmethod
        def from_events(cls, *args: Any, **kwargs: Any) -> DialogueStateTracker:
            tracker = tracker_class.from_events(*args, **kwargs)
            story_tracker.current = tracker
            return tracker

    return StoryTracker
