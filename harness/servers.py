"""Start the real action server and Rasa server on loopback, as `make run` does, for the
end-to-end tests and the benchmarks."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

import requests
import yaml

from actions.server import TOKEN_VARIABLE, load_token
from deploy.active_credentials import active_channels

ROOT = Path(__file__).resolve().parents[1]
MODEL = Path(os.environ.get("MODEL", ROOT / "models" / "imuran.tar.gz"))
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(url: str, seconds: float, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"{url}: server exited ({proc.returncode}); log:\n{log.read_text()[-3000:]}"
            )
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} not ready after {seconds} s; log:\n{log.read_text()[-3000:]}")


def stop_process(proc: Optional[subprocess.Popen]) -> None:
    """SIGTERM, and SIGKILL if it is not gone after 30 s."""
    if proc is not None and proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@dataclass
class Servers:
    """An action server and a Rasa server (REST channel, API on) sharing a SQLite store.

    The two share a new random secret per instance (`action_token`, as `make run` does);
    several Rasa servers sharing one action server are given the same one
    (harness/cluster.py)."""

    workdir: Path
    model: Path = MODEL
    rasa_port: int = field(default_factory=free_port)
    actions_port: int = field(default_factory=free_port)
    rasa: Optional[subprocess.Popen] = None
    actions: Optional[subprocess.Popen] = None
    start_seconds: List[float] = field(default_factory=list)
    # Channel secrets, fake API addresses, clinic settings... for both servers.
    extra_env: Dict[str, str] = field(default_factory=dict)
    endpoints: Path = ROOT / "endpoints.yml"
    action_token: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def env(self) -> Dict[str, str]:
        env = dict(os.environ)
        env.update(
            RASA_TELEMETRY_ENABLED="false",
            ACTION_ENDPOINT_URL=f"http://127.0.0.1:{self.actions_port}/webhook",
            TRACKER_DB=str(self.workdir / "tracker.db"),
            SANIC_HOST="127.0.0.1",
            ESCALATION_LOG=str(self.workdir / "escalations.jsonl"),
        )
        env[TOKEN_VARIABLE] = self.action_token
        env.update(self.extra_env)
        return env

    def checked_env(self) -> Dict[str, str]:
        """env(), refusing (TokenError, with what to do) a missing or short secret: the
        action server would refuse it too, and the Rasa server would send it and get 401."""
        env = self.env()
        load_token(env)
        return env

    def action_headers(self) -> Dict[str, str]:
        """What the Rasa server sends the action server with every call."""
        return {"Authorization": f"Bearer {self.action_token}"}

    def credentials(self) -> Path:
        """credentials.yml with the channels this environment configures (as make run)."""
        channels = yaml.safe_load((ROOT / "credentials.yml").read_text())
        active, _ = active_channels(channels, self.env())
        path = self.workdir / "credentials.yml"
        path.write_text(yaml.safe_dump(active))
        return path

    def start_actions(self) -> None:
        log = self.workdir / "actions.log"
        self.actions = subprocess.Popen(
            [str(BIN / "python"), "-m", "actions", "--port", str(self.actions_port)],
            cwd=ROOT, env=self.checked_env(), stdout=log.open("ab"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_until(f"http://127.0.0.1:{self.actions_port}/health", 60, self.actions, log)

    def start_rasa(self) -> None:
        log = self.workdir / "rasa.log"
        started = time.monotonic()
        self.rasa = subprocess.Popen(
            [str(BIN / "python"), "-m", "rasa_patches", "run",
             "--model", str(self.model), "--enable-api",
             "--endpoints", str(self.endpoints), "--credentials", str(self.credentials()),
             "--interface", "127.0.0.1", "--port", str(self.rasa_port)],
            cwd=ROOT, env=self.checked_env(), stdout=log.open("ab"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_until(f"{self.url}/webhooks/rest/", 300, self.rasa, log)
        self.start_seconds.append(time.monotonic() - started)

    def kill_rasa(self) -> None:
        """SIGKILL: no shutdown hooks, no flush; what a crash or the OOM killer does."""
        if self.rasa is not None:
            self.rasa.send_signal(signal.SIGKILL)
            self.rasa.wait()
            self.rasa = None

    def stop_rasa(self) -> None:
        stop_process(self.rasa)
        self.rasa = None

    def stop_actions(self) -> None:
        stop_process(self.actions)
        self.actions = None

    def stop(self) -> None:
        self.stop_rasa()
        self.stop_actions()

    # -- client helpers ----------------------------------------------------------------
    def send(self, sender: str, message: Any, timeout: float = 60) -> List[Dict[str, Any]]:
        reply = requests.post(
            f"{self.url}/webhooks/rest/webhook",
            json={"sender": sender, "message": message},
            timeout=timeout,
        )
        reply.raise_for_status()
        return list(reply.json())

    def tracker(self, sender: str) -> Dict[str, Any]:
        reply = requests.get(f"{self.url}/conversations/{sender}/tracker", timeout=30)
        reply.raise_for_status()
        return dict(reply.json())

    def last_turn(self, sender: str) -> List[Dict[str, Any]]:
        """Events after the last user message."""
        events = self.tracker(sender)["events"]
        last_user = max(i for i, e in enumerate(events) if e["event"] == "user")
        return events[last_user:]
