"""Bad input to tf.layers and tf.contrib.layers: the same error from both.

One error hierarchy: every error is a `tf1_dnn.errors.Tf1DnnError` and keeps
the builtin base a caller caught before (`ValueError`, `TypeError`, ...).
"""

import pytest

from tf1_dnn import checkpoints, errors, layers, tf
from tf1_dnn.contrib import layers as contrib_layers
from tf1_dnn.datasets import fetch, idx, sources

F32 = tf.float32


def test_every_family_is_under_the_base_and_keeps_its_builtin():
    expected = {
        errors.InputError: ValueError,
        errors.InputTypeError: TypeError,
        errors.GraphModeRequiredError: RuntimeError,
        errors.CheckpointError: ValueError,
        errors.CheckpointNotFoundError: FileNotFoundError,
        errors.CorruptCheckpointError: ValueError,
        errors.CheckpointMismatchError: ValueError,
        errors.OutputError: OSError,
        errors.OutputExistsError: FileExistsError,
        errors.IdxError: ValueError,
        errors.MissingDataError: FileNotFoundError,
        errors.DownloadError: OSError,
        errors.TrainingDivergedError: FloatingPointError,
        errors.ScriptError: OSError,
        errors.GraphNameError: KeyError,
        errors.StateError: RuntimeError,
    }
    for cls, builtin in expected.items():
        assert issubclass(cls, errors.Tf1DnnError), cls
        assert issubclass(cls, builtin), cls
    assert set(errors.__all__) == {c.__name__ for c in expected} | {
        "Tf1DnnError"}


def test_old_names_are_the_same_classes():
    from tf1_dnn import _compat
    assert layers.InputError is errors.InputError
    assert checkpoints.CheckpointError is errors.CheckpointError
    assert checkpoints.CheckpointNotFoundError is \
        errors.CheckpointNotFoundError
    assert checkpoints.CorruptCheckpointError is errors.CorruptCheckpointError
    assert checkpoints.CheckpointMismatchError is \
        errors.CheckpointMismatchError
    assert idx.IdxError is errors.IdxError
    assert sources.MissingDataError is errors.MissingDataError
    assert fetch.DownloadError is errors.DownloadError
    assert _compat.GraphModeRequiredError is errors.GraphModeRequiredError


def test_graph_name_error_prints_its_message_unquoted():
    e = errors.GraphNameError("no tensor 'x:0'")
    assert str(e) == "no tensor 'x:0'"


# (tf.layers call, contrib call, error type, fragment both messages hold)
PAIRS = {
    "rank 1": (
        lambda: layers.dense(tf.placeholder(F32, (5,)), 3),
        lambda: contrib_layers.fully_connected(tf.placeholder(F32, (5,)), 3),
        errors.InputError, "got an input of shape (5,)"),
    "unknown last dim": (
        lambda: layers.dense(tf.placeholder(F32, (None, None)), 3),
        lambda: contrib_layers.fully_connected(
            tf.placeholder(F32, (None, None)), 3),
        errors.InputError, "must be known"),
    "unknown rank": (
        lambda: layers.dense(tf.placeholder(F32), 3),
        lambda: contrib_layers.fully_connected(tf.placeholder(F32), 3),
        errors.InputError, "shape <unknown>"),
    "integer input": (
        lambda: layers.dense(tf.placeholder(tf.int32, (None, 4)), 3),
        lambda: contrib_layers.fully_connected(
            tf.placeholder(tf.int32, (None, 4)), 3),
        errors.InputError, "tf.cast(X, tf.float32)"),
    "zero units": (
        lambda: layers.dense(tf.placeholder(F32, (None, 4)), 0),
        lambda: contrib_layers.fully_connected(
            tf.placeholder(F32, (None, 4)), 0),
        errors.InputError, "must be a positive integer, got 0"),
    "negative units": (
        lambda: layers.dense(tf.placeholder(F32, (None, 4)), -1),
        lambda: contrib_layers.fully_connected(
            tf.placeholder(F32, (None, 4)), -1),
        errors.InputError, "must be a positive integer, got -1"),
    "bn rank 0": (
        lambda: layers.batch_normalization(tf.placeholder(F32, ())),
        lambda: contrib_layers.batch_norm(tf.placeholder(F32, ())),
        errors.InputError, "got an input of shape ()"),
    "bn unknown rank": (
        lambda: layers.batch_normalization(tf.placeholder(F32)),
        lambda: contrib_layers.batch_norm(tf.placeholder(F32)),
        errors.InputError, "rank"),
    "bn unknown channels": (
        lambda: layers.batch_normalization(tf.placeholder(F32, (None, None))),
        lambda: contrib_layers.batch_norm(tf.placeholder(F32, (None, None))),
        errors.InputError, "axis 1"),
    "dropout rate/keep_prob above 1": (
        lambda: layers.dropout(tf.placeholder(F32, (None, 4)), rate=1.5),
        lambda: contrib_layers.dropout(tf.placeholder(F32, (None, 4)),
                                       keep_prob=1.5),
        errors.InputError, "got 1.5"),
    "dropout negative": (
        lambda: layers.dropout(tf.placeholder(F32, (None, 4)), rate=-0.1),
        lambda: contrib_layers.dropout(tf.placeholder(F32, (None, 4)),
                                       keep_prob=-0.1),
        errors.InputError, "got -0.1"),
    "dropout drops everything": (
        lambda: layers.dropout(tf.placeholder(F32, (None, 4)), rate=1.0),
        lambda: contrib_layers.dropout(tf.placeholder(F32, (None, 4)),
                                       keep_prob=0.0),
        errors.InputError, "must be in"),
    "dropout string": (
        lambda: layers.dropout(tf.placeholder(F32, (None, 4)), rate="0.5"),
        lambda: contrib_layers.dropout(tf.placeholder(F32, (None, 4)),
                                       keep_prob="0.5"),
        errors.InputTypeError, "must be a number or a scalar tensor"),
}


@pytest.mark.parametrize("case", sorted(PAIRS))
def test_layers_and_contrib_raise_the_same_error(case):
    ours, contrib, error, fragment = PAIRS[case]
    for build in (ours, contrib):
        with tf.Graph().as_default():
            with pytest.raises(error) as info:
                build()
            assert type(info.value) is error, type(info.value)
            assert fragment in str(info.value)
            assert isinstance(info.value, ValueError)  # old except clauses


def test_dense_units_as_text_is_int_as_in_tf1(graph):
    assert layers.dense(tf.placeholder(F32, (None, 4)), "3").shape[-1] == 3
    with pytest.raises(errors.InputTypeError, match="units must be an integer"):
        layers.dense(tf.placeholder(F32, (None, 4)), "three")
