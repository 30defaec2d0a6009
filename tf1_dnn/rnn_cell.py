"""`tf.nn.rnn_cell`: TF 1.15's recurrent cells on core `tf.compat.v1` ops.

    from tf1_dnn import tf
    cell = tf.nn.rnn_cell.BasicLSTMCell(num_units=150)
    outputs, state = tf.nn.dynamic_rnn(cell, X, dtype=tf.float32)

On TensorFlow 2.21 with Keras 3, `tf.compat.v1.nn.rnn_cell.*` raise "... is not
available with Keras 3". These classes replace them. They build the graph TF
1.15 built: the same variable names (`rnn/basic_lstm_cell/kernel`,
`rnn/multi_rnn_cell/cell_0/gru_cell/gates/kernel`, `.../w_f_diag`,
`.../projection/kernel`), the same gate order (LSTM: i, j, f, o; GRU: r, u) and
the same op sequence, so TF 1.x checkpoints restore into them and give the same
numbers. `tf.nn.dynamic_rnn`, `static_rnn`, `bidirectional_dynamic_rnn`,
`raw_rnn` and `tf.while_loop` accept them as they are.

Caveats (TF 1.x behaviour, kept on purpose):
  - `forget_bias` (default 1.0) is *added to the forget-gate pre-activation at
    run time*; it is not stored in the `bias` variable (initialized to zeros).
    Weights converted from Keras/cuDNN LSTMs (whose bias includes it) need 1.0
    subtracted from the forget quarter, and `forget_bias=0.0` here reproduces a
    Keras LSTM.
  - Gate order in the kernel's columns: LSTM `i, j, f, o` (input, new input,
    forget, output) -- Keras uses `i, f, c, o`. GRU `gates/kernel` holds
    `r, u` (reset, update) and the new state is `u * h + (1 - u) * c`.
  - `state_is_tuple=False` concatenates `[c, h]` into one tensor (deprecated
    in TF 1.x but still found in old checkpoints and code); passing an
    `LSTMStateTuple` to such a cell is an error here (TF 1.x failed later in
    an unrelated op).
  - A wrapper (`DropoutWrapper`, `ResidualWrapper`, `DeviceWrapper`) opens no
    variable scope: the wrapped cell's variables keep their own names
    (`rnn/basic_lstm_cell/kernel`, not `rnn/dropout_wrapper/...`).
  - `DropoutWrapper` never drops the `c` part of an `LSTMStateTuple` (the
    default `dropout_state_filter_visitor`), and draws a new mask at every
    step unless `variational_recurrent=True`. Wrapping each cell of a
    `MultiRNNCell` with output dropout drops between layers; wrapping the
    `MultiRNNCell` drops only the top layer's output.
  - Keep probabilities must lie in (0, 1] (TF 1.x accepted 0, which divides by
    zero); a keep probability given as a tensor is not checked.
"""

import collections
import hashlib
import numbers

from tf1_dnn._compat import require_graph, tf2, v1
from tf1_dnn.errors import Tf1DnnError
from tf1_dnn.layers.base import InputError, Layer

__all__ = ["RNNCell", "LayerRNNCell", "BasicRNNCell", "BasicLSTMCell",
           "LSTMCell", "GRUCell", "MultiRNNCell", "DropoutWrapper",
           "ResidualWrapper", "DeviceWrapper", "LSTMStateTuple",
           "RNNInputError", "dynamic_rnn"]

_BIAS = "bias"
_WEIGHTS = "kernel"
_nest = tf2.nest
_inest = tf2.__internal__.nest


class RNNInputError(InputError, Tf1DnnError):
    """Bad input, state or argument given to a recurrent cell or RNN function.

    A `ValueError` (through `tf1_dnn.layers.InputError`) and a `Tf1DnnError`.
    """


def _activation(activation):
    if not activation:
        return v1.tanh
    if isinstance(activation, str):
        for module in (v1.nn, v1.math):
            fn = getattr(module, activation, None)
            if fn is not None:
                return fn
        raise RNNInputError(
            f"activation={activation!r} is not a function of tf.nn or "
            "tf.math. Pass a callable such as tf.nn.relu.")
    return activation


def _concat(prefix, suffix, static=False):
    """Concatenates a batch size and a state size into a shape.

    `prefix`/`suffix` are ints, TensorShapes or scalar/vector int tensors.
    Returns a python list (possibly with None) if `static`, else a tensor.
    """
    def parts(x):
        if isinstance(x, (v1.Tensor, tf2.Variable)):
            tensor = v1.convert_to_tensor(x)
            if tensor.shape.ndims == 0:
                tensor = v1.expand_dims(tensor, 0)
            elif tensor.shape.ndims != 1:
                raise RNNInputError(
                    f"A size tensor must be a scalar or a vector, got {x}.")
            value = v1.get_static_value(tensor)
            static_value = (None if value is None
                            else [int(d) for d in value.reshape(-1)])
            if static_value is None and tensor.shape[0] is not None:
                static_value = [None] * int(tensor.shape[0])
            return tensor, static_value
        shape = v1.TensorShape(x)
        static_value = shape.as_list() if shape.ndims is not None else None
        tensor = (v1.constant(static_value, dtype=v1.int32)
                  if shape.is_fully_defined() else None)
        return tensor, static_value

    p, p_static = parts(prefix)
    s, s_static = parts(suffix)
    if static:
        shape = v1.TensorShape(p_static).concatenate(s_static)
        return shape.as_list() if shape.ndims is not None else None
    if p is None or s is None:
        raise RNNInputError(
            f"Cannot build a zero state from batch size {prefix!r} and state "
            f"size {suffix!r}: both must be known.")
    return v1.concat((p, s), 0)


