"""What every workload shares: the data, the mini-batch generator, the
epoch timer, the learning rate and the seed."""

import time

import numpy as np

FASHION_MNIST = "/usr/share/datasets/fashion-mnist"
LEARNING_RATE = 0.01
SEED = 42


def load_fashion(n_train):
    """(X_train, y_train, X_valid, y_valid): float32 in [0, 1], int32 labels.

    Validation = the first 5 000 training images, training = the next
    n_train (as TF1's `input_data.read_data_sets`).
    """
    from tf1_dnn.datasets import load_data
    (X, y), _ = load_data(FASHION_MNIST)
    X = X.reshape(len(X), -1).astype(np.float32) / 255.0
    y = y.astype(np.int32)
    return X[5000:5000 + n_train], y[5000:5000 + n_train], X[:5000], y[:5000]


def shuffle_batch(X, y, batch_size):
    """The chapter's (2nd-edition notes) mini-batch generator."""
    rnd_idx = np.random.permutation(len(X))
    n_batches = len(X) // batch_size
    for batch_idx in np.array_split(rnd_idx, n_batches):
        X_batch, y_batch = X[batch_idx], y[batch_idx]
        yield X_batch, y_batch


def time_epochs(n_epochs, epoch_fn):
    """(wall, CPU) seconds of epochs 1..n_epochs; epoch 0 is a warm-up."""
    wall, cpu = [], []
    for epoch in range(n_epochs + 1):            # epoch 0: warm-up
        t0, c0 = time.perf_counter(), time.process_time()
        epoch_fn(epoch)
        if epoch:
            wall.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
    return wall, cpu
