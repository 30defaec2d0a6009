"""Main module of a multiprocessing *spawn* child of `python -m tf1_dnn run`.

multiprocessing's spawn start method (the default of Dask's LocalCluster, of
`multiprocessing.get_context("spawn")`, and of every start on macOS/Windows)
re-runs the parent's main script in each child, as `__mp_main__`, so that
functions defined there can be unpickled. Under `python -m tf1_dnn run` that
script says `import tensorflow as tf` and needs the TF1 aliases, which a fresh
child does not have: it would get TensorFlow 2's `tf` (no `tf.layers`) or fail
on `tensorflow.examples`. While a script runs, the runner makes spawned
children import this module instead of the bare script path: it activates the
aliases, then runs the script as `__mp_main__`, exactly as multiprocessing
would have (so the script still needs its `if __name__ == "__main__":` guard,
as with plain Python).
"""

import os
import runpy

from tf1_dnn import activation
from tf1_dnn.runner import _CHILD_LEGACY_NUMPY_ENV, _CHILD_SCRIPT_ENV

if _CHILD_SCRIPT_ENV in os.environ:   # imported otherwise: do nothing
    activation.activate(
        legacy_numpy=os.environ.get(_CHILD_LEGACY_NUMPY_ENV, "1") == "1",
        warn=False)
    globals().update(runpy.run_path(os.environ[_CHILD_SCRIPT_ENV],
                                    run_name="__mp_main__"))
