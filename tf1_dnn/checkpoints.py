"""Load the graphs and checkpoints TensorFlow 1.x wrote, on TensorFlow 2.21.

Drop-in versions of the TF 1.x checkpoint API, with the same signatures::

    saver = import_meta_graph("./my_model_final.ckpt.meta")
    with tf.Session() as sess:
        saver.restore(sess, latest_checkpoint("."))

`from tf1_dnn import tf` routes `tf.train.import_meta_graph`, `tf.train.Saver`,
`tf.train.latest_checkpoint` and `tf.train.get_checkpoint_state` here, so
unchanged legacy code benefits. What they add to `tf.compat.v1.train`:

* **Graph repair** (`repair_meta_graph_def`): TF 2.21 rejects some graphs
  TF 1.x wrote. Only what TF 2.21 rejects is repaired, node by node, and every
  repair is logged (logger `tf1_dnn.checkpoints`) with the node names.
  Known case: contrib `batch_norm` (fused, inside `tf.cond`) saved by
  TF 1.13 has `FusedBatchNormGrad` nodes whose stale `_output_shapes`
  attribute says `[0]` where TF 2.21 infers `[C]` ("has an _output_shapes
  attribute inconsistent with the GraphDef for output #3"). `_output_shapes`
  is only a hint written by TF 1.x; removing it on those nodes changes no
  computation.
* **Moved checkpoints** (`get_checkpoint_state`, `latest_checkpoint`): a
  `checkpoint` state file holding absolute paths of another machine
  (`/tmp/...`, `C:\\...`) is resolved to the same basename in the state
  file's own directory, with a logged notice. The state file is never
  rewritten.
* **Clear errors before anything is assigned** (`Saver.restore`): a missing
  or truncated `.data` file, a variable missing from the checkpoint (named,
  with close matches), a shape mismatch (both shapes), a state file pointing
  nowhere. The check runs first, so a failed restore leaves every variable
  as it was.
* **NaN/Inf written into a checkpoint** are restored as they are and named
  in a logged notice ("holds NaN/Inf values as written"), so they are not
  mistaken for a loading error.
* **Any path** (`resolve_checkpoint`): a prefix, a directory (its `checkpoint`
  state file), or a `.meta` / `.index` / `.data-*` file.

Caveats (TF 1.x behaviour that is kept):
  - `latest_checkpoint` returns None (it does not raise) when there is no
    state file, or when the path it names exists nowhere; `Saver.restore`
    and `resolve_checkpoint` raise `CheckpointNotFoundError` instead.
  - `import_meta_graph` imports *everything*: the optimizer, the savers and
    the training ops of the original graph come along.
  - The pre-restore check reads every tensor the saver restores once (to find
    truncated data); for multi-GB checkpoints pass `validate=False`.
"""

import difflib
import glob
import logging
import os
import re

import numpy as np

from tf1_dnn._compat import tf2, v1

__all__ = [
    "CheckpointError", "CheckpointNotFoundError", "CheckpointMismatchError",
    "CorruptCheckpointError", "resolve_checkpoint", "get_checkpoint_state",
    "latest_checkpoint", "load_meta_graph_def", "repair_meta_graph_def",
    "import_meta_graph", "Saver", "checkpoint_variables", "read_checkpoint",
    "saver_restore_targets", "validate_restore", "nonfinite_tensors",
]

log = logging.getLogger("tf1_dnn.checkpoints")

_DATA_RE = re.compile(r"\.data-\d{5}-of-(\d{5})$")


# Defined in tf1_dnn.errors (one hierarchy); re-exported here.
from tf1_dnn.errors import (CheckpointError, CheckpointMismatchError,  # noqa
                            CheckpointNotFoundError, CorruptCheckpointError,
                            InputError, InputTypeError, OutputError)


# -- paths -------------------------------------------------------------------

def _is_prefix(prefix):
    return os.path.isfile(prefix + ".index")


def _prefixes_in(directory):
    """The checkpoint prefixes in `directory` (not `Saver.save`'s temporary
    ones)."""
    return sorted(p[:-len(".index")]
                  for p in glob.glob(os.path.join(glob.escape(directory),
                                                  "*.index"))
                  if ".tf1dnn-tmp-" not in os.path.basename(p))


def _basename_any(path):
    """Basename for POSIX and Windows paths alike (C:\\x\\model.ckpt)."""
    return re.split(r"[\\/]", path)[-1]


def _relocate(path, directory):
    """Path of checkpoint `path` (from a state file in `directory`).

    Returns (resolved path or None, notice or None)."""
    candidate = path if os.path.isabs(path) else os.path.join(directory, path)
    if _is_prefix(candidate):
        return candidate, None
    local = os.path.join(directory, _basename_any(path))
    written = path
    if path.startswith(os.path.join(directory, "")):
        # TF joined a path it took for relative (C:\\...) with the directory.
        written = path[len(os.path.join(directory, "")):]
    if _is_prefix(local):
        return local, (f"checkpoint state file in {directory} names "
                       f"'{written}', "
                       f"which does not exist here; using {local!r} (same "
                       "basename, in the state file's own directory)")
    return None, None


