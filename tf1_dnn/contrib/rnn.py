"""`tf.contrib.rnn`: TF 1.15's contrib recurrent cells and functions.

    from tf1_dnn import tf
    cell = tf.contrib.rnn.OutputProjectionWrapper(
        tf.contrib.rnn.BasicRNNCell(num_units=100), output_size=1)
    outputs, states = tf.nn.dynamic_rnn(cell, X, dtype=tf.float32)

The core cells are `tf1_dnn.rnn_cell`'s (one implementation, as in TF 1.15,
where contrib re-exported `tf.nn.rnn_cell`). Added here:

* `OutputProjectionWrapper` / `InputProjectionWrapper`: a dense projection
  after / before the cell, variables `<scope>/output_projection_wrapper/kernel`
  and `/bias` (the wrapped cell's variables are nested inside:
  `rnn/output_projection_wrapper/basic_rnn_cell/kernel`).
* `LayerNormBasicLSTMCell`: LSTM with layer normalization of each gate and of
  the new cell state (Ba et al., 2016) and recurrent dropout on the candidate.
* `LSTMBlockCell` (variables `lstm_cell/kernel`, `lstm_cell/bias`, same gate
  order i, j, f, o as `LSTMCell`, so weights move between the two) and
  `LSTMBlockFusedCell` (the whole sequence in one `BlockLSTM` kernel; inputs
  are **time-major** `[time, batch, depth]`; default scope `lstm_fused_cell`).
* `GRUBlockCell` (`gru_cell/w_ru`, `b_ru`, `w_c`, `b_c`) and `GRUBlockCellV2`
  (`gru_cell/gates/kernel`, ... like `GRUCell`): one `GRUBlockCell` kernel.
* `static_rnn`, `static_bidirectional_rnn`, `static_state_saving_rnn` (TF's,
  unchanged), `stack_bidirectional_rnn`, `stack_bidirectional_dynamic_rnn`.

Caveats:
  - TensorFlow 2.21 still has the `LSTMBlockCell` and `GRUBlockCell` kernels
    but no gradient for them (TF 1.x registered it in contrib). The first
    `LSTMBlockCell` / `GRUBlockCell` built registers contrib's gradient
    functions with `tf.RegisterGradient` (once per process, only if none is
    registered). `BlockLSTM` (the fused cell) has its gradient in core TF.
  - `forget_bias` is added at run time, as in `BasicLSTMCell`.
  - `LSTMBlockCell(cell_clip=...)` clips the cell state in the forward pass,
    but its gradient (TF 1.x's, kept) ignores the clip: gradients differ from
    `LSTMCell(cell_clip=...)`'s, forward values do not.
  - `LSTMBlockFusedCell` takes time-major inputs, unlike `dynamic_rnn`.
"""

import threading

from tf1_dnn._compat import tf2, v1
from tf1_dnn.rnn_cell import (
    BasicLSTMCell, BasicRNNCell, DeviceWrapper, DropoutWrapper, GRUCell,
    LayerRNNCell, LSTMCell, LSTMStateTuple, MultiRNNCell, ResidualWrapper,
    RNNCell, RNNInputError, assert_like_rnncell)
from tf1_dnn.layers.base import Layer

__all__ = [
    "RNNCell", "BasicRNNCell", "BasicLSTMCell", "LSTMCell", "GRUCell",
    "MultiRNNCell", "DropoutWrapper", "ResidualWrapper", "DeviceWrapper",
    "LSTMStateTuple", "OutputProjectionWrapper", "InputProjectionWrapper",
    "LayerNormBasicLSTMCell", "LSTMBlockCell", "LSTMBlockFusedCell",
    "GRUBlockCell", "GRUBlockCellV2", "static_rnn",
    "static_bidirectional_rnn", "static_state_saving_rnn",
    "stack_bidirectional_rnn", "stack_bidirectional_dynamic_rnn"]

static_rnn = v1.nn.static_rnn
static_bidirectional_rnn = v1.nn.static_bidirectional_rnn
static_state_saving_rnn = v1.nn.static_state_saving_rnn


