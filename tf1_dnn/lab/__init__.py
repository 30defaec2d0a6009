"""`python -m tf1_dnn lab`: the chapter's techniques trained side by side.

    python -m tf1_dnn lab                      # full default data, 10 epochs
    python -m tf1_dnn lab --quick              # CI: small subset, 1 epoch
    python -m tf1_dnn lab --only 'optimizers,*decay' --epochs 10 --seed 7
    python -m tf1_dnn lab --list               # the configurations

Every configuration of `tf1_dnn.lab_configs` (activations, initializations,
batch norm, gradient clipping, optimizers, learning-rate schedules, l1/l2,
dropout, max-norm and the table 11-2 default network) gets its own
`tf.Graph`, built with `from tf1_dnn import tf` code in the chapter's style,
and is trained with a plain `feed_dict` loop on the default data
(Fashion-MNIST from `tf1_dnn.datasets`: 55 000 training images, the first
5 000 of the training file as validation set like `input_data`, 10 000 test).

The report folder (default `lab_report/`) gets:

* `report.md` and `report.html` -- one row per configuration: technique,
  final validation and test accuracy, epochs, seconds (HTML embeds the plots);
* `curves.png` (all groups) and `curves_<group>.png` -- validation accuracy
  per epoch, epoch 0 being the untrained network;
* `tensorboard/<config>/events.out.tfevents.*` -- one run per configuration,
  written by `tf.summary.FileWriter`, scalars per epoch: `validation_accuracy`,
  `validation_loss`, `train_loss`, `learning_rate`, plus `test_accuracy` at
  the last epoch (`tensorboard --logdir lab_report/tensorboard`);
* `results.json` -- the same numbers, for programs.

Determinism: `--seed` sets the graph-level seed (`tf.set_random_seed`) of
every graph and the numpy shuffling; sessions run with one intra-op and one
inter-op thread, so the same seed gives the same table numbers (only the
seconds differ), whichever `--only` subset is run.

Caveats:
  * Running the lab switches the process to TF 1.x behaviour (it imports
    `tf1_dnn.tf`); importing this module does not.
  * The report folder is replaced only if it is a previous lab report (it
    holds `.tf1_dnn_lab_report`); any other non-empty folder is refused.
    The new report is written into `<out>.partial/` and swapped in when
    complete; files of yours in `<out>/` and `<out>/tensorboard/` stay.
  * A configuration whose loss becomes NaN/Inf stops there and is marked
    DIVERGED in every table (md, html, json), with no accuracy.
  * Accuracies after 1 epoch on the `--quick` subset say little about the
    techniques; they prove the pipeline. Use the default mode for the lesson.

Modules (importing any of them changes nothing global and imports neither
TensorFlow nor matplotlib; training does):

  settings  `LabSettings` and the network's sizes
  errors    `ReportDirError`, `LabDataError` (under `tf1_dnn.errors`)
  data      `load_lab_data`, `standardized`
  network   `build_network`: one configuration's `tf.Graph`
  loop      `train_config` (the `feed_dict` loop), `ProgressBar`
  report    the report folder, the Markdown / HTML / JSON tables
  plots     the PNG learning curves (matplotlib, Agg)
  cli       `main`, `run_lab`, the argument parser
  parallel  `--workers` / `--scheduler`: the configurations on Dask (optional
            extra `[dask]`; imported only when asked for)

The configurations themselves are `tf1_dnn.lab_configs` (pure data).
"""

from tf1_dnn.lab.cli import main, parse_args, run_lab
from tf1_dnn.lab.data import (cached_lab_data, load_lab_data, standardized,
                              validation_size)
from tf1_dnn.lab.errors import (DaskMissingError, LabArgumentError,
                                LabDataError, ReportDirError)
from tf1_dnn.lab.loop import ProgressBar, failed_result, train_config
from tf1_dnn.lab.network import Network, build_network
from tf1_dnn.lab.plots import plot_curves
from tf1_dnn.lab.report import (MARKER, TABLE_HEADER, ReportFolder,
                                check_report_dir, markdown_table, write_report)
from tf1_dnn.lab.settings import (N_HIDDEN1, N_HIDDEN2, N_INPUTS, N_OUTPUTS,
                                  VALIDATION_SIZE, LabSettings)

__all__ = ["main", "run_lab", "LabSettings", "load_lab_data",
           "build_network", "train_config", "write_report", "ProgressBar",
           "ReportDirError", "LabDataError", "LabArgumentError",
           "DaskMissingError", "ReportFolder"]
