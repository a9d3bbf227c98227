"""The production front door, tested for real: nginx (rendered from deploy/) in front of
the Rasa server, and how the servers listen."""

from __future__ import annotations

import socket
import threading
import time
from typing import Iterator

import pytest
import requests

from harness.servers import ROOT, Servers
from harness.services import Nginx

ALLOWED = "https://clinic.example"


@pytest.fixture(scope="module")
def proxy(servers: Servers) -> Iterator[Nginx]:
    front = Nginx([f"127.0.0.1:{servers.rasa_port}"], origins=[ALLOWED]).start()
    yield front
    front.stop()


def post(url: str, body: object, **headers: str) -> requests.Response:
    return requests.post(f"{url}/webhooks/rest/webhook", json=body, headers=headers, timeout=60)


def test_answers_through_the_proxy(proxy: Nginx) -> None:
    reply = post(proxy.url, {"sender": "sec-ok", "message": "how do I store imuran?"})
    assert reply.status_code == 200 and reply.json()


def test_body_size_limit_413(proxy: Nginx) -> None:
    reply = post(proxy.url, {"sender": "sec-big", "message": "a" * 100_000})
    assert reply.status_code == 413


def test_versions_are_hidden(proxy: Nginx) -> None:
    for reply in (requests.get(f"{proxy.url}/webhooks/rest/"),
                  requests.get(f"{proxy.url}/nope")):  # fmt: skip
        assert reply.headers.get("Server") == "nginx"  # no version, no Sanic
        assert "nginx/" not in reply.text


@pytest.mark.parametrize("path", ["/conversations/sec-ok/tracker", "/version", "/model",
                                  "/status", "/webhooks/../conversations/x/tracker"])  # fmt: skip
def test_rasa_http_api_is_not_reachable(proxy: Nginx, path: str) -> None:
    assert requests.get(f"{proxy.url}{path}").status_code in (400, 404)


def test_widget_origin_allow_list(proxy: Nginx) -> None:
    body = {"sender": "0123456789abcdef0123", "message": "hello"}
    url = f"{proxy.url}/webhooks/widget/webhook"
    assert (
        requests.post(url, json=body, headers={"Origin": "https://evil.example"}).status_code == 403
    )
    assert requests.post(url, json=body, headers={"Origin": ALLOWED}).status_code == 200


def test_no_shared_default_conversation(proxy: Nginx, servers: Servers) -> None:
    reply = post(proxy.url, {"message": "I have a fever of 39"})  # no sender
    assert reply.status_code == 400
    events = servers.tracker("default")["events"]
    assert not [e for e in events if e["event"] == "user"]


def test_per_client_rate_limit_429(servers: Servers) -> None:
    strict = Nginx([f"127.0.0.1:{servers.rasa_port}"], rate=2, burst=3).start()
    try:
        codes = [requests.get(f"{strict.url}/webhooks/rest/").status_code for _ in range(15)]
    finally:
        strict.stop()
    assert codes[0] == 200 and 429 in codes


def test_upstream_timeout_504() -> None:
    """A server that accepts the connection and never answers gets cut off."""
    hang = socket.socket()
    hang.bind(("127.0.0.1", 0))
    hang.listen(8)
    port = hang.getsockname()[1]
    accepted = []
    threading.Thread(target=lambda: accepted.append(hang.accept()), daemon=True).start()
    slow = Nginx([f"127.0.0.1:{port}"], read_timeout=2).start()
    try:
        started = time.monotonic()
        reply = requests.get(f"{slow.url}/webhooks/rest/", timeout=30)
        assert reply.status_code == 504 and time.monotonic() - started < 10
    finally:
        slow.stop()
        hang.close()


def listening_addresses(port: int) -> set:
    """Local addresses with a socket listening on `port` (from /proc/net/tcp{,6})."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as lines:
            rows = lines.read().splitlines()[1:]
        for line in rows:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.split(":")
            if state == "0A" and int(port_hex, 16) == port:  # 0A = LISTEN
                found.add(address)
    return found


def test_action_server_listens_on_loopback_only(servers: Servers) -> None:
    assert listening_addresses(servers.actions_port) == {"0100007F"}  # 127.0.0.1 only


def test_production_start_never_exposes_the_rasa_api_without_a_token() -> None:
    run = (ROOT / "scripts" / "run.sh").read_text()
    for line in run.splitlines():
        if "rasa_patches run" in line or "rasa run" in line:
            assert "--enable-api" not in line or "--auth-token" in line or "--jwt" in line
