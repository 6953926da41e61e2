"""End to end: exports in, findings.json, report.html/.pdf, complaint drafts and manifest.json out."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from faircollect.evidence import manifest
from faircollect.evidence.kit import Options, run
from faircollect.policy.pack import Pack, load_pack
from tests.evidence.conftest import LexiconScreener, write_csv

NOW = datetime(2026, 4, 2, 8, 0, tzinfo=UTC)
STATEMENT = [
    {"text": "3月12日催收员打电话给我母亲，说我欠钱不还。"},
    {"text": "他们说会去我单位。", "at": "2026-03-20"},
]


@pytest.fixture(scope="module")
def cn_run(
    tmp_path_factory: pytest.TempPathFactory, android_export: tuple[Path, Path]
) -> tuple[Path, list[Path]]:
    out = tmp_path_factory.mktemp("cn-report")
    _, written = run(
        Options(
            paths=list(android_export),
            out_dir=out,
            pack=load_pack("cn"),
            lang="zh",
            tz="Asia/Shanghai",
            collectors=["13555556666"],
            statement=STATEMENT,
            screener=LexiconScreener(),
            now=NOW,
        )
    )
    return out, written


def test_outputs(cn_run: tuple[Path, list[Path]]) -> None:
    out, written = cn_run
    names = sorted(p.relative_to(out).as_posix() for p in written)
    assert names == [
        "complaints/complaint-12378.zh.md",
        "complaints/complaint-lender.zh.md",
        "findings.json",
        "manifest.json",
        "report.html",
        "report.pdf",
    ]


def test_findings_json(
    cn_run: tuple[Path, list[Path]], android_export: tuple[Path, Path], cn_pack: Pack
) -> None:
    doc = json.loads((cn_run[0] / "findings.json").read_text(encoding="utf-8"))
    assert doc["pack"] == {"id": "cn", "sha256": cn_pack.ref.sha256}
    assert [i["path"] for i in doc["inputs"]] == [str(p) for p in android_export]
    assert all(len(i["sha256"]) == 64 and i["records"] for i in doc["inputs"])
    assert {c["number"] for c in doc["collectors"]} == {
        "+8617100001111",
        "+8616522223333",
        "10690000888",
        "+8613555556666",
    }
    assert all(c["reason"]["zh"] and c["reason"]["en"] and c["counts"] for c in doc["collectors"])
    assert doc["totals"]["findings"] == len(doc["findings"]) > 50
    for f in doc["findings"]:
        assert {
            "contact",
            "code",
            "rule",
            "severity",
            "citation",
            "message",
            "evidence",
            "pack",
            "at",
        } <= f.keys()
        assert f["source"]["line"] > 0 and f["number"] in {c["number"] for c in doc["collectors"]}
    content = [f for f in doc["findings"] if f["code"].startswith("content.")]
    assert content and all(f["quote"] for f in content)
    insult = next(f for f in content if f["code"] == "content.abuse.insult")
    span = insult["evidence"]["spans"][0]
    assert insult["quote"][span["start"] : span["end"]] == "老赖"
    assert doc["allegations"] == STATEMENT


def test_manifest_proves_nothing_was_altered(
    cn_run: tuple[Path, list[Path]], android_export: tuple[Path, Path]
) -> None:
    out, _ = cn_run
    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert data["tool"]["name"] == "faircollect" and data["generated_at"] == "2026-04-02T08:00:00+00:00"
    assert data["pack"]["id"] == "cn" and len(data["pack"]["sha256"]) == 64
    assert {o["path"] for o in data["outputs"]} >= {"findings.json", "report.html", "report.pdf"}
    assert [i["path"] for i in data["inputs"]] == [str(p) for p in android_export]
    assert manifest.verify(out) == []


def test_tampering_is_detected(tmp_path: Path, cn_run: tuple[Path, list[Path]]) -> None:
    out = tmp_path / "copy"
    out.mkdir()
    for name in ("manifest.json", "findings.json", "report.html", "report.pdf"):
        (out / name).write_bytes((cn_run[0] / name).read_bytes())
    (out / "complaints").mkdir()
    for p in (cn_run[0] / "complaints").iterdir():
        (out / "complaints" / p.name).write_bytes(p.read_bytes())
    assert manifest.verify(out) == []
    page = (out / "report.html").read_text(encoding="utf-8")
    (out / "report.html").write_text(page.replace("老赖", "朋友"), encoding="utf-8")
    assert manifest.verify(out) == ["report.html"]


def test_pdf_pages_and_chinese_text(cn_run: tuple[Path, list[Path]]) -> None:
    reader = PdfReader(cn_run[0] / "report.pdf")
    pages = [p.extract_text() for p in reader.pages]
    # summary, charts, findings (several pages), allegations + limits, appendix (several pages)
    assert len(pages) >= 6
    assert "催收证据报告" in pages[0] and "认定的催收号码" in pages[0]
    assert "联系频率与时间" in pages[1]
    assert "违规发现" in pages[2]
    allegations = next(i for i, text in enumerate(pages) if "借款人陈述" in text)
    assert "打电话给我母亲" in pages[allegations] and "本报告不能证明的内容" in "".join(pages[allegations:])
    appendix = next(i for i, text in enumerate(pages) if "附录" in text)
    assert appendix > allegations
    assert "再不还钱就爆你通讯录" in "".join(pages[appendix:])
    assert "+8616522223333" in "".join(pages)
    images = [k for k in reader.pages[1]["/Resources"]["/XObject"] if k.startswith("/i")]
    assert len(images) == 2  # the two charts, embedded (data: URIs are the only thing ever fetched)
    fonts = {str(font.get_object()["/BaseFont"]) for font in reader.pages[0]["/Resources"]["/Font"].values()}
    assert any("CJK" in name for name in fonts)  # the Chinese font is embedded


def test_html_report_structure(cn_run: tuple[Path, list[Path]]) -> None:
    page = (cn_run[0] / "report.html").read_text(encoding="utf-8")
    for section in ('id="summary"', 'id="charts"', 'id="findings"', 'id="allegations"', 'id="appendix"'):
        assert section in page
    assert page.count("data:image/svg+xml;base64,") == 2
    assert "<mark>老赖</mark>" in page
    # allegations appear only in their own section, never among the proven facts
    facts = page.split('id="allegations"')[0]
    assert "打电话给我母亲" not in facts


def test_complaints_cn(cn_run: tuple[Path, list[Path]]) -> None:
    lender = (cn_run[0] / "complaints" / "complaint-lender.zh.md").read_text(encoding="utf-8")
    assert "【待填：姓名】" in lender and "【待填：身份证号码】" in lender
    assert "+8616522223333" in lender and "老赖" in lender and "GB/T 45251" in lender
    assert "立即停止在夜间" in lender
    hotline = (cn_run[0] / "complaints" / "complaint-12378.zh.md").read_text(encoding="utf-8")
    assert "12378" in hotline and "【待填：12378 给出的受理编号" in hotline


US_ROWS = [
    {
        "at": f"2026-05-0{d}T{h:02d}:{m:02d}:00-04:00",
        "direction": "incoming",
        "channel": "call",
        "number": "(212) 555-0100",
        "duration_s": "0" if m else "45",
    }
    for d in range(4, 7)
    for h in (7, 10, 13, 16, 21)
    for m in (0, 30)
] + [
    {
        "at": "2026-05-04T22:10:00-04:00",
        "direction": "incoming",
        "channel": "sms",
        "number": "212-555-0100",
        "text": "This is a debt collector. Your account is past due; pay today or you will go to jail, deadbeat.",
    },
    {
        "at": "2026-05-04T12:00:00-04:00",
        "direction": "incoming",
        "channel": "sms",
        "number": "+1 917 555 0199",
        "text": "Mom here. Did you pay back that loan? Dinner Sunday?",
    },
]


@pytest.mark.parametrize(
    ("pack", "tz", "drafts"),
    [
        ("us", "America/New_York", ["cease-letter.en.md", "cfpb-narrative.en.md", "dispute-letter.en.md"]),
        ("uk", "Europe/London", ["complaint-firm.en.md", "ombudsman-after-8-weeks.en.md"]),
    ],
)
def test_us_and_uk_from_csv_in_english(tmp_path: Path, pack: str, tz: str, drafts: list[str]) -> None:
    export = tmp_path / "log.csv"
    write_csv(export, US_ROWS)
    result, written = run(
        Options(
            paths=[export],
            out_dir=tmp_path / "out",
            pack=load_pack(pack),
            lang="en",
            tz=tz,
            screener=LexiconScreener(),
            pdf=False,
            now=NOW,
        )
    )
    number = {"us": "+12125550100", "uk": "+442125550100"}[pack]  # no country code: the borrower's country
    assert set(result.collectors) == {number}  # the mother is not a collector
    assert sorted(p.name for p in (tmp_path / "out" / "complaints").iterdir()) == drafts
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert (
        "Debt-collection evidence report" in page
        and "催收" not in page.split("<body>")[1].split('id="appendix"')[0]
    )
    codes = {f.code for f in result.findings}
    assert "time.quiet_hours" in codes and "content.threat.arrest" in codes
    first = (tmp_path / "out" / "complaints" / drafts[0]).read_text(encoding="utf-8")
    assert "[TO FILL:" in first and number in first
    if pack == "us":
        cfpb = (tmp_path / "out" / "complaints" / "cfpb-narrative.en.md").read_text(encoding="utf-8")
        assert "Issue: Communication tactics — Sub-issue: Called before 8am or after 9pm" in cfpb  # calls
        assert (
            "Issue: Electronic communications — Sub-issue: Contacted before 8am or after 9pm" in cfpb
        )  # the text
        assert "Threatened to arrest you or take you to jail if you do not pay" in cfpb
    assert "report.pdf" not in {p.name for p in written}
