"""TF 1.x optimizers: all of `tf.train`, plus contrib's Nadam and AdamW.

The `tf.train` optimizers still exist natively in `tf.compat.v1.train` and
are re-exported here unchanged (they are the TF 1.x classes; tested against
their TF 1.x update rules in tests/test_optimizers.py). What TensorFlow 2.21
lost is `tf.contrib.opt`; `NadamOptimizer`, `AdamWOptimizer`,
`MomentumWOptimizer` and `extend_with_decoupled_weight_decay` are rebuilt
here on public `tf.compat.v1` symbols (also reachable as `tf.contrib.opt.*`).

Update rules, exactly as the TF 1.x kernels compute them (g = gradient):

* GradientDescent: `var -= lr * g`
* Momentum: `accum = momentum * accum + g; var -= lr * accum`;
  with `use_nesterov=True`: `var -= lr * g + lr * momentum * accum` (new
  accum). Caveat: the learning rate is *outside* the accumulator (the book
  writes `m = beta*m - lr*g`): the same for a constant lr, different when the
  lr changes during training.
* Adagrad: `accum += g**2; var -= lr * g / sqrt(accum)`, accum starts at
  `initial_accumulator_value=0.1`, no epsilon.
* Adadelta: `accum = rho*accum + (1-rho)*g**2;
  update = sqrt(accum_update + eps) / sqrt(accum + eps) * g;
  accum_update = rho*accum_update + (1-rho)*update**2; var -= lr * update`.
  Caveat: TF1's default `learning_rate=0.001` (the paper uses 1.0).
* RMSProp: `ms = decay*ms + (1-decay)*g**2;
  mom = momentum*mom + lr*g / sqrt(ms + epsilon); var -= mom`.
  Caveats: `ms` starts at **1.0**, not 0 (the first steps are much smaller
  than the book's formula suggests), and epsilon is *inside* the square root.
  `centered=True` also tracks `mg = decay*mg + (1-decay)*g` and divides by
  `sqrt(ms - mg**2 + epsilon)`.
* Adam: `lr_t = lr * sqrt(1 - beta2**t) / (1 - beta1**t);
  m = beta1*m + (1-beta1)*g; v = beta2*v + (1-beta2)*g**2;
  var -= lr_t * m / (sqrt(v) + epsilon)`.
  Caveat: this is the paper's "epsilon hat" form (epsilon is added after the
  bias correction), so epsilon=1e-8 here is not the paper's epsilon=1e-8.
  Slots: `<var>/Adam` (m), `<var>/Adam_1` (v); non-slot variables
  `beta1_power`, `beta2_power` (beta**t, multiplied after each step).
* Ftrl: see `tf.compat.v1.train.FtrlOptimizer` (accumulator starts at 0.1,
  `learning_rate_power=-0.5`).
"""

import inspect

from tf1_dnn._compat import v1
from tf1_dnn.errors import InputTypeError

__all__ = [
    "Optimizer", "GradientDescentOptimizer", "MomentumOptimizer",
    "AdagradOptimizer", "AdagradDAOptimizer", "AdadeltaOptimizer",
    "RMSPropOptimizer", "AdamOptimizer", "FtrlOptimizer",
    "ProximalGradientDescentOptimizer", "ProximalAdagradOptimizer",
    "NadamOptimizer", "DecoupledWeightDecayExtension", "AdamWOptimizer",
    "MomentumWOptimizer", "extend_with_decoupled_weight_decay",
]

# The TF 1.x classes themselves (tf.compat.v1.train is TF 1.x's tf.train).
Optimizer = v1.train.Optimizer
GradientDescentOptimizer = v1.train.GradientDescentOptimizer
MomentumOptimizer = v1.train.MomentumOptimizer
AdagradOptimizer = v1.train.AdagradOptimizer
AdagradDAOptimizer = v1.train.AdagradDAOptimizer
AdadeltaOptimizer = v1.train.AdadeltaOptimizer
RMSPropOptimizer = v1.train.RMSPropOptimizer
AdamOptimizer = v1.train.AdamOptimizer
FtrlOptimizer = v1.train.FtrlOptimizer
ProximalGradientDescentOptimizer = v1.train.ProximalGradientDescentOptimizer
ProximalAdagradOptimizer = v1.train.ProximalAdagradOptimizer


