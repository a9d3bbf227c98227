"""Conversations survive a server restart; the warning survives an action-server outage.

Runs after test_rest_contract.py (alphabetical order) and restarts the shared servers.
"""

from __future__ import annotations

from tests.e2e.servers import Servers


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
