from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from faircollect.evidence.importers import EvidenceError, ImportStats, PhoneRecord, android_xml

HEAD = "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n"


def read_all(path: Path) -> tuple[list[PhoneRecord], ImportStats]:
    stats = ImportStats(path, "unknown")
    return list(android_xml.read(path, 0, "cn", "Asia/Shanghai", stats)), stats


def write(tmp_path: Path, body: str, name: str = "x.xml") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def test_realistic_export_is_read_completely(android_export: tuple[Path, Path]) -> None:
    sms, calls = android_export
    messages, s_stats = read_all(sms)
    rings, c_stats = read_all(calls)
    assert s_stats.format == "android-sms" and c_stats.format == "android-calls"
    assert len(messages) > 300 and len(rings) > 300
    assert s_stats.counts["mms"] == 2 and not s_stats.errors
    assert {r.number for r in messages} >= {"+8613912345678", "95555", "+8617100001111", "+8616522223333"}
    assert all(r.at.tzinfo is not None for r in messages + rings)


def test_sms_and_mms_fields(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEAD
        + textwrap.dedent(
            """\
            <smses count="5">
              <sms protocol="0" address="+86 171 0000 1111" date="1772373600000" type="1" body="您已逾期，请尽快还款" read="1" />
              <sms address="17100001111" date="1772373660000" type="2" body="下周还" />
              <sms address="17100001111" date="1772373720000" type="3" body="草稿" />
              <mms date="1772373780000" msg_box="1" address="+8616522223333">
                <parts><part seq="-1" ct="application/smil" text="&lt;smil/&gt;" />
                  <part seq="0" ct="text/plain" text="照片发到公司群" />
                  <part seq="1" ct="image/jpeg" data="AAAA" /></parts>
                <addrs><addr address="+8616522223333" type="137" charset="106" /><addr address="+8613700009999" type="151" /></addrs>
              </mms>
              <mms date="1772373840000" msg_box="2" address="+8613912345678">
                <parts><part ct="text/plain" text="好的" /></parts>
                <addrs><addr address="+8613700009999" type="137" /><addr address="13912345678" type="151" /></addrs>
              </mms>
            </smses>
            """
        ),
    )
    records, stats = read_all(path)
    assert [r.incoming for r in records] == [True, False, True, False]
    assert records[0].number == records[1].number == "+8617100001111"
    assert records[0].outcome == "delivered" and records[1].outcome == "sent"
    assert records[0].at.isoformat() == "2026-03-01T14:00:00+00:00"
    assert (
        records[2].text == "照片发到公司群"
        and records[2].number == "+8616522223333"
        and records[2].kind == "mms"
    )
    assert records[3].number == "+8613912345678"  # the recipient of a sent MMS
    assert stats.skipped["sms-type-3"] == 1
    assert records[0].line == 3


@pytest.mark.parametrize(
    ("ctype", "duration", "incoming", "outcome", "kind"),
    [
        ("1", "72", True, "connected", "call-incoming"),
        ("1", "0", True, "unanswered", "call-incoming"),
        ("2", "30", False, "connected", "call-outgoing"),
        ("2", "0", False, "unanswered", "call-outgoing"),
        ("3", "0", True, "unanswered", "call-missed"),
        ("4", "12", True, "voicemail", "call-voicemail"),
        ("5", "0", True, "unanswered", "call-rejected"),
        ("6", "0", True, "unanswered", "call-blocked"),
    ],
)
def test_call_types(
    tmp_path: Path, ctype: str, duration: str, incoming: bool, outcome: str, kind: str
) -> None:
    path = write(
        tmp_path,
        HEAD
        + f'<calls count="1"><call number="13555556666" duration="{duration}" date="1772373600000" type="{ctype}" presentation="1" /></calls>',
    )
    (record,), _ = read_all(path)
    assert (record.incoming, record.outcome, record.kind, record.channel) == (incoming, outcome, kind, "call")
    assert record.duration_s == float(duration)


BOMB = HEAD + textwrap.dedent(
    """\
    <!DOCTYPE smses [
      <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
      <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
      <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
      <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
      <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
    ]>
    <smses count="1"><sms address="1" date="1" type="1" body="&e;" /></smses>
    """
)
EXTERNAL = HEAD + (
    '<!DOCTYPE smses [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    '<smses count="1"><sms address="1" date="1" type="1" body="&xxe;" /></smses>\n'
)
HIDDEN = (
    "\ufeff"
    + HEAD
    + '<!-- exported -->\n<!DOCTYPE calls SYSTEM "http://example.invalid/calls.dtd">\n<calls />'
)


@pytest.mark.parametrize(("body", "line"), [(BOMB, 2), (EXTERNAL, 2), (HIDDEN, 3)])
def test_doctype_and_entities_are_refused_naming_the_file(tmp_path: Path, body: str, line: int) -> None:
    path = write(tmp_path, body, "sms-evil.xml")
    with pytest.raises(EvidenceError) as err:
        read_all(path)
    message = str(err.value)
    assert message.startswith(f"{path}:{line}: xml: ")
    assert "not allowed" in message


@pytest.mark.parametrize(
    ("body", "where", "field"),
    [
        (
            HEAD
            + '<smses count="2">\n<sms address="1" date="1772373600000" type="1" body="a" />\n<sms address="1" date="17723',
            ":4: xml: ",
            None,
        ),
        (
            HEAD + "<smses>\n<sms address='1' date='1' type='1' body='x' /></smses>\n<extra/>",
            ":4: xml: ",
            None,
        ),
        (HEAD + "<html><body/></html>", ":2: root: ", None),
        (
            HEAD + '<smses>\n<sms address="1" date="yesterday" type="1" body="x" />\n</smses>',
            ":3: date: ",
            "date",
        ),
        (
            HEAD + '<calls>\n\n<call number="1" date="1772373600000" type="1" duration="long" />\n</calls>',
            ":4: duration: ",
            "duration",
        ),
        ("", ":", None),
    ],
)
def test_malformed_files_give_file_and_line(tmp_path: Path, body: str, where: str, field: str | None) -> None:
    path = write(tmp_path, body, "broken.xml")
    if field is None:
        with pytest.raises(EvidenceError) as err:
            read_all(path)
        assert str(err.value).startswith(f"{path}{where}")
    else:
        records, stats = read_all(path)
        assert records == []
        assert stats.errors and stats.errors[0].startswith(f"{path}{where}")


def test_hundred_thousand_messages_in_bounded_memory(tmp_path: Path) -> None:
    """The importer streams: reading 100,000 messages keeps a few MB of Python objects and a flat RSS."""
    script = textwrap.dedent(
        f"""
        import resource, sys, tracemalloc
        from pathlib import Path
        from faircollect.evidence.examples import generate
        from faircollect.evidence.importers import ImportStats, android_xml
        path = Path({str(tmp_path)!r}) / "sms-big.xml"
        n = generate.write_sms(path, generate.messages(days=365, noise=28, seed=3))
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        tracemalloc.start()
        stats = ImportStats(path, "unknown")
        count = sum(1 for _ in android_xml.read(path, 0, "cn", "Asia/Shanghai", stats))
        _, peak = tracemalloc.get_traced_memory()
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(n, count, path.stat().st_size, peak, after - before)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=600
    )
    n, count, size, peak, growth_kib = (int(x) for x in out.stdout.split())
    assert n >= 100_000 and count == n
    assert size > 30_000_000  # tens of MB of XML …
    assert peak < 16 * 1024 * 1024  # … read with under 16 MB of Python objects at any time
    assert growth_kib < 64 * 1024  # and under 64 MB of process growth (lxml's C side included)