class _Linear:
    """TF 1.x's `_Linear`: `kernel` (and `bias`, zeros) in the current
    variable scope, `matmul(concat(args), kernel) + bias`."""

    def __init__(self, args, output_size, build_bias=True):
        self._is_sequence = isinstance(args, (list, tuple))
        args = list(args) if self._is_sequence else [args]
        total = 0
        for a in args:
            shape = a.get_shape()
            if shape.ndims != 2:
                raise RNNInputError(
                    f"A projection takes 2-D tensors [batch, size], got shape "
                    f"{shape}.")
            depth = v1.dimension_value(shape[1])
            if depth is None:
                raise RNNInputError(
                    f"A projection needs the last dimension of its input "
                    f"known, got shape {shape}.")
            total += depth
        dtype = args[0].dtype
        with v1.variable_scope(v1.get_variable_scope()) as outer_scope:
            self._weights = v1.get_variable("kernel", [total, output_size],
                                            dtype=dtype)
            self._biases = None
            if build_bias:
                with v1.variable_scope(outer_scope) as inner_scope:
                    inner_scope.set_partitioner(None)
                    self._biases = v1.get_variable(
                        "bias", [output_size], dtype=dtype,
                        initializer=v1.constant_initializer(0.0))

    def __call__(self, args):
        args = list(args) if self._is_sequence else [args]
        if len(args) == 1:
            res = v1.matmul(args[0], self._weights)
        else:
            one = v1.constant(1, dtype=v1.int32)
            res = v1.matmul(v1.concat(args, one), self._weights)
        if self._biases is not None:
            res = v1.nn.bias_add(res, self._biases)
        return res


class _ProjectionWrapper(RNNCell):
    """What the two projection wrappers share: the wrapped cell's state and
    zero state, and a projection (`_Linear`: `kernel`, `bias`, made on the
    first call in the wrapper's variable scope) followed by the optional
    `activation`."""

    def __init__(self, cell, activation, reuse):
        super().__init__(_reuse=reuse)
        assert_like_rnncell("cell", cell)
        self._cell = cell
        self._activation = activation
        self._linear = None

    @property
    def state_size(self):
        return self._cell.state_size

    def zero_state(self, batch_size, dtype):
        with v1.name_scope(type(self).__name__ + "ZeroState",
                           values=[batch_size]):
            return self._cell.zero_state(batch_size, dtype)

    def _project(self, x, size):
        if self._linear is None:
            self._linear = _Linear(x, size, True)
        projected = self._linear(x)
        if self._activation:
            projected = self._activation(projected)
        return projected


class OutputProjectionWrapper(_ProjectionWrapper):
    """Projects the cell's output to `output_size` (kernel + bias, then an
    optional `activation`). Unlike the `tf.nn.rnn_cell` wrappers it opens a
    variable scope, `output_projection_wrapper`, holding the projection and
    the wrapped cell's variables.

    Caveat: the projection is applied at every step inside the RNN, so the
    state stays the cell's own (not projected); this is the book's chapter 14
    time-series recipe.
    """

    def __init__(self, cell, output_size, activation=None, reuse=None):
        super().__init__(cell, activation, reuse)
        if output_size < 1:
            raise RNNInputError(
                f"OutputProjectionWrapper: output_size must be > 0, got "
                f"{output_size}.")
        self._output_size = output_size

    @property
    def output_size(self):
        return self._output_size

    def call(self, inputs, state):
        output, res_state = self._cell(inputs, state)
        return self._project(output, self._output_size), res_state


class InputProjectionWrapper(_ProjectionWrapper):
    """Projects the inputs to `num_proj` before the cell (scope
    `input_projection_wrapper`, variables `kernel`, `bias`)."""

    def __init__(self, cell, num_proj, activation=None, input_size=None,
                 reuse=None):
        super().__init__(cell, activation, reuse)
        del input_size  # deprecated in TF 1.x, ignored
        self._num_proj = num_proj

    @property
    def output_size(self):
        return self._cell.output_size

    def call(self, inputs, state):
        return self._cell(self._project(inputs, self._num_proj), state)


