"""The chapter's reuse patterns on a real TF 1.3 checkpoint and Fashion-MNIST.

The 5-hidden-layer gradient-clipping model (300-50-50-50-50-10, the one the
chapter's reuse sections restore) is reused; new layers are trained on 2,000
Fashion-MNIST images.
"""

import gzip
import time

import numpy as np
import pytest

from tf1_dnn import checkpoints, layers, reuse, tf

GRADCLIP = "rdcwuyy__handson-ml__my_model_final.ckpt-66460e1"


def load_fashion(directory, n, offset=0, split="train"):
    """n images (float32 in [0, 1], flattened) and int64 labels."""
    with gzip.open(directory / f"{split}-images-idx3-ubyte.gz") as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16)
    with gzip.open(directory / f"{split}-labels-idx1-ubyte.gz") as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)
    X = images.reshape(-1, 784)[offset:offset + n].astype(np.float32) / 255
    return X, labels[offset:offset + n].astype(np.int64)


@pytest.fixture(scope="module")
def data(fashion_mnist_dir):
    return load_fashion(fashion_mnist_dir, 2000)


@pytest.fixture
def prefix(tf1_checkpoints_dir):
    return str(tf1_checkpoints_dir / GRADCLIP / "my_model_final.ckpt")


def _ckpt(prefix, name):
    return tf.train.load_checkpoint(prefix).get_tensor(name)


def test_import_meta_graph_tensors_ops_and_important_collection(
        prefix, tmp_path, session_config, data):
    X_data, y_data = data
    with tf.Graph().as_default() as g:
        saver = tf.train.import_meta_graph(prefix + ".meta")
        X = reuse.get_tensor("X:0")
        y = reuse.get_tensor("y:0")
        accuracy = reuse.get_tensor("eval/accuracy:0")
        training_op = reuse.get_operation("GradientDescent")
        with pytest.raises(KeyError, match=r"no tensor 'eval/acuracy:0'.*"
                           r"'eval/accuracy'"):
            reuse.get_tensor("eval/acuracy:0")
        with pytest.raises(ValueError, match=r"'X:0'"):
            reuse.get_tensor("X")
        reuse.add_important_ops((X, y, accuracy, training_op))
        with tf.Session(config=session_config) as sess:
            saver.restore(sess, prefix)
            acc = sess.run(accuracy, {X: X_data[:500], y: y_data[:500]})
            saver.save(sess, str(tmp_path / "reused.ckpt"))
    # The re-user: one line to get them back from the .meta.
    with tf.Graph().as_default() as g:
        saver = tf.train.import_meta_graph(str(tmp_path / "reused.ckpt.meta"))
        X, y, accuracy, training_op = reuse.important_ops()
        assert [X.name, y.name, accuracy.name, training_op.name] == [
            "X:0", "y:0", "eval/accuracy:0", "GradientDescent"]
        with tf.Session(config=session_config) as sess:
            saver.restore(sess, str(tmp_path / "reused.ckpt"))
            assert sess.run(accuracy, {X: X_data[:500], y: y_data[:500]}) \
                == acc
        with pytest.raises(KeyError, match="no collection 'nope'"):
            reuse.important_ops("nope")
    print(f"\nMNIST-trained model on Fashion-MNIST: accuracy {acc:.3f}")


