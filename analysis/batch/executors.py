"""Running one pure per-document function over many documents: in this process, in a local process pool, or on a
Dask distributed cluster (the rows they return are spooled by `spool.Spool`).

The function and its context must be picklable (module-level function, plain data). Work is submitted a few
documents ahead of the results (`window`), so memory stays bounded whatever the corpus size; results arrive in
completion order, and `spool.Spool` writes the tables sorted by document id, so every mode gives the same bytes.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from typing import Any, TypeVar

from .. import config
from ..errors import AnalysisError

log = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")
C = TypeVar("C")

#: Documents (or bundles of small ones) submitted ahead per worker: enough to keep workers busy, few enough to bound
#: memory.
AHEAD_PER_WORKER = 4
#: Small items travel to a worker together, up to this many and this size in all (`run_local`'s `size`): each trip
#: through the pool costs the calling process about a millisecond, as much as analysing a short article.
BUNDLE_ITEMS, BUNDLE_SIZE = 8, 256_000

_worker: dict[str, Any] = {}


#: Linux prctl option: a signal this process gets when its parent dies.
_PR_SET_PDEATHSIG = 1


def _exit_with_parent(forked_from: int | None) -> None:
    """Make this worker process end when the process that asked for it dies (kill -9 included).

    Otherwise a worker waiting for its next task would wait forever: its own copy of the task queue keeps the queue
    open. A worker forked from that process (`forked_from`, its pid) asks Linux for SIGKILL when its parent dies
    (PR_SET_PDEATHSIG), then checks that the parent did not die before that. A fresh worker (forkserver, spawn) is
    the child of another process, so a thread waits on multiprocessing's sentinel of the process that asked for it
    (a pipe that only that process holds open) instead.
    """
    if forked_from is not None:
        _worker["alive"] = lambda: os.getppid() == forked_from
        if sys.platform.startswith("linux"):
            try:
                armed = ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
            except (OSError, AttributeError):
                armed = False
            if armed:
                if not _worker["alive"]():  # the parent died before the signal was armed
                    os._exit(1)
                return
        threading.Thread(target=_poll_parent, name="watch-parent", daemon=True).start()
        return
    parent = multiprocessing.parent_process()
    if parent is None:  # pragma: no cover - every worker of a pool has one
        _worker["alive"] = lambda: True
        return
    _worker["alive"] = parent.is_alive
    threading.Thread(target=_wait_for_parent, args=(parent,), name="watch-parent", daemon=True).start()


def _poll_parent() -> None:
    while _worker["alive"]():
        time.sleep(1.0)
    os._exit(1)


def _wait_for_parent(parent: multiprocessing.process.BaseProcess) -> None:
    parent.join()  # returns when the parent has exited
    os._exit(1)


def _init_worker(fn: Callable, context: object, setup: Callable | None, forked_from: int | None = None) -> None:
    # forked_from: the pid of the process that forked this worker (None for a fresh worker)
    _exit_with_parent(forked_from)
    _worker["fn"], _worker["context"] = fn, context
    # A forked worker inherits the parent's log handlers; the parent shows the warnings each result carries, so
    # the worker must not show them too (and in a fresh worker there are none to silence).
    logging.getLogger(config.LOGGER).propagate = False
    if setup is not None:
        setup(context)  # e.g. load the scorer once per worker process


def _call(items: list) -> list:
    if not _worker["alive"]():  # the process that asked for the result is gone
        os._exit(1)
    return [_worker["fn"](item, _worker["context"]) for item in items]


def bundles(items: Iterator[T], size: Callable[[T], int] | None) -> Iterator[list[T]]:
    """The items in order, in lists: without `size` one item each; else consecutive items together while there are
    at most BUNDLE_ITEMS of them and their sizes add up to at most BUNDLE_SIZE (a larger item goes alone; a bundle
    is complete when the next item does not fit, so one item more has been read)."""
    if size is None:
        yield from ([item] for item in items)
        return
    bundle: list[T] = []
    total = 0
    for item in items:
        n = size(item)
        if bundle and (total + n > BUNDLE_SIZE or len(bundle) == BUNDLE_ITEMS):
            yield bundle
            bundle, total = [], 0
        bundle.append(item)
        total += n
    if bundle:
        yield bundle


def _pool_context() -> multiprocessing.context.BaseContext:
    """How worker processes start: forked from this process when that is safe, else fresh (forkserver or spawn).

    Forking copies what this process has already loaded (modules, the scorer), so workers start at once instead of
    each importing and loading again. It is safe only on Linux (macOS system libraries may crash in a forked child)
    and while this process runs no other thread (a lock held by another thread at the fork would stay locked in the
    child), which is why a notebook kernel gets fresh workers.
    """
    methods = multiprocessing.get_all_start_methods()
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _bounded(submit: Callable[[T], Any], items: Iterator[T], ahead: int, ready: Callable,
             pending: set | None = None) -> Iterator[Any]:
    """Results as they become ready, keeping `ahead` items submitted (some may be submitted already: `pending`)."""
    pending = pending if pending is not None else {submit(item) for item in islice(items, ahead)}
    while pending:
        done, pending = ready(pending)
        yield from done
        pending |= {submit(item) for item in islice(items, len(done))}


def run_local(fn: Callable[[T, C], R], items: Iterable[T], context: C, jobs: int = 1,
              setup: Callable[[C], None] | None = None, size: Callable[[T], int] | None = None) -> Iterator[R]:
    """fn(item, context) for every item, here (jobs=1) or in `jobs` worker processes; completion order.

    `setup(context)` runs once here before anything else, and once in each worker that does not inherit it. The
    workers start, and the first items are submitted, before this returns: call it before starting threads (such
    as a progress bar's) so that workers can be forked. With `size` (an item's size, e.g. in bytes), small items go
    to a worker in bundles (`bundles`).
    """
    items = iter(items)
    if setup is not None:
        setup(context)
    if jobs == 1:
        return (fn(item, context) for item in items)
    mp_context = _pool_context()
    method = mp_context.get_start_method()
    inherit = method == "fork"
    log.debug("%d worker processes (%s)", jobs, method)
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=mp_context, initializer=_init_worker,
                               initargs=(fn, context, None if inherit else setup, os.getpid() if inherit else None))
    items = bundles(items, size)
    try:
        pending = {pool.submit(_call, bundle) for bundle in islice(items, jobs * AHEAD_PER_WORKER)}
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    return _pool_results(pool, items, jobs * AHEAD_PER_WORKER, pending)


def _pool_results(pool: ProcessPoolExecutor, items: Iterator, ahead: int, pending: set) -> Iterator:
    with pool:
        try:
            for future in _bounded(lambda item: pool.submit(_call, item), items, ahead,
                                   lambda waiting: wait(waiting, return_when=FIRST_COMPLETED), pending):
                yield from future.result()
        except BrokenProcessPool:
            raise AnalysisError("a worker process died (out of memory? try fewer --jobs or a smaller --max-chars; "
                                "a script that calls run() with jobs > 1 needs `if __name__ == \"__main__\":`)"
                                ) from None
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def run_dask(fn: Callable[[T, C], R], items: Iterable[T], context: C, scheduler: str | Any,
             timeout: float | None = None, same: Callable[[], dict] | None = None) -> Iterator[R]:
    """fn(item, context) for every item on a Dask distributed cluster (scheduler address or Client); completion order.

    The context is sent to every worker once; items go a few at a time per worker thread. `timeout` (seconds) for
    connecting defaults to Dask's configuration (`distributed.comm.timeouts.connect`, 30 s). `same()` (e.g. the
    versions of packages that affect results) must give on every worker what it gives here, or nothing runs.
    """
    try:
        from distributed import Client, as_completed
    except ImportError:  # pragma: no cover - dask[distributed] is a dependency
        raise AnalysisError("--scheduler needs dask[distributed]; install the locked environment") from None
    own = not hasattr(scheduler, "submit")
    try:
        options = {} if timeout is None else {"timeout": timeout}
        client = Client(scheduler, set_as_default=False, **options) if own else scheduler
    except (OSError, TimeoutError, ValueError) as exc:
        raise AnalysisError(f"cannot connect to the Dask scheduler at {scheduler} ({exc}); check the address "
                            "(e.g. tcp://host:8786) and that the scheduler is running") from None
    try:
        threads = sum(client.nthreads().values())
        if not threads:
            raise AnalysisError(f"the Dask cluster at {scheduler} has no workers; start some (dask worker ADDRESS)")
        if same is not None:
            _check_workers(client, same)
        shared = client.scatter(context, broadcast=True)
        finished = as_completed(loop=client.loop)

        def submit(item: T) -> Any:
            future = client.submit(fn, item, shared, pure=False)
            finished.add(future)
            return future

        def ready(pending: set) -> tuple[set, set]:
            future = next(finished)
            return {future}, pending - {future}

        for future in _bounded(submit, iter(items), max(2, threads * AHEAD_PER_WORKER), ready):
            result = future.result()
            future.release()
            yield result
    finally:
        if own:
            client.close()


def _check_workers(client: Any, same: Callable[[], dict]) -> None:
    here = same()
    for worker, theirs in sorted(client.run(same).items()):
        if theirs != here:
            diff = "; ".join(f"{k} {theirs.get(k, 'missing')} there, {v} here" for k, v in sorted(here.items())
                             if theirs.get(k) != v)
            raise AnalysisError(f"the Dask worker {worker} differs from this machine ({diff}); install the same "
                                "locked environment on every worker (make install)")
