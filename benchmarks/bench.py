"""`python -m tf1_dnn bench [--quick] [--out DIR]`: how fast the chapter trains.

The harness lives here, in the checkout's `benchmarks/` (not in the installed
package): `common` (data, batches, epoch timer), `dense` (the dense
workloads on the TensorFlow variants), `pytorch_runner`, `profile`, and this
module (variants, worker subprocesses, report, CLI). A kind of workload is a
module like `dense` (`WORKLOADS`, `VARIANTS` it supports, `QUICK` data sizes,
`flops`, `run`) listed in `WORKLOAD_MODULES`: `dense`, `cnn`, `rnn`. Pairs of
workload and variant the module does not list are not run; `run` rejects them.

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
  CNN      the chapter-13 exercise CNN (legacy_examples/25_tf_layers_cnn.py):
           conv 32 3x3 -> conv 64 3x3 -> 2x2 max pool -> dropout 0.25 ->
           dense 128 -> dropout 0.5 -> 10, Adam, batch 100 (benchmarks/cnn.py)
  LSTM     chapter 14's MNIST rows: BasicLSTMCell(150) under dynamic_rnn over
           28 steps of 28 pixels, dense logits on h, Adam, batch 150
           (benchmarks/rnn.py)

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
  legacy-fused  LSTM only: the same code with the cell line changed to our
                `tf.contrib.rnn.LSTMBlockFusedCell` (one BlockLSTM kernel)
  library       dense workloads only: `tf1_dnn.training` (whole epoch per
                run) and `tf1_dnn.frozen_cache` (F-cache), each workload in its own
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
GFLOP/s (FLOPs of the matrix products and convolutions of one epoch:
forward, weight gradients, input gradients where needed) and the validation
accuracy after the timed epochs (proof that it trained). With the CNN, also
this machine's convolution peak (`cnn.conv_peak`, in its own subprocess) and
each CNN row's GFLOP/s as a fraction of it; with the LSTM's legacy-fused
row, what the fused cell buys over `legacy`. Also the import cost of
`from tf1_dnn import tf` over `import tensorflow` (fresh subprocesses, timed
inside the process).

`--profile [--workloads W1]`: a per-op trace of one training step instead
(`RunMetadata`), i.e. where the time goes.

`--quick` (CI): 1 timed epoch, one round, each module's `QUICK` sizes
(dense 5 500 training images; CNN 500 and LSTM 600, with 1 000 validation
images); < 2 minutes on an idle 2-core machine. The machine may be
shared: figures are medians and still noisy; compare ratios from one run,
not across runs.
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

from benchmarks import cnn, dense, rnn  # noqa: E402
from benchmarks.common import load_fashion  # noqa: E402
from benchmarks.dense import dense_flops, library_plan  # noqa: E402
from benchmarks.profile import profile, profile_step  # noqa: E402,F401
from benchmarks.pytorch_runner import (run_pytorch, run_pytorch_cnn,  # noqa: E402
                                       run_pytorch_lstm)

__all__ = ["main", "WORKLOADS", "VARIANTS", "run_bench", "dense_flops",
           "library_plan", "profile_step", "WORKLOAD_MODULES"]

# Each module: WORKLOADS, VARIANTS, QUICK, flops(spec, n),
# run(variant, name, spec, data, n).
WORKLOAD_MODULES = [dense, cnn, rnn]
_PYTORCH = {dense: run_pytorch, cnn: run_pytorch_cnn, rnn: run_pytorch_lstm}
WORKLOADS = {}
_MODULE_OF = {}
for _module in WORKLOAD_MODULES:
    for _name, _spec in _module.WORKLOADS.items():
        WORKLOADS[_name] = _spec
        _MODULE_OF[_name] = _module

VARIANTS = ["official", "legacy-stock", "legacy", "legacy-1t", "legacy-fused",
            "library", "pytorch"]


def supports(workload, variant):
    """Whether the workload's module runs this variant."""
    return variant in _MODULE_OF[workload].VARIANTS


