"""The scaled-out set on loopback: nginx, two Rasa servers, PostgreSQL, Redis, one action
server; used by tests/e2e/test_scale_out.py and scripts/load_benchmark.py --scaled-out."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Optional, Tuple

import requests
import yaml

from harness.postgres import Postgres
from harness.servers import ROOT, Servers
from harness.services import Nginx, Redis


class Cluster:
    def __init__(self, workdir: Path, rasa_servers: int = 2) -> None:
        self.rasa_servers = rasa_servers
        self.postgres = Postgres().init()
        self.redis = Redis()
        production = yaml.safe_load((ROOT / "deploy" / "endpoints.production.yml").read_text())
        self.endpoints = workdir / "endpoints.yml"
        self.endpoints.write_text(yaml.safe_dump(production))  # exactly the production file
        self.servers: List[Servers] = []
        self.workdir = workdir
        self.nginx: Optional[Nginx] = None

    def start(self) -> None:
        self.postgres.start()
        self.redis.start()
        env = {**self.postgres.env(), **self.redis.env()}
        first = Servers(workdir=self.workdir / "rasa0", endpoints=self.endpoints, extra_env=env)
        first.workdir.mkdir()
        first.start_actions()  # the one action server, shared
        self.servers = [first]
        for n in range(1, self.rasa_servers):
            other = Servers(
                workdir=self.workdir / f"rasa{n}",
                endpoints=self.endpoints,
                extra_env=env,
                actions_port=first.actions_port,
                action_token=first.action_token,  # the one action server's secret
            )
            other.workdir.mkdir()
            self.servers.append(other)
        for server in self.servers:
            server.start_rasa()
        self.nginx = Nginx(
            [f"127.0.0.1:{s.rasa_port}" for s in self.servers],
            extra=["add_header X-Upstream $upstream_addr always;"],  # tests only
        ).start()

    def stop(self) -> None:
        if self.nginx:
            self.nginx.stop()
        for server in self.servers:
            server.stop_rasa()
        if self.servers:
            self.servers[0].stop_actions()
        self.redis.stop()
        self.postgres.destroy()

    def send(self, sender: str, text: str) -> Tuple[List[Dict], str]:
        assert self.nginx is not None
        reply = requests.post(
            f"{self.nginx.url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            timeout=60,
        )
        reply.raise_for_status()
        return reply.json(), reply.headers.get("X-Upstream", "")

    def user_texts(self, sender: str) -> List[str]:
        events = self.servers[0].tracker(sender)["events"]
        return [e["text"] for e in events if e["event"] == "user"]
