"""Greedy layer-wise autoencoder pretraining and auxiliary-task pretraining,
on 2,000 Fashion-MNIST images, a few hundred steps each."""

import numpy as np
import pytest

from tests.test_reuse import load_fashion
from tf1_dnn import pretraining, tf


@pytest.fixture(scope="module")
def fashion(fashion_mnist_dir):
    X, y = load_fashion(fashion_mnist_dir, 3000)
    return (X[:2000], y[:2000]), (X[2000:], y[2000:])


def _elu(z):
    return np.where(z > 0, z, np.expm1(np.minimum(z, 0)))


@pytest.mark.slow
def test_greedy_layerwise_pretraining_then_fine_tune(fashion, session_config):
    (X, y), (X_test, y_test) = fashion
    pre = pretraining.greedy_layerwise_pretrain(X, [64, 32], n_steps=200,
                                                config=session_config)
    assert [w.shape for w, _ in pre.weights] == [(784, 64), (64, 32)]
    assert [b.shape for _, b in pre.weights] == [(64,), (32,)]
    for first, last in pre.losses:
        assert last < 0.5 * first, pre.losses
    # The DNN starts from exactly the pretrained weights.
    with tf.Graph().as_default():
        X_in = tf.placeholder(tf.float32, (None, 784), name="X")
        y_in = tf.placeholder(tf.int64, (None,), name="y")
        logits = pretraining.build_pretrained_dnn(X_in, pre.weights, 10)
        hidden2 = tf.get_default_graph().get_tensor_by_name(
            "hidden2/Elu:0")
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=y_in, logits=logits))
        accuracy = tf.reduce_mean(tf.cast(tf.nn.in_top_k(logits, y_in, 1),
                                          tf.float32))
        train = tf.train.AdamOptimizer(0.01).minimize(loss)
        with tf.Session(config=session_config) as sess:
            sess.run(tf.global_variables_initializer())
            for k, (kernel, bias) in enumerate(pre.weights, start=1):
                np.testing.assert_array_equal(
                    sess.run(f"hidden{k}/kernel:0"), kernel)
                np.testing.assert_array_equal(
                    sess.run(f"hidden{k}/bias:0"), bias)
            # the stacked encoders compute elu(elu(X W1 + b1) W2 + b2)
            (W1, b1), (W2, b2) = pre.weights
            np.testing.assert_allclose(
                sess.run(hidden2, {X_in: X[:10]}),
                _elu(_elu(X[:10] @ W1 + b1) @ W2 + b2), rtol=1e-4, atol=1e-5)
            small = slice(0, 300)  # the few labelled instances
            loss0 = sess.run(loss, {X_in: X[small], y_in: y[small]})
            rng = np.random.RandomState(0)
            for _ in range(150):
                idx = rng.randint(0, 300, 50)
                sess.run(train, {X_in: X[idx], y_in: y[idx]})
            loss1 = sess.run(loss, {X_in: X[small], y_in: y[small]})
            acc = sess.run(accuracy, {X_in: X_test, y_in: y_test})
    assert loss1 < 0.5 * loss0
    assert acc > 0.6  # 10 classes: chance is 0.1
    print(f"\ngreedy pretraining MSE per phase {pre.losses}; fine-tuned on 300 "
          f"labels: loss {loss0:.3f} -> {loss1:.3f}, test accuracy {acc:.3f}")


def test_make_pairs_labels_and_balance():
    X = np.arange(40, dtype=np.float32).reshape(20, 2)
    y = np.repeat(np.arange(4), 5)
    X1, X2, same = pretraining.make_pairs(X, y, 100,
                                          np.random.RandomState(1))
    assert X1.shape == X2.shape == (100, 2) and same.shape == (100, 1)
    assert same.sum() == 50
    # X[i] = [2i, 2i+1], so the class of a row is (X[:, 0] // 2) // 5
    cls1, cls2 = (X1[:, 0] // 2) // 5, (X2[:, 0] // 2) // 5
    np.testing.assert_array_equal(same[:, 0], (cls1 == cls2).astype(float))


def test_bad_input_shape():
    with pytest.raises(ValueError, match=r"must be 2-D.*reshape"):
        pretraining.greedy_layerwise_pretrain(np.zeros((4, 28, 28)), [3])


@pytest.mark.slow
def test_auxiliary_task_pretraining_then_reuse(fashion, tmp_path,
                                               session_config):
    (X, y), (X_test, y_test) = fashion
    X1, X2, same = pretraining.make_pairs(X, y, 6000)
    aux = pretraining.pretrain_on_pairs(
        X1, X2, same, hidden_sizes=(64, 64), n_steps=400,
        save_path=str(tmp_path / "aux.ckpt"), config=session_config)
    assert aux.accuracy_after > 0.75 and aux.accuracy_after > \
        aux.accuracy_before + 0.15
    assert sorted(aux.weights) == ["DNN_A/hidden1/bias", "DNN_A/hidden1/kernel",
                                   "DNN_A/hidden2/bias", "DNN_A/hidden2/kernel"]
    reader = tf.train.load_checkpoint(aux.save_path)
    for name, value in aux.weights.items():
        np.testing.assert_array_equal(reader.get_tensor(name), value)
    # Reuse DNN_A, frozen, on 300 labelled images.
    reused = pretraining.train_on_reused_layers(
        X[:300], y[:300], aux.save_path, hidden_sizes=(64, 64), n_steps=200,
        X_eval=X_test, y_eval=y_test, config=session_config)
    for name, value in aux.weights.items():
        np.testing.assert_array_equal(reused.restored[name], value)
        np.testing.assert_array_equal(reused.final[name], value)  # frozen
    assert reused.loss_after < 0.6 * reused.loss_before
    assert reused.accuracy > 0.5
    # Not frozen: the reused layers start from the pretrained values, move.
    tuned = pretraining.train_on_reused_layers(
        X[:300], y[:300], aux.save_path, hidden_sizes=(64, 64), n_steps=50,
        freeze=False, config=session_config)
    for name, value in aux.weights.items():
        np.testing.assert_array_equal(tuned.restored[name], value)
        assert not np.array_equal(tuned.final[name], value)
    print(f"\nauxiliary pair task: accuracy {aux.accuracy_before:.3f} -> "
          f"{aux.accuracy_after:.3f}; frozen DNN_A + new softmax on 300 "
          f"labels: loss {reused.loss_before:.3f} -> {reused.loss_after:.3f}, "
          f"test accuracy {reused.accuracy:.3f}")