def _read_state(checkpoint_dir, latest_filename=None):
    """`v1.train.get_checkpoint_state`, raising on an unreadable state file.

    TF 1.x raises a bare "Invalid checkpoint state" for an empty file, a
    `UnicodeDecodeError` for a binary one, and logs and returns None for
    malformed text (so the caller later fails with "no checkpoint").
    """
    name = latest_filename or "checkpoint"
    state_file = os.path.join(checkpoint_dir, name)
    try:
        state = v1.train.get_checkpoint_state(checkpoint_dir, latest_filename)
        problem = None
        if state is None and os.path.isfile(state_file):
            problem = "is not a checkpoint state (text protobuf)"
    except (ValueError, UnicodeDecodeError, tf2.errors.OpError) as e:
        state = None
        problem = "is empty or has no model_checkpoint_path" if type(e) is \
            ValueError else f"cannot be read ({type(e).__name__}: {e})"
    if problem is None:
        return state
    found = _prefixes_in(checkpoint_dir)
    example = os.path.basename(found[-1]) if found else "model.ckpt"
    raise CorruptCheckpointError(
        f"The checkpoint state file {state_file!r} {problem}. Checkpoints in "
        f"that directory: {[os.path.basename(p) for p in found] or 'none'}. "
        "Pass a checkpoint prefix instead of the directory, or rewrite the "
        f"file as one line: model_checkpoint_path: \"{example}\"")


def get_checkpoint_state(checkpoint_dir, latest_filename=None):
    """`tf.train.get_checkpoint_state`, resolving paths of another machine.

    Raises `CorruptCheckpointError` (naming the file and the checkpoints
    beside it) when the state file is empty, binary or malformed, where
    TF 1.x raised a bare ValueError or logged and returned None.

    Returns a `CheckpointState` proto (or None if there is no state file)
    whose `model_checkpoint_path` and `all_model_checkpoint_paths` are the
    paths that exist: as written if they exist, else the same basename in
    `checkpoint_dir` (logged as a notice), else left as written. The state
    file itself is not modified.
    """
    state = _read_state(checkpoint_dir, latest_filename)
    if state is None:
        return None
    # TF joins relative paths with checkpoint_dir already; absolute ones are
    # kept. Resolve each one against the state file's directory.
    resolved = type(state)()
    resolved.CopyFrom(state)
    path, notice = _relocate(state.model_checkpoint_path, checkpoint_dir)
    if path is not None:
        resolved.model_checkpoint_path = path
        if notice:
            log.warning("tf1_dnn: %s", notice)
    del resolved.all_model_checkpoint_paths[:]
    for p in state.all_model_checkpoint_paths:
        q, _ = _relocate(p, checkpoint_dir)
        resolved.all_model_checkpoint_paths.append(q if q else p)
    return resolved


def latest_checkpoint(checkpoint_dir, latest_filename=None):
    """`tf.train.latest_checkpoint`, resolving paths of another machine.

    Returns the prefix of the newest checkpoint named by the state file in
    `checkpoint_dir`, or None (as TF 1.x) when there is no state file or it
    names a checkpoint that exists neither where written nor in
    `checkpoint_dir`. A path of another machine (`/tmp/x/model.ckpt`,
    `C:\\x\\model.ckpt`) falls back to `checkpoint_dir/model.ckpt` with a
    logged notice.
    """
    state = get_checkpoint_state(checkpoint_dir, latest_filename)
    if state is None or not state.model_checkpoint_path:
        return None
    if _is_prefix(state.model_checkpoint_path):
        return state.model_checkpoint_path
    log.error("tf1_dnn: couldn't match files for checkpoint %s (named by the "
              "state file in %s)", state.model_checkpoint_path, checkpoint_dir)
    return None


