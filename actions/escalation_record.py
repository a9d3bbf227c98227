"""Durable record of every infection escalation, for clinical review.

One JSON object per line, appended and fsync'ed before the action replies, so a record is
on disk even if the server dies a moment later. A record holds structured fields only:
the time, the conversation id, the rule and the intents, the signs as the lexicon's
category ids, temperatures in °C and durations in days. No span of the message is copied,
not even a matched phrase: a lexicon pattern can match words around a sign ("white ...
patches in my mouth"), and patient text belongs in the tracker store only, where `make
erase` and retention reach it. Every value is checked against what the detector can
produce, so a forged action call cannot put words in a record either.

The file is shared by the action server (appends) and the privacy commands (erase one
conversation's records, expire old ones: scripts/conversations.py), which rewrite it. Both
hold an exclusive lock on a separate lock file (`<log>.lock`) while they work, and an
append opens the log only once it holds the lock. So an append either lands before a
rewrite reads the file (and is copied) or after the rewrite has replaced it (and goes into
the new file): none is lost. The lock is not taken on the log itself because the rewrite
replaces that file: an append waiting on the old file's lock would then write to a file
no longer in place.

Path: $ESCALATION_LOG, else $LOG_DIR/escalations.jsonl (LOG_DIR defaults to logs), the
same rule for the action server and the privacy commands.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import math
import os
import re
import tempfile
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO, Callable, Dict, FrozenSet, Iterable, Iterator, List, Optional

import yaml

from clinic.content import CONTENT_DIR

logger = logging.getLogger(__name__)

FILE_NAME = "escalations.jsonl"
DEFAULT_LOG_DIR = "logs"
LEXICON = CONTENT_DIR / "safety_lexicon.yml"
UNLISTED = "unlisted"  # a value the detector cannot have produced (a forged call)
# A temperature as the detector writes it ("38.6 °C"), in a range a body can have.
TEMPERATURE = re.compile(r"(\d{2}(?:\.\d)?) °C")
LOWEST_C, HIGHEST_C = 30.0, 45.0
# Durations are kept in half days up to a year: all a reviewer needs, and too coarse to
# carry a number the patient typed (a phone number "for 5551234567 days").
LONGEST_DAYS = 365.0
# Intents and rules are names the project gives, never text.
NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
RULE = re.compile(r"[a-z][a-z :]{0,79}")
# Fields in which older records carried message text; a rewrite drops them.
TEXT_FIELDS = ("phrases", "durations")


def record_path() -> Path:
    """$ESCALATION_LOG, else $LOG_DIR/escalations.jsonl: one file per instance's logs."""
    configured = os.environ.get("ESCALATION_LOG")
    if configured:
        return Path(configured)
    return Path(os.environ.get("LOG_DIR") or DEFAULT_LOG_DIR) / FILE_NAME


@lru_cache(maxsize=1)
def sign_ids() -> FrozenSet[str]:
    """The lexicon's infection-sign categories: the only sign ids a record holds."""
    data = yaml.safe_load(LEXICON.read_text(encoding="utf-8"))
    return frozenset(str(category) for category in data["infection_signs"])


def escalation_record(
    latest_message: Dict[str, Any], sender_id: str, now: datetime
) -> Dict[str, Any]:
    """What to keep about one escalation, from the parse data of the triggering message."""
    entities: List[Dict[str, Any]] = [
        e for e in latest_message.get("entities") or [] if isinstance(e, dict)
    ]
    safety: Dict[str, Any] = latest_message.get("safety") or {}

    def of(kind: str) -> List[Dict[str, Any]]:
        return [e for e in entities if e.get("entity") == kind]

    return {
        "time": now.isoformat(),
        "conversation": sender_id,
        "rule": _name(safety.get("rule"), RULE) or "classifier",
        "intent": _name((latest_message.get("intent") or {}).get("name"), NAME),
        "classifier_intent": _name(safety.get("classifier_intent"), NAME),
        "signs": _unique(_sign(e.get("value")) for e in of("infection_sign")),
        "temperatures": _unique(_temperature(e.get("value")) for e in of("temperature")),
        "duration_days": _unique(_days(e.get("days")) for e in of("duration")),
    }


def _name(value: Any, pattern: "re.Pattern[str]") -> Optional[str]:
    if value is None:
        return None
    return value if isinstance(value, str) and pattern.fullmatch(value) else UNLISTED


def _sign(value: Any) -> str:
    return value if isinstance(value, str) and value in sign_ids() else UNLISTED


def _temperature(value: Any) -> Optional[str]:
    match = TEMPERATURE.fullmatch(value) if isinstance(value, str) else None
    if match is None or not LOWEST_C <= float(match.group(1)) <= HIGHEST_C:
        return None
    return f"{float(match.group(1)):.1f} °C"


