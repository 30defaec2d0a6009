"""The configurations `python -m tf1_dnn lab` trains, one per technique of ch. 11.

Pure data (no TensorFlow import): `tf1_dnn.lab` turns each `LabConfig` into
its own `tf.Graph` in the chapter's style. Every configuration is the same
784-300-100-10 network trained with mini-batches of 50 (the chapter's
`n_hidden1 = 300`, `n_hidden2 = 100`, `batch_size = 50`); each one changes
only the technique it is named after, relative to the baseline `relu`:

    ReLU, default `tf.layers.dense` initializer (Xavier/Glorot uniform),
    no batch norm, no clipping, plain SGD with learning rate 0.01.

A configuration belongs to one `group` (one learning-curve plot each) and may
also be drawn, as the reference curve, in the plots of `also_in` groups (the
baseline `relu` is the "SGD" of the optimizers and the "Xavier" of the
initializations), so no run is repeated.

Hyper-parameters are the chapter's own listings where it gives them
(momentum 0.9, RMSProp decay 0.9 / epsilon 1e-10, exponential decay 0.1 ->
x0.1 every 10 000 steps, l1/l2 scale 0.001, dropout rate 0.5, max-norm 1.0,
clip threshold 1.0, batch-norm momentum 0.9, leaky-ReLU alpha 0.01).
"""

import dataclasses
import fnmatch

__all__ = ["LabConfig", "CONFIGS", "GROUPS", "select", "by_name"]

# Plot/section order and titles.
GROUPS = {
    "activations": "Activation functions",
    "initialization": "Initialization",
    "batch_norm": "Batch normalization",
    "clipping": "Gradient clipping",
    "optimizers": "Optimizers",
    "schedules": "Learning-rate schedules",
    "regularization": "Regularization",
    "default": "Table 11-2 default network",
}

ACTIVATIONS = ("logistic", "relu", "leaky_relu", "elu", "selu")
INITIALIZERS = ("xavier", "he", "lecun")
OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")
SCHEDULES = (None, "exponential", "power")


@dataclasses.dataclass(frozen=True)
class LabConfig:
    """One network of the lab: the baseline with one technique changed.

    Attributes:
      name: unique, also the TensorBoard run directory name.
      group: key of `GROUPS` (which learning-curve plot it is drawn in).
      technique: the human description printed in the report table.
      activation: one of `ACTIVATIONS` for the hidden layers.
      initializer: "xavier" (the `tf.layers.dense` default,
        `glorot_uniform`), "he" (`tf.variance_scaling_initializer(scale=2.0)`)
        or "lecun" (`tf.variance_scaling_initializer()` -- no argument, the
        pitfall: this is LeCun, scale 1.0, not He).
      batch_norm: batch norm (momentum `bn_momentum`) after every dense layer,
        activation after it, as in the chapter.
      clip_threshold: clip every gradient to [-t, t] (`tf.clip_by_value`).
      optimizer: one of `OPTIMIZERS`; learning_rate its (initial) rate.
      schedule: None, "exponential" (`tf.train.exponential_decay`) or
        "power" (`tf.train.inverse_time_decay`, eta0 / (1 + t/r)).
      l1, l2: contrib-style regularizer scales on the kernels (0 = off).
      dropout_rate: `tf.layers.dropout` rate (fraction DROPPED) on the input
        and hidden layers (0 = off).
      max_norm: threshold of the chapter's `max_norm_regularizer` on every
        kernel; max_norm_axes its `axes`: 1 (the chapter's default) clips
        each row of a `[n_in, n_out]` kernel (one input's outgoing
        weights), 0 each column (one unit's incoming weights, the paper's).
      standardize: scale the inputs to mean 0, std 1 (SELU needs it).
      also_in: extra groups whose plots also show this run as reference.
      table_11_2: build the network with `tf1_dnn.defaults.default_dnn`
        (table 11-2; its own layer names `bn1`, `drop1`, ...) from the
        fields above instead of the lab's generic builder.
    """
    name: str
    group: str
    technique: str
    activation: str = "relu"
    initializer: str = "xavier"
    batch_norm: bool = False
    bn_momentum: float = 0.9
    clip_threshold: float = None
    optimizer: str = "sgd"
    learning_rate: float = 0.01
    schedule: str = None
    l1: float = 0.0
    l2: float = 0.0
    dropout_rate: float = 0.0
    max_norm: float = None
    max_norm_axes: int = 1
    standardize: bool = False
    also_in: tuple = ()
    table_11_2: bool = False

    def __post_init__(self):
        checks = [("group", self.group, tuple(GROUPS)),
                  ("activation", self.activation, ACTIVATIONS),
                  ("initializer", self.initializer, INITIALIZERS),
                  ("optimizer", self.optimizer, OPTIMIZERS),
                  ("schedule", self.schedule, SCHEDULES)]
        for field, value, allowed in checks:
            if value not in allowed:
                raise ValueError(
                    f"LabConfig {self.name!r}: unknown {field} {value!r}; "
                    f"use one of {allowed}.")
        for group in self.also_in:
            if group not in GROUPS:
                raise ValueError(
                    f"LabConfig {self.name!r}: unknown group {group!r} in "
                    f"also_in; use keys of GROUPS {tuple(GROUPS)}.")
        if not 0 <= self.dropout_rate < 1:
            raise ValueError(
                f"LabConfig {self.name!r}: dropout_rate is the fraction to "
                f"drop and must be in [0, 1), got {self.dropout_rate!r}.")

    @property
    def groups(self):
        """The groups whose plots show this run: its own first."""
        return (self.group,) + tuple(self.also_in)


