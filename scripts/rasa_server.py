"""`rasa` without jax: how `make run` and the tests start the Rasa server.

    python scripts/rasa_server.py run --model ... (any `rasa` arguments)

TensorFlow 2.12 requires jax and imports it at start-up for an optional TFLite helper it
guards with `except ImportError`. This server never uses it, and it costs 74 MB of memory
and about a second of start-up (docs/benchmarks.md). Marking jax as not importable sends
TensorFlow down its own ImportError path; nothing else changes.
"""

from __future__ import annotations

import sys

sys.modules["jax"] = None  # type: ignore[assignment]  # import jax -> ImportError

from rasa.__main__ import main  # noqa: E402  (must come after the line above)

if __name__ == "__main__":
    sys.argv[0] = "rasa"
    main()
