"""A real HTTP server on loopback that records what it receives and answers as scripted.

Stands in for the outside services the tests cannot reach offline: Slack's Web API,
Telegram's Bot API and the clinic's nurse-queue webhook. It is a real server, so the code
under test does real HTTP (timeouts, status codes, headers) exactly as in production.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import parse_qs

Answer = Tuple[int, Dict[str, Any]]


@dataclass
class Recorded:
    method: str
    path: str
    headers: Dict[str, str]
    body: Any


@dataclass
class Recorder:
    """Records requests; `answer(path)` decides the reply (default 200 {"ok": true})."""

    answer: Callable[[Recorded], Answer] = lambda _: (200, {"ok": True, "result": {}})
    requests: List[Recorded] = field(default_factory=list)
    _server: Optional[ThreadingHTTPServer] = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the recorder first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> "Recorder":
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length).decode("utf-8", "replace")
                kind = self.headers.get("content-type", "")
                body: Any = raw
                if "json" in kind:
                    body = json.loads(raw or "null")
                elif "form" in kind:
                    body = {k: v[0] for k, v in parse_qs(raw).items()}
                request = Recorded("POST", self.path, dict(self.headers.items()), body)
                with recorder._lock:
                    recorder.requests.append(request)
                status, payload = recorder.answer(request)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()

    def matching(self, predicate: Callable[[Recorded], bool]) -> List[Recorded]:
        with self._lock:
            return [r for r in self.requests if predicate(r)]

    def wait_for(
        self, predicate: Callable[[Recorded], bool], count: int = 1, seconds: float = 30
    ) -> List[Recorded]:
        """The matching requests once there are `count` of them (replies can be async)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = self.matching(predicate)
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(
            f"expected {count} matching request(s) within {seconds} s, got "
            f"{len(self.matching(predicate))}; all: {[r.path for r in self.requests]}"
        )