def test_new_layers_on_top_of_imported_graph_train_only_them(
        prefix, session_config, data):
    X_data, y_data = data
    with tf.Graph().as_default():
        saver = tf.train.import_meta_graph(prefix + ".meta")
        X, y = reuse.get_tensor("X:0"), reuse.get_tensor("y:0")
        hidden3 = reuse.get_tensor("dnn/hidden3/Relu:0")
        new_hidden4 = layers.dense(hidden3, 20, activation=tf.nn.relu,
                                   name="new_hidden4")
        new_logits = layers.dense(new_hidden4, 10, name="new_outputs")
        with tf.name_scope("new_loss"):
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
                labels=y, logits=new_logits))
        training_op = reuse.minimize_scope(
            tf.train.GradientDescentOptimizer(0.05), loss, "new_")
        old = [v for v in tf.global_variables()
               if not v.op.name.startswith("new_")]
        new = [v for v in tf.global_variables()
               if v.op.name.startswith("new_")]
        assert len(old) == 12 and len(new) == 4
        with tf.Session(config=session_config) as sess:
            sess.run(tf.variables_initializer(new))
            saver.restore(sess, prefix)
            feed = {X: X_data, y: y_data}
            h3, loss0 = sess.run([hidden3, loss], feed)
            new0 = sess.run(new)
            rng = np.random.RandomState(0)
            batches = [rng.randint(0, len(X_data), 50) for _ in range(5)]
            for idx in batches:
                sess.run(training_op, {X: X_data[idx], y: y_data[idx]})
            for v in old:
                np.testing.assert_array_equal(sess.run(v),
                                              _ckpt(prefix, v.op.name))
            new1 = sess.run(new)
            for before, after in zip(new0, new1):
                assert not np.array_equal(before, after)
    # The imported hidden3 is the numpy forward pass of the checkpoint's
    # hidden1..3 (ReLU dense layers); activations reach ~13 after sums of
    # 784 and 300 float32 products, hence atol 5e-5 (measured: 6e-6).
    h = X_data.astype(np.float64)
    for i in (1, 2, 3):
        h = np.maximum(h @ _ckpt(prefix, f"hidden{i}/kernel")
                       + _ckpt(prefix, f"hidden{i}/bias"), 0.0)
    np.testing.assert_allclose(h3, h, rtol=1e-5, atol=5e-5)
    # The new layers: loss and five SGD steps (lr 0.05) in numpy, forward
    # and backprop on the (frozen) hidden3 activations of each batch.
    k4, b4, k5, b5 = (v.astype(np.float64) for v in new0)

    def forward(h3_batch, labels):
        z4 = h3_batch @ k4 + b4
        logits = np.maximum(z4, 0.0) @ k5 + b5
        z = logits - logits.max(axis=1, keepdims=True)
        p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        n = len(labels)
        dl = p.copy()
        dl[np.arange(n), labels] -= 1.0
        return -np.log(p[np.arange(n), labels]).mean(), z4, dl / n

    assert loss0 == pytest.approx(forward(h3, y_data)[0], rel=1e-5)
    for idx in batches:
        _, z4, dl = forward(h3[idx], y_data[idx])
        dz4 = (dl @ k5.T) * (z4 > 0)
        k4, b4, k5, b5 = (k4 - 0.05 * h3[idx].T @ dz4, b4 - 0.05 * dz4.sum(0),
                          k5 - 0.05 * np.maximum(z4, 0.0).T @ dl,
                          b5 - 0.05 * dl.sum(0))
    for name, actual, expected in zip(("k4", "b4", "k5", "b5"), new1,
                                      (k4, b4, k5, b5)):
        np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-6,
                                   err_msg=name)


def _chapter_new_model(X, frozen_stop=False):
    """hidden1..3 as the old model (300, 50, 50), new hidden4 (20) and
    outputs (10), optionally with tf.stop_gradient above hidden2."""
    with tf.name_scope("dnn"):
        hidden1 = layers.dense(X, 300, activation=tf.nn.relu, name="hidden1")
        hidden2 = layers.dense(hidden1, 50, activation=tf.nn.relu,
                               name="hidden2")
        below = tf.stop_gradient(hidden2) if frozen_stop else hidden2
        hidden3 = layers.dense(below, 50, activation=tf.nn.relu,
                               name="hidden3")
        hidden4 = layers.dense(hidden3, 20, activation=tf.nn.relu,
                               name="hidden4")
        logits = layers.dense(hidden4, 10, name="outputs")
    return hidden2, logits


def _loss(y, logits):
    return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=y, logits=logits))


def test_partial_restore_hidden123(prefix, graph, sess):
    X = tf.placeholder(tf.float32, shape=(None, 784), name="X")
    _chapter_new_model(X)
    restore_saver = reuse.restore_saver_for("hidden[123]")
    assert isinstance(restore_saver, checkpoints.Saver)
    assert sorted(restore_saver._var_list) == [
        "hidden1/bias", "hidden1/kernel", "hidden2/bias", "hidden2/kernel",
        "hidden3/bias", "hidden3/kernel"]
    sess.run(tf.global_variables_initializer())
    h4 = sess.run("hidden4/kernel:0")
    restore_saver.restore(sess, prefix)
    for name in restore_saver._var_list:
        np.testing.assert_array_equal(sess.run(name + ":0"),
                                      _ckpt(prefix, name))
    np.testing.assert_array_equal(sess.run("hidden4/kernel:0"), h4)
    with pytest.raises(ValueError, match=r"No variable .* matches "
                       r"scope='dnn/hidden1'"):
        reuse.restore_saver_for("dnn/hidden1")  # name scope is not in names


