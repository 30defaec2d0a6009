"""tf1_dnn.op_types: op type counts that do not depend on the kernels
TensorFlow picked (oneDNN `_Mkl*` or Eigen, fused by grappler or not)."""

import json
import os
import subprocess
import sys

import pytest

from tf1_dnn.op_types import canonical_op_type, canonical_op_types

from .conftest import REPO


@pytest.mark.parametrize("traced, fused_ops, expected", [
    ("MatMul", None, ("MatMul",)),
    ("Relu", None, ("Relu",)),
    ("_MklMatMul", None, ("MatMul",)),
    ("_MklNativeConv2D", None, ("Conv2D",)),
    ("_MklNativeFusedBatchNormV3", None, ("FusedBatchNormV3",)),
    ("_MklFusedBatchNormGradV3", None, ("FusedBatchNormGradV3",)),
    ("_FusedMatMul", [b"BiasAdd", b"Relu"], ("MatMul", "BiasAdd", "Relu")),
    ("_MklFusedMatMul", [b"BiasAdd"], ("MatMul", "BiasAdd")),
    ("_MklNativeFusedMatMul", ["BiasAdd", "Elu"], ("MatMul", "BiasAdd", "Elu")),
    ("_FusedConv2D", [b"BiasAdd", b"Relu"], ("Conv2D", "BiasAdd", "Relu")),
    ("_MklNativeFusedConv2D", [b"BiasAdd"], ("Conv2D", "BiasAdd")),
    ("_MklNativeFusedDepthwiseConv2dNative", [b"BiasAdd"],
     ("DepthwiseConv2dNative", "BiasAdd")),
    ("_FusedBatchNormEx", None, ("FusedBatchNormV3",)),
    ("_MklConv2DWithBias", None, ("Conv2D", "BiasAdd")),
    ("_MklNativePadWithFusedConv2D", [b"BiasAdd"], ("Pad", "Conv2D", "BiasAdd")),
    ("_MklSwish", None, ("Sigmoid", "Mul")),
])
def test_canonical_op_types(traced, fused_ops, expected):
    assert canonical_op_types(traced, fused_ops) == expected
    assert canonical_op_type(traced, fused_ops) == "+".join(expected)


# Builds dense and conv layers whose bias and activation grappler may or may
# not fuse into the matmul/conv, runs one traced forward step and prints the
# kernel-independent op type counts and the traced (raw) types.
_TRACE = """
import json, numpy as np
from tf1_dnn import tf
from tf1_dnn.op_types import count_op_types
X = tf.placeholder(tf.float32, (None, 4), name="X")
img = tf.placeholder(tf.float32, (1, 6, 6, 2), name="img")
w = tf.get_variable("w", (4, 3))
w2 = tf.get_variable("w2", (4, 3))   # not w: grappler would merge the matmuls
b = tf.get_variable("b", (3,))
k = tf.get_variable("k", (3, 3, 2, 3))
outs = [tf.nn.relu(tf.matmul(X, w)),
        tf.nn.elu(tf.nn.bias_add(tf.matmul(X, w2), b)),
        tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(img, k, 1, "SAME"), b))]
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    meta = tf.RunMetadata()
    sess.run(outs, {X: np.ones((2, 4)), img: np.ones((1, 6, 6, 2))},
             options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE,
                                   output_partition_graphs=True),
             run_metadata=meta)
raw = sorted({s.timeline_label.split(" = ")[1].split("(")[0]
              for d in meta.step_stats.dev_stats for s in d.node_stats
              if " = " in s.timeline_label})
print("JSON " + json.dumps({"counts": count_op_types(meta), "raw": raw}))
"""


@pytest.mark.parametrize("onednn", ["0", "1"])
def test_counts_are_the_same_under_both_kernel_families(onednn):
    env = dict(os.environ, PYTHONPATH=str(REPO), TF_CPP_MIN_LOG_LEVEL="3",
               TF_ENABLE_ONEDNN_OPTS=onednn)
    proc = subprocess.run([sys.executable, "-c", _TRACE], env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = [x for x in proc.stdout.splitlines() if x.startswith("JSON ")][-1]
    result = json.loads(line[5:])
    print(onednn, result["raw"])
    counts = result["counts"]
    # The graph above, whatever got fused: 2 matmuls, 1 conv, 2 bias adds,
    # 2 ReLUs, 1 ELU.
    assert {t: counts.get(t, 0) for t in
            ("MatMul", "Conv2D", "BiasAdd", "Relu", "Elu")} == \
        {"MatMul": 2, "Conv2D": 1, "BiasAdd": 2, "Relu": 2, "Elu": 1}
    assert not any(t.startswith(("_Mkl", "_Fused")) for t in counts)
