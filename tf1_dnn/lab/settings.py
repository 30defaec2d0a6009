"""How the lab runs: `LabSettings` and the chapter network's sizes."""

import dataclasses

__all__ = ["LabSettings", "N_INPUTS", "N_HIDDEN1", "N_HIDDEN2", "N_OUTPUTS",
           "VALIDATION_SIZE"]

N_INPUTS = 28 * 28
N_HIDDEN1 = 300
N_HIDDEN2 = 100
N_OUTPUTS = 10
VALIDATION_SIZE = 5000


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

    @classmethod
    def quick_mode(cls, epochs=None, seed=42):
        """CI settings: 3 000 / 1 000 / 2 000 images, 1 epoch."""
        return cls(epochs=1 if epochs is None else epochs, seed=seed,
                   n_train=3000, n_valid=1000, n_test=2000, quick=True)
