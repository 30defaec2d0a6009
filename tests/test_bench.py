"""benchmarks/ (the harness behind `python -m tf1_dnn bench`): `--quick` end
to end on a subset.

Checks the structure of bench.json / bench.md, that every variant trained
(validation accuracy above chance), the FLOP counts against closed form and
the CLI's errors. CNN and LSTM: the official and legacy variants train to the
same validation accuracy and loss (run here, on 300 images), the variants
each workload runs, the quick sizes and the convolution-peak fraction.
Timings are printed, never asserted (shared machine).
"""

import json
import subprocess
import sys

import numpy as np
import pytest

import tf1_dnn.bench
from benchmarks import bench, cnn, pytorch_runner, rnn

REPO = __import__("pathlib").Path(__file__).resolve().parents[1]


def test_dense_flops_closed_form():
    # W1: 784-300-100-10, all trained: layer 1 has no input gradient.
    n = 1000
    w1 = 784 * 300 * 4 + (300 * 100 + 100 * 10) * 6
    assert bench.dense_flops(bench.WORKLOADS["W1"], n) == w1 * n
    # F-cache: frozen hidden1-2 are not run at all; hidden3 (the first
    # trained layer) needs no input gradient.
    cache = 50 * 50 * 4 + (50 * 20 + 20 * 10) * 6
    assert bench.dense_flops(bench.WORKLOADS["F-cache"], n) == cache * n
    # F-feed: frozen layers run forward only.
    feed = (784 * 300 + 300 * 50) * 2 + cache
    assert bench.dense_flops(bench.WORKLOADS["F-feed"], n) == feed * n


def test_markdown_has_one_row_per_workload_and_variant():
    results = {"n_train": 10, "timed_epochs": 1, "rounds": 1, "cpu_count": 2,
               "rows": [dict(workload="W1", variant=v, epoch_seconds=0.5,
                             epoch_cpu_seconds=0.4,
                             ratio_to_official=None if v == "legacy" else 1.0,
                             gflops=1.0, valid_accuracy=0.5)
                        for v in ("official", "legacy")]
               + [dict(workload="W1", variant="library", epoch_seconds=0.3,
                       epoch_cpu_seconds=0.5, ratio_to_official=0.6,
                       gflops=2.0, valid_accuracy=0.5, towers=2,
                       intra_op_threads=1)],
               "import": {"seconds": {"import tensorflow": 2.0,
                                      "from tf1_dnn import tf": 2.1},
                          "added": 0.1}}
    md = bench.to_markdown(results)
    assert "| W1 | official | 0.500 | 0.400 | 1.00 | 1.0 | 0.5000 |" in md
    assert "| W1 | legacy | 0.500 | 0.400 | - | 1.0 | 0.5000 |" in md
    assert "adds +0.10 s" in md
    assert "Library plan: W1 2 tower(s), 1 intra-op thread(s)." in md


def test_cli_rejects_unknown_names(capsys):
    with pytest.raises(SystemExit):
        bench.main(["--workloads", "W9"])
    assert "unknown workload 'W9'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        bench.main(["--variants", "fastest"])
    assert "unknown variant 'fastest'" in capsys.readouterr().err


