"""`tf.estimator.export` as in TF 1.15: serving receivers, export outputs, exporters.

    serving_input_fn = tf.estimator.export.build_raw_serving_input_receiver_fn(
        {"x": tf.placeholder(tf.float32, [None, 4])})
    path = estimator.export_saved_model("exports", serving_input_fn)  # bytes

Pitfall kept from TF 1.x: a `ClassificationOutput` only becomes a signature
when the receiver has a single *string* input (serialized tf.Examples, as
`build_parsing_serving_input_receiver_fn` makes). With a raw float receiver
the canned classifiers' `serving_default`/`classification` signatures are
left out (logged) and only `predict` is exported -- exactly what TF 1.15 did.
"""

import collections
import glob
import inspect
import logging
import os
import shutil
import time

from tf1_dnn._compat import tf2, v1
from tf1_dnn.estimator.errors import EstimatorError

__all__ = ["ServingInputReceiver", "TensorServingInputReceiver",
           "build_raw_serving_input_receiver_fn",
           "build_parsing_serving_input_receiver_fn", "ExportOutput",
           "PredictOutput", "ClassificationOutput", "RegressionOutput",
           "Exporter", "FinalExporter", "LatestExporter", "BestExporter",
           "build_all_signature_defs", "get_timestamped_export_dir"]

log = logging.getLogger("tf1_dnn.estimator")

_sig = v1.saved_model.signature_constants


def _as_dict(value, default_key, what):
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, (tf2.Tensor, tf2.SparseTensor)):
        return {default_key: value}
    raise ValueError(f"{what} must be a Tensor or a dict of Tensors; got "
                     f"{type(value).__name__}.")


class ServingInputReceiver(collections.namedtuple(
        "ServingInputReceiver",
        ["features", "receiver_tensors", "receiver_tensors_alternatives"])):
    """What a serving input function returns (TF 1.15).

    `features` go to the model_fn; `receiver_tensors` are the signature's
    inputs. A single tensor becomes {"feature": t} / {"input": t}.
    """

    def __new__(cls, features, receiver_tensors,
                receiver_tensors_alternatives=None):
        if features is None:
            raise ValueError("ServingInputReceiver: features must be defined.")
        if not isinstance(features, dict):
            features = _as_dict(features, "feature", "features")
        receiver_tensors = _as_dict(receiver_tensors, "input",
                                    "receiver_tensors")
        return super().__new__(cls, features, receiver_tensors,
                               receiver_tensors_alternatives)


class TensorServingInputReceiver(collections.namedtuple(
        "TensorServingInputReceiver",
        ["features", "receiver_tensors", "receiver_tensors_alternatives"])):
    """A receiver whose `features` is one Tensor, passed to the model_fn
    as is (not wrapped in a dict), as TF 1.15's was.

    `export_saved_model` uses it like a `ServingInputReceiver`: the
    model_fn's `features` argument is the tensor itself.
    """

    def __new__(cls, features, receiver_tensors,
                receiver_tensors_alternatives=None):
        if features is None:
            raise ValueError("TensorServingInputReceiver: features must be "
                             "defined.")
        if not isinstance(features, (tf2.Tensor, tf2.SparseTensor)):
            raise ValueError(
                "TensorServingInputReceiver: features must be a single "
                f"Tensor; got {type(features).__name__}. Use "
                "ServingInputReceiver for a dict of features.")
        receiver_tensors = _as_dict(receiver_tensors, "input",
                                    "receiver_tensors")
        return super().__new__(cls, features, receiver_tensors,
                               receiver_tensors_alternatives)


def build_raw_serving_input_receiver_fn(features, default_batch_size=None):
    """A serving input fn whose inputs are placeholders like `features`.

    Args:
      features: dict of name -> Tensor (or a Tensor); only dtype and shape
        are used. The batch dimension becomes `default_batch_size`.
    """

    def serving_input_receiver_fn():
        receiver = {}
        items = features.items() if isinstance(features, dict) \
            else [("feature", features)]
        for name, t in items:
            shape = [default_batch_size] + t.shape.as_list()[1:] \
                if t.shape.ndims else None
            receiver[name] = v1.placeholder(t.dtype, shape=shape, name=name)
        feats = receiver if isinstance(features, dict) \
            else receiver["feature"]
        return ServingInputReceiver(feats, receiver)

    return serving_input_receiver_fn


def build_parsing_serving_input_receiver_fn(feature_spec,
                                            default_batch_size=None):
    """A serving input fn that parses serialized `tf.Example` protos.

    The signature input is one string tensor `examples`
    (placeholder `input_example_tensor`), as in TF 1.15.
    """

    def serving_input_receiver_fn():
        serialized = v1.placeholder(tf2.string, shape=[default_batch_size],
                                    name="input_example_tensor")
        feats = v1.parse_example(serialized, feature_spec)
        return ServingInputReceiver(feats, {"examples": serialized})

    return serving_input_receiver_fn


