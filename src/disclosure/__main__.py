"""``python -m disclosure``: see :mod:`disclosure.cli`.

Ctrl-C at any moment, even while the command's modules are still being imported, ends the
command with exit code 130 and one line, never a traceback.  (The package imports nothing heavy
before this runs: ``disclosure/__init__.py`` loads its API on first use.  Only the interpreter's
own start, before any of our code, is out of reach.)
"""

import gc
import signal
import sys

from .errors import ExitCode, interrupted_by_signal, raise_on_interrupt

raise_on_interrupt()
# Start-up makes only objects that live as long as the process (modules, classes, compiled patterns):
# the cycle collector would walk them again and again while they are made (about 7 % of the start), and
# frozen afterwards it never walks them again.
gc.disable()
try:
    from .cli import main

    gc.freeze()
    gc.enable()
    code = main()
except KeyboardInterrupt:
    print("interrupted", file=sys.stderr)
    code = ExitCode.INTERRUPTED
except Exception:  # Ctrl-C while a module was imported, wrapped by native code (pydantic-core) into its own error
    if not interrupted_by_signal():
        raise
    print("interrupted", file=sys.stderr)
    code = ExitCode.INTERRUPTED
finally:  # the work is done: a Ctrl-C while Python shuts down must not replace the exit code by a signal
    signal.signal(signal.SIGINT, signal.SIG_IGN)
raise SystemExit(code)