class LayerNormBasicLSTMCell(RNNCell):
    """LSTM with layer normalization and recurrent dropout (TF 1.15 contrib).

        i, j, f, o = LN(split(W [x, h], 4))     # no bias when layer_norm
        g = dropout(act(j), dropout_keep_prob)
        c' = LN(c * sigmoid(f + forget_bias) + sigmoid(i) * g)
        h' = act(c') * sigmoid(o)

    Variables (scope `layer_norm_basic_lstm_cell`): `kernel`, then `gamma`
    and `beta` under `input/`, `transform/`, `forget/`, `output/`, `state/`;
    `bias` only with `layer_norm=False`. Layer norm uses epsilon 1e-12 as
    `tf.contrib.layers.layer_norm` did.
    """

    def __init__(self, num_units, forget_bias=1.0, input_size=None,
                 activation=v1.tanh, layer_norm=True, norm_gain=1.0,
                 norm_shift=0.0, dropout_keep_prob=1.0,
                 dropout_prob_seed=None, reuse=None):
        super().__init__(_reuse=reuse)
        del input_size  # deprecated in TF 1.x, ignored
        self._num_units = num_units
        self._activation = activation
        self._forget_bias = forget_bias
        self._keep_prob = dropout_keep_prob
        self._seed = dropout_prob_seed
        self._layer_norm = layer_norm
        self._norm_gain = norm_gain
        self._norm_shift = norm_shift

    @property
    def state_size(self):
        return LSTMStateTuple(self._num_units, self._num_units)

    @property
    def output_size(self):
        return self._num_units

    def _norm(self, inp, scope, dtype=v1.float32):
        shape = inp.get_shape()[-1:]
        with v1.variable_scope(scope):
            gamma = v1.get_variable(
                "gamma", shape=shape, dtype=dtype,
                initializer=v1.constant_initializer(self._norm_gain))
            beta = v1.get_variable(
                "beta", shape=shape, dtype=dtype,
                initializer=v1.constant_initializer(self._norm_shift))
        with v1.name_scope(scope + "/LayerNorm"):
            mean, variance = v1.nn.moments(inp, [1], keep_dims=True)
            return v1.nn.batch_normalization(
                inp, mean, variance, offset=beta, scale=gamma,
                variance_epsilon=1e-12)

    def _linear(self, args):
        out_size = 4 * self._num_units
        proj_size = args.get_shape()[-1]
        weights = v1.get_variable("kernel", [proj_size, out_size],
                                  dtype=args.dtype)
        out = v1.matmul(args, weights)
        if not self._layer_norm:
            bias = v1.get_variable("bias", [out_size], dtype=args.dtype)
            out = v1.nn.bias_add(out, bias)
        return out

    def call(self, inputs, state):
        c, h = state
        args = v1.concat([inputs, h], 1)
        concat = self._linear(args)
        dtype = args.dtype
        i, j, f, o = v1.split(value=concat, num_or_size_splits=4, axis=1)
        if self._layer_norm:
            i = self._norm(i, "input", dtype=dtype)
            j = self._norm(j, "transform", dtype=dtype)
            f = self._norm(f, "forget", dtype=dtype)
            o = self._norm(o, "output", dtype=dtype)
        g = self._activation(j)
        if (not isinstance(self._keep_prob, float)) or self._keep_prob < 1:
            g = v1.nn.dropout(g, rate=1 - self._keep_prob, seed=self._seed)
        new_c = c * v1.sigmoid(f + self._forget_bias) + v1.sigmoid(i) * g
        if self._layer_norm:
            new_c = self._norm(new_c, "state", dtype=dtype)
        new_h = self._activation(new_c) * v1.sigmoid(o)
        return new_h, LSTMStateTuple(new_c, new_h)


# --- fused kernels ------------------------------------------------------------

_GRADIENTS_LOCK = threading.Lock()
_GRADIENTS_DONE = set()


def _lstm_block_cell_grad(op, *grad):
    x, cs_prev, h_prev, w, wci, wcf, wco, b = op.inputs
    i, cs, f, o, ci, co, _ = op.outputs
    _, cs_grad, _, _, _, _, h_grad = grad
    batch_size = v1.dimension_value(x.shape[0])
    batch_size = -1 if batch_size is None else batch_size
    input_size = v1.dimension_value(x.shape[1])
    cell_size = v1.dimension_value(cs_prev.shape[1])
    cs_prev_grad, dicfo, wci_grad, wcf_grad, wco_grad = \
        tf2.raw_ops.LSTMBlockCellGrad(
            x=x, cs_prev=cs_prev, h_prev=h_prev, w=w, wci=wci, wcf=wcf,
            wco=wco, b=b, i=i, cs=cs, f=f, o=o, ci=ci, co=co,
            cs_grad=cs_grad, h_grad=h_grad,
            use_peephole=op.get_attr("use_peephole"))
    xh_grad = v1.matmul(dicfo, w, transpose_b=True)
    x_grad = v1.slice(xh_grad, (0, 0), (batch_size, input_size))
    h_prev_grad = v1.slice(xh_grad, (0, input_size), (batch_size, cell_size))
    xh = v1.concat([x, h_prev], 1)
    w_grad = v1.matmul(xh, dicfo, transpose_a=True)
    b_grad = tf2.raw_ops.BiasAddGrad(out_backprop=dicfo)
    return (x_grad, cs_prev_grad, h_prev_grad, w_grad, wci_grad, wcf_grad,
            wco_grad, b_grad)


