"""Policy packs: YAML files of rules, parameters and citations, validated, resolved and hashed.

A pack names each rule's finding code (rules.md), its own id, parameters, severity, bilingual citation,
the confidence of its source and a plain-language explanation. An overlay (`extends: cn`) may tighten a
legal rule or add policy rules; loosening a legal rule is an error that names the rule and parameter.
Reading the pack file is the only I/O here; everything after `parse_pack` is pure.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from faircollect.model import PackRef, zone
from faircollect.policy.clock import minutes
from faircollect.policy.registry import Param, RuleDef, registered

BUILTIN = ("cn", "us", "uk")
Confidence = Literal["confirmed", "secondary", "unconfirmed"]


class PackError(ValueError):
    """A pack that cannot be used; the message says which file, rule and field."""


class Texts(BaseModel):
    model_config = ConfigDict(extra="forbid")
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class RuleEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1)
    code: str | None = None
    severity: Literal["violation", "policy"] | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    citation: Texts | None = None
    confidence: Confidence | None = None
    explain: Texts | None = None
    enabled: bool = True


class PackFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    name: Texts
    jurisdiction: Literal["cn", "us", "uk"] | None = None
    version: str = Field(min_length=1)
    effective: date
    extends: str | None = None
    default_tz: str | None = None
    description: Texts | None = None
    rules: list[RuleEntry] = Field(default_factory=list)

    @field_validator("default_tz")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                zone(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"unknown IANA time zone {value!r}") from None
        return value


@dataclass(frozen=True, slots=True)
class PackRule:
    """One resolved rule: everything the engine and the published policy need."""

    id: str
    code: str
    severity: Literal["violation", "policy"]
    params: Mapping[str, Any]
    citation: Mapping[str, str]
    confidence: Confidence
    explain: Mapping[str, str]
    source: str  # id of the pack that defined it

    @property
    def definition(self) -> RuleDef:
        return registered()[self.code]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "code": self.code,
            "severity": self.severity,
            "params": dict(self.params),
            "citation": dict(self.citation),
            "confidence": self.confidence,
            "explain": dict(self.explain),
            "source": self.source,
        }


@dataclass(frozen=True, slots=True, eq=False)
class Pack:
    """A resolved pack (overlays applied). `ref.sha256` hashes its canonical JSON."""

    id: str
    name: Mapping[str, str]
    jurisdiction: str
    version: str
    effective: date
    default_tz: str
    description: Mapping[str, str]
    rules: tuple[PackRule, ...]
    lineage: tuple[str, ...]
    ref: PackRef

    def to_dict(self) -> dict[str, Any]:
        return _resolved_dict(
            self.id,
            self.name,
            self.jurisdiction,
            self.version,
            self.effective,
            self.default_tz,
            self.description,
            self.rules,
            self.lineage,
        )

    def rule(self, rule_id: str) -> PackRule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)


DEFAULT_TZ = {"cn": "Asia/Shanghai", "us": "America/New_York", "uk": "Europe/London"}


def _resolved_dict(
    id: str,
    name: Mapping[str, str],
    jurisdiction: str,
    version: str,
    effective: date,
    default_tz: str,
    description: Mapping[str, str],
    rules: tuple[PackRule, ...],
    lineage: tuple[str, ...],
) -> dict[str, Any]:
    return {
        "id": id,
        "name": dict(name),
        "jurisdiction": jurisdiction,
        "version": version,
        "effective": effective.isoformat(),
        "default_tz": default_tz,
        "description": dict(description),
        "lineage": list(lineage),
        "rules": [r.to_dict() for r in rules],
    }


def canonical_json(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# --- loading --------------------------------------------------------------------------------------


def load_pack(name_or_path: str | Path) -> Pack:
    """`cn`, `us`, `uk` or the path of a YAML pack (which may `extends:` a built-in or another file)."""
    return _load(str(name_or_path), ())


@lru_cache(maxsize=32)
def _load_builtin(name: str) -> Pack:
    text = resources.files("faircollect.policy.packs").joinpath(f"{name}.yaml").read_text("utf-8")
    return resolve(parse_pack(text, f"{name}.yaml"), None)


def _load(name: str, seen: tuple[str, ...]) -> Pack:
    if name in seen:
        raise PackError(f"{name}: extends itself through {' → '.join(seen)}")
    if name in BUILTIN and not Path(name).is_file():
        return _load_builtin(name)
    path = Path(name)
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise PackError(f"{name}: no such pack (built-in packs: {', '.join(BUILTIN)})") from None
    except (OSError, UnicodeDecodeError) as e:
        raise PackError(f"{name}: cannot read: {e}") from None
    spec = parse_pack(text, str(path))
    base = None
    if spec.extends:
        target = spec.extends
        if target not in BUILTIN:
            target = str((path.parent / target).resolve())
        base = _load(target, (*seen, name))
    return resolve(spec, base, str(path))


def parse_pack(text: str, where: str) -> PackFile:
    """Validate YAML text against the pack schema; errors say `FILE: rules[3].params: problem`."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise PackError(f"{where}{line}: not valid YAML: {getattr(e, 'problem', e)}") from None
    if not isinstance(data, dict):
        raise PackError(f"{where}: a pack is a YAML mapping with id, name, version, effective and rules")
    try:
        return PackFile.model_validate(data)
    except ValidationError as e:
        problems = []
        for err in e.errors():
            loc = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"]).lstrip(".")
            problems.append(f"{where}: {loc or 'pack'}: {err['msg']}")
        raise PackError("\n".join(problems)) from None


