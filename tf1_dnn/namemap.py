"""Restore a checkpoint into a graph whose variable names differ.

A name map is an ordered list of rules `old -> new` applied to each
*checkpoint* name to get the *graph* name. Rules replace whole path
components (the parts between `/`), so `weights -> kernel` turns
`hidden1/weights` into `hidden1/kernel` but leaves `my_weights` alone, and
`dnn_1 -> ''` removes a scope (`dnn_1/hidden1/weights` -> `hidden1/weights`).
A rule may span components (`dnn/hidden1 -> encoder/layer1`). A rule whose
old name starts with `^` only matches at the start of the name
(`^hidden1 -> contrib/hidden1` leaves `dnn_1/hidden1/...` alone).

    plan = plan_restore("my_model_final.ckpt", CONTRIB_TO_DENSE + [("dnn_1", "")])
    print(plan.report())          # the dry run: nothing is assigned
    restore_mapped(sess, "my_model_final.ckpt", CONTRIB_TO_DENSE + [("dnn_1", "")],
                   var_list=tf.global_variables())

Presets:
  CONTRIB_TO_DENSE: contrib `fully_connected` / the chapter's `neuron_layer`
    names (`weights`, `biases`) -> `tf.layers.dense` names (`kernel`, `bias`).
  DENSE_TO_CONTRIB: the reverse.

Caveats:
  - Rules apply in order, each once, to every checkpoint name; a later rule
    sees the result of the earlier ones.
  - Two checkpoint names mapping to the same graph name is an error (named),
    never a silent "last one wins".
  - Checkpoint entries that are not graph variables (optimizer slots of an
    optimizer you did not rebuild, `global_step`) are reported as unmatched
    on the checkpoint side; that is normal when you reuse layers.
"""

import difflib

from tf1_dnn._compat import v1
from tf1_dnn.checkpoints import (CheckpointMismatchError, checkpoint_variables,
                                 read_checkpoint, resolve_checkpoint)
from tf1_dnn.errors import InputError, InputTypeError

__all__ = ["CONTRIB_TO_DENSE", "DENSE_TO_CONTRIB", "parse_rules", "map_name",
           "RestorePlan", "plan_restore", "restore_mapped"]

CONTRIB_TO_DENSE = (("weights", "kernel"), ("biases", "bias"))
DENSE_TO_CONTRIB = (("kernel", "weights"), ("bias", "biases"))


def parse_rules(mapping):
    """Normalizes a mapping to a tuple of (old components, new components).

    Args:
      mapping: a dict, an iterable of (old, new) pairs, or of "old=new"
        strings. `old` must be non-empty; `new` may be empty (removes).
    """
    if mapping is None:
        return ()
    if isinstance(mapping, str) or not hasattr(mapping, "__iter__"):
        raise InputTypeError(
            f"A name map must be a dict, a list of (old, new) pairs or a list "
            f"of 'old=new' strings, got {mapping!r} "
            f"({type(mapping).__name__}); e.g. ['weights=kernel'].")
    items = mapping.items() if isinstance(mapping, dict) else mapping
    rules = []
    for item in items:
        if isinstance(item, str):
            if "=" not in item:
                raise InputError(
                    f"Name-map rule {item!r} has no '=': write old=new, e.g. "
                    "weights=kernel or dnn_1= (to remove the dnn_1 scope).")
            old, new = item.split("=", 1)
        else:
            old, new = item
        anchored = old.startswith("^")
        old, new = old.lstrip("^").strip("/"), new.strip("/")
        if not old:
            raise InputError(f"Name-map rule {item!r} has an empty old name.")
        old_parts = tuple(old.split("/"))
        if anchored:
            old_parts = ("^",) + old_parts
        rules.append((old_parts, tuple(new.split("/")) if new else ()))
    return tuple(rules)


def _replace(parts, old, new):
    if old[0] == "^":  # anchored: only at the start of the name
        old = old[1:]
        if tuple(parts[:len(old)]) == old:
            return list(new) + list(parts[len(old):])
        return list(parts)
    out, i, n = [], 0, len(old)
    while i < len(parts):
        if tuple(parts[i:i + n]) == old:
            out.extend(new)
            i += n
        else:
            out.append(parts[i])
            i += 1
    return out


def map_name(name, rules):
    """Applies the rules (see `parse_rules`) to one checkpoint name."""
    parts = name.split("/")
    for old, new in parse_rules(rules) if not _is_parsed(rules) else rules:
        parts = _replace(parts, old, new)
    return "/".join(parts)


def _is_parsed(rules):
    return isinstance(rules, tuple) and all(
        isinstance(r, tuple) and len(r) == 2 and isinstance(r[0], tuple)
        for r in rules)


