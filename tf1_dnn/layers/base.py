"""`Layer`: the base of tf1_dnn's TF 1.x layers, on core `tf.compat.v1` ops.

Naming follows TF 1.x `tf.layers` exactly:

* a layer gets a *variable scope* the first time it is called:
  `variable_scope(name, default_name=<base name>)`, so default names are made
  unique per graph (`dense`, `dense_1`, ...);
* the functional form (`dense(X, 10, name="hidden1")`) opens the scope
  `hidden1` itself, so calling it twice with the same name and no `reuse`
  raises TF1's "Variable hidden1/kernel already exists, disallowed" (a class
  instance `Dense(10, name="hidden1")` called for the first time instead gets
  the unique scope `hidden1_1`);
* variables live in that variable scope (`hidden1/kernel`), whatever the
  current name scope is, because they are made with `tf.get_variable`;
* ops live in the scope's *original name scope*, i.e. under the name scope
  that was current when the layer was first called
  (`dnn/hidden1/MatMul` inside `tf.name_scope("dnn")`);
* `reuse=True` (or `tf.AUTO_REUSE`) re-enters the variable scope by name and
  shares its variables.

Caveats:
  - Update ops (batch-norm moving averages) are added to `UPDATE_OPS` as
    `tf.Operation`s (TF 1.15; early 1.x releases stored the assign ops'
    output tensors); they only run if you run them
    (`tf.control_dependencies(update_ops)`).
  - A layer built with `trainable=False` reports no `updates` and adds none
    to `UPDATE_OPS` (TF 1.15; early 1.x releases added them anyway): a
    frozen batch-norm layer called with `training=True` still normalizes
    with the batch statistics, but its moving statistics never change.
  - A regularizer that returns `None` (the chapter's max-norm regularizer) adds
    no loss; real losses go to `REGULARIZATION_LOSSES`.
  - `constraint` is stored on the variable; TF1 optimizers apply it after
    each update in `apply_gradients`.
"""

import re
import weakref

from tf1_dnn._compat import require_graph, tf2, v1

__all__ = ["Layer", "InputError"]


# Defined in tf1_dnn.errors (one hierarchy); re-exported here.
from tf1_dnn.errors import InputError, InputTypeError  # noqa: E402


def _snake_case(name):
    s = re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()


# Per-graph counters for the Python-side `layer.name` of unnamed layers.
_NAME_COUNTS = weakref.WeakKeyDictionary()


def _unique_layer_name(base):
    graph = v1.get_default_graph()
    counts = _NAME_COUNTS.setdefault(graph, {})
    n = counts.get(base, 0)
    counts[base] = n + 1
    return base if n == 0 else f"{base}_{n}"


def _own_arguments(arguments):
    """A function's or constructor's own arguments, as keywords.

    `arguments` is its `locals()`, taken as its first statement (so it holds
    the arguments and nothing else): `self` and `__class__` (the cell of a
    zero-argument `super()`) are dropped and `**kwargs` is merged in. This
    lets a public function keep its explicit TF 1.15 signature (what
    `inspect.signature` and positional callers see) while its body forwards
    the arguments in one line instead of repeating the list.
    """
    own = {k: v for k, v in arguments.items()
           if k not in ("self", "__class__", "kwargs")}
    own.update(arguments.get("kwargs") or {})
    return own


def _apply_functional(layer_class, arguments):
    """The body of a functional form (`dense`, `conv2d`, `max_pooling2d`, ...).

    `arguments` is the form's `locals()` (see `_own_arguments`): the layer is
    made from every argument but `inputs`, by keyword, and applied to
    `inputs`. The forms that take `reuse` (the ones with variables) open the
    variable scope `name` themselves (`_scope=name, _reuse=reuse`), as TF
    1.15's did, so two calls with one name and no `reuse` raise "Variable
    ... already exists"; the pooling forms take no `reuse` and do not.
    """
    kwargs = _own_arguments(arguments)
    inputs = kwargs.pop("inputs")
    if "reuse" in kwargs:
        kwargs["_reuse"] = kwargs.pop("reuse")
        kwargs["_scope"] = kwargs["name"]
    return layer_class(**kwargs).apply(inputs)


# --- what Dense and the convolution layers share ----------------------------

