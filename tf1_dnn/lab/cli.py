"""`python -m tf1_dnn lab`: arguments, the run, the summary on stdout."""

import argparse
import sys
import time

from tf1_dnn import lab_configs
from tf1_dnn.lab.data import load_lab_data
from tf1_dnn.lab.errors import LabDataError, ReportDirError
from tf1_dnn.lab.loop import train_config
from tf1_dnn.lab.report import markdown_table, prepare_report_dir, write_report
from tf1_dnn.lab.settings import LabSettings

__all__ = ["main", "parse_args", "run_lab"]


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
                        help="graph and shuffling seed (default 42)")
    parser.add_argument("--only", metavar="PATTERN", default=None,
                        help="comma-separated globs on config names or groups "
                             "(no wildcard = substring), e.g. 'optimizers,"
                             "*decay'")
    parser.add_argument("--out", metavar="DIR", default="lab_report",
                        help="report folder (default lab_report/)")
    parser.add_argument("--data", metavar="DIR", default=None,
                        help="folder of MNIST-format IDX files or an .npz "
                             "(default: tf1_dnn.datasets' sources, no "
                             "download; Debian's Fashion-MNIST)")
    parser.add_argument("--list", action="store_true",
                        help="list the configurations and exit")
    args = parser.parse_args(argv)
    if args.epochs is not None and args.epochs < 1:
        parser.error(f"--epochs must be at least 1, got {args.epochs}.")
    return parser, args


def run_lab(configs, settings, out, data_dir=None, stream=None):
    """Trains `configs`, writes the report in `out`; returns (results, path)."""
    from tf1_dnn import tf

    start = time.perf_counter()
    data, source = load_lab_data(settings, data_dir)
    out = prepare_report_dir(out)
    results = []
    for i, config in enumerate(configs, start=1):
        label = f"[{i:2d}/{len(configs)}] {config.name:<17}"
        results.append(train_config(config, data, settings,
                                    logdir=out / "tensorboard" / config.name,
                                    label=label, stream=stream))
    meta = dict(quick=settings.quick, epochs=settings.epochs,
                seed=settings.seed, batch_size=settings.batch_size,
                data=(f"{source}, {len(data['X_train'])} train / "
                      f"{len(data['X_valid'])} validation / "
                      f"{len(data['X_test'])} test images"),
                tensorflow=tf.VERSION if hasattr(tf, "VERSION")
                else tf.version.VERSION,
                seconds=round(time.perf_counter() - start, 2),
                configs=[c.name for c in configs])
    return results, write_report(results, out, meta)


def main(argv=None):
    parser, args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        configs = lab_configs.select(args.only)
    except ValueError as e:
        parser.error(str(e))
    if args.list:
        for c in configs:
            print(f"{c.name:<18} {c.group:<15} {c.technique}")
        return 0
    settings = (LabSettings.quick_mode(args.epochs, args.seed) if args.quick
                else LabSettings(epochs=10 if args.epochs is None
                                 else args.epochs, seed=args.seed))
    from tf1_dnn.datasets import IdxError, MissingDataError
    try:
        results, report = run_lab(configs, settings, args.out,
                                  data_dir=args.data)
    except (ReportDirError, LabDataError, MissingDataError, IdxError) as e:
        print(f"tf1_dnn lab: {e}", file=sys.stderr)
        return 2
    print(markdown_table(results))
    print(f"\nreport: {report} (HTML, PNG curves and TensorBoard logs in "
          f"{report.parent})")
    return 0