def test_reuse_from_another_framework(graph, sess):
    """The chapter's example: W = [[1,2,3],[4,5,6]], b = [7,8,9],
    relu([10, 11] @ W + b) = [61, 83, 105]."""
    original_w = [[1., 2., 3.], [4., 5., 6.]]
    original_b = [7., 8., 9.]
    X = tf.placeholder(tf.float32, shape=(None, 2), name="X")
    hidden1 = layers.dense(X, 3, activation=tf.nn.relu, name="hidden1")
    init = tf.global_variables_initializer()
    feeds = reuse.initial_value_feeds({"hidden1/kernel": original_w,
                                       "hidden1/bias": original_b})
    assign_kernel = graph.get_operation_by_name("hidden1/kernel/Assign")
    assert set(feeds) == {assign_kernel.inputs[1], graph.get_operation_by_name(
        "hidden1/bias/Assign").inputs[1]}
    sess.run(init, feed_dict=feeds)
    np.testing.assert_array_equal(sess.run(hidden1, {X: [[10.0, 11.0]]}),
                                  [[61., 83., 105.]])
    # dedicated assign ops
    kernel, bias = tf.trainable_variables()
    assign = reuse.make_assigner([kernel, bias])
    assign(sess, {kernel: np.ones((2, 3)), bias: [0., -21., 1.]})
    np.testing.assert_array_equal(sess.run(hidden1, {X: [[10.0, 11.0]]}),
                                  [[21., 0., 22.]])
    with pytest.raises(ValueError, match=r"shape \[3, 2\], the variable has "
                       r"shape \[2, 3\]"):
        reuse.initial_value_feeds({kernel: np.zeros((3, 2))})


@pytest.mark.parametrize("how", ["var_list", "stop_gradient"])
def test_freezing(how, prefix, graph, sess, data):
    X_data, y_data = data
    X = tf.placeholder(tf.float32, shape=(None, 784), name="X")
    y = tf.placeholder(tf.int64, shape=(None,), name="y")
    _, logits = _chapter_new_model(X, frozen_stop=how == "stop_gradient")
    loss = _loss(y, logits)
    optimizer = tf.train.GradientDescentOptimizer(0.05)
    if how == "var_list":
        training_op = reuse.minimize_scope(optimizer, loss,
                                           "hidden[34]|outputs")
    else:
        training_op = optimizer.minimize(loss)
        grads = tf.gradients(loss, tf.trainable_variables())
        # stop_gradient: no gradient at all for hidden1/hidden2
        assert [g is None for g in grads] == [True] * 4 + [False] * 6
    sess.run(tf.global_variables_initializer())
    reuse.restore_saver_for("hidden[123]").restore(sess, prefix)
    variables = tf.trainable_variables()
    before = sess.run(variables)
    for step in range(20):
        sess.run(training_op, {X: X_data[step * 50:(step + 1) * 50],
                               y: y_data[step * 50:(step + 1) * 50]})
    after = sess.run(variables)
    frozen = [v.op.name.split("/")[0] in ("hidden1", "hidden2")
              for v in variables]
    assert frozen == [True] * 4 + [False] * 6
    for v, b, a, f in zip(variables, before, after, frozen):
        assert np.array_equal(b, a) == f, v.op.name


def test_caching_frozen_layers_same_result_and_speed(prefix, session_config,
                                                     data):
    """Training on cached hidden2 activations gives the same weights as
    feeding X through the frozen layers with the same batches; prints the
    epoch times of both."""
    X_data, y_data = data
    n_epochs, n_batches = 3, 40
    results, times = {}, {}
    for mode in ("feed_X", "cached"):
        with tf.Graph().as_default():
            tf.set_random_seed(7)
            X = tf.placeholder(tf.float32, shape=(None, 784), name="X")
            y = tf.placeholder(tf.int64, shape=(None,), name="y")
            hidden2, logits = _chapter_new_model(X)
            loss = _loss(y, logits)
            training_op = reuse.minimize_scope(
                tf.train.GradientDescentOptimizer(0.05), loss,
                "hidden[34]|outputs")
            with tf.Session(config=session_config) as sess:
                sess.run(tf.global_variables_initializer())
                reuse.restore_saver_for("hidden[123]").restore(sess, prefix)
                rng = np.random.RandomState(42)
                start = time.perf_counter()
                if mode == "cached":
                    h2_cache = reuse.cache_outputs(sess, hidden2, {X: X_data})
                cache_time = time.perf_counter() - start
                epoch_times = []
                for _ in range(n_epochs):
                    t0 = time.perf_counter()
                    if mode == "cached":
                        batches = reuse.shuffled_batches(h2_cache, y_data,
                                                         n_batches, rng)
                        for h2_batch, y_batch in batches:
                            sess.run(training_op, {hidden2: h2_batch,
                                                   y: y_batch})
                    else:
                        for X_batch, y_batch in reuse.shuffled_batches(
                                X_data, y_data, n_batches, rng):
                            sess.run(training_op, {X: X_batch, y: y_batch})
                    epoch_times.append(time.perf_counter() - t0)
                results[mode] = sess.run(tf.trainable_variables())
                times[mode] = (min(epoch_times), cache_time)
    for a, b in zip(results["feed_X"], results["cached"]):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    speedup = times["feed_X"][0] / times["cached"][0]
    print(f"\nfrozen-layer caching, {len(X_data)} images, {n_batches} "
          f"batches/epoch: epoch {times['feed_X'][0] * 1000:.1f} ms feeding X "
          f"vs {times['cached'][0] * 1000:.1f} ms on the cache "
          f"(x{speedup:.2f}); building the cache took "
          f"{times['cached'][1] * 1000:.1f} ms")
