"""`python -m tf1_dnn bench [--quick] [--out DIR]`: how fast the chapter trains.

The harness lives here, in the checkout's `benchmarks/` (not in the installed
package): `common` (data, batches, epoch timer), `dense` (the dense
workloads on the TensorFlow variants), `pytorch_runner`, `profile`, and this
module (variants, worker subprocesses, report, CLI). A new kind of workload
(a CNN, an RNN) is a module like `dense` (`WORKLOADS`, `flops`, `run`) added
to `WORKLOAD_MODULES`; variants it does not support it should reject in `run`.

Workloads (Fashion-MNIST, 55 000 training images, 5 000 validation):

  W1       784-300-100-10 leaky ReLU (alpha 0.01), SGD 0.01, batch 50
  W2       784-300-100-10, every layer (logits too) dense -> batch norm
           (momentum 0.9) -> ELU, He init, SGD 0.01, batch 200
  W3       784-300-50-50-50-50-10 ReLU, gradients clipped by value (1.0),
           SGD 0.01, batch 200
  F-feed   784-300-50 (frozen) -50-20-10 ReLU, SGD 0.01, batch 50: train
           hidden3-4 + outputs, feeding the images every step (the
           chapter's `var_list` freezing)
  F-cache  the same, trained on cached hidden2 activations (the chapter's
           "caching the frozen layers")

Variants, each run in its own subprocess, interleaved round by round
(official, legacy-stock, legacy, library, official, ...), so machine drift
hits all of them alike:

  official      the chapter's code on the official TF1 layers
                (`tf_keras.src.legacy_tf_layers`), `tf.compat.v1.Session()`
                with default settings, feed_dict loop (needs tf_keras)
  legacy-stock  the same unchanged code on `from tf1_dnn import tf`, but a
                stock `tf.compat.v1.Session()`
  legacy        the same unchanged code on `from tf1_dnn import tf`
                (`tf.Session` is tf1_dnn's: cached fast run; TF's threads)
  legacy-1t     the same, `tf.Session(config=small_model_config())`: one
                intra-op thread (changes the last bits of results)
  library       `tf1_dnn.training` (whole epoch per run) and
                `tf1_dnn.frozen_cache` (F-cache), each workload in its own
                process with the library's plan for it (`library_plan`):
                without batch norm, one tower per core (`towers=`) and one
                intra-op thread; with batch norm, one tower and TF's
                default threads
  pytorch       the same networks in PyTorch eager mode, `torch.set_num_threads`
                = cores, same data, batches and SGD (only if torch is
                installed: `pip install torch`; never a dependency)

Printed and written (JSON + Markdown in --out, default bench_results/):
median epoch wall seconds (first epoch = warm-up, not timed), CPU seconds,
the ratio to the official path (per round, then the median over rounds),
GFLOP/s (dense-layer FLOPs of one epoch:
forward, weight gradients, input gradients where needed) and the validation
accuracy after the timed epochs (proof that it trained). Also the import
cost of `from tf1_dnn import tf` over `import tensorflow` (fresh
subprocesses, timed inside the process).

`--profile [--workloads W1]`: a per-op trace of one training step instead
(`RunMetadata`), i.e. where the time goes.

`--quick` (CI): 5 500 training images, 1 timed epoch, one round;
< 2 minutes on an idle 2-core machine. The machine may be shared: figures are
medians and still noisy; compare ratios from one run, not across runs.
"""

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys

if __package__ in (None, ""):       # `python benchmarks/bench.py`
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from benchmarks import dense  # noqa: E402
from benchmarks.common import load_fashion  # noqa: E402
from benchmarks.dense import dense_flops, library_plan  # noqa: E402
from benchmarks.profile import profile, profile_step  # noqa: E402,F401
from benchmarks.pytorch_runner import run_pytorch  # noqa: E402

__all__ = ["main", "WORKLOADS", "VARIANTS", "run_bench", "dense_flops",
           "library_plan", "profile_step", "WORKLOAD_MODULES"]

# Each module: WORKLOADS, flops(spec, n), run(variant, name, spec, data, n).
WORKLOAD_MODULES = [dense]
WORKLOADS = {}
_MODULE_OF = {}
for _module in WORKLOAD_MODULES:
    for _name, _spec in _module.WORKLOADS.items():
        WORKLOADS[_name] = _spec
        _MODULE_OF[_name] = _module