class ExportOutput:
    """Base class of the export outputs (one signature each)."""

    def as_signature_def(self, receiver_tensors):
        raise NotImplementedError


class PredictOutput(ExportOutput):
    """A `predict` signature: every output tensor by name."""

    def __init__(self, outputs):
        self.outputs = _as_dict(outputs, "output", "PredictOutput outputs")

    def as_signature_def(self, receiver_tensors):
        return v1.saved_model.predict_signature_def(receiver_tensors,
                                                    self.outputs)


def _single_string_input(receiver_tensors, kind):
    if len(receiver_tensors) != 1:
        raise ValueError(f"{kind} input must be a single string Tensor; got "
                         f"{receiver_tensors}")
    (_, examples), = receiver_tensors.items()
    if examples.dtype != tf2.string:
        raise ValueError(f"{kind} input must be a single string Tensor; got "
                         f"{receiver_tensors}")
    return examples


class ClassificationOutput(ExportOutput):
    """A `classify` signature (scores and/or string classes)."""

    def __init__(self, scores=None, classes=None):
        if scores is None and classes is None:
            raise ValueError("At least one of scores and classes must be set.")
        if classes is not None and classes.dtype != tf2.string:
            raise ValueError("Classification classes must be a string "
                             f"Tensor; got {classes}")
        self.scores, self.classes = scores, classes

    def as_signature_def(self, receiver_tensors):
        examples = _single_string_input(receiver_tensors, "Classification")
        return v1.saved_model.classification_signature_def(
            examples, self.classes, self.scores)


class RegressionOutput(ExportOutput):
    """A `regress` signature (one float value per example)."""

    def __init__(self, value):
        self.value = value

    def as_signature_def(self, receiver_tensors):
        examples = _single_string_input(receiver_tensors, "Regression")
        return v1.saved_model.regression_signature_def(examples, self.value)


def build_all_signature_defs(receiver_tensors, export_outputs):
    """{signature name: SignatureDef}; outputs that cannot be one are logged."""
    signatures = {}
    for key, output in export_outputs.items():
        try:
            signatures[key] = output.as_signature_def(receiver_tensors)
        except ValueError as e:
            log.warning("Export includes no signature for %r: %s", key, e)
    if not signatures:
        raise ValueError(
            "None of the model_fn's export_outputs can be a signature with "
            f"these receiver tensors ({sorted(receiver_tensors)}); add a "
            "PredictOutput, or use build_parsing_serving_input_receiver_fn for "
            "ClassificationOutput/RegressionOutput.")
    return signatures


def get_timestamped_export_dir(export_dir_base):
    """`export_dir_base/<seconds since epoch>` that does not exist yet."""
    stamp = int(time.time())
    while os.path.exists(os.path.join(export_dir_base, str(stamp))):
        stamp += 1
    return os.path.join(export_dir_base, str(stamp))


class Exporter:
    """Base class: `export(estimator, export_path, checkpoint_path,
    eval_result, is_the_final_export)` -> export dir or None."""

    @property
    def name(self):
        return self._name

    def export(self, estimator, export_path, checkpoint_path, eval_result,
               is_the_final_export):
        raise NotImplementedError


class FinalExporter(Exporter):
    """Exports once, at the end of `train_and_evaluate`."""

    def __init__(self, name, serving_input_receiver_fn, assets_extra=None,
                 as_text=False):
        self._name = name
        self._fn = serving_input_receiver_fn
        self._assets_extra, self._as_text = assets_extra, as_text

    def export(self, estimator, export_path, checkpoint_path, eval_result,
               is_the_final_export):
        if not is_the_final_export:
            return None
        return estimator.export_saved_model(
            export_path, self._fn, assets_extra=self._assets_extra,
            as_text=self._as_text, checkpoint_path=checkpoint_path)


class LatestExporter(FinalExporter):
    """Exports after every evaluation; keeps the newest `exports_to_keep`."""

    def __init__(self, name, serving_input_receiver_fn, assets_extra=None,
                 as_text=False, exports_to_keep=5):
        super().__init__(name, serving_input_receiver_fn, assets_extra,
                         as_text)
        self._keep = exports_to_keep

    def export(self, estimator, export_path, checkpoint_path, eval_result,
               is_the_final_export):
        path = estimator.export_saved_model(
            export_path, self._fn, assets_extra=self._assets_extra,
            as_text=self._as_text, checkpoint_path=checkpoint_path)
        if self._keep:
            stamps = sorted(int(d) for d in os.listdir(export_path)
                            if d.isdigit())
            for stamp in stamps[:-self._keep]:
                shutil.rmtree(os.path.join(export_path, str(stamp)),
                              ignore_errors=True)
        return path


def _loss_smaller(best_eval_result, current_eval_result):
    """BestExporter's default `compare_fn`: True if the current `loss` is
    strictly smaller than the best one (TF 1.15's `_loss_smaller`)."""
    for what, result in (("best_eval_result", best_eval_result),
                         ("current_eval_result", current_eval_result)):
        if not result or "loss" not in result:
            raise EstimatorError(
                f"{what} cannot be empty or no loss is found in it "
                f"({result!r}); BestExporter's default compare_fn compares "
                "`loss`. Pass compare_fn= to compare another metric.")
    return best_eval_result["loss"] > current_eval_result["loss"]