def resolve_checkpoint(path, latest_filename=None):
    """Returns the checkpoint prefix that `path` designates.

    Args:
      path: a prefix (`dir/model.ckpt`), a directory (its `checkpoint` state
        file is used; without one, its only checkpoint, with a notice), or
        a `.meta`, `.index` or `.data-*` file.

    Raises:
      CheckpointNotFoundError: naming what was looked for and what exists.
    """
    if path is None:
        raise CheckpointNotFoundError(
            "No checkpoint path given (None). latest_checkpoint() returns None "
            "when the directory has no `checkpoint` state file: pass the "
            "checkpoint prefix itself, e.g. './my_model_final.ckpt'.")
    path = os.fspath(path)
    if os.path.isdir(path):
        name = latest_filename or "checkpoint"
        state_file = os.path.join(path, name)
        found = _prefixes_in(path)
        if not os.path.isfile(state_file) and len(found) == 1:
            log.warning("tf1_dnn: %s has no %r state file; using its only "
                        "checkpoint %s", path, name, found[0])
            return found[0]
        if not os.path.isfile(state_file):
            hint = (f" Checkpoints in it: {found}." if found else
                    " It holds no checkpoint (.index file) either.")
            raise CheckpointNotFoundError(
                f"Directory {path!r} has no {name!r} state file, so it does "
                f"not say which checkpoint to use.{hint} Pass a prefix.")
        prefix = latest_checkpoint(path, latest_filename)
        if prefix is None:
            state = _read_state(path, latest_filename)
            named = state.model_checkpoint_path if state else "(nothing)"
            raise CheckpointNotFoundError(
                f"The state file {state_file!r} points to {named!r}, which "
                "exists neither there nor (same basename) in "
                f"{path!r}. Checkpoints in that directory: {found or 'none'}. "
                "Pass one of them as the prefix.")
        return prefix
    for suffix in (".meta", ".index"):
        if path.endswith(suffix):
            path = path[:-len(suffix)]
            break
    else:
        path = _DATA_RE.sub("", path)
    if _is_prefix(path):
        return path
    directory = os.path.dirname(path) or "."
    found = _prefixes_in(directory) if os.path.isdir(directory) else []
    close = difflib.get_close_matches(path, found, n=3)
    hint = f" Did you mean {close}?" if close else (
        f" Checkpoints in {directory!r}: {found}." if found else "")
    raise CheckpointNotFoundError(
        f"No checkpoint at {path!r}: {path + '.index'!r} does not exist.{hint}")


def _data_files(prefix):
    """Checks the `.data-NNNNN-of-MMMMM` shards exist; returns them."""
    shards = sorted(glob.glob(glob.escape(prefix) + ".data-*-of-*"))
    if not shards:
        raise CorruptCheckpointError(
            f"Checkpoint {prefix!r} has its .index file but no "
            f"{os.path.basename(prefix)}.data-00000-of-00001 file beside it: "
            "the variable values are missing. Copy the .data-* file(s) that "
            "were saved with this .index.")
    total = int(_DATA_RE.search(shards[0]).group(1))
    expected = [f"{prefix}.data-{i:05d}-of-{total:05d}" for i in range(total)]
    missing = [os.path.basename(p) for p in expected if not os.path.isfile(p)]
    if missing:
        raise CorruptCheckpointError(
            f"Checkpoint {prefix!r} is missing data shard(s) {missing}: copy "
            "every .data-* file that was saved with this .index.")
    return expected


# -- reading -----------------------------------------------------------------

def _reader(prefix):
    """`tf.train.load_checkpoint`, naming the file when the `.index` is bad
    (TF says only "not an sstable (bad magic number)")."""
    index = prefix + ".index"
    try:
        return tf2.train.load_checkpoint(prefix)
    except (tf2.errors.OpError, ValueError) as e:
        size = os.path.getsize(index) if os.path.isfile(index) else None
        what = "is empty (0 bytes)" if size == 0 else (
            f"is corrupt ({size} bytes; TensorFlow: {_op_error_text(e)})")
        raise CorruptCheckpointError(
            f"Checkpoint index {index!r} {what}: it is not a TensorFlow "
            "checkpoint index, or was cut short while being written or "
            "copied. Copy the .index file again together with its .data-* "
            "file(s), or use an older checkpoint of the same directory.") \
            from None


def checkpoint_variables(prefix):
    """{name: (shape list, dtype name)} of the tensors in a checkpoint.

    Raises:
      CorruptCheckpointError: the `.index` file is empty or corrupt.
    """
    reader = _reader(prefix)
    shapes = reader.get_variable_to_shape_map()
    dtypes = reader.get_variable_to_dtype_map()
    return {name: (list(shapes[name]), dtypes[name].name)
            for name in sorted(shapes)}


def read_checkpoint(prefix, names=None):
    """{name: numpy array} of the checkpoint's tensors (all, or `names`).

    Raises:
      CorruptCheckpointError: a `.data` file is missing or truncated.
    """
    prefix = resolve_checkpoint(prefix)
    data = _data_files(prefix)
    reader = _reader(prefix)
    names = sorted(reader.get_variable_to_shape_map()) if names is None \
        else list(names)
    values = {}
    for name in names:
        try:
            values[name] = reader.get_tensor(name)
        except (IndexError, tf2.errors.OpError, ValueError) as e:
            sizes = ", ".join(f"{os.path.basename(p)}: {os.path.getsize(p)} "
                              "bytes" for p in data)
            raise CorruptCheckpointError(
                f"Checkpoint {prefix!r}: reading {name!r} failed ({e}). The "
                f"data file is truncated or corrupt ({sizes}); copy it again "
                "from where it was saved.") from e
    return values


