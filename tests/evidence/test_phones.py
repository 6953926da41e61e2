from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from faircollect.evidence.phones import normalize


@pytest.mark.parametrize(
    "raw",
    [
        "+8613800138000",
        "8613800138000",
        "008613800138000",
        "13800138000",
        "+86 138 0013 8000",
        "138-0013-8000",
        "(+86) 13800138000",
    ],
)
def test_chinese_mobile_spellings_are_one_number(raw: str) -> None:
    assert normalize(raw, "cn") == "+8613800138000"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("95555", "95555"),  # bank short code
        ("10690000888", "10690000888"),  # SMS gateway
        ("106903311234567", "106903311234567"),
        ("010-62345678", "+861062345678"),  # Beijing landline
        ("招商银行", "招商银行"),  # alphanumeric sender
        ("wxid_AbC", "wxid_abc"),
        ("", "unknown"),
        (None, "unknown"),
        ("-2", "unknown"),  # a withheld number
    ],
)
def test_short_codes_landlines_and_names(raw: str | None, expected: str) -> None:
    assert normalize(raw, "cn") == expected


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("(212) 555-0100", "us", "+12125550100"),
        ("1 212 555 0100", "us", "+12125550100"),
        ("07700 900123", "uk", "+447700900123"),
        ("+44 7700 900123", "uk", "+447700900123"),
        ("00447700900123", "uk", "+447700900123"),
        ("8613800138000", "us", "+8613800138000"),  # a Chinese number seen from abroad
    ],
)
def test_other_regions(raw: str, region: str, expected: str) -> None:
    assert normalize(raw, region) == expected


@given(
    digits=st.from_regex(r"1[3-9]\d{9}", fullmatch=True),
    prefix=st.sampled_from(["", "86", "+86", "0086", "+86 ", "86-"]),
    sep=st.sampled_from(["", " ", "-"]),
)
def test_any_spelling_of_a_mobile_normalises_the_same(digits: str, prefix: str, sep: str) -> None:
    spelled = prefix + sep.join([digits[:3], digits[3:7], digits[7:]])
    assert normalize(spelled, "cn") == "+86" + digits
