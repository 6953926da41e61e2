"""`faircollect ledger apr | schedule | balance`: the loan ledger (schema.md "Loan")."""

from __future__ import annotations

import json
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from faircollect.cli.common import LangOption, bad_input, resolve_lang
from faircollect.i18n import pick
from faircollect.ledger.apr import IrrError
from faircollect.ledger.lpr import LprTable, parse_lpr_csv
from faircollect.ledger.model import Loan, LoanError, parse_loan
from faircollect.ledger.report import (
    Analysis,
    BalanceView,
    analyze,
    apr_dict,
    balance_dict,
    balance_view,
    schedule_dict,
)
from faircollect.ledger.schedule import build_schedule

LoanArg = Annotated[
    str, typer.Argument(metavar="LOAN.json", help="loan file (schema.md 'Loan'), or - for stdin")
]
FormatOption = Annotated[str, typer.Option("--format", help="json | table")]
LprOption = Annotated[
    Path | None,
    typer.Option("--lpr", help="LPR history CSV (date,lpr_1y in percent) instead of the shipped one"),
]
AsOfOption = Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD (default: today)")]

L: dict[str, dict[str, str]] = {
    "apr": {"zh": "年化利率 (IRR)", "en": "APR (by IRR)"},
    "irr_period": {"zh": "每期 IRR", "en": "IRR per period"},
    "nominal": {"zh": "名义年化 (IRR×期数)", "en": "Nominal APR (IRR × periods)"},
    "effective": {"zh": "实际年化 (复利)", "en": "Effective APR (compounded)"},
    "cap": {"zh": "上限", "en": "Cap"},
    "limit": {"zh": "限额", "en": "Limit"},
    "value": {"zh": "本贷款", "en": "This loan"},
    "exceeded": {"zh": "超限", "en": "Exceeded"},
    "excess": {"zh": "超出部分", "en": "Excess"},
    "source": {"zh": "依据 / 可信度", "en": "Source / confidence"},
    "yes": {"zh": "是", "en": "yes"},
    "no": {"zh": "否", "en": "no"},
    "no_caps": {"zh": "无适用上限", "en": "No cap applies"},
    "total_excess": {"zh": "不可执行的超额合计", "en": "Unenforceable excess in total"},
    "lawful_total": {"zh": "依法最多可收", "en": "Most that may lawfully be collected"},
    "lawful_balance": {"zh": "依法余额", "en": "Lawful balance"},
    "number": {"zh": "期", "en": "No."},
    "due": {"zh": "应还日", "en": "Due"},
    "principal": {"zh": "本金", "en": "Principal"},
    "interest": {"zh": "利息", "en": "Interest"},
    "fees": {"zh": "费用", "en": "Fees"},
    "payment": {"zh": "应还", "en": "Payment"},
    "balance": {"zh": "剩余本金", "en": "Balance"},
    "total": {"zh": "合计", "en": "Total"},
    "schedule": {"zh": "还款计划", "en": "Repayment schedule"},
    "net": {"zh": "实际到手", "en": "Net cash received"},
    "charged": {"zh": "收取成本", "en": "Charged"},
    "allowed": {"zh": "上限允许", "en": "Allowed"},
    "above": {"zh": "超出上限", "en": "Above cap"},
    "unenforceable": {"zh": "不可执行", "en": "Unenforceable"},
    "as_of": {"zh": "截至", "en": "As of"},
    "paid": {"zh": "已还", "en": "Paid"},
    "past_due": {"zh": "逾期金额", "en": "Past due"},
    "outstanding": {"zh": "剩余应还", "en": "Outstanding"},
    "dpd": {"zh": "逾期天数 / 账龄", "en": "Days past due / bucket"},
    "payoff": {"zh": "依法结清金额", "en": "Lawful payoff today"},
    "not_owed": {"zh": "已多付(不欠)", "en": "Paid but not owed"},
    "settled": {"zh": "结清日", "en": "Settled"},
}


def _t(key: str, lang: str) -> str:
    return pick(L[key], lang)


def _read_text(path: str, what: str) -> tuple[str, str]:
    """(text, name for error messages); a missing or unreadable file is bad input."""
    if path == "-":
        return sys.stdin.read(), "<stdin>"
    try:
        return Path(path).read_text(encoding="utf-8-sig"), path
    except (OSError, UnicodeDecodeError) as exc:
        bad_input([f"{path}: {what}: cannot read ({exc.__class__.__name__}: {exc})"])