def _zero_state_tensors(state_size, batch_size, dtype):
    def zeros(size):
        tensor = v1.zeros(_concat(batch_size, size), dtype=dtype)
        tensor.set_shape(_concat(batch_size, size, static=True))
        return tensor
    return _nest.map_structure(zeros, state_size)


def _check_dtypes(cell, tensors):
    for t in _nest.flatten(tensors):
        dtype = getattr(t, "dtype", None)
        if dtype is not None and not (dtype.is_floating or dtype.is_complex):
            raise RNNInputError(
                f"{type(cell).__name__} '{cell.name}' got a {dtype.name} "
                "tensor: RNN cells only take floating point inputs and "
                "states. Cast it with tf.cast(x, tf.float32) (or embed "
                "integer ids with tf.nn.embedding_lookup first).")


def _check_state(cell, state):
    """Raises RNNInputError if `state` does not match `cell.state_size`."""
    expected = cell.state_size
    try:
        _nest.assert_same_structure(expected, state, check_types=False)
    except (ValueError, TypeError):
        hint = ""
        if _nest.is_nested(state) and not _nest.is_nested(expected):
            hint = (" The cell was built with state_is_tuple=False: pass one "
                    "concatenated tensor tf.concat([c, h], 1), or build the "
                    "cell with state_is_tuple=True.")
        elif _nest.is_nested(expected) and not _nest.is_nested(state):
            hint = (" The cell keeps its state as a tuple "
                    "(state_is_tuple=True): pass e.g. LSTMStateTuple(c, h), "
                    "or cell.zero_state(batch_size, dtype).")
        raise RNNInputError(
            f"{type(cell).__name__} '{cell.name}' got a state of the wrong "
            f"structure: expected one like state_size={expected!r}, got "
            f"{state!r}.{hint}") from None
    for size, tensor in zip(_nest.flatten(expected), _nest.flatten(state)):
        if not hasattr(tensor, "shape") or isinstance(size, v1.Tensor):
            continue
        want = v1.TensorShape(size).as_list()
        got = v1.TensorShape(tensor.shape)
        if got.ndims is None or want is None:
            continue
        if got.ndims != len(want) + 1 or any(
                g is not None and w is not None and g != w
                for g, w in zip(got.as_list()[1:], want)):
            raise RNNInputError(
                f"{type(cell).__name__} '{cell.name}' got a state part of "
                f"shape {got} where [batch_size] + {want} was expected "
                f"(state_size={expected!r}). Start from "
                "cell.zero_state(batch_size, dtype).")


class RNNCell(Layer):
    """Abstract RNN cell: `(output, new_state) = cell(inputs, state)`.

    Subclasses define `state_size`, `output_size` and `call(inputs, state)`.
    A subclass of `RNNCell` itself may create variables with
    `tf.get_variable` inside `call` (TF 1.x allowed it): calling the cell
    enters `scope` (or, the first time, the current variable scope) with a
    custom getter that records them in `trainable_weights`. Subclasses of
    `LayerRNNCell` create them in `build` instead.
    """

    def __init__(self, trainable=True, name=None, dtype=None, **kwargs):
        reuse = kwargs.pop("_reuse", None)
        super().__init__(trainable=trainable, name=name, dtype=dtype,
                         _reuse=reuse, **kwargs)
        self._is_tf_rnn_cell = True
        self._rnncell_scope = None

    def __call__(self, inputs, state, scope=None):
        if scope is not None:
            with v1.variable_scope(scope, custom_getter=self._rnn_get_variable
                                   ) as entered:
                return self._layer_call(inputs, state, scope=entered)
        if self._rnncell_scope is None:
            self._rnncell_scope = v1.get_variable_scope()
        with v1.variable_scope(self._rnncell_scope,
                               custom_getter=self._rnn_get_variable):
            return self._layer_call(inputs, state)

    def _layer_call(self, inputs, state, scope=None):
        _check_state(self, state)
        if scope is None:
            return Layer.__call__(self, inputs, state)
        return Layer.__call__(self, inputs, state, scope=scope)

    def _rnn_get_variable(self, getter, *args, **kwargs):
        variable = getter(*args, **kwargs)
        trainable_ids = set(id(v) for v in v1.trainable_variables())
        parts = ([variable] if isinstance(variable, tf2.Variable)
                 else list(variable))  # a PartitionedVariable
        target = (self._trainable_weights if id(parts[0]) in trainable_ids
                  else self._non_trainable_weights)
        if all(variable is not v for v in target):
            target.append(variable)
        return variable

    @property
    def state_size(self):
        """Size(s) of the state: int, TensorShape, or a nested tuple of them."""
        raise NotImplementedError("Abstract method")

    @property
    def output_size(self):
        """Integer or TensorShape: size of the outputs."""
        raise NotImplementedError("Abstract method")

    def get_initial_state(self, inputs=None, batch_size=None, dtype=None):
        """The zero state, sized from `inputs` or `batch_size` and `dtype`."""
        if inputs is not None:
            inputs = v1.convert_to_tensor(inputs, name="inputs")
            if dtype is not None and inputs.dtype != dtype:
                raise RNNInputError(
                    f"get_initial_state: inputs have dtype {inputs.dtype.name}"
                    f" but dtype={v1.as_dtype(dtype).name} was passed.")
            batch_size = (v1.dimension_value(inputs.shape[0])
                          or v1.shape(inputs)[0])
            dtype = inputs.dtype
        if batch_size is None or dtype is None:
            raise RNNInputError(
                "batch_size and dtype cannot be None while constructing the "
                f"initial state: batch_size={batch_size}, dtype={dtype}.")
        return self.zero_state(batch_size, dtype)

    def zero_state(self, batch_size, dtype):
        """Zero-filled state tensor(s) of shape `[batch_size] + state_size`."""
        with v1.name_scope(type(self).__name__ + "ZeroState"):
            return _zero_state_tensors(self.state_size, batch_size, dtype)


