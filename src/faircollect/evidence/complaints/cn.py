"""China: a complaint to the lender (消费投诉处理管理办法 Art. 13 fields) and the points for 12378."""

from __future__ import annotations

from faircollect.evidence.complaints.common import Facts, finding_lines


def _blank(what: str) -> str:
    return f"【待填：{what}】"


def _facts_zh(f: Facts) -> list[str]:
    t = f.tally
    lines = [
        f"自 {t['first']:%Y-%m-%d %H:%M} 至 {t['last']:%Y-%m-%d %H:%M}，号码 {'、'.join(f.numbers)} "
        f"共联系我 {t['contacts_to_borrower']} 次：来电 {t['calls_to_borrower']} 次（接通 {t['calls_connected']} 次，"
        f"未接通 {t['calls_unanswered']} 次），信息 {t['messages_to_borrower']} 条，涉及 {t['days_with_contact']} 天。"
        if t["first"] is not None
        else f"号码 {'、'.join(f.numbers)} 的联系记录见证据报告。"
    ]
    if t["busiest_day"] is not None:
        day, n = t["busiest_day"]
        lines.append(f"其中 {day} 一天联系 {n} 次。")
    return lines


def _requests(f: Facts) -> list[str]:
    asks = []
    if f.has("time."):
        asks.append("立即停止在夜间（22:00 至次日 08:00）联系我；")
    if f.has("frequency."):
        asks.append("停止高频拨打、发送信息，将联系次数控制在规定范围内；")
    if f.has("content."):
        asks.append("立即停止威胁、辱骂、恐吓、冒充司法机关及泄露或威胁泄露我的债务信息等行为；")
    asks.append("对上述行为进行调查，书面告知调查结果，并对相关催收人员或委外机构作出处理；")
    asks.append(_blank("其他请求，例如核对欠款金额、减免不合理费用、协商还款方案"))
    return [f"{n}. {a}" for n, a in enumerate(asks, 1)]


def lender(f: Facts) -> str:
    lines = [
        "# 投诉书（致贷款机构）",
        "",
        f"投诉人：{_blank('姓名')}　　身份证号码：{_blank('身份证号码')}",
        f"联系电话：{_blank('联系电话')}　　联系地址：{_blank('联系地址')}",
        f"被投诉机构：{_blank('贷款机构全称（及委外催收机构名称，如知道）')}",
        f"涉及的催收号码：{'、'.join(f.numbers)}",
        f"借款合同 / 账户编号：{_blank('合同或账户编号')}",
        "",
        "## 投诉请求",
        *_requests(f),
        "",
        "## 事实与理由",
        *_facts_zh(f),
        "",
        "以下事实均可由我手机导出的原始记录证明（时间为北京时间）："
        if f.codes
        else "手机导出记录中未发现可证明的违规，以下请求基于本人陈述：",
        *finding_lines(f, "zh"),
        "",
        f"其他情况（手机记录无法证明，需另行举证）：{_blank('例如：联系我的亲友、同事，上门，通话中的具体言语')}",
        "",
        "## 证据",
        "1. 证据报告 report.pdf（含逐条违规、图表及催收信息全文）；",
        "2. findings.json（机器可读的全部发现）；",
        f"3. manifest.json（全部文件的 SHA-256，规则包 {f.pack_id} 哈希 {f.pack_sha256[:16]}…），可证明材料未被改动；",
        f"4. {_blank('其他证据：通话录音、截图、借款合同等')}",
        "",
        "请依照《银行业保险业消费投诉处理管理办法》在规定期限内（一般 15 日，复杂情况不超过 30 日）处理并书面答复。",
        "",
        f"投诉人（签名）：{_blank('签名')}　　日期：{_blank('日期')}",
        "",
    ]
    return "\n".join(lines)


def hotline_12378(f: Facts) -> str:
    lines = [
        "# 向 12378 投诉的要点（电话或网上提交时照此陈述）",
        "",
        "12378 是国家金融监督管理总局的消费者投诉热线，受理银行、消费金融公司、小额贷款公司等机构的不当催收投诉。",
        "一般应先向机构本身投诉；机构未处理或对答复不满意时再拨打 12378。",
        "",
        f"- 姓名：{_blank('姓名')}",
        f"- 联系电话：{_blank('联系电话')}",
        f"- 被投诉机构：{_blank('贷款机构全称')}",
        f"- 是否已向机构投诉：{_blank('投诉日期、机构答复及结果')}",
        "- 简要事实：",
        *[f"  {line}" for line in _facts_zh(f)],
        *[f"  {line}" for line in finding_lines(f, "zh")],
        "- 诉求：",
        *[f"  {line}" for line in _requests(f)],
        "- 证据：证据报告 report.pdf、findings.json、manifest.json（可按要求提交）",
        f"- 受理编号：{_blank('12378 给出的受理编号，请妥善保存')}",
        "",
        "如遇暴力威胁、跟踪、上门滋扰等，请直接拨打 110 报警。",
        "",
    ]
    return "\n".join(lines)
