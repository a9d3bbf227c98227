"""`rasa`, with this project's run-time changes installed: how the server, the terminal
chat and the test stories are started.

    python -m rasa_patches run --model ... (any `rasa` arguments)

Two things happen before Rasa's own command line runs:
- jax is marked as not importable. TensorFlow 2.12 imports it at start-up only for an
  optional TFLite helper guarded by `except ImportError`; no part of this assistant uses
  it, and it costs memory and start-up time (docs/benchmarks.md).
- Deprecation warnings of the libraries (click, typer, pkg_resources...) are not shown:
  they are for the libraries' developers, and a patient-facing terminal should not open
  on a screen of them. `PYTHONWARNINGS` still overrides this.
"""

from __future__ import annotations

import os
import sys
import warnings

sys.modules["jax"] = None  # type: ignore[assignment]  # import jax -> ImportError
if not os.environ.get("PYTHONWARNINGS"):
    for category in (DeprecationWarning, PendingDeprecationWarning, FutureWarning):
        warnings.filterwarnings("ignore", category=category)
    os.environ["PYTHONWARNINGS"] = "ignore::DeprecationWarning"  # for child processes


def main() -> None:
    from rasa.__main__ import main as rasa_main

    import rasa_patches

    rasa_patches.install()
    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