_KERNEL_BIAS_ARGUMENTS = (
    "activation", "use_bias", "kernel_initializer", "bias_initializer",
    "kernel_regularizer", "bias_regularizer", "activity_regularizer",
    "kernel_constraint", "bias_constraint")


def _store_kernel_bias_arguments(layer, arguments):
    """Sets the constructor arguments Dense and the convolution layers share.

    `arguments` is the constructor's `locals()`: `activation`, `use_bias`,
    the kernel's and the bias's initializer, regularizer and constraint and
    `activity_regularizer` become attributes of the same names; `kernel` and
    `bias` are None until `build`.
    """
    for key in _KERNEL_BIAS_ARGUMENTS:
        setattr(layer, key, arguments[key])
    layer.kernel = None
    layer.bias = None


def _add_configured_weight(layer, name, shape, prefix=None):
    """`layer.add_weight(name, shape)` with the layer's own
    `<prefix>_initializer`, `<prefix>_regularizer` and `<prefix>_constraint`
    (`prefix` defaults to `name`: "kernel", "bias"; "depthwise" for
    "depthwise_kernel")."""
    prefix = prefix or name
    return layer.add_weight(
        name, shape=shape,
        initializer=getattr(layer, prefix + "_initializer"),
        regularizer=getattr(layer, prefix + "_regularizer"),
        constraint=getattr(layer, prefix + "_constraint"), trainable=True)


def _activate_and_regularize(layer, outputs):
    """The end of Dense's and the convolution layers' `call`.

    Applies `layer.activation` (if any), then adds
    `layer.activity_regularizer(outputs)` (if any) to the layer's losses and
    `REGULARIZATION_LOSSES`, under the name scope `ActivityRegularizer`.
    TF 1.15 divides that loss by the batch size (early 1.x releases did
    not); a regularizer that returns None adds nothing. Returns the
    activated outputs.
    """
    if layer.activation is not None:
        outputs = layer.activation(outputs)
    if layer.activity_regularizer is None:
        return outputs
    with v1.name_scope("ActivityRegularizer"):
        loss = layer.activity_regularizer(outputs)
        if loss is not None:
            batch_size = v1.cast(v1.shape(outputs)[0], loss.dtype)
            loss = loss / batch_size
    if loss is not None:
        layer._losses.append(loss)
        v1.add_to_collection(v1.GraphKeys.REGULARIZATION_LOSSES, loss)
    return outputs


def _add_to_collection(items, key):
    present = set(id(x) for x in v1.get_collection(key))
    for item in items:
        if id(item) not in present:
            v1.add_to_collection(key, item)
            present.add(id(item))


