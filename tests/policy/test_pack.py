"""Policy packs: schema, the rules each jurisdiction must have, overlays that tighten, hashes."""

from __future__ import annotations

from pathlib import Path

import pytest

from faircollect.policy.pack import PackError, load_pack
from faircollect.policy.registry import registered
from faircollect.policy.screener import LABELS

CONTENT = {f"content.{label}" for label in LABELS}
# rules.md, column by column
EXPECTED = {
    "cn": {
        "time.quiet_hours",
        "frequency.connected_calls_day",
        "frequency.unanswered_attempts_day",
        "third_party.not_permitted",
        "third_party.refused",
        "third_party.disclosure",
        "hold.dispute",
        "hold.hardship",
        "hold.deceased",
        "channel.opted_out",
        "visit.team_size",
    }
    | CONTENT,
    "us": {
        "time.quiet_hours",
        "frequency.calls_7_days",
        "frequency.after_conversation",
        "third_party.refused",
        "third_party.repeat",
        "third_party.disclosure",
        "hold.dispute",
        "hold.cease",
        "hold.attorney",
        "hold.hardship",
        "hold.deceased",
        "channel.opted_out",
    }
    | CONTENT,
    "uk": {
        "time.quiet_hours",
        "frequency.calls_day",
        "frequency.messages_day",
        "third_party.refused",
        "third_party.disclosure",
        "hold.dispute",
        "hold.breathing_space",
        "hold.hardship",
        "hold.deceased",
        "channel.opted_out",
        "visit.vulnerable",
    }
    | CONTENT,
}
PARAMS = {
    ("cn", "time.quiet_hours"): {"start": "08:00", "end": "22:00"},
    ("cn", "frequency.connected_calls_day"): {"max": 3},
    ("cn", "frequency.unanswered_attempts_day"): {"max": 6},
    ("cn", "visit.team_size"): {"min": 2},
    ("us", "time.quiet_hours"): {"start": "08:00", "end": "21:00"},
    ("us", "frequency.calls_7_days"): {"max": 7, "days": 7},
    ("us", "frequency.after_conversation"): {"days": 7},
    ("us", "third_party.repeat"): {"max": 1},
    ("uk", "time.quiet_hours"): {"start": "08:00", "end": "21:00"},
    ("uk", "frequency.calls_day"): {"max": 3},
    ("uk", "frequency.messages_day"): {"max": 3},
    ("uk", "hold.breathing_space"): {"default_days": 60},
}


@pytest.mark.parametrize("name", ["cn", "us", "uk"])
def test_builtin_packs_have_every_rule_of_rules_md(name: str) -> None:
    pack = load_pack(name)
    assert {r.code for r in pack.rules} == EXPECTED[name]
    for r in pack.rules:
        assert r.citation["zh"] and r.citation["en"] and r.explain["zh"] and r.explain["en"]
        assert r.confidence in ("confirmed", "secondary", "unconfirmed")
    ids = [r.id for r in pack.rules]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(("key", "params"), PARAMS.items())
def test_parameters_match_rules_md(key: tuple[str, str], params: dict[str, object]) -> None:
    pack = load_pack(key[0])
    (rule,) = [r for r in pack.rules if r.code == key[1]]
    assert dict(rule.params) == params


def test_uk_caps_are_policy_and_the_rest_law() -> None:
    pack = load_pack("uk")
    policy = {r.code for r in pack.rules if r.severity == "policy"}
    assert policy == {"frequency.calls_day", "frequency.messages_day"}


def test_every_registered_code_is_used_by_some_pack() -> None:
    used = set().union(*EXPECTED.values())
    assert set(registered()) == used


def test_hash_is_stable_and_tracks_content(tmp_path: Path) -> None:
    assert load_pack("cn").ref.sha256 == load_pack("cn").ref.sha256
    overlay = _overlay(tmp_path, "rules:\n  - id: cn.gbt45251.voice_cap\n    params: {max: 2}\n")
    assert load_pack(overlay).ref.sha256 != load_pack("cn").ref.sha256


def _overlay(tmp_path: Path, body: str, head: str = "extends: cn\n") -> str:
    path = tmp_path / "lender.yaml"
    path.write_text(
        "id: lender\nname: {zh: 某贷款公司, en: A lender}\nversion: '1'\neffective: 2026-06-01\n"
        + head
        + body,
        "utf-8",
    )
    return str(path)


