"""One error hierarchy for tf1_dnn.

Every error tf1_dnn raises on purpose derives from `Tf1DnnError`, so callers can
catch ours with one `except`. Each family also derives from the built-in
exception a caller would have caught before (``ValueError`` for bad input,
``FileNotFoundError`` for missing files, ...), so existing ``except ValueError``
code keeps working.

Each class is defined here once; the modules that raise it re-export it under
its old name (``tf1_dnn.layers.InputError``, ``tf1_dnn.checkpoints.
CheckpointError``, ...), so both imports name the same class::

    Tf1DnnError
    ├── InputError (ValueError)               bad input to a layer / an API
    │   └── InputTypeError (+ TypeError)      an argument of the wrong type
    ├── GraphNameError (KeyError)             no tensor/variable of that name
    ├── StateError (RuntimeError)             a call made in the wrong order
    ├── GraphModeRequiredError (RuntimeError) a graph API called eagerly
    ├── CheckpointError (ValueError)          checkpoints and the ckpt CLI
    │   ├── CheckpointNotFoundError (+ FileNotFoundError)
    │   ├── CorruptCheckpointError            a damaged .index/.data/.meta/state
    │   ├── CheckpointMismatchError           graph and checkpoint disagree
    │   └── OutputError (+ OSError)           cannot write the output
    │       └── OutputExistsError (+ FileExistsError) would overwrite
    ├── IdxError (ValueError)                 a corrupt or mislabelled IDX file
    ├── MissingDataError (FileNotFoundError)  no usable MNIST source
    ├── DownloadError (OSError)               a failed download
    ├── TrainingDivergedError (FloatingPointError) loss became NaN/Inf
    └── ScriptError (+ OSError)               the runner/upgrader cannot read
                                               a script

Messages name the problem, the file or argument, and the fix.
"""

__all__ = [
    "Tf1DnnError", "InputError", "GraphModeRequiredError", "CheckpointError",
    "CheckpointNotFoundError", "CorruptCheckpointError",
    "CheckpointMismatchError", "OutputError", "IdxError", "MissingDataError",
    "DownloadError", "TrainingDivergedError", "ScriptError", "InputTypeError",
    "GraphNameError", "StateError", "OutputExistsError",
]


class Tf1DnnError(Exception):
    """Base class of every error tf1_dnn raises on purpose."""


class InputError(Tf1DnnError, ValueError):
    """Raised when a layer (or a training API) is given input it cannot
    handle: wrong rank, unknown dimension, bad rate, mismatched X and y."""


class InputTypeError(InputError, TypeError):
    """An argument of the wrong type (also a `TypeError`, as before)."""


class GraphNameError(Tf1DnnError, KeyError):
    """No tensor, operation or variable of that name in the graph (the
    message lists the closest names)."""

    def __str__(self):  # KeyError would print the message quoted
        return str(self.args[0]) if self.args else ""


class StateError(Tf1DnnError, RuntimeError):
    """A method called before what it needs (e.g. restore before update)."""


class GraphModeRequiredError(Tf1DnnError, RuntimeError):
    """Raised when a graph-only API is called while eager execution is on."""


class CheckpointError(Tf1DnnError, ValueError):
    """Base class of the checkpoint errors (a `ValueError`)."""


class CheckpointNotFoundError(CheckpointError, FileNotFoundError):
    """No checkpoint at the given path, or a state file pointing nowhere."""


class CorruptCheckpointError(CheckpointError):
    """A checkpoint file (`.index`, `.data-*`, `.meta` or the `checkpoint`
    state file) is missing, empty, truncated or not what its name says."""


class CheckpointMismatchError(CheckpointError):
    """The graph's variables and the checkpoint do not match."""


class OutputError(CheckpointError, OSError):
    """An output cannot be written (read-only folder, full disk, ...);
    nothing is left under the final name."""


class OutputExistsError(OutputError, FileExistsError):
    """The output exists and would be overwritten: choose another path."""


class IdxError(Tf1DnnError, ValueError):
    """A corrupt, truncated or mislabelled IDX file (names the file)."""


class MissingDataError(Tf1DnnError, FileNotFoundError):
    """No usable MNIST source (the message lists what was tried and fixes)."""


class DownloadError(Tf1DnnError, OSError):
    """A download that failed; nothing was written under the final name.

    Attributes:
      unreachable: True when the server could not be reached at all (DNS,
        refused connection, timeout), False for HTTP errors, truncated
        bodies and checksum mismatches.
    """

    def __init__(self, message, unreachable=False):
        super().__init__(message)
        self.unreachable = unreachable


class WorkerDiedError(Tf1DnnError, RuntimeError):
    """A Dask worker process died while running a task (Dask's
    `KilledWorker`: killed, e.g. by the out-of-memory killer, or crashed in
    native code), as often as the scheduler allows; names the task."""


class TrainingDivergedError(Tf1DnnError, FloatingPointError):
    """The training loss became NaN or Inf.

    Attributes:
      epoch: the epoch (0-based) in which the loss stopped being finite.
      input_has_nan: True when the training inputs hold NaN/Inf themselves.
    """

    def __init__(self, message, epoch=None, input_has_nan=False,
                 history=None):
        super().__init__(message)
        self.epoch = epoch
        self.input_has_nan = input_has_nan
        self.history = history


def nonfinite_summary(X, name="X"):
    """None if `X` is all finite, else a sentence naming the count and the
    first bad row (for `TrainingDivergedError` and `InputError` messages)."""
    import numpy as np
    X = np.asarray(X)
    if X.dtype.kind not in "fc" or X.size == 0:
        return None
    finite = np.isfinite(X.reshape(len(X), -1)) if X.ndim else np.isfinite(X)
    if finite.all():
        return None
    bad = int(finite.size - np.count_nonzero(finite))
    row = int(np.argmin(finite.all(axis=1))) if X.ndim else 0
    return (f"{name} holds {bad} NaN/Inf value(s) (the first in row {row}): "
            f"remove or impute them, e.g. keep rows "
            f"np.isfinite({name}).all(axis=1)")


def diverged_message(where, epoch, loss, input_problem, restored):
    """The message of a `TrainingDivergedError`."""
    cause = (f"Likely cause: the input. {input_problem}." if input_problem
             else "The inputs are finite, so the likely cause is a learning "
             "rate too high for this network (exploding weights): lower it "
             "(e.g. 10x), or clip the gradients.")
    return (f"{where}: the training loss became {loss} in epoch {epoch} "
            f"(0-based); training stopped. {cause} {restored}")


class ScriptError(Tf1DnnError, OSError):
    """A script given to `python -m tf1_dnn run/upgrade` cannot be read."""