@pytest.mark.slow
def test_quick_bench_end_to_end(tmp_path, fashion_mnist_dir):
    out = tmp_path / "bench"
    proc = subprocess.run(
        [sys.executable, "-m", "tf1_dnn", "bench", "--quick",
         "--workloads", "W1,F-cache", "--variants", "official,legacy,library",
         "--n-train", "2200", "--import-rounds", "1", "--out", str(out)],
        # A hang bound: the run starts ~6 fresh interpreters that import
        # TensorFlow; at load average 12 on 2 cores it passed 600 s.
        cwd=REPO, capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stderr[-3000:]
    print(proc.stdout)
    results = json.loads((out / "bench.json").read_text())
    md = (out / "bench.md").read_text()
    assert results["n_train"] == 2200 and results["quick"] is True
    rows = {(r["workload"], r["variant"]): r for r in results["rows"]}
    variants = ["legacy", "library"] + (
        ["official"] if bench._have_module("tf_keras") else [])
    assert set(rows) == {(w, v) for w in ("W1", "F-cache") for v in variants}
    for (w, v), r in rows.items():
        assert r["epoch_seconds"] > 0 and r["gflops"] > 0
        # chance is 0.10 (+-0.004 on 5 000 images); F-cache trains only the
        # top layers on random frozen features for 88 steps: ~0.17.
        assert r["valid_accuracy"] > 0.12, (w, v)
        assert f"| {w} | {v} | " in md
        if "official" in variants:     # one round: plain ratio of medians
            assert r["ratio_to_official"] == pytest.approx(
                r["epoch_seconds"] / rows[(w, "official")]["epoch_seconds"])
    # The legacy loop really used tf1_dnn's fast Session.run: 2 epochs x 44
    # steps, all fast but the first; stock: init.run, that first step and
    # accuracy.eval (a new signature).
    assert rows[("W1", "legacy")]["fast_run_stats"] == [2 * 44 - 1, 3]
    # The library variant followed its plan for each workload.
    for w in ("W1", "F-cache"):
        towers, intra = bench.library_plan(bench.WORKLOADS[w])
        assert rows[(w, "library")]["towers"] == towers
        assert rows[(w, "library")]["intra_op_threads"] == intra
    imp = results["import"]
    assert set(imp["seconds"]) == {"import tensorflow",
                                   "from tf1_dnn import tf"}
    assert imp["added"] == pytest.approx(
        imp["seconds"]["from tf1_dnn import tf"]
        - imp["seconds"]["import tensorflow"])


def test_library_plan():
    w1, w2 = bench.WORKLOADS["W1"], bench.WORKLOADS["W2"]
    assert bench.library_plan(w1, cpu_count=2) == (2, 1)
    assert bench.library_plan(w1, cpu_count=1) == (1, 0)
    # W1: 56.3 MFLOP per step -> at most 11 towers of >= 5 MFLOP
    assert bench.dense_flops(w1, 50) == (784 * 300 * 4 + 31000 * 6) * 50
    assert bench.library_plan(w1, cpu_count=64) == (11, 1)
    assert bench.library_plan(w2, cpu_count=2) == (1, 0)     # batch norm
    # F-cache: 0.86 MFLOP per step, too small to split
    assert bench.library_plan(bench.WORKLOADS["F-cache"], 2) == (1, 0)


@pytest.mark.skipif(not bench._have_module("torch"),
                    reason="PyTorch is optional (bench only)")
def test_pytorch_worker_trains_w2_and_f_cache():
    rng = np.random.RandomState(0)
    X = rng.rand(600, 784).astype(np.float32)
    y = (X[:, :392].sum(axis=1) > X[:, 392:].sum(axis=1)).astype(np.int32)
    data = (X[:500], y[:500], X[500:], y[500:])
    # Trainable parameters: W2 all dense layers plus batch norm's gamma and
    # beta after each; F-cache only hidden3-4 and the outputs (hidden1-2
    # frozen).
    trainable = {
        "W2": 784 * 300 + 300 + 300 * 100 + 100 + 100 * 10 + 10
        + 2 * (300 + 100 + 10),
        "F-cache": 50 * 50 + 50 + 50 * 20 + 20 + 20 * 10 + 10}
    for name in ("W2", "F-cache"):
        res = pytorch_runner.run_pytorch(name, bench.WORKLOADS[name], data, 1)
        assert len(res["wall"]) == 1 and res["wall"][0] > 0
        assert res["threads"] == (__import__("os").cpu_count() or 1)
        assert res["trainable_parameters"] == trainable[name]
        assert 0.0 <= res["valid_accuracy"] <= 1.0


def test_bench_entry_point_runs_the_checkouts_harness():
    assert tf1_dnn.bench.load_harness() is bench


def test_bench_entry_point_without_benchmarks_folder(monkeypatch, tmp_path,
                                                     capsys):
    # An installed wheel: the package is not beside a benchmarks/ folder.
    monkeypatch.setattr(tf1_dnn.bench, "_checkout", lambda: tmp_path)
    with pytest.raises(tf1_dnn.bench.BenchmarksNotFoundError,
                       match="the benchmark harness is not installed") as e:
        tf1_dnn.bench.load_harness()
    assert isinstance(e.value, FileNotFoundError)
    assert str(tmp_path / "benchmarks") in str(e.value)
    assert tf1_dnn.bench.main(["--quick"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tf1_dnn bench: ") and "run it from a checkout" in err


def test_profile_step_counts_ops_of_one_step(graph, session_config):
    from tf1_dnn import tf
    X = tf.placeholder(tf.float32, (None, 4), name="X")
    w = tf.get_variable("w", shape=[4, 3])
    w2 = tf.get_variable("w2", shape=[4, 3])   # grappler merges equal matmuls
    b = tf.get_variable("b", shape=[3])
    out = [tf.nn.relu(tf.matmul(X, w)),
           tf.nn.relu(tf.nn.bias_add(tf.matmul(X, w2), b))]
    with tf.Session(config=session_config) as sess:
        sess.run(tf.global_variables_initializer())
        rows, n_ops = bench.profile_step(
            sess, out, {X: np.ones((2, 4), np.float32)}, n=3)
    # Kernel-independent labels: oneDNN's _MklMatMul is MatMul; a fused node
    # (either kernel family may fuse the bias and ReLU) is "MatMul+BiasAdd+Relu".
    assert not any(r[0].startswith(("_Mkl", "_Fused")) for r in rows)
    expanded = {}
    for label, _, k in rows:
        for t in label.split("+"):
            expanded[t] = expanded.get(t, 0) + k
    assert (expanded["MatMul"], expanded["BiasAdd"], expanded["Relu"]) \
        == (2, 1, 2)
    assert n_ops == sum(k for _, _, k in rows)
    assert all(us >= 0 for _, us, _ in rows)


# ------------------------------------------------ CNN and LSTM workloads --
def test_cnn_flops_closed_form():
    # conv1 28x28x32 maps of 3x3x1 (no input gradient), conv2 28x28x64 of
    # 3x3x32, fc1 12544 -> 128, output 128 -> 10.
    conv1 = 28 * 28 * 32 * 9
    rest = 28 * 28 * 64 * 9 * 32 + 14 * 14 * 64 * 128 + 128 * 10
    assert bench.WORKLOADS["CNN"]["batch"] == 100
    assert cnn.cnn_flops(bench.WORKLOADS["CNN"], 7) == (4 * conv1
                                                        + 6 * rest) * 7


def test_lstm_flops_closed_form():
    spec = bench.WORKLOADS["LSTM"]
    assert (spec["n_steps"], spec["n_inputs"], spec["n_neurons"],
            spec["batch"]) == (28, 28, 150, 150)
    # kernel [28 + 150, 600], 28 steps; logits 150 x 10; x6 (fwd + 2 grads)
    assert rnn.lstm_flops(spec, 3) == 6 * (178 * 600 * 28 + 1500) * 3


@pytest.fixture(scope="module")
def small_fashion(fashion_mnist_dir):
    from benchmarks.common import load_fashion
    X, y, Xv, yv = load_fashion(300)
    return X, y, Xv[:300], yv[:300]


@pytest.mark.skipif(not bench._have_module("tf_keras"),
                    reason="the official path needs tf_keras")
@pytest.mark.parametrize("module,name", [(cnn, "CNN"), (rnn, "LSTM")])
def test_official_and_legacy_train_to_the_same_numbers(module, name,
                                                       small_fashion):
    # 2-3 steps, same seeds and batches: the official TF1 layers/cells and
    # the unchanged code on our namespace (stock and our Session) end with
    # the same validation accuracy and the bitwise-same validation loss.
    spec = dict(bench.WORKLOADS[name])
    results = {v: module.run(v, name, spec, small_fashion, 0)
               for v in ("official", "legacy-stock", "legacy")}
    off = results["official"]
    assert 0.0 < off["valid_accuracy"] <= 1.0 and off["valid_loss"] > 0
    for v in ("legacy-stock", "legacy"):
        assert results[v]["valid_accuracy"] == off["valid_accuracy"], v
        assert results[v]["valid_loss"] == off["valid_loss"], v
    assert results["legacy"]["fast_run_stats"][0] >= 1   # our fast run
    assert results["official"]["fast_run_stats"] is None


def test_lstm_fused_variant_builds_the_fused_cell(small_fashion):
    from tf1_dnn import tf
    g = tf.Graph()
    with g.as_default():
        tf1, cell, dense, _ = rnn._namespace("legacy-fused")
        rnn.build_lstm(tf1, cell, dense, bench.WORKLOADS["LSTM"], fused=True)
        names = [v.op.name for v in tf.trainable_variables()]
        types = {op.type for op in g.get_operations()}
    assert names == ["lstm_fused_cell/kernel", "lstm_fused_cell/bias",
                     "softmax/kernel", "softmax/bias"]
    assert "BlockLSTMV2" in types or "BlockLSTM" in types
    res = rnn.run("legacy-fused", "LSTM", bench.WORKLOADS["LSTM"],
                  small_fashion, 0)
    assert 0.0 <= res["valid_accuracy"] <= 1.0 and res["wall"] == []


def test_workloads_reject_variants_they_do_not_run():
    with pytest.raises(ValueError, match="no 'library' variant"):
        cnn.run("library", "CNN", bench.WORKLOADS["CNN"], None, 1)
    with pytest.raises(ValueError, match="no 'legacy-fused' variant"):
        cnn.run("legacy-fused", "CNN", bench.WORKLOADS["CNN"], None, 1)
    assert bench.supports("LSTM", "legacy-fused")
    assert not bench.supports("W1", "legacy-fused")
    assert not bench.supports("CNN", "library")
    assert bench.supports("CNN", "pytorch") and bench.supports("W1",
                                                               "library")


def test_run_bench_runs_only_supported_pairs_with_quick_sizes(monkeypatch):
    calls = []

    def fake(args):
        calls.append(args)
        if "--conv-peak" in args:
            return {"gflops": 50.0, "shape": "probe", "repeats": 10}
        if "--worker" not in args:                       # import timing
            return 3.0
        wl = args[args.index("--workloads") + 1].split(",")
        variant = args[args.index("--worker") + 1]
        return {w: {"wall": [2.0 if variant == "official" else 1.0],
                    "cpu": [1.0], "valid_accuracy": 0.5} for w in wl}
    monkeypatch.setattr(bench, "_subprocess_json", fake)
    res = bench.run_bench(quick=True, workloads=["W1", "CNN", "LSTM"],
                          variants=["official", "legacy", "legacy-fused",
                                    "library"], log=lambda m: None)
    pairs = {(r["workload"], r["variant"]) for r in res["rows"]}
    assert pairs == {("W1", "official"), ("W1", "legacy"),
                     ("W1", "library"), ("CNN", "official"),
                     ("CNN", "legacy"), ("LSTM", "official"),
                     ("LSTM", "legacy"), ("LSTM", "legacy-fused")}
    workers = [a for a in calls if "--worker" in a]
    # official, legacy: one process each; legacy-fused: LSTM only;
    # library: W1 only (one process per workload).
    assert [(a[a.index("--worker") + 1], a[a.index("--workloads") + 1])
            for a in workers] == [("official", "W1,CNN,LSTM"),
                                  ("legacy", "W1,CNN,LSTM"),
                                  ("legacy-fused", "LSTM"),
                                  ("library", "W1")]
    sizes = json.loads(workers[0][workers[0].index("--sizes") + 1])
    assert sizes == {"W1": [5500, None], "CNN": [500, 1000],
                     "LSTM": [600, 1000]}
    rows = {(r["workload"], r["variant"]): r for r in res["rows"]}
    cnn_legacy = rows[("CNN", "legacy")]
    assert cnn_legacy["ratio_to_official"] == 0.5
    assert cnn_legacy["gflops"] == pytest.approx(
        cnn.cnn_flops(bench.WORKLOADS["CNN"], 500) / 1.0 / 1e9)
    assert cnn_legacy["peak_fraction"] == pytest.approx(
        cnn_legacy["gflops"] / 50.0)
    assert "peak_fraction" not in rows[("LSTM", "legacy")]
    md = bench.to_markdown(res)
    assert "| LSTM | legacy-fused | 1.000 |" in md
    assert "Convolution peak (probe, best of 10): 50.0 GFLOP/s" in md
    assert "LSTMBlockFusedCell vs BasicLSTMCell" in md and "1.00x" in md
    assert "CNN 500 training, 1000 validation images" in md


def test_conv_peak_probe_counts_its_flops():
    peak = cnn.conv_peak(repeats=2, batch=2, size=8, maps=4, ksize=3)
    assert peak["repeats"] == 2 and peak["gflops"] > 0
    gflop = 2 * 2 * 8 * 8 * 4 * 9 * 4 / 1e9
    assert f"{gflop:.2f} GFLOP per run" in peak["shape"]


@pytest.mark.skipif(not bench._have_module("torch"),
                    reason="PyTorch is optional (bench only)")
def test_pytorch_cnn_and_lstm_have_the_tf_parameter_counts():
    rng = np.random.RandomState(0)
    X = rng.rand(250, 784).astype(np.float32)
    y = rng.randint(0, 10, 250).astype(np.int32)
    data = (X[:200], y[:200], X[200:], y[200:])
    # The TF graphs' trainable parameters: conv kernels + biases, dense.
    cnn_params = (9 * 32 + 32) + (9 * 32 * 64 + 64) + (12544 * 128 + 128) \
        + (128 * 10 + 10)
    res = pytorch_runner.run_pytorch_cnn("CNN", bench.WORKLOADS["CNN"],
                                         data, 0)
    assert res["trainable_parameters"] == cnn_params
    # TF: kernel [178, 600] + bias [600]; torch keeps two biases (b_ih and
    # b_hh) where TF has one: 600 more.
    lstm_params = 178 * 600 + 600 + 600 + 150 * 10 + 10
    res = pytorch_runner.run_pytorch_lstm("LSTM", bench.WORKLOADS["LSTM"],
                                          data, 0)
    assert res["trainable_parameters"] == lstm_params
    assert 0.0 <= res["valid_accuracy"] <= 1.0
