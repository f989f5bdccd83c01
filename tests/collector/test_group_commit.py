"""The group commit (storage/base.py): the writes waiting together share one transaction, a
failing one is rolled back alone, and every writer hears of its own outcome after the commit.

Each test holds the writer in a first write until the others are queued behind it, so they
are certain to be committed as one batch; on both backends.
"""

from __future__ import annotations

import asyncio
import threading

import pytest

from panelsite.collector.storage import Rate, StorageError, open_storage

RATE = Rate("bucket-of-one-client", 0, 1000)


@pytest.fixture
def storage(database_url, tmp_path):
    storage = open_storage(database_url, tmp_path)
    yield storage
    storage.close()


def _hold_the_writer(storage) -> tuple[threading.Event, threading.Thread]:
    """A write that waits for ``release`` inside the writer's transaction; the next writes queue behind it."""
    inside, release = threading.Event(), threading.Event()

    def held(tx):
        inside.set()
        release.wait(10)
        tx.execute("INSERT INTO heartbeat (id, at) VALUES (1, 0)")

    thread = threading.Thread(target=storage._write, args=(held,))
    thread.start()
    assert inside.wait(10)
    return release, thread


def _key(tx, key: str) -> None:
    tx.execute("INSERT INTO submissions (slug, form, skey, created) VALUES ('lindenhaven', 'contact', ?, 0)", (key,))


def test_a_failing_write_is_rolled_back_alone_and_the_others_are_committed(storage):
    release, holder = _hold_the_writer(storage)
    outcomes: dict[str, object] = {}

    def write(name, fn):
        try:
            outcomes[name] = storage._write(fn)
        except Exception as exc:  # noqa: BLE001 - the outcome is what is checked
            outcomes[name] = exc

    def half_then_a_duplicate(tx):
        _key(tx, "half-written")
        _key(tx, "first")  # the primary key of "first", queued before: a database error

    def bug(tx):
        _key(tx, "never-stored")
        raise RuntimeError("a bug in one write")

    writes = [("first", lambda tx: _key(tx, "first") or "ok"), ("duplicate", half_then_a_duplicate),
              ("bug", bug), ("last", lambda tx: _key(tx, "last") or "ok")]
    threads = []
    for name, fn in writes:  # one after the other, so they queue in this order
        threads.append(threading.Thread(target=write, args=(name, fn)))
        threads[-1].start()
        while storage._queue.qsize() < len(threads):
            threading.Event().wait(0.005)
    release.set()
    holder.join()
    [t.join(10) for t in threads]

    assert outcomes["first"] == outcomes["last"] == "ok"
    assert isinstance(outcomes["duplicate"], StorageError)  # the driver's error, as StorageError
    assert isinstance(outcomes["bug"], RuntimeError) and str(outcomes["bug"]) == "a bug in one write"
    assert sorted(storage.submission_keys("lindenhaven", "contact")) == ["first", "last"]
    assert storage.count("submissions") == 2


def test_coroutines_wait_for_the_commit_without_holding_a_thread(storage):
    from panelsite.collector.storage import Response

    release, holder = _hold_the_writer(storage)

    async def submit_many():
        answers = Response("lindenhaven", "proef-2026", None, {}, {"q1": 1}, 0.0)
        tasks = [asyncio.ensure_future(storage.submit_async("lindenhaven", "vragenlijst-proef-2026", f"key-{n:04d}",
                                                            0.0, RATE, answers)) for n in range(20)]
        tasks.append(asyncio.ensure_future(storage.submit_async("lindenhaven", "vragenlijst-proef-2026", "key-0000",
                                                                0.0, RATE, answers)))
        while storage._queue.qsize() < len(tasks):
            await asyncio.sleep(0.005)
        assert not any(t.done() for t in tasks)  # queued behind the held write: nobody is answered yet
        assert storage.count("responses") == 0
        release.set()
        return await asyncio.gather(*tasks)

    outcomes = asyncio.run(submit_many())
    holder.join()
    assert outcomes == [("stored", None)] * 20 + [("duplicate", None)]
    assert storage.count("responses") == 20
    assert storage.hits(RATE) == 21
