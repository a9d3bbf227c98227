"""Hands a conversation to the clinic's nurse queue through a configurable webhook.

The receiver is staff-only: a live-chat system's API or a Slack incoming webhook, never
the patient. So the summary sent there holds the recent message text, which the logs and
the escalation record (actions/escalation_record.py) deliberately leave out.

Delivery is at-least-once: a retry after a timeout may repeat a request the receiver did
get, so every attempt of one delivery carries the same Idempotency-Key for the receiver to
drop duplicates. Network trouble never raises: the caller still owes the patient the
guidance, whatever the queue did.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import os
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple
from urllib.parse import urlsplit

import aiohttp
from rasa_sdk import Tracker

from clinic.names import SIGN_NAMES

logger = logging.getLogger(__name__)

URL_VAR = "HANDOFF_WEBHOOK_URL"
TOKEN_VAR = "HANDOFF_WEBHOOK_TOKEN"
ATTEMPTS_VAR = "HANDOFF_WEBHOOK_ATTEMPTS"
TIMEOUT_VAR = "HANDOFF_WEBHOOK_TIMEOUT"

TRANSCRIPT_TURNS = 10
MAX_TURN_CHARS = 500  # a cut text is this long, ellipsis included
ELLIPSIS = "…"
# Worth another try: the receiver (or something in front of it) may recover.
RETRY_STATUSES = frozenset({408, 429})
# Every way text can start a new line: CR, LF, vertical tab, form feed, NEL, LS, PS.
LINE_BREAKS = re.compile(r"[\r\n\v\f\x85\u2028\u2029]+")


def _check_url(url: str, name: str) -> str:
    """The url when it is http(s) with a host; the error never echoes it (it may be a secret)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f"{name} must be an http:// or https:// URL with a host "
            f"(got scheme {parts.scheme or 'none'!r})"
        )
    return url


def _check_attempts(attempts: int, name: str) -> int:
    if attempts < 1:
        raise ValueError(f"{name} must be at least 1 (got {attempts})")
    return attempts


def _check_timeout(timeout_s: float, name: str) -> float:
    if not math.isfinite(timeout_s) or timeout_s <= 0:
        raise ValueError(f"{name} must be a positive number of seconds (got {timeout_s})")
    return timeout_s


@dataclass(frozen=True)
class QueueConfig:
    """Where and how to deliver; no url means handoff to the queue is switched off."""

    url: Optional[str]
    token: Optional[str] = None
    attempts: int = 3
    timeout_s: float = 3.0  # per attempt
    backoff_s: float = 0.5  # before retry i (from 0): backoff_s * 2**i

    def __post_init__(self) -> None:
        if self.url is not None:
            _check_url(self.url, "url")
        _check_attempts(self.attempts, "attempts")
        _check_timeout(self.timeout_s, "timeout_s")
        if not math.isfinite(self.backoff_s) or self.backoff_s < 0:
            raise ValueError(f"backoff_s must be zero or more seconds (got {self.backoff_s})")

    @property
    def enabled(self) -> bool:
        return bool(self.url)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> QueueConfig:
        """Reads HANDOFF_WEBHOOK_*; a bad value fails at start-up, naming the variable."""
        url = environ.get(URL_VAR, "").strip() or None
        token = environ.get(TOKEN_VAR, "").strip() or None
        attempts = cls.attempts
        timeout_s = cls.timeout_s
        raw_attempts = environ.get(ATTEMPTS_VAR, "").strip()
        if raw_attempts:
            try:
                attempts = int(raw_attempts)
            except ValueError:
                raise ValueError(
                    f"{ATTEMPTS_VAR} must be a whole number (got {raw_attempts!r})"
                ) from None
        raw_timeout = environ.get(TIMEOUT_VAR, "").strip()
        if raw_timeout:
            try:
                timeout_s = float(raw_timeout)
            except ValueError:
                raise ValueError(
                    f"{TIMEOUT_VAR} must be a number of seconds (got {raw_timeout!r})"
                ) from None
        return cls(
            url=_check_url(url, URL_VAR) if url else None,
            token=token,
            attempts=_check_attempts(attempts, ATTEMPTS_VAR),
            timeout_s=_check_timeout(timeout_s, TIMEOUT_VAR),
        )


@dataclass(frozen=True)
class DeliveryResult:
    ok: bool
    attempts: int  # requests made; 0 when the queue is not configured
    error: Optional[str] = None  # "HTTP 503", "timeout", an exception's class name


def _cut(text: str) -> str:
    if len(text) <= MAX_TURN_CHARS:
        return text
    return text[: MAX_TURN_CHARS - len(ELLIPSIS)] + ELLIPSIS


def _iso_utc(timestamp: Any) -> Optional[str]:
    if not isinstance(timestamp, (int, float)):
        return None
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).isoformat()


def transcript(events: List[Dict[str, Any]], turns: int = TRANSCRIPT_TURNS) -> List[Dict[str, Any]]:
    """The last user and bot texts, oldest first; bot events without text (images) skipped."""
    said = [
        {"from": e["event"], "text": _cut(e["text"]), "time": _iso_utc(e.get("timestamp"))}
        for e in events
        if e.get("event") in ("user", "bot") and isinstance(e.get("text"), str) and e["text"]
    ]
    return said[-turns:] if turns > 0 else []


