"""Conversations survive a restart and a crash (SIGKILL); a database outage is surfaced;
the warning survives an action-server outage.

Runs after test_rest_contract.py (alphabetical order) and restarts the shared servers.
"""

from __future__ import annotations

import sqlite3
import time

import requests

from harness.servers import Servers


def stored_turns(servers: Servers, sender: str) -> list:
    events = servers.tracker(sender)["events"]
    return [(e["event"], e.get("text")) for e in events if e["event"] in ("user", "bot")]


def test_every_committed_turn_survives_sigkill(servers: Servers):
    sender = "e2e-sigkill"
    messages = ["hello", "how do I store imuran?", "I forgot a dose", "what about vaccines?"]
    for message in messages:
        assert servers.send(sender, message)  # a reply means the turn was committed
    before = stored_turns(servers, sender)
    servers.kill_rasa()
    servers.start_rasa()
    after = stored_turns(servers, sender)
    assert after == before
    assert [text for kind, text in after if kind == "user"] == messages


def test_health_reports_the_store(servers: Servers):
    reply = requests.get(f"{servers.url}/webhooks/rest/health", timeout=30)
    assert reply.status_code == 200
    assert reply.json()["tracker_store"]["database_reachable"] is True


def test_database_outage_is_surfaced_not_silent(servers: Servers):
    """Another process holds the database's write lock longer than the store waits."""
    blocker = sqlite3.connect(servers.workdir / "tracker.db", timeout=30)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        replies = servers.send("e2e-db-down", "how do I store imuran?", timeout=120)
        assert replies  # Rasa's fail-safe still answers the user...
        health = requests.get(f"{servers.url}/webhooks/rest/health", timeout=60)
        assert health.status_code == 503  # ...but the outage is visible to monitors
        assert health.json()["status"] == "degraded"
        assert health.json()["tracker_store"]["failures"] >= 1
    finally:
        blocker.rollback()
        blocker.close()
    log = (servers.workdir / "rasa.log").read_text()
    assert "ERROR" in log and "Conversations are NOT being stored" in log
    # Back to healthy once the database works again.
    servers.send("e2e-db-back", "hello")
    deadline = time.monotonic() + 30
    while requests.get(f"{servers.url}/webhooks/rest/health", timeout=30).status_code != 200:
        assert time.monotonic() < deadline, "health did not recover"
        time.sleep(0.5)


def test_conversation_survives_a_restart(servers: Servers):
    sender = "e2e-restart"
    servers.send(sender, "how do I store imuran?")
    before = [e for e in servers.tracker(sender)["events"] if e["event"] in ("user", "bot")]
    servers.stop_rasa()
    servers.start_rasa()
    after = [e for e in servers.tracker(sender)["events"] if e["event"] in ("user", "bot")]
    assert [e.get("text") for e in after] == [e.get("text") for e in before]
    assert len(before) >= 2


def test_infection_warning_reaches_the_user_when_the_action_server_is_down(servers: Servers):
    servers.stop_actions()
    try:
        replies = servers.send("e2e-outage", "i've had chills and a temperature of 39 all night")
        assert replies, "no reply at all"
        assert "call your doctor right away" in replies[0]["text"].lower()
    finally:
        servers.start_actions()