class RestorePlan:
    """What a mapped restore would do; `report()` is the dry run.

    Attributes:
      prefix: the checkpoint prefix.
      pairs: list of (checkpoint name, graph variable, checkpoint shape).
      unmatched_checkpoint: checkpoint names that map to no graph variable.
      unmatched_graph: graph variables (names) nothing maps to.
      shape_mismatches: (checkpoint name, graph name, ckpt shape, graph shape).
      collisions: {graph name: [checkpoint names]} mapping to the same name.
    """

    def __init__(self, prefix, pairs, unmatched_checkpoint, unmatched_graph,
                 shape_mismatches, collisions):
        self.prefix = prefix
        self.pairs = pairs
        self.unmatched_checkpoint = unmatched_checkpoint
        self.unmatched_graph = unmatched_graph
        self.shape_mismatches = shape_mismatches
        self.collisions = collisions

    @property
    def ok(self):
        """True when every graph variable gets a value of the right shape."""
        return not (self.unmatched_graph or self.shape_mismatches or
                    self.collisions)

    @property
    def var_list(self):
        """{checkpoint name: variable} for `tf.train.Saver`."""
        return {ckpt: var for ckpt, var, _ in self.pairs}

    def report(self):
        lines = [f"name map dry run for {self.prefix}: nothing is assigned"]
        lines.append(f"maps ({len(self.pairs)}):")
        for ckpt, var, shape in self.pairs:
            graph_name = var.op.name
            arrow = "  ==" if ckpt == graph_name else "  ->"
            lines.append(f"  {ckpt} {arrow} {graph_name}  {shape}")
        lines.append(f"unmatched in the checkpoint "
                     f"({len(self.unmatched_checkpoint)}):")
        lines += [f"  {n}" for n in self.unmatched_checkpoint]
        lines.append(f"unmatched in the graph ({len(self.unmatched_graph)}):")
        lines += [f"  {n}" for n in self.unmatched_graph]
        lines.append(f"shape mismatches ({len(self.shape_mismatches)}):")
        lines += [f"  {c} -> {g}: checkpoint {cs}, graph {gs}"
                  for c, g, cs, gs in self.shape_mismatches]
        if self.collisions:
            lines.append(f"collisions ({len(self.collisions)}):")
            lines += [f"  {g} <- {sorted(cs)}"
                      for g, cs in sorted(self.collisions.items())]
        lines.append("OK" if self.ok else "NOT OK: fix the map before "
                     "restoring")
        return "\n".join(lines)

    def __str__(self):
        return self.report()


def plan_restore(checkpoint, mapping=None, var_list=None):
    """Matches checkpoint names (after `mapping`) to graph variables.

    Args:
      checkpoint: prefix, directory or `.meta`/`.index` file.
      mapping: name-map rules (see `parse_rules`); None means identity.
      var_list: the graph variables to restore; default all global
        variables of the default graph.

    Returns:
      A `RestorePlan`. Nothing is read from the `.data` file, nothing is
      assigned.
    """
    prefix = resolve_checkpoint(checkpoint)
    rules = parse_rules(mapping)
    available = checkpoint_variables(prefix)
    if var_list is None:
        var_list = v1.global_variables()
    by_name = {}
    for var in var_list:
        by_name[var.op.name] = var
    mapped = {}
    for ckpt_name in available:
        mapped.setdefault(map_name(ckpt_name, rules), []).append(ckpt_name)
    collisions = {g: c for g, c in mapped.items()
                  if len(c) > 1 and g in by_name}
    pairs, mismatches, unmatched_ckpt = [], [], []
    used = set()
    for graph_name, ckpt_names in sorted(mapped.items()):
        var = by_name.get(graph_name)
        if var is None:
            unmatched_ckpt.extend(ckpt_names)
            continue
        if len(ckpt_names) > 1:
            continue
        ckpt_name = ckpt_names[0]
        shape = available[ckpt_name][0]
        used.add(graph_name)
        if not var.shape.is_compatible_with(shape):
            mismatches.append((ckpt_name, graph_name, shape,
                               var.shape.as_list()))
            continue
        pairs.append((ckpt_name, var, shape))
    unmatched_graph = sorted(n for n in by_name if n not in used and
                             n not in collisions)
    return RestorePlan(prefix, pairs, sorted(unmatched_ckpt), unmatched_graph,
                       mismatches, collisions)


def restore_mapped(sess, checkpoint, mapping=None, var_list=None,
                   dry_run=False, allow_unmatched_graph=False, print_fn=print):
    """Restores a checkpoint through a name map, after checking the plan.

    Args:
      sess: the session whose variables receive the values.
      checkpoint: prefix, directory or `.meta`/`.index` file.
      mapping: name-map rules; see the module docstring.
      var_list: graph variables to fill (default: all global variables).
      dry_run: only print (with `print_fn`) and return the plan.
      allow_unmatched_graph: restore even if some graph variables get no
        value (e.g. new layers you will initialize yourself).
      print_fn: where the dry-run report goes (None: nowhere).

    Returns:
      The `RestorePlan`.

    Raises:
      CheckpointMismatchError: shape mismatches, collisions, or (unless
        allowed) graph variables left without a value -- with the full
        report and close matches. Nothing has been assigned then.
    """
    plan = plan_restore(checkpoint, mapping, var_list)
    if dry_run:
        if print_fn is not None:
            print_fn(plan.report())
        return plan
    problems = bool(plan.shape_mismatches or plan.collisions or
                    (plan.unmatched_graph and not allow_unmatched_graph))
    if problems:
        hints = []
        for name in plan.unmatched_graph:
            close = difflib.get_close_matches(
                name, [map_name(c, parse_rules(mapping))
                       for c in plan.unmatched_checkpoint] +
                plan.unmatched_checkpoint, n=3, cutoff=0.5)
            if close:
                hints.append(f"  {name}: close checkpoint names {close}")
        raise CheckpointMismatchError(
            "The name map does not fit the graph; nothing was assigned.\n"
            + plan.report() + ("\nclose matches:\n" + "\n".join(hints)
                               if hints else ""))
    if not plan.pairs:
        return plan
    values = read_checkpoint(plan.prefix, [c for c, _, _ in plan.pairs])
    for ckpt_name, var, _ in plan.pairs:
        var.load(values[ckpt_name], sess)
    return plan
