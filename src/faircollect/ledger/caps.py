"""Legal caps on the cost of credit, by jurisdiction, lender type and contract date.

Names, citations and confidence marks (C confirmed, S secondary, U unconfirmed) follow
/work/shared/reference/regulations.md; the US Military Lending Act is not in that fact sheet and is
marked U. Rate caps compare the APR on the basis the loan is computed on: the nominal APR (period IRR ×
periods per year) for a schedule, the effective APR for dated cash flows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from faircollect.ledger.apr import AprResult
from faircollect.ledger.excess import (
    Excess,
    daily_cost_excess,
    dated_rate_cap_excess,
    flat_excess,
    rate_cap_excess,
)
from faircollect.ledger.lpr import LprTable
from faircollect.ledger.model import Loan
from faircollect.ledger.schedule import Schedule

Texts = dict[str, str]

LPR_RULE_FROM = date(2020, 8, 20)  # SPC 2020 revision: 4 × LPR for contracts made from this day
STALE_AFTER = timedelta(days=35)  # a monthly series more than a month old may have moved

SPC_2020 = "最高人民法院《关于审理民间借贷案件适用法律若干问题的规定》(2020年修正) 第二十五条、第二十九条"
SPC_2015 = (
    "最高人民法院《关于审理民间借贷案件适用法律若干问题的规定》(2015) 第二十六条; 2020年修正 第三十一条(过渡)"
)
LICENSED = "监管窗口指导: 持牌机构综合年化成本不超过24% (press: Securities Times via MNI; Caixin 2025-12; 金规〔2025〕9号 law-firm reading)"
MLA = "Military Lending Act, 10 U.S.C. § 987(b); 32 CFR 232.4(b)"
HCSTC = "FCA CONC 5A.3.2R, 5A.3.3R (high-cost short-term credit price cap)"


@dataclass(frozen=True, slots=True)
class CapResult:
    name: str  # rule ID as in regulations.md
    title: Texts
    limit: Decimal
    unit: str  # rate_per_year | rate_per_day | gbp | ratio_of_credit
    basis: str  # what the limit is compared with
    value: Decimal  # that quantity for this loan
    exceeded: bool
    citation: str
    confidence: str  # C | S | U
    excess: Excess
    note: Texts = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CapReport:
    caps: tuple[CapResult, ...]
    notes: tuple[Texts, ...]

    @property
    def binding(self) -> CapResult | None:
        """The cap with the largest excess (the first cap when none is exceeded)."""
        if not self.caps:
            return None
        return max(self.caps, key=lambda c: c.excess.total)


def _rate_basis(apr: AprResult) -> tuple[str, Decimal]:
    if apr.basis == "actual_365":
        return "apr_effective", Decimal(repr(apr.apr_effective))
    return "apr_nominal", Decimal(repr(apr.apr_nominal))


def _rate_excess(loan: Loan, schedule: Schedule, cap: Decimal) -> Excess:
    return dated_rate_cap_excess(loan, cap) if loan.cashflows else rate_cap_excess(schedule, cap)


def _rate_cap(
    loan: Loan,
    schedule: Schedule,
    apr: AprResult,
    *,
    name: str,
    title: Texts,
    limit: Decimal,
    citation: str,
    confidence: str,
    note: Texts | None = None,
) -> CapResult:
    basis, value = _rate_basis(apr)
    excess = _rate_excess(loan, schedule, limit)
    # The excess is zero exactly when the APR is at or below the cap; cent rounding of the lawful
    # interest can leave a few cents either way, so the verdict follows the rate itself.
    exceeded = value > limit
    return CapResult(
        name, title, limit, "rate_per_year", basis, value, exceeded, citation, confidence,
        excess if exceeded else flat_excess(Decimal(0), excess.contract_total), note or {},
    )  # fmt: skip


def _cn_private(loan: Loan, schedule: Schedule, apr: AprResult, lpr: LprTable) -> list[CapResult]:
    signed = loan.signed_on
    if signed < LPR_RULE_FROM:
        transition = {
            "zh": "2020-08-20 以后产生的利息适用起诉时一年期LPR的4倍(第三十一条，S)，本工具未计算该部分。",
            "en": "Interest accruing from 2020-08-20 is capped at 4 × the 1Y LPR at the time of suit (Art. 31, S); not computed here.",
        }
        return [
            _rate_cap(
                loan, schedule, apr, name="CN.Interest.2015.enforceable_24",
                title={"zh": "民间借贷 24% 司法保护线", "en": "Private lending: 24% enforceable maximum"},
                limit=Decimal("0.24"), citation=SPC_2015, confidence="S", note=transition,
            ),
            _rate_cap(
                loan, schedule, apr, name="CN.Interest.2015.void_36",
                title={"zh": "民间借贷 36% 无效线", "en": "Private lending: above 36% void"},
                limit=Decimal("0.36"), citation=SPC_2015, confidence="S",
                note={
                    "zh": "24%–36% 之间的利息法院不支持，但已付的不予返还；超过36%的部分无效，已付可请求返还。",
                    "en": "Interest between 24% and 36% is not enforced but, if paid, not refunded; above 36% it is void and refundable.",
                },
            ),
        ]  # fmt: skip
    rate = lpr.rate_on(signed)
    if rate is None:  # only possible with a user table that starts after 2020-08-20
        return []
    confidence, note = (
        "C",
        {
            "zh": f"合同成立日一年期LPR {rate * 100:.2f}% (来源: {lpr.source})。",
            "en": f"1Y LPR on the contract date: {rate * 100:.2f}% (source: {lpr.source}).",
        },
    )
    if signed - lpr.last_date > STALE_AFTER:
        confidence = "U"
        note = {
            "zh": note["zh"] + f" LPR 数据止于 {lpr.last_date}，假定此后未变；请用 --lpr 提供最新数据。",
            "en": note["en"] + f" The LPR data end on {lpr.last_date} and are assumed unchanged since; pass --lpr with current data.",
        }  # fmt: skip
    return [
        _rate_cap(
            loan, schedule, apr, name="CN.Interest.4LPR",
            title={"zh": "民间借贷利率上限: 4倍一年期LPR", "en": "Private lending cap: 4 × one-year LPR"},
            limit=4 * rate, citation=SPC_2020, confidence=confidence, note=note,
        )
    ]  # fmt: skip


def _cn_licensed(loan: Loan, schedule: Schedule, apr: AprResult) -> list[CapResult]:
    return [
        _rate_cap(
            loan, schedule, apr, name="CN.Interest.licensed24",
            title={"zh": "持牌机构综合年化成本 24% 上限", "en": "Licensed lenders: 24% all-in annual cost"},
            limit=Decimal("0.24"), citation=LICENSED, confidence="S",
            note={
                "zh": "二手来源: 监管窗口指导由媒体报道，未见公开的规则原文。",
                "en": "Secondary source: supervisory window guidance reported by the press; no published rule text was seen.",
            },
        )
    ]  # fmt: skip


def _us_mla(loan: Loan, schedule: Schedule, apr: AprResult) -> list[CapResult]:
    return [
        _rate_cap(
            loan, schedule, apr, name="US.MLA.mapr36",
            title={"zh": "美国《军人借贷法》36% MAPR", "en": "Military Lending Act: 36% MAPR"},
            limit=Decimal("0.36"), citation=MLA, confidence="U",
            note={
                "zh": "不在项目法规事实表中(U)；MAPR 含大多数费用，此处以 IRR 计算的全成本年化率近似。",
                "en": "Not in the project's regulation fact sheet (U); MAPR includes most fees, approximated here by the all-in IRR APR.",
            },
        )
    ]  # fmt: skip


def _uk_hcstc(loan: Loan, schedule: Schedule) -> list[CapResult]:
    principal, daily_cap = loan.principal, Decimal("0.008")
    daily = daily_cost_excess(schedule, daily_cap)
    # Average cost per day over the term, as a fraction of the principal outstanding on each day.
    charged = sum((r.charged for r in daily.rows if r.charged is not None), Decimal(0))
    allowed = sum((r.allowed for r in daily.rows), Decimal(0))
    per_day = (daily_cap * charged / allowed if allowed else Decimal(0)).quantize(Decimal("1e-6"))
    default_fees = sum((f.amount for f in loan.default_fees), Decimal(0))
    if loan.cashflows:
        cost = sum((c.amount for c in loan.cashflows), Decimal(0)) - loan.net_received
    else:
        cost = schedule.total_cost + default_fees
    contract_total = daily.contract_total + default_fees
    ratio = (cost / principal).quantize(Decimal("1e-6"))
    return [
        CapResult(
            "UK.CONC5A.hcstc_caps.daily", {"zh": "每日成本 0.8% 上限", "en": "Daily cost cap 0.8%"},
            daily_cap, "rate_per_day", "average_cost_per_day_on_principal_outstanding", per_day,
            daily.total > 0, HCSTC, "C", daily,
        ),
        CapResult(
            "UK.CONC5A.hcstc_caps.default_fee", {"zh": "违约费 £15 上限", "en": "Default fees £15"},
            Decimal(15), "gbp", "default_fees", default_fees, default_fees > 15, HCSTC, "C",
            flat_excess(default_fees - 15, contract_total),
        ),
        CapResult(
            "UK.CONC5A.hcstc_caps.total_cost", {"zh": "总成本不超过借款额的100%", "en": "Total cost ≤ 100% of credit"},
            Decimal(1), "ratio_of_credit", "total_cost_over_principal", ratio, cost > principal, HCSTC, "C",
            flat_excess(cost - principal, contract_total),
            {
                "zh": "超出上限的协议不可执行(regulations.md)。",
                "en": "An agreement in breach of the cap is unenforceable (regulations.md).",
            },
        ),
    ]  # fmt: skip


def evaluate_caps(loan: Loan, schedule: Schedule, apr: AprResult, lpr: LprTable) -> CapReport:
    """Every cap implemented for this loan's jurisdiction, lender type and contract date."""
    j, kind = loan.jurisdiction, loan.lender_type
    caps: list[CapResult] = []
    if j == "cn" and kind == "private":
        caps = _cn_private(loan, schedule, apr, lpr)
    elif j == "cn" and kind == "licensed":
        caps = _cn_licensed(loan, schedule, apr)
    elif j == "us" and loan.covered_borrower:
        caps = _us_mla(loan, schedule, apr)
    elif j == "uk" and kind == "hcstc":
        caps = _uk_hcstc(loan, schedule)
    notes: list[Texts] = []
    if not caps:
        notes.append(
            {
                "zh": f"未对该贷款检查上限: 未实现 jurisdiction={j}、lender_type={kind} 的上限"
                + ("(美国仅实现了受保护军人借款人的 MLA)" if j == "us" else ""),
                "en": f"No cap checked: none is implemented for jurisdiction={j}, lender_type={kind}"
                + (" (for the US only the MLA for covered borrowers)" if j == "us" else ""),
            }
        )
    return CapReport(tuple(caps), tuple(notes))