class Layer:
    """Base class: owns variables in a variable scope, ops in a name scope.

    Subclasses implement `build(input_shape)` (create variables with
    `add_weight`) and `call(inputs, ...)`.

    Args:
      trainable: whether the layer's variables go to `TRAINABLE_VARIABLES`.
      name: the layer's name, i.e. its variable scope (made unique per graph
        unless `_reuse` is set).
      dtype: dtype of the variables; None means the dtype of the first input.
      _scope: a variable scope (or its name) to build in.
      _reuse: `True`, `tf.AUTO_REUSE` or None, as in TF 1.x.
    """

    def __init__(self, trainable=True, name=None, dtype=None, _scope=None,
                 _reuse=None, **kwargs):
        if kwargs:
            raise InputTypeError(
                f"{type(self).__name__}() got unexpected keyword arguments: "
                f"{sorted(kwargs)}")
        self.trainable = trainable
        self.built = False
        self.dtype = None if dtype is None else v1.as_dtype(dtype)
        self._reuse = _reuse
        self._base_name = name if name else _snake_case(type(self).__name__)
        self.name = name if name else _unique_layer_name(self._base_name)
        self._scope = None
        self._current_scope = None
        if _scope:
            with v1.variable_scope(_scope) as captured:
                self._scope = captured
        self._trainable_weights = []
        self._non_trainable_weights = []
        self._updates = []
        self._losses = []
        self.input_spec = None

    # -- scopes ---------------------------------------------------------------
    def _set_scope(self, scope=None):
        if self._scope is None:
            if self._reuse:
                with v1.variable_scope(
                        scope if scope is not None else self._base_name
                ) as captured:
                    self._scope = captured
            else:
                with v1.variable_scope(
                        scope, default_name=self._base_name) as captured:
                    self._scope = captured

    @property
    def scope_name(self):
        if not self._scope:
            raise InputError(
                f'No name available for layer scope because the layer '
                f'"{self.name}" has not been used yet. The scope name is '
                "determined the first time the layer instance is called. You "
                "must therefore call the layer before querying `scope_name`.")
        return self._scope.name

    # -- variables ------------------------------------------------------------
    def add_weight(self, name, shape, dtype=None, initializer=None,
                   regularizer=None, trainable=True, constraint=None):
        """Creates (or, when reusing, gets) a variable in the layer's scope.

        The regularizer is called once on the variable under the name scope
        `<variable>/Regularizer`; a `None` result is skipped, a tensor goes to
        `REGULARIZATION_LOSSES`.
        """
        dtype = v1.as_dtype(dtype or self.dtype or tf2.float32)
        existing = set(id(v) for v in v1.global_variables())
        trainable = bool(trainable and self.trainable)
        variable = v1.get_variable(
            name, shape=shape, dtype=dtype, initializer=initializer,
            trainable=trainable, constraint=constraint)
        is_new = id(variable) not in existing
        if trainable:
            self._trainable_weights.append(variable)
        else:
            self._non_trainable_weights.append(variable)
        if regularizer is not None and is_new:
            with v1.name_scope(name + "/Regularizer"):
                loss = regularizer(variable)
            if loss is not None:
                self._losses.append(loss)
                v1.add_to_collection(v1.GraphKeys.REGULARIZATION_LOSSES, loss)
        return variable

    add_variable = add_weight

    def add_update(self, update):
        """Records an update (a tensor or op; tensors are stored as `.op`)."""
        self._updates.append(getattr(update, "op", update))

    # -- calling --------------------------------------------------------------
    def build(self, input_shape):
        self.built = True

    def call(self, inputs, **kwargs):
        return inputs

    def _check_input(self, inputs):
        """Hook for subclasses: validate the converted input tensor."""

    def __call__(self, inputs, *args, **kwargs):
        require_graph(f"tf1_dnn.layers.{type(self).__name__}")
        scope = kwargs.pop("scope", None)
        self._set_scope(scope)
        reuse = True if self.built else self._reuse
        with v1.variable_scope(self._scope, reuse=reuse,
                               auxiliary_name_scope=False) as vscope:
            self._current_scope = vscope
            with v1.name_scope(vscope.original_name_scope):
                inputs = v1.convert_to_tensor(inputs)
                self._check_input(inputs)
                if not self.built:
                    if self.dtype is None and inputs.dtype.is_floating:
                        self.dtype = inputs.dtype.base_dtype
                    self.build(inputs.shape)
                    self.built = True
                outputs = self.call(inputs, *args, **kwargs)
        v1.get_collection_ref(v1.GraphKeys.UPDATE_OPS)  # exists, as in TF1
        _add_to_collection(self.updates, v1.GraphKeys.UPDATE_OPS)
        return outputs

    def apply(self, inputs, *args, **kwargs):
        return self(inputs, *args, **kwargs)

    # -- introspection --------------------------------------------------------
    @property
    def trainable_weights(self):
        return list(self._trainable_weights) if self.trainable else []

    @property
    def non_trainable_weights(self):
        if self.trainable:
            return list(self._non_trainable_weights)
        return list(self._trainable_weights) + list(self._non_trainable_weights)

    # The aliases look the weights up on `self`, so a subclass that
    # overrides `trainable_weights`/`non_trainable_weights` (MultiRNNCell,
    # the RNN cell wrappers) gets consistent aliases without redefining them.
    @property
    def trainable_variables(self):
        return self.trainable_weights

    @property
    def non_trainable_variables(self):
        return self.non_trainable_weights

    @property
    def weights(self):
        return self.trainable_weights + self.non_trainable_weights

    @property
    def variables(self):
        return self.weights

    @property
    def updates(self):
        """The update ops of every call so far; [] if `trainable=False`."""
        return list(self._updates) if self.trainable else []

    @property
    def losses(self):
        return list(self._losses)

    def _layer_error(self, inputs, problem, fix):
        return InputError(
            f"{type(self).__name__} layer '{self.name}' got an input of shape "
            f"{inputs.shape} and dtype {inputs.dtype.name}: {problem}. {fix}")
