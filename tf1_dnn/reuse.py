"""The chapter's patterns for reusing pretrained layers, as functions.

Reuse a whole TF model (`import_meta_graph`), find its tensors and ops::

    saver = tf.train.import_meta_graph("./my_model_final.ckpt.meta")
    X = get_tensor("X:0")                       # error lists close names
    training_op = get_operation("GradientDescent")
    X, y, accuracy, training_op = important_ops()   # "my_important_ops"

Reuse only the lower layers of a Python-built graph (partial restore)::

    restore_saver = restore_saver_for("hidden[123]")   # Saver({op.name: var})
    restore_saver.restore(sess, "./my_model_final.ckpt")

Reuse weights from another framework::

    feeds = initial_value_feeds({"hidden1/kernel": W, "hidden1/bias": b})
    sess.run(init, feed_dict=feeds)             # the Assign ops' input 1
    assign = make_assigner([kernel, bias])      # or dedicated assign ops
    assign(sess, {kernel: W, bias: b})

Freeze the lower layers, by var_list or with `tf.stop_gradient`::

    training_op = minimize_scope(optimizer, loss, "hidden[34]|outputs")
    hidden2_stop = tf.stop_gradient(hidden2)

Cache the frozen layers' output and train on the cache::

    h2_cache = cache_outputs(sess, hidden2, {X: X_train})
    for h2_batch, y_batch in shuffled_batches(h2_cache, y_train, n_batches):
        sess.run(training_op, feed_dict={hidden2: h2_batch, y: y_batch})

Caveats (TF 1.x behaviour):
  - Feeding a tensor that is computed in the graph (`hidden2`) overrides it:
    the frozen layers are not run at all. Feed a value for the *frozen*
    tensor only; feeding a trainable layer's output would silently cut its
    gradient too.
  - `get_collection(..., scope="hidden[123]")` is a *regular expression*
    matched at the start of the name (`re.match`): `hidden1` also matches
    `hidden10/...`, and a name scope such as `dnn/` in front of the variable
    name means no match.
  - `import_meta_graph` brings the old optimizer, savers and loss too; your
    new optimizer must get `var_list` or it also trains the old layers.
  - `minimize(var_list=...)` freezes by leaving variables out, but the
    gradients of the frozen layers are still computed when a trainable layer
    is below them; `stop_gradient` cuts the backward pass itself.
"""

import difflib

import numpy as np

from tf1_dnn._compat import v1
from tf1_dnn.checkpoints import Saver
from tf1_dnn.errors import GraphNameError, InputError, InputTypeError

__all__ = ["get_tensor", "get_operation", "add_important_ops",
           "important_ops", "restore_saver_for", "initial_value_feeds",
           "make_assigner", "trainable_in_scope", "minimize_scope",
           "cache_outputs", "shuffled_batches"]


def _close_names(name, graph):
    names = [op.name for op in graph.get_operations()]
    return difflib.get_close_matches(name.split(":")[0], names, n=5,
                                     cutoff=0.6)


def get_tensor(name, graph=None):
    """`graph.get_tensor_by_name` whose error lists the closest op names.

    Args:
      name: "op_name:index" (e.g. "X:0", "dnn/hidden3/Relu:0").
    """
    graph = graph or v1.get_default_graph()
    if not isinstance(name, str):
        raise InputTypeError(f"get_tensor: name must be a string like "
                             f"'X:0', got {name!r} ({type(name).__name__}).")
    if ":" not in name:
        if name not in {op.name for op in graph.get_operations()}:
            raise GraphNameError(
                f"The graph has no tensor or operation {name!r}. Closest "
                f"operations: {_close_names(name, graph)}. A tensor name is "
                "'op_name:index', e.g. 'X:0'.")
        raise InputError(
            f"{name!r} is an operation name; a tensor name needs the output "
            f"index: {name + ':0'!r} (':1' is the second output).")
    try:
        return graph.get_tensor_by_name(name)
    except KeyError:
        raise GraphNameError(
            f"The graph has no tensor {name!r}. Closest operations: "
            f"{_close_names(name, graph)}. List them all with "
            "[op.name for op in graph.get_operations()].") from None


def get_operation(name, graph=None):
    """`graph.get_operation_by_name` whose error lists the closest names."""
    graph = graph or v1.get_default_graph()
    try:
        return graph.get_operation_by_name(name)
    except KeyError:
        raise GraphNameError(
            f"The graph has no operation {name!r}. Closest: "
            f"{_close_names(name, graph)}.") from None


def add_important_ops(ops, collection="my_important_ops"):
    """Adds the tensors/ops a re-user needs to a named collection (the
    author's side of the chapter's recipe). It is saved in the `.meta`."""
    for op in ops:
        v1.add_to_collection(collection, op)


def important_ops(collection="my_important_ops", graph=None):
    """The re-user's side: `X, y, accuracy, training_op = important_ops()`.

    Raises:
      KeyError: the collection is empty, listing the collections the graph
        has.
    """
    graph = graph or v1.get_default_graph()
    items = graph.get_collection(collection)
    if not items:
        raise GraphNameError(
            f"The graph has no collection {collection!r}. Its collections: "
            f"{sorted(graph.get_all_collection_keys())}.")
    return items


