"""How the lab runs: `LabSettings` and the chapter network's sizes."""

import dataclasses

from tf1_dnn.lab.errors import LabArgumentError

__all__ = ["LabSettings", "validate_settings", "MAX_SEED", "N_INPUTS", "N_HIDDEN1", "N_HIDDEN2", "N_OUTPUTS",
           "VALIDATION_SIZE"]

N_INPUTS = 28 * 28
N_HIDDEN1 = 300
N_HIDDEN2 = 100
N_OUTPUTS = 10
VALIDATION_SIZE = 5000
MAX_SEED = 2 ** 32 - 1  # numpy's RandomState takes 0 .. 2**32 - 1


@dataclasses.dataclass(frozen=True)
class LabSettings:
    """How the lab runs (everything but the configurations)."""
    epochs: int = 10
    seed: int = 42
    batch_size: int = 50
    n_train: int = None  # None = all 55 000
    n_valid: int = None  # None = all 5 000
    n_test: int = None   # None = all 10 000
    quick: bool = False

    def __post_init__(self):
        validate_settings(self)

    @classmethod
    def quick_mode(cls, epochs=None, seed=42, n_train=None):
        """CI settings: 3 000 / 1 000 / 2 000 images, 1 epoch."""
        return cls(epochs=1 if epochs is None else epochs, seed=seed,
                   n_train=3000 if n_train is None else n_train,
                   n_valid=1000, n_test=2000, quick=True)


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def validate_settings(settings):
    """Raises `LabArgumentError` naming the bad field and a valid value.

    Called by `LabSettings()` itself, so a bad `--seed` or `--epochs` is
    refused before the report folder or the data are touched.
    """
    if not _is_int(settings.epochs) or settings.epochs < 1:
        raise LabArgumentError(
            f"--epochs must be at least 1 (an integer), got "
            f"{settings.epochs!r}; e.g. --epochs 10.")
    if not _is_int(settings.seed) or not 0 <= settings.seed <= MAX_SEED:
        raise LabArgumentError(
            f"--seed must be an integer in 0..{MAX_SEED} (numpy's shuffling "
            f"seed range), got {settings.seed!r}; e.g. --seed 42.")
    if not _is_int(settings.batch_size) or settings.batch_size < 1:
        raise LabArgumentError(
            f"batch_size must be an integer of at least 1, got "
            f"{settings.batch_size!r}; the chapter uses 50.")
    for field, flag in (("n_train", "--train-size"), ("n_valid", "n_valid"),
                        ("n_test", "n_test")):
        value = getattr(settings, field)
        if value is not None and (not _is_int(value) or value < 1):
            raise LabArgumentError(
                f"{flag} must be a number of images of at least 1 (or left "
                f"out for all of them), got {value!r}.")
