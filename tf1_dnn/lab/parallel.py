"""The lab's configurations on Dask: `--workers N` or `--scheduler ADDRESS`.

Optional extra `[dask]` (`pip install 'tf1_dnn[dask]'`, i.e.
`dask[distributed]`); without those flags nothing here is imported and the
lab runs in its own process.

* `--workers N`: a `dask.distributed.LocalCluster` of N worker *processes*
  with one thread each, bound to 127.0.0.1, ports picked free
  (`scheduler_port=0`, no dashboard), closed (processes ended) at the end.
* `--scheduler tcp://HOST:PORT`: an existing cluster; its workers need
  tf1_dnn, TensorFlow and the data (`--data` must be a path valid on the
  workers; leave it out for their default source).

Each configuration is one task, `train_task(config, settings, data_dir)`.
Only the configuration and the settings travel: a worker loads the data
once (`tf1_dnn.lab.data.cached_lab_data`, one copy per worker process) and
keeps it for its next tasks. The worker writes the TensorBoard events to a
temporary folder and returns them with the result, so the report folder can
be on the client's machine only. Results stream into the report as they
arrive.

Failures, two budgets, both Dask's own:

* A task that *raises* is retried `retries` times (`retries=2` by default:
  up to 3 attempts, on any worker); then its row is "failed" with the
  error and "(after 3 attempts)".
* A task whose worker *process dies* (SIGKILL, the kernel's out-of-memory
  killer, a crash in native code, `os._exit`) raises nothing: the nanny
  restarts the worker and the scheduler runs the task again elsewhere.
  `retries` does not count these; the scheduler's
  `distributed.scheduler.allowed-failures` (default 3) does: once a task
  has been running on allowed-failures + 1 workers that died, Dask gives
  up with `KilledWorker`, and the row is "failed" with our message naming
  the configuration, the number of deaths and what to do (memory, fewer
  workers per machine, `--only NAME` without Dask to see the error).
  With `--workers N` the scheduler runs in this process and reads the
  setting from the Dask config when the cluster starts
  (`DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES=1` or
  `dask.config.set`); with `--scheduler` it is that scheduler's.
  Pitfall (Dask's): a death counts against every task the worker held,
  including ones only queued behind the running one. A configuration that
  fails with `KilledWorker` without ever having started on the worker
  that died last is therefore resubmitted once, with a fresh count.

Progress (stderr) says each of these: "started NAME on W (attempt 2)",
"worker W died while running NAME ...", "resubmitted NAME ...",
"FAILED NAME: ...". The other configurations run on; their results are
kept.

Numbers do not depend on N: each configuration's numbers depend only on its
graph seed, its shuffling seed and the data (one intra-op and one inter-op
thread per session), never on which worker ran it or on what ran before.
"""

import contextlib
import os
import re
import shutil
import sys
import tempfile
import threading
import time
import uuid

from tf1_dnn.lab.errors import DaskMissingError, LabArgumentError

__all__ = ["import_distributed", "check_dask_args", "dask_client",
           "train_task", "run_on_dask", "DEFAULT_RETRIES"]

TOPIC = "tf1_dnn-lab"
DEFAULT_RETRIES = 2
_ADDRESS = re.compile(r"^(tcp|tls|ucx|inproc)://[^\s/:]+(:\d+)?/?$")


def import_distributed():
    """`dask.distributed`, or `DaskMissingError` saying how to install it."""
    try:
        import dask.distributed as distributed
    except ImportError as e:
        raise DaskMissingError(
            "--workers / --scheduler need Dask, an optional extra of tf1_dnn:"
            " pip install 'tf1_dnn[dask]' (or pip install "
            f"'dask[distributed]'); importing it failed: {e}. Without these "
            "flags the lab runs in this process.") from e
    return distributed


