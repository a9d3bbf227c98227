"""Scale-out on real parts, on loopback: nginx in front of two Rasa servers sharing a
PostgreSQL tracker store and a Redis lock store, one separate action server.

One conversation's messages alternate between the servers and keep their context; a burst
from one sender is handled in order with none lost; stopping one server mid-load loses
no committed turn.
"""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, Iterator, List, Tuple

import pytest
import requests

from harness.cluster import Cluster
from harness.servers import MODEL


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    if not MODEL.exists():
        pytest.fail(f"No trained model at {MODEL}: run `make train` (make test does).")
    running = Cluster(tmp_path_factory.mktemp("cluster"))
    try:
        running.start()
        yield running
    finally:
        running.stop()


def test_one_conversation_alternates_servers_and_keeps_its_context(cluster: Cluster) -> None:
    sender = f"scale-{uuid.uuid4().hex[:8]}"
    texts = ["how do I store imuran?", "can I talk to a nurse", "I forgot a dose",
             "what are the side effects", "thanks"]  # fmt: skip
    upstreams = set()
    for text in texts:
        replies, upstream = cluster.send(sender, text)
        assert replies
        upstreams.add(upstream)
    assert len(upstreams) == 2, f"one conversation should reach both servers: {upstreams}"
    assert cluster.user_texts(sender) == texts  # every turn, in order, on either server
    # Both servers see the same stored conversation.
    a, b = (server.tracker(sender)["events"] for server in cluster.servers)
    assert len(a) == len(b)


def test_a_burst_from_one_sender_is_handled_in_order_with_none_lost(cluster: Cluster) -> None:
    sender = f"burst-{uuid.uuid4().hex[:8]}"
    texts = [f"how do I store imuran? ({i})" for i in range(12)]
    results: Dict[int, int] = {}

    def send(i: int) -> None:
        replies, _ = cluster.send(sender, texts[i])
        results[i] = len(replies)

    threads = []
    # Sent 100 ms apart (a turn takes longer), overlapping on two servers. A message's place
    # is its lock ticket, issued when a server's event loop takes it up: with the lock
    # store's atomic, non-sleeping tickets and the NLU off the event loop, about 1 burst in
    # 50 sent 30 ms apart came out of order on this noisy host (once in CI); none of 24 at
    # 100 ms. Closer than this the order is kept in practice, not promised
    # (docs/production.md).
    for i in range(len(texts)):
        thread = threading.Thread(target=send, args=(i,))
        thread.start()
        threads.append(thread)
        time.sleep(0.1)
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(results) == list(range(len(texts))) and all(results.values())
    assert cluster.user_texts(sender) == texts


def test_stopping_one_server_mid_load_loses_no_committed_turn(cluster: Cluster) -> None:
    committed: List[Tuple[str, str]] = []
    failed: List[Tuple[str, str]] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + 12

    def user(n: int) -> None:
        sender, i = f"load-{n}-{uuid.uuid4().hex[:6]}", 0
        while time.monotonic() < stop_at:
            text = f"what are the side effects? #{i}"
            i += 1
            try:
                cluster.send(sender, text)
                with lock:
                    committed.append((sender, text))
            except requests.RequestException:
                with lock:
                    failed.append((sender, text))

    with ThreadPoolExecutor(max_workers=6) as pool:
        futures = [pool.submit(user, n) for n in range(6)]
        time.sleep(4)
        cluster.servers[1].stop_rasa()  # one server goes away under load
        for future in futures:
            future.result()
    assert len(committed) > 20
    by_sender: Dict[str, List[str]] = {}
    for sender, text in committed:
        by_sender.setdefault(sender, []).append(text)
    for sender, texts in by_sender.items():
        stored = cluster.user_texts(sender)
        missing = [t for t in texts if t not in stored]
        assert not missing, f"{sender}: committed turns missing from the store: {missing}"
    # Requests in flight to the stopped server may fail (the client retries); none that
    # got an answer is lost, and after the stop everything goes to the other server.
    assert len(failed) <= 6, f"too many failures: {len(failed)}"
    cluster.servers[1].start_rasa()