def _gru_block_cell_grad(op, *grad):
    x, h_prev, w_ru, w_c, b_ru, b_c = op.inputs
    r, u, c, _ = op.outputs
    d_h = grad[3]
    d_x, d_h_prev, d_c_bar, d_r_bar_u_bar = tf2.raw_ops.GRUBlockCellGrad(
        x=x, h_prev=h_prev, w_ru=w_ru, w_c=w_c, b_ru=b_ru, b_c=b_c, r=r, u=u,
        c=c, d_h=d_h)
    x_h_prev = v1.concat([x, h_prev], 1)
    d_w_ru = v1.matmul(x_h_prev, d_r_bar_u_bar, transpose_a=True)
    d_b_ru = tf2.raw_ops.BiasAddGrad(out_backprop=d_r_bar_u_bar)
    x_h_prevr = v1.concat([x, h_prev * r], 1)
    d_w_c = v1.matmul(x_h_prevr, d_c_bar, transpose_a=True)
    d_b_c = tf2.raw_ops.BiasAddGrad(out_backprop=d_c_bar)
    return d_x, d_h_prev, d_w_ru, d_w_c, d_b_ru, d_b_c


def _ensure_gradient(op_type, fn):
    """Registers contrib's gradient for `op_type` once, if TF has none."""
    with _GRADIENTS_LOCK:
        if op_type in _GRADIENTS_DONE:
            return
        try:
            tf2.RegisterGradient(op_type)(fn)
        except KeyError:  # already registered (by TF or someone else)
            pass
        _GRADIENTS_DONE.add(op_type)


def _add_block_lstm_weights(cell, depth):
    """contrib's LSTMBlockCell / LSTMBlockFusedCell variables: `kernel`
    [depth + n, 4n] (Glorot uniform), `bias` [4n] (zeros), and with
    peepholes `w_i_diag`, `w_f_diag`, `w_o_diag` [n]."""
    n = cell._num_units
    cell._kernel = cell.add_weight(
        "kernel", [depth + n, 4 * n],
        initializer=v1.glorot_uniform_initializer())
    cell._bias = cell.add_weight(
        "bias", [4 * n], initializer=v1.constant_initializer(0.0))
    if cell._use_peephole:
        init = v1.glorot_uniform_initializer()
        cell._w_i_diag = cell.add_weight("w_i_diag", [n], initializer=init)
        cell._w_f_diag = cell.add_weight("w_f_diag", [n], initializer=init)
        cell._w_o_diag = cell.add_weight("w_o_diag", [n], initializer=init)
    cell.built = True


class LSTMBlockCell(LayerRNNCell):
    """One LSTM step in one `LSTMBlockCell` kernel (TF 1.15 contrib).

    Same maths and variable layout as `LSTMCell` without projection
    (`lstm_cell/kernel` `[input + units, 4 * units]`, gates i, j, f, o,
    `lstm_cell/bias`, peepholes `w_i_diag`, `w_f_diag`, `w_o_diag`), so a
    checkpoint of one restores into the other.

    Args:
      num_units: int, the number of units.
      forget_bias: added to the forget gate at run time.
      cell_clip: clip the cell state (None: no clipping).
      use_peephole: add peephole connections.
      dtype, reuse, name: as for the other cells (default name "lstm_cell").
    """

    def __init__(self, num_units, forget_bias=1.0, cell_clip=None,
                 use_peephole=False, dtype=None, reuse=None,
                 name="lstm_cell"):
        super().__init__(_reuse=reuse, dtype=dtype, name=name)
        self._num_units = num_units
        self._forget_bias = forget_bias
        self._use_peephole = use_peephole
        self._cell_clip = cell_clip if cell_clip is not None else -1
        _ensure_gradient("LSTMBlockCell", _lstm_block_cell_grad)

    @property
    def state_size(self):
        return LSTMStateTuple(self._num_units, self._num_units)

    @property
    def output_size(self):
        return self._num_units

    def build(self, input_shape):
        _add_block_lstm_weights(self, v1.dimension_value(input_shape[1]))

    def call(self, inputs, state):
        if self._use_peephole:
            wci, wcf, wco = self._w_i_diag, self._w_f_diag, self._w_o_diag
        else:
            wci = wcf = wco = v1.zeros([self._num_units], dtype=self.dtype)
        cs_prev, h_prev = state
        _, cs, _, _, _, _, h = tf2.raw_ops.LSTMBlockCell(
            x=inputs, cs_prev=cs_prev, h_prev=h_prev, w=self._kernel,
            wci=wci, wcf=wcf, wco=wco, b=self._bias,
            forget_bias=self._forget_bias, cell_clip=self._cell_clip,
            use_peephole=self._use_peephole)
        return h, LSTMStateTuple(cs, h)


