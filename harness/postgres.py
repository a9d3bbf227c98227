"""A real PostgreSQL server for tests: Debian's binaries, a throwaway cluster on loopback.

Started and stopped by the tests themselves (CI starts with no servers). As root, the
server runs as the `postgres` system user, since PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional

from harness.servers import free_port


def postgres_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError(
            "PostgreSQL server binaries are missing: `make test` installs the Debian package "
            "`postgresql` (make system-packages)."
        )
    return found[-1]


@dataclass
class Postgres:
    port: int = field(default_factory=free_port)
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="imuran-pg-")))
    user: str = "rasa"
    database: str = "rasa"

    @property
    def data(self) -> Path:
        return self.root / "data"

    def _as_owner(self, command: List[str]) -> List[str]:
        return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command

    def _run(self, command: List[str]) -> None:
        subprocess.run(self._as_owner(command), check=True, capture_output=True, timeout=120)

    def init(self) -> "Postgres":
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self._run([postgres_bin("initdb"), "-D", str(self.data), "-U", self.user,
                   "-A", "trust", "--no-sync"])  # fmt: skip
        return self

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=on"
        self._run([postgres_bin("pg_ctl"), "-D", str(self.data), "-o", options,
                   "-l", str(self.root / "postgres.log"), "-w", "start"])  # fmt: skip
        if not self.database_exists():
            self._run([postgres_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port),
                       "-U", self.user, self.database])  # fmt: skip

    def database_exists(self) -> bool:
        result = subprocess.run(
            self._as_owner([postgres_bin("psql"), "-h", "127.0.0.1", "-p", str(self.port),
                            "-U", self.user, "-d", "postgres", "-tAc",
                            f"SELECT 1 FROM pg_database WHERE datname='{self.database}'"]),
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        return result.stdout.strip() == "1"

    def stop(self, mode: str = "fast") -> None:
        self._run([postgres_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"])

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def env(self, password: Optional[str] = "unused-with-trust") -> dict:
        return {
            "DB_HOST": "127.0.0.1",
            "DB_PORT": str(self.port),
            "DB_NAME": self.database,
            "DB_USER": self.user,
            "DB_PASSWORD": password or "",
        }