class LayerRNNCell(RNNCell):
    """An RNN cell that creates its variables in `build`, like a `tf.layers`
    layer: the first call opens the variable scope `scope` or a unique
    `<snake_case class name>` one (`basic_lstm_cell`, `basic_lstm_cell_1`)
    and later calls reuse it."""

    _input_depth = None

    def __call__(self, inputs, state, scope=None, *args, **kwargs):
        return self._layer_call(inputs, state, scope=scope)

    def _check_input(self, inputs):
        if inputs.shape.ndims is not None and inputs.shape.ndims != 2:
            raise RNNInputError(
                f"{type(self).__name__} '{self.name}' got an input of shape "
                f"{inputs.shape}: a cell takes one time step, a 2-D tensor "
                "[batch_size, input_size]. Feed 3-D sequences "
                "[batch_size, max_time, input_size] to tf.nn.dynamic_rnn, or "
                "a list of 2-D tensors to tf.nn.static_rnn.")
        _check_dtypes(self, inputs)
        depth = v1.dimension_value(inputs.shape[-1]) if (
            inputs.shape.ndims) else None
        if depth is None:
            raise RNNInputError(
                f"{type(self).__name__} '{self.name}' got an input of shape "
                f"{inputs.shape}: its last dimension (input_size) must be "
                "known to build the kernel. Give the placeholder a static "
                "last dimension, or set_shape() the input.")
        if self._input_depth is not None and depth != self._input_depth:
            raise RNNInputError(
                f"{type(self).__name__} '{self.name}' was built for inputs of "
                f"size {self._input_depth} and is now called with inputs of "
                f"size {depth} (shape {inputs.shape}): one cell object shares "
                "one kernel. Use a new cell object for the other input size "
                "(and another variable scope).")
        self._input_depth = depth

    def _layer_call(self, inputs, state, scope=None):
        _check_state(self, state)
        _check_dtypes(self, state)
        try:
            if scope is None:
                return Layer.__call__(self, inputs, state)
            return Layer.__call__(self, inputs, state, scope=scope)
        except ValueError as error:
            if "Trying to share variable" not in str(error) or isinstance(
                    error, Tf1DnnError):
                raise
            raise RNNInputError(
                f"{type(self).__name__} '{self.name}' reuses variables whose "
                "shapes do not fit this call (different input size or "
                f"num_units than the cell that created them): {error} Use "
                "another variable scope, or the same input size and "
                "num_units.") from error

    def _add_variable(self, name, shape, initializer=None, partitioner=None):
        """`add_weight` that also takes a partitioner (num_unit_shards)."""
        if partitioner is None:
            return self.add_weight(name, shape=shape, initializer=initializer)
        dtype = self.dtype or v1.float32
        variable = v1.get_variable(name, shape=shape, dtype=dtype,
                                   initializer=initializer,
                                   partitioner=partitioner,
                                   trainable=self.trainable)
        self._trainable_weights.append(variable)
        return variable


def _default_kernel_initializer():
    # TF 1.15's Layer.add_weight: glorot_uniform for floating variables.
    return v1.glorot_uniform_initializer()


def _build_kernel_and_bias(cell, input_shape, width):
    """The build of BasicRNNCell (`width` num_units) and BasicLSTMCell
    (4 * num_units): `kernel` `[input depth + num_units, width]` (Glorot
    uniform) and `bias` `[width]` (zeros)."""
    depth = v1.dimension_value(input_shape[-1])
    cell._kernel = cell.add_weight(
        _WEIGHTS, shape=[depth + cell._num_units, width],
        initializer=_default_kernel_initializer())
    cell._bias = cell.add_weight(
        _BIAS, shape=[width], initializer=v1.zeros_initializer())
    cell.built = True


class BasicRNNCell(LayerRNNCell):
    """The most basic RNN cell: `output = new_state = act(W [x, h] + b)`.

    Variables: `basic_rnn_cell/kernel` `[input_size + num_units, num_units]`
    and `basic_rnn_cell/bias` `[num_units]` (zeros).

    Args:
      num_units: int, the number of units.
      activation: nonlinearity (default `tf.tanh`).
      reuse: reuse variables in an existing scope (`True`, `tf.AUTO_REUSE`).
      name: the layer name (variable scope) of the cell.
      dtype: the variables' dtype (default: the first input's).
    """

    def __init__(self, num_units, activation=None, reuse=None, name=None,
                 dtype=None, **kwargs):
        super().__init__(_reuse=reuse, name=name, dtype=dtype, **kwargs)
        self._num_units = num_units
        self._activation = _activation(activation)

    @property
    def state_size(self):
        return self._num_units

    @property
    def output_size(self):
        return self._num_units

    def build(self, input_shape):
        _build_kernel_and_bias(self, input_shape, self._num_units)

    def call(self, inputs, state):
        gate_inputs = v1.matmul(v1.concat([inputs, state], 1), self._kernel)
        gate_inputs = v1.nn.bias_add(gate_inputs, self._bias)
        output = self._activation(gate_inputs)
        return output, output