class LSTMBlockFusedCell(Layer):
    """A whole LSTM sequence in one `BlockLSTM` kernel (TF 1.15 contrib).

        outputs, (c, h) = LSTMBlockFusedCell(128)(x_time_major, dtype=tf.float32,
                                                  sequence_length=lengths)

    Caveats: inputs are **time-major** `[time, batch, depth]` (or a list of
    `[batch, depth]` steps, giving a list back); it is not an `RNNCell` (pass
    it no `dynamic_rnn`, call it on the sequence). Outputs past a sequence's
    length are zeros and the final state is the one at its last valid step.
    Variables (scope `lstm_fused_cell`): `kernel`, `bias` (+ peepholes), the
    same layout as `LSTMCell`/`LSTMBlockCell`.
    """

    def __init__(self, num_units, forget_bias=1.0, cell_clip=None,
                 use_peephole=False, reuse=None, dtype=None,
                 name="lstm_fused_cell"):
        super().__init__(_reuse=reuse, name=name, dtype=dtype)
        self._num_units = num_units
        self._forget_bias = forget_bias
        self._cell_clip = cell_clip if cell_clip is not None else -1
        self._use_peephole = use_peephole

    @property
    def num_units(self):
        return self._num_units

    def _check_input(self, inputs):
        if inputs.shape.ndims != 3 or v1.dimension_value(
                inputs.shape[2]) is None:
            raise RNNInputError(
                f"LSTMBlockFusedCell '{self.name}' got an input of shape "
                f"{inputs.shape}: it needs time-major 3-D sequences "
                "[max_time, batch_size, input_size] with a known input_size "
                "(transpose batch-major inputs with tf.transpose(x, [1, 0, 2])"
                ").")

    def build(self, input_shape):
        _add_block_lstm_weights(self, v1.dimension_value(input_shape[2]))

    def __call__(self, inputs, initial_state=None, dtype=None,
                 sequence_length=None, scope=None):
        is_list = isinstance(inputs, list)
        if is_list:
            inputs = v1.stack(inputs)
        kwargs = {} if scope is None else {"scope": scope}
        outputs, state = super().__call__(
            inputs, initial_state=initial_state, dtype=dtype,
            sequence_length=sequence_length, **kwargs)
        if is_list:
            outputs = v1.unstack(outputs)
        return outputs, state

    def call(self, inputs, initial_state=None, dtype=None,
             sequence_length=None):
        batch_size = v1.dimension_value(inputs.shape[1])
        if batch_size is None:
            batch_size = v1.shape(inputs)[1]
        time_len = v1.dimension_value(inputs.shape[0])
        if time_len is None:
            time_len = v1.shape(inputs)[0]
        if initial_state is None:
            if dtype is None:
                raise RNNInputError(
                    f"LSTMBlockFusedCell '{self.name}': pass dtype= (e.g. "
                    "tf.float32) or initial_state=(c, h).")
            z = v1.zeros(v1.stack([batch_size, self._num_units]), dtype=dtype)
            initial_state = z, z
        else:
            if len(initial_state) != 2:
                raise RNNInputError(
                    f"LSTMBlockFusedCell '{self.name}': initial_state must "
                    "be a pair (c, h) or None.")
            if dtype is None:
                dtype = initial_state[0].dtype
        if sequence_length is not None:
            sequence_length = v1.convert_to_tensor(sequence_length)
        c0, h0 = initial_state
        if self._use_peephole:
            wci, wcf, wco = self._w_i_diag, self._w_f_diag, self._w_o_diag
        else:
            wci = wcf = wco = v1.zeros([self._num_units], dtype=dtype)
        if sequence_length is None:
            max_len = v1.cast(time_len, v1.int64)
        else:
            max_len = v1.cast(v1.reduce_max(sequence_length), v1.int64)
        _, cell_states, _, _, _, _, outputs = tf2.raw_ops.BlockLSTM(
            seq_len_max=max_len, x=inputs, cs_prev=c0, h_prev=h0,
            w=self._kernel, wci=wci, wcf=wcf, wco=wco, b=self._bias,
            forget_bias=self._forget_bias, cell_clip=self._cell_clip,
            use_peephole=self._use_peephole)
        if sequence_length is not None:
            mask = v1.transpose(v1.sequence_mask(sequence_length, time_len,
                                                 dtype=dtype), [1, 0])
            mask = v1.tile(v1.expand_dims(mask, [-1]),
                           [1, 1, self._num_units])
            outputs *= mask
            all_c = v1.concat([v1.expand_dims(c0, [0]), cell_states], 0)
            all_h = v1.concat([v1.expand_dims(h0, [0]), outputs], 0)
            index = v1.stack([sequence_length, v1.range(batch_size)], axis=1)
            final_c = v1.gather_nd(all_c, index)
            final_h = v1.gather_nd(all_h, index)
        else:
            final_c = cell_states[-1]
            final_h = outputs[-1]
        return outputs, LSTMStateTuple(final_c, final_h)


