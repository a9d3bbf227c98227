"""Every change this project makes to Rasa at run time, behind one `install()`.

Each entry point calls `install()` before it loads a model: the server and the terminal
chat (`python -m rasa_patches run|shell`), the test stories, the held-out and safety gates
and the benchmarks (harness/nlu.py). So the gates score messages through the same
inference path patients get. Training does not need them.

The changes are measured against Rasa's own path and tested to give the same answers
(docs/benchmarks.md, tests/unit/test_rasa_speedups.py, tests/e2e/test_fast_predict.py,
tests/e2e/test_numpy_inference.py). Each one is tied to the versions it was measured on:
on any other Rasa or TensorFlow, nothing is changed and a warning says so.
"""

from __future__ import annotations

import logging
from typing import Callable, List, Tuple

logger = logging.getLogger(__name__)

RASA_VERSION = "3.6.21"
TENSORFLOW_SERIES = "2.12."
_installed: List[str] = []


def _rasa_changes() -> List[Tuple[str, Callable[[], None]]]:
    from rasa import server
    from rasa.core import processor
    from rasa.core import run as rasa_run
    from rasa.core.actions.action import RemoteAction
    from rasa.core.processor import MessageProcessor
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import Event
    from rasa.shared.nlu.training_data.message import Message

    from rasa_patches import nlu_thread, speedups
    from rasa_patches import server as server_limits
    from rasa_patches.graph_runner import SequentialGraphRunner

    def validator() -> None:
        RemoteAction._validate_action_result = speedups._cached_action_result_validator()

    def event_types() -> None:
        Event.resolve_by_type = staticmethod(speedups._cached_resolve_by_type())

    def sparse_features() -> None:
        Message.get_sparse_features = speedups._shared_sparse_features()

    def domain_is_empty() -> None:
        Domain.is_empty = speedups._remembered_is_empty()

    def graph_runner() -> None:
        processor.DaskGraphRunner = SequentialGraphRunner  # the name model loading uses

    def threaded_parse() -> None:
        MessageProcessor.parse_message = nlu_thread.parse_message

    def short_history() -> None:
        from rasa_patches.short_history import with_recent_turns

        MessageProcessor._predict_next_with_tracker = with_recent_turns(
            MessageProcessor._predict_next_with_tracker
        )

    def story_context() -> None:
        from rasa.core import test as rasa_test

        from rasa_patches.conversation import remember_story_trackers

        rasa_test.DialogueStateTracker = remember_story_trackers(rasa_test.DialogueStateTracker)

    def request_limit() -> None:
        rasa_run.configure_app = server_limits.with_request_limit(rasa_run.configure_app)

    def quiet_root() -> None:
        server.add_root_route = server_limits.add_root_route

    return [
        ("custom action replies: schema validator built once", validator),
        ("stored events: class lookup remembered", event_types),
        ("sparse features: combined once per message", sparse_features),
        ("domain emptiness: worked out once per domain", domain_is_empty),
        ("model graph: sequential runner instead of dask", graph_runner),
        (
            "NLU: the bot's recent replies on the message; two questions of one message "
            "parsed apart; a worker thread behind Redis",
            threaded_parse,
        ),
        ("dialogue policy: the last 3 turns, not the whole conversation", short_history),
        ("test stories: each message parsed with the story so far", story_context),
        ("HTTP: requests over 1 MB refused before they are read", request_limit),
        ("HTTP: GET / says ok, not the Rasa version", quiet_root),
    ]


def _tensorflow_changes() -> List[Tuple[str, Callable[[], None]]]:
    import threadpoolctl
    from rasa.nlu.classifiers.diet_classifier import DIETClassifier
    from rasa.utils.tensorflow.models import RasaModel

    from rasa_patches import speedups
    from rasa_patches.numpy_inference import load_with_scorer, numpy_predict

    def direct_call() -> None:
        RasaModel._rasa_predict = speedups._direct_predict()

    def serving_load() -> None:
        RasaModel.load = speedups._serving_load()

    def numpy_scores() -> None:
        DIETClassifier.load = load_with_scorer(DIETClassifier.load.__func__)
        DIETClassifier._predict = numpy_predict(DIETClassifier._predict)

    def one_blas_thread() -> None:
        # The scorer's products are tiny: a second OpenBLAS thread only spins, taking CPU
        # from the database and the other requests.
        threadpoolctl.threadpool_limits(1, user_api="blas")

    return [
        ("TensorFlow: one concrete function called directly", direct_call),
        ("models: loaded for serving without a training step", serving_load),
        ("DIET and ResponseSelector: scored in numpy", numpy_scores),
        ("numpy: OpenBLAS on one thread", one_blas_thread),
    ]


def install() -> List[str]:
    """Installs every change once (idempotent); returns the names of those installed."""
    if _installed:
        return list(_installed)
    import rasa

    if rasa.__version__ != RASA_VERSION:
        logger.warning(
            "Rasa %s is not %s: no run-time changes installed (rasa_patches)",
            rasa.__version__,
            RASA_VERSION,
        )
        return []
    changes = _rasa_changes()
    import tensorflow as tf

    if tf.__version__.startswith(TENSORFLOW_SERIES):
        changes += _tensorflow_changes()
    else:
        logger.warning("TensorFlow %s: DIET is called the usual way", tf.__version__)
    for name, change in changes:
        change()
        _installed.append(name)
        logger.info("rasa_patches: %s", name)
    return list(_installed)
