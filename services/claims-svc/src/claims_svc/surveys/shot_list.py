"""The guided shot list ("one tip, one picture", 一招配一图): each slot with what to shoot and how."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Slot:
    code: str
    label: str
    instruction: str
    required: bool = True


_EXTRAS = (
    Slot("extra_1", "补充照片1", "其他有助于说明事故的照片，如散落物、刹车痕迹、路面标线。", required=False),
    Slot("extra_2", "补充照片2", "其他有助于说明事故的照片。", required=False),
    Slot("extra_3", "补充照片3", "其他有助于说明事故的照片。", required=False),
)

TWO_VEHICLE: tuple[Slot, ...] = (
    Slot("front_view", "车头前方全景", "站在车头前方约5米处，拍下两车和周围环境，车牌要清晰。"),
    Slot("rear_view", "车尾后方全景", "站在车尾后方约5米处，拍下两车的前后位置和车道线。"),
    Slot("contact_point", "碰撞部位", "靠近两车接触的位置拍摄，让两车的碰撞部位出现在同一张照片里。"),
    Slot("side_view", "侧方全景", "从侧面拍下两车的位置关系，能看到车道线或路口。"),
    Slot("own_driving_licence", "本方驾驶证", "把驾驶证正页放平拍摄，四角完整，文字清晰不反光。"),
    Slot("own_vehicle_licence", "本方行驶证", "把行驶证正页放平拍摄，四角完整，文字清晰不反光。"),
    Slot("other_driving_licence", "对方驾驶证", "请对方出示驾驶证，放平拍摄正页，文字清晰。"),
    Slot("other_vehicle_licence", "对方行驶证", "请对方出示行驶证，放平拍摄正页，文字清晰。"),
    Slot("own_vin", "本车车架号", "拍摄前挡风玻璃左下角的车架号（VIN），17位字符都要看得清。"),
    Slot("other_vin", "对方车架号", "拍摄对方车辆前挡风玻璃左下角的车架号（VIN）。"),
    Slot("damage_closeup", "损失部位近景", "对准本车受损部位近距离拍摄，能看清划痕、凹陷或破损。"),
    Slot("odometer", "里程表", "打开点火开关，拍下仪表盘上显示的里程数。"),
    *_EXTRAS,
)

SINGLE_VEHICLE: tuple[Slot, ...] = (
    Slot("front_view", "车头前方全景", "站在车头前方约5米处，拍下车辆和周围环境，车牌要清晰。"),
    Slot("rear_view", "车尾后方全景", "站在车尾后方约5米处，拍下车辆和周围环境。"),
    Slot("contact_point", "碰撞部位", "拍下车辆与物体接触的位置（护栏、墙体、树木等），物体要入镜。"),
    Slot("side_view", "侧方全景", "从侧面拍下车辆与周围物体的位置关系。"),
    Slot("own_driving_licence", "驾驶证", "把驾驶证正页放平拍摄，四角完整，文字清晰不反光。"),
    Slot("own_vehicle_licence", "行驶证", "把行驶证正页放平拍摄，四角完整，文字清晰不反光。"),
    Slot("own_vin", "车架号", "拍摄前挡风玻璃左下角的车架号（VIN），17位字符都要看得清。"),
    Slot("damage_closeup", "损失部位近景", "对准受损部位近距离拍摄，能看清划痕、凹陷或破损。"),
    Slot("odometer", "里程表", "打开点火开关，拍下仪表盘上显示的里程数。"),
    *_EXTRAS,
)

SHOT_LISTS: dict[str, tuple[Slot, ...]] = {
    "two_vehicle": TWO_VEHICLE,
    "multi_vehicle": TWO_VEHICLE,
    "single_vehicle": SINGLE_VEHICLE,
}


def shot_list(accident_type: str) -> tuple[Slot, ...]:
    return SHOT_LISTS[accident_type]


def slot_of(accident_type: str, code: str) -> Slot | None:
    return next((slot for slot in shot_list(accident_type) if slot.code == code), None)
