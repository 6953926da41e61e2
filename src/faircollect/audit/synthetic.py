"""Synthetic collection records: a realistic month for demos and tests, and bulk streams for benchmarks.

Pure and deterministic: everything comes from `random.Random(seed)`; no I/O. `generate_month` tells the
story of one month at a Chinese consumer lender (cn pack semantics): its own collection team and four
outsourced agencies, one of them abusive, the others lawful but for the odd honest mistake; debtors in
several time zones, co-borrowers, guarantors, contact persons and employers; disputes, hardship pauses,
opt-outs, consent to late calls, unreachable debtors. `generate_bulk` is a fast, text-free stream with a
cn-like mix for the throughput benchmark.

Records are written on the collectors' clock (Beijing time, +08:00); debtors outside Beijing time carry
their zone in `tz`, as a lender's dialer export would.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import TypeVar

from faircollect.model import Contact, Event, Record, sort_key, zone

CST = timezone(timedelta(hours=8))  # the collectors' clock
LENDER = "恒信消费金融"
LENDER_EN = "Hengxin Consumer Finance"
HOTLINE = "400-010-2026"
AUTO_SMS = "hx-auto"  # the lender's reminder system

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Agency:
    """A collecting organisation: `id` None is the lender's own team."""

    id: str | None
    name: str
    collectors: tuple[str, ...]
    abusive: bool = False
    careless: float = 0.0  # chance of an honest mistake on a working day


AGENCIES = (
    Agency(None, "恒信消费金融贷后管理部", ("hx-01", "hx-02", "hx-03", "hx-04"), careless=0.01),
    Agency("agency-huayu", "华宇资产管理", ("huayu-07", "huayu-12", "huayu-15", "huayu-21"), careless=0.02),
    Agency("agency-jinxin", "金信商务咨询", ("jinxin-03", "jinxin-05", "jinxin-11"), careless=0.03),
    Agency("agency-anda", "安达信息服务", ("anda-01", "anda-02", "anda-06"), careless=0.02),
    Agency(
        "agency-leiting",
        "雷霆商务咨询",
        ("leiting-08", "leiting-09", "leiting-13", "leiting-17"),
        abusive=True,
    ),
)
ABUSIVE = "agency-leiting"
AGENCY_WEIGHTS = (0.25, 0.22, 0.18, 0.15, 0.20)

# (zone, weight, whether records carry `tz`): mostly Beijing time, some Xinjiang time, a few abroad
ZONES = (
    ("Asia/Shanghai", 0.70, False),
    ("Asia/Shanghai", 0.16, True),
    ("Asia/Urumqi", 0.08, True),
    ("Europe/London", 0.02, True),
    ("America/Los_Angeles", 0.015, True),
    ("Asia/Tokyo", 0.01, True),
    ("Australia/Sydney", 0.005, True),
)
ABROAD = frozenset({"Europe/London", "America/Los_Angeles", "Asia/Tokyo", "Australia/Sydney"})

_HANZI = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐韩冯邓曹彭曾田董潘蒋蔡余叶程苏魏吕艾买热古"
_PINYIN = "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Gao Lin Luo Zheng Liang Xie Song Tang Han Feng Deng Cao Peng Zeng Tian Dong Pan Jiang Cai Yu Ye Cheng Su Wei Lyu Ai Mai Re Gu"
SURNAMES = tuple(zip(_HANZI, _PINYIN.split(), strict=True))
CONTACT_KINDS = (
    ("mother", "母亲", "阿姨"),
    ("father", "父亲", "叔叔"),
    ("sister", "姐姐", "您好"),
    ("brother", "哥哥", "您好"),
    ("friend", "朋友", "您好"),
    ("colleague", "同事", "您好"),
)
MOBILE_PREFIXES = (
    "138",
    "139",
    "137",
    "158",
    "159",
    "186",
    "188",
    "135",
    "136",
    "150",
    "151",
    "187",
    "133",
    "180",
)
CALL_OUTCOMES = ("connected", "unanswered", "busy", "voicemail", "failed")
LAWFUL_CALLS = (0.24, 0.50, 0.10, 0.05, 0.11)
ABUSED_CALLS = (0.22, 0.56, 0.11, 0.05, 0.06)  # debtors learn not to answer


# --- texts -----------------------------------------------------------------------------------------