# -- graphs ------------------------------------------------------------------

def load_meta_graph_def(path):
    """Parses a `.meta` file (or the `.meta` of a prefix / directory).

    Raises:
      CheckpointNotFoundError: there is no such `.meta` file.
      CorruptCheckpointError: the file is empty, not a `MetaGraphDef`
        (protobuf's "Wire format was corrupt", here with the file name), or
        holds no graph (where `tf.train.import_meta_graph` returned None).
    """
    path = os.fspath(path)
    if not path.endswith(".meta"):
        path = resolve_checkpoint(path) + ".meta"
    if not os.path.isfile(path):
        raise CheckpointNotFoundError(
            f"No graph file {path!r}: a checkpoint saved with "
            "write_meta_graph=False has no .meta; rebuild the graph in Python "
            "and restore the variables with a Saver instead.")
    with open(path, "rb") as f:
        raw = f.read()
    fix = ("Copy the .meta file again from where it was saved, or rebuild "
           "the graph in Python and restore the variables with a Saver.")
    if not raw:
        raise CorruptCheckpointError(
            f"Graph file {path!r} is empty (0 bytes): it was cut short while "
            f"being written or copied. {fix}")
    meta_graph_def = v1.MetaGraphDef()
    try:
        meta_graph_def.ParseFromString(raw)
    except Exception as e:  # protobuf's DecodeError, not importable here
        raise CorruptCheckpointError(
            f"Graph file {path!r} ({len(raw)} bytes) is not a MetaGraphDef: "
            f"{e}. It is corrupt or truncated, or not a .meta file. "
            f"{fix}") from None
    if not meta_graph_def.graph_def.node:
        raise CorruptCheckpointError(
            f"Graph file {path!r} ({len(raw)} bytes) holds no graph (no "
            f"nodes), so there is nothing to import. {fix}")
    return meta_graph_def


_STALE_SHAPES_RE = re.compile(
    r"Node '([^']+)' has an _output_shapes attribute inconsistent with the "
    r"GraphDef")


def repair_meta_graph_def(meta_graph_def):
    """Repairs only what TF 2.21 rejects in a TF 1.x `MetaGraphDef`.

    The graph is test-imported into a scratch graph; each rejection that is
    known to be harmless is repaired on the node TF names, then the import
    is tried again. Known repairs:

    * "Node 'X' has an _output_shapes attribute inconsistent with the
      GraphDef": removes the `_output_shapes` attribute of node X only (a
      shape hint TF 1.x wrote; TF 1.13 wrote `[0]` for the unused reserve
      outputs of `FusedBatchNormGrad` in inference mode, TF 2.21 infers the
      channel count).

    Args:
      meta_graph_def: a `MetaGraphDef` proto (not modified).

    Returns:
      (repaired copy, list of human-readable repairs). The list is empty when
      TF 2.21 accepts the graph as written.

    Raises:
      ValueError: any other import error, unchanged.
    """
    repaired = v1.MetaGraphDef()
    repaired.CopyFrom(meta_graph_def)
    nodes = {n.name: n for n in repaired.graph_def.node}
    stale = []
    for _ in range(len(nodes) + 1):
        try:
            trial = v1.GraphDef()
            trial.CopyFrom(repaired.graph_def)  # importing adds default attrs
            with tf2.Graph().as_default():
                v1.import_graph_def(trial, name="")
            break
        except ValueError as e:
            match = _STALE_SHAPES_RE.search(str(e))
            if not match or match.group(1) not in nodes or \
                    "_output_shapes" not in nodes[match.group(1)].attr:
                raise
            node = nodes[match.group(1)]
            del node.attr["_output_shapes"]
            stale.append(f"{node.name} ({node.op})")
    repairs = _repair_variable_collections(repaired)
    if stale:
        repairs.append(
            f"removed the stale _output_shapes attribute of {len(stale)} "
            f"node(s) TF {tf2.__version__} rejected: " + ", ".join(stale))
        log.warning("tf1_dnn: graph written by TF %s: %s",
                    repaired.meta_info_def.tensorflow_version or "1.x",
                    repairs[-1])
    return repaired, repairs


_VARIABLE_COLLECTIONS = ("variables", "trainable_variables",
                         "model_variables", "local_variables",
                         "moving_average_variables")


def _varint(buf, i):
    shift = result = 0
    while True:
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return result, i


def _variable_def_name(raw):
    """`variable_name` (field 1) of a serialized VariableDef, or None.

    (`VariableDef` is not in TensorFlow's public API; this reads the field
    from the protobuf wire format.)"""
    i = 0
    try:
        while i < len(raw):
            key, i = _varint(raw, i)
            field, wire = key >> 3, key & 7
            if wire == 0:
                _, i = _varint(raw, i)
            elif wire == 2:
                size, i = _varint(raw, i)
                if field == 1:
                    return raw[i:i + size].decode()
                i += size
            elif wire == 5:
                i += 4
            elif wire == 1:
                i += 8
            else:
                return None
    except (IndexError, UnicodeDecodeError):
        return None
    return None


