"""``python -m ldm_oversample`` runs the command-line interface."""

import sys

from .cli import main

sys.exit(main())
