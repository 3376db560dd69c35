"""The 個人番号 check (番号法; 個人番号の指定等に関する省令第5条): found, refused, masked."""

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from hypothesis import given
from hypothesis import strategies as st

from core import mynumber
from core.fields import NormalizedCharField

# The weights of the 省令's formula read from the left: Q(n) for n = 11 down to 1.
WEIGHTS = (6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
eleven_digits = st.text(alphabet="0123456789", min_size=11, max_size=11)


def by_the_ordinance(eleven: str) -> int:
    remainder = sum(int(d) * w for d, w in zip(eleven, WEIGHTS, strict=True)) % 11
    return 0 if remainder <= 1 else 11 - remainder


def a_my_number(eleven: str) -> str:
    return eleven + str(by_the_ordinance(eleven))


def test_mynumber_act_ordinance_art5_known_number():
    # The number the government's own examples print.
    assert mynumber.is_my_number("123456789018")
    assert not mynumber.is_my_number("123456789012")
    assert mynumber.check_digit("12345678901") == 8


@given(eleven_digits)
def test_mynumber_act_ordinance_art5_check_digit_as_the_ordinance_writes_it(eleven):
    assert mynumber.check_digit(eleven) == by_the_ordinance(eleven)
    assert mynumber.is_my_number(a_my_number(eleven))


@given(eleven_digits, st.integers(0, 9))
def test_mynumber_act_only_the_right_check_digit_passes(eleven, last):
    assert mynumber.is_my_number(eleven + str(last)) == (last == by_the_ordinance(eleven))


@given(
    st.text(alphabet=st.characters(blacklist_categories=("Nd",)), max_size=20),
    eleven_digits,
    st.sampled_from(["{}{}{}", "{} {} {}", "{}-{}-{}", "{}\u3000{}\u3000{}"]),
    st.booleans(),
    st.text(alphabet=st.characters(blacklist_categories=("Nd",)), max_size=20),
)
def test_mynumber_act_found_as_people_write_it(before, eleven, layout, wide, after):
    number = a_my_number(eleven)
    written = layout.format(number[:4], number[4:8], number[8:])
    if wide:
        written = written.translate({ord(d): chr(0xFF10 + int(d)) for d in "0123456789"})
    # A separator at the edge of the text around it would join the number to nothing.
    text = f"{before.rstrip(' -')}「{written}」{after}"
    assert mynumber.contains(text)
    masked = mynumber.mask(text)
    assert not mynumber.contains(masked)
    assert masked.count(mynumber.MASK) >= 12 + text.count(mynumber.MASK)
    assert masked.startswith(f"{before.rstrip(' -')}「") and masked.endswith(f"」{after}")


@given(st.text())
def test_mynumber_act_mask_leaves_no_number_and_keeps_the_length(text):
    masked = mynumber.mask(text)
    assert len(masked) == len(text)
    assert not mynumber.contains(masked)
    if not mynumber.contains(text):
        assert masked == text


@pytest.mark.parametrize(
    "text",
    [
        "03-1234-5678",  # a phone number
        "1234567890181",  # thirteen digits
        "1234-5678-9018-1234",  # a card number of sixteen
        "1234-56-789018",  # grouped otherwise, as the message suggests
        "口座番号 1234567",
        "",
    ],
)
def test_mynumber_act_other_numbers_pass(text):
    assert not mynumber.contains(text)


def test_mynumber_act_payloads_are_searched_throughout():
    assert mynumber.contains({"memo": ["x", {"note": "番号123456789018"}]})
    assert mynumber.contains({"n": 123456789018})
    assert not mynumber.contains({"flag": True, "n": 12})
    assert mynumber.mask({"memo": ["123456789018"]}) == {"memo": ["************"]}


def test_mynumber_act_public_fields_refuse_with_the_japanese_message():
    field = NormalizedCharField(label="内容")
    with pytest.raises(ValidationError) as refused:
        field.clean("マイナンバーは１２３４５６７８９０１８です")
    assert refused.value.messages == [str(mynumber.MESSAGE)]
    assert "個人番号" in refused.value.messages[0]
    assert field.clean("会員番号 1234-56-789018") == "会員番号 1234-56-789018"


def test_mynumber_act_every_typed_model_field_refuses():
    from django.apps import apps

    guarded = {
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in mynumber.guarded_fields(model)
        if mynumber.refuse_my_number in field.validators
    }
    for name in (
        "records.Record.payload",
        "records.Record.title",
        "records.Member.name",
        "complaints.Complaint.what_happened",
        "complaints.Complaint.response",
        "disclosure.Request.reasons",
        "disclosure.DecisionItem.reason",
        "safeguards.Incident.summary",
        "safeguards.AuditFinding.finding",
    ):
        assert name in guarded
    assert "records.Record.source_id" not in guarded
    assert "disclosure.IdentityDocument.sha256" not in guarded


def test_mynumber_act_a_guarded_field_keeps_its_length_check():
    """Adding the check kept the field's own validators: a value past `max_length` is still
    refused by `full_clean`, in words, not by the database."""
    from django.apps import apps

    for model in apps.get_models():
        for field in mynumber.guarded_fields(model):
            if isinstance(field, models.CharField) and field.max_length:
                assert any(
                    isinstance(v, MaxLengthValidator) and v.limit_value == field.max_length
                    for v in field.validators
                ), f"{model._meta.label}.{field.name}"