def languages(events: List[Dict[str, Any]], turns: int = TRANSCRIPT_TURNS) -> List[str]:
    """The languages other than English the patient wrote in lately (the Rasa server's
    language check puts the code on the parse), so the nurse can book an interpreter."""
    codes: List[str] = []
    users = [e for e in events if e.get("event") == "user"][-turns:] if turns > 0 else []
    for event in users:
        language = ((event.get("parse_data") or {}).get("language") or {}).get("code")
        if language and str(language) not in codes:
            codes.append(str(language))
    return codes


def _slack_escape(text: str) -> str:
    """Slack reads <...> as mentions and links: patient text must not ping '<!channel>'."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def one_line(text: str) -> str:
    """Patient text on one line: a line break in a message must not add a line of its own
    ("Assistant: ..." or "Nurse queue: resolved") to what the nurse reads."""
    return LINE_BREAKS.sub(" ⏎ ", text)


def staff_text(summary: Dict[str, Any]) -> str:
    """The summary as plain lines, built from its fields; a Slack incoming webhook refuses
    a payload without it."""
    lines = [
        f"Nurse queue: {summary['reason']} - conversation {summary['conversation_id']} "
        f"({summary['channel']})"
    ]
    for label, key in (("Signs", "signs"), ("Temperature", "temperatures"), ("Since", "durations")):
        if summary.get(key):
            lines.append(f"{label}: {one_line(', '.join(summary[key]))}")
    if summary.get("languages"):
        codes = one_line(", ".join(summary["languages"]))
        lines.append(f"Wrote in a language the assistant does not read: {codes} (interpreter?)")
    if summary.get("transcript"):
        lines.append("Last messages:")
        for turn in summary["transcript"]:
            who = "Patient" if turn["from"] == "user" else "Assistant"
            lines.append(f"{who}: {one_line(turn['text'])}")
    return _slack_escape("\n".join(lines))


def build_summary(tracker: Tracker, reason: str, now: datetime) -> Dict[str, Any]:
    """What the nurse needs to pick the conversation up, as JSON-ready values.

    Signs, temperatures and durations come from the latest message, the one that led to
    the handoff; the transcript gives the context before it.
    """
    entities: List[Dict[str, Any]] = (tracker.latest_message or {}).get("entities") or []

    def values(kind: str) -> List[str]:
        return [str(e.get("value")) for e in entities if e.get("entity") == kind]

    signs: List[str] = []
    for value in values("infection_sign"):
        name = SIGN_NAMES.get(value, value)
        if name not in signs:
            signs.append(name)
    summary: Dict[str, Any] = {
        "reason": reason,
        "conversation_id": tracker.sender_id,
        "channel": tracker.get_latest_input_channel() or "unknown",
        "signs": signs,
        "temperatures": values("temperature"),
        "durations": values("duration"),
        "transcript": transcript(list(tracker.events or [])),
        "languages": languages(list(tracker.events or [])),
        "sent_at": now.isoformat(),
    }
    summary["text"] = staff_text(summary)
    return summary


async def _post_once(
    session: aiohttp.ClientSession,
    config: QueueConfig,
    body: bytes,
    headers: Dict[str, str],
) -> Tuple[Optional[str], bool]:
    """(None, _) when delivered, else (what went wrong, whether another try may help)."""
    assert config.url is not None
    try:
        async with session.post(
            config.url,
            data=body,
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=config.timeout_s),
            # A webhook that moved is a configuration error; a redirect would turn the POST
            # into a GET (and could carry the token elsewhere).
            allow_redirects=False,
        ) as response:
            status = response.status
    except asyncio.TimeoutError:
        return "timeout", True
    except (aiohttp.ClientError, OSError) as error:
        # The class name only: some aiohttp messages carry the url, which may be a secret.
        return type(error).__name__, True
    if 200 <= status < 300:
        return None, False
    return f"HTTP {status}", status >= 500 or status in RETRY_STATUSES


async def deliver(
    summary: Dict[str, Any],
    config: QueueConfig,
    session_factory: Optional[Callable[[], aiohttp.ClientSession]] = None,
) -> DeliveryResult:
    """POSTs the summary as JSON, retrying what may pass next time; never raises for the network.

    session_factory makes a new session that deliver closes (tests, a custom connector).
    Logs hold the conversation id, attempt and status only, never message text.
    """
    conversation = summary.get("conversation_id", "unknown")
    if not config.enabled:
        logger.info("Nurse queue not configured; conversation %s not handed over", conversation)
        return DeliveryResult(ok=False, attempts=0, error="not configured")
    body = json.dumps(summary, ensure_ascii=False).encode("utf-8")
    headers = {
        "Content-Type": "application/json",
        "Idempotency-Key": str(uuid.uuid4()),
    }
    if config.token:
        headers["Authorization"] = f"Bearer {config.token}"
    error: Optional[str] = None
    attempt = 0
    async with (session_factory or aiohttp.ClientSession)() as session:
        for attempt in range(1, config.attempts + 1):
            error, retryable = await _post_once(session, config, body, headers)
            if error is None:
                return DeliveryResult(ok=True, attempts=attempt)
            logger.warning(
                "Nurse queue: conversation %s, attempt %d of %d failed: %s",
                conversation,
                attempt,
                config.attempts,
                error,
            )
            if not retryable:
                break
            if attempt < config.attempts:
                await asyncio.sleep(config.backoff_s * 2 ** (attempt - 1))
    logger.error(
        "Nurse queue: gave up on conversation %s after %d attempt(s): %s",
        conversation,
        attempt,
        error,
    )
    return DeliveryResult(ok=False, attempts=attempt, error=error)
