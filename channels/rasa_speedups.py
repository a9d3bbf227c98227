"""Per-message costs in Rasa 3.6.21 that only need to be paid once.

Measured with py-spy on the running server (docs/benchmarks.md):
- every custom action's reply is checked with `jsonschema.validate`, which first
  re-validates the (constant) schema itself against its meta-schema: 9% of the server's
  CPU under a realistic mix, about 20 ms per custom-action turn. Here the validator is
  built once and reused; the check itself, and its error, are unchanged.
- every stored event read back from the tracker store finds its class by walking all
  subclasses of Event: 4-6% of the CPU, growing with the conversation. Here the lookup
  is remembered per type name; an unknown name still goes the original way (and errors
  the same).
- DIET and the ResponseSelector call their TensorFlow function through TF's polymorphic
  dispatch, which checks and converts the inputs against every traced signature on each
  call: ~1 ms of the ~1.5-2 ms a call takes. The function has one fixed input signature,
  so its concrete function is looked up once and called directly with the same tensors.
  Timed alone, a call takes 0.86 instead of 1.91 ms (DIET) and 0.65 instead of 1.49 ms
  (ResponseSelector); a whole NLU parse, 9.75 instead of 10.80 ms (median of 6
  interleaved rounds). The same graph gives the same numbers on every held-out message
  (tests/e2e/test_fast_predict.py). Anything unexpected falls back to Rasa's own call.
  The input arrays become tensors through the eager tensor constructor directly.
- both classifiers combine the message's sparse features the same way: done once per
  message (`_shared_sparse_features`).
- the model graph runs in a fixed order instead of through dask
  (channels/graph_runner.py).
- every model is loaded by training it for one step first; a server only needs its
  weights (`_serving_load`): 160 MB less memory.
- both classifiers' scores for a message come from numpy instead of TensorFlow for the
  plain case (channels/numpy_inference.py, installed here), with numpy's OpenBLAS kept to
  one thread: 11.3 -> 6.0 ms of CPU per message in process.
- Rasa asks the domain whether it is empty for every parsed message, by building an empty
  domain and comparing dicts: worked out once per domain (`_remembered_is_empty`).
Together with the tracker store's cache, three of these took the in-process CPU per
message of the benchmark mix from 10.6 to 7.4 ms (docs/benchmarks.md).
`apply()` is called when the patient REST channel starts (it is always configured), is
idempotent, and refuses to patch any Rasa or TensorFlow version but the ones it was
measured on.
"""

from __future__ import annotations

import functools
import logging
from typing import Any, Callable, Dict, List, Optional, Type

import rasa
from rasa.core import processor
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.nlu.training_data.message import Message

from channels.graph_runner import SequentialGraphRunner

logger = logging.getLogger(__name__)
PATCHED_VERSION = "3.6.21"
PATCHED_TF_VERSION = "2.12."
_applied = False


def _cached_action_result_validator() -> Callable[[Any, Dict[str, Any]], bool]:
    from jsonschema import ValidationError
    from jsonschema.validators import validator_for

    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)  # once, instead of on every action
    validator = validator_class(schema)

    def validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
        try:
            validator.validate(result)
            return True
        except ValidationError as e:  # the same message Rasa gives
            e.message += (
                ". Failed to validate Action server response from API, make sure your "
                "response from the Action endpoint is valid. For more information about "
                "the format visit https://rasa.com/docs/rasa/custom-actions"
            )
            raise e

    return validate_action_result


def _cached_resolve_by_type() -> Callable[..., Optional[Type[Event]]]:
    original = Event.resolve_by_type
    known: Dict[str, Type[Event]] = {}

    def resolve_by_type(
        type_name: str, default: Optional[Type[Event]] = None
    ) -> Optional[Type[Event]]:
        cls = known.get(type_name)
        if cls is None:
            cls = original(type_name, default)
            if cls is not None and cls is not default:
                known[type_name] = cls
        return cls

    return resolve_by_type


