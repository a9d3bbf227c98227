"""A long message the model is unsure about is read again from the sentence that asks.

Anxious patients write a paragraph and put the question last ("...my omma says push
through, sorry. How long does the queasiness last?"). Read whole, the story around the
question can leave the classifier unsure, or pull it to an uncovered topic; the sentence
that asks (clinic/sentences.py) is then parsed on its own, through the same pipeline,
and its leaflet answer is used when it has one. Only an unsure or out-of-leaflet turn
is read again: an escalation, a person request, another drug or a confident answer
keeps the whole message's reading, and so does everything when the asking sentence
gives no leaflet section or is not a question ("...anyway, all is well with the tablets."
gets no answer it did not ask for). Applied to every message, this focus cost calm and
out-of-leaflet messages more than it gained (docs/evaluation.md).
"""

from __future__ import annotations

from typing import Any, Dict

from rasa.core.channels.channel import UserMessage

from clinic.sentences import asking_sentence_start, is_question
from rasa_patches.two_questions import Parse, section_of

# Fewer words than this is not a long message: its one sentence is the question.
MIN_WORDS = 25
READ_AGAIN = frozenset({"nlu_fallback", "out_of_scope"})


async def focus_on_the_question(
    message: UserMessage, parse_data: Dict[str, Any], parse: Parse
) -> Dict[str, Any]:
    """`parse_data`, or the asking sentence's parse when it answers from the leaflet and
    the whole message did not."""
    if (parse_data.get("intent") or {}).get("name") not in READ_AGAIN:
        return parse_data
    text = message.text or ""
    if len(text.split()) < MIN_WORDS:
        return parse_data
    start = asking_sentence_start(text)
    if start == 0 or not is_question(text[start:]):
        return parse_data
    asked = await parse(
        UserMessage(
            text[start:],
            sender_id=message.sender_id,
            input_channel=message.input_channel,
            metadata=message.metadata,
        )
    )
    if section_of(asked) is None:
        return parse_data
    return {**asked, "text": parse_data.get("text", text)}
