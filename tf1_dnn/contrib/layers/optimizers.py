"""`tf.contrib.layers.optimize_loss`: loss -> training tensor in one call.

    train_op = tf.contrib.layers.optimize_loss(
        loss, tf.train.get_or_create_global_step(), learning_rate=0.01,
        optimizer="Adam", clip_gradients=5.0)
    sess.run(train_op)     # returns the loss *and* applies one update

Caveats (TF 1.15, mirrored):
  - the result is the loss tensor with the update as a control dependency,
    not an op: fetching it trains.
  - a float `learning_rate` becomes the non-trainable variable
    `OptimizeLoss/learning_rate` (it is saved with the model).
  - `update_ops=None` runs the graph's `UPDATE_OPS` (batch-norm averages)
    before the loss, so batch norm works without extra code.
  - `"Momentum"` means momentum 0.9; summaries default to loss, learning
    rate and global gradient norm (`tf.summary` ops, harmless if unused).
"""

import numbers

from tf1_dnn._compat import v1
from tf1_dnn.errors import InputError

__all__ = ["optimize_loss", "OPTIMIZER_CLS_NAMES", "OPTIMIZER_SUMMARIES"]

OPTIMIZER_CLS_NAMES = {
    "Adagrad": v1.train.AdagradOptimizer,
    "Adam": v1.train.AdamOptimizer,
    "Ftrl": v1.train.FtrlOptimizer,
    "Momentum": lambda learning_rate: v1.train.MomentumOptimizer(
        learning_rate, momentum=0.9),
    "RMSProp": v1.train.RMSPropOptimizer,
    "SGD": v1.train.GradientDescentOptimizer,
}

OPTIMIZER_SUMMARIES = ["learning_rate", "loss", "gradients", "gradient_norm",
                       "global_gradient_norm"]


def _make_optimizer(optimizer, lr, learning_rate):
    if isinstance(optimizer, str):
        if lr is None:
            raise InputError("Learning rate is None, but should be specified "
                             f"if optimizer is a string ({optimizer}).")
        if optimizer not in OPTIMIZER_CLS_NAMES:
            raise InputError(
                f"Optimizer name should be one of "
                f"[{', '.join(OPTIMIZER_CLS_NAMES)}], you provided "
                f"{optimizer!r}.")
        return OPTIMIZER_CLS_NAMES[optimizer](learning_rate=lr)
    if isinstance(optimizer, type) and issubclass(optimizer,
                                                  v1.train.Optimizer):
        if lr is None:
            raise InputError("Learning rate is None, but should be specified "
                             f"if optimizer is a class ({optimizer}).")
        return optimizer(learning_rate=lr)
    if isinstance(optimizer, v1.train.Optimizer):
        return optimizer
    if callable(optimizer):
        opt = optimizer(lr) if learning_rate is not None else optimizer()
        if not isinstance(opt, v1.train.Optimizer):
            raise InputError("Unrecognized optimizer: function should return "
                             f"a subclass of Optimizer. Got {opt!r}.")
        return opt
    raise InputError(
        "Unrecognized optimizer: should be a string, a subclass of Optimizer, "
        "an instance of a subclass of Optimizer or a function with one "
        f"argument. Got {optimizer!r}.")


