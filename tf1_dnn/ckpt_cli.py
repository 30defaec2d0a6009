"""`python -m tf1_dnn ckpt ...`: inspect, diff, rename, export checkpoints.

    python -m tf1_dnn ckpt inspect PATH
    python -m tf1_dnn ckpt diff A B
    python -m tf1_dnn ckpt rename PATH --map weights=kernel --map dnn_1= --out NEW
    python -m tf1_dnn ckpt export PATH --to npz [--out FILE.npz]

PATH may be a prefix, a directory (its `checkpoint` state file), or a
`.meta` / `.index` / `.data-*` file. Nothing is ever overwritten: `rename`
and `export` refuse an output that exists or that is the input.

Outputs are written under a temporary name beside the final one and renamed
into place when complete, so a full disk or a read-only folder leaves
nothing under the final name (and the error says which path and what to do).

Exit codes: 0 success (for `diff`: also when the checkpoints differ; the
report says so), 1 a checkpoint or output error (one line on stderr, no
traceback), 2 usage error.
"""

import argparse
import os
import re
import sys

import numpy as np

from tf1_dnn import checkpoints as ck
from tf1_dnn._compat import tf2, v1
from tf1_dnn import namemap
from tf1_dnn.errors import OutputError, Tf1DnnError

__all__ = ["main", "inspect_checkpoint", "diff_checkpoints",
           "rename_checkpoint", "export_npz", "optimizer_slots",
           "likely_outputs"]

_OPTIMIZER_STATE = re.compile(r"(^|/)(beta1_power|beta2_power)(_\d+)?$")
_SKIP_SCOPES = ("save", "train", "gradients", "init", "optimizer")


def optimizer_slots(names):
    """The names that are optimizer state: `<variable>/<slot>` for another
    variable in `names` (Momentum, Adam, Adam_1, RMSProp, ...), and Adam's
    `beta1_power` / `beta2_power`."""
    names = set(names)
    slots = set()
    for name in names:
        parent = name.rsplit("/", 1)[0] if "/" in name else None
        if parent in names or _OPTIMIZER_STATE.search(name):
            slots.add(name)
    return sorted(slots)


def _in_skipped_scope(name):
    first = name.split("/", 1)[0]
    return re.sub(r"_\d+$", "", first) in _SKIP_SCOPES or \
        "/gradients/" in name


def likely_outputs(graph_def):
    """Tensors that look like model outputs: the logits fed to a softmax
    cross-entropy or `InTopK`, and `Softmax` results, outside the training,
    saving and gradient scopes."""
    by_name = {n.name: n for n in graph_def.node}
    found = []

    def add(tensor):
        name = tensor.lstrip("^")
        if ":" not in name:
            name += ":0"
        if name not in found and not _in_skipped_scope(name):
            found.append(name)

    for node in graph_def.node:
        if _in_skipped_scope(node.name):
            continue
        if node.op in ("SparseSoftmaxCrossEntropyWithLogits",
                       "SoftmaxCrossEntropyWithLogits"):
            add(node.input[0])
        elif node.op in ("InTopK", "InTopKV2"):
            add(node.input[0])
        elif node.op == "Softmax" and node.name in by_name:
            add(node.name)
    return found


def _shape_str(attr):
    if attr.shape.unknown_rank:
        return "<unknown>"
    return "(" + ", ".join("?" if d.size < 0 else str(d.size)
                           for d in attr.shape.dim) + ")"


def _placeholders(graph_def):
    rows = []
    for node in graph_def.node:
        if node.op in ("Placeholder", "PlaceholderWithDefault") and \
                not _in_skipped_scope(node.name):
            dtype = node.attr["dtype"].type
            rows.append((node.name, node.op, _shape_str(node.attr["shape"]),
                         tf2.as_dtype(dtype).name))
    return rows


def _nonfinite(value):
    return ck.nonfinite_tensors({"x": value}).get("x", (0, 0))


def inspect_checkpoint(path):
    """The `inspect` report as a string."""
    prefix = ck.resolve_checkpoint(path)
    variables = ck.checkpoint_variables(prefix)
    values = ck.read_checkpoint(prefix)
    lines = [f"checkpoint: {prefix}"]
    meta = None
    if os.path.isfile(prefix + ".meta"):
        meta = ck.load_meta_graph_def(prefix + ".meta")
        info = meta.meta_info_def
        lines.append(f"written by TensorFlow {info.tensorflow_version or '?'}"
                     f" (git {info.tensorflow_git_version or '?'})")
    else:
        lines.append("written by TensorFlow ? (no .meta file beside it)")
    slots = set(optimizer_slots(variables))
    model = [n for n in variables if n not in slots]
    lines.append(f"variables ({len(model)}):")
    flagged = []
    for name in model:
        shape, dtype = variables[name]
        nan, inf = _nonfinite(values[name])
        note = ""
        if nan or inf:
            note = f"  <-- {nan} NaN, {inf} Inf"
            flagged.append(name)
        lines.append(f"  {name}  {shape}  {dtype}{note}")
    lines.append(f"optimizer slots ({len(slots)}):")
    for name in sorted(slots):
        shape, dtype = variables[name]
        nan, inf = _nonfinite(values[name])
        note = f"  <-- {nan} NaN, {inf} Inf" if nan or inf else ""
        if note:
            flagged.append(name)
        lines.append(f"  {name}  {shape}  {dtype}{note}")
    if meta is not None:
        rows = _placeholders(meta.graph_def)
        lines.append(f"placeholders ({len(rows)}):")
        lines += [f"  {n}  {op}  {shape}  {dt}" for n, op, shape, dt in rows]
        outs = likely_outputs(meta.graph_def)
        lines.append(f"likely outputs ({len(outs)}):")
        lines += [f"  {o}" for o in outs]
    if flagged:
        lines.append(f"NaN/Inf values in {len(flagged)} tensor(s) as written "
                     "in the checkpoint: " + ", ".join(flagged))
    else:
        lines.append("all values finite")
    return "\n".join(lines)