REMINDERS = (
    "【{lender}】尊敬的{name}，您尾号{tail}的借款本期应还{amount}元已逾期，请于{due}前还款，以免产生更多逾期费用。如已还款请忽略。客服{hotline}",
    "【{lender}】{name}您好，您的账单{amount}元已逾期{dpd}天，可通过App“我的借款-还款”页面还款。如有困难可致电{hotline}协商还款方案。",
    "【{lender}】温馨提示：{name}，您尾号{tail}的账户当前应还{amount}元，最后还款日{due}。按时还款有助于维护您的信用记录。",
    "{name}您好，我是{lender}委托的{agency}工作人员，就您尾号{tail}的借款与您联系，今天没能接通您的电话，方便时请回电{hotline}，谢谢。",
    "【{lender}】{name}，您的逾期款项{amount}元，符合条件可申请减免部分罚息，详情请联系{hotline}（工作日9:00-18:00）。",
    "【{lender}】{name}，您本月已还款{paid}元，剩余应还{amount}元。如对账单有疑问，可拨打{hotline}核对明细。",
    "{name}，您好！您在{lender}的借款已逾期{dpd}天，应还金额{amount}元。我们理解您可能遇到了困难，欢迎来电沟通分期或延期方案。",
    "【{lender}】{name}，您承诺于{due}还款{amount}元，届时请确保尾号{tail}的还款账户余额充足，感谢您的配合。",
)
REMINDERS_EN = (
    "[{lender_en}] Dear {name_en}, your payment of CNY {amount} on the loan ending {tail} is overdue. "
    "Please pay by {due_en}, or call +86 {hotline} to discuss a repayment plan.",
    "[{lender_en}] Hello {name_en}, this is a reminder that CNY {amount} is now {dpd} days past due. "
    "You can pay in the app or reply to arrange instalments.",
)
PLANS = (
    "【{lender}】{name}，根据您的申请，我们为您提供分{n}期还款方案：每期{per}元，首期还款日{first}。如同意请回复1或致电{hotline}确认。",
    "{name}您好，刚才电话里跟您确认的还款计划已登记：共{n}期，每期{per}元，首期{first}。如有变化请及时联系我，{agency}。",
    "【{lender}】{name}，您的分期还款协议已生效：{n}期×{per}元，首期{first}。按期还款后逾期状态将逐步恢复。",
)
TRANSCRIPTS = (
    "坐席：您好，请问是{name}吗？我是{lender}的工作人员，您本期{amount}元已逾期，请问什么时候方便处理？客户：这周五发工资就还。坐席：好的，那我们记录您{due}还款，谢谢。",
    "坐席：{name}您好，打扰您了，关于您尾号{tail}的借款，目前欠款{amount}元。客户：最近手头紧，能不能分期？坐席：可以申请分期，我把方案短信发给您。",
    "坐席：您好，这里是{agency}，受{lender}委托联系您。客户：我知道，下周一前一定还。坐席：好的，请按时还款，有问题随时联系我们。",
    "坐席：{name}，您好，您的借款逾期{dpd}天了。客户：我上周已经转了一部分。坐席：系统显示已还{paid}元，剩余{amount}元，麻烦您尽快处理。",
)
TO_CONTACT = (
    "{greet}，打扰了，我是{lender}的工作人员，有急事需要联系{name}，但一直联系不上，麻烦您转告其回电{hotline}，谢谢！",
    "{greet}您好，请问您最近能联系上{name}吗？如方便请让其回电{hotline}，谢谢您。",
)
DISPUTE_ACK = (
    "【{lender}】{name}，您对尾号{tail}账户提出的异议已受理，我们将在15个工作日内核实并书面答复，核实期间暂停催收。",
)
PAID = ("【{lender}】{name}，您的还款{amount}元已到账，当前账户已结清，感谢您的配合。",)

ABUSE = (
    "{name}你个老赖，欠钱不还还有脸躲？今天不还{amount}，明天就让你全家都知道！",
    "最后通知：你已被列入失信被执行人名单，法院传票已寄出，明天上午强制执行，立即还款{amount}元可撤销案件。",
    "【人民法院】{name}：你恶意拖欠借款一案已立案受理，请于24小时内联系处理，逾期将依法拘留。",
    "{name}，不还钱你就等着坐牢吧，公安已经立案了，随时上门抓人。",
    "我们知道你住在哪，也知道你孩子在哪上学，自己掂量掂量。",
    "再不还款，我们就把你的欠款信息发到你的通讯录和朋友圈，让所有人看看你是什么人。",
    "你父母、子女都要替你还债，你孩子以后考公、上学都会受影响，自己想清楚。",
    "人渣，借钱的时候跪着借，还钱的时候站着要？今晚十二点前不还你试试。",
    "我们的人已经在你小区楼下了，下不下来你自己看着办，后果自负。",
    "{name}你这种骗子不得好死，今天必须还{amount}，少一分都不行。",
    "你个lao赖，电话不接信息不回，真以为躲得掉？",
    "律师函：{name}涉嫌合同诈骗，我方已委托律师向公安机关报案，限今日18点前全额还款。",
    "你名下所有银行卡都会被冻结注销，以后坐不了飞机高铁，全家受牵连。",
    "老 赖{name}，你的照片和欠款马上贴到你们村口和单位门口，丢人丢到家。",
    "给你脸不要脸是吧？今天不还钱，我让你在这个城市待不下去。",
)
ABUSE_EN = (
    "You deadbeat, pay the CNY {amount} today or we tell everyone you know.",
    "Final notice: a court summons has been issued in your name. Pay now or the police will come to your address tomorrow.",
    "We know where you live. Pay up or you'll regret it.",
)
EXPOSE = (
    "你好，你是{name}的{rel}吧？他欠我们{amount}元不还，躲着不接电话，你让他马上还钱，不然天天打给你。",
    "通知：{name}在{lender}欠款{amount}元逾期未还，已被列为失信人员，请其亲友督促还款，否则一并追责。",
    "你的{rel}{name}是个老赖，欠钱不还，你作为紧急联系人有义务替他还款。",
    "{name}欠的钱你们家里人要负责，不还的话我们就去你家找你。",
    "你认识{name}吧？这人借钱不还，通讯录里的人我们都会挨个通知，你劝劝他。",
)
EXPOSE_EMPLOYER = (
    "贵单位员工{name}长期拖欠{lender}借款{amount}元，恶意逃债，请贵单位协助催缴，否则我们将派人到单位处理。",
    "人事部您好，贵司{name}欠款{amount}元拒不归还，请督促其还款，否则我们将在贵司门口张贴催收通知。",
)
EXPOSE_EN = (
    "Your friend {name_en} owes us CNY {amount} and is hiding. Tell them to pay or we will keep calling you.",
)
ABUSIVE_TRANSCRIPTS = (
    "催收员：{name}，你到底还不还？今天不还钱你就别想好过，我们马上派人去你单位。客户：我说了下周还。催收员：下周？你全家等着吧。",
    "催收员：老赖，又不接电话？客户：我在上班。催收员：上什么班，欠钱不还还好意思上班，我现在就打给你领导。",
)


