"""One error hierarchy for tf1_dnn.

Every error tf1_dnn raises on purpose derives from `Tf1DnnError`, so callers can
catch ours with one `except`. Each family also derives from the built-in
exception a caller would have caught before (``ValueError`` for bad input,
``FileNotFoundError`` for missing files, ...), so existing ``except ValueError``
code keeps working.

Messages name the problem, the file or argument, and the fix.
"""


class Tf1DnnError(Exception):
    """Base class of every error tf1_dnn raises on purpose."""