class GRUCell(LayerRNNCell):
    """Gated Recurrent Unit cell (Cho et al., 2014), TF 1.x layout.

        r, u = split(sigmoid(W_g [x, h] + b_g))      # gates/kernel, gates/bias
        c = act(W_c [x, r * h] + b_c)                # candidate/kernel, /bias
        h' = u * h + (1 - u) * c

    The gate bias starts at 1.0 and the candidate bias at 0.0 unless
    `bias_initializer` is given. Caveat: TF 1.0/1.1 named the same variables
    `gates/weights`, `gates/biases`, `candidate/weights`, `candidate/biases`;
    map them with `tf1_dnn.namemap` to restore such checkpoints.

    Args:
      num_units: int, the number of units.
      activation: nonlinearity of the candidate (default `tf.tanh`).
      reuse: reuse variables in an existing scope.
      kernel_initializer: initializer of both kernels (default glorot
        uniform).
      bias_initializer: initializer of both biases (default: see above).
      name, dtype: as for `BasicRNNCell`.
    """

    def __init__(self, num_units, activation=None, reuse=None,
                 kernel_initializer=None, bias_initializer=None, name=None,
                 dtype=None, **kwargs):
        super().__init__(_reuse=reuse, name=name, dtype=dtype, **kwargs)
        self._num_units = num_units
        self._activation = _activation(activation)
        self._kernel_initializer = kernel_initializer
        self._bias_initializer = bias_initializer

    @property
    def state_size(self):
        return self._num_units

    @property
    def output_size(self):
        return self._num_units

    def build(self, input_shape):
        depth = v1.dimension_value(input_shape[-1])
        n = self._num_units
        kernel_init = self._kernel_initializer or _default_kernel_initializer()
        self._gate_kernel = self.add_weight(
            f"gates/{_WEIGHTS}", shape=[depth + n, 2 * n],
            initializer=kernel_init)
        self._gate_bias = self.add_weight(
            f"gates/{_BIAS}", shape=[2 * n],
            initializer=(self._bias_initializer
                         if self._bias_initializer is not None
                         else v1.constant_initializer(1.0)))
        self._candidate_kernel = self.add_weight(
            f"candidate/{_WEIGHTS}", shape=[depth + n, n],
            initializer=kernel_init)
        self._candidate_bias = self.add_weight(
            f"candidate/{_BIAS}", shape=[n],
            initializer=(self._bias_initializer
                         if self._bias_initializer is not None
                         else v1.zeros_initializer()))
        self.built = True

    def call(self, inputs, state):
        gate_inputs = v1.matmul(v1.concat([inputs, state], 1),
                                self._gate_kernel)
        gate_inputs = v1.nn.bias_add(gate_inputs, self._gate_bias)
        value = v1.sigmoid(gate_inputs)
        r, u = v1.split(value=value, num_or_size_splits=2, axis=1)
        r_state = r * state
        candidate = v1.matmul(v1.concat([inputs, r_state], 1),
                              self._candidate_kernel)
        candidate = v1.nn.bias_add(candidate, self._candidate_bias)
        c = self._activation(candidate)
        new_h = u * state + (1 - u) * c
        return new_h, new_h


_LSTMStateTuple = collections.namedtuple("LSTMStateTuple", ("c", "h"))


class LSTMStateTuple(_LSTMStateTuple):
    """`(c, h)`: the LSTM cell state and the output, in that order.

    Used by LSTM cells when `state_is_tuple=True` (the default).
    """

    __slots__ = ()

    @property
    def dtype(self):
        c, h = self
        if c.dtype != h.dtype:
            raise TypeError(
                f"Inconsistent dtypes for internal state: {c.dtype} vs "
                f"{h.dtype}")
        return c.dtype


class BasicLSTMCell(LayerRNNCell):
    """Basic LSTM cell (no peepholes, no clipping, no projection).

        i, j, f, o = split(W [x, h] + b, 4)          # kernel, bias
        c' = c * sigmoid(f + forget_bias) + sigmoid(i) * act(j)
        h' = act(c') * sigmoid(o)

    Variables: `basic_lstm_cell/kernel` `[input_size + num_units,
    4 * num_units]`, `basic_lstm_cell/bias` `[4 * num_units]` (zeros).

    Caveat: `forget_bias` is added at run time, not stored in `bias` (see the
    module docstring). With `state_is_tuple=False` the state is
    `concat([c, h], 1)`.

    Args:
      num_units: int, the number of units.
      forget_bias: float added to the forget gate's pre-activation.
      state_is_tuple: state as `LSTMStateTuple(c, h)` (True) or concatenated.
      activation: nonlinearity of the cell (default `tf.tanh`).
      reuse, name, dtype: as for `BasicRNNCell`.
    """

    def __init__(self, num_units, forget_bias=1.0, state_is_tuple=True,
                 activation=None, reuse=None, name=None, dtype=None,
                 **kwargs):
        super().__init__(_reuse=reuse, name=name, dtype=dtype, **kwargs)
        self._num_units = num_units
        self._forget_bias = forget_bias
        self._state_is_tuple = state_is_tuple
        self._activation = _activation(activation)

    @property
    def state_size(self):
        if self._state_is_tuple:
            return LSTMStateTuple(self._num_units, self._num_units)
        return 2 * self._num_units

    @property
    def output_size(self):
        return self._num_units

    def build(self, input_shape):
        _build_kernel_and_bias(self, input_shape, 4 * self._num_units)

    def call(self, inputs, state):
        one = v1.constant(1, dtype=v1.int32)
        if self._state_is_tuple:
            c, h = state
        else:
            c, h = v1.split(value=state, num_or_size_splits=2, axis=one)
        gate_inputs = v1.matmul(v1.concat([inputs, h], 1), self._kernel)
        gate_inputs = v1.nn.bias_add(gate_inputs, self._bias)
        i, j, f, o = v1.split(value=gate_inputs, num_or_size_splits=4,
                              axis=one)
        forget_bias = v1.constant(self._forget_bias, dtype=f.dtype)
        new_c = v1.add(v1.multiply(c, v1.sigmoid(v1.add(f, forget_bias))),
                       v1.multiply(v1.sigmoid(i), self._activation(j)))
        new_h = v1.multiply(self._activation(new_c), v1.sigmoid(o))
        if self._state_is_tuple:
            new_state = LSTMStateTuple(new_c, new_h)
        else:
            new_state = v1.concat([new_c, new_h], 1)
        return new_h, new_state


