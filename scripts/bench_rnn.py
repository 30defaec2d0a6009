"""RNN training-step timings: the book's MNIST-rows LSTM on each cell kind.

    .venv/bin/python scripts/bench_rnn.py [--rounds 5] [--steps 20]

150-unit LSTM, 28 steps of 28 inputs, batch 150, Adam, the chapter 14
MNIST-rows shape (random data: only the time matters). Variants, interleaved
round by round so machine load hits them alike:

* BasicLSTMCell + tf.nn.dynamic_rnn (the book's code on our namespace);
* LSTMBlockCell + tf.nn.dynamic_rnn (one fused kernel per step);
* LSTMBlockFusedCell (the whole sequence in one BlockLSTM kernel).

Prints the median milliseconds per training step and the ratio to the first.
"""

import argparse
import statistics
import time

import numpy as np

from tf1_dnn import tf

B, T, D, N = 150, 28, 28, 150


def _graph(kind):
    g = tf.Graph()
    with g.as_default():
        tf.set_random_seed(0)
        X = tf.placeholder(tf.float32, (None, T, D))
        y = tf.placeholder(tf.int32, (None,))
        if kind == "LSTMBlockFusedCell":
            _, state = tf.contrib.rnn.LSTMBlockFusedCell(N)(
                tf.transpose(X, [1, 0, 2]), dtype=tf.float32)
        else:
            cell = (tf.nn.rnn_cell.BasicLSTMCell(N) if kind == "BasicLSTMCell"
                    else tf.contrib.rnn.LSTMBlockCell(N))
            _, state = tf.nn.dynamic_rnn(cell, X, dtype=tf.float32)
        logits = tf.layers.dense(state.h, 10)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=y, logits=logits))
        train = tf.train.AdamOptimizer(0.001).minimize(loss)
        init = tf.global_variables_initializer()
    sess = tf.Session(graph=g)
    sess.run(init)
    return sess, train, X, y


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()
    r = np.random.RandomState(0)
    xb = r.rand(B, T, D).astype(np.float32)
    yb = r.randint(0, 10, B).astype(np.int32)
    kinds = ["BasicLSTMCell", "LSTMBlockCell", "LSTMBlockFusedCell"]
    built = {k: _graph(k) for k in kinds}
    times = {k: [] for k in kinds}
    for k, (sess, train, X, y) in built.items():  # warm-up
        sess.run(train, {X: xb, y: yb})
    for _ in range(args.rounds):
        for k, (sess, train, X, y) in built.items():
            start = time.perf_counter()
            for _ in range(args.steps):
                sess.run(train, {X: xb, y: yb})
            times[k].append((time.perf_counter() - start) / args.steps)
    base = statistics.median(times[kinds[0]])
    print(f"| cell (batch {B}, {T} steps x {D}, {N} units, Adam) "
          "| ms / training step (median) | vs BasicLSTMCell |")
    print("|---|---|---|")
    for k in kinds:
        m = statistics.median(times[k])
        print(f"| {k} | {1000 * m:.1f} | {base / m:.2f}x |")
    for sess, *_ in built.values():
        sess.close()


if __name__ == "__main__":
    main()