def test_tightening_a_legal_rule_adds_a_policy_rule(tmp_path: Path) -> None:
    pack = load_pack(
        _overlay(
            tmp_path, "rules:\n  - id: cn.gbt45251.quiet_hours\n    params: {start: '09:00', end: '21:00'}\n"
        )
    )
    legal = pack.rule("cn.gbt45251.quiet_hours")
    tighter = pack.rule("lender.cn.gbt45251.quiet_hours")
    assert (legal.severity, dict(legal.params)) == ("violation", {"start": "08:00", "end": "22:00"})
    assert (tighter.severity, dict(tighter.params)) == ("policy", {"start": "09:00", "end": "21:00"})
    assert pack.lineage == ("cn", "lender")


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (
            "  - id: cn.gbt45251.voice_cap\n    params: {max: 5}\n",
            "params.max: 5 loosens legal rule cn.gbt45251.voice_cap",
        ),
        ("  - id: cn.gbt45251.quiet_hours\n    params: {end: '23:00'}\n", "params.end"),
        ("  - id: cn.gbt45251.quiet_hours\n    params: {start: '07:00'}\n", "params.start"),
        ("  - id: cn.cba2026.field_visit\n    params: {min: 1}\n", "params.min"),
        ("  - id: cn.gbt45251.contacts\n    enabled: false\n", "cannot be switched off"),
        ("  - id: cn.gbt45251.contacts\n    severity: policy\n", "cannot become a mere policy"),
    ],
)
def test_loosening_a_legal_rule_is_an_error_that_says_which(tmp_path: Path, body: str, says: str) -> None:
    with pytest.raises(PackError, match=r"lender\.yaml") as info:
        load_pack(_overlay(tmp_path, "rules:\n" + body))
    assert says in str(info.value)


def test_overlay_adds_policy_rules_only(tmp_path: Path) -> None:
    rule = (
        "  - id: lender.sms_cap\n    code: frequency.messages_day\n    severity: {sev}\n    params: {{max: 2}}\n"
        "    citation: {{zh: 内部规定, en: house rule}}\n    confidence: confirmed\n"
        "    explain: {{zh: 每天最多两条短信, en: at most two texts a day}}\n"
    )
    pack = load_pack(_overlay(tmp_path, "rules:\n" + rule.format(sev="policy")))
    assert pack.rule("lender.sms_cap").severity == "policy"
    with pytest.raises(PackError, match=r"use 'policy'"):
        load_pack(_overlay(tmp_path, "rules:\n" + rule.format(sev="violation")))


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("id: x\n", "name: Field required"),
        (
            "id: x\nname: {zh: a, en: b}\nversion: '1'\neffective: 2026-01-01\njurisdiction: fr\n",
            "jurisdiction",
        ),
        (
            "id: x\nname: {zh: a, en: b}\nversion: '1'\neffective: 2026-01-01\njurisdiction: cn\nrules:\n"
            "  - id: r\n    code: time.nope\n    severity: violation\n    citation: {zh: a, en: b}\n"
            "    confidence: confirmed\n    explain: {zh: a, en: b}\n",
            "unknown finding code",
        ),
        (
            "id: x\nname: {zh: a, en: b}\nversion: '1'\neffective: 2026-01-01\njurisdiction: cn\nrules:\n"
            "  - id: r\n    code: time.quiet_hours\n    severity: violation\n    params: {start: '8am'}\n"
            "    citation: {zh: a, en: b}\n    confidence: confirmed\n    explain: {zh: a, en: b}\n",
            "HH:MM",
        ),
        (
            "id: x\nname: {zh: a, en: b}\nversion: '1'\neffective: 2026-01-01\njurisdiction: cn\nrules:\n"
            "  - id: r\n    code: frequency.calls_day\n    severity: violation\n    params: {maximum: 2}\n"
            "    citation: {zh: a, en: b}\n    confidence: confirmed\n    explain: {zh: a, en: b}\n",
            "unknown parameter",
        ),
        ("id: x\nname: a: b\n", "lender.yaml:2: not valid YAML"),
        (
            "id: x\nname: {zh: a, en: b}\nversion: '1'\neffective: 2026-01-01\nextends: cn\nrules:\n  - id: r\n",
            "required for a new rule",
        ),
        (
            "id: x\nname: {zh: a, en: b}\nversion: '1'\neffective: 2026-01-01\nextends: lender.yaml\n",
            "extends itself",
        ),
    ],
)
def test_bad_packs_say_where(tmp_path: Path, text: str, says: str) -> None:
    path = tmp_path / "lender.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(PackError) as info:
        load_pack(str(path))
    assert says in str(info.value)


def test_missing_pack() -> None:
    with pytest.raises(PackError, match="no such pack"):
        load_pack("fr")
