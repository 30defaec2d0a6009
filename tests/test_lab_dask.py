"""`python -m tf1_dnn lab --workers N / --scheduler ADDRESS` and
`random_search(workers=...)` on Dask (issue #13 part 1).

Loopback only: every cluster binds 127.0.0.1 with ports picked free at run
time and no dashboard; each test is bounded in time and checks that no
worker process is left behind.
"""

import dataclasses
import functools
import json
import os
import pathlib
import re
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

distributed = pytest.importorskip("dask.distributed")
psutil = pytest.importorskip("psutil")

from tf1_dnn import lab, lab_configs, tf  # noqa: E402
from tf1_dnn.hparam_search import random_search, train_mlp  # noqa: E402
from tf1_dnn.lab import parallel  # noqa: E402
from tf1_dnn.lab import report as report_module  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parents[1]
# Each test is bounded (pytest-timeout, a test requirement); a hung cluster
# fails the test instead of the CI job.
pytestmark = pytest.mark.timeout(420)
# Random ops of every kind (dropout masks, batch norm, shuffling, SELU's
# standardization, table 11-2's network) on the --quick subset.
SUBSET = "selu,batch_norm,dropout,default_dnn"
NAMES = ["selu", "batch_norm", "dropout", "default_dnn"]
NUMBERS = ("val_curve", "train_loss", "val_accuracy", "test_accuracy")


def _children():
    """Our child processes, except multiprocessing's resource tracker (one
    per process that ever spawned; it ends with this process)."""
    pids = set()
    for p in psutil.Process().children(recursive=True):
        try:
            if "multiprocessing.resource_tracker" in " ".join(p.cmdline()):
                continue
        except psutil.NoSuchProcess:
            continue
        pids.add(p.pid)
    return pids


def _results(out):
    return {r["name"]: r for r in
            json.loads((pathlib.Path(out) / "results.json").read_text())
            ["results"]}


@pytest.fixture(scope="module")
def cluster():
    """An existing 2-worker cluster, as `dask worker`s would be."""
    before = _children()
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        scheduler_port=0, dashboard_address=None, memory_limit=0)
    yield cluster
    cluster.close()
    assert _children() <= before, "worker processes left behind"


@pytest.fixture(scope="module")
def serial_report(tmp_path_factory, fashion_mnist_dir):
    out = tmp_path_factory.mktemp("serial") / "R"
    assert lab.main(["--quick", "--seed", "5", "--only", SUBSET,
                     "--out", str(out)]) == 0
    return _results(out)


def test_without_dask_flags_dask_is_not_imported(tmp_path,
                                                 fashion_mnist_dir):
    code = ("import sys; from tf1_dnn import lab; "
            f"rc = lab.main(['--quick', '--only', 'adam', '--out', "
            f"{str(tmp_path / 'R')!r}]); "
            "print(rc, 'dask' in sys.modules, 'distributed' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True,
                         capture_output=True, text=True, timeout=300).stdout
    assert out.split()[-3:] == ["0", "False", "False"]


def test_one_worker_and_two_workers_give_the_serial_numbers(
        serial_report, cluster, tmp_path, capfd):
    before = _children()
    one = tmp_path / "one"
    assert lab.main(["--quick", "--seed", "5", "--only", SUBSET, "--workers",
                     "1", "--out", str(one)]) == 0
    assert _children() <= before, "--workers 1 left a process behind"
    two = tmp_path / "two"
    assert lab.main(["--quick", "--seed", "5", "--only", SUBSET,
                     "--scheduler", cluster.scheduler_address,
                     "--out", str(two)]) == 0
    err = capfd.readouterr().err
    # Progress: which configurations run, which are done, how many failed.
    assert "started dropout on tcp://127.0.0.1:" in err
    assert "done 4/4, failed 0" in err
    one_results = _results(one)
    for out in (one, two):
        results = _results(out)
        assert sorted(results) == sorted(NAMES)
        for name in NAMES:
            for key in NUMBERS:
                # 1 worker and 2 workers: the same numbers, bit for bit.
                assert results[name][key] == one_results[name][key], (
                    out.name, name, key)
                # Worker processes vs this process: the accuracies (what the
                # table shows) are equal; a float32 loss may differ in its
                # last bit (seen with TF_ENABLE_ONEDNN_OPTS=0: a Dask worker
                # runs with the nanny's environment, e.g. OMP_NUM_THREADS=1).
                if key == "train_loss":
                    np.testing.assert_allclose(
                        results[name][key], serial_report[name][key],
                        rtol=1e-6, err_msg=f"{out.name} {name} {key}")
                else:
                    assert results[name][key] == serial_report[name][key], (
                        out.name, name, key)
            # The data were read once per worker process, not per task.
            assert results[name]["worker"]["data_loads"] == 1
        assert sorted(p.name for p in (out / "tensorboard").iterdir()) == \
            sorted(NAMES)
        events = list((out / "tensorboard" / "dropout").glob("events.*"))
        assert len(events) == 1
        tags = {v.tag for e in tf.train.summary_iterator(str(events[0]))
                for v in e.summary.value}
        assert {"validation_accuracy", "test_accuracy"} <= tags
    meta = json.loads((two / "results.json").read_text())["meta"]
    assert meta["runner"] == f"Dask cluster {cluster.scheduler_address}"
    assert [r[1] for r in _rows(two)] == NAMES   # table order, not finish order


