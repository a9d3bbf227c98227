"""The action server refuses calls without the shared secret, and the real Rasa server's
turns still run actions (it sends the secret from endpoints.yml).

A hand-made `action_escalate_infection` call is exactly what the review found writing a
clinical record; here it gets 401 and writes nothing.
"""

from __future__ import annotations

import json
import subprocess
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
import requests

from actions.server import TOKEN_VARIABLE, TokenError
from harness.servers import BIN, ROOT, Servers
from tests.e2e.conftest import CLOSED_CLINIC


@pytest.fixture(scope="module")
def actions_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """The action server alone, started as the e2e tests and `make run` start it."""
    running = Servers(
        workdir=tmp_path_factory.mktemp("actions-auth"),
        extra_env={"CLINIC_SETTINGS": str(CLOSED_CLINIC), "HANDOFF_WEBHOOK_URL": ""},
    )
    running.start_actions()
    yield running
    running.stop_actions()


def escalation_call(sender: str) -> Dict[str, Any]:
    """What Rasa posts to run action_escalate_infection for a reported fever."""
    latest = {
        "text": "I have a fever of 39",
        "intent": {"name": "report_infection_sign", "confidence": 1.0},
        "entities": [{"entity": "infection_sign", "value": "fever", "start": 9, "end": 14}],
    }
    return {
        "next_action": "action_escalate_infection",
        "sender_id": sender,
        "version": "3.6.21",
        "domain": {},
        "tracker": {
            "sender_id": sender,
            "slots": {},
            "latest_message": latest,
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
    }


def records(servers: Servers) -> List[Dict[str, Any]]:
    path = servers.workdir / "escalations.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def webhook(servers: Servers, body: Any, **headers: str) -> requests.Response:
    return requests.post(
        f"http://127.0.0.1:{servers.actions_port}/webhook", json=body, headers=headers, timeout=30
    )


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-secret-wrong-secret-wrong-secret"},
        {"Authorization": ""},
        {"X-Token": "anything"},
    ],
    ids=["none", "wrong", "empty", "other-header"],
)
def test_a_call_without_the_secret_is_401_and_writes_no_record(
    actions_only: Servers, headers: Dict[str, str]
) -> None:
    sender = f"auth-{uuid.uuid4().hex[:8]}"
    reply = webhook(actions_only, escalation_call(sender), **headers)
    assert reply.status_code == 401
    assert "Authorization" in reply.json()["error"]
    assert not [r for r in records(actions_only) if r["conversation"] == sender]


def test_the_secret_of_another_server_is_refused(actions_only: Servers) -> None:
    other = Servers(workdir=actions_only.workdir)  # a new random secret
    reply = webhook(actions_only, escalation_call("auth-other"), **other.action_headers())
    assert reply.status_code == 401


def test_a_call_with_the_secret_runs_the_action_and_writes_the_record(
    actions_only: Servers,
) -> None:
    sender = f"auth-{uuid.uuid4().hex[:8]}"
    reply = webhook(actions_only, escalation_call(sender), **actions_only.action_headers())
    assert reply.status_code == 200
    assert reply.json()["responses"]  # the after-hours guidance
    mine = [r for r in records(actions_only) if r["conversation"] == sender]
    assert len(mine) == 1 and mine[0]["signs"] == ["fever"]


def test_the_action_list_needs_the_secret_and_health_does_not(actions_only: Servers) -> None:
    base = f"http://127.0.0.1:{actions_only.actions_port}"
    assert requests.get(f"{base}/actions", timeout=10).status_code == 401
    listed = requests.get(f"{base}/actions", headers=actions_only.action_headers(), timeout=10)
    assert {"name": "action_escalate_infection"} in listed.json()
    health = requests.get(f"{base}/health", timeout=10)
    assert health.status_code == 200 and health.json() == {"status": "ok"}


def test_the_refusals_are_logged_without_the_body(actions_only: Servers) -> None:
    log = (actions_only.workdir / "actions.log").read_text()
    assert "refused a POST /webhook without the shared secret" in log
    assert "fever of 39" not in log


@pytest.mark.parametrize("value", ["", "short-secret"])
def test_a_short_secret_refuses_to_start(tmp_path: Path, value: str) -> None:
    # The harness refuses before starting either server...
    servers = Servers(workdir=tmp_path, extra_env={TOKEN_VARIABLE: value})
    with pytest.raises(TokenError, match=TOKEN_VARIABLE):
        servers.start_actions()
    with pytest.raises(TokenError, match=TOKEN_VARIABLE):
        servers.start_rasa()
    assert servers.actions is None and servers.rasa is None
    # ...and so does the action server itself, with the same message.
    run = subprocess.run(
        [str(BIN / "python"), "-m", "actions", "--port", "1"],
        cwd=ROOT, env=servers.env(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 2
    assert f"ERROR: {TOKEN_VARIABLE}" in run.stderr and "at least 32" in run.stderr


def test_the_rasa_servers_turns_still_run_actions(servers: Servers) -> None:
    """The real Rasa server (endpoints.yml) sends the secret: the escalation runs."""
    sender = f"auth-rasa-{uuid.uuid4().hex[:8]}"
    replies = servers.send(sender, "I have a fever of 39")
    names = [e.get("name") for e in servers.last_turn(sender) if e["event"] == "action"]
    assert "action_escalate_infection" in names
    # Rasa logs the action as run even when the call fails; the record and the action's
    # own reply show it really ran.
    assert len(replies) >= 2 and replies[1]["text"].startswith("I noticed: a fever")
    assert [r for r in records(servers) if r["conversation"] == sender]
    assert "refused" not in (servers.workdir / "actions.log").read_text()
