"""Which documents a claim needs, by what kind of claim it is."""

from __future__ import annotations

from dataclasses import dataclass

from claims_svc.claims.models import Claim


@dataclass(frozen=True)
class DocumentKind:
    code: str
    label: str
    hint: str


KINDS: dict[str, DocumentKind] = {
    k.code: k
    for k in (
        DocumentKind("id_card", "被保险人身份证", "身份证正反面各拍一张，四角完整、文字清晰。"),
        DocumentKind("driving_licence", "驾驶证", "事故发生时驾驶人的驾驶证正页和副页。"),
        DocumentKind("vehicle_licence", "行驶证", "受损车辆的行驶证正页和副页。"),
        DocumentKind("bank_card", "收款银行卡", "被保险人本人名下的银行卡正面，卡号清晰，用于支付赔款。"),
        DocumentKind("repair_invoice", "维修发票", "修理厂开具的维修发票及维修清单。"),
        DocumentKind("police_certificate", "交通事故认定书", "交警出具的事故认定书或事故证明。"),
        DocumentKind("medical_record", "病历及诊断证明", "伤者的门诊或住院病历、诊断证明。"),
        DocumentKind("medical_invoice", "医疗费发票", "伤者的医疗费用发票及费用清单。"),
        DocumentKind("property_loss_list", "财产损失清单", "他人财产损失的清单及照片或修复单据。"),
    )
}

POLICE_REASONS = frozenset(
    {"injury_or_death", "drink_driving_suspected", "no_valid_licence", "party_left", "liability_disputed"}
)
"""On-site reasons that come with a police report."""


def required_kinds(claim: Claim) -> list[str]:
    """The checklist of this claim: the basics, then what its circumstances add."""
    kinds = ["id_card", "driving_licence", "vehicle_licence", "bank_card", "repair_invoice"]
    if claim.police_called or POLICE_REASONS.intersection(claim.on_site_reasons):
        kinds.append("police_certificate")
    if claim.injury_or_death:
        kinds += ["medical_record", "medical_invoice"]
    if claim.third_party_property:
        kinds.append("property_loss_list")
    return kinds
