"""`python -m tf1_dnn lab`: arguments, the run, the summary on stdout.

Every argument is checked before anything is read or written (a bad
`--seed` used to delete the previous report first); the new report is
written beside `--out` and swapped in only when complete (see
`tf1_dnn.lab.report`).
"""

import argparse
import sys
import time

from tf1_dnn import lab_configs
from tf1_dnn.lab import loop
from tf1_dnn.lab.data import load_lab_data
from tf1_dnn.lab.errors import (DaskMissingError, LabArgumentError,
                                LabDataError, ReportDirError)
from tf1_dnn.lab.report import ReportFolder, markdown_table
from tf1_dnn.lab.settings import LabSettings

__all__ = ["main", "parse_args", "run_lab", "settings_from_args"]


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m tf1_dnn lab",
        description="Train the chapter 11 configurations side by side on the "
                    "default data (Fashion-MNIST) and write a report folder.")
    parser.add_argument("--quick", action="store_true",
                        help="CI mode: 3000/1000/2000 images, 1 epoch")
    parser.add_argument("--epochs", type=int, default=None,
                        help="epochs per configuration (default 10; --quick: 1)")
    parser.add_argument("--seed", type=int, default=42,
                        help="graph and shuffling seed, 0..2**32-1 "
                             "(default 42)")
    parser.add_argument("--train-size", type=int, default=None, metavar="N",
                        help="train on the first N training images (default "
                             "all 55 000; --quick: 3000)")
    parser.add_argument("--only", metavar="PATTERN", default=None,
                        help="comma-separated globs on config names or groups "
                             "(no wildcard = substring), e.g. 'optimizers,"
                             "*decay'")
    parser.add_argument("--out", metavar="DIR", default="lab_report",
                        help="report folder (default lab_report/); the new "
                             "report is written to DIR.partial/ and swapped "
                             "in when complete")
    parser.add_argument("--data", metavar="DIR", default=None,
                        help="folder of MNIST-format IDX files or an .npz "
                             "(default: tf1_dnn.datasets' sources, no "
                             "download; Debian's Fashion-MNIST)")
    parser.add_argument("--workers", type=int, default=None, metavar="N",
                        help="train the configurations in N local Dask "
                             "worker processes (needs tf1_dnn[dask])")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="train them on an existing Dask cluster, e.g. "
                             "tcp://HOST:8786 (needs tf1_dnn[dask])")
    parser.add_argument("--list", action="store_true",
                        help="list the configurations and exit")
    args = parser.parse_args(argv)
    return parser, args


def settings_from_args(args):
    """`LabSettings` from the parsed arguments (raises LabArgumentError)."""
    if args.quick:
        return LabSettings.quick_mode(args.epochs, args.seed, args.train_size)
    return LabSettings(epochs=10 if args.epochs is None else args.epochs,
                       seed=args.seed, n_train=args.train_size)


def _runner(workers, scheduler):
    if scheduler is not None:
        return f"Dask cluster {scheduler}"
    if workers is not None:
        return (f"Dask LocalCluster, {workers} worker process"
                f"{'es' if workers > 1 else ''} x 1 thread")
    return "this process"


def _meta(settings, data, source, start, configs, runner="this process"):
    from tf1_dnn import tf
    return dict(runner=runner, quick=settings.quick, epochs=settings.epochs,
                seed=settings.seed, batch_size=settings.batch_size,
                data=(f"{source}, {len(data['X_train'])} train / "
                      f"{len(data['X_valid'])} validation / "
                      f"{len(data['X_test'])} test images"),
                tensorflow=tf.VERSION if hasattr(tf, "VERSION")
                else tf.version.VERSION,
                seconds=round(time.perf_counter() - start, 2),
                configs=[c.name for c in configs])


def _in_table_order(results, configs):
    order = {c.name: i for i, c in enumerate(configs)}
    return sorted(results, key=lambda r: order.get(r["name"], len(order)))


def run_lab(configs, settings, out, data_dir=None, stream=None,
            workers=None, scheduler=None, retries=None):
    """Trains `configs`, writes the report in `out`; returns (results, path).

    Order: the arguments and the report folder are checked (nothing
    touched), the data loaded, then `<out>.partial/` receives each result as
    it finishes, and the complete report is swapped into `out`. On any
    exception (Ctrl-C included) `out` is unchanged, `<out>.partial/` keeps
    the finished configurations, and the exception propagates.

    `workers` / `scheduler`: run the configurations on Dask
    (`tf1_dnn.lab.parallel`), `retries` times retried (default 2); same
    numbers as without.
    """
    start = time.perf_counter()
    dask = workers is not None or scheduler is not None
    if dask:
        from tf1_dnn.lab import parallel
        parallel.check_dask_args(workers, scheduler)
    folder = ReportFolder(out)
    data, source = load_lab_data(settings, data_dir)
    runner = _runner(workers, scheduler)
    folder.open()
    results = []

    def meta():
        return _meta(settings, data, source, start, configs, runner)

    try:
        if dask:
            def on_result(result, files):
                results.append(result)
                folder.add(result, meta(), files)

            parallel.run_on_dask(
                configs, settings, data_dir, on_result, workers=workers,
                scheduler=scheduler, stream=stream,
                retries=parallel.DEFAULT_RETRIES if retries is None
                else retries)
        else:
            for i, config in enumerate(configs, start=1):
                label = f"[{i:2d}/{len(configs)}] {config.name:<17}"
                result = loop.train_config(config, data, settings,
                                           logdir=folder.logdir(config.name),
                                           label=label, stream=stream)
                results.append(result)
                folder.add(result, meta())
        results = _in_table_order(results, configs)
        return results, folder.finish(results, meta())
    except BaseException:
        print(f"tf1_dnn lab: stopped after {len(results)} of {len(configs)} "
              f"configurations; {folder.out} is unchanged, the finished ones "
              f"are in {folder.staging}", file=sys.stderr)
        raise


def main(argv=None):
    parser, args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        configs = lab_configs.select(args.only)
        settings = settings_from_args(args)
        if args.workers is not None or args.scheduler is not None:
            from tf1_dnn.lab.parallel import check_dask_args
            check_dask_args(args.workers, args.scheduler)
    except (ValueError, LabArgumentError) as e:
        parser.error(str(e))
    except DaskMissingError as e:
        print(f"tf1_dnn lab: {e}", file=sys.stderr)
        return 2
    if args.list:
        for c in configs:
            print(f"{c.name:<18} {c.group:<15} {c.technique}")
        return 0
    from tf1_dnn.datasets import IdxError, MissingDataError
    try:
        results, report = run_lab(configs, settings, args.out,
                                  data_dir=args.data, workers=args.workers,
                                  scheduler=args.scheduler)
    except (ReportDirError, LabDataError, MissingDataError, IdxError) as e:
        print(f"tf1_dnn lab: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    print(markdown_table(results))
    print(f"\nreport: {report} (HTML, PNG curves and TensorBoard logs in "
          f"{report.parent})")
    bad = [r for r in results if r.get("status", "ok") != "ok"]
    for r in bad:
        print(f"{r['name']}: {r['status']}: {r['error']}", file=sys.stderr)
    return 0
