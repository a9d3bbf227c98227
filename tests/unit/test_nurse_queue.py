"""Nurse-queue webhook: configuration, the summary, and delivery to a real HTTP receiver.

The receiver is a small threaded http.server on 127.0.0.1, scripted per test, so retries,
timeouts and refused connections go through aiohttp's real network code.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Iterator, List, Sequence, Union

import pytest
from rasa_sdk import Tracker

from clinic.nurse_queue import MAX_TURN_CHARS, DeliveryResult, QueueConfig, build_summary, deliver
from tests.unit.conftest import utc

NOW = utc(2026, 1, 10, 16, 0)
T0 = NOW.timestamp() - 600  # the conversation started ten minutes earlier
SECRET_TEXT = "my fever is 38.6 and I have chills"
# A reply is a status, or ("sleep", seconds, status) to answer after the client gave up.
Reply = Union[int, tuple]


class Receiver:
    """Records every request and answers from a script; the last reply repeats."""

    def __init__(self) -> None:
        self.script: List[Reply] = [200]
        self.requests: List[Dict[str, Any]] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.requests.append(
                        {"path": self.path, "headers": dict(self.headers), "body": body}
                    )
                    index = min(len(receiver.requests), len(receiver.script)) - 1
                    reply = receiver.script[index]
                if isinstance(reply, tuple):
                    _, seconds, reply = reply
                    time.sleep(seconds)
                try:
                    self.send_response(reply)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    pass  # the client timed out and hung up

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True  # a sleeping handler does not block teardown
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/queue"

    def keys(self) -> List[str]:
        return [r["headers"]["Idempotency-Key"] for r in self.requests]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    thread = threading.Thread(
        target=receiver.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
    )
    thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture
def closed_url() -> Iterator[str]:
    """A port bound but not listening: connecting is refused, and nobody else can take it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/queue"
    sock.close()


def config(url: str, **overrides: Any) -> QueueConfig:
    fast: Dict[str, Any] = {"token": "s3cret", "attempts": 3, "timeout_s": 0.2, "backoff_s": 0.01}
    fast.update(overrides)
    return QueueConfig(url=url, **fast)


SUMMARY = {"reason": "infection_signs", "conversation_id": "conv-42", "text": SECRET_TEXT}


# --- delivery ---------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_delivered_first_time_with_json_bearer_and_idempotency_key(receiver):
    result = await deliver(SUMMARY, config(receiver.url))
    assert result == DeliveryResult(ok=True, attempts=1, error=None)
    [request] = receiver.requests
    assert request["path"] == "/queue"
    assert request["headers"]["Content-Type"] == "application/json"
    assert request["headers"]["Authorization"] == "Bearer s3cret"
    assert len(request["headers"]["Idempotency-Key"]) == 36  # a UUID
    assert json.loads(request["body"]) == SUMMARY


@pytest.mark.asyncio
async def test_no_authorization_header_without_a_token(receiver):
    assert (await deliver(SUMMARY, config(receiver.url, token=None))).ok
    assert "Authorization" not in receiver.requests[0]["headers"]


@pytest.mark.asyncio
@pytest.mark.parametrize("status", [500, 503, 408, 429])
async def test_retried_then_delivered_with_the_same_idempotency_key(receiver, status):
    receiver.script = [status, 200]
    result = await deliver(SUMMARY, config(receiver.url))
    assert result == DeliveryResult(ok=True, attempts=2, error=None)
    keys = receiver.keys()
    assert len(keys) == 2 and keys[0] == keys[1]


@pytest.mark.asyncio
async def test_each_delivery_has_its_own_idempotency_key(receiver):
    await deliver(SUMMARY, config(receiver.url))
    await deliver(SUMMARY, config(receiver.url))
    first, second = receiver.keys()
    assert first != second


@pytest.mark.asyncio
async def test_gives_up_after_the_configured_attempts_and_logs_no_text(receiver, caplog):
    receiver.script = [500]
    caplog.set_level(logging.WARNING, logger="clinic.nurse_queue")
    result = await deliver(SUMMARY, config(receiver.url, attempts=4))
    assert result == DeliveryResult(ok=False, attempts=4, error="HTTP 500")
    assert len(receiver.requests) == 4
    levels = [r.levelno for r in caplog.records]
    assert levels == [logging.WARNING] * 4 + [logging.ERROR]
    assert "conv-42" in caplog.text and "HTTP 500" in caplog.text
    assert SECRET_TEXT not in caplog.text and "s3cret" not in caplog.text


@pytest.mark.asyncio
async def test_backoff_doubles_between_attempts(receiver):
    receiver.script = [500]
    started = time.monotonic()
    await deliver(SUMMARY, config(receiver.url, attempts=3, backoff_s=0.1))
    assert time.monotonic() - started >= 0.1 + 0.2  # no sleep after the last attempt