# --- the month -------------------------------------------------------------------------------------


@dataclass(slots=True)
class Person:
    party: str
    role: str
    phone: str
    greet: str = "您好"
    rel: str = ""
    zone: str = "Asia/Shanghai"  # where they live: contact persons and employers are in China
    tz: str | None = None


@dataclass(slots=True)
class Debtor:
    id: str
    accounts: tuple[str, ...]
    zone: str
    tz: str | None
    phone: str
    name: str
    name_en: str
    amount: float
    dpd: int  # days past due at the start of the month
    agency: Agency
    collector: str
    contacts: list[Person]
    employer: Person | None
    obligors: list[Person]  # co-borrowers and guarantors
    intensity: float  # chance the owner works the case on a given day
    pays_on: int | None = None
    unreachable: tuple[int, int] | None = None  # (marked on day, reached on day)
    dispute: tuple[int, int] | None = None  # (opened on day, resolved on day; beyond the month = open)
    hardship: tuple[int, int] | None = None  # (from day, days)
    opt_out_sms: int | None = None
    consent_late: int | None = None
    visit_day: int | None = None
    inbound_days: frozenset[int] = frozenset()
    refused: set[str] = field(default_factory=set)


def _weighted(rng: random.Random, items: Sequence[T], weights: Sequence[float]) -> T:
    return rng.choices(items, weights)[0]


def _phone(rng: random.Random, zone_name: str) -> str:
    if zone_name == "Europe/London":
        return f"+44 7700 900{rng.randrange(1000):03d}"  # Ofcom's range for fiction
    if zone_name == "America/Los_Angeles":
        return f"+1 213 555 01{rng.randrange(100):02d}"
    if zone_name == "Asia/Tokyo":
        return f"+81 90 {rng.randrange(10000):04d} {rng.randrange(10000):04d}"
    if zone_name == "Australia/Sydney":
        return f"+61 4{rng.randrange(100):02d} {rng.randrange(1000):03d} {rng.randrange(1000):03d}"
    return f"+86 {rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"


def _debtor(rng: random.Random, n: int, days: int) -> Debtor:
    zone_name, _, carries_tz = _weighted(rng, ZONES, [z[1] for z in ZONES])
    agency = _weighted(rng, AGENCIES, AGENCY_WEIGHTS)
    did = f"d{n:04d}"
    accounts = (f"a{n:04d}",) if rng.random() < 0.9 else (f"a{n:04d}", f"a{n:04d}-2")
    zh, en = rng.choice(SURNAMES)
    female = rng.random() < 0.45
    name = zh + ("女士" if female else "先生")
    kinds = rng.sample(CONTACT_KINDS, rng.choice((1, 2, 2, 3)))
    contacts = [
        Person(f"{did}-{k}", "contact_person", _phone(rng, "Asia/Shanghai"), greet, rel)
        for k, rel, greet in kinds
    ]
    employer = (
        Person(
            f"{did}-employer",
            "employer",
            f"+86 {rng.choice(('010', '021', '0755', '028'))} {rng.randrange(10**8):08d}",
        )
        if rng.random() < 0.5
        else None
    )
    obligors = []
    if rng.random() < 0.12:
        tz = zone_name if carries_tz else None  # the spouse lives with the debtor
        obligors.append(Person(f"{did}-spouse", "co_borrower", _phone(rng, zone_name), zone=zone_name, tz=tz))
    if rng.random() < 0.10:
        obligors.append(Person(f"{did}-guarantor", "guarantor", _phone(rng, "Asia/Shanghai")))
    d = Debtor(
        id=did,
        accounts=accounts,
        zone=zone_name,
        tz=zone_name if carries_tz else None,
        phone=_phone(rng, zone_name),
        name=name,
        name_en=("Ms " if female else "Mr ") + en,
        amount=round(rng.uniform(300, 20000), 2),
        dpd=rng.randint(1, 90),
        agency=agency,
        collector=rng.choice(agency.collectors),
        contacts=contacts,
        employer=employer,
        obligors=obligors,
        intensity=rng.uniform(0.45, 0.75) if agency.abusive else rng.uniform(0.3, 0.6),
    )
    _scenarios(rng, d, days)
    return d