def _rows(out):
    lines = (out / "report.md").read_text().splitlines()
    start = next(i for i, line in enumerate(lines)
                 if line.startswith("| # | config |"))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in line.strip("|").split(" | ")])
    return rows


def test_a_failing_configuration_is_reported_and_the_others_kept(
        cluster, tmp_path, fashion_mnist_dir):
    # Passes LabConfig's checks, fails when its graph is built.
    broken = dataclasses.replace(lab_configs.by_name("max_norm"),
                                 name="broken", max_norm_axes=5)
    adam = lab_configs.by_name("adam")
    settings = lab.LabSettings.quick_mode(seed=1)
    results, report = lab.run_lab([broken, adam], settings, tmp_path / "R",
                                  scheduler=cluster.scheduler_address,
                                  retries=1)
    bad, good = results
    assert bad["status"] == "failed"
    assert "ValueError: Invalid reduction dimension 5" in bad["error"]
    assert "after 2 attempts" in bad["error"]
    assert good["status"] == "ok" and good["val_accuracy"] > 0.5
    md = report.read_text()
    assert "| broken |" in md and "FAILED: ValueError: Invalid reduction" in md
    assert "1 failed (broken)" in md
    html_text = (report.parent / "report.html").read_text()
    assert '<tr class="failed"><td>1</td><td>broken</td>' in html_text
    assert _results(report.parent)["broken"]["status"] == "failed"


def flaky_task(marker_dir, config, settings, data_dir=None):
    """Fails the first attempt of each configuration, then trains it."""
    marker = pathlib.Path(marker_dir) / config.name
    if not marker.exists():
        marker.write_text(str(os.getpid()))
        raise RuntimeError(f"first attempt of {config.name} fails")
    return parallel.train_task(config, settings, data_dir)


def test_a_task_that_fails_once_is_retried(cluster, tmp_path,
                                           fashion_mnist_dir):
    configs = [lab_configs.by_name("l2")]
    settings = lab.LabSettings.quick_mode(seed=1)
    got = []
    results = parallel.run_on_dask(
        configs, settings, None, lambda r, files: got.append((r, files)),
        scheduler=cluster.scheduler_address, retries=1,
        task=functools.partial(flaky_task, str(tmp_path)))
    assert (tmp_path / "l2").exists()           # the first attempt ran
    (result,) = results
    assert result["status"] == "ok" and result["val_accuracy"] > 0.3
    (streamed, files), = got
    assert streamed is result and any(k.startswith("events.out.tfevents")
                                      for k in files)


def test_interrupted_dask_lab_keeps_what_finished(cluster, tmp_path,
                                                  monkeypatch,
                                                  fashion_mnist_dir):
    real_add = report_module.ReportFolder.add

    def add_then_interrupt(self, result, meta, files=None):
        real_add(self, result, meta, files)
        raise KeyboardInterrupt

    monkeypatch.setattr(report_module.ReportFolder, "add", add_then_interrupt)
    out = tmp_path / "R"
    assert lab.main(["--quick", "--only", "l1,l2,adam", "--scheduler",
                     cluster.scheduler_address, "--out", str(out)]) == 130
    assert not out.exists()
    (name,) = _results(tmp_path / "R.partial")
    assert list((tmp_path / "R.partial" / "tensorboard" / name).glob(
        "events.out.tfevents.*"))


def test_random_search_on_dask_equals_the_serial_search(cluster):
    rnd = np.random.RandomState(0)
    X = rnd.rand(120, 8).astype(np.float32)
    y = (X[:, 0] + X[:, 1] > 1).astype(np.int64)
    one_thread = tf.ConfigProto(intra_op_parallelism_threads=1,
                                inter_op_parallelism_threads=1)
    kwargs = dict(n_trials=4, random_state=3, hidden_layers=(8,),
                  n_epochs=3, batch_size=20, session_config=one_thread)
    serial = random_search(X, y, train_fn=_seeded_mlp, **kwargs)
    on_dask = random_search(X, y, train_fn=_seeded_mlp,
                            scheduler=cluster.scheduler_address, **kwargs)
    assert on_dask == serial
    assert len({r["learning_rate"] for r in serial}) == 4