def check_dask_args(workers=None, scheduler=None):
    """Raises `LabArgumentError` for a bad --workers / --scheduler, and
    `DaskMissingError` if either is given and Dask is not installed."""
    if workers is not None and scheduler is not None:
        raise LabArgumentError(
            "--workers and --scheduler exclude each other: --workers N starts "
            "N local worker processes, --scheduler tcp://HOST:PORT uses the "
            "workers of an existing cluster. Pass one of them.")
    if workers is not None and (isinstance(workers, bool)
                                or not isinstance(workers, int)
                                or workers < 1):
        raise LabArgumentError(
            f"--workers must be a number of worker processes of at least 1, "
            f"got {workers!r}; e.g. --workers 2 (one per core).")
    if scheduler is not None and not _ADDRESS.match(str(scheduler)):
        raise LabArgumentError(
            f"--scheduler must be a Dask scheduler address like "
            f"tcp://HOST:8786, got {scheduler!r}.")
    if workers is not None or scheduler is not None:
        import_distributed()


@contextlib.contextmanager
def dask_client(workers=None, scheduler=None, timeout=30):
    """A `Client` on a new LocalCluster (`workers`) or on `scheduler`.

    The LocalCluster binds 127.0.0.1 with free ports, one thread per worker
    process, no dashboard, no memory limit (a TensorFlow worker would be
    paused or restarted by Dask's default limits on a small machine). Both
    are closed at the end, and with them the worker processes.
    """
    import logging

    check_dask_args(workers, scheduler)
    distributed = import_distributed()
    cluster = None
    if scheduler is None:
        cluster = distributed.LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True,
            host="127.0.0.1", scheduler_port=0, dashboard_address=None,
            memory_limit=0, silence_logs=logging.ERROR)
        client = distributed.Client(cluster, timeout=timeout)
    else:
        client = distributed.Client(scheduler, timeout=timeout)
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _log(event, name, **extra):
    try:
        from dask.distributed import get_worker
        worker = get_worker()
    except (ImportError, ValueError):
        return None
    worker.log_event(TOPIC, dict(event=event, name=name,
                                 worker=worker.address, **extra))
    return worker.address


def train_task(config, settings, data_dir=None):
    """One configuration on a worker; returns (result, event files, source).

    `event files` maps the file names of its TensorBoard run to their bytes.
    The result gains `worker` = {address, pid, data_loads}: data_loads is
    how many times that worker process has read the data (1 = once).
    """
    from tf1_dnn.lab import data as lab_data
    from tf1_dnn.lab.loop import train_config

    address = _log("started", config.name)
    data, source = lab_data.cached_lab_data(settings, data_dir)
    logdir = tempfile.mkdtemp(prefix="tf1_dnn-lab-")
    try:
        with open(os.devnull, "w") as quiet:
            result = train_config(config, data, settings, logdir=logdir,
                                  stream=quiet)
        files = {}
        for root, _, names in os.walk(logdir):
            for name in names:
                path = os.path.join(root, name)
                with open(path, "rb") as f:
                    files[os.path.relpath(path, logdir)] = f.read()
    finally:
        shutil.rmtree(logdir, ignore_errors=True)
    result["worker"] = dict(address=address, pid=os.getpid(),
                            data_loads=lab_data.LOADS["count"])
    return result, files, source