class GRUBlockCell(LayerRNNCell):
    """One GRU step in one `GRUBlockCell` kernel (TF 1.15 contrib).

    Same maths as `GRUCell`; variables `gru_cell/w_ru` `[input + units,
    2 * units]` (r, u; bias `b_ru` starts at 1), `gru_cell/w_c`, `b_c`.
    `GRUBlockCellV2` names them like `GRUCell` (`gates/kernel`, ...).

    Args:
      num_units: int, the number of units (`cell_size` is its old name).
      reuse, name: as for the other cells (default name "gru_cell").
    """

    _NAMES = ("w_ru", "b_ru", "w_c", "b_c")

    def __init__(self, num_units=None, cell_size=None, reuse=None,
                 name="gru_cell"):
        super().__init__(_reuse=reuse, name=name)
        if num_units is None and cell_size is None:
            raise RNNInputError(f"{type(self).__name__}: pass num_units=.")
        self._cell_size = num_units if num_units is not None else cell_size
        _ensure_gradient("GRUBlockCell", _gru_block_cell_grad)

    @property
    def state_size(self):
        return self._cell_size

    @property
    def output_size(self):
        return self._cell_size

    def build(self, input_shape):
        depth = v1.dimension_value(input_shape[1])
        n = self._cell_size
        w_ru, b_ru, w_c, b_c = self._NAMES
        init = v1.glorot_uniform_initializer()
        self._gate_kernel = self.add_weight(w_ru, [depth + n, 2 * n],
                                            initializer=init)
        self._gate_bias = self.add_weight(
            b_ru, [2 * n], initializer=v1.constant_initializer(1.0))
        self._candidate_kernel = self.add_weight(w_c, [depth + n, n],
                                                 initializer=init)
        self._candidate_bias = self.add_weight(
            b_c, [n], initializer=v1.constant_initializer(0.0))
        self.built = True

    def call(self, inputs, h_prev):
        _, _, _, new_h = tf2.raw_ops.GRUBlockCell(
            x=inputs, h_prev=h_prev, w_ru=self._gate_kernel,
            w_c=self._candidate_kernel, b_ru=self._gate_bias,
            b_c=self._candidate_bias)
        return new_h, new_h


class GRUBlockCellV2(GRUBlockCell):
    """`GRUBlockCell` with `GRUCell`'s variable names (`gates/kernel`,
    `gates/bias`, `candidate/kernel`, `candidate/bias`)."""

    _NAMES = ("gates/kernel", "gates/bias", "candidate/kernel",
              "candidate/bias")


