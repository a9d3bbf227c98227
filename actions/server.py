"""The action server: rasa-sdk's, with every call but /health requiring a shared secret.

    ACTION_SERVER_TOKEN=<32+ characters> python -m actions --port 5055

(`python -m actions` runs main() here, through actions/__main__.py.)

rasa-sdk 3.6 accepts calls from anyone who can reach it, and a custom action call is
enough to write a clinical record (action_escalate_infection) or page the nurse queue. So
this entry point builds rasa-sdk's own app (`rasa_sdk.endpoint.create_app`, the same
routes and action executor as `python -m rasa_sdk`) and adds one request middleware:
without `Authorization: Bearer $ACTION_SERVER_TOKEN` a call gets 401 before any action
runs. The Rasa server sends the header from endpoints.yml (`action_endpoint.headers`).
/health stays open for probes; it runs no action and says only "ok".

It takes the same options as `python -m rasa_sdk` (`--port`, `--actions`, `--cors`, TLS,
logging); `--actions` defaults to this package. It refuses to start, with a message
saying what to do, when the secret is missing or shorter than MIN_TOKEN_CHARS.
"""

from __future__ import annotations

import argparse
import hmac
import logging
import os
import sys
from typing import Any, List, Mapping, Optional

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

TOKEN_VARIABLE = "ACTION_SERVER_TOKEN"
# 32 characters of `secrets.token_urlsafe` carry 192 bits; anything shorter is likely a
# placeholder ("changeme", "test") that someone on the network could guess.
MIN_TOKEN_CHARS = 32
OPEN_PATHS = frozenset({"/health"})  # probes; answers {"status": "ok"} and runs nothing

logger = logging.getLogger(__name__)


class TokenError(ValueError):
    """The shared secret is missing or too short; the message says what to do."""


def load_token(environ: Mapping[str, str]) -> str:
    """The shared secret from the environment, or TokenError with a message for a person."""
    token = environ.get(TOKEN_VARIABLE)
    how = (
        f"Set {TOKEN_VARIABLE} to the same random secret for the Rasa server and the "
        f"action server, e.g. {TOKEN_VARIABLE}=$(python -c 'import secrets; "
        f"print(secrets.token_urlsafe(32))'); `make run` makes one per start when it is "
        f"not set."
    )
    if token is None:
        raise TokenError(f"{TOKEN_VARIABLE} is not set: the action server needs it. {how}")
    if token != token.strip():
        # A stray newline from `$(cat file)` or a Secret would never match the header.
        raise TokenError(f"{TOKEN_VARIABLE} starts or ends with whitespace. {how}")
    if len(token) < MIN_TOKEN_CHARS:
        raise TokenError(
            f"{TOKEN_VARIABLE} is {'empty' if not token else f'{len(token)} characters'}; "
            f"it must be at least {MIN_TOKEN_CHARS}. {how}"
        )
    return token


def authorised(header: Optional[str], token: str) -> bool:
    """Whether an Authorization header carries the secret, compared in constant time."""
    # hmac.compare_digest takes as long whatever the first differing character, so the
    # response time does not tell a caller how much of a guess was right.
    return hmac.compare_digest((header or "").encode(), f"Bearer {token}".encode())


def require_token(app: Sanic, token: str) -> None:
    """Refuses (401) every request but OPEN_PATHS without the shared secret."""

    @app.middleware("request")
    async def check_token(request: Request) -> Optional[HTTPResponse]:
        if request.path in OPEN_PATHS and request.method in ("GET", "HEAD"):
            return None
        if authorised(request.headers.get("authorization"), token):
            return None
        # Neither the body nor the header is logged: the body holds patient text.
        logger.warning(
            "Action server: refused a %s %s without the shared secret (from %s).",
            request.method,
            request.path,
            request.remote_addr or request.ip,
        )
        return response.json(
            {"error": f"a valid `Authorization: Bearer ${TOKEN_VARIABLE}` header is required"},
            status=401,
        )


def create_app(
    token: str, actions: str = "actions", cors: Any = None, auto_reload: bool = False
) -> Sanic:
    """rasa-sdk's app for `actions`, behind the shared secret."""
    from rasa_sdk.endpoint import create_app as create_sdk_app

    app = create_sdk_app(actions, cors_origins=cors, auto_reload=auto_reload)
    require_token(app, token)
    return app


def argument_parser() -> argparse.ArgumentParser:
    from rasa_sdk.endpoint import create_argument_parser

    parser = create_argument_parser()
    parser.description = "rasa-sdk action server that requires $ACTION_SERVER_TOKEN"
    parser.set_defaults(actions="actions")
    return parser


def main(argv: Optional[List[str]] = None, environ: Optional[Mapping[str, str]] = None) -> int:
    args = argument_parser().parse_args(argv)
    try:
        token = load_token(os.environ if environ is None else environ)
    except TokenError as problem:
        print(f"ERROR: {problem}", file=sys.stderr)
        return 2

    # What `python -m rasa_sdk` does (rasa_sdk/__main__.py and endpoint.run), with the
    # middleware added before plugins and the server start.
    from rasa_sdk import utils
    from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
    from rasa_sdk.endpoint import create_ssl_context
    from rasa_sdk.plugin import plugin_manager

    logging.getLogger("matplotlib").setLevel(logging.WARN)
    utils.configure_colored_logging(args.loglevel)
    utils.configure_file_logging(
        logging.getLogger(APPLICATION_ROOT_LOGGER_NAME),
        args.log_file,
        args.loglevel,
        args.logging_config_file,
    )
    utils.update_sanic_log_level()

    app = create_app(token, args.actions, args.cors, args.auto_reload)
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    ssl_context = create_ssl_context(args.ssl_certificate, args.ssl_keyfile, args.ssl_password)
    # rasa-sdk's default; scripts/run.sh and the tests set 127.0.0.1, a pod needs its own IP.
    host = os.environ.get("SANIC_HOST", "0.0.0.0")
    logger.info(
        "Action server on %s://%s:%s; calls need the shared secret.",
        "https" if ssl_context else "http",
        host,
        args.port,
    )
    app.run(host, args.port, ssl=ssl_context, workers=utils.number_of_sanic_workers())
    return 0
