"""The lab's errors, under `tf1_dnn.errors.Tf1DnnError`."""

from tf1_dnn.errors import Tf1DnnError

__all__ = ["ReportDirError", "LabDataError", "LabArgumentError",
           "DaskMissingError"]


class ReportDirError(Tf1DnnError, ValueError):
    """The --out folder cannot be used without losing something of the user's."""


class LabDataError(Tf1DnnError, FileNotFoundError):
    """The --data folder holds no MNIST-format data."""


class LabArgumentError(Tf1DnnError, ValueError):
    """A lab argument is out of range; nothing was touched (the message
    names the argument and a valid value)."""


class DaskMissingError(Tf1DnnError, ImportError):
    """--workers / --scheduler need Dask, which is an optional extra."""