_C = LabConfig

CONFIGS = (
    # -- activations (Xavier init, SGD 0.01) -------------------------------
    _C("logistic", "activations", "logistic (sigmoid) activation",
       activation="logistic"),
    _C("relu", "activations",
       "baseline: ReLU, Xavier init (tf.layers.dense default), SGD 0.01",
       also_in=("initialization", "clipping", "optimizers",
                "regularization", "default")),
    _C("leaky_relu", "activations", "leaky ReLU, alpha=0.01 (the chapter's; "
       "tf.nn.leaky_relu defaults to 0.2)", activation="leaky_relu"),
    _C("elu", "activations", "ELU activation", activation="elu",
       also_in=("batch_norm",)),
    _C("selu", "activations", "SELU, LeCun init, standardized inputs",
       activation="selu", initializer="lecun", standardize=True),
    # -- initialization (ReLU, SGD 0.01) -----------------------------------
    _C("he_init", "initialization",
       "He init: tf.variance_scaling_initializer(scale=2.0)",
       initializer="he"),
    _C("lecun_init", "initialization",
       "tf.variance_scaling_initializer() -- pitfall: no-arg default is "
       "LeCun (scale 1.0), not He", initializer="lecun"),
    # -- batch normalization -----------------------------------------------
    _C("batch_norm", "batch_norm",
       "ELU + batch norm (momentum 0.9) after every layer",
       activation="elu", batch_norm=True),
    # -- gradient clipping -------------------------------------------------
    _C("clip_value", "clipping",
       "gradients clipped to [-1, 1] (tf.clip_by_value, threshold 1.0)",
       clip_threshold=1.0),
    # -- optimizers (ReLU, Xavier) -----------------------------------------
    _C("momentum", "optimizers", "MomentumOptimizer(0.01, momentum=0.9)",
       optimizer="momentum", also_in=("schedules",)),
    _C("nesterov", "optimizers",
       "MomentumOptimizer(0.01, momentum=0.9, use_nesterov=True)",
       optimizer="nesterov"),
    _C("adagrad", "optimizers", "AdagradOptimizer(0.01)", optimizer="adagrad"),
    _C("rmsprop", "optimizers",
       "RMSPropOptimizer(0.001, momentum=0.9, decay=0.9, epsilon=1e-10)",
       optimizer="rmsprop", learning_rate=0.001),
    _C("adam", "optimizers", "AdamOptimizer(0.001)", optimizer="adam",
       learning_rate=0.001),
    # -- learning-rate schedules (Momentum 0.9) ----------------------------
    _C("exponential_decay", "schedules",
       "Momentum 0.9, exponential_decay(0.1, step, 10000, 1/10)",
       optimizer="momentum", learning_rate=0.1, schedule="exponential"),
    _C("power_decay", "schedules",
       "Momentum 0.9, power scheduling inverse_time_decay(0.1, step, "
       "1000, 1.0)", optimizer="momentum", learning_rate=0.1,
       schedule="power"),
    # -- regularization (ReLU, Xavier, SGD 0.01) ---------------------------
    _C("l1", "regularization", "l1 regularization, scale 0.001 "
       "(tf.contrib.layers.l1_regularizer)", l1=0.001),
    _C("l2", "regularization", "l2 regularization, scale 0.001 "
       "(tf.contrib.layers.l2_regularizer = scale * tf.nn.l2_loss)", l2=0.001),
    _C("dropout", "regularization", "dropout rate 0.5 on inputs and hidden "
       "layers", dropout_rate=0.5),
    _C("max_norm", "regularization",
       "max-norm 1.0, the chapter's max_norm_regularizer(1.0) (axes=1: "
       "rows, each input's outgoing weights), clip ops run after each step",
       max_norm=1.0),
    _C("max_norm_axis0", "regularization",
       "max-norm 1.0 with axes=0: columns, each unit's incoming weights "
       "(the paper's max-norm, Keras' max_norm default)",
       max_norm=1.0, max_norm_axes=0),
    # -- table 11-2 --------------------------------------------------------
    _C("default_dnn", "default", "table 11-2 (tf1_dnn.defaults.default_dnn): "
       "He init, ELU, batch norm 0.9, dropout 0.2, Nesterov momentum 0.9, "
       "lr 0.01", activation="elu", initializer="he", batch_norm=True,
       dropout_rate=0.2, optimizer="nesterov", table_11_2=True,
       also_in=("batch_norm",)),
)


