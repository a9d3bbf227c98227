"""Where the reviewed content lives: one folder a clinician or a clinic edits."""

from __future__ import annotations

from pathlib import Path

CONTENT_DIR = Path(__file__).resolve().parents[1] / "content"