def _equal(a, b):
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.dtype.kind in "fc":
        return bool(np.array_equal(a, b, equal_nan=True))
    return bool(np.array_equal(a, b))


def diff_checkpoints(path_a, path_b):
    """The `diff` report as a string, and whether the two are identical."""
    a, b = ck.resolve_checkpoint(path_a), ck.resolve_checkpoint(path_b)
    va, vb = ck.checkpoint_variables(a), ck.checkpoint_variables(b)
    lines = [f"A: {a}", f"B: {b}"]
    only_a = sorted(set(va) - set(vb))
    only_b = sorted(set(vb) - set(va))
    common = sorted(set(va) & set(vb))
    lines.append(f"only in A ({len(only_a)}):")
    lines += [f"  {n}  {va[n][0]}  {va[n][1]}" for n in only_a]
    lines.append(f"only in B ({len(only_b)}):")
    lines += [f"  {n}  {vb[n][0]}  {vb[n][1]}" for n in only_b]
    mismatched, changed, same = [], [], 0
    values_a = ck.read_checkpoint(a, common)
    values_b = ck.read_checkpoint(b, common)
    for name in common:
        if va[name] != vb[name]:
            mismatched.append(f"  {name}: A {va[name][0]} {va[name][1]}, "
                              f"B {vb[name][0]} {vb[name][1]}")
        elif not _equal(values_a[name], values_b[name]):
            x, y = values_a[name], values_b[name]
            if x.dtype.kind in "fc":
                with np.errstate(invalid="ignore"):
                    diff = np.nanmax(np.abs(x - y)) if np.isfinite(
                        x - y).any() else float("nan")
                changed.append(f"  {name}: max |A-B| = {diff:.6g}")
            else:
                changed.append(f"  {name}: values differ")
        else:
            same += 1
    lines.append(f"shape/dtype differs ({len(mismatched)}):")
    lines += mismatched
    lines.append(f"values differ ({len(changed)}):")
    lines += changed
    lines.append(f"identical ({same})")
    identical = not (only_a or only_b or mismatched or changed)
    lines.append("checkpoints are identical" if identical else
                 "checkpoints differ")
    return "\n".join(lines), identical


def _refuse_output(out, inputs):
    """Raises if `out` exists (any checkpoint file) or is an input."""
    out = os.path.abspath(out)
    for path in inputs:
        if out == os.path.abspath(path):
            raise ck.CheckpointError(
                f"--out {out!r} is the input checkpoint: choose a new path; "
                "the input is never overwritten.")
    existing = [p for p in (out, out + ".index", out + ".meta")
                if os.path.exists(p)]
    existing += [p for p in _glob_data(out)]
    if existing:
        raise ck.CheckpointError(
            f"--out {out!r} already exists ({', '.join(existing)}): choose a "
            "new path; nothing is overwritten.")


def _glob_data(prefix):
    import glob
    return glob.glob(glob.escape(prefix) + ".data-*")


def rename_checkpoint(path, rules, out):
    """Writes a copy of the checkpoint with renamed variables.

    Only the `.index`/`.data` pair is written (no `.meta`: the graph of the
    old names would not match). Returns (new prefix, [(old, new)]).
    """
    prefix = ck.resolve_checkpoint(path)
    _refuse_output(out, [prefix])
    rules = namemap.parse_rules(rules)
    values = ck.read_checkpoint(prefix)
    renamed = {}
    for name in values:
        new = namemap.map_name(name, rules)
        if not new:
            raise ck.CheckpointError(f"The map turns {name!r} into an empty "
                                     "name.")
        if new in renamed:
            raise ck.CheckpointError(
                f"The map gives {renamed[new]!r} and {name!r} the same name "
                f"{new!r}: make the rules more specific (e.g. anchor with ^).")
        renamed[new] = name
    graph = tf2.Graph()
    with graph.as_default():
        feeds, var_list = {}, {}
        for i, (new, old) in enumerate(sorted(renamed.items())):
            value = values[old]
            ph = v1.placeholder(tf2.as_dtype(value.dtype), value.shape,
                                name=f"value_{i}")
            var = v1.Variable(ph, name=f"v{i}", trainable=False)
            feeds[ph] = value
            var_list[new] = var
        saver = ck.Saver(var_list)  # writes under a temporary prefix
        init = v1.variables_initializer(list(var_list.values()))
        config = v1.ConfigProto(intra_op_parallelism_threads=1,
                                inter_op_parallelism_threads=1)
        with v1.Session(graph=graph, config=config) as sess:
            sess.run(init, feeds)
            parent = os.path.dirname(os.path.abspath(out))
            try:
                os.makedirs(parent, exist_ok=True)
            except OSError as e:
                raise OutputError(
                    f"--out {out!r}: cannot create the folder {parent!r} "
                    f"({e.strerror}). Choose a writable location.") from None
            new_prefix = saver.save(sess, out, write_meta_graph=False,
                                    write_state=False)
    return new_prefix, sorted((old, new) for new, old in renamed.items())


