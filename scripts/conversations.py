"""Export, erase, or expire stored conversations (see persistence/conversations.py).

    python -m scripts.conversations export CONVERSATION_ID   > conversation.json
    python -m scripts.conversations erase CONVERSATION_ID
    python -m scripts.conversations retention --days 30 [--escalation-days 365]

Uses the tracker store named by --endpoints (default: $ENDPOINTS or endpoints.yml), with
the same environment variables as the server (TRACKER_DB, DB_*). Erase and retention also
remove the conversation's (or the old) escalation records from the action server's log,
found by the same rule as the action server: $ESCALATION_LOG, else
$LOG_DIR/escalations.jsonl (actions/escalation_record.py).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from actions.escalation_record import erase_records, expire_records, record_path
from persistence.conversations import (
    delete_older_than,
    engine_from_endpoints,
    erase_conversation,
    export_conversation,
)

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--endpoints", type=Path, default=Path(os.environ.get("ENDPOINTS", "endpoints.yml"))
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("export", help="print one conversation as JSON").add_argument("id")
    commands.add_parser(
        "erase", help="delete one conversation and its escalation records"
    ).add_argument("id")
    retention = commands.add_parser(
        "retention", help="delete conversations and escalation records older than N days"
    )
    retention.add_argument("--days", type=float, required=True)
    retention.add_argument(
        "--escalation-days",
        type=float,
        help="keep escalation records this many days instead (the clinic's records policy)",
    )
    args = parser.parse_args(argv)
    # The endpoints file is read whole; give the server-only settings harmless defaults.
    os.environ.setdefault("TRACKER_DB", "rasa.db")
    os.environ.setdefault("ACTION_ENDPOINT_URL", "http://127.0.0.1:5055/webhook")
    os.environ.setdefault("ACTION_SERVER_TOKEN", "not-used-by-these-commands")
    engine = engine_from_endpoints(args.endpoints)
    if args.command == "export":
        events = export_conversation(engine, args.id)
        if not events:
            print(f"No conversation with id {args.id!r}.", file=sys.stderr)
            return 1
        json.dump({"conversation_id": args.id, "events": events}, sys.stdout, indent=2)
        print()
    elif args.command == "erase":
        deleted = erase_conversation(engine, args.id)
        records = erase_records(args.id)
        print(
            f"Erased conversation {args.id!r}: {deleted} events deleted, {records} escalation "
            f"records deleted ({record_path()})."
        )
    else:
        ids = delete_older_than(engine, args.days)
        print(f"Deleted {len(ids)} conversation(s) with no activity for {args.days:g} days.")
        days = args.escalation_days or args.days
        records = expire_records(days)
        print(f"Deleted {records} escalation record(s) older than {days:g} days ({record_path()}).")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
