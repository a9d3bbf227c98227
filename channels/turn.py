"""One patient turn, the same on every channel: handle the message, reply for the bot
while a nurse has the conversation, and reply on failure. Never silence.

Also what every patient channel does to incoming text: a typed "/intent" is text, not a
command (Rasa would skip NLU for it, and so every safety check), and a message has a
length limit.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from typing import Any, Awaitable, Callable, Optional

from rasa.core.channels.channel import CollectingOutputChannel, OutputChannel, UserMessage

from channels.paused import reply_while_paused
from clinic.wording import FAILURE_REPLY

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 20_000
MAX_ID_CHARS = 128
LEADING_SLASHES = re.compile(r"^\s*/+")
# Control characters (NUL, newline...) forge log lines and break database drivers; lone
# surrogates cannot be stored at all (SQLite and PostgreSQL both refuse them).
REFUSED_ID_CATEGORIES = {"Cc", "Cs", "Cf", "Zl", "Zp"}


def id_problem(value: object, what: str = "sender") -> Optional[str]:
    """Why a conversation id is refused, or None. One check for every channel and the
    staff API: an id reaches the logs, the tracker store and the nurse queue."""
    if not isinstance(value, str) or not value.strip():
        return f'A non-empty "{what}" is required.'
    if len(value) > MAX_ID_CHARS:
        return f'"{what}" must be at most {MAX_ID_CHARS} characters.'
    if any(unicodedata.category(ch) in REFUSED_ID_CATEGORIES for ch in value):
        return f'"{what}" may not contain control or unpaired surrogate characters.'
    return None


def neutralise_commands(text: str) -> str:
    """'/greet' -> 'greet': users type text; only Rasa's own tools may send intents."""
    return LEADING_SLASHES.sub("", text, count=1)


def sent_count(output: OutputChannel) -> int:
    """How many messages the output channel has sent so far."""
    if isinstance(output, CollectingOutputChannel):
        return len(output.messages)
    return int(getattr(output, "sent", 0))


async def patient_turn(
    on_new_message: Callable[[UserMessage], Awaitable[Any]], message: UserMessage, agent: Any
) -> bool:
    """Handles one message on its output channel; False when it failed (the user was
    told to try again, with the safety line). Message text is never logged."""
    output = message.output_channel
    sender = str(message.sender_id)
    before = sent_count(output)
    try:
        await on_new_message(message)
        await reply_while_paused(agent, sender, output, sent_count(output) > before)
        return True
    except Exception:
        logger.exception("Handling a %s message failed (sender %s)", message.input_channel, sender)
        try:
            await output.send_text_message(sender, FAILURE_REPLY)
        except Exception:
            logger.exception("Could not tell the %s user about the failure", message.input_channel)
        return False