def _day_in(rng: random.Random, first: int, end: int) -> int | None:
    """A day in [first, end), or None when the month is too short for it."""
    return rng.randrange(first, end) if first < end else None


def _scenarios(rng: random.Random, d: Debtor, days: int) -> None:
    """What happens to this debtor this month, drawn up front so that the days can follow it."""
    if rng.random() < 0.22:
        d.pays_on = _day_in(rng, 5, days)
    if rng.random() < 0.12 and (marked := _day_in(rng, 3, days - 8)) is not None:
        d.unreachable = (marked, marked + rng.randint(3, 9))
    if (
        rng.random() < (0.35 if d.agency.abusive else 0.06)
        and (opened := _day_in(rng, 2, days - 4)) is not None
    ):
        d.dispute = (opened, opened + rng.randint(4, 14))
    if rng.random() < 0.05 and (paused := _day_in(rng, 2, days - 6)) is not None:
        d.hardship = (paused, rng.randint(7, 21))
    if rng.random() < 0.06:
        d.opt_out_sms = _day_in(rng, 1, days)
    if (d.zone in ABROAD or rng.random() < 0.02) and rng.random() < 0.4:
        d.consent_late = _day_in(rng, 1, days)
    if rng.random() < (0.25 if d.agency.abusive else 0.04):
        d.visit_day = _day_in(rng, 3, days)
    if rng.random() < 0.2:
        d.inbound_days = frozenset(rng.sample(range(days), min(days, rng.randint(1, 2))))


class Month:
    """Accumulates the records of the month; ids are sequential, times on the collectors' clock."""

    def __init__(self, rng: random.Random, start: date, days: int) -> None:
        self.rng = rng
        self.start = start
        self.days = days
        self.records: list[Record] = []
        self._contacts = 0
        self._events = 0

    def at(self, who: Debtor | Person, day: int, minute: float) -> datetime:
        """`minute` minutes after local midnight of `day` on the person's clock, as Beijing time."""
        midnight = datetime.combine(self.start + timedelta(days=day), time(), tzinfo=zone(who.zone))
        local = midnight + timedelta(seconds=int(minute * 60))  # wall-clock arithmetic
        return local.astimezone(CST)

    def beijing(self, day: int, minute: float) -> datetime:
        midnight = datetime.combine(self.start + timedelta(days=day), time(), tzinfo=CST)
        return midnight + timedelta(seconds=int(minute * 60))

    def texts(self, d: Debtor, day: int) -> dict[str, str]:
        due = self.start + timedelta(days=min(day + self.rng.randint(2, 7), self.days + 6))
        n = self.rng.choice((3, 6, 6, 12))
        first = self.start + timedelta(days=day + self.rng.randint(3, 10))
        return {
            "lender": LENDER,
            "lender_en": LENDER_EN,
            "hotline": HOTLINE,
            "name": d.name,
            "name_en": d.name_en,
            "tail": d.accounts[0][-4:],
            "amount": f"{d.amount:,.2f}",
            "paid": f"{round(d.amount * self.rng.uniform(0.1, 0.4), -1):,.0f}",
            "due": f"{due.month}月{due.day}日",
            "due_en": due.strftime("%d %b %Y"),
            "dpd": str(d.dpd + day),
            "agency": d.agency.name,
            "n": str(n),
            "per": f"{d.amount * 1.02 / n:,.2f}",
            "first": f"{first.month}月{first.day}日",
        }

    def contact(
        self,
        d: Debtor,
        at: datetime,
        channel: str,
        outcome: str,
        *,
        who: Person | None = None,
        collector: str | None = None,
        agency: Agency | None = None,
        text: str | None = None,
        direction: str = "outbound",
        purpose: str = "collection",
        team_size: int | None = None,
        account: str | None = None,
    ) -> Contact:
        self._contacts += 1
        agency = agency or d.agency
        duration: float | None = None
        if channel == "call" and outcome == "connected":
            duration = float(self.rng.randint(25, 540))
        elif channel == "visit":
            duration = float(self.rng.randint(600, 2400))
        c = Contact(
            id=f"c{self._contacts:06d}",
            at=at,
            channel=channel,
            account=account or self.rng.choice(d.accounts),
            debtor=d.id,
            direction=direction,
            outcome=outcome,
            party=who.party if who else d.id,
            role=who.role if who else "debtor",
            tz=who.tz if who else d.tz,
            address=None if channel == "visit" else (who.phone if who else d.phone),
            collector=collector or (d.collector if agency is d.agency else agency.collectors[0]),
            agency=agency.id,
            text=text,
            purpose=purpose,
            duration_s=duration,
            team_size=team_size,
        )
        self.records.append(c)
        return c

    def event(
        self,
        at: datetime,
        kind: str,
        account: str | None,
        party: str | None = None,
        channel: str | None = None,
        until: datetime | None = None,
    ) -> Event:
        self._events += 1
        e = Event(
            id=f"e{self._events:05d}",
            at=at,
            kind=kind,
            account=account,
            party=party,
            channel=channel,
            until=until,
        )
        self.records.append(e)
        return e