def _cast(x, dtype):
    return v1.cast(x, dtype.base_dtype)


class NadamOptimizer(v1.train.AdamOptimizer):
    """Adam with Nesterov momentum (Dozat 2015), as `tf.contrib.opt`'s.

    Same state as Adam (slots `<var>/Adam`, `<var>/Adam_1`, and
    `beta1_power` / `beta2_power`: the default `name` is "Adam", as in TF1),
    same `lr_t`; only the step differs::

        lr_t  = lr * sqrt(1 - beta2**t) / (1 - beta1**t)
        m     = beta1 * m + (1 - beta1) * g
        v     = beta2 * v + (1 - beta2) * g**2
        var  -= lr_t * (beta1 * m + (1 - beta1) * g) / (sqrt(v) + epsilon)

    (the TF kernel `ApplyAdam` with `use_nesterov=True`).

    Caveats:
      - This is TF1's simplified Nadam: no momentum schedule (Dozat's mu_t)
        and Adam's bias correction, so it is not Keras' `Nadam` step for step.
      - The default name "Adam" means a Nadam and an Adam optimizer in the
        same graph both make `beta1_power`/`beta2_power` (the second gets
        `beta1_power_1`) and slots `Adam`/`Adam_1` then `Adam_2`...; pass
        `name=` to tell them apart in checkpoints.
    """

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999,
                 epsilon=1e-8, use_locking=False, name="Adam"):
        super().__init__(learning_rate=learning_rate, beta1=beta1,
                         beta2=beta2, epsilon=epsilon,
                         use_locking=use_locking, name=name)

    def _adam_args(self, dtype):
        beta1_power, beta2_power = self._get_beta_accumulators()
        return dict(
            beta1_power=_cast(beta1_power, dtype),
            beta2_power=_cast(beta2_power, dtype),
            lr=_cast(self._lr_t, dtype), beta1=_cast(self._beta1_t, dtype),
            beta2=_cast(self._beta2_t, dtype),
            epsilon=_cast(self._epsilon_t, dtype))

    def _apply_dense(self, grad, var):
        return v1.raw_ops.ApplyAdam(
            var=var, m=self.get_slot(var, "m"), v=self.get_slot(var, "v"),
            grad=grad, use_locking=self._use_locking, use_nesterov=True,
            **self._adam_args(var.dtype)).op

    def _resource_apply_dense(self, grad, var):
        return v1.raw_ops.ResourceApplyAdam(
            var=var.handle, m=self.get_slot(var, "m").handle,
            v=self.get_slot(var, "v").handle, grad=grad,
            use_locking=self._use_locking, use_nesterov=True,
            **self._adam_args(grad.dtype))

    def _apply_sparse_shared(self, grad, var, indices, scatter_add):
        # contrib's sparse Nadam: Adam's sparse update with m_bar.
        a = self._adam_args(var.dtype)
        beta1, beta2 = a["beta1"], a["beta2"]
        lr = a["lr"] * v1.sqrt(1 - a["beta2_power"]) / (1 - a["beta1_power"])
        m = self.get_slot(var, "m")
        m_scaled_g_values = grad * (1 - beta1)
        m_t = v1.assign(m, m * beta1, use_locking=self._use_locking)
        with v1.control_dependencies([m_t]):
            m_t = scatter_add(m, indices, m_scaled_g_values)
            m_bar = m_scaled_g_values + beta1 * v1.gather(m_t, indices)
        v = self.get_slot(var, "v")
        v_scaled_g_values = (grad * grad) * (1 - beta2)
        v_t = v1.assign(v, v * beta2, use_locking=self._use_locking)
        with v1.control_dependencies([v_t]):
            v_t = scatter_add(v, indices, v_scaled_g_values)
        v_sqrt = v1.sqrt(v1.gather(v_t, indices))
        var_update = scatter_add(var, indices,
                                 -lr * m_bar / (v_sqrt + a["epsilon"]))
        return v1.group(var_update, m_bar, v_t)


