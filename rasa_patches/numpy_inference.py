"""DIET's and the ResponseSelector's intent scores for one message, in numpy.

Why: for one short message, both classifiers are a few small matrix products, but Rasa
gets there through its generic batch machinery (model data, fake features, a data
generator, sparse tensors, a TensorFlow function call and back): a large share of the
server's CPU per message under load, of which the TF arithmetic itself is a small part
(py-spy, docs/benchmarks.md).

What: with no transformer layers (config.yml: `number_of_transformer_layers: 0`), Rasa's
`DIET.batch_predict` takes the score of a message from the sentence position of its
combined features, and that position only ever sees the sentence-level features:

    sentence features --DenseForSparse--> [unify dims] --ffnn--> embed.text
        -> similarity with every label's embedding (computed once, at load) -> softmax

The ResponseSelector's model here (`DIET2BOW`) predicts with that same method; `DIET2DIET`
(transformer layers on the label side) has its own and is refused.

`SentenceScorer` reads exactly those layers' weights from the loaded TF model and
computes the same thing in float32. It is built once, when the classifier is loaded
(`load_with_scorer`), and only for models it fully understands (`from_model` refuses
anything else with `Unsupported`); the patched `_predict` (`numpy_predict`) falls back
to Rasa's own path for any message that is not the plain case. The numbers equal Rasa's
to float32 rounding on every held-out message (tests/e2e/test_numpy_inference.py).
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import scipy.sparse
import tensorflow as tf
from rasa.nlu.classifiers.diet_classifier import DIET
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import TEXT
from rasa.utils.tensorflow.constants import COSINE, FEATURIZERS, INNER, SOFTMAX
from rasa.utils.tensorflow.layers import DenseForSparse
from scipy.special import erf

logger = logging.getLogger(__name__)
SQRT_HALF = np.float32(np.sqrt(0.5))
SCORER = "_imuran_scorer"  # where a loaded classifier keeps its scorer (None: TF only)


class Unsupported(Exception):
    """The model is not one whose scores this module reproduces exactly."""


@dataclass(frozen=True)
class Dense:
    """A dense layer: x @ kernel + bias, then GELU (exact, as `tf.nn.gelu`) or nothing."""

    kernel: np.ndarray
    bias: Optional[np.ndarray]
    gelu: bool

    def __call__(self, x: np.ndarray) -> np.ndarray:
        y = x @ self.kernel
        if self.bias is not None:
            y = y + self.bias
        if self.gelu:
            y = np.float32(0.5) * y * (np.float32(1.0) + erf(y * SQRT_HALF))
        return y


def _dense(layer: Any) -> Dense:
    """Weights of a Keras Dense layer (incl. Rasa's DenseForSparse, RandomlyConnectedDense)."""
    if layer.activation is tf.nn.gelu:
        gelu = True
    elif layer.activation is tf.keras.activations.linear:
        gelu = False
    else:
        raise Unsupported(f"activation {layer.activation} of {layer.name}")
    kernel = layer.kernel.numpy()
    mask = getattr(layer, "kernel_mask", None)
    if mask is not None and getattr(layer, "density", 1.0) < 1.0:
        kernel = kernel * mask.numpy()  # what RandomlyConnectedDense multiplies in per call
    bias = layer.bias.numpy() if layer.use_bias else None
    return Dense(kernel.astype(np.float32), None if bias is None else bias.astype(np.float32), gelu)


def _ffnn(ffnn: Any) -> List[Dense]:
    """The dense layers of Rasa's `Ffnn` (its dropout layers do nothing at inference)."""
    out = []
    for layer in ffnn._ffn_layers:
        if isinstance(layer, tf.keras.layers.Dropout):
            continue
        if not isinstance(layer, tf.keras.layers.Dense):
            raise Unsupported(f"layer {layer.name} in {ffnn.name}")
        out.append(_dense(layer))
    return out


@dataclass(frozen=True)
class SentenceScorer:
    """The intent (or answer) confidences of one message from its sentence features."""

    sparse_kernel: np.ndarray  # DenseForSparse, sentence level: (vocabulary, units)
    sparse_bias: Optional[np.ndarray]
    layers: Tuple[Dense, ...]  # [unify dims], text ffnn, text embedding
    labels: np.ndarray  # every label's embedding, (labels, embedding)
    cosine: bool

    @classmethod
    def from_model(cls, model: Any) -> "SentenceScorer":
        """Reads the weights; `Unsupported` unless the model is the plain case above."""
        if type(model).batch_predict is not DIET.batch_predict:
            raise Unsupported(f"{type(model).__name__} predicts differently from DIET")
        if not model.prepared_for_prediction or model.all_labels_embed is None:
            raise Unsupported("the label embeddings are not computed yet")
        signature = model.predict_data_signature.get("text", {})
        sentence = signature.get("sentence", [])
        if len(sentence) != 1 or not sentence[0].is_sparse:
            raise Unsupported("not exactly one sparse sentence-level feature")
        if any(not f.is_sparse for f in signature.get("sequence", [])):
            raise Unsupported("dense sequence-level features")

        sequence_layer = model._tf_layers[f"sequence_layer.{model.text_name}"]
        if sequence_layer._has_transformer:
            raise Unsupported("transformer layers mix the tokens into the sentence position")
        combining = sequence_layer._tf_layers[sequence_layer.FEATURE_COMBINING]
        to_dense = combining._tf_layers["sparse_dense.sentence"]._tf_layers["sparse_to_dense"]
        if not isinstance(to_dense, DenseForSparse):
            raise Unsupported("no sparse-to-dense layer for sentence features")
        sparse = _dense(to_dense)
        if sparse.gelu:
            raise Unsupported("an activation after the sparse-to-dense layer")
        layers: List[Dense] = []
        unify = combining._tf_layers.get("unify_dims_before_seq_sent_concat.sentence")
        if unify is not None:
            layers += _ffnn(unify)
        layers += _ffnn(sequence_layer._tf_layers[sequence_layer.FFNN])
        layers.append(_dense(model._tf_layers["embed.text"]._dense))

        loss = model._tf_layers["loss.label"]
        if loss.model_confidence != SOFTMAX or loss.similarity_type not in (INNER, COSINE):
            raise Unsupported(f"{loss.model_confidence} confidence, {loss.similarity_type}")
        cosine = loss.similarity_type == COSINE
        labels = np.asarray(model.all_labels_embed, dtype=np.float32)
        if cosine:
            labels = _l2_normalize(labels)
        if labels.ndim != 2 or labels.shape[1] != layers[-1].kernel.shape[1]:
            raise Unsupported(f"label embeddings of shape {labels.shape}")
        return cls(sparse.kernel, sparse.bias, tuple(layers), labels, cosine)

    def scores(self, sentence: Sequence[scipy.sparse.spmatrix]) -> np.ndarray:
        """Confidences, shape (1, labels) as Rasa's `i_scores`, for the message's sparse
        sentence features, one (1, n) row per featurizer in Rasa's order: their
        concatenation is the (1, vocabulary) input row."""
        columns, values, offset = [], [], 0
        for matrix in sentence:
            if matrix.shape[0] != 1:
                raise ValueError(f"sentence features of shape {matrix.shape}")
            row = matrix.tocoo(copy=False)
            columns.append(row.col + offset)
            values.append(row.data)
            offset += matrix.shape[1]
        expected = self.sparse_kernel.shape[0]
        if offset != expected:
            raise ValueError(f"{offset} sentence features, the model has {expected}")
        column = np.concatenate(columns)
        value = np.concatenate(values).astype(np.float32)
        # sparse row @ kernel: only the rows of the words present (duplicates add up)
        x = (value @ self.sparse_kernel[column])[np.newaxis, :]
        if self.sparse_bias is not None:
            x = x + self.sparse_bias
        for layer in self.layers:
            x = layer(x)
        if self.cosine:
            x = _l2_normalize(x)
        similarities = x @ self.labels.T
        exp = np.exp(similarities - similarities.max(axis=-1, keepdims=True))
        return (exp / exp.sum(axis=-1, keepdims=True)).astype(np.float32)


def _l2_normalize(x: np.ndarray) -> np.ndarray:
    """As `tf.nn.l2_normalize`: x / sqrt(max(sum(x^2), 1e-12))."""
    norm = np.sqrt(np.maximum((x * x).sum(axis=-1, keepdims=True), np.float32(1e-12)))
    return (x / norm).astype(np.float32)


def sentence_features(component: Any, message: Any) -> Optional[List[scipy.sparse.spmatrix]]:
    """The message's sparse sentence features as the classifier sees them, one matrix per
    featurizer in Rasa's order (`Message.get_sparse_features` would stack them, and the
    token-level ones too, which the scorer never reads). None when the message is not
    the plain case (no tokens, dense features, ...): Rasa's own path handles those."""
    if not message.get(TOKENS_NAMES[TEXT]):
        return None
    if any(f.attribute == TEXT and not f.is_sparse() for f in message.features):
        return None
    sequence, sentence = message._filter_sparse_features(
        TEXT, component.component_config[FEATURIZERS] or []
    )
    if not sentence or not any(f.features.shape[0] for f in sequence):
        return None
    return [f.features for f in sentence]


def load_with_scorer(original: Callable[..., Any]) -> Any:  # a classmethod
    """`DIETClassifier.load` (also the ResponseSelector's), which then builds the scorer.

    Rasa's load has already prepared the model for prediction (the label embeddings);
    a model the scorer does not reproduce keeps None and is scored by TensorFlow.
    """

    @functools.wraps(original)
    def load(cls: Any, *args: Any, **kwargs: Any) -> Any:
        component = original(cls, *args, **kwargs)
        scorer: Optional[SentenceScorer] = None
        if component.model is not None:
            try:
                scorer = SentenceScorer.from_model(component.model)
            except Exception as error:  # never worse than Rasa's own path
                logger.warning("%s scored by TensorFlow: %s", cls.__name__, error)
        component.__dict__[SCORER] = scorer
        return component

    return classmethod(load)


def numpy_predict(original: Callable[..., Any]) -> Callable[..., Any]:
    """`DIETClassifier._predict` (also the ResponseSelector's) through its scorer."""

    @functools.wraps(original)  # inspect.unwrap() gives Rasa's own method back
    def _predict(self: Any, message: Any) -> Optional[Dict[str, Any]]:
        scorer: Optional[SentenceScorer] = self.__dict__.get(SCORER)
        if scorer is None or self._execution_context.should_add_diagnostic_data:
            return original(self, message)  # diagnostic data comes from the TF model
        features = sentence_features(self, message)
        if features is None:
            return original(self, message)
        try:
            return {"i_scores": scorer.scores(features)}
        except Exception as error:  # never worse than Rasa's own path
            logger.warning("%s: message scored by TensorFlow (%s)", type(self).__name__, error)
            return original(self, message)

    return _predict
