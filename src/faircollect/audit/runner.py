"""Batch audit: partition records by debtor and replay each partition through the engine.

Partitions run in this process, in a local process pool (`workers`), or on a Dask cluster (`cluster`).
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone

from faircollect.model import Contact, Finding, Record
from faircollect.policy.engine import audit_stream
from faircollect.policy.pack import Pack
from faircollect.policy.screener import Screener
from faircollect.policy.streams import group_by_debtor

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
ScreenerFactory = Callable[[], Screener | None]
Progress = Callable[[int], None]  # called with the number of records just done


@dataclass
class AuditResult:
    findings: list[Finding]
    debtors: int
    contacts: int
    orphan_events: list[str]


def _no_screener() -> Screener | None:
    return None


def _audit_chunk(pack: Pack, chunk: Sequence[Sequence[Record]], factory: ScreenerFactory) -> list[Finding]:
    screener = factory()
    found: list[Finding] = []
    for stream in chunk:
        found.extend(audit_stream(pack, stream, screener))
    return found


def _chunks(streams: list[list[Record]], size: int) -> Iterable[list[list[Record]]]:
    for i in range(0, len(streams), size):
        yield streams[i : i + size]


def run_audit(
    pack: Pack,
    records: Sequence[Record],
    screener_factory: ScreenerFactory = _no_screener,
    workers: int = 1,
    cluster: str | None = None,
    progress: Progress | None = None,
) -> AuditResult:
    grouped = group_by_debtor(records)
    streams = list(grouped.by_debtor.values())
    contacts = sum(1 for r in records if isinstance(r, Contact))
    chunk_size = max(1, min(2000, len(streams) // max(1, workers * 8) or 1))
    found: list[Finding] = []
    if cluster:
        found = _on_dask(pack, streams, screener_factory, cluster, chunk_size, progress)
    elif workers > 1:
        found = _in_pool(pack, streams, screener_factory, workers, chunk_size, progress)
    else:
        screener = screener_factory()
        for stream in streams:
            found.extend(audit_stream(pack, stream, screener))
            if progress:
                progress(len(stream))
    found.sort(key=lambda f: (f.at or _EPOCH, f.debtor or "", f.contact, f.rule))
    return AuditResult(found, len(streams), contacts, [e.id for e in grouped.orphans])


_FORKED: list[list[Record]] = []  # the streams, inherited by forked workers instead of pickled to them


def _audit_forked(pack: Pack, start: int, stop: int, factory: ScreenerFactory) -> list[Finding]:
    return _audit_chunk(pack, _FORKED[start:stop], factory)


def _in_pool(
    pack: Pack,
    streams: list[list[Record]],
    factory: ScreenerFactory,
    workers: int,
    chunk_size: int,
    progress: Progress | None,
) -> list[Finding]:
    """A local process pool. Where the platform forks, workers read the streams from the parent's memory
    (copy-on-write) and only findings travel back; elsewhere the chunks are pickled."""
    found: list[Finding] = []
    forking = "fork" in multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if forking else None)
    if forking:
        _FORKED[:] = streams
        gc.freeze()  # keep the collector from touching (and so copying) the inherited objects
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = []
            for start in range(0, len(streams), chunk_size):
                stop = min(start + chunk_size, len(streams))
                future = (
                    pool.submit(_audit_forked, pack, start, stop, factory)
                    if forking
                    else pool.submit(_audit_chunk, pack, streams[start:stop], factory)
                )
                futures.append((future, sum(len(s) for s in streams[start:stop])))
            for future, size in futures:
                found.extend(future.result())
                if progress:
                    progress(size)
    finally:
        _FORKED.clear()
        if forking:
            gc.unfreeze()
    return found


def _on_dask(
    pack: Pack,
    streams: list[list[Record]],
    factory: ScreenerFactory,
    address: str,
    chunk_size: int,
    progress: Progress | None,
) -> list[Finding]:
    from distributed import Client, as_completed

    found: list[Finding] = []
    with Client(address) as client:  # type: ignore[no-untyped-call]
        packed = client.scatter(pack, broadcast=True)
        sizes = {}
        futures = []
        for chunk in _chunks(streams, chunk_size):
            future = client.submit(_audit_chunk, packed, chunk, factory, pure=False)
            sizes[future.key] = sum(map(len, chunk))
            futures.append(future)
        for future in as_completed(futures):  # type: ignore[no-untyped-call]
            found.extend(future.result())
            if progress:
                progress(sizes[future.key])
    return found
