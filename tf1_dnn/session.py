"""`tf.Session` / `tf.InteractiveSession` for the TF1 namespace, with a fast `run`.

`from tf1_dnn import tf` gives these classes as `tf.Session` and
`tf.InteractiveSession`. They are subclasses of `tf.compat.v1.Session` and
`tf.compat.v1.InteractiveSession` and behave exactly like them; unchanged
TF 1.x training loops just run faster::

    with tf.Session() as sess:                      # unchanged chapter code
        init.run()
        for iteration in range(n_batches):
            sess.run(training_op, feed_dict={X: X_batch, y: y_batch})

What differs from the stock classes (invisible to results):

1. A cached `run` fast path. `tf.compat.v1.Session.run` re-validates every
   feed key (`as_graph_element`), flattens the feed dict, rebuilds a
   `_FetchHandler` for the fetch structure and resolves every fetch on every
   call, Python work that is a large share of a small network's step. Here
   the first time a (fetch structure, feed keys) *signature* is seen twice,
   its fetch handler and the C handles of its fetches, targets and feeds
   are cached; later calls with that signature only check the fed values
   and call the same C entry point (through the same error translation).
   Timings are in docs/performance.md.

   The fast path is taken only when everything is plain; anything else goes
   through the stock `run`, unchanged:

   - fetches: a `Tensor`, `Operation`, `Variable` or name string of this
     session's graph, or lists/tuples/namedtuples/dicts of those (any
     nesting). Anything else (None, SparseTensor, callables ...) -> stock.
   - feed_dict: None or a plain `dict` whose keys are `Tensor`s of this
     graph (not names, not SparseTensors, not tuples) and whose values are
     numpy arrays of exactly the key's dtype, numpy scalars of that dtype, or
     Python `float`/`bool` for float/bool keys. A list, an `int`, a
     `TensorHandle`, a value of another dtype -> stock (which converts it
     or raises its usual error).
   - `options` and `run_metadata` must be None.
   - the value's shape must be compatible with the key's static shape,
     else stock (which raises its usual "Cannot feed value of shape" error).
   - a fetched tensor that is also fed -> stock.
   - the cache is emptied whenever the graph gained operations since it was
     filled (`graph.version` changed), so a loop that adds ops each step
     (an anti-pattern) simply never uses the fast path.

2. Idle pool threads sleep instead of spinning, when the intra-op pool has
   more than one thread. Such sessions get
   `config.experimental.disable_thread_spinning = True` (a copy of the
   given `config`, or of the config the stock session would use for
   `config=None`; the caller's object is never modified). TensorFlow's
   thread pools otherwise busy-wait for work after each op; on a 2-core
   machine those spinning threads take the cores the next kernel needs.
   Scheduling only: results stay bit-identical. Configs with one intra-op
   thread (`intra_op_parallelism_threads=1`, e.g. `small_model_config()`)
   are left as they are (sleeping did not pay there; the measurements are
   in docs/performance.md). Opt out:
   `tf1_dnn.session.DISABLE_THREAD_SPINNING = False` before the first
   session.

3. Nothing else: the number of threads stays TensorFlow's default, because
   the number of intra-op threads changes the last bits of results.
   `small_model_config()` (1 intra-op thread) is opt-in; it is what
   `tf1_dnn.training`'s towers need:
   `tf.Session(config=session.small_model_config())`.

Caveats:
  - The fast path uses private members of TensorFlow's own `BaseSession`
    (`_do_call`, `_extend_graph`, `_call_tf_sessionrun`), its module's
    `_FetchHandler` and `Tensor._as_tf_output` (no `tensorflow.python`
    import: reached through `tf.compat.v1.Session`). It never turns a
    mismatch with them into an error in `sess.run`; it falls back to the
    stock `run`:
      * at import, once, each Python-level member is looked up and its
        parameters compared (`inspect.signature`) with those the fast path
        calls it with (`PRIVATE_SIGNATURES`); a missing member or a changed
        signature turns the fast path off for the process
        (`FAST_RUN_AVAILABLE` False, `FAST_RUN_MISMATCH` says why);
      * building a signature's entry (which also dry-runs
        `_FetchHandler.build_results`) may fail: that signature then always
        takes the stock path;
      * an unexpected exception (not a TensorFlow `OpError`) in the fast
        path before the step ran turns the fast path off for that session
        and the call is made by the stock `run`, so the step runs once.
        (After the step ran only `build_results` is left, which was
        dry-run when the entry was built.)
  - `Session.run` errors are raised by the same code (`_do_call`), so their
    type and message are the stock ones.
  - TensorFlow builds its intra-op and inter-op thread pools once per
    process, with the options of the *first* session (or eager context):
    the thread counts and the spinning setting of later sessions are
    ignored. A stock `tf.compat.v1.Session` created first keeps spinning
    threads for the whole process; a tf1_dnn `Session` created first makes
    later stock sessions non-spinning too.
"""

