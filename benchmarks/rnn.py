"""The book's chapter-14 MNIST-rows LSTM as a bench workload.

    LSTM  each image = 28 steps of 28 pixels -> BasicLSTMCell(150) under
          tf.nn.dynamic_rnn -> dense 10 logits on the last state's h;
          Adam (0.001), batch 150

Variants: `official` (tf_keras `legacy_cells.BasicLSTMCell` and the official
`legacy_tf_layers` dense in a `tf.compat.v1` graph, stock session),
`legacy-stock` / `legacy` / `legacy-1t` (the same code on
`from tf1_dnn import tf`), `legacy-fused` (the one line changed to our
`tf.contrib.rnn.LSTMBlockFusedCell`: one `BlockLSTM` kernel for the whole
sequence, time-major input) and `pytorch` (`nn.LSTM`, in
`benchmarks.pytorch_runner`). Same graph seed, numpy seed and batches: the
official and legacy rows end with the same validation accuracy.
"""

import numpy as np

from benchmarks.common import SEED, shuffle_batch, time_epochs

WORKLOADS = {
    "LSTM": dict(n_steps=28, n_inputs=28, n_neurons=150, batch=150,
                 learning_rate=0.001),
}
VARIANTS = ["official", "legacy-stock", "legacy", "legacy-1t",
            "legacy-fused", "pytorch"]
# --quick (CI): 600 training images (4 steps), 1 000 validation images.
QUICK = dict(n_train=600, n_valid=1000)


def lstm_flops(spec, n):
    """FLOPs of one training epoch over n examples (the matrix products).

    Per step and example the cell multiplies [x, h] (in + units) by a
    (in + units, 4 units) kernel: 2*MAC forward, 2*MAC for the kernel
    gradient, 2*MAC for the gradient of [x, h] (TF computes it whole);
    the logits layer (units x 10): 6*MAC once per example. Gate
    nonlinearities and Adam are not counted.
    """
    units, inputs = spec["n_neurons"], spec["n_inputs"]
    cell = (inputs + units) * 4 * units * spec["n_steps"]
    return 6 * (cell + units * 10) * n


flops = lstm_flops


def _namespace(variant):
    """(tf, cell factory, dense, Session) for a variant."""
    if variant == "official":
        from tf1_dnn._compat import v1 as tf
        tf.disable_v2_behavior()
        from tf_keras.src.layers.rnn import legacy_cells
        from tf_keras.src.legacy_tf_layers import core
        return tf, legacy_cells.BasicLSTMCell, core.dense, tf.Session
    from tf1_dnn import tf
    cell = (tf.contrib.rnn.LSTMBlockFusedCell if variant == "legacy-fused"
            else tf.nn.rnn_cell.BasicLSTMCell)
    if variant == "legacy-stock":
        from tf1_dnn._compat import v1
        return tf, cell, tf.layers.dense, v1.Session
    if variant == "legacy-1t":
        from tf1_dnn.session import small_model_config

        def Session(graph=None):
            return tf.Session(graph=graph, config=small_model_config(graph))
        return tf, cell, tf.layers.dense, Session
    return tf, cell, tf.layers.dense, tf.Session


def build_lstm(tf, cell_class, dense, spec, fused=False):
    """The book's construction phase (chapter 14, MNIST rows, one LSTM)."""
    n_steps, n_inputs = spec["n_steps"], spec["n_inputs"]
    X = tf.placeholder(tf.float32, [None, n_steps, n_inputs], name="X")
    y = tf.placeholder(tf.int32, [None], name="y")
    lstm_cell = cell_class(num_units=spec["n_neurons"])
    if fused:       # LSTMBlockFusedCell: time-major, called on the sequence
        outputs, states = lstm_cell(tf.transpose(X, [1, 0, 2]),
                                    dtype=tf.float32)
    else:
        outputs, states = tf.nn.dynamic_rnn(lstm_cell, X, dtype=tf.float32)
    top_layer_h_state = states[1]           # LSTMStateTuple(c, h)
    logits = dense(top_layer_h_state, 10, name="softmax")
    xentropy = tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=y, logits=logits)
    loss = tf.reduce_mean(xentropy, name="loss")
    optimizer = tf.train.AdamOptimizer(learning_rate=spec["learning_rate"])
    training_op = optimizer.minimize(loss)
    correct = tf.nn.in_top_k(logits, y, 1)
    accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
    return dict(X=X, y=y, logits=logits, loss=loss, training_op=training_op,
                accuracy=accuracy, init=tf.global_variables_initializer())


def run(variant, name, spec, data, n_epochs):
    """One LSTM run for a TensorFlow variant, in this process."""
    if variant not in VARIANTS or variant == "pytorch":
        raise ValueError(f"the LSTM workload has no {variant!r} variant "
                         f"(choose from {', '.join(VARIANTS)})")
    tf, cell_class, dense, Session = _namespace(variant)
    X_train, y_train, X_valid, y_valid = data
    shape = (-1, spec["n_steps"], spec["n_inputs"])
    X_train, X_valid = X_train.reshape(shape), X_valid.reshape(shape)
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(SEED)
        net = build_lstm(tf, cell_class, dense, spec,
                         fused=variant == "legacy-fused")
    np.random.seed(SEED)
    X, y, training_op = net["X"], net["y"], net["training_op"]
    with Session(graph=graph) as sess:
        sess.run(net["init"])

        def epoch_fn(epoch):
            for X_batch, y_batch in shuffle_batch(X_train, y_train,
                                                  spec["batch"]):
                sess.run(training_op, feed_dict={X: X_batch, y: y_batch})
        wall, cpu = time_epochs(n_epochs, epoch_fn)
        acc, valid_loss = sess.run([net["accuracy"], net["loss"]],
                                   feed_dict={X: X_valid, y: y_valid})
        stats = getattr(sess, "fast_run_stats", lambda: None)()
    return {"wall": wall, "cpu": cpu, "valid_accuracy": float(acc),
            "valid_loss": float(valid_loss), "fast_run_stats": stats}
