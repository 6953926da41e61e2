from __future__ import annotations

from pathlib import Path

from faircollect.evidence.examples import CALLS, SMS, generate


def test_bundled_example_is_what_the_generator_writes(tmp_path: Path) -> None:
    sms, calls, n_sms, n_calls = generate.write_example(tmp_path)
    assert sms.read_bytes() == SMS.read_bytes()
    assert calls.read_bytes() == CALLS.read_bytes()
    assert 300 < n_sms < 1000 and 300 < n_calls < 1000


def test_noise_scales_the_volume_not_the_collectors() -> None:
    small = list(generate.messages(days=10, noise=1))
    big = list(generate.messages(days=10, noise=5))
    assert len(big) > 3 * len(small)
    agency = [m for m in big if m.address == generate.AGENCY]
    assert agency == [m for m in small if m.address == generate.AGENCY]


def test_demo_report(tmp_path: Path) -> None:
    from faircollect.evidence import examples
    from tests.evidence.conftest import LexiconScreener

    written = examples.report(tmp_path, LexiconScreener(), pdf=False)
    assert {p.name for p in written} >= {
        "findings.json",
        "report.html",
        "manifest.json",
        "complaint-lender.zh.md",
    }
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "催收人员多次打电话给我母亲" in page.split('id="allegations"')[1]