def _load_loan(path: str) -> tuple[Loan, str]:
    """The parsed loan and the name errors should give for it."""
    text, source = _read_text(path, "file")
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        bad_input([f"{source}:{exc.lineno}: json: {exc.msg} (column {exc.colno})"])
    try:
        return parse_loan(data, source), source
    except LoanError as exc:
        bad_input(exc.errors)


def _load_lpr(path: Path | None) -> LprTable | None:
    if path is None:
        return None
    text, source = _read_text(str(path), "lpr")
    try:
        return parse_lpr_csv(text, source)
    except LoanError as exc:
        bad_input(exc.errors)


def _analyze(loan: Loan, source: str, lpr: LprTable | None) -> Analysis:
    try:
        return analyze(loan, lpr)
    except IrrError as exc:
        bad_input([f"{source}: {'cashflows' if loan.cashflows else 'loan'}: {exc}"])


def _check_format(fmt: str) -> None:
    if fmt not in ("json", "table"):
        bad_input([f"--format: must be json or table, not {fmt!r} / 格式须为 json 或 table"])


def _print_json(data: dict[str, Any]) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def _pct(value: float | None, digits: int = 4) -> str:
    return "-" if value is None else f"{value * 100:.{digits}f}%"


def _amount(value: float | None) -> str:
    return "-" if value is None else f"{value:,.2f}"


def _limit(cap: dict[str, Any]) -> str:
    unit, limit = cap["unit"], cap["limit"]
    if unit == "gbp":
        return f"£{limit:g}"
    if unit == "ratio_of_credit":
        return _pct(limit, 0)
    return _pct(limit, 2) + ("/d" if unit == "rate_per_day" else "")


def _value(cap: dict[str, Any]) -> str:
    if cap["unit"] == "gbp":
        return f"£{cap['value']:,.2f}"
    return _pct(cap["value"], 2) + ("/d" if cap["unit"] == "rate_per_day" else "")


def _apr_table(data: dict[str, Any], lang: str, console: Console) -> None:
    head = Table(title=_t("apr", lang), show_header=False)
    head.add_row(_t("irr_period", lang), _pct(data["irr_period"]))
    head.add_row(_t("nominal", lang), _pct(data["apr_nominal"]))
    head.add_row(_t("effective", lang), _pct(data["apr_effective"]))
    console.print(head)
    if not data["caps"]:
        console.print(_t("no_caps", lang) + ": " + " ".join(data["excess"].get("notes", [])))
        return
    caps = Table(title=_t("cap", lang))
    for key in ("cap", "limit", "value", "exceeded", "excess", "source"):
        caps.add_column(_t(key, lang))
    for cap in data["caps"]:
        caps.add_row(
            f"{cap['title']}\n{cap['name']}",
            _limit(cap),
            _value(cap),
            _t("yes" if cap["exceeded"] else "no", lang),
            _amount(cap["excess"]),
            f"{cap['citation']} [{cap['confidence']}]" + (f"\n{cap['note']}" if cap["note"] else ""),
        )
    console.print(caps)
    excess = data["excess"]
    if excess["per_period"]:
        rows = Table(title=f"{_t('excess', lang)}: {excess['cap']}")
        for key in (
            "number",
            "due",
            "payment",
            "charged",
            "allowed",
            "above",
            "unenforceable",
            "lawful_balance",
        ):
            rows.add_column(_t(key, lang), justify="right")
        for r in excess["per_period"]:
            rows.add_row(
                str(r["number"]), r["date"], _amount(r["payment"]), _amount(r["charged"]),
                _amount(r["allowed"]), _amount(r["above_cap"]), _amount(r["unenforceable"]),
                _amount(r["lawful_balance"]),
            )  # fmt: skip
        console.print(rows)
    console.print(f"{_t('total_excess', lang)}: {_amount(excess['total'])}")
    console.print(f"{_t('lawful_total', lang)}: {_amount(excess.get('lawful_total'))}")