# --- resolving --------------------------------------------------------------------------------------


def resolve(spec: PackFile, base: Pack | None, where: str | None = None) -> Pack:
    where = where or f"{spec.id}.yaml"
    rules: list[PackRule] = list(base.rules) if base else []
    index = {r.id: i for i, r in enumerate(rules)}
    for n, entry in enumerate(spec.rules):
        at = f"{where}: rules[{n}] ({entry.id})"
        if entry.id in index and not entry.enabled:
            old = rules[index[entry.id]]
            if old.severity == "violation":
                raise PackError(f"{at}: enabled: rule {old.id} is a legal rule and cannot be switched off")
            rules = [r for r in rules if r.id != entry.id]
            index = {r.id: i for i, r in enumerate(rules)}
        elif entry.id in index:
            old = rules[index[entry.id]]
            for tighter in _override(old, entry, spec.id, at):
                if tighter.id == old.id:  # a policy rule changed in place
                    rules[index[old.id]] = tighter
                    continue
                if tighter.id in index:
                    raise PackError(f"{at}: rule id {tighter.id} is defined twice")
                index[tighter.id] = len(rules)
                rules.append(tighter)
        else:
            rules.append(_new_rule(entry, spec.id, at, overlay=base is not None))
            index[entry.id] = len(rules) - 1
    jurisdiction = spec.jurisdiction or (base.jurisdiction if base else None)
    if jurisdiction is None:
        raise PackError(f"{where}: jurisdiction: required (cn, us or uk) unless the pack extends another")
    if base and spec.jurisdiction and spec.jurisdiction != base.jurisdiction:
        raise PackError(
            f"{where}: jurisdiction: {spec.jurisdiction} cannot extend a {base.jurisdiction} pack"
        )
    default_tz = spec.default_tz or (base.default_tz if base else DEFAULT_TZ[jurisdiction])
    description = (
        spec.description.model_dump() if spec.description else dict(base.description if base else {})
    )
    lineage = (*(base.lineage if base else ()), spec.id)
    final = tuple(rules)
    body = _resolved_dict(
        spec.id,
        spec.name.model_dump(),
        jurisdiction,
        spec.version,
        spec.effective,
        default_tz,
        description,
        final,
        lineage,
    )
    digest = hashlib.sha256(canonical_json(body)).hexdigest()
    return Pack(
        id=spec.id,
        name=spec.name.model_dump(),
        jurisdiction=jurisdiction,
        version=spec.version,
        effective=spec.effective,
        default_tz=default_tz,
        description=description,
        rules=final,
        lineage=lineage,
        ref=PackRef(spec.id, digest),
    )


def _new_rule(entry: RuleEntry, source: str, at: str, overlay: bool) -> PackRule:
    missing = [
        name
        for name in ("code", "severity", "citation", "confidence", "explain")
        if getattr(entry, name) is None
    ]
    if missing:
        raise PackError(f"{at}: {', '.join(missing)}: required for a new rule")
    assert entry.code and entry.severity and entry.citation and entry.confidence and entry.explain
    definition = registered().get(entry.code)
    if definition is None:
        raise PackError(f"{at}: code: unknown finding code {entry.code!r} (see rules.md)")
    if not entry.enabled:
        raise PackError(f"{at}: enabled: a new rule cannot be disabled; leave it out instead")
    if overlay and entry.severity != "policy":
        raise PackError(f"{at}: severity: rules an overlay adds are the lender's own: use 'policy'")
    return PackRule(
        id=entry.id,
        code=entry.code,
        severity=entry.severity,
        params=_params(definition, entry.params, at),
        citation=entry.citation.model_dump(),
        confidence=entry.confidence,
        explain=entry.explain.model_dump(),
        source=source,
    )


