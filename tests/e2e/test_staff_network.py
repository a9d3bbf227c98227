"""The production nginx lets only the clinic's networks reach the staff endpoints.

A real nginx (Debian's, rendered from deploy/) in front of a loopback stand-in for Rasa that
records what reaches it; no model needed. The test client is on 127.0.0.1, so "the
internet" is any configuration whose clinic networks leave loopback out.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Iterator, List, Optional

import pytest
import requests

from deploy.render_nginx import render
from harness.recorder import Recorder
from harness.servers import free_port, stop_process
from harness.services import require, spawn

STAFF_PATHS = [
    "/webhooks/staff/handback",
    "/webhooks//staff/handback",  # nginx merges the slashes before choosing a location
    "/webhooks/./staff/handback",
    "/webhooks/%73taff/handback",  # and decodes %XX
    "/webhooks/staff",
]


@pytest.fixture(scope="module")
def rasa() -> Iterator[Recorder]:
    stand_in = Recorder().start()
    yield stand_in
    stand_in.stop()


class Front:
    """nginx rendered with `staff_networks` (None: the default) in front of `upstream`."""

    def __init__(self, upstream: str, staff_networks: Optional[List[str]]) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="imuran-nginx-staff-"))
        self.port = free_port()
        config = self.root / "nginx.conf"
        config.write_text(
            render(f"127.0.0.1:{self.port}", [upstream], [], self.root, 1000, 1000,
                   staff_networks=staff_networks)
        )  # fmt: skip
        nginx = require("nginx", "nginx")
        subprocess.run([nginx, "-t", "-q", "-c", str(config), "-p", str(self.root)], check=True)
        self.proc = spawn(
            [nginx, "-c", str(config), "-p", str(self.root), "-g", "daemon off;"], self.port
        )

    def post(self, path: str) -> requests.Response:
        return requests.post(
            f"http://127.0.0.1:{self.port}{path}",
            json={"conversation_id": "abc"},
            headers={"Authorization": "Bearer staff-token-0123456789"},
            timeout=10,
        )

    def stop(self) -> None:
        stop_process(self.proc)
        shutil.rmtree(self.root, ignore_errors=True)


def reached(rasa: Recorder, path_end: str) -> bool:
    return any(r.path.endswith(path_end) for r in rasa.requests)


def test_staff_endpoints_refused_from_outside_the_clinic_networks(rasa: Recorder) -> None:
    front = Front(rasa.url.removeprefix("http://"), staff_networks=["10.20.0.0/16"])
    try:
        rasa.clear()
        for path in STAFF_PATHS:
            assert front.post(path).status_code == 403, path
        assert not rasa.requests, "a refused staff call reached Rasa"
        # The patient channels stay open to everyone.
        assert front.post("/webhooks/rest/webhook").status_code == 200
        assert reached(rasa, "/webhooks/rest/webhook")
    finally:
        front.stop()


def test_staff_endpoints_reach_rasa_from_a_clinic_network(rasa: Recorder) -> None:
    front = Front(rasa.url.removeprefix("http://"), staff_networks=["127.0.0.0/8"])
    try:
        rasa.clear()
        reply = front.post("/webhooks/staff/handback")
        assert reply.status_code == 200
        staff_calls = [r for r in rasa.requests if r.path == "/webhooks/staff/handback"]
        assert len(staff_calls) == 1
        # The same proxy settings as the other channels (inherited by the nested location).
        assert staff_calls[0].headers.get("Authorization") == "Bearer staff-token-0123456789"
        assert "X-Forwarded-For" in staff_calls[0].headers
    finally:
        front.stop()


def test_by_default_only_this_machine_reaches_the_staff_endpoints(rasa: Recorder) -> None:
    front = Front(rasa.url.removeprefix("http://"), staff_networks=None)
    try:
        rasa.clear()
        assert front.post("/webhooks/staff/handback").status_code == 200  # from 127.0.0.1
        assert reached(rasa, "/webhooks/staff/handback")
    finally:
        front.stop()
