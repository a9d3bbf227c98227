"""The REST channel patients reach (same URL as Rasa's: /webhooks/rest/webhook).

What it changes compared with rasa.core.channels.rest.RestInput, and why:
- A typed "/intent" is text, not a command: Rasa would skip NLU for it (and so skip every
  safety check), so leading slashes are removed before the message is handled.
- A malformed request (not JSON, not an object, no sender, a message that is not text)
  gets a 400 with a plain explanation instead of a server error.
- A message too long to be a chat message gets a 413 with a kind explanation.
- If handling fails, the user still gets a reply that says what to do about signs of
  infection, never silence; while a nurse has the conversation (the bot is paused), the
  user is told so instead of getting no reply (channels/paused.py).
Message text is never written to the logs here.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Tuple

from rasa.core.channels.channel import (
    CollectingOutputChannel,
    InputChannel,
    UserMessage,
)
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.turn import (
    MAX_ID_CHARS,
    MAX_MESSAGE_CHARS,
    TOO_LONG_REPLY,
    id_problem,
    incoming_text,
    patient_turn,
)
from persistence.monitored_store import HEALTH

logger = logging.getLogger(__name__)

MAX_SENDER_CHARS = MAX_ID_CHARS


def parse_request(
    body: Any,
) -> Tuple[Optional[Tuple[str, str, Optional[Dict[str, Any]]]], Optional[str]]:
    """Validates a webhook body; returns ((sender, text, metadata), None) or (None, error)."""
    if not isinstance(body, dict):
        return None, 'The request body must be a JSON object: {"sender": ..., "message": ...}'
    sender = body.get("sender")
    problem = id_problem(sender)
    if problem:
        return None, problem
    assert isinstance(sender, str)
    message = body.get("message", "")
    if message is None:
        message = ""
    if not isinstance(message, str):
        return None, '"message" must be text.'
    metadata = body.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        return None, '"metadata" must be a JSON object when given.'
    return (sender, message, metadata), None


class PatientRestInput(InputChannel):
    """REST input for patients; see the module docstring."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint(f"patient_{self.name()}_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def alive(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/health", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            """503 while conversations cannot be stored (for monitors and load balancers)."""
            store = HEALTH.report()
            status = "ok" if store["ok"] else "degraded"
            return response.json(
                {"status": status, "tracker_store": store}, status=200 if store["ok"] else 503
            )

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return await self.receive(request, on_new_message)

        return webhook

    def validate_sender(self, sender: str) -> Optional[str]:
        """An error text when this channel refuses the sender id (REST takes any)."""
        return None

    def output_channel(self) -> CollectingOutputChannel:
        return CollectingOutputChannel()

    async def receive(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        """Validates, handles the message and returns the bot's replies as JSON."""
        try:
            body = request.json
        except Exception:  # sanic raises InvalidUsage for a body that is not JSON
            body = None
        parsed, error = parse_request(body)
        if parsed is None:
            return response.json({"error": error}, status=400)
        sender, text, metadata = parsed
        error = self.validate_sender(sender)
        if error:
            return response.json({"error": error}, status=400)
        if len(text) > MAX_MESSAGE_CHARS:
            return response.json({"error": "message too long", "text": TOO_LONG_REPLY}, status=413)
        collector = self.output_channel()
        message = UserMessage(
            incoming_text(text),
            collector,
            sender,
            input_channel=self.name(),
            metadata=metadata,
        )
        await patient_turn(on_new_message, message, getattr(request.app.ctx, "agent", None))
        return response.json(collector.messages)