def restore_saver_for(scope, collection=v1.GraphKeys.GLOBAL_VARIABLES,
                      graph=None):
    """A Saver restoring only the variables whose name matches `scope`.

    The chapter's partial restore::

        reuse_vars = tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES,
                                       scope="hidden[123]")
        reuse_vars_dict = dict([(var.op.name, var) for var in reuse_vars])
        restore_saver = tf.train.Saver(reuse_vars_dict)

    Returns a `tf1_dnn.checkpoints.Saver` (clear errors, nothing assigned
    on a mismatch).

    Raises:
      ValueError: no variable matches (names the variables there are).
    """
    graph = graph or v1.get_default_graph()
    reuse_vars = graph.get_collection(collection, scope=scope)
    if not reuse_vars:
        names = [v.op.name for v in graph.get_collection(collection)]
        raise InputError(
            f"No variable in {collection!r} matches scope={scope!r} (a regular "
            f"expression matched at the start of the name). Variables: "
            f"{names[:20]}{' ...' if len(names) > 20 else ''}")
    return Saver({var.op.name: var for var in reuse_vars})


def _variable(var_or_name, graph):
    if isinstance(var_or_name, str):
        name = var_or_name.split(":")[0]
        for var in graph.get_collection(v1.GraphKeys.GLOBAL_VARIABLES):
            if var.op.name == name:
                return var
        raise GraphNameError(f"No global variable named {name!r}; close: "
                       f"{_close_names(name, graph)}")
    return var_or_name


def initial_value_feeds(values, graph=None):
    """Feeds that make the variables' initializers assign `values`.

    Every TF1 variable `v` has an `<v>/Assign` op whose second input is the
    initial value; feeding that input when running the init op assigns your
    value instead (the chapter's trick for weights from another framework)::

        sess.run(tf.global_variables_initializer(),
                 feed_dict=initial_value_feeds({"hidden1/kernel": W}))

    Args:
      values: {variable or variable name: array}.

    Returns:
      A feed dict {initial-value tensor: array}.

    Raises:
      ValueError: an array of the wrong shape (both shapes named).
    """
    graph = graph or v1.get_default_graph()
    feeds = {}
    for key, value in values.items():
        var = _variable(key, graph)
        init_value = var.initializer.inputs[1]
        value = np.asarray(value)
        if not init_value.shape.is_compatible_with(value.shape):
            raise InputError(
                f"Value for {var.op.name!r} has shape {list(value.shape)}, the "
                f"variable has shape {init_value.shape.as_list()}.")
        feeds[init_value] = value
    return feeds


def make_assigner(variables):
    """Dedicated assign ops: returns `assign(sess, {var: value})`.

    Builds one placeholder and one `tf.assign` per variable, once, so it can
    be called any number of times (after initialization)::

        assign = make_assigner([kernel, bias])
        assign(sess, {kernel: W, bias: b})
    """
    variables = list(variables)
    placeholders, ops = {}, {}
    for var in variables:
        with v1.name_scope(var.op.name + "/external"):
            ph = v1.placeholder(var.dtype.base_dtype, var.shape, name="value")
            placeholders[var] = ph
            ops[var] = v1.assign(var, ph, name="assign")

    def assign(sess, values):
        unknown = [v for v in values if v not in ops]
        if unknown:
            raise GraphNameError(f"make_assigner was not built for {unknown}; "
                           f"it handles {[v.op.name for v in variables]}")
        sess.run([ops[v] for v in values],
                 {placeholders[v]: np.asarray(x) for v, x in values.items()})

    return assign


def trainable_in_scope(scope, graph=None):
    """`get_collection(TRAINABLE_VARIABLES, scope=scope)`, never empty.

    Raises:
      ValueError: nothing matches (a frozen-everything optimizer is almost
        always a mistake: `minimize(var_list=[])` raises in TF anyway).
    """
    graph = graph or v1.get_default_graph()
    found = graph.get_collection(v1.GraphKeys.TRAINABLE_VARIABLES, scope=scope)
    if not found:
        names = [v.op.name for v in
                 graph.get_collection(v1.GraphKeys.TRAINABLE_VARIABLES)]
        raise InputError(f"No trainable variable matches scope={scope!r}. "
                         f"Trainable variables: {names}")
    return found


def minimize_scope(optimizer, loss, scope, name=None):
    """`optimizer.minimize(loss, var_list=<trainable vars in scope>)`:
    freezes every other layer (the chapter's `scope="hidden[34]|outputs"`)."""
    return optimizer.minimize(loss, var_list=trainable_in_scope(scope),
                              name=name)


def cache_outputs(sess, tensor, feed_dict, batch_size=None):
    """Runs the frozen layers once over the data: `sess.run(tensor, feed)`.

    Args:
      feed_dict: {placeholder: full array}; arrays are split along axis 0
        into batches of `batch_size` (None: one run, as in the chapter).

    Returns:
      The numpy array of `tensor` for every instance.

    The batched loop is `tf1_dnn.frozen_cache.run_in_batches` (also behind
    `frozen_cache.cache_activations`).
    """
    if batch_size is None:
        return sess.run(tensor, feed_dict)
    from tf1_dnn.frozen_cache import run_in_batches
    return run_in_batches(sess, tensor, feed_dict, batch_size)


def shuffled_batches(cache, labels, n_batches, rng=np.random):
    """The chapter's epoch over the cache: one permutation, then
    `np.array_split` into `n_batches` (sizes may differ by one)."""
    from tf1_dnn.training import shuffled_batch_indices
    batches = shuffled_batch_indices(len(cache), n_batches, rng)  # now
    return ((cache[idx], labels[idx]) for idx in batches)
