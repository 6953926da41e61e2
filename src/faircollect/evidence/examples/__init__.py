"""A bundled example export (Android SMS Backup & Restore) and the generator that wrote it.

`report(out_dir)` turns it into a full evidence report: what `make demo` shows. From a shell:

    faircollect evidence scan src/faircollect/evidence/examples/sms-20260401090000.xml \\
        src/faircollect/evidence/examples/calls-20260401090000.xml --collector +8613555556666 --out demo-out/evidence
"""

from __future__ import annotations

from pathlib import Path

from faircollect.policy.screener import Screener

HERE = Path(__file__).parent
SMS = HERE / "sms-20260401090000.xml"
CALLS = HERE / "calls-20260401090000.xml"
COLLECTOR_ONLY_BY_CALLS = "+8613555556666"  # calls only, never texts: a collector only if named
STATEMENT = [
    {"text": "2026年3月12日起，催收人员多次打电话给我母亲和我的同事，说我欠钱不还。"},
    {"text": "3月20日有两个人到我单位门口，说要找我“谈谈”。"},
]


def report(out_dir: Path, screener: Screener | None = None, pdf: bool = True) -> list[Path]:
    """The evidence report of the bundled example (cn pack, Chinese); returns the files written."""
    from faircollect.evidence.kit import Options, run
    from faircollect.policy.pack import load_pack

    pack = load_pack("cn")
    _, written = run(
        Options(
            paths=[SMS, CALLS],
            out_dir=out_dir,
            pack=pack,
            lang="zh",
            tz=pack.default_tz,
            collectors=[COLLECTOR_ONLY_BY_CALLS],
            statement=STATEMENT,
            screener=screener,
            pdf=pdf,
        )
    )
    return written