class DecoupledWeightDecayExtension:
    """Mixin adding decoupled weight decay (Loshchilov & Hutter 2017).

    Before each optimizer update of a variable, TF1 contrib runs::

        var <- var - weight_decay * var

    and then the base optimizer's update on the gradient (computed before
    the decay, on the old value of var). Must come first in the bases:
    `class AdamW(DecoupledWeightDecayExtension, AdamOptimizer)`.

    `minimize()` and `apply_gradients()` take `decay_var_list`: only those
    variables are decayed.

    Caveats (the first three as in TF 1.x contrib):
      - `weight_decay` is NOT multiplied by the learning rate: with a
        learning-rate schedule, scale it yourself (e.g. pass a tensor
        `wd * lr / lr0`).
      - `decay_var_list=None` *or empty* decays every variable that gets
        a gradient (biases and batch-norm parameters too); an empty list is
        falsy and means "all", not "none".
      - The decay happens before the base update, so this is only the
        paper's method for optimizers whose update does not read `var`.
      - Two deliberate differences from TF 1.x contrib, both bugs there:
        (1) contrib's `minimize(decay_var_list=[w])` ignored the list and
        decayed every variable (its inner `apply_gradients` call reset the
        list to "all"); here `minimize` honours it.
        (2) Ordering: contrib did not order the decay after the gradient
        computation, so the gradient was sometimes computed from the
        already decayed variable (scheduling-dependent). Here the decay
        waits for the gradient, so g is always taken at the old value, as
        the paper and contrib's own tests (constant gradients) assume.
    """

    def __init__(self, weight_decay, **kwargs):
        self._decay_var_list = None  # set by minimize / apply_gradients
        self._weight_decay = weight_decay
        self._weight_decay_tensor = None
        super().__init__(**kwargs)

    def minimize(self, loss, global_step=None, var_list=None,
                 gate_gradients=v1.train.Optimizer.GATE_OP,
                 aggregation_method=None, colocate_gradients_with_ops=False,
                 name=None, grad_loss=None, decay_var_list=None):
        """`Optimizer.minimize`, plus `decay_var_list` (None: decay all).

        `compute_gradients()` then `apply_gradients(...,
        decay_var_list=decay_var_list)`.
        """
        grads_and_vars = self.compute_gradients(
            loss, var_list=var_list, gate_gradients=gate_gradients,
            aggregation_method=aggregation_method,
            colocate_gradients_with_ops=colocate_gradients_with_ops,
            grad_loss=grad_loss)
        return self.apply_gradients(grads_and_vars, global_step=global_step,
                                    name=name, decay_var_list=decay_var_list)

    def apply_gradients(self, grads_and_vars, global_step=None, name=None,
                        decay_var_list=None):
        """`Optimizer.apply_gradients`, plus `decay_var_list` (None: all)."""
        # TF1: None or an empty list (falsy) means "decay every variable".
        self._decay_var_list = (list(decay_var_list) if decay_var_list
                                else False)
        return super().apply_gradients(grads_and_vars,
                                       global_step=global_step, name=name)

    def _prepare(self):
        weight_decay = self._weight_decay
        if callable(weight_decay):
            weight_decay = weight_decay()
        self._weight_decay_tensor = v1.convert_to_tensor(
            weight_decay, name="weight_decay")
        super()._prepare()

    def _decays(self, var):
        return (not self._decay_var_list
                or any(var is v for v in self._decay_var_list))

    def _decay_weights_op(self, var):
        if self._decays(var):
            wd = _cast(self._weight_decay_tensor, var.dtype)
            return var.assign_sub(wd * var, self._use_locking)
        return v1.no_op()

    def _decay_weights_sparse_op(self, var, indices, scatter_add):
        if self._decays(var):
            wd = _cast(self._weight_decay_tensor, var.dtype)
            update = -wd * v1.gather(var, indices)
            return scatter_add(var, indices, update, self._use_locking)
        return v1.no_op()

    # The decay waits for the gradient (control dependency on `grad`): in TF1
    # contrib nothing ordered the two, so the gradient could be computed from
    # the already-decayed variable, depending on scheduling.
    def _apply_dense(self, grad, var):
        with v1.control_dependencies([grad]):
            decay_op = self._decay_weights_op(var)
        with v1.control_dependencies([decay_op]):
            return super()._apply_dense(grad, var)

    def _resource_apply_dense(self, grad, var):
        with v1.control_dependencies([grad]):
            decay_op = self._decay_weights_op(var)
        with v1.control_dependencies([decay_op]):
            return super()._resource_apply_dense(grad, var)

    def _apply_sparse(self, grad, var):
        with v1.control_dependencies([grad.values, grad.indices]):
            decay_op = self._decay_weights_sparse_op(var, grad.indices,
                                                     v1.scatter_add)
        with v1.control_dependencies([decay_op]):
            return super()._apply_sparse(grad, var)

    def _resource_apply_sparse(self, grad, var, indices):
        with v1.control_dependencies([grad, indices]):
            decay_op = self._decay_weights_sparse_op(var, indices,
                                                     v1.scatter_add)
        with v1.control_dependencies([decay_op]):
            return super()._resource_apply_sparse(grad, var, indices)