def generate_month(
    seed: int = 7, debtors: int = 400, start: date = date(2026, 3, 1), days: int = 30
) -> list[Contact | Event]:
    """A month of one lender's collection records, sorted by time (see the module docstring)."""
    rng = random.Random(seed)
    month = Month(rng, start, days)
    batch_fault_day = rng.randrange(days)  # the day the reminder batch ignores the debtors' zones
    for n in range(1, debtors + 1):
        d = _debtor(rng, n, days)
        _events(month, d)
        for day in range(days):
            if d.pays_on is not None and day > d.pays_on:
                break
            _reminder_batch(month, d, day, batch_fault_day)
            if day in d.inbound_days and not _tracing(d, day):
                _inbound(month, d, day)
            if d.pays_on == day:
                _paid(month, d, day)
                break
            if d.agency.abusive:
                _abusive_day(month, d, day)
            else:
                _lawful_day(month, d, day)
    month.records.sort(key=sort_key)
    return month.records


def _events(m: Month, d: Debtor) -> None:
    """The month's events for one debtor, at office hours on the lender's clock."""
    rng = m.rng
    acct = d.accounts[0]
    if d.unreachable:
        marked, reached = d.unreachable
        m.event(m.at(d, marked, rng.uniform(17 * 60, 19 * 60)), "debtor_unreachable", acct, d.id)
        disputed, paused, _, _ = _state(d, reached)
        if reached < m.days and not (disputed or paused) and rng.random() < 0.5:
            # reached by a collector who then records it (the other half call in themselves)
            m.contact(d, m.at(d, reached, rng.uniform(10 * 60, 11 * 60)), "call", "connected")
            m.event(m.at(d, reached, rng.uniform(11 * 60, 12 * 60)), "debtor_reached", acct, d.id)
    if d.dispute:
        opened, resolved = d.dispute
        for a in d.accounts:
            m.event(m.at(d, opened, rng.uniform(9 * 60, 12 * 60)), "dispute_opened", a, d.id)
            if resolved < m.days:
                m.event(m.at(d, resolved, rng.uniform(14 * 60, 17 * 60)), "dispute_resolved", a, d.id)
    if d.hardship:
        first, length = d.hardship
        since = m.at(d, first, rng.uniform(9 * 60, 11 * 60))
        for a in d.accounts:
            m.event(since, "hardship_pause", a, until=since + timedelta(days=length))
    if d.opt_out_sms is not None:
        m.event(m.at(d, d.opt_out_sms, rng.uniform(8 * 60, 20 * 60)), "opt_out", None, d.id, "sms")
    if d.consent_late is not None:
        since = m.at(d, d.consent_late, rng.uniform(9 * 60, 18 * 60))
        m.event(since, "consent_hours", None, d.id, until=m.at(d, m.days + 5, 0))


def _state(d: Debtor, day: int) -> tuple[bool, bool, bool, bool]:
    """(disputed, paused, sms opted out, unreachable) at the start of `day`, inclusive of events that day."""
    disputed = d.dispute is not None and d.dispute[0] <= day <= d.dispute[1]
    paused = d.hardship is not None and d.hardship[0] <= day <= d.hardship[0] + d.hardship[1]
    no_sms = d.opt_out_sms is not None and day >= d.opt_out_sms
    unreachable = d.unreachable is not None and d.unreachable[0] < day < d.unreachable[1]
    return disputed, paused, no_sms, unreachable


def _tracing(d: Debtor, day: int) -> bool:
    """From the day the debtor is marked unreachable until the day before they are reached."""
    return d.unreachable is not None and d.unreachable[0] <= day < d.unreachable[1]


def _reminder_batch(m: Month, d: Debtor, day: int, fault_day: int) -> None:
    """The lender's automated SMS reminders, weekly at 10:00 the debtor's time; on one day the batch
    ran on Beijing time (an honest mistake for debtors abroad). It honours opt-outs and disputes, but
    does not know about hardship pauses."""
    if day % 7 != 3 and day != fault_day:
        return
    disputed, _, no_sms, _ = _state(d, day)
    if disputed or no_sms:
        return
    rng = m.rng
    at = m.beijing(day, rng.uniform(600, 610)) if day == fault_day else m.at(d, day, rng.uniform(600, 610))
    words = m.texts(d, day)
    english = d.zone in ABROAD and rng.random() < 0.5
    text = rng.choice(REMINDERS_EN if english else REMINDERS[:3]).format(**words)
    m.contact(
        d,
        at,
        "sms",
        _weighted(rng, ("delivered", "sent", "failed"), (0.85, 0.1, 0.05)),
        collector=AUTO_SMS,
        agency=AGENCIES[0],
        text=text,
    )


