"""One set of real servers for the whole e2e session (the model loads once).

Every patient channel is on, with the outside services it talks to (Slack's Web API,
Telegram's Bot API, the clinic's nurse queue) faked by real HTTP servers on loopback.
The live chat is closed by default so replies do not depend on the hour the tests run;
the handoff tests restart only the action server with an always-open clinic.
"""

from __future__ import annotations

import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from harness.recorder import Recorder
from harness.servers import MODEL, ROOT, Servers

HERE = Path(__file__).resolve().parent
CLOSED_CLINIC = HERE / "clinic_closed.yml"
OPEN_CLINIC = HERE / "clinic_open.yml"


@dataclass
class Fakes:
    slack: Recorder
    telegram: Recorder
    queue: Recorder
    slack_signing_secret: str
    telegram_secret: str
    staff_token: str
    queue_token: str


@pytest.fixture(scope="session")
def fakes() -> Iterator[Fakes]:
    running = Fakes(
        slack=Recorder().start(),
        telegram=Recorder().start(),
        queue=Recorder(answer=lambda _: (202, {"queued": True})).start(),
        slack_signing_secret=secrets.token_hex(16),
        telegram_secret=secrets.token_urlsafe(24),
        staff_token=secrets.token_urlsafe(24),
        queue_token=secrets.token_urlsafe(24),
    )
    yield running
    for recorder in (running.slack, running.telegram, running.queue):
        recorder.stop()


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory, fakes: Fakes) -> Iterator[Servers]:
    if not MODEL.exists():
        pytest.fail(f"No trained model at {MODEL}: run `make train` (make test does).")
    workdir = tmp_path_factory.mktemp("servers")
    # A copy of the answers, so test_answer_edit.py can edit what the server reads.
    answers = workdir / "leaflet_answers.yml"
    shutil.copy(ROOT / "content" / "leaflet_answers.yml", answers)
    running = Servers(
        workdir=workdir,
        extra_env={
            "LEAFLET_ANSWERS_FILE": str(answers),
            "CLINIC_SETTINGS": str(CLOSED_CLINIC),
            "SLACK_TOKEN": "xoxb-test-token",
            "SLACK_SIGNING_SECRET": fakes.slack_signing_secret,
            "SLACK_API_URL": f"{fakes.slack.url}/api/",
            "TELEGRAM_TOKEN": "123456:test-token",
            "TELEGRAM_SECRET_TOKEN": fakes.telegram_secret,
            "TELEGRAM_API_URL": fakes.telegram.url,
            "HANDOFF_WEBHOOK_URL": f"{fakes.queue.url}/queue",
            "HANDOFF_WEBHOOK_TOKEN": fakes.queue_token,
            "HANDOFF_WEBHOOK_TIMEOUT": "2",
            "STAFF_API_TOKEN": fakes.staff_token,
            "WIDGET_ALLOWED_ORIGINS": "https://clinic.example",  # test_security.py's page
        },
    )
    running.start_actions()
    running.start_rasa()
    yield running
    running.stop()


@pytest.fixture()
def open_clinic(servers: Servers) -> Iterator[Servers]:
    """The live chat open (action server restarted with it), closed again afterwards."""
    servers.stop_actions()
    servers.extra_env["CLINIC_SETTINGS"] = str(OPEN_CLINIC)
    servers.start_actions()
    yield servers
    servers.stop_actions()
    servers.extra_env["CLINIC_SETTINGS"] = str(CLOSED_CLINIC)
    servers.start_actions()
