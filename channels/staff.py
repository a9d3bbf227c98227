"""Staff-only endpoint: hand a conversation back from the nurse to the assistant.

After a handoff the conversation is paused (channels/paused.py). When the nurse is done,
the clinic's live-chat system (or a person with curl) calls
    POST /webhooks/staff/handback  {"conversation_id": "..."}
with `Authorization: Bearer $STAFF_API_TOKEN`. The conversation is resumed and a note is
added so the patient's history shows it (the widget reads it from there); on Slack and
Telegram, where nothing polls, the note is also sent to the patient. The endpoint is off
unless the token is set (the channel is only configured then); it is meant for the
clinic's network, not the internet (the production nginx lets only the clinic's networks
reach it).
"""

from __future__ import annotations

import hmac
import logging
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, BotUttered, ConversationResumed
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.turn import Retry, deliver, id_problem

logger = logging.getLogger(__name__)

HANDED_BACK = (
    "The nurse has handed you back to the assistant. You can keep asking about Imuran here."
)


class StaffInput(InputChannel):
    """Staff endpoints; see the module docstring."""

    @classmethod
    def name(cls) -> str:
        return "staff"

    def __init__(self, token: str) -> None:
        if len(token) < 16:
            raise ValueError("STAFF_API_TOKEN must be at least 16 characters.")
        self.token = token

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        return cls(str((credentials or {}).get("token") or ""))

    def authorised(self, request: Request) -> bool:
        given = request.headers.get("authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {self.token}".encode())

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        staff = Blueprint("staff_webhook", __name__)

        @staff.route("/handback", methods=["POST"])
        async def handback(request: Request) -> HTTPResponse:
            if not self.authorised(request):
                return response.json({"error": "a valid staff token is required"}, status=401)
            body = request.json if request.body else None
            conversation_id = (
                (body or {}).get("conversation_id") if isinstance(body, dict) else None
            )
            problem = id_problem(conversation_id, "conversation_id")
            if problem:
                return response.json({"error": problem}, status=400)
            assert isinstance(conversation_id, str)
            agent = request.app.ctx.agent
            async with agent.lock_store.lock(conversation_id):
                tracker = await agent.tracker_store.retrieve(conversation_id)
                if tracker is None:
                    return response.json({"error": "no such conversation"}, status=404)
                was_paused = tracker.is_paused()
                if was_paused:
                    tracker.update(ConversationResumed())
                    tracker.update(BotUttered(HANDED_BACK, metadata={"kind": "notice"}))
                    # The pause stopped the turn before Rasa listened again; without this
                    # the next message would not match the rules (they follow a listen).
                    tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
                    await agent.tracker_store.save(tracker)
            announced = was_paused and await announce(
                request.app, tracker.get_latest_input_channel(), conversation_id
            )
            logger.info("Conversation %s handed back by staff", conversation_id)
            return response.json(
                {"conversation_id": conversation_id, "resumed": was_paused, "sent": announced}
            )

        return staff


async def announce(app: Any, channel_name: Optional[str], conversation_id: str) -> bool:
    """Sends the hand-back note through the conversation's channel when that channel
    delivers through an outside API; True when sent."""
    for channel in getattr(app.ctx, "input_channels", None) or []:
        if channel.name() != channel_name:
            continue
        output = channel.get_output_channel()
        if output is None or isinstance(output, CollectingOutputChannel):
            return False  # REST and the widget: the stored note is what they show
        return await deliver(output, conversation_id, [{"text": HANDED_BACK}], Retry())
    return False