def test_random_search_workers_starts_and_stops_its_cluster():
    before = _children()
    X = np.random.RandomState(1).rand(60, 4).astype(np.float32)
    y = (X[:, 0] > 0.5).astype(np.int64)

    results = random_search(X, y, n_trials=3, random_state=0,
                            train_fn=_sizes, workers=1)
    assert [r["val_acc"] for r in results] == [0.6, 0.6, 0.6]
    assert _children() <= before


def _dies(X_tr, y_tr, X_val, y_val, learning_rate, weight_decay):
    os.kill(os.getpid(), signal.SIGKILL)      # as the OOM killer would


def test_random_search_reports_a_trial_whose_worker_dies():
    import dask
    from tf1_dnn.errors import Tf1DnnError, WorkerDiedError
    before = _children()
    X = np.random.RandomState(1).rand(60, 4).astype(np.float32)
    y = (X[:, 0] > 0.5).astype(np.int64)
    # allowed-failures 0: the first death ends the task (the default, 3,
    # would restart the worker four times). The LocalCluster's scheduler
    # runs in this process and reads the setting when it starts.
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        with pytest.raises(WorkerDiedError) as info:
            random_search(X, y, n_trials=1, random_state=0, train_fn=_dies,
                          workers=1)
    assert isinstance(info.value, Tf1DnnError)
    message = str(info.value)
    assert message.startswith("random_search: the Dask worker process "
                              "running trial 0 (learning_rate=")
    assert "allowed-failures + 1 = 1" in message
    assert "out of memory" in message and "workers=None" in message
    assert type(info.value.__cause__).__name__ == "KilledWorker"
    assert _children() <= before


def _seeded_mlp(*args, **kwargs):
    """train_mlp with a fixed graph seed and shuffling (deterministic)."""
    return train_mlp(*args, random_state=0, **kwargs)


def _sizes(X_tr, y_tr, X_val, y_val, learning_rate, weight_decay):
    return {"val_acc": (len(X_tr) + len(X_val)) / 100}


# --- Worker processes that die (SIGKILL, as the kernel's OOM killer does) ---

def dying_task(marker_dir, deaths, config, settings, data_dir=None):
    """`parallel.train_task`, except that the first `deaths[config.name]`
    attempts at a configuration kill their own worker process part-way
    through (SIGKILL: no exception, no clean-up, as the kernel's out-of-memory
    killer does). Every attempt leaves a file `<name>.<n>` in `marker_dir`
    holding its worker's pid."""
    marker_dir = pathlib.Path(marker_dir)
    attempt = len(list(marker_dir.glob(config.name + ".*")))
    (marker_dir / f"{config.name}.{attempt}").write_text(str(os.getpid()))
    if attempt >= deaths.get(config.name, 0):
        return parallel.train_task(config, settings, data_dir)
    # Die 1 s into the attempt (data loading or training), or at its end at
    # the latest: the worker never returns a result.
    timer = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGKILL))
    timer.daemon = True
    timer.start()
    parallel.train_task(config, settings, data_dir)
    os.kill(os.getpid(), signal.SIGKILL)


def _attempts(marker_dir, name):
    return sorted(int(p.suffix[1:]) for p in
                  pathlib.Path(marker_dir).glob(name + ".*"))


def test_a_worker_that_dies_once_is_replaced_and_its_configuration_retried(
        tmp_path, monkeypatch, capfd, fashion_mnist_dir):
    before = _children()
    names = ["selu", "dropout", "adam"]
    configs = [lab_configs.by_name(n) for n in names]
    settings = lab.LabSettings.quick_mode(seed=5)
    markers = tmp_path / "markers"
    markers.mkdir()
    monkeypatch.setattr(parallel, "run_on_dask", functools.partial(
        parallel.run_on_dask,
        task=functools.partial(dying_task, str(markers), {"dropout": 1})))
    streamed = []
    real_add = report_module.ReportFolder.add

    def add(self, result, meta, files=None):
        streamed.append(result["name"])
        real_add(self, result, meta, files)

    monkeypatch.setattr(report_module.ReportFolder, "add", add)
    start = time.perf_counter()
    results, report = lab.run_lab(configs, settings, tmp_path / "R",
                                  workers=2)
    seconds = time.perf_counter() - start
    assert _children() <= before, "worker processes left behind"
    err = capfd.readouterr().err
    by_name = {r["name"]: r for r in results}
    assert [r["status"] for r in results] == ["ok"] * 3, err[-3000:]
    assert sorted(streamed) == sorted(names)
    # The killed configuration ran twice, in two different processes.
    assert _attempts(markers, "dropout") == [0, 1]
    pids = {(markers / f"dropout.{i}").read_text() for i in (0, 1)}
    assert len(pids) == 2
    assert by_name["dropout"]["worker"]["pid"] == int(
        (markers / "dropout.1").read_text())
    # The retried configuration's numbers are those of a run in this process
    # (they depend only on the seed and the data).
    alone, _, _ = parallel.train_task(configs[1], settings)
    for key in ("val_curve", "val_accuracy", "test_accuracy"):
        assert by_name["dropout"][key] == alone[key], key
    np.testing.assert_allclose(by_name["dropout"]["train_loss"],
                               alone["train_loss"], rtol=1e-6)
    # Progress says what happened.
    assert "worker tcp://127.0.0.1:" in err and "died while running dropout" \
        in err, err[-3000:]
    assert "started dropout on tcp://127.0.0.1:" in err
    assert "(attempt 2)" in err
    assert "done 3/3, failed 0" in err
    assert _results(report.parent)["dropout"]["status"] == "ok"
    print(f"\nworker death, retried: {seconds:.1f} s for {len(names)} "
          f"configurations on 2 workers; dropout attempts: "
          f"{len(_attempts(markers, 'dropout'))}")
    print("\n".join(l for l in err.splitlines() if l.startswith("[dask")))