def _inbound(m: Month, d: Debtor, day: int) -> None:
    text = None
    if m.rng.random() < 0.5:
        text = "客户来电：" + m.rng.choice(
            (
                "询问还款金额。",
                "说明近期失业，申请延期。",
                "表示已还部分，要求核对账单。",
                "投诉催收电话太多。",
            )
        )
    m.contact(
        d, m.at(d, day, m.rng.uniform(9 * 60, 20 * 60)), "call", "connected", direction="inbound", text=text
    )


def _paid(m: Month, d: Debtor, day: int) -> None:
    disputed, paused, no_sms, _ = _state(d, day)
    if disputed or paused or no_sms:
        return
    text = PAID[0].format(**m.texts(d, day))
    m.contact(
        d,
        m.at(d, day, m.rng.uniform(16 * 60, 19 * 60)),
        "sms",
        "delivered",
        agency=AGENCIES[0],
        collector=AUTO_SMS,
        text=text,
        purpose="service",
    )


def _dial(
    m: Month,
    d: Debtor,
    day: int,
    minute: float,
    weights: Sequence[float],
    who: Person | None = None,
    collector: str | None = None,
) -> Contact:
    outcome = _weighted(m.rng, CALL_OUTCOMES, weights)
    return m.contact(d, m.at(who or d, day, minute), "call", outcome, who=who, collector=collector)


def _lawful_day(m: Month, d: Debtor, day: int) -> None:
    rng = m.rng
    disputed, paused, no_sms, unreachable = _state(d, day)
    if disputed:
        if d.dispute is not None and day == d.dispute[0] + 1 and not paused:
            words = m.texts(d, day)
            m.contact(
                d,
                m.at(d, day, rng.uniform(10 * 60, 17 * 60)),
                "letter" if no_sms else "sms",
                "sent" if no_sms else "delivered",
                text=DISPUTE_ACK[0].format(**words),
                purpose="dispute_response",
            )
        return
    if paused:
        return
    if unreachable:
        _trace(m, d, day)
        return
    if d.unreachable is not None and day == d.unreachable[0]:
        # the day the collector gives up: morning attempts, then the mark at the end of the day
        for minute in sorted(rng.uniform(9 * 60, 16 * 60) for _ in range(rng.randint(2, 3))):
            m.contact(d, m.at(d, day, minute), "call", rng.choice(("unanswered", "busy", "failed")))
        return
    if rng.random() > d.intensity:
        return
    if rng.random() < d.agency.careless:
        _honest_mistake(m, d, day)
        return
    late = d.consent_late is not None and day > d.consent_late and rng.random() < 0.5
    minute = rng.uniform(22 * 60 + 5, 22 * 60 + 50) if late else rng.uniform(9 * 60, 12 * 60)
    for _ in range(rng.randint(1, 4)):
        call = _dial(m, d, day, minute, LAWFUL_CALLS)
        if call.outcome == "connected":
            if rng.random() < 0.4:
                call.text = rng.choice(TRANSCRIPTS).format(**m.texts(d, day))
            if rng.random() < 0.3 and not no_sms:
                plan = rng.choice(PLANS).format(**m.texts(d, day))
                m.contact(d, m.at(d, day, minute + rng.uniform(10, 40)), "sms", "delivered", text=plan)
            break
        minute += rng.uniform(45, 180)
        if minute > (23 * 60 if late else 20 * 60 + 45):
            break
    if not no_sms and rng.random() < 0.3:
        words = m.texts(d, day)
        english = d.zone in ABROAD and rng.random() < 0.7
        text = rng.choice(REMINDERS_EN if english else REMINDERS).format(**words)
        m.contact(d, m.at(d, day, rng.uniform(10 * 60, 19 * 60)), "sms", "delivered", text=text)
    if d.obligors and rng.random() < 0.1:
        _dial(m, d, day, rng.uniform(14 * 60, 18 * 60), LAWFUL_CALLS, rng.choice(d.obligors))
    if d.visit_day == day:
        team = 1 if rng.random() < 0.1 else 2  # a short-staffed visit: an honest mistake
        m.contact(
            d,
            m.at(d, day, rng.uniform(10 * 60, 17 * 60)),
            "visit",
            rng.choice(("met", "not_met")),
            team_size=team,
        )


def _trace(m: Month, d: Debtor, day: int) -> None:
    """The debtor cannot be reached: keep trying, and ask a contact person once in a while how to reach
    them (permitted while the debtor is unreachable; stop if the person refuses)."""
    rng = m.rng
    minute = rng.uniform(9 * 60, 11 * 60)
    for _ in range(rng.randint(1, 2)):
        m.contact(d, m.at(d, day, minute), "call", rng.choice(("unanswered", "failed", "busy")))
        minute += rng.uniform(60, 240)
    assert d.unreachable is not None
    if day == d.unreachable[1] - 1 and rng.random() < 0.7:
        _inbound(m, d, day)  # the message got through: the debtor calls back
        return
    open_ = [p for p in d.contacts if p.party not in d.refused]
    if not open_ or rng.random() > 0.5:
        return
    p = rng.choice(open_)
    call = _dial(m, d, day, rng.uniform(15 * 60, 19 * 60), LAWFUL_CALLS, p)
    if call.outcome == "connected" and rng.random() < 0.25:
        d.refused.add(p.party)
        m.event(call.at + timedelta(seconds=call.duration_s or 60), "party_refused", None, p.party)
    elif call.outcome != "connected" and rng.random() < 0.5:
        words = m.texts(d, day) | {"greet": p.greet}
        m.contact(
            d,
            call.at + timedelta(minutes=5),
            "sms",
            "delivered",
            who=p,
            text=rng.choice(TO_CONTACT).format(**words),
        )


