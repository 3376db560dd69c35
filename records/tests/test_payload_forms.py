"""A record's content typed field by field: each field's value normalised and typed by the
category's schema, each problem beside its field, in Japanese."""

from django import forms

from records.payload_forms import fields_for, initial_for, payload_from


def typed(code: str, data: dict) -> tuple[forms.Form, dict | None]:
    form = type("Content", (forms.Form,), fields_for(code))(data)
    assert form.is_valid()  # the fields only collect: the schema decides
    return form, payload_from(form, code)


def test_typed_values_become_the_schemas_types():
    _form, payload = typed(
        "receipts",
        {
            "payload_treatment_month": "２０２５－０４",
            "payload_institution_code": "1312345678",
            "payload_institution_name": "港中央病院",
            "payload_setting": "外来",
            "payload_points": "１,２００",
            "payload_diagnoses": "腰痛症\n\n高血圧症 \n",
        },
    )
    assert payload == {
        "treatment_month": "2025-04",
        "institution_code": "1312345678",
        "institution_name": "港中央病院",
        "setting": "外来",
        "points": 1200,
        "diagnoses": ["腰痛症", "高血圧症"],
    }


def test_each_problem_is_beside_its_field_once():
    form, payload = typed(
        "health-checks", {"payload_examined_on": "2025-05-20", "payload_bmi": "9999"}
    )
    assert payload is None
    assert form.errors["payload_facility"] == ["「健診機関」を入力してください。"]
    assert form.errors["payload_bmi"] == ["「BMI」は80以下にしてください。"]
    assert "payload_examined_on" not in form.errors


def test_a_too_long_text_is_said_once_by_the_schema():
    form, payload = typed(
        "staff",
        {
            "payload_employee_number": "1234",
            "payload_department": "あ" * 101,
            "payload_hired_on": "2020-04-01",
        },
    )
    assert payload is None
    assert form.errors["payload_department"] == ["「所属」は100文字以内にしてください。"]


def test_stored_values_are_shown_as_typed():
    shown = initial_for("health-checks", {"smoker": False, "height_cm": 170.2})
    assert shown == {"payload_smoker": "いいえ", "payload_height_cm": "170.2"}
    assert initial_for("receipts", {"diagnoses": ["腰痛症", "高血圧症"]}) == {
        "payload_diagnoses": "腰痛症\n高血圧症"
    }