def extend_with_decoupled_weight_decay(base_optimizer):
    """Returns a subclass of `base_optimizer` with decoupled weight decay.

    `extend_with_decoupled_weight_decay(tf.train.AdamOptimizer)` is
    equivalent to `AdamWOptimizer`; the new class takes `weight_decay` as its
    first argument, then the base optimizer's arguments.
    """
    if not (isinstance(base_optimizer, type)
            and issubclass(base_optimizer, v1.train.Optimizer)):
        raise InputTypeError(
            "extend_with_decoupled_weight_decay needs an optimizer class "
            "(a subclass of tf.train.Optimizer, e.g. tf.train.AdamOptimizer), "
            f"got {base_optimizer!r}. Pass the class, not an instance.")

    class OptimizerWithDecoupledWeightDecay(DecoupledWeightDecayExtension,
                                            base_optimizer):
        __doc__ = (f"{base_optimizer.__name__} with decoupled weight decay "
                   "(see DecoupledWeightDecayExtension).")

        def __init__(self, weight_decay, *args, **kwargs):
            # Positional base arguments are turned into keywords because the
            # mixin's __init__ only forwards **kwargs.
            params = list(inspect.signature(
                base_optimizer.__init__).parameters)[1:]
            kwargs.update(zip(params, args))
            super().__init__(weight_decay, **kwargs)

    OptimizerWithDecoupledWeightDecay.__name__ = (
        base_optimizer.__name__.replace("Optimizer", "") + "WOptimizer")
    return OptimizerWithDecoupledWeightDecay


class AdamWOptimizer(DecoupledWeightDecayExtension, v1.train.AdamOptimizer):
    """Adam with decoupled weight decay, as `tf.contrib.opt.AdamWOptimizer`.

    One step (t counts from 1)::

        var  <- var - weight_decay * var                    # decay first
        lr_t  = lr * sqrt(1 - beta2**t) / (1 - beta1**t)
        m     = beta1 * m + (1 - beta1) * g                  # g: gradient at
        v     = beta2 * v + (1 - beta2) * g**2               # the OLD var
        var  <- var - lr_t * m / (sqrt(v) + epsilon)

    Slots `<var>/AdamW`, `<var>/AdamW_1` (default name "AdamW"), plus
    `beta1_power` and `beta2_power`. See `DecoupledWeightDecayExtension` for
    `decay_var_list` and the caveats (the decay is not scaled by the
    learning rate; an empty `decay_var_list` decays everything).
    """

    def __init__(self, weight_decay, learning_rate=0.001, beta1=0.9,
                 beta2=0.999, epsilon=1e-8, use_locking=False, name="AdamW"):
        super().__init__(weight_decay, learning_rate=learning_rate,
                         beta1=beta1, beta2=beta2, epsilon=epsilon,
                         use_locking=use_locking, name=name)


class MomentumWOptimizer(DecoupledWeightDecayExtension,
                         v1.train.MomentumOptimizer):
    """Momentum with decoupled weight decay (SGDW), as TF1 contrib's.

    `var <- var - weight_decay * var`, then the `MomentumOptimizer` step
    (`accum = momentum * accum + g; var -= lr * accum`). Slots
    `<var>/MomentumW`.
    """

    def __init__(self, weight_decay, learning_rate, momentum,
                 use_locking=False, name="MomentumW", use_nesterov=False):
        super().__init__(weight_decay, learning_rate=learning_rate,
                         momentum=momentum, use_locking=use_locking,
                         name=name, use_nesterov=use_nesterov)
