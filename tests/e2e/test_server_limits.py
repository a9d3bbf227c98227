"""What the Rasa server itself refuses, with no proxy in front (as `make run` serves):
bodies over the size limit before they are read, a version on `GET /`, and widget posts a
foreign page could make in its visitors' names."""

from __future__ import annotations

import json
import socket

import pytest
import requests

from harness.servers import Servers
from rasa_patches.server import MAX_REQUEST_BYTES

WIDGET_SENDER = "0123456789abcdef0123"


def test_a_body_over_the_limit_is_refused_before_it_is_read(servers: Servers) -> None:
    """Only the headers are sent: the 413 must come without waiting for the body."""
    with socket.create_connection(("127.0.0.1", servers.rasa_port), timeout=10) as sock:
        sock.sendall(
            b"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\n"
            + f"Content-Length: {MAX_REQUEST_BYTES * 90}\r\n\r\n".encode()
        )
        head = sock.recv(200).decode("latin-1")
    assert head.startswith("HTTP/1.1 413"), head
    big = {"sender": "limit-test", "message": "a" * (MAX_REQUEST_BYTES + 10)}
    assert requests.post(f"{servers.url}/webhooks/rest/webhook", json=big).status_code == 413
    ok = servers.send("limit-test", "how do I store imuran?")
    assert ok, "the server still answers"


def test_root_does_not_name_the_software(servers: Servers) -> None:
    reply = requests.get(f"{servers.url}/", timeout=10)
    assert reply.status_code == 200 and "rasa" not in reply.text.lower()


@pytest.mark.parametrize(
    "headers, status",
    [
        ({"Content-Type": "text/plain", "Origin": "https://evil.example"}, 403),
        ({"Content-Type": "text/plain"}, 415),
        ({"Content-Type": "application/json", "Origin": "https://evil.example"}, 403),
        ({"Content-Type": "application/json"}, 200),
    ],
)
def test_widget_takes_json_from_its_own_page_only(
    servers: Servers, headers: dict, status: int
) -> None:
    body = json.dumps({"sender": WIDGET_SENDER, "message": "I have a fever of 39"})
    reply = requests.post(
        f"{servers.url}/webhooks/widget/webhook", data=body, headers=headers, timeout=60
    )
    assert reply.status_code == status, reply.text


def test_widget_same_origin_page_is_served(servers: Servers) -> None:
    own = f"http://127.0.0.1:{servers.rasa_port}"
    reply = requests.post(
        f"{servers.url}/webhooks/widget/webhook",
        json={"sender": WIDGET_SENDER + "x", "message": "hello"},
        headers={"Origin": own},
        timeout=60,
    )
    assert reply.status_code == 200
