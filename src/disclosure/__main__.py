"""``python -m disclosure``: see :mod:`disclosure.cli`."""

from .cli import main

raise SystemExit(main())