class _Progress:
    """One line per event on `stream`: started (with the attempt number),
    a worker that died while running one of ours, done / failed, with the
    configurations running and the counts.

    `keys` maps our task keys to configuration names: a worker's death is
    seen through the scheduler's "remove-worker" event (topic "all"), which
    lists the keys the worker was processing.
    """

    def __init__(self, total, stream=None, keys=None, allowed_failures=None):
        self.total = total
        self.stream = sys.stderr if stream is None else stream
        self.keys = {} if keys is None else keys
        self.allowed_failures = allowed_failures
        self.running = {}
        self.attempts = {}
        self.ran_on = {}       # name -> addresses of the workers it started on
        self.done = self.failed = 0
        self.lock = threading.Lock()
        self.start = time.perf_counter()

    def _write(self, text):
        running = ", ".join(sorted(self.running)) or "-"
        self.stream.write(
            f"[dask {time.perf_counter() - self.start:6.1f}s] {text} | "
            f"running: {running} | done {self.done}/{self.total}, failed "
            f"{self.failed}\n")
        self.stream.flush()

    def event(self, event):
        _, msg = event
        if not isinstance(msg, dict) or msg.get("event") != "started":
            return
        with self.lock:
            name, worker = msg["name"], msg.get("worker")
            self.running[name] = worker
            self.ran_on.setdefault(name, set()).add(worker)
            n = self.attempts[name] = self.attempts.get(name, 0) + 1
            self._write(f"started {name} on {worker}"
                        + (f" (attempt {n})" if n > 1 else ""))

    def worker_event(self, event):
        """The scheduler's topic "all": reports a worker that left while
        processing our tasks."""
        _, msg = event
        if not isinstance(msg, dict) or msg.get("action") != "remove-worker":
            return
        worker = msg.get("worker")
        names = sorted(self.keys[k] for k in msg.get("processing-tasks", ())
                       if k in self.keys)
        if not names:
            return
        with self.lock:
            ran = [n for n in names if self.running.get(n) == worker]
            queued = [n for n in names if n not in ran]
            for name in ran:
                self.running.pop(name, None)
            if msg.get("expected"):
                self._write(f"worker {worker} left (closed on purpose); "
                            f"Dask moves {', '.join(names)} to another "
                            "worker")
                return
            limit = ("distributed.scheduler.allowed-failures + 1" if
                     self.allowed_failures is None
                     else self.allowed_failures + 1)
            text = (f"worker {worker} died while running "
                    f"{', '.join(ran) or '-'}"
                    + (f" (queued there: {', '.join(queued)})" if queued
                       else "")
                    + "; its process ended without a result (killed, e.g."
                    " out of memory, or crashed). Dask's nanny restarts it"
                    " and the scheduler retries the task elsewhere, until"
                    f" {limit} workers have died with it")
            self._write(text)

    def finished(self, result):
        with self.lock:
            self.running.pop(result["name"], None)
            if result["status"] == "failed":
                self.failed += 1
                self._write(f"FAILED {result['name']}: {result['error']}")
            else:
                self.done += 1
                acc = result["val_accuracy"]
                self._write(f"{result['status']} {result['name']}"
                            + (f" val_acc {acc:.4f}" if acc is not None
                               else "") + f" in {result['seconds']:.1f}s")


def _killed_worker_text(name, exc, attempts):
    """Our message for Dask's KilledWorker: what died, how often, what to
    do."""
    deaths = exc.allowed_failures + 1
    attempts = max(attempts, deaths)
    count = (f"on each of its {deaths} attempts" if attempts == deaths
             else f"on {deaths} of its {attempts} attempts")
    return (f"KilledWorker: the worker process running {name} died {count} "
            f"(Dask gives up on a task once it has killed allowed-failures + "
            f"1 workers; distributed.scheduler.allowed-failures = "
            f"{exc.allowed_failures}; the task retries do not count deaths). "
            f"The process was ended from outside or crashed, without a Python"
            f" error: most often out of memory (the kernel's OOM killer), "
            f"else a crash in native code. Give the workers more memory or "
            f"start fewer per machine (--workers), or run it alone without "
            f"Dask (--only {name}) to see the error; last worker: "
            f"{exc.last_worker.address}")


def _error_text(future):
    exc = future.exception()
    return f"{type(exc).__name__}: {exc}"


def _allowed_failures(client):
    """The scheduler's distributed.scheduler.allowed-failures, or None."""
    try:
        return int(client.run_on_scheduler(
            lambda dask_scheduler: dask_scheduler.allowed_failures))
    except Exception:   # an old or foreign scheduler: the message says less
        return None