def _shared_sparse_features() -> Callable[..., Any]:
    """`Message.get_sparse_features`, worked out once per message for both classifiers.

    DIET and the ResponseSelector each ask the message for the same combined sparse
    features (all featurizers, the text), and each time Rasa deep-copies the first
    featurizer's matrix and stacks the others onto it with scipy: ~7% of the server's
    time under load, half of it a repeat. The result is remembered on the message, for
    the same attribute and featurizers while the message has the same features; the
    callers only read it (it is converted to the model's input arrays).
    """
    original = Message.get_sparse_features

    @functools.wraps(original)
    def get_sparse_features(
        self: Message, attribute: str, featurizers: Optional[List[str]] = None
    ) -> Any:
        key = (attribute, tuple(featurizers or ()), len(self.features))
        memo: Dict[Any, Any] = self.__dict__.setdefault("_imuran_sparse_features", {})
        if key not in memo:
            memo[key] = original(self, attribute, featurizers)
        return memo[key]

    return get_sparse_features


def _remembered_is_empty() -> Callable[[Domain], bool]:
    """`Domain.is_empty`, worked out once per domain.

    Rasa checks every parsed message against the domain, and first asks whether the
    domain is empty: it builds an empty domain and compares both as dicts, responses and
    all (2.5% of the server's CPU under load, py-spy). A loaded domain is not changed
    in place (a new model brings a new Domain object), so the answer is kept on it.
    """
    original = Domain.is_empty

    @functools.wraps(original)
    def is_empty(self: Domain) -> bool:
        known = self.__dict__.get("_imuran_is_empty")
        if known is None:
            known = self.__dict__["_imuran_is_empty"] = original(self)
        return bool(known)

    return is_empty