class LSTMCell(LayerRNNCell):
    """LSTM cell with optional peepholes, cell clipping and projection.

        i, j, f, o = split(W [x, m] + b, 4)
        c' = sigmoid(f + forget_bias + w_f_diag * c) * c
             + sigmoid(i + w_i_diag * c) * act(j)       # peepholes optional
        c' = clip(c', -cell_clip, cell_clip)             # if cell_clip
        m' = sigmoid(o + w_o_diag * c') * act(c')
        m' = clip(m' P, -proj_clip, proj_clip)          # if num_proj

    Variables: `lstm_cell/kernel` `[input_size + (num_proj or num_units),
    4 * num_units]`, `lstm_cell/bias`, peepholes `lstm_cell/w_f_diag`,
    `w_i_diag`, `w_o_diag` `[num_units]`, projection
    `lstm_cell/projection/kernel` `[num_units, num_proj]`. The state is
    `LSTMStateTuple(c, m)` (`[num_units]`, `[num_proj or num_units]`) or their
    concatenation.

    Args:
      num_units: int, the number of units.
      use_peepholes: add diagonal (peephole) connections.
      cell_clip: clip the cell state to [-cell_clip, cell_clip].
      initializer: initializer of kernel, peepholes and projection (default
        glorot uniform).
      num_proj: project the output to this size.
      proj_clip: clip the projected output.
      num_unit_shards, num_proj_shards: split the kernel / projection into
        this many variables (`kernel/part_0`, ...), deprecated in TF 1.x.
      forget_bias: added to the forget gate at run time (not in `bias`).
      state_is_tuple: state as `LSTMStateTuple(c, m)` or concatenated.
      activation: nonlinearity (default `tf.tanh`).
      reuse, name, dtype: as for `BasicRNNCell`.
    """

    def __init__(self, num_units, use_peepholes=False, cell_clip=None,
                 initializer=None, num_proj=None, proj_clip=None,
                 num_unit_shards=None, num_proj_shards=None,
                 forget_bias=1.0, state_is_tuple=True, activation=None,
                 reuse=None, name=None, dtype=None, **kwargs):
        super().__init__(_reuse=reuse, name=name, dtype=dtype, **kwargs)
        self._num_units = num_units
        self._use_peepholes = use_peepholes
        self._cell_clip = cell_clip
        self._initializer = initializer
        self._num_proj = num_proj
        self._proj_clip = proj_clip
        self._num_unit_shards = num_unit_shards
        self._num_proj_shards = num_proj_shards
        self._forget_bias = forget_bias
        self._state_is_tuple = state_is_tuple
        self._activation = _activation(activation)
        out = num_proj if num_proj else num_units
        self._state_size = (LSTMStateTuple(num_units, out) if state_is_tuple
                            else num_units + out)
        self._output_size = out

    @property
    def state_size(self):
        return self._state_size

    @property
    def output_size(self):
        return self._output_size

    def build(self, input_shape):
        depth = v1.dimension_value(input_shape[-1])
        n = self._num_units
        h_depth = n if self._num_proj is None else self._num_proj
        init = self._initializer or _default_kernel_initializer()
        self._kernel = self._add_variable(
            _WEIGHTS, shape=[depth + h_depth, 4 * n], initializer=init,
            partitioner=(v1.fixed_size_partitioner(self._num_unit_shards)
                         if self._num_unit_shards is not None else None))
        self._bias = self.add_weight(
            _BIAS, shape=[4 * n],
            initializer=v1.zeros_initializer())
        if self._use_peepholes:
            self._w_f_diag = self.add_weight("w_f_diag", shape=[n],
                                             initializer=init)
            self._w_i_diag = self.add_weight("w_i_diag", shape=[n],
                                             initializer=init)
            self._w_o_diag = self.add_weight("w_o_diag", shape=[n],
                                             initializer=init)
        if self._num_proj is not None:
            self._proj_kernel = self._add_variable(
                f"projection/{_WEIGHTS}", shape=[n, self._num_proj],
                initializer=init,
                partitioner=(v1.fixed_size_partitioner(self._num_proj_shards)
                             if self._num_proj_shards is not None else None))
        self.built = True

    def call(self, inputs, state):
        num_proj = self._num_units if self._num_proj is None else self._num_proj
        sigmoid = v1.sigmoid
        if self._state_is_tuple:
            c_prev, m_prev = state
        else:
            c_prev = v1.slice(state, [0, 0], [-1, self._num_units])
            m_prev = v1.slice(state, [0, self._num_units], [-1, num_proj])
        lstm_matrix = v1.matmul(v1.concat([inputs, m_prev], 1), self._kernel)
        lstm_matrix = v1.nn.bias_add(lstm_matrix, self._bias)
        i, j, f, o = v1.split(value=lstm_matrix, num_or_size_splits=4, axis=1)
        if self._use_peepholes:
            c = (sigmoid(f + self._forget_bias + self._w_f_diag * c_prev)
                 * c_prev
                 + sigmoid(i + self._w_i_diag * c_prev) * self._activation(j))
        else:
            c = (sigmoid(f + self._forget_bias) * c_prev
                 + sigmoid(i) * self._activation(j))
        if self._cell_clip is not None:
            c = v1.clip_by_value(c, -self._cell_clip, self._cell_clip)
        if self._use_peepholes:
            m = sigmoid(o + self._w_o_diag * c) * self._activation(c)
        else:
            m = sigmoid(o) * self._activation(c)
        if self._num_proj is not None:
            m = v1.matmul(m, self._proj_kernel)
            if self._proj_clip is not None:
                m = v1.clip_by_value(m, -self._proj_clip, self._proj_clip)
        new_state = (LSTMStateTuple(c, m) if self._state_is_tuple
                     else v1.concat([c, m], 1))
        return m, new_state