import collections
import inspect
import os
import sys

import numpy as np

from tf1_dnn._compat import tf2, v1

__all__ = ["Session", "InteractiveSession", "MonitoredTrainingSession",
           "small_model_config",
           "session_config", "SMALL_MODEL_PARAMETERS",
           "DISABLE_THREAD_SPINNING",
           "FAST_RUN_AVAILABLE", "FAST_RUN_MISMATCH", "PRIVATE_SIGNATURES",
           "private_api_mismatch", "fast_run_stats"]

_Tensor = tf2.Tensor
_Operation = v1.Operation
_Variable = v1.Variable

# The Python-level private members the fast path calls, with the parameters
# it calls them with (names, `*` for *args, `=` for a default). C-level ones
# (`Tensor._as_tf_output`, `Operation._c_op`) have no signature: a failure
# to use them makes building an entry fail, and that signature takes the
# stock path.
PRIVATE_SIGNATURES = {
    ("Session", "_do_call"): "(self, fn, *args)",
    ("Session", "_extend_graph"): "(self)",
    ("Session", "_call_tf_sessionrun"):
        "(self, options, feed_dict, fetch_list, target_list, run_metadata)",
    ("_FetchHandler", "__init__"):
        "(self, graph, fetches, feeds, feed_handles=)",
    ("_FetchHandler", "fetches"): "(self)",
    ("_FetchHandler", "targets"): "(self)",
    ("_FetchHandler", "build_results"): "(self, session, tensor_values)",
}


def _parameters(fn):
    """A signature's names and kinds only: `(a, b=, *args, **kw)`."""
    kinds = inspect.Parameter
    out = []
    for p in inspect.signature(fn).parameters.values():
        name = {kinds.VAR_POSITIONAL: "*", kinds.VAR_KEYWORD: "**"}.get(
            p.kind, "") + p.name
        if p.default is not kinds.empty:
            name += "="
        out.append(name)
    return "(" + ", ".join(out) + ")"


def private_api_mismatch(session_class=None, module=None):
    """None if TensorFlow's private session members are the ones the fast
    path expects (`PRIVATE_SIGNATURES`), else what differs, as a string.

    `session_class` defaults to `tf.compat.v1.Session`, `module` to the
    module that defines it (where `_FetchHandler` lives).
    """
    session_class = session_class or v1.Session
    if module is None:
        module = sys.modules.get(session_class.__module__)
    owners = {"Session": session_class,
              "_FetchHandler": getattr(module, "_FetchHandler", None)}
    for (owner, name), want in PRIVATE_SIGNATURES.items():
        member = getattr(owners[owner], name, None)
        if owners[owner] is None or not callable(member):
            return f"{owner}.{name} is missing"
        try:
            got = _parameters(member)
        except (TypeError, ValueError):
            return f"{owner}.{name} has no inspectable signature"
        if got != want:
            return f"{owner}.{name}{got} is not {owner}.{name}{want}"
    return None


# Checked once, at import (see the module docstring's caveats).
FAST_RUN_MISMATCH = private_api_mismatch()
FAST_RUN_AVAILABLE = FAST_RUN_MISMATCH is None

# Applied to every Session's config (see the module docstring, point 2).
DISABLE_THREAD_SPINNING = True

# After how many calls with the same signature a fast entry is built: building
# one costs about as much as one stock `run`, so one-off calls skip it.
_BUILD_AFTER = 2
_MAX_ENTRIES = 256


