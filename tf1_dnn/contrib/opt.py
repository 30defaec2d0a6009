"""`tf.contrib.opt`: the TF 1.x contrib optimizers the chapter era used.

    from tf1_dnn import tf
    optimizer = tf.contrib.opt.NadamOptimizer(learning_rate=0.001)
    optimizer = tf.contrib.opt.AdamWOptimizer(weight_decay=1e-4,
                                              learning_rate=0.001)

Rebuilt on public `tf.compat.v1` symbols in `tf1_dnn.optimizers` (see there
for the update rules and caveats). Importing this module changes nothing
global.
"""

from tf1_dnn.optimizers import (AdamWOptimizer, DecoupledWeightDecayExtension,
                                MomentumWOptimizer, NadamOptimizer,
                                extend_with_decoupled_weight_decay)

__all__ = ["NadamOptimizer", "AdamWOptimizer", "MomentumWOptimizer",
           "DecoupledWeightDecayExtension",
           "extend_with_decoupled_weight_decay"]