@pytest.mark.asyncio
@pytest.mark.parametrize("status", [400, 401, 404, 302])
async def test_a_permanent_failure_is_not_retried(receiver, status, caplog):
    receiver.script = [status, 200]
    result = await deliver(SUMMARY, config(receiver.url))
    assert result == DeliveryResult(ok=False, attempts=1, error=f"HTTP {status}")
    assert len(receiver.requests) == 1
    assert caplog.records[-1].levelno == logging.ERROR


@pytest.mark.asyncio
async def test_a_timeout_is_retried_with_the_same_key(receiver):
    receiver.script = [("sleep", 1.0, 200), 200]
    started = time.monotonic()
    result = await deliver(SUMMARY, config(receiver.url, timeout_s=0.1))
    assert result == DeliveryResult(ok=True, attempts=2, error=None)
    assert time.monotonic() - started < 0.9  # the first attempt was cut at its timeout
    first, second = receiver.keys()
    assert first == second


@pytest.mark.asyncio
async def test_timeouts_every_time_give_up(receiver):
    receiver.script = [("sleep", 0.3, 200)]
    result = await deliver(SUMMARY, config(receiver.url, attempts=2, timeout_s=0.05))
    assert result == DeliveryResult(ok=False, attempts=2, error="timeout")


@pytest.mark.asyncio
async def test_connection_refused_is_retried_then_reported_without_raising(closed_url, caplog):
    result = await deliver(SUMMARY, config(closed_url, attempts=2))
    assert not result.ok and result.attempts == 2
    assert result.error == "ClientConnectorError"
    assert SECRET_TEXT not in caplog.text


@pytest.mark.asyncio
async def test_not_configured_sends_nothing():
    result = await deliver(SUMMARY, QueueConfig(url=None))
    assert result == DeliveryResult(ok=False, attempts=0, error="not configured")


# --- configuration ----------------------------------------------------------------------


def test_from_env_reads_all_variables():
    cfg = QueueConfig.from_env(
        {
            "HANDOFF_WEBHOOK_URL": "https://hooks.example.org/queue",
            "HANDOFF_WEBHOOK_TOKEN": "tok",
            "HANDOFF_WEBHOOK_ATTEMPTS": "5",
            "HANDOFF_WEBHOOK_TIMEOUT": "1.5",
        }
    )
    assert cfg == QueueConfig(
        url="https://hooks.example.org/queue", token="tok", attempts=5, timeout_s=1.5
    )
    assert cfg.enabled


@pytest.mark.parametrize("url", [None, "", "   "])
def test_from_env_without_a_url_is_disabled(url):
    environ = {} if url is None else {"HANDOFF_WEBHOOK_URL": url}
    cfg = QueueConfig.from_env(environ)
    assert not cfg.enabled
    assert cfg == QueueConfig(url=None, token=None, attempts=3, timeout_s=3.0, backoff_s=0.5)


def test_from_env_empty_token_is_no_token():
    cfg = QueueConfig.from_env(
        {"HANDOFF_WEBHOOK_URL": "http://q.local/", "HANDOFF_WEBHOOK_TOKEN": ""}
    )
    assert cfg.token is None


@pytest.mark.parametrize(
    "name, value",
    [
        ("HANDOFF_WEBHOOK_ATTEMPTS", "three"),
        ("HANDOFF_WEBHOOK_ATTEMPTS", "2.5"),
        ("HANDOFF_WEBHOOK_ATTEMPTS", "0"),
        ("HANDOFF_WEBHOOK_TIMEOUT", "soon"),
        ("HANDOFF_WEBHOOK_TIMEOUT", "0"),
        ("HANDOFF_WEBHOOK_TIMEOUT", "-1"),
        ("HANDOFF_WEBHOOK_TIMEOUT", "nan"),
        ("HANDOFF_WEBHOOK_TIMEOUT", "inf"),
    ],
)
def test_from_env_bad_numbers_name_the_variable(name, value):
    environ = {"HANDOFF_WEBHOOK_URL": "https://q.example.org/", name: value}
    with pytest.raises(ValueError, match=name):
        QueueConfig.from_env(environ)


@pytest.mark.parametrize(
    "url",
    ["ftp://q.example.org/", "hooks.slack.com/services/T0/B0/XYZ", "https://", "file:///etc/x"],
)
def test_from_env_rejects_a_non_http_url_without_echoing_it(url):
    with pytest.raises(ValueError, match="HANDOFF_WEBHOOK_URL") as raised:
        QueueConfig.from_env({"HANDOFF_WEBHOOK_URL": url})
    assert "XYZ" not in str(raised.value)  # a Slack webhook url is itself a secret


def test_direct_construction_is_checked_too():
    with pytest.raises(ValueError, match="attempts"):
        QueueConfig(url="https://q.example.org/", attempts=0)
    with pytest.raises(ValueError, match="url"):
        QueueConfig(url="mailto:nurse@example.org")


# --- the summary ------------------------------------------------------------------------


def user(text: str, seconds: float, entities: Sequence[Dict[str, Any]] = ()) -> Dict[str, Any]:
    return {
        "event": "user",
        "timestamp": T0 + seconds,
        "text": text,
        "input_channel": "patient_rest",
        "parse_data": {
            "text": text,
            "intent": {"name": "report_infection_sign", "confidence": 0.97},
            "entities": list(entities),
        },
    }


