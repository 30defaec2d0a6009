"""TF 1.x distributed training (between-graph replication) on TensorFlow's own runtime.

TensorFlow 2.21 still ships TF 1.x's gRPC cluster runtime in `tf.compat.v1`:
`tf.train.ClusterSpec`, `tf.train.Server`, `tf.train.replica_device_setter`,
`tf.train.MonitoredTrainingSession` and `tf.train.SyncReplicasOptimizer`. This
module adds only what chapter-12-style code needs around them, and no
scheduler or parameter server of its own:

* `cluster_from_tf_config()` / `cluster_from_flags()`: the `ClusterSpec`, job
  name and task index of this process, from the `TF_CONFIG` environment
  variable or from `--ps_hosts/--worker_hosts/--job_name/--task_index` values;
* `start_server(task)`: the task's `tf.train.Server`;
* `worker_config(task)`: a `ConfigProto` with TF 1.x's `device_filters` for a
  worker (its own task and the parameter servers), so one worker's session
  neither waits for nor depends on the other workers;
* `MonitoredTrainingSession`: `tf.train.MonitoredTrainingSession` in tf1_dnn's
  namespace. For a non-chief worker it polls the chief's readiness every
  `WORKER_POLL_SECS` (0.5 s) instead of TF's fixed 30 s, the same public
  `SessionManager.wait_for_session` otherwise: a worker that starts before the
  chief has initialised the variables joins within half a second, not half a
  minute (what made a 300-step run take 2 minutes);
* `SyncReplicasOptimizer`: TF's, except that the chief's token queue runner
  does not hold up the chief's shutdown: with the stock one, closing the
  chief's session waits `stop_grace_period_secs` (120 s) for a thread blocked
  on the workers' gradients, then prints a `CancelledError` traceback from it.

Variables of tf1_dnn's layers (`kernel`/`bias`, batch norm's `gamma`, `beta`,
`moving_mean`, `moving_variance`) are ordinary `tf.get_variable` variables, so
`replica_device_setter` puts them on `/job:ps` like TF 1.x's.

Pitfalls kept as TF 1.x had them (documented in docs/distributed.md):
* a parameter server's `server.join()` never returns; kill it when done;
* `with tf.control_dependencies(UPDATE_OPS): sync_opt.minimize(loss)` fails at
  start-up ("You must feed a value for placeholder"): SyncReplicasOptimizer
  builds its readiness check inside `minimize`, under the control dependency.
  Group the updates with the training op instead.
"""

import json
import os

from tf1_dnn._compat import v1
from tf1_dnn.errors import Tf1DnnError

__all__ = ["TaskSpec", "ClusterConfigError", "cluster_from_tf_config",
           "cluster_from_flags", "start_server", "worker_config",
           "MonitoredTrainingSession", "SyncReplicasOptimizer",
           "WORKER_POLL_SECS"]

# Seconds between a non-chief worker's checks that the chief has initialised
# the model (TF's SessionManager default: 30).
WORKER_POLL_SECS = 0.5


class ClusterConfigError(Tf1DnnError, ValueError):
    """A cluster description (TF_CONFIG or flags) that cannot be used."""


class TaskSpec:
    """This process's place in the cluster.

    Attributes:
      cluster: the `tf.train.ClusterSpec`.
      job_name: "ps", "worker" (or "chief"/"evaluator" from TF_CONFIG).
      task_index: the index within the job.
      is_chief: True for worker 0 when there is no "chief" job, or the chief.
    """

    def __init__(self, cluster, job_name, task_index):
        self.cluster = cluster
        self.job_name = job_name
        self.task_index = task_index
        jobs = cluster.jobs
        if "chief" in jobs:
            self.is_chief = job_name == "chief"
        else:
            self.is_chief = job_name == "worker" and task_index == 0

    @property
    def device(self):
        """"/job:<job>/task:<index>"."""
        return f"/job:{self.job_name}/task:{self.task_index}"

    def __repr__(self):
        return (f"TaskSpec({self.job_name}:{self.task_index} of "
                f"{self.cluster.as_dict()}, is_chief={self.is_chief})")


def _check_task(cluster, job_name, task_index, source):
    jobs = cluster.as_dict()
    if job_name not in jobs:
        raise ClusterConfigError(
            f"{source}: job {job_name!r} is not in the cluster "
            f"{sorted(jobs)}; set the job name to one of them.")
    hosts = jobs[job_name]
    n = len(hosts) if isinstance(hosts, list) else len(dict(hosts))
    if not isinstance(task_index, int) or not 0 <= task_index < n:
        raise ClusterConfigError(
            f"{source}: task index {task_index!r} is out of range for job "
            f"{job_name!r}, which has {n} task(s) (0..{n - 1}).")
    return TaskSpec(cluster, job_name, task_index)