class MultiRNNCell(RNNCell):
    """Stacks cells: layer `k` runs in the variable scope `cell_k`.

    Variable names: `rnn/multi_rnn_cell/cell_0/basic_lstm_cell/kernel`, ...
    The state is a tuple with one entry per cell (`state_is_tuple=True`) or
    all states concatenated. Caveat: `[cell] * 3` repeats one object, which
    TF 1.x accepted but which fails (one kernel cannot take both the input
    and the previous layer's output) -- build one cell per layer.

    Args:
      cells: list of RNN cells, bottom first.
      state_is_tuple: see above; False needs cells with non-tuple states.
    """

    def __init__(self, cells, state_is_tuple=True):
        super().__init__()
        if not cells:
            raise RNNInputError(
                "MultiRNNCell needs at least one cell: pass a non-empty list "
                "of cells, e.g. [tf.nn.rnn_cell.BasicLSTMCell(100) for _ in "
                "range(3)].")
        if not _nest.is_nested(cells):
            raise TypeError(
                f"MultiRNNCell: cells must be a list or tuple, got {cells!r}.")
        self._cells = cells
        self._state_is_tuple = state_is_tuple
        if not state_is_tuple and any(
                _nest.is_nested(c.state_size) for c in cells):
            raise RNNInputError(
                "MultiRNNCell(state_is_tuple=False) needs cells whose states "
                "are single tensors, but state sizes are "
                f"{[c.state_size for c in cells]}. Build the LSTM cells with "
                "state_is_tuple=False too, or keep state_is_tuple=True.")

    @property
    def state_size(self):
        if self._state_is_tuple:
            return tuple(cell.state_size for cell in self._cells)
        return sum(cell.state_size for cell in self._cells)

    @property
    def output_size(self):
        return self._cells[-1].output_size

    def zero_state(self, batch_size, dtype):
        with v1.name_scope(type(self).__name__ + "ZeroState"):
            if self._state_is_tuple:
                return tuple(cell.zero_state(batch_size, dtype)
                             for cell in self._cells)
            return RNNCell.zero_state(self, batch_size, dtype)

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        return [w for c in self._cells for w in getattr(
            c, "trainable_weights", [])]

    @property
    def non_trainable_weights(self):
        weights = [w for c in self._cells for w in getattr(
            c, "non_trainable_weights", [])]
        if not self.trainable:
            return [w for c in self._cells for w in getattr(
                c, "trainable_weights", [])] + weights
        return weights

    def call(self, inputs, state):
        cur_state_pos = 0
        cur_inp = inputs
        new_states = []
        for i, cell in enumerate(self._cells):
            with v1.variable_scope("cell_%d" % i):
                if self._state_is_tuple:
                    cur_state = state[i]
                else:
                    cur_state = v1.slice(state, [0, cur_state_pos],
                                         [-1, cell.state_size])
                    cur_state_pos += cell.state_size
                cur_inp, new_state = cell(cur_inp, cur_state)
                new_states.append(new_state)
        new_states = (tuple(new_states) if self._state_is_tuple
                      else v1.concat(new_states, 1))
        return cur_inp, new_states


def assert_like_rnncell(cell_name, cell):
    """Raises TypeError unless `cell` has what TF's RNN functions need."""
    checks = [
        (hasattr(cell, "output_size"), "'output_size' property is missing"),
        (hasattr(cell, "state_size"), "'state_size' property is missing"),
        (hasattr(cell, "get_initial_state") or hasattr(cell, "zero_state"),
         "either 'zero_state' or 'get_initial_state' method is required"),
        (callable(cell), "is not callable"),
    ]
    errors = [message for ok, message in checks if not ok]
    if errors:
        raise TypeError(f"The argument {cell_name!r} ({cell}) is not an "
                        f"RNNCell: {', '.join(errors)}.")