def _honest_mistake(m: Month, d: Debtor, day: int) -> None:
    """The lawful teams' slips: Beijing office hours for a debtor elsewhere, a call that ran past 22:00,
    a contact person called although the debtor answers, two collectors on one case on one day."""
    rng = m.rng
    kind = rng.randrange(4)
    if kind == 0 and d.zone != "Asia/Shanghai":
        m.contact(d, m.beijing(day, rng.uniform(8 * 60 + 30, 9 * 60 + 30)), "call", "unanswered")
    elif kind in (0, 1):
        m.contact(d, m.at(d, day, rng.uniform(22 * 60, 22 * 60 + 20)), "call", rng.choice(CALL_OUTCOMES))
    elif kind == 2 and d.contacts:
        _dial(m, d, day, rng.uniform(14 * 60, 18 * 60), LAWFUL_CALLS, rng.choice(d.contacts))
    else:
        others = [c for c in d.agency.collectors if c != d.collector]
        minute = rng.uniform(9 * 60, 10 * 60)
        for i in range(4):
            who = d.collector if i % 2 == 0 else others[0]
            m.contact(d, m.at(d, day, minute), "call", "connected", collector=who)
            minute += rng.uniform(60, 150)


def _abusive_day(m: Month, d: Debtor, day: int) -> None:
    """The abusive agency: call bombing, night calls, insults and threats, contacts and employers told
    about the debt, and no regard for disputes, pauses, opt-outs or refusals."""
    rng = m.rng
    _, paused, _, _ = _state(d, day)
    if rng.random() > (d.intensity * (0.5 if paused else 1.0)):
        return
    words = m.texts(d, day)
    english = d.zone in ABROAD
    night = rng.random() < 0.3
    pressure = rng.random() < 0.25
    minute = rng.uniform(6 * 60 + 40, 7 * 60 + 50) if night else rng.uniform(8 * 60 + 30, 10 * 60)
    weights = (0.38, 0.45, 0.08, 0.04, 0.05) if pressure else ABUSED_CALLS
    collector = rng.choice(d.agency.collectors)
    for _ in range(rng.randint(9, 16) if pressure else rng.randint(2, 7)):
        call = _dial(m, d, day, minute, weights, collector=collector)
        if call.outcome == "connected" and rng.random() < 0.3:
            call.text = rng.choice(ABUSIVE_TRANSCRIPTS).format(**words)
        minute += rng.uniform(3, 50)
    if night:
        minute = max(minute, rng.uniform(22 * 60 + 5, 23 * 60 + 30))
        for _ in range(rng.randint(1, 3)):
            _dial(m, d, day, minute, ABUSED_CALLS, collector=collector)
            minute += rng.uniform(5, 25)
    for _ in range(rng.randint(0, 3)):
        text = rng.choice(ABUSE_EN if english and rng.random() < 0.6 else ABUSE).format(**words)
        m.contact(
            d, m.at(d, day, rng.uniform(8 * 60, 23 * 60)), "sms", "delivered", text=text, collector=collector
        )
    if d.contacts and rng.random() < 0.35:
        for p in rng.sample(d.contacts, rng.randint(1, len(d.contacts))):
            at = rng.uniform(9 * 60, 21 * 60)
            _dial(m, d, day, at, ABUSED_CALLS, p, collector=collector)
            words_p = words | {"rel": p.rel}
            text = rng.choice(EXPOSE_EN if english and rng.random() < 0.5 else EXPOSE).format(**words_p)
            m.contact(
                d,
                m.at(p, day, at + rng.uniform(2, 30)),
                "sms",
                "delivered",
                who=p,
                text=text,
                collector=collector,
            )
    if d.employer and rng.random() < 0.12:
        at = rng.uniform(9 * 60, 17 * 60)
        _dial(m, d, day, at, (0.6, 0.3, 0.05, 0.0, 0.05), d.employer, collector=collector)
        text = rng.choice(EXPOSE_EMPLOYER).format(**words)
        m.contact(
            d,
            m.at(d.employer, day, at + rng.uniform(5, 60)),
            "sms",
            "delivered",
            who=d.employer,
            text=text,
            collector=collector,
        )
    if d.visit_day == day:
        team = 1 if rng.random() < 0.7 else 2
        said = rng.choice(ABUSE).format(**words) if rng.random() < 0.5 else None
        m.contact(
            d,
            m.at(d, day, rng.uniform(19 * 60, 22 * 60 + 30)),
            "visit",
            rng.choice(("met", "not_met")),
            team_size=team,
            text=said,
            collector=collector,
        )