def _check_compare_fn(compare_fn):
    if compare_fn is None:
        raise EstimatorError("`compare_fn` must not be None.")
    try:
        args = set(inspect.signature(compare_fn).parameters)
    except (TypeError, ValueError):
        raise EstimatorError(f"compare_fn ({compare_fn!r}) is not a "
                             "function.") from None
    for needed in ("best_eval_result", "current_eval_result"):
        if needed not in args:
            raise EstimatorError(
                f"compare_fn ({compare_fn}) must include {needed} argument.")
    extra = sorted(args - {"best_eval_result", "current_eval_result"})
    if extra:
        raise EstimatorError(f"compare_fn ({compare_fn}) has following not "
                             f"expected args: {extra}")


def _garbage_collect(export_path, keep):
    """Deletes all but the `keep` newest `<10-digit timestamp>` exports."""
    if keep is None or not os.path.isdir(export_path):
        return
    stamps = sorted(int(d) for d in os.listdir(export_path)
                    if len(d) == 10 and d.isdigit())
    for stamp in stamps[:-keep]:
        shutil.rmtree(os.path.join(export_path, str(stamp)),
                      ignore_errors=True)


class BestExporter(Exporter):
    """Exports whenever an evaluation is better than every earlier one.

        exporter = tf.estimator.BestExporter(
            name="best_exporter", serving_input_receiver_fn=serving_fn,
            exports_to_keep=5)
        eval_spec = tf.estimator.EvalSpec(eval_input_fn, exporters=exporter)

    TF 1.15's behaviour: `compare_fn(best_eval_result, current_eval_result)`
    returns True when the current result is better (default: smaller
    `loss`). On its first export for a model_dir the exporter reads the best
    result so far from the event files `model_dir/<event_file_pattern>`
    (default `eval/*.tfevents.*`), so a restarted job does not export a
    worse model. **Pitfall kept from TF 1.15:** those files already hold the
    evaluation being exported, which is then not *strictly* better than
    itself, so the first evaluation of a model_dir is never exported (fixed
    after 1.15, in tensorflow/estimator PR #41). A `train_and_evaluate` with
    a single evaluation exports nothing; pass `event_file_pattern=None` to
    export the first evaluation (and lose the restart safety).
    Exports go to `export_path/<timestamp>`; only the `exports_to_keep`
    newest (`None`: all) are kept -- the best ones, since only
    improvements are exported. Pitfall kept: the event files store metrics
    as float32, so a `compare_fn` on them sees rounded values.

    Raises:
      EstimatorError: `compare_fn` is None or lacks the two arguments,
        `exports_to_keep` is not positive.
    """

    def __init__(self, name="best_exporter", serving_input_receiver_fn=None,
                 event_file_pattern="eval/*.tfevents.*",
                 compare_fn=_loss_smaller, assets_extra=None, as_text=False,
                 exports_to_keep=5):
        _check_compare_fn(compare_fn)
        if exports_to_keep is not None and exports_to_keep <= 0:
            raise EstimatorError(
                "`exports_to_keep`, if provided, must be a positive number. "
                f"Got {exports_to_keep}")
        self._name = name
        self._fn = serving_input_receiver_fn
        self._event_file_pattern = event_file_pattern
        self._compare_fn = compare_fn
        self._assets_extra, self._as_text = assets_extra, as_text
        self._keep = exports_to_keep
        self._model_dir = None
        self._best_eval_result = None

    def export(self, estimator, export_path, checkpoint_path, eval_result,
               is_the_final_export):
        if self._model_dir != estimator.model_dir and \
                self._event_file_pattern:
            log.info("Loading best metric from event files.")
            self._model_dir = estimator.model_dir
            self._best_eval_result = self._best_from_events(os.path.join(
                self._model_dir, self._event_file_pattern))
        if (self._best_eval_result is None
                or self._compare_fn(best_eval_result=self._best_eval_result,
                                    current_eval_result=eval_result)):
            log.info("Performing best model export.")
            self._best_eval_result = eval_result
            path = estimator.export_saved_model(
                export_path, self._fn, assets_extra=self._assets_extra,
                as_text=self._as_text, checkpoint_path=checkpoint_path)
            _garbage_collect(export_path, self._keep)
            return path
        return None

    def _best_from_events(self, pattern):
        best = None
        for path in sorted(glob.glob(pattern)):
            for event in v1.train.summary_iterator(path):
                if not event.HasField("summary"):
                    continue
                result = {v.tag: v.simple_value for v in event.summary.value
                          if v.HasField("simple_value")}
                if result and (best is None or self._compare_fn(
                        best_eval_result=best, current_eval_result=result)):
                    best = result
        return best