class _Wrapper(RNNCell):
    """Base of the wrappers: calls the wrapped cell's `__call__` directly, so
    the wrapper adds no variable scope of its own."""

    def __init__(self, cell, **kwargs):
        super().__init__(**kwargs)
        assert_like_rnncell("cell", cell)
        self.cell = cell

    def __call__(self, inputs, state, scope=None):
        require_graph(f"tf1_dnn.rnn_cell.{type(self).__name__}")
        return self._call_wrapped_cell(inputs, state, self.cell.__call__,
                                       scope=scope)

    def _call_wrapped_cell(self, inputs, state, cell_call_fn, **kwargs):
        raise NotImplementedError

    @property
    def wrapped_cell(self):
        return self.cell

    @property
    def state_size(self):
        return self.cell.state_size

    @property
    def output_size(self):
        return self.cell.output_size

    def zero_state(self, batch_size, dtype):
        with v1.name_scope(type(self).__name__ + "ZeroState"):
            return self.cell.zero_state(batch_size, dtype)

    @property
    def trainable_weights(self):
        return list(getattr(self.cell, "trainable_weights", []))

    @property
    def non_trainable_weights(self):
        return list(getattr(self.cell, "non_trainable_weights", []))


def _default_dropout_state_filter_visitor(substate):
    if isinstance(substate, LSTMStateTuple):
        return LSTMStateTuple(c=False, h=True)  # never drop the memory c
    if isinstance(substate, v1.TensorArray):
        return False
    return True


def _enumerated_map_structure_up_to(shallow, map_fn, *args):
    index = [0]

    def enumerated(*inner):
        result = map_fn(index[0], *inner)
        index[0] += 1
        return result
    return _inest.map_structure_up_to(shallow, enumerated, *args)


class DropoutWrapper(_Wrapper):
    """Dropout on a cell's inputs, outputs and (new) state.

    Without `variational_recurrent`, each step draws a new mask with
    `tf.nn.dropout(x, rate=1 - keep_prob, seed=...)`; with it, one uniform
    noise tensor per part is drawn when the wrapper is built (batch dimension
    1) and reused at every step, as in Gal & Ghahramani (2016): then `dtype`,
    and `input_size` if `input_keep_prob < 1`, are required. With a `seed`,
    each part gets its own op seed `md5(str(seed) + "<part>_<index>")`, as TF
    1.x, so masks are reproducible under a graph seed.

    Caveats: keep probabilities are *keep* rates (TF 1.x), not drop rates;
    pass a `tf.placeholder_with_default(1.0, shape=())` to turn dropout off at
    test time. The `c` part of an `LSTMStateTuple` is never dropped unless a
    `dropout_state_filter_visitor` says so.

    Args:
      cell: the RNN cell to wrap.
      input_keep_prob, output_keep_prob, state_keep_prob: float in (0, 1] or
        scalar tensor; a constant 1 adds no op.
      variational_recurrent: one mask for all steps (see above).
      input_size: (nested) depth of the inputs, for variational input dropout.
      dtype: dtype of the noise, for variational dropout.
      seed: int, the op-seed base.
      dropout_state_filter_visitor: function of a (sub)state returning a bool
        or a depth-1 structure of bools: which parts of the state to drop.
    """

    def __init__(self, cell, input_keep_prob=1.0, output_keep_prob=1.0,
                 state_keep_prob=1.0, variational_recurrent=False,
                 input_size=None, dtype=None, seed=None,
                 dropout_state_filter_visitor=None, **kwargs):
        super().__init__(cell, dtype=dtype, **kwargs)
        if (dropout_state_filter_visitor is not None
                and not callable(dropout_state_filter_visitor)):
            raise TypeError(
                "DropoutWrapper: dropout_state_filter_visitor must be "
                f"callable, got {dropout_state_filter_visitor!r}.")
        self._dropout_state_filter = (dropout_state_filter_visitor
                                      or _default_dropout_state_filter_visitor)
        with v1.name_scope("DropoutWrapperInit"):
            for prob, attr in [(input_keep_prob, "input_keep_prob"),
                               (state_keep_prob, "state_keep_prob"),
                               (output_keep_prob, "output_keep_prob")]:
                tensor = v1.convert_to_tensor(prob)
                const = v1.get_static_value(tensor)
                if const is not None:
                    if not 0 < const <= 1:
                        raise RNNInputError(
                            f"DropoutWrapper: {attr}={float(const)} is "
                            "outside (0, 1]. It is the probability to *keep* "
                            f"a unit: for a drop rate r pass {attr}=1 - r "
                            "(1.0 turns dropout off).")
                    setattr(self, f"_{attr}", float(const))
                else:
                    setattr(self, f"_{attr}", tensor)
        self._variational_recurrent = variational_recurrent
        self._input_size = input_size
        self._seed = seed
        self._recurrent_input_noise = None
        self._recurrent_state_noise = None
        self._recurrent_output_noise = None
        if variational_recurrent:
            if dtype is None:
                raise RNNInputError(
                    "DropoutWrapper(variational_recurrent=True) needs "
                    "dtype=, e.g. dtype=tf.float32 (the noise is drawn once, "
                    "when the wrapper is built).")

            def batch_noise(s, inner_seed):
                shape = v1.concat(([1], v1.TensorShape(s).as_list()), 0)
                return tf2.random.uniform(shape, seed=inner_seed, dtype=dtype)

            if (not isinstance(self._input_keep_prob, numbers.Real)
                    or self._input_keep_prob < 1.0):
                if input_size is None:
                    raise RNNInputError(
                        "DropoutWrapper(variational_recurrent=True) with "
                        "input_keep_prob < 1 (or a tensor) needs input_size=, "
                        "the depth of the cell's inputs.")
                self._recurrent_input_noise = _enumerated_map_structure_up_to(
                    input_size, lambda i, s: batch_noise(
                        s, self._gen_seed("input", i)), input_size)
            self._recurrent_state_noise = _enumerated_map_structure_up_to(
                cell.state_size, lambda i, s: batch_noise(
                    s, self._gen_seed("state", i)), cell.state_size)
            self._recurrent_output_noise = _enumerated_map_structure_up_to(
                cell.output_size, lambda i, s: batch_noise(
                    s, self._gen_seed("output", i)), cell.output_size)

    def _gen_seed(self, salt_prefix, index):
        if self._seed is None:
            return None
        salt = "%s_%d" % (salt_prefix, index)
        string = (str(self._seed) + salt).encode("utf-8")
        return int(hashlib.md5(string).hexdigest()[:8], 16) & 0x7FFFFFFF

    def _variational_value(self, value, noise, keep_prob):
        binary = v1.floor(keep_prob + noise)
        result = v1.divide(value, keep_prob) * binary
        result.set_shape(value.get_shape())
        return result

    def _dropout(self, values, salt_prefix, recurrent_noise, keep_prob,
                 shallow=None):
        if shallow is None:
            shallow = values
        if not self._variational_recurrent:
            def dropout(i, do_dropout, v):
                if not isinstance(do_dropout, bool) or do_dropout:
                    return tf2.nn.dropout(
                        v, rate=1.0 - keep_prob,
                        seed=self._gen_seed(salt_prefix, i))
                return v
            return _enumerated_map_structure_up_to(shallow, dropout, shallow,
                                                   values)

        def variational(i, do_dropout, v, n):
            if not isinstance(do_dropout, bool) or do_dropout:
                return self._variational_value(v, n, keep_prob)
            return v
        return _enumerated_map_structure_up_to(shallow, variational, shallow,
                                               values, recurrent_noise)

    def _call_wrapped_cell(self, inputs, state, cell_call_fn, **kwargs):
        def should_dropout(p):
            return (not isinstance(p, float)) or p < 1

        if should_dropout(self._input_keep_prob):
            inputs = self._dropout(inputs, "input",
                                   self._recurrent_input_noise,
                                   self._input_keep_prob)
        output, new_state = cell_call_fn(inputs, state, **kwargs)
        if should_dropout(self._state_keep_prob):
            shallow = _inest.get_traverse_shallow_structure(
                self._dropout_state_filter, new_state)
            new_state = self._dropout(new_state, "state",
                                      self._recurrent_state_noise,
                                      self._state_keep_prob, shallow)
        if should_dropout(self._output_keep_prob):
            output = self._dropout(output, "output",
                                   self._recurrent_output_noise,
                                   self._output_keep_prob)
        return output, new_state


