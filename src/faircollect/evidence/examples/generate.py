"""Write a realistic synthetic phone export: `python -m faircollect.evidence.examples.generate [--out DIR]`.

One borrower in Shanghai over a month (by default): family and friends chatting (money and a loan among
the topics, which must not make them collectors), bank notices, verification codes, and four collectors:
a platform that texts and calls lawfully by day but too often and sometimes at night, an agency that
insults and threatens (also by MMS) and calls after 22:00, an SMS gateway sending arrears notices, and a
number that only calls (a collector only if the borrower names it). Number formats vary as on real
phones. Deterministic for a seed. Writers stream, so 100,000 messages need no memory.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import quoteattr
from zoneinfo import ZoneInfo

from faircollect.evidence.examples import HERE

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = date(2026, 3, 1)

MOM = "+8613912345678"
DAD = "13987654321"
WIFE = "+86 136 1111 2222"
FRIEND = "8615800001234"
BANK = "95555"
CODES = "106903311234567"
PLATFORM = ("+8617100001111", "17100001111", "86 171 0000 1111")  # collector A, three spellings
AGENCY = "008616522223333"  # collector B
GATEWAY = "10690000888"  # collector C (arrears notices)
CALLER = ("+86 135 5555 6666", "13555556666")  # collector D: calls only

FAMILY_IN = [
    "吃饭了吗？周末回家吃饭吧",
    "妈炖了排骨，给你留了一份",
    "你爸血压最近有点高，下周陪他去医院看看",
    "天冷了多穿点衣服",
    "房租的钱我先转给你了，别太省",
    "你借的那个网贷还了吗？别太有压力，家里能帮就帮",
    "钱的事慢慢来，身体要紧",
    "孩子的学费我已经交了",
    "晚上早点睡，别熬夜",
    "二姨问你过年回不回来",
    "上次借你的两千块不着急还",
    "今天超市鸡蛋打折，我多买了两盒",
]
FAMILY_OUT = [
    "好的妈",
    "知道了，周末回去",
    "钱我下个月还你",
    "最近工作有点忙",
    "爸身体怎么样？",
    "嗯嗯，放心吧",
]
FRIEND_IN = [
    "周六打球吗？",
    "上次借你的500块下周还你哈",
    "晚上一起吃火锅？",
    "那个网贷千万别碰，利息太高了",
    "生日快乐！",
]
BANK_TEXTS = [
    "【招商银行】您账户1234于{d}快捷支付扣款人民币{a}元，余额{b}元。",
    "【招商银行】您尾号1234的信用卡{m}月账单金额￥3,250.00，最低还款￥325.00，到期还款日{m}月25日，请按时还款。",
    "【招商银行】您账户1234于{d}收到工资入账人民币8,500.00元。",
]
CODE_TEXTS = [
    "【美团】您的验证码是{n}，5分钟内有效。",
    "【顺丰速运】您的快件已到达小区驿站，取件码{n}。",
    "【12306】您的购票验证码为{n}。",
]
PLATFORM_TEXTS = [
    "【速借花】尊敬的客户，您在速借花平台的借款已逾期{k}天，欠款3,280.00元，请尽快还款，以免影响个人征信。",
    "【速借花】您的借款已逾期，今日18点前请还款3,280.00元，如有困难请致电4008001234协商。",
    "【速借花】提醒：您的账户欠款3,280.00元尚未结清，请立即处理。",
]
AGENCY_TEXTS = [
    "你这个老赖，欠钱不还，再不还钱就爆你通讯录，让你全家都知道",
    "我们已经在你家楼下了，你自己看着办",
    "法院马上就来抓人，你等着坐牢吧",
    "今天不还钱，明天就把你的照片发到你们公司群里",
    "欠款3,280元今天必须结清，否则后果自负",
]
GATEWAY_TEXTS = ["【易分期消费金融】您的账单已逾期{k}天，应还金额1,560.00元，请尽快还款。回T退订"]
MMS_AGENCY = "这是你的照片，再不还钱就发到你们公司群和你老家村群里"


@dataclass(slots=True)
class Sms:
    at: datetime
    address: str
    type: int  # 1 received, 2 sent
    body: str
    name: str = "(Unknown)"


@dataclass(slots=True)
class Mms:
    at: datetime
    address: str
    box: int
    text: str
    image: bool = True


@dataclass(slots=True)
class Call:
    at: datetime
    number: str
    type: int
    duration: int
    name: str = "(Unknown)"


def _at(day: date, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=SHANGHAI)


def messages(days: int = 31, noise: int = 1, seed: int = 7, start: date = START) -> Iterator[Sms | Mms]:
    """Texts day by day; `noise` multiplies family, bank and code traffic (not the collectors')."""
    rnd = random.Random(seed)
    for n in range(days):
        day = start + timedelta(days=n)
        batch: list[Sms | Mms] = []
        for _ in range(noise):
            for _ in range(rnd.randint(3, 6)):
                batch.append(
                    Sms(
                        _at(day, rnd.randint(7, 22), rnd.randint(0, 59), rnd.randint(0, 59)),
                        MOM,
                        1,
                        rnd.choice(FAMILY_IN),
                        "妈妈",
                    )
                )
            for _ in range(rnd.randint(2, 4)):
                who = rnd.choice([MOM, DAD, WIFE])
                batch.append(
                    Sms(
                        _at(day, rnd.randint(7, 23), rnd.randint(0, 59)),
                        who,
                        2,
                        rnd.choice(FAMILY_OUT),
                        "家人",
                    )
                )
            if rnd.random() < 0.5:
                batch.append(
                    Sms(
                        _at(day, rnd.randint(9, 22), rnd.randint(0, 59)),
                        FRIEND,
                        1,
                        rnd.choice(FRIEND_IN),
                        "小王",
                    )
                )
            text = rnd.choice(BANK_TEXTS).format(
                d=f"{day:%m月%d日}",
                a=f"{rnd.randint(10, 500)}.00",
                b=f"{rnd.randint(1000, 9000)}.00",
                m=day.month,
            )
            batch.append(Sms(_at(day, rnd.randint(8, 21), rnd.randint(0, 59)), BANK, 1, text, "招商银行"))
            batch.append(
                Sms(
                    _at(day, rnd.randint(8, 23), rnd.randint(0, 59)),
                    CODES,
                    1,
                    rnd.choice(CODE_TEXTS).format(n=rnd.randint(100000, 999999)),
                )
            )
        if n >= 4:  # collector A from day 5: lawful wording, some late at night
            for _ in range(rnd.randint(1, 3)):
                hour = rnd.choice([9, 10, 14, 16, 19, 22, 23]) if n % 3 == 0 else rnd.randint(9, 20)
                text = rnd.choice(PLATFORM_TEXTS).format(k=n - 3)
                batch.append(Sms(_at(day, hour, rnd.randint(0, 59)), rnd.choice(PLATFORM), 1, text))
            if rnd.random() < 0.3:
                batch.append(
                    Sms(
                        _at(day, 20, rnd.randint(0, 59)), PLATFORM[0], 2, "我下周发工资就还，请不要再打电话了"
                    )
                )
        if n >= 10 and n % 2 == 0:  # collector B: abuse and threats
            batch.append(
                Sms(
                    _at(day, rnd.choice([7, 12, 22, 23]), rnd.randint(0, 59)),
                    AGENCY,
                    1,
                    rnd.choice(AGENCY_TEXTS),
                )
            )
        if n == 15:
            batch.append(Mms(_at(day, 23, 40), AGENCY, 1, MMS_AGENCY))
            batch.append(Mms(_at(day, 12, 5), WIFE, 1, "看看孩子今天的照片"))
        if n >= 2:  # collector C: one notice a day
            batch.append(Sms(_at(day, 10, rnd.randint(0, 30)), GATEWAY, 1, GATEWAY_TEXTS[0].format(k=n - 1)))
        yield from sorted(batch, key=lambda m: m.at)


def calls(days: int = 31, noise: int = 1, seed: int = 11, start: date = START) -> Iterator[Call]:
    rnd = random.Random(seed)
    for n in range(days):
        day = start + timedelta(days=n)
        batch: list[Call] = []
        for _ in range(noise):
            for _ in range(rnd.randint(1, 3)):
                who, name = rnd.choice([(MOM, "妈妈"), (DAD, "爸爸"), (WIFE, "老婆"), (FRIEND, "小王")])
                batch.append(
                    Call(
                        _at(day, rnd.randint(8, 22), rnd.randint(0, 59)),
                        who,
                        rnd.choice([1, 2]),
                        rnd.randint(30, 900),
                        name,
                    )
                )
            if rnd.random() < 0.2:
                batch.append(Call(_at(day, rnd.randint(9, 20), rnd.randint(0, 59)), MOM, 3, 0, "妈妈"))
        if n >= 4:  # collector A: many attempts, a few answered; on some days far too many
            attempts = rnd.randint(8, 12) if n % 4 == 0 else rnd.randint(2, 5)
            for i in range(attempts):
                connected = i < (4 if n % 4 == 0 else 1)
                kind, dur = (1, rnd.randint(40, 300)) if connected else (rnd.choice([3, 5]), 0)
                batch.append(Call(_at(day, 9 + i, rnd.randint(0, 59)), rnd.choice(PLATFORM), kind, dur))
            if n % 7 == 0:
                batch.append(Call(_at(day, 18, 30), PLATFORM[1], 2, rnd.randint(60, 240)))
        if n >= 10 and n % 3 == 0:  # collector B: at night, blocked after a while
            for hour in (22, 23):
                kind = 6 if n >= 20 else rnd.choice([1, 3])
                batch.append(
                    Call(
                        _at(day, hour, rnd.randint(5, 55)),
                        AGENCY,
                        kind,
                        rnd.randint(20, 90) if kind == 1 else 0,
                    )
                )
        if n >= 6:  # collector D: calls only
            for _ in range(rnd.randint(3, 8)):
                batch.append(Call(_at(day, rnd.randint(8, 21), rnd.randint(0, 59)), rnd.choice(CALLER), 3, 0))
        yield from sorted(batch, key=lambda c: c.at)


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def _readable(at: datetime) -> str:
    return at.strftime("%b %d, %Y %H:%M:%S")


def write_sms(path: Path, items: Iterator[Sms | Mms], count: int | None = None) -> int:
    """Stream an `sms-*.xml` file; `count` is the root attribute (the app writes the true total)."""
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        fh.write("<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n")
        fh.write(
            f'<smses count="{count if count is not None else 0}" backup_set="4a1c2d3e-0000-4000-8000-000000000001" backup_date="1775005200000" type="full">\n'
        )
        for m in items:
            n += 1
            if isinstance(m, Sms):
                fh.write(
                    f'  <sms protocol="0" address={quoteattr(m.address)} date="{_ms(m.at)}" type="{m.type}" subject="null" '
                    f'body={quoteattr(m.body)} toa="null" sc_toa="null" service_center="+8613800210500" read="1" status="-1" '
                    f'locked="0" date_sent="{_ms(m.at) - 1000}" sub_id="1" readable_date="{_readable(m.at)}" contact_name={quoteattr(m.name)} />\n'
                )
            else:
                addr_type = 137 if m.box == 1 else 151
                fh.write(
                    f'  <mms date="{_ms(m.at)}" rr="129" sub="null" ct_t="application/vnd.wap.multipart.related" read_status="null" '
                    f'seen="1" msg_box="{m.box}" address={quoteattr(m.address)} sub_cs="null" resp_st="null" retr_st="null" '
                    f'd_tm="null" text_only="0" exp="null" locked="0" m_id="mms{n}" st="null" retr_txt_cs="null" '
                    f'retr_txt="null" creator="com.android.mms" date_sent="0" read="1" m_size="20480" rpt_a="null" '
                    f'ct_cls="null" pri="129" sub_id="1" tr_id="T{n}" resp_txt="null" ct_l="null" m_cls="personal" '
                    f'd_rpt="129" v="18" _id="{n}" m_type="132" readable_date="{_readable(m.at)}" contact_name="(Unknown)">\n'
                    "    <parts>\n"
                    '      <part seq="-1" ct="application/smil" name="null" chset="null" cd="null" fn="null" cid="&lt;smil&gt;" '
                    'cl="smil.xml" ctt_s="null" ctt_t="null" text="&lt;smil&gt;&lt;body&gt;&lt;par dur=&quot;5000ms&quot;&gt;&lt;img src=&quot;image.jpg&quot;/&gt;&lt;/par&gt;&lt;/body&gt;&lt;/smil&gt;" />\n'
                    f'      <part seq="0" ct="text/plain" name="null" chset="106" cd="null" fn="null" cid="&lt;text&gt;" cl="text.txt" ctt_s="null" ctt_t="null" text={quoteattr(m.text)} />\n'
                    + (
                        '      <part seq="0" ct="image/jpeg" name="image.jpg" chset="null" cd="null" fn="null" cid="&lt;image&gt;" '
                        'cl="image.jpg" ctt_s="null" ctt_t="null" data="/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAACf/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AKp//2Q==" />\n'
                        if m.image
                        else ""
                    )
                    + "    </parts>\n    <addrs>\n"
                    f'      <addr address={quoteattr(m.address)} type="{addr_type}" charset="106" />\n'
                    f'      <addr address="+8613700009999" type="{151 if m.box == 1 else 137}" charset="106" />\n'
                    "    </addrs>\n  </mms>\n"
                )
        fh.write("</smses>\n")
    return n


def write_calls(path: Path, items: Iterator[Call], count: int | None = None) -> int:
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        fh.write("<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n")
        fh.write(
            f'<calls count="{count if count is not None else 0}" backup_set="4a1c2d3e-0000-4000-8000-000000000002" backup_date="1775005200000" type="full">\n'
        )
        for c in items:
            n += 1
            fh.write(
                f'  <call number={quoteattr(c.number)} duration="{c.duration}" date="{_ms(c.at)}" type="{c.type}" presentation="1" '
                f'subscription_id="1" post_dial_digits="" subscription_component_name="com.android.phone/com.android.services.telephony.TelephonyConnectionService" '
                f'readable_date="{_readable(c.at)}" contact_name={quoteattr(c.name)} />\n'
            )
        fh.write("</calls>\n")
    return n


def write_example(out: Path, days: int = 31, noise: int = 1, seed: int = 7) -> tuple[Path, Path, int, int]:
    """Write `sms-…xml` and `calls-…xml` into `out`; returns the paths and the record counts."""
    out.mkdir(parents=True, exist_ok=True)
    sms_path, calls_path = out / "sms-20260401090000.xml", out / "calls-20260401090000.xml"
    n_sms = sum(1 for _ in messages(days, noise, seed))
    n_calls = sum(1 for _ in calls(days, noise, seed + 4))
    write_sms(sms_path, messages(days, noise, seed), n_sms)
    write_calls(calls_path, calls(days, noise, seed + 4), n_calls)
    return sms_path, calls_path, n_sms, n_calls


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="write a synthetic SMS Backup & Restore export")
    parser.add_argument("--out", type=Path, default=HERE, help="directory (default: the bundled example)")
    parser.add_argument("--days", type=int, default=31)
    parser.add_argument("--noise", type=int, default=1, help="multiplies family, bank and code traffic")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    sms_path, calls_path, n_sms, n_calls = write_example(args.out, args.days, args.noise, args.seed)
    print(f"{sms_path} ({n_sms} messages)\n{calls_path} ({n_calls} calls)")


if __name__ == "__main__":
    main()