def test_a_configuration_whose_worker_dies_every_time_is_reported_failed(
        tmp_path, monkeypatch, capfd, fashion_mnist_dir):
    import dask
    before = _children()
    names = ["selu", "dropout", "adam"]
    configs = [lab_configs.by_name(n) for n in names]
    settings = lab.LabSettings.quick_mode(seed=5)
    markers = tmp_path / "markers"
    markers.mkdir()
    monkeypatch.setattr(parallel, "run_on_dask", functools.partial(
        parallel.run_on_dask,
        task=functools.partial(dying_task, str(markers), {"dropout": 99})))
    start = time.perf_counter()
    # A task may kill allowed-failures + 1 workers (default 3 + 1); 1 + 1
    # keeps the test short. The LocalCluster's scheduler runs in this
    # process and reads the setting when it starts. One worker: Dask hands
    # it two tasks at a time (worker-saturation 1.1), so a configuration
    # queued behind dropout when a death comes is counted in it too; if
    # that happens at both deaths it fails with KilledWorker without having
    # run and run_on_dask resubmits it (timing: not every run).
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        results, report = lab.run_lab(configs, settings, tmp_path / "R",
                                      workers=1)
    seconds = time.perf_counter() - start
    assert _children() <= before, "worker processes left behind"
    err = capfd.readouterr().err
    by_name = {r["name"]: r for r in results}
    assert [r["name"] for r in results] == names       # table order
    assert by_name["selu"]["status"] == "ok", err[-3000:]
    assert by_name["adam"]["status"] == "ok", err[-3000:]
    bad = by_name["dropout"]
    assert bad["status"] == "failed"
    assert _attempts(markers, "dropout") == [0, 1]      # 1 + allowed-failures
    assert bad["error"].startswith("KilledWorker: the worker process running "
                                   "dropout died on each of its 2 attempts")
    assert "distributed.scheduler.allowed-failures = 1" in bad["error"]
    assert "memory" in bad["error"] and "--only dropout" in bad["error"]
    # The report folder is complete: table, json, html, the others' runs.
    out = report.parent
    assert not (tmp_path / "R.partial").exists()
    md = report.read_text()
    assert "| dropout |" in md and "FAILED: KilledWorker: the worker" in md
    assert "1 failed (dropout)" in md
    assert '<tr class="failed"><td>2</td><td>dropout</td>' in (
        out / "report.html").read_text()
    saved = _results(out)
    assert sorted(saved) == sorted(names)
    assert saved["dropout"]["error"] == bad["error"]
    assert sorted(p.name for p in (out / "tensorboard").iterdir()) == \
        ["adam", "selu"]
    assert "died while running dropout" in err
    # Whether another configuration was queued behind dropout on the dying
    # worker (and so was killed with it and resubmitted) depends on Dask's
    # timing: in one CI run adam started and finished between dropout's two
    # deaths and nothing was resubmitted. Either way selu and adam are ok
    # (asserted above); when it happened, the bystander is named.
    bystander = re.search(r"resubmitted (\w+): it was only queued on "
                          r"workers that died", err)
    if bystander:
        assert bystander.group(1) in ("selu", "adam"), err[-3000:]
        assert f"(queued there: {bystander.group(1)})" in err
    assert "FAILED dropout: KilledWorker" in err
    assert "done 2/3, failed 1" in err
    print(f"\nworker death on every attempt: {seconds:.1f} s, "
          f"{len(_attempts(markers, 'dropout'))} attempts at dropout")
    print("\n".join(l for l in err.splitlines() if l.startswith("[dask")))
