"""Per-message costs in Rasa 3.6.21 that only need to be paid once (installed by
`rasa_patches.install()`; what each change saves is measured in docs/benchmarks.md).

- A custom action's reply is checked with `jsonschema.validate`, which first re-validates
  the constant schema against its meta-schema: the validator is built once here.
- A stored event finds its class by walking every subclass of Event: remembered per name.
- DIET and the ResponseSelector call their TensorFlow function through TF's polymorphic
  dispatch, which checks the inputs against every traced signature: the one concrete
  function is called directly (Rasa's call on anything unexpected).
- Both classifiers combine a message's sparse features the same way: done once.
- Every model is loaded by training it for one step: a server only needs its weights.
- Rasa asks the domain whether it is empty for every parsed message: worked out once.
"""

from __future__ import annotations

import functools
import logging
from typing import Any, Callable, Dict, List, Optional, Type

from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.nlu.training_data.message import Message

logger = logging.getLogger(__name__)


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
    featurizer's matrix and stacks the others onto it with scipy: a visible share of the
    server's time under load (docs/benchmarks.md), and the second call only repeats the
    first. The result is remembered on the message, for the same attribute and
    featurizers while the message has the same features; the callers only read it (it is
    converted to the model's input arrays).
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
    all (a visible share of the server's CPU under load, py-spy, docs/benchmarks.md). A
    loaded domain is not changed in place (a new model brings a new Domain object), so
    the answer is kept on it.
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
    variables per weight, none of which a server ever uses again, yet the memory they
    took stays with the server process (RSS measured around each `fit` while the model
    loads, docs/benchmarks.md). Here the layers are built by one eager call of the
    model's own loss on the same example, and the model file is read into them (its
    optimizer values are not needed, hence `expect_partial`). The weights and every
    prediction are identical (tests/e2e/test_fast_predict.py). Fine-tuning, and anything
    unexpected, use Rasa's.
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
        # dispatch and conversion-registry lookups, paid again for every array of every
        # call (what that saves: docs/benchmarks.md).
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
