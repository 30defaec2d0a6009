"""A pytest plugin: a TF 1.x codebase's own test suite runs unchanged.

    pytest -p tf1_dnn.pytest_plugin              # on the command line, or
    # pytest.ini / tox.ini [pytest] / setup.cfg [tool:pytest]:
    #   tf1_dnn_activate = true
    # pyproject.toml [tool.pytest.ini_options]:
    #   tf1_dnn_activate = true

(The ini option alone needs the plugin loaded: it is when tf1_dnn is
installed with its `pytest11` entry point; from a source checkout add
`addopts = -p tf1_dnn.pytest_plugin`.)

`tf1_dnn.activate()` is called before pytest imports the first `conftest.py`
or test module (in `pytest_load_initial_conftests`), so every
`import tensorflow as tf` / `import tensorflow.compat.v1 as tf` of the
codebase and its tests gets the TF 1.x namespace; `deactivate()` runs at the
end of the session (`pytest_unconfigure`).

Opt-in safe: when the plugin is loaded through its `pytest11` entry point
(installed with tf1_dnn), it does nothing unless `-p tf1_dnn.pytest_plugin`
was given (on the command line, in `addopts`, in `PYTEST_ADDOPTS` or as
`PYTEST_PLUGINS=tf1_dnn.pytest_plugin`) or the ini option
`tf1_dnn_activate = true` is set. The ini option
`tf1_dnn_legacy_numpy = false` (or `-o tf1_dnn_legacy_numpy=false`) turns
off numpy's removed names.

Without the plugin, the same effect in one line at the top of the root
`conftest.py` (before any import of the codebase)::

    import tf1_dnn; tf1_dnn.activate()
"""

import os

PLUGIN_NAME = "tf1_dnn.pytest_plugin"
# `-p NAME` values that ask for this plugin: the module, and the entry-point
# name (pyproject.toml: [project.entry-points.pytest11]
# "tf1_dnn.pytest_plugin" = "tf1_dnn.pytest_plugin").
_REQUEST_NAMES = {PLUGIN_NAME, "tf1_dnn"}

_state = {"activation": None}


def pytest_addoption(parser):
    parser.addini("tf1_dnn_activate", type="bool", default=False,
                  help="tf1_dnn: make `import tensorflow` give the TF 1.x "
                       "namespace for the codebase and its tests")
    parser.addini("tf1_dnn_legacy_numpy", type="bool", default=True,
                  help="tf1_dnn: give legacy code numpy's names removed "
                       "since 1.24/2.0 (default true)")


def _explicitly_requested(config):
    plugins = getattr(config.known_args_namespace, "plugins", None) or []
    if _REQUEST_NAMES & set(plugins):
        return True
    env = os.environ.get("PYTEST_PLUGINS", "")
    return bool(_REQUEST_NAMES & {p.strip() for p in env.split(",")})


def _wanted(config):
    if _explicitly_requested(config):
        return True
    try:
        return bool(config.getini("tf1_dnn_activate"))
    except ValueError:
        return False


def pytest_load_initial_conftests(early_config, parser, args):
    """Activates before the first conftest.py / test module is imported."""
    if _state["activation"] is not None or not _wanted(early_config):
        return
    try:
        legacy_numpy = bool(early_config.getini("tf1_dnn_legacy_numpy"))
    except ValueError:
        legacy_numpy = True
    from tf1_dnn import activation  # noqa: PLC0415 - imports TensorFlow
    _state["activation"] = activation.activate(legacy_numpy=legacy_numpy)


def pytest_report_header(config):
    act = _state["activation"]
    if act is None:
        return None
    numpy = (f"{len(act.legacy_numpy)} removed numpy names given back"
             if act.legacy_numpy else "numpy unchanged")
    return (f"tf1_dnn: `import tensorflow` gives the TF 1.x namespace "
            f"(tf1_dnn.activate); {numpy}")


def pytest_unconfigure(config):
    act, _state["activation"] = _state["activation"], None
    if act is not None and act.owner:
        from tf1_dnn import activation  # noqa: PLC0415
        activation.deactivate()
