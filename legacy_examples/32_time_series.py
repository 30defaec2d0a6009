"""Predicting a time series one step ahead, with an output projection (ch. 14).

The book's listing, unchanged:

    cell = tf.contrib.rnn.OutputProjectionWrapper(
        tf.contrib.rnn.BasicRNNCell(num_units=n_neurons, activation=tf.nn.relu),
        output_size=n_outputs)
    outputs, states = tf.nn.dynamic_rnn(cell, X, dtype=tf.float32)
    loss = tf.reduce_mean(tf.square(outputs - y)) # MSE
    [...]
    saver.save(sess, "./my_time_series_model")
    with tf.Session() as sess:
        saver.restore(sess, "./my_time_series_model")
        y_pred = sess.run(outputs, feed_dict={X: X_new})

Each training instance is 20 consecutive values of
t sin(t) / 3 + 2 sin(5t); the target is the same window shifted one step
ahead. The projection (100 -> 1, at every time step) lives with the cell in
the scope `rnn/output_projection_wrapper/` (`kernel`, `bias`, and the cell's
`basic_rnn_cell/kernel`, `/bias`), which is what the checkpoint holds.

Pitfall: the wrapper projects each step's output, but the state passed to the
next step is still the cell's 100-unit state (`states` has 100 columns).

Run: python -m tf1_dnn run legacy_examples/32_time_series.py [--epochs N] [--quick]
(--epochs counts hundreds of training iterations: the book's 1500 = 15).
"""
import argparse
import os

import numpy as np
import tensorflow as tf

parser = argparse.ArgumentParser(description="Time series with OutputProjectionWrapper")
parser.add_argument("--epochs", type=int, default=15,
                    help="hundreds of training iterations (the book: 1500)")
parser.add_argument("--quick", action="store_true", help="300 iterations")
args = parser.parse_args()

# Checkpoints go to <repo>/checkpoints/ (quick runs: checkpoints/quick/).
CKPT_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "checkpoints", "quick" if args.quick else "")
os.makedirs(CKPT_DIR, exist_ok=True)

np.random.seed(42)       # the notebook's reset_graph()
tf.set_random_seed(42)

t_min, t_max = 0, 30
resolution = 0.1


def time_series(t):
    return t * np.sin(t) / 3 + 2 * np.sin(t*5)


def next_batch(batch_size, n_steps):
    t0 = np.random.rand(batch_size, 1) * (t_max - t_min - n_steps * resolution)
    Ts = t0 + np.arange(0., n_steps + 1) * resolution
    ys = time_series(Ts)
    return ys[:, :-1].reshape(-1, n_steps, 1), ys[:, 1:].reshape(-1, n_steps, 1)


n_steps = 20
t_instance = np.linspace(12.2, 12.2 + resolution * (n_steps + 1), n_steps + 1)

n_inputs = 1
n_neurons = 100
n_outputs = 1

X = tf.placeholder(tf.float32, [None, n_steps, n_inputs])
y = tf.placeholder(tf.float32, [None, n_steps, n_outputs])

cell = tf.contrib.rnn.OutputProjectionWrapper(
    tf.contrib.rnn.BasicRNNCell(num_units=n_neurons, activation=tf.nn.relu),
    output_size=n_outputs)
outputs, states = tf.nn.dynamic_rnn(cell, X, dtype=tf.float32)

learning_rate = 0.001

loss = tf.reduce_mean(tf.square(outputs - y)) # MSE
optimizer = tf.train.AdamOptimizer(learning_rate=learning_rate)
training_op = optimizer.minimize(loss)

init = tf.global_variables_initializer()
saver = tf.train.Saver()

n_iterations = 300 if args.quick else 100 * args.epochs
batch_size = 50
model_path = os.path.join(CKPT_DIR, "my_time_series_model")

X_eval, y_eval = next_batch(500, n_steps)  # held-out windows
with tf.Session() as sess:
    init.run()
    for iteration in range(n_iterations):
        X_batch, y_batch = next_batch(batch_size, n_steps)
        sess.run(training_op, feed_dict={X: X_batch, y: y_batch})
        if iteration % 100 == 0:
            mse = loss.eval(feed_dict={X: X_batch, y: y_batch})
            print(iteration, "\tMSE:", mse)
    mse_before = loss.eval(feed_dict={X: X_eval, y: y_eval})
    saver.save(sess, model_path)

with tf.Session() as sess:                          # restore: same numbers
    saver.restore(sess, model_path)
    X_new = time_series(np.array(t_instance[:-1].reshape(-1, n_steps, n_inputs)))
    y_pred = sess.run(outputs, feed_dict={X: X_new})
    mse = loss.eval(feed_dict={X: X_eval, y: y_eval})

print("prediction at t=%.1f: %.3f (true %.3f)"
      % (t_instance[-1], y_pred[0, -1, 0], time_series(t_instance[-1])))
reader = tf.train.NewCheckpointReader(model_path)
shapes = reader.get_variable_to_shape_map()
assert shapes["rnn/output_projection_wrapper/kernel"] == [n_neurons, n_outputs]
assert shapes["rnn/output_projection_wrapper/basic_rnn_cell/kernel"] == \
    [n_inputs + n_neurons, n_neurons]
assert y_pred.shape == (1, n_steps, n_outputs)
assert mse == mse_before                             # restored exactly
# Better than predicting "the next value is the current one".
mse_persistence = np.mean(np.square(X_eval - y_eval))
assert mse < mse_persistence, (mse, mse_persistence)
print("RESULT mse=%.4f persistence_mse=%.4f" % (mse, mse_persistence))