def _schedule_table(data: dict[str, Any], lang: str, console: Console) -> None:
    table = Table(title=f"{_t('schedule', lang)} ({_t('net', lang)} {_amount(data['net_received'])})")
    keys = ("number", "due", "principal", "interest", "fees", "payment", "balance")
    for key in keys:
        table.add_column(_t(key, lang), justify="right")
    for i in data["installments"]:
        table.add_row(str(i["number"]), i["due"], *(_amount(i[k]) for k in keys[2:]))
    t = data["totals"]
    table.add_row(
        _t("total", lang), "", *(_amount(t[k]) for k in ("principal", "interest", "fees", "payments")), ""
    )
    console.print(table)


def _balance_table(data: dict[str, Any], lang: str, console: Console) -> None:
    head = Table(title=f"{_t('as_of', lang)} {data['as_of']}", show_header=False)
    head.add_row(_t("paid", lang), _amount(data["paid"]))
    head.add_row(_t("past_due", lang), _amount(data["past_due"]))
    head.add_row(_t("outstanding", lang), _amount(data["outstanding"]))
    head.add_row(_t("dpd", lang), f"{data['days_past_due']} / {data['bucket']}")
    if data["cap"]:
        head.add_row(f"{_t('payoff', lang)} ({data['cap']})", _amount(data["lawful_payoff"]))
        head.add_row(_t("not_owed", lang), _amount(data["paid_not_owed"]))
    console.print(head)
    table = Table()
    for key in ("number", "due", "payment", "paid", "outstanding", "settled"):
        table.add_column(_t(key, lang), justify="right")
    for i in data["installments"]:
        paid = sum(v for v in i["paid"].values() if v is not None)
        table.add_row(
            str(i["number"]), i["due"], _amount(i["payment"]), _amount(paid), _amount(i["outstanding"]),
            i["settled_on"] or "-",
        )  # fmt: skip
    console.print(table)


def _as_of(value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        bad_input([f"--as-of: must be a date YYYY-MM-DD, not {value!r} / 日期格式须为 YYYY-MM-DD"])


def _console() -> Console:
    return Console(width=160, soft_wrap=False)


def apr_command(
    loan_path: LoanArg, format: FormatOption = "table", lang: LangOption = None, lpr: LprOption = None
) -> None:
    """APR by IRR (nominal and effective) with the legal caps and the excess / 按IRR计算年化利率、法定上限与超额部分."""
    _check_format(format)
    table = _load_lpr(lpr)
    loan, source = _load_loan(loan_path)
    chosen = resolve_lang(lang, loan.jurisdiction)
    data = apr_dict(_analyze(loan, source, table), chosen)
    if format == "json":
        _print_json(data)
    else:
        _apr_table(data, chosen, _console())


def schedule_command(loan_path: LoanArg, format: FormatOption = "table", lang: LangOption = None) -> None:
    """The repayment schedule / 还款计划."""
    _check_format(format)
    loan, _ = _load_loan(loan_path)
    chosen = resolve_lang(lang, loan.jurisdiction)
    data = schedule_dict(build_schedule(loan))
    if format == "json":
        _print_json(data)
    else:
        _schedule_table(data, chosen, _console())


def balance_command(
    loan_path: LoanArg,
    as_of: AsOfOption = None,
    format: FormatOption = "table",
    lang: LangOption = None,
    lpr: LprOption = None,
) -> None:
    """The loan's cashflows as payments against its schedule: past due, days past due, bucket, lawful payoff / 还款入账、逾期天数与账龄、依法结清金额."""
    _check_format(format)
    table = _load_lpr(lpr)
    loan, source = _load_loan(loan_path)
    chosen = resolve_lang(lang, loan.jurisdiction)
    day = _as_of(as_of)
    try:
        view: BalanceView = balance_view(loan, day, table)
    except IrrError as exc:
        bad_input([f"{source}: loan: {exc}"])
    data = balance_dict(view)
    if format == "json":
        _print_json(data)
    else:
        _balance_table(data, chosen, _console())


def register(app: typer.Typer) -> None:
    """`faircollect ledger …`."""
    sub = typer.Typer(
        help="Loan ledger: schedules, APR by IRR, legal caps, excess, balances / 贷款账本: 还款计划、IRR年化、法定上限、超额、余额",
        no_args_is_help=True,
    )
    sub.command("apr")(apr_command)
    sub.command("schedule")(schedule_command)
    sub.command("balance")(balance_command)
    app.add_typer(sub, name="ledger")