def bot(text: Any, seconds: float) -> Dict[str, Any]:
    return {"event": "bot", "timestamp": T0 + seconds, "text": text, "data": {}, "metadata": {}}


FEVER_ENTITIES = [
    {"entity": "infection_sign", "value": "fever", "start": 9, "end": 14},
    {"entity": "temperature", "value": "38.6 °C", "start": 18, "end": 22},
    {"entity": "infection_sign", "value": "sweats_or_chills", "start": 29, "end": 35},
    {"entity": "infection_sign", "value": "fever", "start": 40, "end": 45},
    {"entity": "infection_sign", "value": "new_unknown_sign"},
    {"entity": "duration", "value": "since Monday"},
]


def tracker_from(events: List[Dict[str, Any]]) -> Tracker:
    latest = next(e["parse_data"] for e in reversed(events) if e["event"] == "user")
    return Tracker(
        sender_id="conv-42",
        slots={},
        latest_message=latest,
        events=events,
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def conversation() -> List[Dict[str, Any]]:
    events: List[Dict[str, Any]] = [
        {"event": "action", "timestamp": T0, "name": "action_session_start"},
        {"event": "session_started", "timestamp": T0},
    ]
    for i in range(6):
        events.append(user(f"question {i}", 10 * i))
        events.append({"event": "action", "timestamp": T0 + 10 * i + 1, "name": "utter_x"})
        events.append(bot(f"answer {i}", 10 * i + 2))
    events.append(bot(None, 70))  # an image-only reply has no text
    events.append(user(SECRET_TEXT + " since Monday, fever again", 80, FEVER_ENTITIES))
    events.append(bot("Call your doctor now. " + "x" * 600, 81))
    return events


def test_summary_names_the_signs_and_lists_values():
    summary = build_summary(tracker_from(conversation()), "infection_signs", NOW)
    assert summary["reason"] == "infection_signs"
    assert summary["conversation_id"] == "conv-42"
    assert summary["channel"] == "patient_rest"
    assert summary["signs"] == ["a fever", "sweats or chills", "new_unknown_sign"]
    assert summary["temperatures"] == ["38.6 °C"]
    assert summary["durations"] == ["since Monday"]
    assert summary["sent_at"] == "2026-01-10T16:00:00+00:00"
    json.dumps(summary)  # goes over the wire as is


def test_transcript_is_the_last_ten_text_turns_in_order_with_utc_times():
    turns = build_summary(tracker_from(conversation()), "infection_signs", NOW)["transcript"]
    assert len(turns) == 10
    # 14 text turns (the image-only reply is skipped): the four oldest fell off.
    assert [t["text"] for t in turns[:-2]] == [
        f"{kind} {i}" for i in range(2, 6) for kind in ("question", "answer")
    ]
    assert [t["from"] for t in turns] == ["user", "bot"] * 5
    assert turns[-2] == {
        "from": "user",
        "text": SECRET_TEXT + " since Monday, fever again",
        "time": "2026-01-10T15:51:20+00:00",
    }
    assert all(t["time"].endswith("+00:00") for t in turns)


def test_long_turns_are_cut_with_an_ellipsis():
    last = build_summary(tracker_from(conversation()), "infection_signs", NOW)["transcript"][-1]
    assert len(last["text"]) == MAX_TURN_CHARS
    assert last["text"].startswith("Call your doctor now. xxx")
    assert last["text"].endswith("x…")


def test_unknown_channel_and_no_entities():
    events = [user("can I talk to a person", 0)]
    del events[0]["input_channel"]
    summary = build_summary(tracker_from(events), "asked_for_person", NOW)
    assert summary["channel"] == "unknown"
    assert summary["signs"] == summary["temperatures"] == summary["durations"] == []
    assert [t["text"] for t in summary["transcript"]] == ["can I talk to a person"]


def test_staff_text_for_slack_is_escaped():
    events = [user("<!channel> help & <https://evil.example|click>", 0)]
    text = build_summary(tracker_from(events), "asked_for_person", NOW)["text"]
    assert text.startswith("Nurse queue: asked_for_person - conversation conv-42")
    assert "&lt;!channel&gt; help &amp; &lt;https://evil.example|click&gt;" in text
    assert "<" not in text and ">" not in text


def test_the_summary_names_a_language_the_assistant_could_not_read():
    events = conversation()
    spanish = user("Mi hijo tiene fiebre desde ayer y no come nada", 90)
    spanish["parse_data"]["language"] = {"code": "es", "why": "cld2"}
    events += [spanish, bot("Sorry, I can only read messages in English...", 91)]
    events.append(user("I want to talk to a nurse", 100))
    summary = build_summary(tracker_from(events), "asked_for_a_person", NOW)
    assert summary["languages"] == ["es"]
    assert "language the assistant does not read: es" in summary["text"]
    assert build_summary(tracker_from(conversation()), "x", NOW)["languages"] == []