def cluster_from_tf_config(tf_config=None):
    """The `TaskSpec` described by `TF_CONFIG` (JSON), as TF 1.x's RunConfig read it.

    Args:
      tf_config: a dict or JSON string; None reads `os.environ["TF_CONFIG"]`.
        Form: {"cluster": {"ps": [...], "worker": [...]},
               "task": {"type": "worker", "index": 0}}.

    Raises:
      ClusterConfigError: missing or malformed TF_CONFIG, unknown job, or an
        index out of range.
    """
    source = "TF_CONFIG"
    if tf_config is None:
        if "TF_CONFIG" not in os.environ:
            raise ClusterConfigError(
                "TF_CONFIG is not set: set it to a JSON cluster description, "
                'e.g. {"cluster": {"ps": ["host:2222"], "worker": '
                '["host:2223"]}, "task": {"type": "worker", "index": 0}}, '
                "or use cluster_from_flags().")
        tf_config = os.environ["TF_CONFIG"]
    if isinstance(tf_config, str):
        try:
            tf_config = json.loads(tf_config)
        except ValueError as e:
            raise ClusterConfigError(
                f"{source} is not valid JSON ({e}); fix the JSON.") from None
    if not isinstance(tf_config, dict) or \
            not isinstance(tf_config.get("cluster"), dict) or \
            not isinstance(tf_config.get("task"), dict):
        raise ClusterConfigError(
            f"{source} needs a 'cluster' object and a 'task' object with "
            "'type' and 'index'; got " + json.dumps(tf_config)[:200])
    task = tf_config["task"]
    cluster = v1.train.ClusterSpec(tf_config["cluster"])
    return _check_task(cluster, task.get("type"), task.get("index", 0),
                       source)


def cluster_from_flags(ps_hosts, worker_hosts, job_name, task_index):
    """The `TaskSpec` of the classic TF 1.x flags.

    Args:
      ps_hosts, worker_hosts: comma-separated "host:port" strings, or lists.
      job_name: "ps" or "worker".
      task_index: int.

    Raises:
      ClusterConfigError: no workers, an empty or port-less host, an unknown
        job or an index out of range.
    """
    def hosts(value, flag):
        if isinstance(value, str):
            value = [h.strip() for h in value.split(",") if h.strip()]
        for h in value:
            host, _, port = h.rpartition(":")
            if not host or not port.isdigit():
                raise ClusterConfigError(
                    f"--{flag}: {h!r} is not host:port (e.g. "
                    "localhost:2222).")
        return list(value)

    jobs = {"worker": hosts(worker_hosts, "worker_hosts")}
    if not jobs["worker"]:
        raise ClusterConfigError("--worker_hosts is empty: give at least one "
                                 "host:port.")
    ps = hosts(ps_hosts or [], "ps_hosts")
    if ps:
        jobs["ps"] = ps
    return _check_task(v1.train.ClusterSpec(jobs), job_name, int(task_index),
                       "--job_name/--task_index")


def start_server(task, config=None, start=True):
    """`tf.train.Server` for `task` (a `TaskSpec`)."""
    return v1.train.Server(task.cluster, job_name=task.job_name,
                           task_index=task.task_index, config=config,
                           start=start)


def worker_config(task, config=None):
    """A copy of `config` with TF 1.x's device filters for a worker.

    The session of worker i then sees only `/job:ps` and its own task: it
    does not wait at start-up for the other workers, and a worker that dies
    does not stall the others. (TF 1.x's own distributed examples set the
    same filters.)
    """
    proto = v1.ConfigProto()
    if config is not None:
        proto.CopyFrom(config)
    del proto.device_filters[:]
    proto.device_filters.extend(["/job:ps", task.device])
    return proto