def _override(old: PackRule, entry: RuleEntry, source: str, at: str) -> list[PackRule]:
    """An overlay entry naming an existing rule. A policy rule may change freely; a legal rule may only be
    tightened, and the tighter limit becomes a separate `policy` rule so findings stay correctly cited."""
    if entry.code is not None and entry.code != old.code:
        raise PackError(f"{at}: code: cannot change the code of rule {old.id} ({old.code})")
    legal = old.severity == "violation"
    if legal and entry.severity == "policy":
        raise PackError(f"{at}: severity: rule {old.id} is a legal rule; it cannot become a mere policy")
    definition = old.definition
    params = _params(definition, {**old.params, **entry.params}, at)
    if legal:
        if _window_widens(old.params, params):
            raise PackError(
                f"{at}: params.start/end: window {params['start']}–{params['end']} is not inside the window "
                f"{old.params['start']}–{old.params['end']} of legal rule {old.id}; an overlay may only narrow it"
            )
        for name, spec in definition.params.items():
            if _looser(spec, params[name], old.params[name]):
                raise PackError(
                    f"{at}: params.{name}: {params[name]!r} loosens legal rule {old.id} "
                    f"({old.code}: {name} = {old.params[name]!r}); an overlay may only tighten it"
                )
        if params == dict(old.params):
            return []
        return [
            PackRule(
                id=f"{source}.{old.id}",
                code=old.code,
                severity="policy",
                params=params,
                citation=entry.citation.model_dump()
                if entry.citation
                else {
                    "zh": f"{source} 内部政策（严于 {old.id}）",
                    "en": f"{source} internal policy (stricter than {old.id})",
                },
                confidence="confirmed",
                explain=entry.explain.model_dump() if entry.explain else dict(old.explain),
                source=source,
            )
        ]
    return [
        PackRule(
            id=old.id,
            code=old.code,
            severity="policy",
            params=params,
            citation=entry.citation.model_dump() if entry.citation else dict(old.citation),
            confidence=entry.confidence or old.confidence,
            explain=entry.explain.model_dump() if entry.explain else dict(old.explain),
            source=source,
        )
    ]


def _params(definition: RuleDef, given: Mapping[str, Any], at: str) -> dict[str, Any]:
    unknown = set(given) - set(definition.params)
    if unknown:
        known = ", ".join(definition.params) or "none"
        raise PackError(
            f"{at}: params.{sorted(unknown)[0]}: unknown parameter of {definition.code} (known: {known})"
        )
    out: dict[str, Any] = {}
    for name, spec in definition.params.items():
        value = given.get(name, spec.default)
        out[name] = _check_param(spec, value, f"{at}: params.{name}")
    if "start" in out and "end" in out:
        if minutes(out["start"]) >= 24 * 60:
            raise PackError(f"{at}: params.start: must be before 24:00, not {out['start']!r}")
        if minutes(out["start"]) == minutes(out["end"]) % (24 * 60):
            raise PackError(f"{at}: params.start/end: the window {out['start']}–{out['end']} is empty")
    return out


def _window_widens(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """A window that wraps past midnight is not inside one that does not, whatever its ends say."""
    if "start" not in old or "end" not in old:
        return False
    old_wraps = minutes(old["start"]) > minutes(old["end"])
    new_wraps = minutes(new["start"]) > minutes(new["end"])
    return new_wraps and not old_wraps


def _check_param(spec: Param, value: Any, at: str) -> Any:
    if spec.type == "int":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise PackError(f"{at}: must be a whole number ≥ 0, not {value!r}")
        return value
    if spec.type == "bool":
        if not isinstance(value, bool):
            raise PackError(f"{at}: must be true or false, not {value!r}")
        return value
    text = str(value)
    try:
        m = minutes(text)
    except ValueError:
        m = -1
    if not (len(text) == 5 and text[2] == ":" and 0 <= m <= 24 * 60):
        raise PackError(f"{at}: must be a clock time HH:MM, not {value!r}")
    return text


def _looser(spec: Param, new: Any, old: Any) -> bool:
    if spec.type == "clock":
        new, old = minutes(new), minutes(old)
    if spec.tighter == "lower":
        return bool(new > old)
    if spec.tighter == "higher":
        return bool(new < old)
    return bool(new != old)
