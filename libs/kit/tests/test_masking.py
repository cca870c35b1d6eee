from __future__ import annotations

import pytest
from cheyou_kit.masking import mask_id_number, mask_name, mask_phone, mask_tail


@pytest.mark.parametrize(
    ("mask", "value", "shown"),
    [
        (mask_phone, "13800138000", "138****8000"),
        (mask_phone, "12345", "****"),
        (mask_id_number, "35010219900307012X", "**************012X"),
        (mask_name, "张三丰", "张**"),
        (mask_name, "林", "*"),
        (mask_tail, "350102198507161234", "**************1234"),
        (mask_tail, "1234", "1234"),
    ],
)
def test_each_kind_of_personal_data_has_one_masked_form(mask: object, value: str, shown: str) -> None:
    assert callable(mask)
    assert mask(value) == shown
