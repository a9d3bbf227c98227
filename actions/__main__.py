"""`python -m actions`: the action server behind its shared secret (actions/server.py)."""

import sys

from actions.server import main

# Guarded: rasa-sdk imports every module of this package to find the actions.
if __name__ == "__main__":
    sys.exit(main())