def small_model_config(graph=None):
    """A `ConfigProto` for the chapter's small networks: 1 intra-op thread.

    Opt-in (`tf.Session(config=session.small_model_config())`); `Session`
    with `config=None` keeps TensorFlow's thread counts. Returns
    `intra_op_parallelism_threads=1` when the graph (default graph if None)
    holds at most `SMALL_MODEL_PARAMETERS` trainable parameters (W1:
    266 200), else TensorFlow's default (0: one per core).
    `tf1_dnn.training`'s towers need it. How it compares with TensorFlow's
    default threads is measured in docs/performance.md.

    Caveats (why it is not the default):
      - The number of intra-op threads changes the summation order of
        the kernels, hence the last bits of every result (and accuracies
        in their last digits). The default `Session` must give the stock
        numbers.
      - TensorFlow creates the intra-op pool once per process, with the
        settings of the *first* session: later sessions' thread settings
        are ignored.
      - Inter-op threads are left at TF's default: one inter-op thread
        measured no faster, and it can deadlock queue-based input
        pipelines (a blocking dequeue holds the only thread).

    Returns:
      a fresh `tf.compat.v1.ConfigProto` (through `session_config`: threads
      keep spinning with 1 intra-op thread, where sleeping did not pay).
    """
    graph = graph if graph is not None else v1.get_default_graph()
    n_params = 0
    for var in graph.get_collection(v1.GraphKeys.TRAINABLE_VARIABLES):
        n = var.shape.num_elements()
        n_params += n if n is not None else SMALL_MODEL_PARAMETERS + 1
    intra = 1 if n_params <= SMALL_MODEL_PARAMETERS else 0
    return session_config(v1.ConfigProto(intra_op_parallelism_threads=intra))


def session_config(config=None):
    """The `ConfigProto` a tf1_dnn `Session` actually uses for `config`.

    A copy of `config` with `experimental.disable_thread_spinning` set when
    `DISABLE_THREAD_SPINNING` is true (the default) and the intra-op pool
    has more than one thread (`intra_op_parallelism_threads` > 1, or 0 on a
    machine with more than one CPU). For `config=None` the
    copy is of what the stock session would use: the eager context's config
    (which carries `tf.config.threading.set_*` and visible-device settings).
    `config` itself is left unchanged. Anything that is not a `ConfigProto`
    is returned as it is, so that the stock constructor raises its usual
    `TypeError`.
    """
    if config is not None and not isinstance(config, v1.ConfigProto):
        return config
    if config is None:
        if not DISABLE_THREAD_SPINNING:
            return None
        config = _context_config()
    out = v1.ConfigProto()
    if config is not None:
        out.CopyFrom(config)
    intra = out.intra_op_parallelism_threads
    if DISABLE_THREAD_SPINNING and (
            intra > 1 or (intra == 0 and (os.cpu_count() or 1) > 1)):
        out.experimental.disable_thread_spinning = True
    return out


SMALL_MODEL_PARAMETERS = 1_000_000


def _context_config():
    """The config `tf.compat.v1.Session(config=None)` would use, or None."""
    # BaseSession takes `context.context().config` for config=None; reached
    # through the module that defines tf.compat.v1.Session (no
    # `tensorflow.python` import). None if that ever moves.
    module = sys.modules.get(v1.Session.__module__)
    try:
        return module.context.context().config
    except Exception:  # pylint: disable=broad-except
        return None


class _Entry:
    """What one fetch/feed signature needs for a fast `run`."""

    __slots__ = ("fetches", "feed_keys", "handler", "fetch_list",
                 "target_list", "feed_outputs", "feed_dtypes", "feed_shapes")

    def __init__(self, session, fetches, feed_keys):
        graph = session.graph
        self.fetches = fetches          # keeps ids in the cache key alive
        self.feed_keys = feed_keys
        handler_cls = _fetch_handler_class(session)
        self.handler = handler_cls(graph, fetches, {})
        # pylint: disable=protected-access
        self.fetch_list = [t._as_tf_output() for t in self.handler.fetches()]
        self.target_list = [op._c_op for op in self.handler.targets()]
        self.feed_outputs = [k._as_tf_output() for k in feed_keys]
        # pylint: enable=protected-access
        self.feed_dtypes = [k.dtype.as_numpy_dtype for k in feed_keys]
        self.feed_shapes = []
        for k in feed_keys:
            shape = k.shape
            self.feed_shapes.append(
                None if shape.ndims is None
                else tuple(v1.dimension_value(d) for d in shape))


def _fetch_handler_class(session):
    # The stock run's own fetch-structure handler, taken from the module that
    # defines tf.compat.v1.Session (no `tensorflow.python` import).
    return sys.modules[v1.Session.__module__]._FetchHandler  # pylint: disable=protected-access


