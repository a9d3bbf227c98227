"""The clinic web widget's channel: serves the widget and its demo page, takes its messages.

Routes (under /webhooks/widget/):
- widget.js, widget.css: the widget a clinic site embeds with one script tag;
- demo: a demo clinic page with the widget on it (what `make run` prints);
- webhook: POST {"sender", "message"} -> the replies, each with a `kind` the widget styles
  (urgent and emergency replies must be impossible to miss);
- history?sender=...: the conversation so far, so a page reload loses nothing.

Everything the REST channel guarantees holds here too (it is a subclass). The sender id is
the widget's own random id; it works like a bearer secret for the history, so short or
guessable ids (like "default") are refused. Cross-origin use is allowed only for the
origins in WIDGET_ALLOWED_ORIGINS (comma separated); the demo page is same-origin.

A message must come as JSON, and a browser's Origin must be this server or an allowed
origin: a foreign page can send a `text/plain` POST without asking (no CORS preflight),
and would otherwise start conversations and escalation records in its visitors' names.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional
from urllib.parse import urlsplit

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.patient_rest import PatientRestInput
from clinic.message_kind import message_kind

WEB_DIR = Path(__file__).resolve().parents[1] / "web"
STATIC_FILES = {
    "widget.js": "application/javascript; charset=utf-8",
    "widget.css": "text/css; charset=utf-8",
}
SENDER_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,128}")  # fullmatch: no trailing newline
HISTORY_LIMIT = 200
DEMO_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"
)


def split_paragraphs(text: str) -> List[str]:
    """Rasa's collecting channel sends each paragraph as its own message; so does history."""
    return [part for part in text.strip().split("\n\n") if part.strip()]


class WidgetOutputChannel(CollectingOutputChannel):
    """Collects replies like REST, adding each one's kind (answer, citation, urgent...)."""

    @classmethod
    def name(cls) -> str:
        return "widget"

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for part in split_paragraphs(text):
            await self._persist_message(
                {**self._message(recipient_id, text=part), "kind": message_kind(part, kwargs)}
            )

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        await self._persist_message(
            {
                **self._message(recipient_id, text=text, buttons=buttons),
                "kind": message_kind(text, kwargs),
            }
        )


def history_messages(events: List[Any]) -> List[Dict[str, Any]]:
    """The user and bot messages of a conversation, as the widget shows them."""
    messages: List[Dict[str, Any]] = []
    for event in events:
        if isinstance(event, UserUttered) and event.text is not None:
            messages.append({"from": "user", "text": event.text})
        elif isinstance(event, BotUttered) and event.text:
            buttons = (event.data or {}).get("buttons")
            parts = [event.text] if buttons else split_paragraphs(event.text)
            for part in parts:
                item: Dict[str, Any] = {
                    "from": "bot",
                    "text": part,
                    "kind": message_kind(part, event.metadata or {}),
                }
                if buttons:
                    item["buttons"] = buttons
                messages.append(item)
    return messages[-HISTORY_LIMIT:]


def allowed_origins(environ: Optional[Dict[str, str]] = None) -> List[str]:
    raw = (environ if environ is not None else os.environ).get("WIDGET_ALLOWED_ORIGINS", "")
    return [origin.strip().rstrip("/") for origin in raw.split(",") if origin.strip()]


class WidgetInput(PatientRestInput):
    """The web widget's channel; see the module docstring."""

    @classmethod
    def name(cls) -> str:
        return "widget"

    def __init__(self, origins: Optional[List[str]] = None) -> None:
        super().__init__()
        self.origins = allowed_origins() if origins is None else origins

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> "WidgetInput":
        return cls()

    def validate_sender(self, sender: str) -> Optional[str]:
        if SENDER_PATTERN.fullmatch(sender):
            return None
        return '"sender" must be the widget\'s random id: 16-128 letters, digits, - or _.'

    def output_channel(self) -> CollectingOutputChannel:
        return WidgetOutputChannel()

    def cors_headers(self, request: Request) -> Dict[str, str]:
        origin = request.headers.get("origin", "").rstrip("/")
        if origin and origin in self.origins:
            return {
                "Access-Control-Allow-Origin": origin,
                "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                "Access-Control-Allow-Headers": "Content-Type",
                "Access-Control-Max-Age": "600",
                "Vary": "Origin",
            }
        return {}

    def refusal(self, request: Request) -> Optional[HTTPResponse]:
        """Why a message post is refused (see the module docstring), or None."""
        origin = request.headers.get("origin", "").rstrip("/")
        if origin and origin not in self.origins and urlsplit(origin).netloc != request.host:
            return response.json({"error": "this origin may not use the widget"}, status=403)
        content_type = (request.headers.get("content-type") or "").split(";")[0].strip()
        if content_type.lower() != "application/json":
            return response.json({"error": "send the message as application/json"}, status=415)
        return None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        widget = Blueprint("widget_webhook", __name__)

        @widget.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        async def serve(request: Request, filename: str) -> HTTPResponse:
            return await response.file(
                WEB_DIR / filename,
                mime_type=STATIC_FILES[filename],
                headers={"Cache-Control": "no-cache", **self.cors_headers(request)},
            )

        @widget.route("/widget.js", methods=["GET"])
        async def script(request: Request) -> HTTPResponse:
            return await serve(request, "widget.js")

        @widget.route("/widget.css", methods=["GET"])
        async def stylesheet(request: Request) -> HTTPResponse:
            return await serve(request, "widget.css")

        @widget.route("/demo", methods=["GET"])
        async def demo(_: Request) -> HTTPResponse:
            return await response.file(
                WEB_DIR / "demo.html",
                mime_type="text/html; charset=utf-8",
                headers={"Cache-Control": "no-cache", "Content-Security-Policy": DEMO_CSP},
            )

        @widget.route("/webhook", methods=["POST", "OPTIONS"])
        async def receive(request: Request) -> HTTPResponse:
            if request.method == "OPTIONS":
                return response.empty(headers=self.cors_headers(request))
            reply = self.refusal(request) or await self.receive(request, on_new_message)
            reply.headers.update(self.cors_headers(request))
            return reply

        @widget.route("/history", methods=["GET", "OPTIONS"])
        async def history(request: Request) -> HTTPResponse:
            headers = self.cors_headers(request)
            if request.method == "OPTIONS":
                return response.empty(headers=headers)
            sender = request.args.get("sender", "")
            error = self.validate_sender(sender)
            if error:
                return response.json({"error": error}, status=400, headers=headers)
            agent = getattr(request.app.ctx, "agent", None)
            tracker = await agent.tracker_store.retrieve(sender) if agent else None
            if tracker is None:
                return response.json({"messages": [], "paused": False}, headers=headers)
            return response.json(
                {"messages": history_messages(list(tracker.events)), "paused": tracker.is_paused()},
                headers=headers,
            )

        return widget