def export_npz(path, out=None):
    """Writes the checkpoint's tensors to a `.npz` of plain numpy arrays
    (keys are the variable names). Returns the file written."""
    prefix = ck.resolve_checkpoint(path)
    if out is None:
        out = os.path.basename(prefix) + ".npz"
    if not out.endswith(".npz"):
        out += ".npz"
    if os.path.exists(out):
        raise ck.CheckpointError(f"{out!r} already exists: choose another "
                                 "--out; nothing is overwritten.")
    values = ck.read_checkpoint(prefix)
    parent = os.path.dirname(os.path.abspath(out))
    tmp = os.path.join(parent, f".{os.path.basename(out)}.tf1dnn-tmp-"
                       f"{os.getpid()}-{os.urandom(4).hex()}")
    try:
        with open(tmp, "xb") as f:
            np.savez(f, **values)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, out)  # fails if `out` appeared meanwhile
        except FileExistsError:
            raise ck.CheckpointError(f"{out!r} already exists: choose another "
                                     "--out; nothing is overwritten.") \
                from None
        except OSError:  # no hard links here: exists-check above, rename
            os.replace(tmp, out)
    except OSError as e:
        raise OutputError(
            f"Cannot write {out!r}: {e.strerror or e}. Nothing was written "
            "under that name. Free disk space or choose a writable --out.") \
            from None
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return out


def _parser():
    p = argparse.ArgumentParser(
        prog="python -m tf1_dnn ckpt",
        description="Inspect, compare, rename or export TF 1.x checkpoints. "
        "PATH: a prefix, a directory or a .meta/.index file.")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("inspect", help="TF version, variables, placeholders, "
                       "outputs, optimizer slots, NaN/Inf")
    s.add_argument("path")
    s = sub.add_parser("diff", help="compare two checkpoints")
    s.add_argument("a")
    s.add_argument("b")
    s = sub.add_parser("rename", help="write a copy with renamed variables")
    s.add_argument("path")
    s.add_argument("--map", action="append", default=[], metavar="OLD=NEW",
                   help="rename path components (repeatable; OLD may start "
                   "with ^ to match only at the start; NEW may be empty)")
    s.add_argument("--out", required=True, help="new checkpoint prefix")
    s.add_argument("--dry-run", action="store_true",
                   help="print what would be renamed, write nothing")
    s = sub.add_parser("export", help="write plain numpy arrays")
    s.add_argument("path")
    s.add_argument("--to", choices=["npz"], required=True)
    s.add_argument("--out", help="output file (default: <prefix name>.npz "
                   "in the current directory)")
    return p


def main(argv=None):
    args = _parser().parse_args(argv)
    try:
        if args.cmd == "inspect":
            print(inspect_checkpoint(args.path))
        elif args.cmd == "diff":
            print(diff_checkpoints(args.a, args.b)[0])
        elif args.cmd == "rename":
            if not args.map:
                raise ck.CheckpointError("rename needs at least one --map "
                                         "OLD=NEW")
            if args.dry_run:
                prefix = ck.resolve_checkpoint(args.path)
                rules = namemap.parse_rules(args.map)
                for name in ck.checkpoint_variables(prefix):
                    new = namemap.map_name(name, rules)
                    print(f"{name} -> {new}" if new != name else
                          f"{name} (unchanged)")
                return 0
            new_prefix, pairs = rename_checkpoint(args.path, args.map,
                                                  args.out)
            changed = [(o, n) for o, n in pairs if o != n]
            for old, new in changed:
                print(f"{old} -> {new}")
            print(f"wrote {new_prefix} ({len(pairs)} tensors, "
                  f"{len(changed)} renamed)")
        elif args.cmd == "export":
            print(f"wrote {export_npz(args.path, args.out)}")
    except (Tf1DnnError, ValueError, OSError) as e:
        text = " ".join(str(e).split()) if isinstance(e, OSError) and \
            not isinstance(e, Tf1DnnError) else str(e)
        print(f"tf1_dnn ckpt {args.cmd}: error: {text}", file=sys.stderr)
        return 1
    return 0