def by_name(name):
    """The configuration called `name` (ValueError listing names if none)."""
    for config in CONFIGS:
        if config.name == name:
            return config
    raise ValueError(f"no lab configuration named {name!r}; known: "
                     f"{', '.join(c.name for c in CONFIGS)}.")


def select(patterns=None, configs=CONFIGS):
    """The configurations matching any of `patterns`, in table order.

    Args:
      patterns: None (all), or a string of comma-separated patterns, or a
        list of them. A pattern is an fnmatch glob ("*decay", "he_*") matched
        against the name and the group; a pattern without wildcard matches
        names or groups that contain it ("relu" -> relu, leaky_relu).

    Raises:
      ValueError: if a pattern matches nothing; the message lists the names
        and groups there are.
    """
    if patterns is None:
        return list(configs)
    if isinstance(patterns, str):
        patterns = patterns.split(",")
    patterns = [p.strip() for p in patterns if p.strip()]
    if not patterns:
        raise ValueError("--only needs at least one pattern, e.g. "
                         "--only relu or --only 'optimizers,*decay'.")
    chosen = set()
    for pattern in patterns:
        glob = pattern if any(ch in pattern for ch in "*?[") else f"*{pattern}*"
        hits = {c.name for c in configs
                if fnmatch.fnmatchcase(c.name, glob)
                or fnmatch.fnmatchcase(c.group, glob)}
        if not hits:
            raise ValueError(
                f"--only pattern {pattern!r} matches no configuration. "
                f"Names: {', '.join(c.name for c in configs)}. "
                f"Groups: {', '.join(GROUPS)}.")
        chosen |= hits
    return [c for c in configs if c.name in chosen]