# --- bulk ------------------------------------------------------------------------------------------

BULK_ZONES = (("Asia/Shanghai", None), ("Asia/Urumqi", "Asia/Urumqi"), ("Europe/London", "Europe/London"))
BULK_CHANNELS = ("call", "sms", "im", "app", "visit", "letter")
BULK_CHANNEL_CUM = (0.78, 0.95, 0.97, 0.985, 0.99, 1.0)
BULK_CALL_CUM = (0.25, 0.75, 0.83, 0.90, 1.0)  # connected, unanswered, busy, voicemail, failed
BULK_ROLES = ("debtor", "co_borrower", "guarantor", "contact_person", "employer")
BULK_ROLE_CUM = (0.955, 0.97, 0.985, 0.995, 1.0)


def _pick(cum: Sequence[float], items: Sequence[T], x: float) -> T:
    for bound, item in zip(cum, items, strict=True):
        if x < bound:
            return item
    return items[-1]


def generate_bulk(n_contacts: int, n_debtors: int, seed: int = 1) -> Iterator[Contact]:
    """`n_contacts` contacts spread evenly over `n_debtors` debtors and 30 days from 2026-03-01, no text.

    Yields debtor by debtor, each debtor's contacts in time order. The mix is cn-like: mostly calls,
    a quarter of them connected; most debtors in Beijing time, some in Xinjiang, a few in London; a few
    per cent of contacts break a rule (night calls, contact persons, a burst day of call bombing,
    single-collector visits).
    """
    rng = random.Random(seed)
    rand = rng.random
    start = datetime(2026, 3, 1, tzinfo=CST)
    # each zone's offset from Beijing time, per day of the month, in minutes
    shift = {
        name: [
            480
            - int(
                (
                    datetime.combine(
                        start.date() + timedelta(days=i), time(12), tzinfo=zone(name)
                    ).utcoffset()
                    or timedelta(0)
                ).total_seconds()
                // 60
            )
            for i in range(31)
        ]
        for name, _ in BULK_ZONES
    }
    agencies = [a.id for a in AGENCIES]
    collectors = [list(a.collectors) for a in AGENCIES]
    base, extra = divmod(n_contacts, max(1, n_debtors))
    seq = 0
    for i in range(n_debtors):
        k = base + (1 if i < extra else 0)
        debtor = f"b{i:06d}"
        account = f"ab{i:06d}"
        x = rand()
        zone_name, tz = BULK_ZONES[0 if x < 0.93 else 1 if x < 0.99 else 2]
        offsets = shift[zone_name]
        a = int(rand() * len(agencies))
        agency, staff = agencies[a], collectors[a]
        phone = f"+86 13{int(rand() * 10**9):09d}"
        burst_day = int(rand() * 30) if rand() < 0.03 else -1
        minutes: list[tuple[int, bool]] = []  # local minute of the month, part of a burst
        for j in range(k):
            if burst_day >= 0 and j < 12:
                minutes.append((burst_day * 1440 + 9 * 60 + j * 41 + int(rand() * 30), True))
                continue
            day = int(rand() * 30)
            y = rand()
            local = 8 * 60 + int(rand() * 13.9 * 60) if y > 0.008 else 22 * 60 + int(rand() * 9 * 60)
            minutes.append((day * 1440 + local, False))
        minutes.sort()
        for minute, burst in minutes:
            seq += 1
            channel = "call" if burst else _pick(BULK_CHANNEL_CUM, BULK_CHANNELS, rand())
            role = "debtor" if burst else _pick(BULK_ROLE_CUM, BULK_ROLES, rand())
            party = debtor if role == "debtor" else f"{debtor}-{role}"
            team = None
            if channel == "call":
                outcome = _pick(BULK_CALL_CUM, CALL_OUTCOMES, rand() * (0.5 if burst else 1.0))
            elif channel == "visit":
                outcome, team = "met", 1 if rand() < 0.2 else 2
            else:
                outcome = "delivered" if rand() < 0.95 else "failed"
            at = start + timedelta(
                minutes=minute + offsets[min(minute // 1440, 30)], seconds=int(rand() * 60)
            )
            yield Contact(
                id=f"c{seq:07d}",
                at=at,
                channel=channel,
                account=account,
                debtor=debtor,
                outcome=outcome,
                party=party,
                role=role,
                tz=tz,
                address=None if channel == "visit" else phone,
                collector=staff[int(rand() * len(staff))],
                agency=agency,
                duration_s=float(30 + int(rand() * 300)) if outcome == "connected" else None,
                team_size=team,
            )


# --- output ----------------------------------------------------------------------------------------


def to_jsonl_lines(records: Iterable[Contact | Event]) -> Iterator[str]:
    """One canonical JSON object per record (schema.md field names, UTF-8 text kept), without newline."""
    for r in records:
        yield json.dumps(r.to_dict(), ensure_ascii=False, separators=(",", ":"))
