"""The errors a user can cause besides a bad model: files, folders, templates, profiles, LibreOffice.

Each is a :class:`UsageError`: the CLI prints its message (which names the file) and exits 2,
without a traceback.  Problems *in the model* are :class:`disclosure.load.LoadError` (exit 2) and
findings of :mod:`disclosure.checks` (exit 1).
"""


class UsageError(Exception):
    """Something other than the model's content prevents the job; the message says what and where."""