def worker(variant, workloads, n_train, n_epochs, sizes=None):
    """Runs `workloads` for one variant in this process; returns results.

    sizes: {workload: (n_train, n_valid)} overriding n_train per workload
    (n_valid: the first n_valid of the 5 000 validation images; None: all).
    """
    sizes = {w: tuple((sizes or {}).get(w, (n_train, None)))
             for w in workloads}
    X_all, y_all, X_valid_all, y_valid_all = load_fashion(
        max(n for n, _ in sizes.values()))
    out = {}
    for name in workloads:
        n, n_valid = sizes[name]
        data = (X_all[:n], y_all[:n], X_valid_all[:n_valid],
                y_valid_all[:n_valid])
        spec = WORKLOADS[name]
        if variant == "pytorch":
            out[name] = _PYTORCH[_MODULE_OF[name]](name, spec, data, n_epochs)
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
    n_epochs = n_epochs or (1 if quick else 3)
    # Data sizes per workload: --n-train for all, else the module's QUICK
    # sizes in quick mode, else 55 000 training and 5 000 validation images.
    sizes = {}
    for w in workloads:
        q = _MODULE_OF[w].QUICK
        sizes[w] = ((n_train or q["n_train"]) if quick else
                    (n_train or 55000), q["n_valid"] if quick else None)
    raw = {v: {w: [] for w in workloads} for v in variants}
    for r in range(rounds):
        for variant in variants:
            todo = [w for w in workloads if supports(w, variant)]
            if not todo:
                continue
            log(f"round {r + 1}/{rounds}: {variant} ...")
            # The library picks threads per workload, and TensorFlow's
            # thread pools are per process: one process per workload.
            groups = ([[w] for w in todo] if variant == "library"
                      else [todo])
            for group in groups:
                args = ["-m", "benchmarks.bench", "--worker", variant,
                        "--workloads", ",".join(group),
                        "--n-train", str(sizes[group[0]][0]),
                        "--epochs", str(n_epochs), "--sizes",
                        json.dumps({w: sizes[w] for w in group})]
                res = _subprocess_json(args)
                for w in group:
                    raw[variant][w].append(res[w])
    results = {"n_train": n_train or (5500 if quick else 55000),
               "timed_epochs": n_epochs,
               "rounds": rounds, "quick": quick, "cpu_count": os.cpu_count(),
               "rows": []}
    if "CNN" in workloads:
        log("convolution peak ...")
        results["conv_peak"] = _subprocess_json(
            ["-m", "benchmarks.bench", "--conv-peak"])
    for w in workloads:
        for variant in variants:
            if not supports(w, variant):
                continue
            ms = raw[variant][w]
            wall = statistics.median(t for m in ms for t in m["wall"])
            cpu = statistics.median(t for m in ms for t in m["cpu"])
            accs = [m["valid_accuracy"] for m in ms]
            ratio = None
            if "official" in variants and supports(w, "official"):
                # Per round (the machine's load drifts between rounds), then
                # the median over rounds.
                ratio = statistics.median(
                    statistics.median(m["wall"]) / statistics.median(o["wall"])
                    for m, o in zip(ms, raw["official"][w]))
            gflops = (_MODULE_OF[w].flops(WORKLOADS[w], sizes[w][0])
                      / wall / 1e9)
            results["rows"].append({
                "workload": w, "variant": variant,
                "n_train": sizes[w][0], "n_valid": sizes[w][1] or 5000,
                "epoch_seconds": wall, "epoch_cpu_seconds": cpu,
                "ratio_to_official": ratio,
                "gflops": gflops,
                "valid_accuracy": statistics.median(accs),
                "valid_accuracies": accs,
                "all_epoch_seconds": [t for m in ms for t in m["wall"]],
                "fast_run_stats": ms[-1].get("fast_run_stats"),
            })
            if "conv_peak" in results and w == "CNN":
                results["rows"][-1]["peak_fraction"] = (
                    gflops / results["conv_peak"]["gflops"])
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
    others = sorted({(r["workload"], r["n_train"], r["n_valid"])
                     for r in results["rows"]
                     if r.get("n_train", results["n_train"])
                     != results["n_train"]})
    if others:
        lines += ["", "Data: " + "; ".join(
            f"{w} {n} training, {v} validation images" for w, n, v in others)
            + "."]
    peak = results.get("conv_peak")
    if peak:
        fr = [f"{r['variant']} {100 * r['peak_fraction']:.0f} %"
              for r in results["rows"] if "peak_fraction" in r]
        lines += ["", f"Convolution peak ({peak['shape']}, best of "
                  f"{peak['repeats']}): {peak['gflops']:.1f} GFLOP/s; "
                  "CNN at " + ", ".join(fr) + " of it."]
    by = {(r["workload"], r["variant"]): r for r in results["rows"]}
    if ("LSTM", "legacy-fused") in by and ("LSTM", "legacy") in by:
        f, b = by[("LSTM", "legacy-fused")], by[("LSTM", "legacy")]
        lines += ["", f"LSTMBlockFusedCell vs BasicLSTMCell (both on our "
                  f"Session): {f['epoch_seconds']:.3f} s vs "
                  f"{b['epoch_seconds']:.3f} s per epoch, "
                  f"{b['epoch_seconds'] / f['epoch_seconds']:.2f}x."]
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
    parser.add_argument("--sizes", help=argparse.SUPPRESS)
    parser.add_argument("--conv-peak", action="store_true",
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    wl = args.workloads.split(",") if args.workloads else None
    for w in wl or ():
        if w not in WORKLOADS:
            parser.error(f"unknown workload {w!r}; choose from "
                         f"{', '.join(WORKLOADS)}")
    if args.profile:
        for w in wl or ():
            if _MODULE_OF[w] is not dense:
                parser.error(f"--profile covers the dense workloads only, "
                             f"not {w!r}")
        profile(wl or ["W1", "W2", "W3", "F-feed"], 5500)
        return 0
    if args.conv_peak:
        print("BENCH_JSON " + json.dumps(cnn.conv_peak()))
        return 0
    if args.worker:
        res = worker(args.worker, wl, args.n_train, args.epochs,
                     json.loads(args.sizes) if args.sizes else None)
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
