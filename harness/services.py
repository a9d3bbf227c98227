"""Redis and nginx for tests: Debian's binaries on loopback, started and stopped by the
tests (CI starts with no servers running)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional

from deploy.render_nginx import render
from harness.servers import free_port, stop_process


def wait_for_port(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listening on 127.0.0.1:{port} after {seconds} s")


def spawn(command: List[str], port: int) -> subprocess.Popen:
    """Start a service quietly and wait until it listens on `port`."""
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_port(port)
    return proc


def require(binary: str, package: str) -> str:
    path = shutil.which(binary)
    if path is None:
        raise RuntimeError(f"{binary} is missing: `make test` installs the Debian package "
                           f"{package} (make system-packages)")  # fmt: skip
    return path


@dataclass
class Redis:
    port: int = field(default_factory=free_port)
    proc: Optional[subprocess.Popen] = None

    def start(self) -> "Redis":
        self.proc = spawn(
            [require("redis-server", "redis-server"), "--port", str(self.port),
             "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            self.port,
        )  # fmt: skip
        return self

    def stop(self) -> None:
        stop_process(self.proc)
        self.proc = None

    def env(self) -> dict:
        return {"REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(self.port)}


@dataclass
class Nginx:
    upstreams: List[str]
    origins: List[str] = field(default_factory=list)
    rate: int = 1000
    burst: int = 1000
    extra: List[str] = field(default_factory=list)
    read_timeout: int = 30
    port: int = field(default_factory=free_port)
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="imuran-nginx-")))
    proc: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Nginx":
        config = self.root / "nginx.conf"
        config.write_text(
            render(f"127.0.0.1:{self.port}", self.upstreams, self.origins, self.root,
                   self.rate, self.burst, self.extra, self.read_timeout)
        )  # fmt: skip
        nginx = require("nginx", "nginx")
        subprocess.run([nginx, "-t", "-q", "-c", str(config), "-p", str(self.root)], check=True)
        self.proc = spawn(
            [nginx, "-c", str(config), "-p", str(self.root), "-g", "daemon off;"], self.port
        )
        return self

    def stop(self) -> None:
        stop_process(self.proc)
        self.proc = None
        shutil.rmtree(self.root, ignore_errors=True)

    def access_log(self) -> str:
        log = self.root / "access.log"
        return log.read_text() if log.exists() else ""