def _repair_variable_collections(meta_graph_def):
    """Variable collections TF 1.x stored as node names -> VariableDefs.

    Old graphs (contrib `model_variables` saved by TF 1.1) list variables
    by node name; TF 2.21 warns "collection should be of type 'byte_list'"
    and imports them as plain tensors, so `tf.model_variables()` returns
    tensors instead of variables. The names are replaced by the variables'
    own `VariableDef`s taken from the `variables` collection.
    """
    collections = meta_graph_def.collection_def
    if "variables" not in collections or \
            collections["variables"].WhichOneof("kind") != "bytes_list":
        return []
    defs = {}
    for raw in collections["variables"].bytes_list.value:
        name = _variable_def_name(raw)
        if name:
            defs[name] = raw
            defs[name.split(":")[0]] = raw
    repairs = []
    for key in _VARIABLE_COLLECTIONS:
        if key not in collections or \
                collections[key].WhichOneof("kind") != "node_list":
            continue
        names = list(collections[key].node_list.value)
        if not names or not all(n in defs for n in names):
            continue
        collections[key].ClearField("node_list")
        collections[key].bytes_list.value.extend(defs[n] for n in names)
        repairs.append(f"collection {key!r}: {len(names)} variable(s) stored "
                       "as node names (TF 1.x) converted to VariableDefs")
        log.warning("tf1_dnn: %s", repairs[-1])
    return repairs


def import_meta_graph(meta_graph_or_file, clear_devices=False,
                      import_scope=None, **kwargs):
    """`tf.train.import_meta_graph` that also loads graphs TF 2.21 rejects.

    Same arguments and return value as TF 1.x: imports the graph and the
    collections into the default graph and returns a `Saver` built from the
    saved `SaverDef` (or None if the graph has no variables). Accepts a
    `.meta` path, a `MetaGraphDef`, and also a checkpoint prefix or a
    directory. Graph repairs (see `repair_meta_graph_def`) are logged.

    The returned saver is a `tf1_dnn.checkpoints.Saver`, whose `restore`
    validates before it assigns.
    """
    if isinstance(meta_graph_or_file, v1.MetaGraphDef):
        meta_graph_def = meta_graph_or_file
    else:
        meta_graph_def = load_meta_graph_def(meta_graph_or_file)
    meta_graph_def, _ = repair_meta_graph_def(meta_graph_def)
    saver = v1.train.import_meta_graph(
        meta_graph_def, clear_devices=clear_devices,
        import_scope=import_scope, **kwargs)
    if saver is not None and not isinstance(saver, Saver):
        # Same object, same state: our subclass only adds validation.
        saver.__class__ = Saver
    return saver


# -- restoring ---------------------------------------------------------------

def _const_strings(tensor):
    op = tensor.op
    if op.type != "Const":
        return None
    return [s.decode() if isinstance(s, bytes) else str(s)
            for s in np.ravel(v1.make_ndarray(op.get_attr("value")))]


def _target_shape(assign_op):
    target = assign_op.inputs[0]
    if assign_op.type == "AssignVariableOp":
        handle = target.op
        try:
            return v1.TensorShape(handle.get_attr("shape"))
        except ValueError:
            return v1.TensorShape(None)
    return target.shape


def _find_assign(tensor, depth=3):
    """The Assign/AssignVariableOp fed by `tensor` (through Identity ops, as
    resource-variable savers build them), or None."""
    for consumer in tensor.consumers():
        if consumer.type in ("Assign", "AssignVariableOp"):
            return consumer
    if depth:
        for consumer in tensor.consumers():
            if consumer.type == "Identity":
                found = _find_assign(consumer.outputs[0], depth - 1)
                if found is not None:
                    return found
    return None


def _restore_ops(graph, restore_name):
    """The `RestoreV2` ops that the saver's restore op depends on.

    Walks back from `restore_name` (e.g. "save/restore_all") through data and
    control inputs, so a second `tf.train.Saver()` built after
    `import_meta_graph` -- whose ops TF 2.21 also puts under `save/`
    (`save/RestoreV2_1`) -- is not mistaken for the imported saver.
    """
    try:
        start = graph.get_operation_by_name(restore_name)
    except (KeyError, ValueError):
        return []
    seen, stack, found = set(), [start], []
    while stack:
        op = stack.pop()
        if op.name in seen:
            continue
        seen.add(op.name)
        if op.type == "RestoreV2":
            found.append(op)
            continue
        stack.extend(op.control_inputs)
        stack.extend(t.op for t in op.inputs)
    return sorted(found, key=lambda o: o.name)