def _fetch_key(fetches, graph, out):
    """Appends a hashable description of `fetches` to `out`.

    Returns False when the structure is not one the fast path handles.
    """
    t = type(fetches)
    if isinstance(fetches, (_Tensor, _Operation)):
        if fetches.graph is not graph:
            return False
        out.append((t, id(fetches)))
        return True
    if isinstance(fetches, str):
        out.append((str, fetches))
        return True
    if isinstance(fetches, _Variable):
        if fetches.graph is not graph:
            return False
        out.append((t, id(fetches)))
        return True
    if isinstance(fetches, (list, tuple)):
        out.append((t, len(fetches)))
        return all(_fetch_key(f, graph, out) for f in fetches)
    if isinstance(fetches, dict):
        extra = (fetches.default_factory
                 if isinstance(fetches, collections.defaultdict) else None)
        try:
            out.append((t, extra, tuple(fetches)))
            hash(out[-1])
        except TypeError:
            return False
        return all(_fetch_key(f, graph, out) for f in fetches.values())
    return False


def _flat_tensors(fetches, out):
    if isinstance(fetches, _Tensor):
        out.append(fetches)
    elif isinstance(fetches, (list, tuple)):
        for f in fetches:
            _flat_tensors(f, out)
    elif isinstance(fetches, dict):
        for f in fetches.values():
            _flat_tensors(f, out)
    return out


class _FastRunMixin:
    """Adds the cached fast path to `run`; see the module docstring."""

    def _fast_init(self):
        self._fast_cache = {}
        self._fast_counts = {}
        self._fast_version = None
        self._fast_hits = 0
        self._fast_misses = 0
        self._fast_off = None      # why this session stopped using it
        self._fast_step_ran = False

    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """Runs operations and evaluates tensors in `fetches`.

        Exactly `tf.compat.v1.Session.run` (same arguments, results and
        errors); repeated calls with the same plain fetch/feed structure take
        a cached fast path (see the module docstring).
        """
        if (FAST_RUN_AVAILABLE and self._fast_off is None and options is None
                and run_metadata is None and not self._closed):
            self._fast_step_ran = False
            try:
                result = self._fast_run(fetches, feed_dict)
            except _OpError:
                raise          # the graph ran and failed: the stock error
            except Exception as e:  # pylint: disable=broad-except
                if self._fast_step_ran:
                    raise      # never run a step twice
                # A private member that changed behaviour, before the step
                # ran: the stock path, from now on, for this session.
                self._fast_off = f"{type(e).__name__}: {e}"
                result = _MISS
            if result is not _MISS:
                self._fast_hits += 1
                return result
        self._fast_misses += 1
        return super().run(fetches, feed_dict=feed_dict, options=options,
                           run_metadata=run_metadata)

    def _fast_run(self, fetches, feed_dict):
        graph = self._graph
        version = graph.version
        if version != self._fast_version:
            self._fast_cache.clear()
            self._fast_counts.clear()
            self._fast_version = version
            if version == 0:
                return _MISS
        if feed_dict is None:
            feed_keys = ()
            values = ()
        elif type(feed_dict) is dict:
            feed_keys = tuple(feed_dict)
            values = tuple(feed_dict.values())
        else:
            return _MISS
        key_parts = []
        for k in feed_keys:
            if not isinstance(k, _Tensor) or k.graph is not graph:
                return _MISS
            key_parts.append(id(k))
        key_parts.append(None)
        if not _fetch_key(fetches, graph, key_parts):
            return _MISS
        key = tuple(key_parts)
        entry = self._fast_cache.get(key)
        if entry is None:
            n = self._fast_counts.get(key, 0) + 1
            if n < _BUILD_AFTER:
                self._fast_counts[key] = n
                return _MISS
            entry = self._build_entry(fetches, feed_keys)
            if entry is None:
                self._fast_counts[key] = -(1 << 30)   # never again
                return _MISS
            if len(self._fast_cache) >= _MAX_ENTRIES:
                self._fast_cache.clear()
            self._fast_cache[key] = entry
            self._fast_counts.pop(key, None)
        feeds = {}
        for out, dtype, shape, value in zip(entry.feed_outputs,
                                            entry.feed_dtypes,
                                            entry.feed_shapes, values):
            vt = type(value)
            if vt is np.ndarray:
                if value.dtype != dtype:
                    return _MISS
            elif vt is float or vt is bool:
                value = np.asarray(value, dtype=dtype)
                if value.dtype.kind not in ("f", "b") or (
                        vt is bool) != (value.dtype.kind == "b"):
                    return _MISS
            elif isinstance(value, np.generic) and value.dtype == dtype:
                value = np.asarray(value)
            else:
                return _MISS
            if shape is not None:
                vshape = value.shape
                if len(vshape) != len(shape):
                    return _MISS
                for want, got in zip(shape, vshape):
                    if want is not None and want != got:
                        return _MISS
            feeds[out] = value
        return self._fast_call(entry, feeds)

    def _build_entry(self, fetches, feed_keys):
        graph = self._graph
        for k in feed_keys:
            if not graph.is_feedable(k):
                return None
        fed = set(id(k) for k in feed_keys)
        try:
            for t in _flat_tensors(fetches, []):
                if id(t) in fed:
                    return None
            entry = _Entry(self, fetches, feed_keys)
            # Dry run of the result builder, so that it cannot fail after a
            # step has run.
            entry.handler.build_results(self, [None] * len(entry.fetch_list))
        except Exception:  # pylint: disable=broad-except
            return None    # the stock run raises the proper error
        fed_names = set(k.name for k in feed_keys)
        # pylint: disable=protected-access
        if any(t.name in fed_names for t in entry.handler.fetches()):
            return None
        return entry

    def _fast_call(self, entry, feeds):
        fetch_list, target_list = entry.fetch_list, entry.target_list
        if not fetch_list and not target_list:
            return entry.handler.build_results(self, [])

        def _run_fn(feed_dict, fetch_list, target_list):
            self._extend_graph()
            return self._call_tf_sessionrun(None, feed_dict, fetch_list,
                                            target_list, None)

        results = self._do_call(_run_fn, feeds, fetch_list, target_list)
        self._fast_step_ran = True
        return entry.handler.build_results(self, results)

    def fast_run_stats(self):
        """(fast calls, stock calls) made through this session's `run`."""
        return self._fast_hits, self._fast_misses


