"""The numpy scorer's pieces against TensorFlow's, and its refusals. Its scores on the
real model are compared with TensorFlow's in tests/e2e/test_numpy_inference.py."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, Dict

import numpy as np
import pytest
import tensorflow as tf
from rasa.nlu.classifiers.diet_classifier import DIET
from rasa.utils.tensorflow.model_data import FeatureSignature

from rasa_patches.numpy_inference import Dense, SentenceScorer, Unsupported, _dense, _l2_normalize

VALUES = np.linspace(-6, 6, 241, dtype=np.float32).reshape(1, -1)


def test_gelu_is_tensorflows_exact_gelu() -> None:
    layer = Dense(np.eye(VALUES.shape[1], dtype=np.float32), None, gelu=True)
    ours = layer(VALUES)
    theirs = tf.nn.gelu(VALUES, approximate=False).numpy()
    assert ours.dtype == np.float32
    assert np.abs(ours - theirs).max() <= 1e-6
    assert np.abs(ours - tf.nn.gelu(VALUES, approximate=True).numpy()).max() > 1e-4


def test_dense_layers_match_keras() -> None:
    rng = np.random.default_rng(7)
    x = rng.normal(size=(1, 16)).astype(np.float32)
    for activation in (None, tf.nn.gelu):
        keras = tf.keras.layers.Dense(8, activation=activation)
        keras.build((None, 16))
        assert np.abs(_dense(keras)(x) - keras(x).numpy()).max() <= 1e-6
    with pytest.raises(Unsupported):
        relu = tf.keras.layers.Dense(8, activation="relu")
        relu.build((None, 16))
        _dense(relu)


def test_l2_normalize_matches_tensorflow() -> None:
    x = np.array([[3.0, 4.0, 0.0], [0.0, 0.0, 0.0]], dtype=np.float32)
    assert np.allclose(_l2_normalize(x), tf.nn.l2_normalize(x, axis=-1).numpy())


def fake_diet(**changes: Any) -> Any:
    """Just enough of a loaded DIET model for `from_model`'s checks."""
    sparse = FeatureSignature(is_sparse=True, units=10, number_of_dimensions=3)
    fields: Dict[str, Any] = dict(
        prepared_for_prediction=True,
        all_labels_embed=np.zeros((3, 4), dtype=np.float32),
        predict_data_signature={"text": {"sentence": [sparse], "sequence": [sparse]}},
        text_name="text",
        _tf_layers={"sequence_layer.text": SimpleNamespace(_has_transformer=True)},
    )
    fields.update(changes)
    return type("FakeDIET", (), {"batch_predict": DIET.batch_predict, **fields})()


@pytest.mark.parametrize(
    "changes, reason",
    [
        ({}, "transformer"),
        ({"batch_predict": lambda self, batch: None}, "predicts differently"),
        ({"all_labels_embed": None}, "label embeddings"),
        (
            {
                "predict_data_signature": {
                    "text": {"sentence": [FeatureSignature(False, 10, 3)], "sequence": []}
                }
            },
            "sparse sentence-level",
        ),
    ],
)
def test_models_it_does_not_reproduce_are_refused(changes: Dict[str, Any], reason: str) -> None:
    with pytest.raises(Unsupported, match=reason):
        SentenceScorer.from_model(fake_diet(**changes))