class _PollingWorkerSessionCreator(v1.train.SessionCreator):
    """`tf.train.WorkerSessionCreator`, polling every `poll_secs`.

    The same public calls as TF's WorkerSessionCreator.create_session: a
    `SessionManager` built from the scaffold's ops, then `wait_for_session`;
    only `recovery_wait_secs` differs.
    """

    def __init__(self, scaffold, master, config, max_wait_secs, poll_secs):
        self._scaffold = scaffold
        self._master = master
        self._config = config
        self._max_wait_secs = max_wait_secs
        self._poll_secs = poll_secs
        self._manager = None

    def create_session(self):
        self._scaffold.finalize()
        if self._manager is None:
            self._manager = v1.train.SessionManager(
                local_init_op=self._scaffold.local_init_op,
                local_init_feed_dict=self._scaffold.local_init_feed_dict,
                ready_op=self._scaffold.ready_op,
                ready_for_local_init_op=self._scaffold.ready_for_local_init_op,
                graph=v1.get_default_graph(),
                recovery_wait_secs=self._poll_secs)
        return self._manager.wait_for_session(
            self._master, config=self._config,
            max_wait_secs=self._max_wait_secs)


def MonitoredTrainingSession(*args, **kwargs):  # pylint: disable=invalid-name
    """`tf.compat.v1.train.MonitoredTrainingSession`, with fast worker start-up.

    Same signature and result. The chief's path is TF's own (through
    `tf1_dnn.session.MonitoredTrainingSession`, which gives its sessions
    sleeping idle threads). A non-chief worker gets the session TF builds for
    it -- a `MonitoredSession` over a worker session creator with the user's
    hooks -- except that it checks whether the chief has initialised the
    model every `WORKER_POLL_SECS` seconds rather than every 30.
    """
    import inspect

    from tf1_dnn import session as _session
    stock = v1.train.MonitoredTrainingSession
    bound = inspect.signature(stock).bind(*args, **kwargs)
    bound.apply_defaults()
    a = bound.arguments
    if a["is_chief"] or WORKER_POLL_SECS is None or \
            v1.distribute.has_strategy():
        return _session.MonitoredTrainingSession(*args, **kwargs)
    creator = _PollingWorkerSessionCreator(
        scaffold=a["scaffold"] or v1.train.Scaffold(), master=a["master"],
        config=_session.session_config(a["config"]),
        max_wait_secs=a["max_wait_secs"], poll_secs=WORKER_POLL_SECS)
    return v1.train.MonitoredSession(
        session_creator=creator, hooks=a["hooks"] or [],
        stop_grace_period_secs=a["stop_grace_period_secs"])


class _UnjoinedCoordinator:
    """Forwards to a `tf.train.Coordinator`, but registers no thread.

    `Coordinator.join` then does not wait for the threads started with it.
    """

    def __init__(self, coord):
        self._coord = coord

    def register_thread(self, thread):  # noqa: D401 - not joined on purpose
        del thread

    def __getattr__(self, name):
        return getattr(self._coord, name)


class _ChiefQueueRunner(v1.train.QueueRunner):
    """The sync chief's token queue runner, made to shut down cleanly.

    Its thread spends most of its life blocked in the gradient accumulators'
    `take_grad` (waiting for the workers), where neither the coordinator's
    stop request nor the token queue's cancel op reaches it. Stock TF then
    (1) makes `MonitoredSession.close()` wait the whole
    `stop_grace_period_secs` (120 s by default) for it, and (2) prints a
    `CancelledError` traceback from the thread when the session finally
    closes. Here the thread is not registered for `Coordinator.join` (it is a
    daemon, ended by the session's close) and `CancelledError` ends it like
    the queue's end. Errors during training still reach the coordinator.
    """

    def create_threads(self, sess, coord=None, daemon=False, start=False):
        if coord is not None:
            coord = _UnjoinedCoordinator(coord)
        return super().create_threads(sess, coord=coord, daemon=True,
                                      start=start)


class SyncReplicasOptimizer(v1.train.SyncReplicasOptimizer):
    """`tf.train.SyncReplicasOptimizer` whose chief shuts down at once and quietly.

    Identical (same graph, same arithmetic), except `get_chief_queue_runner()`
    (used by `make_session_run_hook(is_chief=True)`): see `_ChiefQueueRunner`.
    With the stock optimizer a chief's `MonitoredTrainingSession` takes
    `stop_grace_period_secs` (120 s) to close after the last step and prints
    "Exception in thread QueueRunnerThread-sync_token_q ... CancelledError".
    """

    def get_chief_queue_runner(self):
        runner = super().get_chief_queue_runner()
        try:
            return _ChiefQueueRunner(
                queue=runner.queue, enqueue_ops=runner.enqueue_ops,
                close_op=runner.close_op, cancel_op=runner.cancel_op,
                queue_closed_exception_types=(
                    v1.errors.OutOfRangeError, v1.errors.CancelledError))
        except (AttributeError, TypeError):  # a changed QueueRunner API
            return runner