class ResidualWrapper(_Wrapper):
    """Adds the cell's inputs to its outputs (`residual_fn(inputs, outputs)`,
    default `inputs + outputs`, which needs input size == output size)."""

    def __init__(self, cell, residual_fn=None, **kwargs):
        super().__init__(cell, **kwargs)
        self._residual_fn = residual_fn

    def _call_wrapped_cell(self, inputs, state, cell_call_fn, **kwargs):
        outputs, new_state = cell_call_fn(inputs, state, **kwargs)

        def default_residual_fn(inputs, outputs):
            _nest.assert_same_structure(inputs, outputs)

            def check(inp, out):
                if not inp.get_shape().is_compatible_with(out.get_shape()):
                    raise RNNInputError(
                        f"ResidualWrapper: the cell's input of shape "
                        f"{inp.get_shape()} cannot be added to its output of "
                        f"shape {out.get_shape()}. Make num_units equal the "
                        "input size, or pass residual_fn=.")
            _nest.map_structure(check, inputs, outputs)
            return _nest.map_structure(lambda i, o: i + o, inputs, outputs)

        return (self._residual_fn or default_residual_fn)(inputs, outputs), \
            new_state


class DeviceWrapper(_Wrapper):
    """Runs the wrapped cell (and its zero state) under `tf.device(device)`."""

    def __init__(self, cell, device, **kwargs):
        super().__init__(cell, **kwargs)
        self._device = device

    def zero_state(self, batch_size, dtype):
        with v1.name_scope(type(self).__name__ + "ZeroState"):
            with v1.device(self._device):
                return self.cell.zero_state(batch_size, dtype)

    def _call_wrapped_cell(self, inputs, state, cell_call_fn, **kwargs):
        with v1.device(self._device):
            return cell_call_fn(inputs, state, **kwargs)


def dynamic_rnn(cell, inputs, *args, **kwargs):
    """`tf.nn.dynamic_rnn` with a named error for inputs of the wrong rank.

    Same arguments and results as `tf.compat.v1.nn.dynamic_rnn`. Inputs must
    be (a nest of) 3-D tensors, `[batch, time, depth]` (or `[time, batch,
    depth]` with `time_major=True`); TF's own message for a 2-D input is an
    index error deep inside the loop.
    """
    for x in _nest.flatten(inputs):
        shape = getattr(x, "shape", None)
        if shape is None:
            x = v1.convert_to_tensor(x)
            shape = x.shape
        ndims = v1.TensorShape(shape).ndims
        if ndims is not None and ndims < 3:
            layout = ("[max_time, batch_size, input_size]"
                      if kwargs.get("time_major") else
                      "[batch_size, max_time, input_size]")
            raise RNNInputError(
                f"dynamic_rnn got an input of shape {shape} (rank {ndims}): "
                f"it needs 3-D sequences {layout}. For a single step call the "
                "cell directly; for a list of 2-D steps use "
                "tf.nn.static_rnn; for one feature per step use "
                "tf.expand_dims(x, -1).")
    return v1.nn.dynamic_rnn(cell, inputs, *args, **kwargs)
