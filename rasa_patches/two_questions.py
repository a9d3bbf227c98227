"""Two questions in one message ("how do I store it and what if I miss a dose?") get both
answers, in order, each cited.

The model gives one section per message. When a message the model answered with a
leaflet section reads as two questions, each part is parsed on its own, through the same
pipeline (so the answer guard and the safety detector judge each part too). When both
parts get a leaflet section and the sections differ, the first part's section is the
turn's answer and the second goes on the message as a `second_question` entity; the rule
"two questions in one message" (data/rules/leaflet.yml) then runs
`action_answer_second_question`, which sends that section's answer
(actions/second_question.py).

Only leaflet answers are split: an escalation, a person request or an unsure turn takes
its own path for the whole message, unchanged. A message that does not read as two
questions costs nothing more than a regular expression.
"""

from __future__ import annotations

import re
from typing import Any, Awaitable, Callable, Dict, List, Optional

from rasa.core.channels.channel import UserMessage

ENTITY = "second_question"
EXTRACTOR = "TwoQuestions"
LEAFLET = "leaflet"
# A second question starts with a question word, after "?", ";" or a joining "and"/"also":
# "...store it and what if I miss one", "...with food? And also what if he forgets".
QUESTION_START = (
    r"(?:what|what's|whats|wat|wot|how|how's|when|where|which|why|who|can|could|should|"
    r"shall|do|does|did|is|are|am|will|would|if|any|anything)\b"
)
# "(2) should they...", "2. how long...": a numbered second question.
NUMBER = r"(?:\(?\d[).]\s*)?"
SPLIT = re.compile(
    r"(?:\?+\s*|[;]\s*|,?\s+)(?:(?:and|also|plus|oh and|and also|also,)\s+)+"
    rf"{NUMBER}(?={QUESTION_START})|(?:\?+|;)\s*{NUMBER}(?={QUESTION_START})",
    re.IGNORECASE,
)
MIN_WORDS = 3  # each part a question of its own, not "and is it?"

Parse = Callable[[UserMessage], Awaitable[Dict[str, Any]]]


def questions(text: str) -> List[str]:
    """The two questions of a message, or [] when it does not read as two."""
    match = SPLIT.search(text)
    if match is None:
        return []
    first, second = text[: match.start()].strip(), text[match.end() :].strip()
    if min(len(first.split()), len(second.split())) < MIN_WORDS:
        return []
    return [first, second]


def section_of(parse_data: Dict[str, Any]) -> Optional[str]:
    """The leaflet section a parse answers with, or None (not a leaflet answer)."""
    if (parse_data.get("intent") or {}).get("name") != LEAFLET:
        return None
    selected = (parse_data.get("response_selector") or {}).get(LEAFLET) or {}
    key = (selected.get("response") or {}).get("intent_response_key") or ""
    return key.split("/", 1)[1] if "/" in key else None


async def add_second_question(
    message: UserMessage, parse_data: Dict[str, Any], parse: Parse
) -> Dict[str, Any]:
    """`parse_data` with the first part's answer and the second part's section as a
    `second_question` entity, when the message asks two leaflet questions."""
    if section_of(parse_data) is None:
        return parse_data
    parts = questions(message.text or "")
    if not parts:
        return parse_data
    first, second = [
        await parse(
            UserMessage(
                part,
                sender_id=message.sender_id,
                input_channel=message.input_channel,
                metadata=message.metadata,
            )
        )
        for part in parts
    ]
    first_section, second_section = section_of(first), section_of(second)
    if first_section is None or second_section is None or first_section == second_section:
        return parse_data
    parse_data["response_selector"] = first["response_selector"]
    parse_data["intent"] = {**parse_data["intent"], **_retrieval_keys(first["intent"])}
    parse_data["entities"] = list(parse_data.get("entities") or []) + [
        {
            "entity": ENTITY,
            "value": second_section,
            "start": len(message.text or "") - len(parts[1]),
            "end": len(message.text or ""),
            "extractor": EXTRACTOR,
        }
    ]
    return parse_data


def _retrieval_keys(intent: Dict[str, Any]) -> Dict[str, Any]:
    return {k: v for k, v in intent.items() if k == "full_retrieval_intent_name"}
