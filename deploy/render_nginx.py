"""Renders deploy/nginx/imuran.conf.in into an nginx configuration.

    python deploy/render_nginx.py --listen 0.0.0.0:8080 --rasa 10.0.0.11:5005 \
        --rasa 10.0.0.12:5005 --origin https://www.your-clinic.org --run-dir /var/run/imuran

The tests render it the same way with loopback addresses.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import List, Optional

TEMPLATE = Path(__file__).resolve().parent / "nginx" / "imuran.conf.in"


def render(
    listen: str,
    rasa: List[str],
    origins: List[str],
    run_dir: Path,
    rate: int = 5,
    burst: int = 20,
    extra: Optional[List[str]] = None,
    read_timeout: int = 30,
) -> str:
    for origin in origins:
        if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:\d+)?", origin):
            raise ValueError(f"not an origin (scheme://host[:port]): {origin!r}")
    values = {
        "LISTEN": listen,
        "UPSTREAMS": "\n".join(f"        server {server} max_fails=1 fail_timeout=5s;"
                               for server in rasa),  # fmt: skip
        "ORIGINS": "\n".join(f'        "{origin}" 1;' for origin in origins),
        "RUN_DIR": str(run_dir),
        "RATE": str(rate),
        "BURST": str(burst),
        "READ_TIMEOUT": str(read_timeout),
        "EXTRA": "\n".join(f"            {line}" for line in extra or []),
    }
    text = TEMPLATE.read_text()
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    leftover = re.findall(r"@[A-Z_]+@", text)
    if leftover:
        raise ValueError(f"unfilled markers: {leftover}")
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", required=True)
    parser.add_argument("--rasa", action="append", required=True, help="host:port, repeat")
    parser.add_argument("--origin", action="append", default=[], help="widget origin, repeat")
    parser.add_argument("--run-dir", type=Path, required=True)
    parser.add_argument("--rate", type=int, default=5, help="requests per second per client")
    parser.add_argument("--burst", type=int, default=20)
    args = parser.parse_args()
    sys.stdout.write(
        render(args.listen, args.rasa, args.origin, args.run_dir, args.rate, args.burst)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
