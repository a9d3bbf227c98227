"""One patient turn, the same on every channel: handle the message, reply for the bot
while a nurse has the conversation, and reply on failure. Never silence.

Channels that send their replies through an outside API (Slack, Telegram) use
`relayed_turn`: the turn runs to its end first, with the replies collected, so the
conversation is stored and every action (the escalation record included) has run before
anything is sent; then the replies go out in order, each retried. An API that fails can
delay a warning, never lose the turn or its record.

Also what every patient channel does to incoming text: a typed "/intent" is text, not a
command (Rasa would skip NLU for it, and so every safety check), and a message has a
length limit.
"""

from __future__ import annotations

import asyncio
import logging
import re
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, Hashable, List, Optional

from rasa.core.channels.channel import CollectingOutputChannel, OutputChannel, UserMessage

from channels.paused import reply_while_paused
from clinic.wording import FAILURE_REPLY, SAFETY_LINE

logger = logging.getLogger(__name__)

# Longer than any message the writers of the test sets wrote (the longest of 2,390 has 560
# characters) and than Telegram's own limit (4,096); short enough that understanding the
# worst message at this length takes well under a second (docs/benchmarks.md).
MAX_MESSAGE_CHARS = 8_000
MAX_ID_CHARS = 128
TOO_LONG_REPLY = (
    f"That message is too long for me (over {MAX_MESSAGE_CHARS:,} characters). "
    f"Please send a shorter question. {SAFETY_LINE}"
)
LEADING_SLASHES = re.compile(r"^\s*/+")
# Half of a character outside the BMP, as a client that cuts an emoji in two sends it.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
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


def incoming_text(text: str) -> str:
    """What every patient channel does to a message's text before the turn.

    A lone surrogate becomes U+FFFD: nothing downstream can encode one (spaCy's tokenizer
    raised, and "I have a fever of 39.5" with half an emoji after it got only the failure
    reply). A leading "/" is dropped: '/greet' -> 'greet', since users type text and only
    Rasa's own tools may send intents (which would skip NLU, and every safety check)."""
    return neutralise_commands(LONE_SURROGATE.sub("\ufffd", text))


def neutralise_commands(text: str) -> str:
    """'/greet' -> 'greet' (see incoming_text)."""
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


class RecentIds:
    """The last `bound` ids a channel has handled (Slack's event ids, Telegram's update
    ids), so a retried delivery is not handled twice; memory stays bounded."""

    def __init__(self, bound: int = 10_000) -> None:
        self.bound = bound
        self._ids: "OrderedDict[Hashable, None]" = OrderedDict()

    def first_sight(self, key: Hashable) -> bool:
        """True the first time the id is seen (and remembers it)."""
        if key in self._ids:
            return False
        self._ids[key] = None
        if len(self._ids) > self.bound:
            self._ids.popitem(last=False)
        return True


@dataclass(frozen=True)
class Retry:
    """How often, and how patiently, one reply is sent through an outside API."""

    attempts: int = 3
    backoff_s: float = 0.5  # before retry i (from 0): backoff_s * 2**i


class RelayCollector(CollectingOutputChannel):
    """Collects a turn's replies under the real channel's name, which Rasa uses to pick
    channel-specific response variations."""

    def __init__(self, channel_name: str) -> None:
        super().__init__()
        self.channel_name = channel_name

    def name(self) -> str:
        return self.channel_name


async def send_with_retry(
    output: OutputChannel, recipient: str, message: Dict[str, Any], retry: Retry
) -> bool:
    """Sends one collected reply; True once sent. Errors are logged by class name only
    (an API error may carry the bot token or the text)."""
    for attempt in range(1, retry.attempts + 1):
        payload = {k: v for k, v in message.items() if k != "recipient_id"}
        try:
            await output.send_response(recipient, payload)
            return True
        except Exception as error:
            logger.warning(
                "Sending a %s reply to %s failed (attempt %d of %d): %s",
                output.name(),
                recipient,
                attempt,
                retry.attempts,
                type(error).__name__,
            )
        if attempt < retry.attempts:
            await asyncio.sleep(retry.backoff_s * 2 ** (attempt - 1))
    return False


async def deliver(
    output: OutputChannel, recipient: str, messages: List[Dict[str, Any]], retry: Retry
) -> bool:
    """Sends the replies in order; stops at one that cannot be sent (a later reply must
    not arrive without the warning before it). True when all were sent."""
    for index, message in enumerate(messages):
        if not await send_with_retry(output, recipient, message, retry):
            logger.error(
                "Gave up sending %d of %d %s replies to %s; the turn is stored",
                len(messages) - index,
                len(messages),
                output.name(),
                recipient,
            )
            return False
    return True


async def relayed_turn(
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    message: UserMessage,
    agent: Any,
    retry: Retry = Retry(),
) -> bool:
    """Handles the message with its replies collected, then sends them through the
    message's own output channel. True when every reply was sent."""
    output = message.output_channel
    collector = RelayCollector(output.name())
    collected = UserMessage(
        message.text,
        collector,
        message.sender_id,
        input_channel=message.input_channel,
        message_id=message.message_id,
        metadata=message.metadata,
    )
    await patient_turn(on_new_message, collected, agent)
    return await deliver(output, str(message.sender_id), collector.messages, retry)
