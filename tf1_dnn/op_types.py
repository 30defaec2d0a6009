"""Kernel-independent op type names of a traced step.

TensorFlow rewrites a graph before it runs it, and the op types in a
`RunMetadata` trace depend on which kernels it picked:

* with oneDNN (the default on Intel Xeon and other AVX-512 x86 CPUs,
  `TF_ENABLE_ONEDNN_OPTS=1`), `MatMul` runs as `_MklMatMul`,
  `FusedBatchNormV3` as `_MklNativeFusedBatchNormV3`, and so on;
* on both kernel families, grappler's remapper fuses chains into one node:
  `MatMul -> BiasAdd -> Relu` becomes `_FusedMatMul` (Eigen) or
  `_MklNativeFusedMatMul` (oneDNN), whose `fused_ops` attribute lists the
  ops it stands for (`[b"BiasAdd", b"Relu"]`). Which chains get fused
  differs between the two families (oneDNN fuses `MatMul + AddV2` too).

`canonical_op_types` maps one executed node to the stock op types it stands
for, so counts of op types are the same whichever kernels ran:

    canonical_op_types("_MklMatMul")                              # ("MatMul",)
    canonical_op_types("_MklNativeFusedMatMul", [b"BiasAdd", b"Relu"])
                                                 # ("MatMul", "BiasAdd", "Relu")

`step_nodes(run_metadata)` reads a trace made with
`RunOptions(trace_level=FULL_TRACE, output_partition_graphs=True)` into
(node name, canonical op types, microseconds) per executed node.

Caveats:
- A fused node's time cannot be split between the ops it stands for.
- The names in `fused_ops` are the remapper's: `BiasAdd`, `Relu`, `Elu`,
  `LeakyRelu`, `Add` (an element-wise add of a second input) ...; they are
  kept as they are.
- Without `fused_ops` (a trace without partition graphs), a fused node
  gives only its main op (`MatMul`, `Conv2D`, ...).
Imports no TensorFlow.
"""

__all__ = ["canonical_op_types", "canonical_op_type", "step_nodes",
           "count_op_types"]

# oneDNN prefixes, longest first.
_MKL_PREFIXES = ("_MklNative", "_Mkl")
# Stock ops whose names start with "Fused" (not grappler fusions).
_STOCK_FUSED = ("FusedBatchNorm", "FusedPadConv2D", "FusedResizeAndPadConv2D")
# oneDNN-only fusions that carry no `fused_ops` attribute.
_MKL_FIXED = {
    "Conv2DWithBias": ("Conv2D", "BiasAdd"),
    "Conv2DBackpropFilterWithBias": ("Conv2DBackpropFilter", "BiasAddGrad"),
    "DepthwiseConv2dNativeWithBias": ("DepthwiseConv2dNative", "BiasAdd"),
    "PadWithConv2D": ("Pad", "Conv2D"),
    "Swish": ("Sigmoid", "Mul"),
}
# The main op of a grappler fusion `_Fused<X>`.
_FUSED_BASE = {"BatchNormEx": "FusedBatchNormV3",
               "BatchNormGradEx": "FusedBatchNormGradV3"}


def _decode(name):
    return name.decode() if isinstance(name, bytes) else str(name)


def canonical_op_types(op_type, fused_ops=None):
    """The stock op types one executed node stands for, as a tuple.

    Args:
      op_type: the type as traced (`_MklMatMul`, `_FusedConv2D`, `Relu`).
      fused_ops: the node's `fused_ops` attribute (bytes or str), if any.

    Returns:
      `("MatMul",)` for `MatMul` and `_MklMatMul`; for a fusion, its main op
      followed by `fused_ops` in order, e.g. `("MatMul", "BiasAdd", "Relu")`.
    """
    name = str(op_type)
    for prefix in _MKL_PREFIXES:
        if name.startswith(prefix):
            name = name[len(prefix):]
            if name in _MKL_FIXED:
                return _MKL_FIXED[name]
            if name.startswith("PadWith"):        # _MklNativePadWithFusedConv2D
                return ("Pad",) + canonical_op_types(
                    "_" + name[len("PadWith"):], fused_ops)
            if name.startswith("Fused") and not name.startswith(_STOCK_FUSED):
                name = "_" + name
            break
    if name.startswith("_Fused"):
        base = name[len("_Fused"):]
        base = _FUSED_BASE.get(base, base)
        return (base,) + tuple(_decode(f) for f in (fused_ops or ()))
    return (name,)


def canonical_op_type(op_type, fused_ops=None):
    """`canonical_op_types` joined with "+": one label per executed node."""
    return "+".join(canonical_op_types(op_type, fused_ops))


def step_nodes(run_metadata):
    """[(node name, canonical op types, microseconds)] of one traced run.

    `run_metadata` comes from a `Session.run` with
    `RunOptions(trace_level=FULL_TRACE, output_partition_graphs=True)`; the
    partition graphs give the `fused_ops` of fused nodes.
    """
    fused = {}
    for graph_def in run_metadata.partition_graphs:
        for node in graph_def.node:
            if "fused_ops" in node.attr:
                fused[node.name] = list(node.attr["fused_ops"].list.s)
    nodes = []
    for dev in run_metadata.step_stats.dev_stats:
        for stat in dev.node_stats:
            label = stat.timeline_label
            op_type = (label.split(" = ")[1].split("(")[0]
                       if " = " in label else stat.node_name)
            nodes.append((stat.node_name,
                          canonical_op_types(op_type,
                                             fused.get(stat.node_name)),
                          stat.op_end_rel_micros - stat.op_start_rel_micros))
    return nodes


def count_op_types(run_metadata):
    """{stock op type: count} of one traced run, fusions expanded."""
    counts = {}
    for _, types, _ in step_nodes(run_metadata):
        for t in types:
            counts[t] = counts.get(t, 0) + 1
    return counts
