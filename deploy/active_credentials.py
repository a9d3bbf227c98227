"""Writes the credentials for the channels that can run with the environment as it is.

    python -m deploy.active_credentials credentials.yml OUT.yml

Rasa refuses to start when a `${VAR}` in credentials.yml is not set, so a clinic without
Slack could not start at all. This keeps each channel whose required variables are all
set, drops the others (saying so, and what to set), and drops optional settings whose
variable is unset so the channel's default applies. Values are written as `${VAR}`
references, never as the secrets themselves: Rasa still reads them from the environment.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any, Dict, List, Mapping, Tuple

import yaml

VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
# Settings with a sensible default in the channel: unset means "use the default".
OPTIONAL = {"SLACK_API_URL", "TELEGRAM_API_URL"}


def variables(value: Any) -> List[str]:
    return VARIABLE.findall(value) if isinstance(value, str) else []


def active_channels(
    channels: Mapping[str, Any], environ: Mapping[str, str]
) -> Tuple[Dict[str, Any], Dict[str, List[str]]]:
    """(channels to run, {channel: missing variables}) for this environment."""
    active: Dict[str, Any] = {}
    missing: Dict[str, List[str]] = {}
    for channel, settings in channels.items():
        kept: Dict[str, Any] = {}
        lacking: List[str] = []
        for key, value in (settings or {}).items():
            unset = [name for name in variables(value) if not environ.get(name)]
            if unset and all(name in OPTIONAL for name in unset):
                continue
            lacking += unset
            kept[key] = value
        if lacking:
            missing[channel] = lacking
        else:
            active[channel] = kept
    return active, missing


def main(argv: List[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    source, target = Path(argv[1]), Path(argv[2])
    channels = yaml.safe_load(source.read_text()) or {}
    active, missing = active_channels(channels, os.environ)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(yaml.safe_dump(active, sort_keys=False))
    for channel in active:
        print(f"    on : {channel.rsplit('.', 1)[-1]}")
    for channel, names in missing.items():
        print(f"    off: {channel.rsplit('.', 1)[-1]} (set {', '.join(names)} to turn it on)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
