"""The "did the validation metric improve?" rule shared by early stopping and
performance scheduling (`ReduceOnPlateau`)."""

import math

__all__ = ["improved"]


def improved(metric, best, mode, min_delta):
    """True if `metric` beats `best` by more than `min_delta`.

    Args:
      metric: the new evaluation (a NaN never counts as an improvement).
      best: the best value so far.
      mode: "min" (lower is better, e.g. a loss) or "max" (e.g. accuracy).
      min_delta: the margin an improvement must exceed.
    """
    if math.isnan(metric):
        return False
    if mode == "min":
        return metric < best - min_delta
    return metric > best + min_delta
