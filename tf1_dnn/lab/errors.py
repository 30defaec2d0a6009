"""The lab's errors, under `tf1_dnn.errors.Tf1DnnError`."""

from tf1_dnn.errors import Tf1DnnError

__all__ = ["ReportDirError", "LabDataError"]


class ReportDirError(Tf1DnnError, ValueError):
    """The --out folder cannot be used without losing something of the user's."""


class LabDataError(Tf1DnnError, FileNotFoundError):
    """The --data folder holds no MNIST-format data."""
