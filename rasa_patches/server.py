"""The HTTP server's own limits: how big a request may be, and what `GET /` says.

Sanic reads a request body of up to 100 MB before any handler sees it (five 90 MB posts
took the server from 637 to 1,558 MB), and Rasa's `GET /` tells anyone the Rasa version.
With these changes a body over MAX_REQUEST_BYTES is refused with 413 as its headers
arrive, and `GET /` only says the server is up.
"""

from __future__ import annotations

from typing import Any, Callable

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

# The largest real request: a 20,000-character message of emoji, JSON-escaped
# ("\ud83d\ude37", 12 bytes each), about 240 KB. Slack and Telegram send far less.
MAX_REQUEST_BYTES = 1_000_000


def add_root_route(app: Sanic) -> None:
    """`GET /`: up, without naming the software behind it."""

    @app.get("/")
    async def hello(_: Request) -> HTTPResponse:
        return response.text("ok")


def with_request_limit(configure_app: Callable[..., Sanic]) -> Callable[..., Sanic]:
    """rasa.core.run.configure_app, with the request size limit set on the app it makes."""

    def configure(*args: Any, **kwargs: Any) -> Sanic:
        app = configure_app(*args, **kwargs)
        app.config.REQUEST_MAX_SIZE = MAX_REQUEST_BYTES
        return app

    return configure