def optimize_loss(loss, global_step, learning_rate, optimizer,
                  gradient_noise_scale=None, gradient_multipliers=None,
                  clip_gradients=None, learning_rate_decay_fn=None,
                  update_ops=None, variables=None, name=None, summaries=None,
                  colocate_gradients_with_ops=False,
                  increment_global_step=True):
    """Builds the training tensor for `loss` (TF 1.15's contrib signature).

    Args:
      loss: scalar tensor.
      global_step: the step variable, or None (then the graph's global step,
        if any, is incremented).
      learning_rate: float (made a variable), scalar tensor, or None when
        `optimizer` is an instance / a no-argument function.
      optimizer: a name in `OPTIMIZER_CLS_NAMES` ("SGD", "Adam", "Adagrad",
        "Momentum", "RMSProp", "Ftrl"), an `Optimizer` subclass, an instance,
        or a function `lr -> Optimizer`.
      gradient_noise_scale: adds `truncated_normal * scale` to gradients.
      gradient_multipliers: {variable or variable name: factor}.
      clip_gradients: float (clip by global norm) or a function
        `grads_and_vars -> grads_and_vars`.
      learning_rate_decay_fn: `(lr, global_step) -> lr`.
      update_ops: ops to run before the loss (default: `UPDATE_OPS`).
      variables: variables to train (default: trainable variables).
      name: variable scope (default "OptimizeLoss").
      summaries: subset of `OPTIMIZER_SUMMARIES`.
      colocate_gradients_with_ops, increment_global_step: as in TF 1.x.

    Returns:
      `identity(loss)` under a control dependency on the update, as TF 1.x:
      the fetch returns once the update has run, but nothing orders the
      loss's own reads of the variables against the update. Pitfall kept
      from TF 1.x: with several ops free to run, the value returned can be
      the loss before the update or after it (or a mix across variables);
      fetch `loss` in a separate `run` when the exact value matters.

    Raises:
      ValueError: a non-scalar loss, a bad learning rate / optimizer /
        summary name / clip_gradients, a decay function without a global
        step, or no gradients.
    """
    loss = v1.convert_to_tensor(loss)
    if loss.shape.ndims not in (None, 0):
        raise InputError(
            f"optimize_loss: loss must be a scalar, got shape {loss.shape}; "
            "reduce it first, e.g. tf.reduce_mean(losses).")
    if global_step is None:
        global_step = v1.train.get_global_step()
    else:
        v1.train.assert_global_step(global_step)
    with v1.variable_scope(name, "OptimizeLoss", [loss, global_step]):
        if update_ops is None:
            update_ops = set(v1.get_collection(v1.GraphKeys.UPDATE_OPS))
        if update_ops:
            with v1.control_dependencies(list(update_ops)):
                loss = v1.identity(loss)
        lr = None
        if learning_rate is not None:
            if v1.is_tensor(learning_rate) and \
                    learning_rate.shape.ndims == 0:
                lr = learning_rate
            elif isinstance(learning_rate, numbers.Real) and \
                    not isinstance(learning_rate, bool):
                if learning_rate < 0.0:
                    raise InputError(f"Invalid learning_rate {learning_rate}.")
                lr = v1.get_variable(
                    "learning_rate", [], trainable=False,
                    initializer=v1.constant_initializer(float(learning_rate)))
            else:
                raise InputError(
                    "Learning rate should be a 0-d tensor or a float, got "
                    f"{learning_rate!r} of type {type(learning_rate).__name__}.")
        if summaries is None:
            summaries = ["loss", "learning_rate", "global_gradient_norm"]
        for summ in summaries:
            if summ not in OPTIMIZER_SUMMARIES:
                raise InputError(
                    f"Summaries should be one of [{', '.join(OPTIMIZER_SUMMARIES)}"
                    f"], you provided {summ!r}.")
        if learning_rate is not None and learning_rate_decay_fn is not None:
            if global_step is None:
                raise InputError(
                    "global_step is required for learning_rate_decay_fn: "
                    "create one with tf.train.get_or_create_global_step().")
            lr = learning_rate_decay_fn(lr, global_step)
        if lr is not None and "learning_rate" in summaries:
            v1.summary.scalar("learning_rate", lr)
        opt = _make_optimizer(optimizer, lr, learning_rate)
        if variables is None:
            variables = v1.trainable_variables()
        gradients = opt.compute_gradients(
            loss, variables,
            colocate_gradients_with_ops=colocate_gradients_with_ops)
        if gradient_noise_scale is not None:
            gradients = [
                (None if g is None else g + v1.truncated_normal(
                    v1.shape(g)) * gradient_noise_scale, v)
                for g, v in gradients]
        if gradient_multipliers is not None:
            multiplied = []
            for g, v in gradients:
                key = v if v in gradient_multipliers else v.name
                if g is not None and key in gradient_multipliers:
                    g = g * v1.cast(gradient_multipliers[key], g.dtype)
                multiplied.append((g, v))
            gradients = multiplied
        if not gradients:
            raise InputError(
                "Empty list of (gradient, variable) pairs: no trainable "
                "variable reaches the loss (check `variables`).")
        if "global_gradient_norm" in summaries or "gradient_norm" in summaries:
            v1.summary.scalar("global_norm/gradient_norm", v1.linalg.global_norm(
                [g for g, _ in gradients]))
        if isinstance(clip_gradients, numbers.Real) and \
                not isinstance(clip_gradients, bool):
            grads, tvars = zip(*gradients)
            clipped, _ = v1.clip_by_global_norm(list(grads),
                                                float(clip_gradients))
            gradients = list(zip(clipped, tvars))
        elif callable(clip_gradients):
            gradients = clip_gradients(gradients)
        elif clip_gradients is not None:
            raise InputError(
                f"Unknown type {type(clip_gradients).__name__} for "
                "clip_gradients: pass a float (global norm) or a function.")
        if "loss" in summaries:
            v1.summary.scalar("loss", loss)
        for g, v in gradients:
            values = g.values if isinstance(g, v1.IndexedSlices) else g
            if values is None:
                continue
            var_name = v.name.replace(":", "_")
            if "gradients" in summaries:
                v1.summary.histogram(f"gradients/{var_name}", values)
            if "gradient_norm" in summaries:
                v1.summary.scalar(f"gradient_norm/{var_name}",
                                  v1.linalg.global_norm([values]))
        if clip_gradients is not None and (
                "global_gradient_norm" in summaries
                or "gradient_norm" in summaries):
            v1.summary.scalar("global_norm/clipped_gradient_norm",
                              v1.linalg.global_norm([g for g, _ in gradients]))
        grad_updates = opt.apply_gradients(
            gradients,
            global_step=global_step if increment_global_step else None,
            name="train")
        with v1.control_dependencies([grad_updates]):
            return v1.identity(loss)