VARIANTS = ["official", "legacy-stock", "legacy", "legacy-1t", "library",
            "pytorch"]


def worker(variant, workloads, n_train, n_epochs):
    """Runs `workloads` for one variant in this process; returns results."""
    data = load_fashion(n_train)
    out = {}
    for name in workloads:
        spec = WORKLOADS[name]
        if variant == "pytorch":
            out[name] = run_pytorch(name, spec, data, n_epochs)
        else:
            out[name] = _MODULE_OF[name].run(variant, name, spec, data,
                                             n_epochs)
    return out


# ------------------------------------------------------------ orchestra --
def _python():
    return sys.executable


def _env():
    env = dict(os.environ)
    root = str(pathlib.Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return env


def _subprocess_json(code_args):
    # cwd: the checkout, so that `-m benchmarks.bench` is this harness.
    proc = subprocess.run([_python()] + code_args, capture_output=True,
                          text=True, env=_env(),
                          cwd=pathlib.Path(__file__).resolve().parents[1])
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("BENCH_JSON "):
            return json.loads(line[len("BENCH_JSON "):])
    raise RuntimeError(
        f"benchmark subprocess failed (exit {proc.returncode}):\n"
        f"{proc.stderr[-3000:]}")


def measure_import(rounds):
    """Median seconds of `import tensorflow` and `from tf1_dnn import tf`."""
    codes = {
        "import tensorflow": "import tensorflow",
        "from tf1_dnn import tf": "from tf1_dnn import tf",
    }
    times = {k: [] for k in codes}
    for _ in range(rounds):
        for label, stmt in codes.items():
            code = ("import time, json; t = time.perf_counter(); "
                    f"{stmt}; print('BENCH_JSON ' + "
                    "json.dumps(time.perf_counter() - t))")
            times[label].append(_subprocess_json(["-c", code]))
    med = {k: statistics.median(v) for k, v in times.items()}
    return {"seconds": med, "all": times,
            "added": med["from tf1_dnn import tf"] - med["import tensorflow"]}


def _have_module(name):
    import importlib.util
    return importlib.util.find_spec(name) is not None


def run_bench(quick=False, workloads=None, variants=None, rounds=None,
              n_train=None, n_epochs=None, import_rounds=None, log=print):
    """Runs the benchmark; returns the results dict (see `to_markdown`)."""
    workloads = list(workloads or list(WORKLOADS))
    variants = list(variants or VARIANTS)
    if "official" in variants and not _have_module("tf_keras"):
        log("tf_keras is not installed: skipping the official variant")
        variants.remove("official")
    if "pytorch" in variants and not _have_module("torch"):
        log("torch is not installed: skipping the pytorch variant")
        variants.remove("pytorch")
    rounds = rounds or (1 if quick else 3)
    n_train = n_train or (5500 if quick else 55000)
    n_epochs = n_epochs or (1 if quick else 3)
    raw = {v: {w: [] for w in workloads} for v in variants}
    for r in range(rounds):
        for variant in variants:
            log(f"round {r + 1}/{rounds}: {variant} ...")
            # The library picks threads per workload, and TensorFlow's
            # thread pools are per process: one process per workload.
            groups = ([[w] for w in workloads] if variant == "library"
                      else [workloads])
            for group in groups:
                args = ["-m", "benchmarks.bench", "--worker", variant,
                        "--workloads", ",".join(group),
                        "--n-train", str(n_train), "--epochs", str(n_epochs)]
                res = _subprocess_json(args)
                for w in group:
                    raw[variant][w].append(res[w])
    results = {"n_train": n_train, "timed_epochs": n_epochs,
               "rounds": rounds, "quick": quick, "cpu_count": os.cpu_count(),
               "rows": []}
    for w in workloads:
        for variant in variants:
            ms = raw[variant][w]
            wall = statistics.median(t for m in ms for t in m["wall"])
            cpu = statistics.median(t for m in ms for t in m["cpu"])
            accs = [m["valid_accuracy"] for m in ms]
            ratio = None
            if "official" in variants:
                # Per round (the machine's load drifts between rounds), then
                # the median over rounds.
                ratio = statistics.median(
                    statistics.median(m["wall"]) / statistics.median(o["wall"])
                    for m, o in zip(ms, raw["official"][w]))
            results["rows"].append({
                "workload": w, "variant": variant,
                "epoch_seconds": wall, "epoch_cpu_seconds": cpu,
                "ratio_to_official": ratio,
                "gflops": _MODULE_OF[w].flops(WORKLOADS[w], n_train) / wall / 1e9,
                "valid_accuracy": statistics.median(accs),
                "valid_accuracies": accs,
                "all_epoch_seconds": [t for m in ms for t in m["wall"]],
                "fast_run_stats": ms[-1].get("fast_run_stats"),
            })
            # What the variant chose (library: towers and intra-op threads;
            # pytorch: its thread count).
            for key in ("towers", "intra_op_threads", "threads"):
                if key in ms[-1]:
                    results["rows"][-1][key] = ms[-1][key]
    log("import cost ...")
    results["import"] = measure_import(import_rounds or (1 if quick else 5))
    return results


def to_markdown(results):
    lines = [
        f"# tf1_dnn bench ({results['n_train']} training images, "
        f"{results['timed_epochs']} timed epoch(s) x {results['rounds']} "
        f"round(s), {results['cpu_count']} CPUs)", "",
        "| workload | variant | epoch s (median) | CPU s | ratio to official "
        "| GFLOP/s | valid acc |",
        "|---|---|---|---|---|---|---|"]
    for row in results["rows"]:
        ratio = row["ratio_to_official"]
        lines.append(
            f"| {row['workload']} | {row['variant']} | "
            f"{row['epoch_seconds']:.3f} | {row['epoch_cpu_seconds']:.3f} | "
            f"{'-' if ratio is None else f'{ratio:.2f}'} | "
            f"{row['gflops']:.1f} | {row['valid_accuracy']:.4f} |")
    plans = [f"{r['workload']} {r['towers']} tower(s), "
             f"{r['intra_op_threads'] or 'default'} intra-op thread(s)"
             for r in results["rows"] if "towers" in r]
    if plans:
        lines += ["", "Library plan: " + "; ".join(plans) + "."]
    imp = results.get("import")
    if imp:
        s = imp["seconds"]
        lines += ["", f"Import: `import tensorflow` {s['import tensorflow']:.2f} s, "
                  f"`from tf1_dnn import tf` {s['from tf1_dnn import tf']:.2f} s "
                  f"(adds {imp['added']:+.2f} s)."]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m tf1_dnn bench",
        description="Benchmark the chapter's networks "
                    "(see benchmarks/bench.py).")
    parser.add_argument("--quick", action="store_true",
                        help="small CI run (< 2 minutes)")
    parser.add_argument("--out", default="bench_results",
                        help="folder for bench.json and bench.md")
    parser.add_argument("--workloads", help="comma-separated, e.g. W1,W3")
    parser.add_argument("--variants", help="comma-separated subset of "
                        + ",".join(VARIANTS))
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--n-train", type=int)
    parser.add_argument("--epochs", type=int, help="timed epochs")
    parser.add_argument("--import-rounds", type=int)
    parser.add_argument("--profile", action="store_true",
                        help="print a per-op trace of one training step of "
                        "each workload (legacy code) instead")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    wl = args.workloads.split(",") if args.workloads else None
    for w in wl or ():
        if w not in WORKLOADS:
            parser.error(f"unknown workload {w!r}; choose from "
                         f"{', '.join(WORKLOADS)}")
    if args.profile:
        profile(wl or ["W1", "W2", "W3", "F-feed"], 5500)
        return 0
    if args.worker:
        res = worker(args.worker, wl, args.n_train, args.epochs)
        print("BENCH_JSON " + json.dumps(res))
        return 0
    variants = args.variants.split(",") if args.variants else None
    for v in variants or ():
        if v not in VARIANTS:
            parser.error(f"unknown variant {v!r}; choose from "
                         f"{', '.join(VARIANTS)}")
    results = run_bench(args.quick, wl, variants, args.rounds, args.n_train,
                        args.epochs, args.import_rounds,
                        log=lambda m: print(m, file=sys.stderr, flush=True))
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(results, indent=1))
    md = to_markdown(results)
    (out / "bench.md").write_text(md)
    print(md)
    print(f"written: {out / 'bench.json'}, {out / 'bench.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
