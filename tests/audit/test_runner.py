"""The batch runner gives the same findings in one process, a process pool and on Dask."""

from __future__ import annotations

import pytest

from faircollect.audit.runner import run_audit
from faircollect.policy.pack import load_pack
from tests.builders import contact, event


def records():  # type: ignore[no-untyped-def]
    out = []
    for d in range(12):
        for h in range(9, 15):
            out.append(contact(f"2026-03-02T{h:02d}:00:00+08:00", debtor=f"d{d}", account=f"a{d}"))
        out.append(contact("2026-03-02T23:00:00+08:00", debtor=f"d{d}", account=f"a{d}", channel="sms"))
    out.append(event("2026-03-01T00:00:00+08:00", "dispute_opened", account="a3"))
    return out


def keys(result):  # type: ignore[no-untyped-def]
    return [(f.contact, f.rule) for f in result.findings]


def test_process_pool_matches_one_process() -> None:
    pack, recs = load_pack("cn"), records()
    local = run_audit(pack, recs)
    assert local.debtors == 12 and local.contacts == 84
    assert len(local.findings) == 12 * (3 + 1) + 7  # 3 over the cap + 1 night sms each; 7 contacts held
    assert keys(run_audit(pack, recs, workers=2)) == keys(local)


def test_dask_cluster_matches_one_process() -> None:
    distributed = pytest.importorskip("distributed")
    pack, recs = load_pack("cn"), records()
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        result = run_audit(pack, recs, cluster=cluster.scheduler_address)
    assert keys(result) == keys(run_audit(pack, recs))


def test_progress_is_reported_for_every_record() -> None:
    done: list[int] = []
    recs = records()
    run_audit(load_pack("cn"), recs, progress=done.append)
    assert sum(done) == len(recs)
