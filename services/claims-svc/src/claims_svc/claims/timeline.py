"""How each step of a claim reads in the member's timeline: plain Chinese, no jargon, no codes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")

ON_SITE_REASONS: dict[str, str] = {
    "injury_or_death": "有人员受伤或死亡",
    "not_drivable": "车辆无法正常行驶",
    "drink_driving_suspected": "驾驶人涉嫌酒后驾驶",
    "no_valid_licence": "驾驶人无有效驾驶证",
    "no_plate": "车辆无号牌",
    "party_left": "有一方已驶离现场",
    "third_party_property": "造成了他人财产损失",
    "over_fast_claim_limit": "预估损失超过快速理赔限额",
    "liability_disputed": "双方对责任划分有异议",
    "liability_manual": "事故情形需要人工认定责任",
    "liability_unconfirmed": "责任划分未在规定时间内得到双方确认",
}

LIABILITY: dict[str, str] = {
    "full": "全部责任",
    "major": "主要责任",
    "equal": "同等责任",
    "minor": "次要责任",
    "none": "无责任",
}


def when(at: datetime) -> str:
    local = at.astimezone(TZ)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def yuan(fen: int) -> str:
    return f"{fen // 100:,}.{fen % 100:02d}"


def reasons(codes: Iterable[str]) -> str:
    return "；".join(ON_SITE_REASONS.get(code, code) for code in codes)


def reported(claim_no: str, loss_at: datetime, address: str) -> str:
    return f"报案成功，报案号 {claim_no}。我们已收到您 {when(loss_at)} 在{address}发生事故的报案。"


def reported_by_staff(staff_id: str) -> str:
    return f"本案由理赔客服（工号 {staff_id}）代您报案。"


def duplicate(other_claim_no: str) -> str:
    return f"提示：同一车辆或保单在相近时间已有报案（报案号 {other_claim_no}），我们会核实是否为重复报案。"


def routed_on_site(codes: Iterable[str]) -> str:
    codes = list(codes)
    text = f"您的案件需要查勘员到现场处理（原因：{reasons(codes)}）。查勘员会尽快与您联系，请注意接听电话。"
    if "injury_or_death" in codes:
        text += "如有人员受伤，请立即拨打120急救电话和122报警电话。"
    return text


def take_photos() -> str:
    return "下一步：请按拍照指引，一招配一图，逐项拍摄并上传现场照片。"
