"""``python -m aims.evidence``: the evidence CLI without Django (see :mod:`aims.evidence.cli`)."""

import sys

from .cli import main

sys.exit(main())