def saver_restore_targets(saver, graph=None):
    """{checkpoint key: (target op name, target TensorShape)} for a saver.

    Read from the `RestoreV2` ops the saver's own restore op depends on, so it
    is exact for savers built in Python and savers imported with a `.meta`
    alike, and ignores other savers sharing the `save/` scope. Returns None
    when the restore ops are not `RestoreV2` (V1 savers).
    """
    graph = graph or v1.get_default_graph()
    ops = _restore_ops(graph, saver.saver_def.restore_op_name)
    targets = {}
    for op in ops:
        names = _const_strings(op.inputs[1])
        slices = _const_strings(op.inputs[2])
        if names is None:
            return None
        for i, name in enumerate(names):
            if slices and slices[i]:
                continue  # partitioned slice: leave it to TF
            assign = _find_assign(op.outputs[i])
            if assign is not None:
                targets[name] = (assign.inputs[0].op.name,
                                 _target_shape(assign))
            else:
                targets.setdefault(name, (None, v1.TensorShape(None)))
    return targets if ops else None


def validate_restore(targets, prefix, read_values=True):
    """Raises a clear error if restoring `targets` from `prefix` would fail.

    Args:
      targets: {checkpoint key: (graph variable name, TensorShape)}.
      prefix: checkpoint prefix.
      read_values: also read each tensor once (finds truncated data).
    """
    _data_files(prefix)
    available = checkpoint_variables(prefix)
    missing = [k for k in targets if k not in available]
    if missing:
        lines = []
        for key in missing:
            close = difflib.get_close_matches(key, list(available), n=3,
                                              cutoff=0.5)
            hint = f"; close matches: {close}" if close else ""
            lines.append(f"  {key!r} (graph variable {targets[key][0]!r})"
                         f"{hint}")
        raise CheckpointMismatchError(
            f"{len(missing)} variable(s) of the graph are not in checkpoint "
            f"{prefix!r}:\n" + "\n".join(lines) + "\nThe names differ: "
            "restore through an explicit name map (tf1_dnn.namemap."
            "restore_mapped, with dry_run=True first), or restore only the "
            "variables you need with Saver(var_list=...). Nothing was "
            "assigned.")
    bad = []
    for key, (var_name, shape) in targets.items():
        ckpt_shape = available[key][0]
        if shape.rank is not None and not shape.is_compatible_with(ckpt_shape):
            bad.append(f"  {key!r}: checkpoint shape {ckpt_shape}, graph "
                       f"variable {var_name!r} shape {shape.as_list()}")
    if bad:
        raise CheckpointMismatchError(
            f"Shape mismatch between the graph and checkpoint {prefix!r}:\n"
            + "\n".join(bad) + "\nThe layer sizes differ from the saved "
            "model: build the layers with the saved sizes, or leave these "
            "variables out of the Saver's var_list. Nothing was assigned.")
    if read_values:
        values = read_checkpoint(prefix, list(targets))
        nonfinite = nonfinite_tensors(values)
        if nonfinite:
            log.warning(
                "tf1_dnn: checkpoint %s holds NaN/Inf values as written (not "
                "a loading error): %s", prefix,
                ", ".join(f"{n} ({nan} NaN, {inf} Inf)"
                          for n, (nan, inf) in nonfinite.items()))


def nonfinite_tensors(values):
    """{name: (NaN count, Inf count)} of the float arrays holding any."""
    found = {}
    for name in sorted(values):
        value = np.asarray(values[name])
        if value.dtype.kind not in "fc":
            continue
        nan, inf = int(np.isnan(value).sum()), int(np.isinf(value).sum())
        if nan or inf:
            found[name] = (nan, inf)
    return found


# -- saving ------------------------------------------------------------------

_TMP_TAG = ".tf1dnn-tmp-"
_TMP_RE = re.compile(re.escape(_TMP_TAG) + r"(\d+)-[0-9a-f]+")


def _op_error_text(error):
    """The one line of a TensorFlow `OpError` that says what went wrong
    (without the graph traceback TF 2.x adds)."""
    lines = [line.strip() for line in str(getattr(error, "message", error))
             .splitlines()]
    skip = ("File ", "Detected at node", "Graph execution error", "[[",
            "Node:", "Original stack trace", "(most recent call last)")
    useful = [line for line in lines if line and not line.startswith(skip)]
    return useful[-1] if useful else type(error).__name__


def _pid_alive(pid):
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # alive, owned by someone else
        return True
    return True


def _remove_stale_temporaries(directory, keep=()):
    """Deletes the temporary files a killed `Saver.save` left in `directory`:
    only names holding our tag whose process is gone (TF's `*.tempstate*`
    files of those names included). Returns the names removed."""
    removed = []
    try:
        state = v1.train.get_checkpoint_state(directory or ".")
        if state is not None:
            keep = tuple(keep) + (state.model_checkpoint_path,)
    except Exception:  # an unreadable state file names nothing to keep
        pass
    directory = directory or "."
    for path in [os.path.join(directory, n) for n in os.listdir(directory)
                 if _TMP_TAG in n]:
        match = _TMP_RE.search(os.path.basename(path))
        if not match or any(path.startswith(k + ".") for k in keep
                            if _TMP_TAG in k):
            continue
        if _pid_alive(int(match.group(1))) and \
                int(match.group(1)) != os.getpid():
            continue
        try:
            os.remove(path)
            removed.append(os.path.basename(path))
        except OSError:
            pass
    return removed


