"""``python -m cursor_simulator``: serve the simulator (the same as ``cursor-spend simulate``)."""

import sys

from .cli import main

sys.exit(main())
