"""`make run` (scripts/run.sh) as a person runs it: it keeps the previous runs' logs, makes
the two servers' shared secret when none is set, and refuses a short one."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path
from typing import Dict, Iterator

import pytest
import requests

from harness.servers import MODEL, ROOT, free_port
from tests.e2e.conftest import CLOSED_CLINIC

CHANNEL_VARIABLES = re.compile(r"^(SLACK_|TELEGRAM_|STAFF_API_TOKEN|HANDOFF_WEBHOOK)")
RUN = ROOT / "scripts" / "run.sh"


def run_env(tmp_path: Path) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not CHANNEL_VARIABLES.match(k)}
    env.pop("ACTION_SERVER_TOKEN", None)
    env.update(
        RASA_PORT=str(free_port()),
        ACTIONS_PORT=str(free_port()),
        LOG_DIR=str(tmp_path / "logs"),
        TRACKER_DB=str(tmp_path / "run.db"),
        ESCALATION_LOG=str(tmp_path / "escalations.jsonl"),
        CLINIC_SETTINGS=str(CLOSED_CLINIC),
    )
    return env


def test_a_short_secret_stops_the_start_saying_why(tmp_path: Path) -> None:
    env = {**run_env(tmp_path), "ACTION_SERVER_TOKEN": "changeme"}
    run = subprocess.run(["bash", str(RUN)], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120)  # fmt: skip
    assert run.returncode == 1
    assert "the action server stopped while starting" in run.stderr
    assert "ACTION_SERVER_TOKEN is 8 characters; it must be at least 32" in run.stderr
    assert not (tmp_path / "logs" / "rasa.log").exists()  # the Rasa server never started


@pytest.fixture(scope="module")
def started(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dict[str, str]]:
    """run.sh started once, over the logs of two earlier runs (one of which crashed)."""
    if not MODEL.exists():
        pytest.fail(f"No trained model at {MODEL}: run `make train` (make test does).")
    tmp_path = tmp_path_factory.mktemp("run-sh")
    env = run_env(tmp_path)
    logs = Path(env["LOG_DIR"])
    logs.mkdir()
    (logs / "rasa.log").write_text("Traceback (most recent call last):\nCRASH-OF-LAST-RUN\n")
    (logs / "rasa.log.1").write_text("RUN-BEFORE-THAT\n")
    (logs / "actions.log").write_text("ACTIONS-OF-LAST-RUN\n")
    for n in range(1, 6):
        (logs / f"actions.log.{n}").write_text(f"ACTIONS-RUN-{n}\n")
    # Its own session, so the test can stop run.sh and both servers by this one id.
    proc = subprocess.Popen(
        ["bash", str(RUN)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 360
        output = ""
        while "Ready after" not in output:
            line = proc.stdout.readline()
            if not line or time.monotonic() > deadline:
                raise AssertionError(f"run.sh did not get ready:\n{output}")
            output += line
        env["OUTPUT"] = output
        yield env
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def test_the_previous_runs_logs_are_kept(started: Dict[str, str]) -> None:
    logs = Path(started["LOG_DIR"])
    assert "CRASH-OF-LAST-RUN" in (logs / "rasa.log.1").read_text()
    assert (logs / "rasa.log.2").read_text() == "RUN-BEFORE-THAT\n"
    assert "ACTIONS-OF-LAST-RUN" in (logs / "actions.log.1").read_text()
    # Five earlier runs are kept, newest first; the oldest made way.
    older = [(logs / f"actions.log.{n}").read_text() for n in range(2, 6)]
    assert older == [f"ACTIONS-RUN-{n}\n" for n in range(1, 5)]
    assert not (logs / "actions.log.6").exists()
    # This run's logs begin with a start line and hold this run only.
    for name in ("rasa.log", "actions.log"):
        text = (logs / name).read_text()
        assert text.startswith("=== ") and "scripts/run.sh server" in text.splitlines()[0]
        assert "LAST-RUN" not in text


def test_the_servers_share_a_secret_made_for_this_start(started: Dict[str, str]) -> None:
    rasa = f"http://127.0.0.1:{started['RASA_PORT']}"
    sender = "run-sh-fever"
    reply = requests.post(f"{rasa}/webhooks/rest/webhook",
                          json={"sender": sender, "message": "I have a fever of 39"},
                          timeout=60)  # fmt: skip
    assert reply.status_code == 200
    texts = [r.get("text", "") for r in reply.json()]
    assert any(t.startswith("I noticed: a fever") for t in texts), texts  # the action ran
    lines = Path(started["ESCALATION_LOG"]).read_text().splitlines()
    assert [json.loads(line)["conversation"] for line in lines] == [sender]
    # The action server refuses anyone else.
    actions = f"http://127.0.0.1:{started['ACTIONS_PORT']}"
    assert requests.post(f"{actions}/webhook", json={}, timeout=10).status_code == 401