def _check_stack_args(cells_fw, cells_bw, initial_states_fw,
                      initial_states_bw):
    if not cells_fw or not cells_bw:
        raise RNNInputError("stack_bidirectional_*: cells_fw and cells_bw "
                            "must be non-empty lists of cells (one per layer).")
    if not isinstance(cells_fw, list) or not isinstance(cells_bw, list):
        raise RNNInputError("stack_bidirectional_*: cells_fw and cells_bw must "
                            "be lists of RNNCells (one per layer).")
    if len(cells_fw) != len(cells_bw):
        raise RNNInputError("stack_bidirectional_*: forward and backward "
                            f"cells must have the same depth, got "
                            f"{len(cells_fw)} and {len(cells_bw)}.")
    for name, states in (("initial_states_fw", initial_states_fw),
                         ("initial_states_bw", initial_states_bw)):
        if states is not None and (not isinstance(states, list)
                                   or len(states) != len(cells_fw)):
            raise RNNInputError(f"stack_bidirectional_*: {name} must be a "
                                "list of states, one per layer.")


def _stack_bidirectional(cells_fw, cells_bw, inputs, initial_states_fw,
                         initial_states_bw, scope, run_layer):
    """The loop both stacked bidirectional RNNs share: in the variable scope
    `scope` (default "stack_bidirectional_rnn"), layer i runs in `cell_i` as
    `run_layer(cell_fw, cell_bw, inputs, init_fw, init_bw, cell_scope)`,
    which returns `(outputs, state_fw, state_bw)`; its outputs are the next
    layer's inputs."""
    _check_stack_args(cells_fw, cells_bw, initial_states_fw,
                      initial_states_bw)
    states_fw, states_bw = [], []
    prev_layer = inputs
    with v1.variable_scope(scope or "stack_bidirectional_rnn"):
        for i, (cell_fw, cell_bw) in enumerate(zip(cells_fw, cells_bw)):
            init_fw = initial_states_fw[i] if initial_states_fw else None
            init_bw = initial_states_bw[i] if initial_states_bw else None
            with v1.variable_scope("cell_%d" % i) as cell_scope:
                prev_layer, state_fw, state_bw = run_layer(
                    cell_fw, cell_bw, prev_layer, init_fw, init_bw,
                    cell_scope)
            states_fw.append(state_fw)
            states_bw.append(state_bw)
    return prev_layer, tuple(states_fw), tuple(states_bw)


def stack_bidirectional_rnn(cells_fw, cells_bw, inputs,
                            initial_states_fw=None, initial_states_bw=None,
                            dtype=None, sequence_length=None, scope=None):
    """Stacked bidirectional `static_rnn`: layer k's input is layer k-1's
    concatenated fw/bw outputs. Returns `(outputs, states_fw, states_bw)`.
    Variables: `stack_bidirectional_rnn/cell_0/bidirectional_rnn/fw/...`."""
    def run_layer(cell_fw, cell_bw, layer_inputs, init_fw, init_bw,
                  cell_scope):
        return static_bidirectional_rnn(
            cell_fw, cell_bw, layer_inputs, initial_state_fw=init_fw,
            initial_state_bw=init_bw, sequence_length=sequence_length,
            dtype=dtype, scope=cell_scope)

    return _stack_bidirectional(cells_fw, cells_bw, inputs,
                                initial_states_fw, initial_states_bw, scope,
                                run_layer)


def stack_bidirectional_dynamic_rnn(cells_fw, cells_bw, inputs,
                                    initial_states_fw=None,
                                    initial_states_bw=None, dtype=None,
                                    sequence_length=None,
                                    parallel_iterations=None,
                                    time_major=False, scope=None,
                                    swap_memory=False):
    """Stacked `bidirectional_dynamic_rnn`: layer k's input is layer k-1's
    fw/bw outputs concatenated on the last axis. Returns `(outputs,
    states_fw, states_bw)`, outputs `[batch, time, 2 * units]`. Variables:
    `stack_bidirectional_rnn/cell_0/bidirectional_rnn/fw/lstm_cell/kernel`."""
    def run_layer(cell_fw, cell_bw, layer_inputs, init_fw, init_bw,
                  cell_scope):
        del cell_scope  # bidirectional_dynamic_rnn opens "bidirectional_rnn"
        outputs, (state_fw, state_bw) = v1.nn.bidirectional_dynamic_rnn(
            cell_fw, cell_bw, layer_inputs, initial_state_fw=init_fw,
            initial_state_bw=init_bw, sequence_length=sequence_length,
            parallel_iterations=parallel_iterations, dtype=dtype,
            swap_memory=swap_memory, time_major=time_major)
        return v1.concat(outputs, 2), state_fw, state_bw

    return _stack_bidirectional(cells_fw, cells_bw, inputs,
                                initial_states_fw, initial_states_bw, scope,
                                run_layer)