_MISS = object()
_OpError = v1.errors.OpError


class Session(_FastRunMixin, v1.Session):
    """`tf.compat.v1.Session` with a cached fast `run` and no spinning threads.

    Same constructor, context manager, `as_default`, `close`, `run`,
    `partial_run`, `make_callable` and `list_devices` as
    `tf.compat.v1.Session`; `isinstance(sess, tf.compat.v1.Session)` holds.
    `config` is used as given except that idle threads of a multi-thread
    intra-op pool sleep (`session_config(config)`; the caller's object is
    not modified); the thread counts stay TensorFlow's defaults, so results
    are the stock ones.
    """

    def __init__(self, target="", graph=None, config=None):
        self._fast_init()
        super().__init__(target, graph=graph,
                         config=session_config(config))


class InteractiveSession(_FastRunMixin, v1.InteractiveSession):
    """`tf.compat.v1.InteractiveSession` with the same fast `run`.

    Installs itself as the default session on construction, as the stock one
    does; call `close()` when done. `config` as for `Session`.
    """

    def __init__(self, target="", graph=None, config=None):
        self._fast_init()
        super().__init__(target, graph=graph,
                         config=session_config(config))


def MonitoredTrainingSession(*args, **kwargs):  # pylint: disable=invalid-name
    """`tf.compat.v1.train.MonitoredTrainingSession` with sleeping idle threads.

    `tf.train.MonitoredTrainingSession` in tf1_dnn's namespace. Same
    arguments and result as the stock function; its `config` (positional or
    keyword, None included) goes through `session_config`, so the sessions it
    creates get `disable_thread_spinning` like every tf1_dnn session (the
    caller's config object is not modified). Its sessions are stock ones,
    without the cached fast `run`.
    """
    import inspect
    stock = v1.train.MonitoredTrainingSession
    bound = inspect.signature(stock).bind(*args, **kwargs)
    bound.arguments["config"] = session_config(bound.arguments.get("config"))
    return stock(*bound.args, **bound.kwargs)


def fast_run_stats(session):
    """(fast calls, stock calls) of a tf1_dnn session; (0, 0) for others."""
    stats = getattr(session, "fast_run_stats", None)
    return stats() if stats else (0, 0)