def _temp_name(path):
    return f"{path}{_TMP_TAG}{os.getpid()}-{os.urandom(4).hex()}"


def _atomic_write_text(path, text):
    """Writes `text` to `path` through a temporary file and a rename."""
    directory, name = os.path.split(path)
    tmp = os.path.join(directory, "." + name + _TMP_TAG +
                       f"{os.getpid()}-{os.urandom(4).hex()}")
    try:
        with open(tmp, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _checkpoint_files(prefix, meta_suffix):
    """The files of checkpoint `prefix`, the `.index` last."""
    files = sorted(glob.glob(glob.escape(prefix) + ".data-*-of-*"))
    files = [f for f in files if _DATA_RE.search(f)]
    meta = f"{prefix}.{meta_suffix}"
    if os.path.isfile(meta):
        files.append(meta)
    if os.path.isfile(prefix + ".index"):
        files.append(prefix + ".index")
    return files


def _place(src, dst):
    """Puts a copy of `src` at `dst` atomically, leaving `src` in place."""
    tmp = _temp_name(dst)
    try:
        os.link(src, tmp)
    except OSError:  # no hard links on this file system
        import shutil
        shutil.copyfile(src, tmp)
    try:
        os.replace(tmp, dst)
    except BaseException:
        os.remove(tmp)
        raise


class Saver(v1.train.Saver):
    """`tf.train.Saver` whose `save` survives a kill and whose `restore`
    checks before it assigns.

    Same constructor and methods as TF 1.x.

    `save(sess, save_path, global_step=None, ...)` writes the checkpoint
    under a temporary prefix beside the final one (`<prefix>.tf1dnn-tmp-
    <pid>-<hex>`), then puts its files in place (the `.data` shards and the
    `.meta` first, the `.index` last) and rewrites the `checkpoint` state
    file last, through a temporary file and a rename. A kill at any moment
    therefore leaves the previous checkpoint restorable and the state file
    pointing at a complete checkpoint. When the final prefix already exists
    (saving to the same prefix again), the state file points at the complete
    temporary checkpoint while the old files are being replaced. Temporary
    files left by a killed process are deleted by the next `save` in that
    directory. `max_to_keep`, `keep_checkpoint_every_n_hours`, `global_step`
    suffixes, `pad_step_number` and `save_relative_paths` behave as in TF 1.x.
    Unlike TF 1.x, the `.meta` is written before the state file names the
    checkpoint (TF 1.x wrote it after). V1-format savers use TF's `save`.

    `restore(sess, save_path)` also
    accepts a directory or a `.meta` / `.index` file, and raises a
    `CheckpointError` naming the problem and the fix (missing or truncated
    data, missing variables with close matches, shape mismatches) *before*
    any variable is assigned.

    Set `saver.validate = False` to skip the check (then TF's own errors
    come through).
    """

    validate = True

    def save(self, sess, save_path, global_step=None, latest_filename=None,
             meta_graph_suffix="meta", write_meta_graph=True,
             write_state=True, strip_default_attrs=False,
             save_debug_info=False):
        needed = ("_RecordLastCheckpoint", "_MaybeDeleteOldCheckpoints",
                  "_last_checkpoints")
        if self.saver_def is None or \
                self.saver_def.version != v1.train.SaverDef.V2 or \
                getattr(self, "_is_empty", False) or \
                not all(hasattr(self, n) for n in needed):
            return super().save(
                sess, save_path, global_step=global_step,
                latest_filename=latest_filename,
                meta_graph_suffix=meta_graph_suffix,
                write_meta_graph=write_meta_graph, write_state=write_state,
                strip_default_attrs=strip_default_attrs,
                save_debug_info=save_debug_info)
        latest_filename = latest_filename or "checkpoint"
        if not isinstance(save_path, (str, bytes, os.PathLike)):
            raise InputTypeError(
                f"Saver.save: save_path must be a path such as "
                f"'./my_model.ckpt', got {save_path!r} "
                f"({type(save_path).__name__}).")
        if not os.fspath(save_path):
            raise InputError("Saver.save: save_path is empty; pass a prefix "
                             "such as './my_model.ckpt'.")
        if os.path.split(latest_filename)[0]:
            raise InputError(
                "'latest_filename' must not contain path components, got "
                f"{latest_filename!r}.")
        save_path = os.fsdecode(save_path)
        if global_step is not None:
            if not isinstance(global_step, (int, np.integer)):
                global_step = v1.train.global_step(sess, global_step)
            step = f"{int(global_step):08d}" if getattr(
                self, "_pad_step_number", False) else f"{int(global_step)}"
            checkpoint_file = f"{save_path}-{step}"
        else:
            checkpoint_file = save_path
            if os.path.basename(save_path) == latest_filename:
                raise InputError(
                    f"'latest_filename' collides with 'save_path': "
                    f"{latest_filename!r} and {save_path!r}.")
        save_dir = os.path.dirname(save_path)
        try:  # TF 2.x's SaveV2 creates missing parent folders too
            os.makedirs(save_dir or ".", exist_ok=True)
        except OSError as e:
            raise OutputError(
                f"Cannot create the folder {save_dir!r} to save "
                f"{save_path!r} ({e.strerror or e}). Choose a writable "
                "location.") from None
        _remove_stale_temporaries(save_dir)
        tmp = _temp_name(checkpoint_file)
        state_names_tmp = False
        try:
            written = super().save(
                sess, tmp, write_meta_graph=False, write_state=False)
            if written is None:
                return None
            if not os.path.isfile(tmp + ".index"):
                # The save op ran on another machine (a distributed
                # session): its files cannot be renamed from here. Save as
                # TF 1.x does, without the kill-safety.
                log.warning("tf1_dnn: checkpoint %s was written on another "
                            "host; saving it the TF 1.x way (not kill-safe)",
                            checkpoint_file)
                return super().save(
                    sess, save_path, global_step=global_step,
                    latest_filename=latest_filename,
                    meta_graph_suffix=meta_graph_suffix,
                    write_meta_graph=write_meta_graph,
                    write_state=write_state,
                    strip_default_attrs=strip_default_attrs,
                    save_debug_info=save_debug_info)
            if write_meta_graph:
                with sess.graph.as_default():
                    self.export_meta_graph(
                        f"{tmp}.{meta_graph_suffix}",
                        strip_default_attrs=strip_default_attrs,
                        save_debug_info=save_debug_info)
            files = _checkpoint_files(tmp, meta_graph_suffix)
            final = [checkpoint_file + f[len(tmp):] for f in files]
            overwrite = os.path.isfile(checkpoint_file + ".index")
            if overwrite and write_state:
                # The old files are about to be replaced one by one: let the
                # state file name the complete temporary copy meanwhile.
                self._write_state(save_dir, tmp, latest_filename)
                state_names_tmp = True
            elif overwrite:
                os.remove(checkpoint_file + ".index")  # no half checkpoint
            for src, dst in zip(files, final):
                _place(src, dst)
            if write_state:
                self._RecordLastCheckpoint(checkpoint_file)
                self._write_state(save_dir, checkpoint_file, latest_filename)
                state_names_tmp = False
                self._MaybeDeleteOldCheckpoints(
                    meta_graph_suffix=meta_graph_suffix)
        except OSError as e:
            raise OutputError(
                f"Saving checkpoint {checkpoint_file!r} failed: {e}. The "
                "previous checkpoint and the state file are unchanged. Free "
                "disk space or choose a writable directory.") from e
        except tf2.errors.OpError as e:
            raise OutputError(
                f"Saving checkpoint {checkpoint_file!r} failed: "
                f"{_op_error_text(e)}. The previous checkpoint and "
                "the state file are unchanged. Free disk space or choose a "
                "writable directory.") from None
        finally:
            # Kept only if the state file still names them (a failure while
            # the old files were being replaced): then they are the checkpoint.
            for f in [] if state_names_tmp else glob.glob(glob.escape(tmp)
                                                          + "*"):
                try:
                    os.remove(f)
                except OSError:
                    pass
        if write_state:  # the state file no longer names a leftover
            _remove_stale_temporaries(save_dir)
        return checkpoint_file

    def _write_state(self, save_dir, model_checkpoint_path, latest_filename):
        paths = list(self.last_checkpoints)
        if model_checkpoint_path not in paths:
            paths.append(model_checkpoint_path)
        if getattr(self, "_save_relative_paths", False):
            def rel(p):
                return os.path.relpath(p, save_dir) if os.path.isabs(p) \
                    else p
            model_checkpoint_path = rel(model_checkpoint_path)
            paths = [rel(p) for p in paths]
        state = v1.train.generate_checkpoint_state_proto(
            save_dir, model_checkpoint_path,
            all_model_checkpoint_paths=paths)
        _atomic_write_text(os.path.join(save_dir, latest_filename),
                           str(state))

    def restore(self, sess, save_path):
        prefix = resolve_checkpoint(save_path)
        if getattr(self, "validate", True) and self.saver_def is not None:
            targets = saver_restore_targets(self, sess.graph)
            if targets is not None:
                validate_restore(targets, prefix)
            else:
                _data_files(prefix)
        return super().restore(sess, prefix)
