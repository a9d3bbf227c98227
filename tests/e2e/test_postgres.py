"""The production tracker store (PostgreSQL, as configured in deploy/endpoints.production.yml)
against a real PostgreSQL server: a crash loses no committed turn, and a database outage
is surfaced (ERROR in the log, 503 on /webhooks/rest/health) while users still get
answers."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Iterator, List, Tuple

import pytest
import requests
import yaml

from harness.postgres import Postgres
from harness.servers import MODEL, ROOT, Servers


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    database = Postgres().init()
    database.start()
    yield database
    database.destroy()


@pytest.fixture(scope="module")
def pg_servers(postgres: Postgres, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    if not MODEL.exists():
        pytest.fail(f"No trained model at {MODEL}: run `make train` (make test does).")
    workdir = tmp_path_factory.mktemp("pg-servers")
    production = yaml.safe_load((ROOT / "deploy" / "endpoints.production.yml").read_text())
    endpoints: Path = workdir / "endpoints.yml"
    # The production tracker store as it is; the lock store (Redis) is not needed for one
    # server and is tested with the scaled-out set.
    endpoints.write_text(
        yaml.safe_dump(
            {
                "action_endpoint": production["action_endpoint"],
                "tracker_store": production["tracker_store"],
            }
        )
    )
    running = Servers(workdir=workdir, endpoints=endpoints, extra_env=postgres.env())
    running.start_actions()
    running.start_rasa()
    yield running
    running.stop()


def turns(servers: Servers, sender: str) -> List[Tuple[str, str]]:
    events = servers.tracker(sender)["events"]
    return [(e["event"], e.get("text")) for e in events if e["event"] in ("user", "bot")]


def test_postgres_store_keeps_every_turn_through_sigkill(pg_servers: Servers) -> None:
    sender = "pg-sigkill"
    messages = ["hello", "how do I store imuran?", "I have a fever of 38.9"]
    for message in messages:
        assert pg_servers.send(sender, message)
    before = turns(pg_servers, sender)
    pg_servers.kill_rasa()
    pg_servers.start_rasa()
    assert turns(pg_servers, sender) == before
    assert [text for kind, text in before if kind == "user"] == messages


def test_stopped_database_is_surfaced_then_recovers(
    pg_servers: Servers, postgres: Postgres
) -> None:
    health = f"{pg_servers.url}/webhooks/rest/health"
    assert requests.get(health, timeout=30).status_code == 200
    postgres.stop()
    try:
        replies = pg_servers.send("pg-outage", "I have a fever of 39 and chills", timeout=120)
        assert "call your doctor" in replies[0]["text"].lower()  # the user still gets it
        degraded = requests.get(health, timeout=60)
        assert degraded.status_code == 503
        assert degraded.json()["tracker_store"]["database_reachable"] is False
    finally:
        postgres.start()
    log = (pg_servers.workdir / "rasa.log").read_text()
    assert "Conversations are NOT being stored" in log
    deadline = time.monotonic() + 60
    while True:  # the pool reconnects; the next stored turn clears the failure
        pg_servers.send("pg-back", "hello", timeout=60)
        if requests.get(health, timeout=30).status_code == 200:
            break
        assert time.monotonic() < deadline, "health did not recover after the restart"
        time.sleep(1)