def _days(value: Any) -> Optional[float]:
    """How long, in days, from the detector's number; its text ("since Monday") is the
    patient's own words and is never kept, so without a number there is no duration."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if not math.isfinite(value) or value < 0:
        return None
    return round(min(float(value), LONGEST_DAYS) * 2) / 2


def _unique(values: Iterable[Any]) -> List[Any]:
    kept: List[Any] = []
    for value in values:
        if value is not None and value not in kept:
            kept.append(value)
    return kept


@contextlib.contextmanager
def log_lock(path: Path) -> Iterator[None]:
    """Holds the log's lock file exclusively (see the module docstring). Opened read-only:
    flock needs no write access, so a lock file made by another user still works."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path.with_name(path.name + ".lock"), os.O_RDONLY | os.O_CREAT, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # releases the lock


def append_record(record: Dict[str, Any], path: Optional[Path] = None) -> Path:
    """Appends one line and forces it to disk (may wait for an erase in progress)."""
    path = path or record_path()
    line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
    with log_lock(path), open(path, "a+b") as handle:
        # A line cut short by a crash must not swallow this record.
        size = handle.seek(0, os.SEEK_END)
        if size:
            handle.seek(size - 1)
            if handle.read(1) != b"\n":
                line = b"\n" + line
        handle.write(line)
        handle.flush()
        os.fsync(handle.fileno())
    return path


def erase_records(conversation_id: str, path: Optional[Path] = None) -> int:
    """Removes one conversation's records; returns how many were removed."""
    mention = b'"conversation": ' + json.dumps(conversation_id, ensure_ascii=False).encode()

    def keep(record: Optional[Dict[str, Any]], line: bytes) -> bool:
        if record is None:  # unreadable: only its own words can tell whose it is
            return mention not in line
        return record.get("conversation") != conversation_id

    return _rewrite(path or record_path(), keep)


def expire_records(days: float, path: Optional[Path] = None, now: Optional[datetime] = None) -> int:
    """Removes records older than `days`; returns how many were removed. A line whose
    time cannot be read is kept (its age is unknown) and counted in a warning."""
    if days <= 0:
        raise ValueError("days must be positive")
    cutoff = (now or datetime.now(timezone.utc)) - timedelta(days=days)
    undated = [0]

    def keep(record: Optional[Dict[str, Any]], line: bytes) -> bool:
        written = _time_of(record)
        if written is None:
            undated[0] += 1
            return True
        return written >= cutoff

    removed = _rewrite(path or record_path(), keep)
    if undated[0]:
        logger.warning("%d escalation log line(s) have no readable time and were kept", undated[0])
    return removed


def _time_of(record: Optional[Dict[str, Any]]) -> Optional[datetime]:
    try:
        written = datetime.fromisoformat(str((record or {})["time"]))
    except (KeyError, ValueError):
        return None
    return written if written.tzinfo else written.replace(tzinfo=timezone.utc)


def _parsed(line: bytes) -> Optional[Dict[str, Any]]:
    try:
        record = json.loads(line)
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


def _without_text(record: Optional[Dict[str, Any]], line: bytes) -> bytes:
    """The line to keep: an older record without its text fields, whole lines only."""
    if record is not None and any(name in record for name in TEXT_FIELDS):
        scrubbed = {key: value for key, value in record.items() if key not in TEXT_FIELDS}
        return (json.dumps(scrubbed, ensure_ascii=False) + "\n").encode("utf-8")
    return line if line.endswith(b"\n") else line + b"\n"


def _rewrite(path: Path, keep: Callable[[Optional[Dict[str, Any]], bytes], bool]) -> int:
    """Rewrites the log with the lines `keep` accepts, under the lock; returns how many
    lines were removed."""
    if not path.exists():
        return 0  # nothing recorded yet; an append from now on is a new record
    with log_lock(path):
        try:
            with open(path, "rb") as original:
                return _replace_with_kept(path, original, keep)
        except FileNotFoundError:
            return 0


def _replace_with_kept(
    path: Path, original: BinaryIO, keep: Callable[[Optional[Dict[str, Any]], bytes], bool]
) -> int:
    """Writes the kept lines to a temporary file next to the log, fsync'ed, with the log's
    mode and owner, then renames it over the log and fsyncs the folder: a crash leaves the
    old file or the new one, never a part. Kept records lose the text fields of older
    records (TEXT_FIELDS). When nothing changes, the log is left as it is."""
    status = os.fstat(original.fileno())
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    removed, changed = 0, False
    try:
        with os.fdopen(descriptor, "wb") as rewritten:
            for line in original:
                if not line.strip():
                    changed = True  # blank lines go
                    continue
                record = _parsed(line)
                if not keep(record, line):
                    removed += 1
                    changed = True
                    continue
                kept = _without_text(record, line)
                changed = changed or kept != line
                rewritten.write(kept)
            rewritten.flush()
            os.fchmod(rewritten.fileno(), status.st_mode & 0o7777)
            with contextlib.suppress(PermissionError):  # only root can give a file away
                os.fchown(rewritten.fileno(), status.st_uid, status.st_gid)
            os.fsync(rewritten.fileno())
        if changed:
            os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)  # still there only when nothing changed or on an error
    if changed:
        _fsync_folder(path.parent)
    return removed


def _fsync_folder(folder: Path) -> None:
    """Makes the rename itself durable."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
