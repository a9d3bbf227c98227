"""Renders deploy/nginx/imuran.conf.in into an nginx configuration.

    python deploy/render_nginx.py --listen 0.0.0.0:8080 --rasa 10.0.0.11:5005 \
        --rasa 10.0.0.12:5005 --origin https://www.your-clinic.org \
        --staff-network 10.20.0.0/16 --run-dir /var/run/imuran

The tests render it the same way with loopback addresses. /webhooks/staff/ answers only
the --staff-network addresses (CIDRs, repeatable; loopback only when none is given).
"""

from __future__ import annotations

import argparse
import ipaddress
import re
import sys
from pathlib import Path
from typing import List, Optional, Sequence

TEMPLATE = Path(__file__).resolve().parent / "nginx" / "imuran.conf.in"
# The staff endpoints are for the clinic's network; with none named, only this machine.
DEFAULT_STAFF_NETWORKS = ("127.0.0.1/32", "::1/128")


def staff_allow_lines(networks: Sequence[str]) -> str:
    """`allow <CIDR>;` lines; a value that is not a network, or is every address, is refused.

    Parsed and written back by ipaddress, so nothing but a network reaches the config."""
    lines = []
    for value in networks:
        try:
            network = ipaddress.ip_network(value.strip(), strict=True)
        except ValueError as problem:
            raise ValueError(
                f"not a staff network (a CIDR such as 10.20.0.0/16, host bits zero): {value!r}"
                f" ({problem})"
            ) from problem
        if network.prefixlen == 0:
            raise ValueError(
                f"{value} is every address; the staff endpoints are for the clinic's networks"
            )
        lines.append(f"                allow {network};")
    return "\n".join(lines)


def render(
    listen: str,
    rasa: List[str],
    origins: List[str],
    run_dir: Path,
    rate: int = 5,
    burst: int = 20,
    extra: Optional[List[str]] = None,
    read_timeout: int = 30,
    staff_networks: Optional[Sequence[str]] = None,
) -> str:
    """The nginx configuration; `staff_networks` None means DEFAULT_STAFF_NETWORKS, an empty
    list means no address at all reaches the staff endpoints through nginx."""
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
        "STAFF_ALLOW": staff_allow_lines(
            DEFAULT_STAFF_NETWORKS if staff_networks is None else staff_networks
        ),
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
    parser.add_argument(
        "--staff-network",
        action="append",
        default=None,
        help="CIDR allowed to reach /webhooks/staff/, repeat (default: loopback only)",
    )
    args = parser.parse_args()
    sys.stdout.write(
        render(
            args.listen,
            args.rasa,
            args.origin,
            args.run_dir,
            args.rate,
            args.burst,
            staff_networks=args.staff_network,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