def run_on_dask(configs, settings, data_dir, on_result, workers=None,
                scheduler=None, retries=DEFAULT_RETRIES, stream=None,
                task=train_task):
    """Trains `configs` on Dask; calls `on_result(result, files)` on the
    client as each finishes (failed ones included, files None); returns the
    results in the order they finished.

    Args:
      retries: how many times a task that *raised* is run again (Dask's
        `retries`). Worker deaths are counted by the scheduler's
        `distributed.scheduler.allowed-failures` instead (see the module
        docstring); a configuration that exhausts either budget becomes a
        failed result, the others go on.
      task: the task function (tests pass a flaky one, or one that kills
        its worker); called on the workers as `task(config, settings,
        data_dir)` and returning `(result, files, source)`.
    """
    from tf1_dnn.lab.loop import failed_result

    distributed = import_distributed()
    from distributed.scheduler import KilledWorker
    results = []
    run_id = uuid.uuid4().hex[:8]
    keys = {}
    progress = _Progress(len(configs), stream, keys)
    resubmitted = set()

    def submit(config, suffix=""):
        key = f"tf1_dnn-lab-{run_id}-{config.name}{suffix}"
        keys[key] = config.name
        return client.submit(task, config, settings, data_dir, key=key,
                             retries=retries, pure=False)

    with dask_client(workers, scheduler) as client:
        progress.allowed_failures = _allowed_failures(client)
        client.subscribe_topic(TOPIC, progress.event)
        client.subscribe_topic("all", progress.worker_event)
        futures = {submit(config): config for config in configs}
        try:
            pending = distributed.as_completed(list(futures))
            for future in pending:
                config = futures.pop(future)
                if future.status == "finished":
                    result, files, _ = future.result()
                else:
                    exc = future.exception()
                    if isinstance(exc, KilledWorker):
                        address = exc.last_worker.address
                        with progress.lock:
                            ran_there = address in progress.ran_on.get(
                                config.name, ())
                            attempts = progress.attempts.get(config.name, 0)
                        if not ran_there and config.name not in resubmitted:
                            # Only queued on the workers that died: Dask
                            # counts a death against every task a worker
                            # holds. Once more, with a fresh count.
                            resubmitted.add(config.name)
                            future.release()
                            retry = submit(config, "-resubmitted")
                            futures[retry] = config
                            pending.add(retry)
                            with progress.lock:
                                progress._write(
                                    f"resubmitted {config.name}: it was only"
                                    f" queued on workers that died ({address}"
                                    " last)")
                            continue
                        error = _killed_worker_text(config.name, exc,
                                                    attempts)
                    else:
                        error = (f"{_error_text(future)} (after "
                                 f"{retries + 1} attempts)")
                    result, files = failed_result(config, settings,
                                                  error), None
                future.release()
                progress.finished(result)
                results.append(result)
                on_result(result, files)
        finally:
            for future in futures:
                future.cancel()
            client.unsubscribe_topic(TOPIC)
            client.unsubscribe_topic("all")
    return results


def _noop(i):
    return i


def task_overhead(workers=2, scheduler=None, n=100):
    """Measures Dask's per-task cost here: {startup, sequential, batched,
    close} in seconds; sequential = one no-op task's round trip (submit,
    run, result) averaged over `n` one after the other, batched = the
    wall time of `n` no-op tasks submitted at once, divided by `n`.

    `python -m tf1_dnn.lab.parallel` prints it (run it as a module: on
    spawn-started workers a script needs an `if __name__ == "__main__"`).
    """
    start = time.perf_counter()
    timings = {}
    with dask_client(workers, scheduler) as client:
        client.gather(client.map(_noop, range(2 * workers or 2), pure=False))
        timings["startup"] = time.perf_counter() - start
        t = time.perf_counter()
        for i in range(n):
            client.submit(_noop, i, pure=False).result()
        timings["sequential"] = (time.perf_counter() - t) / n
        t = time.perf_counter()
        client.gather(client.map(_noop, range(n), pure=False))
        timings["batched"] = (time.perf_counter() - t) / n
        closing = time.perf_counter()
    timings["close"] = time.perf_counter() - closing
    return timings


if __name__ == "__main__":
    figures = task_overhead(workers=int(sys.argv[1]) if len(sys.argv) > 1
                            else 2)
    print(f"LocalCluster start + first tasks {figures['startup']:.2f} s, "
          f"per no-op task: sequential round trip "
          f"{figures['sequential'] * 1e3:.2f} ms, batched "
          f"{figures['batched'] * 1e3:.2f} ms; close {figures['close']:.2f} s")