def _serving_load() -> Any:  # a classmethod
    """`RasaModel.load` for a server that only predicts: the same weights, no training.

    Rasa builds a model's layers by training it for one epoch on one example
    (`model.fit`) and then overwrites the weights from the model file. That traces the
    whole training graph with its gradients and creates the Adam optimizer's two slot
    variables per weight, none of which a server ever uses again: 219 MB of the server's
    memory (RSS measured around each `fit` while the model loads, docs/benchmarks.md).
    Here the layers are built by one eager call of the model's own loss on the same
    example, and the model file is read into them (its optimizer values are not needed,
    hence `expect_partial`). The weights and every prediction are identical
    (tests/e2e/test_fast_predict.py). Fine-tuning, and anything unexpected, use Rasa's.
    """
    from rasa.utils.tensorflow.constants import RUN_EAGERLY
    from rasa.utils.tensorflow.data_generator import RasaBatchDataGenerator
    from rasa.utils.tensorflow.models import RasaModel

    original = RasaModel.load.__func__

    @functools.wraps(original)
    def load(
        cls: Any,
        model_file_name: str,
        model_data_example: Any,
        predict_data_example: Any = None,
        finetune_mode: bool = False,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        if not finetune_mode:
            try:
                model = cls(*args, **kwargs)
                model.compile(run_eagerly=kwargs.get("config", {}).get(RUN_EAGERLY))
                batch, _ = RasaBatchDataGenerator(model_data_example, batch_size=1)[0]
                model._training = True  # the layers Rasa's one training step would build
                model.batch_loss(batch)
                model._training = None
                model.load_weights(model_file_name).expect_partial()
                if predict_data_example:
                    model.run_inference(predict_data_example)  # traces prediction, as Rasa
                model.__dict__["_imuran_serving_load"] = True
                return model
            except Exception as error:  # never worse than Rasa's own load
                logger.warning("Model loaded the usual way (%s: %s)", type(error).__name__, error)
        return original(
            cls, model_file_name, model_data_example, predict_data_example, finetune_mode,
            *args, **kwargs,
        )  # fmt: skip

    return classmethod(load)


def _direct_predict() -> Callable[..., Dict[str, Any]]:
    from keras.utils import tf_utils
    from rasa.shared.constants import DIAGNOSTIC_DATA
    from rasa.utils.tensorflow.models import RasaModel
    from tensorflow.python.eager import context
    from tensorflow.python.framework.ops import EagerTensor
    from tensorflow.python.util import nest

    original = RasaModel._rasa_predict

    def call_direct(model: Any, batch_in: Any) -> Any:
        concrete = model.__dict__.get("_imuran_concrete")
        if concrete is None:
            concrete = model._tf_predict_step.get_concrete_function()
            specs = nest.flatten(concrete.structured_input_signature[0])
            model.__dict__["_imuran_concrete"] = concrete
            model.__dict__["_imuran_specs"] = specs
        specs = model.__dict__["_imuran_specs"]
        flat = nest.flatten(batch_in)
        if len(flat) != len(specs):
            raise ValueError("the batch does not match the traced signature")
        # The eager tensor constructor that tf.convert_to_tensor ends in, without its
        # dispatch and conversion-registry lookups (~10 of its ~20 us per array).
        device = context.context().device_name
        tensors = [EagerTensor(x, device, s.dtype.as_datatype_enum) for x, s in zip(flat, specs)]
        for tensor, spec in zip(tensors, specs):
            if not spec.is_compatible_with(tensor):
                raise ValueError("the batch does not match the traced signature")
        return concrete._call_flat(tensors, concrete.captured_inputs)

    @functools.wraps(original)  # inspect.unwrap() gives Rasa's own call back
    def rasa_predict(self: Any, batch_in: Any) -> Dict[str, Any]:
        if (
            self._run_eagerly
            or self._tf_predict_step is None
            or not self.prepared_for_prediction
            or self.__dict__.get("_imuran_direct_failed")
        ):
            return original(self, batch_in)  # first call traces; unusual models as before
        try:
            raw = call_direct(self, batch_in)
        except Exception as error:  # never worse than Rasa's own path
            logger.warning("Direct TensorFlow call not used for %s: %s", type(self), error)
            self.__dict__["_imuran_direct_failed"] = True
            return original(self, batch_in)
        outputs: Dict[str, Any] = tf_utils.sync_to_numpy_or_python_type(raw)
        if DIAGNOSTIC_DATA in outputs:
            outputs[DIAGNOSTIC_DATA] = self._empty_lists_to_none_in_dict(outputs[DIAGNOSTIC_DATA])
        return outputs

    return rasa_predict


def apply() -> bool:
    """Installs the speed-ups once; False (and a warning) on another Rasa version."""
    global _applied
    if _applied:
        return True
    if rasa.__version__ != PATCHED_VERSION:
        logger.warning(
            "Rasa %s is not %s: per-message speed-ups not applied (see %s)",
            rasa.__version__,
            PATCHED_VERSION,
            __name__,
        )
        return False
    RemoteAction._validate_action_result = _cached_action_result_validator()
    Event.resolve_by_type = staticmethod(_cached_resolve_by_type())
    Message.get_sparse_features = _shared_sparse_features()
    Domain.is_empty = _remembered_is_empty()
    processor.DaskGraphRunner = SequentialGraphRunner  # the name Rasa's model loading uses
    import tensorflow as tf
    from rasa.utils.tensorflow.models import RasaModel

    if tf.__version__.startswith(PATCHED_TF_VERSION):
        import threadpoolctl
        from rasa.nlu.classifiers.diet_classifier import DIETClassifier

        from channels.numpy_inference import load_with_scorer, numpy_predict

        RasaModel._rasa_predict = _direct_predict()
        RasaModel.load = _serving_load()
        DIETClassifier.load = load_with_scorer(DIETClassifier.load.__func__)
        DIETClassifier._predict = numpy_predict(DIETClassifier._predict)
        # The scorer's products are tiny: OpenBLAS's second thread only spun, taking
        # 5 ms of CPU per message from the core the database and other requests need.
        threadpoolctl.threadpool_limits(1, user_api="blas")
    else:
        logger.warning("TensorFlow %s: DIET is called the usual way", tf.__version__)
    _applied = True
    return True
