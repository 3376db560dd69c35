"""The payload schema of each category of the register (JSON Schema, Draft 2020-12).

A record's `payload` holds the category's own items; `SCHEMAS` describes them, keyed by
the category code of the purpose register (`purposes/data/`). Keys are English, each
property carries a Japanese `title` for display and for error messages. Three extension
keywords, which jsonschema ignores, drive the rest of this module:

- `x-normalize`: `text` (default for strings), `kana` (フリガナ), `code` (digits and
  letters without spaces) — how `clean_payload` normalises a value before validating it;
- `x-hint`: what a `pattern` asks for, in words, for the error message;
- `x-mask`: how a value is shown in lists (`last3`: 口座番号 ****123).

This module validates and displays; it never reads or writes the database.
"""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from jsonschema import Draft202012Validator

from core.normalize import normalize_code, normalize_kana, normalize_text, parse_date
from core.wareki import format_wareki

# A year and month (診療年月: 2019-02), shown as 2019年2月.
MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
_ISO_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _string(
    title: str,
    *,
    max_length: int = 100,
    normalize: str | None = None,
    hint: str | None = None,
    mask: str | None = None,
    **keywords: str,
) -> dict:
    """A string of at most `max_length` characters; `normalize` (code, kana), `hint` and
    `mask` become the schema's x-normalize, x-hint and x-mask."""
    extensions = {"x-normalize": normalize, "x-hint": hint, "x-mask": mask}
    return {
        "type": "string",
        "title": title,
        "minLength": 1,
        "maxLength": max_length,
        **keywords,
        **{key: value for key, value in extensions.items() if value is not None},
    }


def _choice(title: str, *choices: str) -> dict:
    return {"type": "string", "title": title, "enum": list(choices)}


def _digits(title: str, pattern: str, hint: str, *, mask: str | None = None) -> dict:
    return _string(title, pattern=pattern, normalize="code", hint=hint, mask=mask)


def _date(title: str) -> dict:
    return {"type": "string", "title": title, "format": "date"}


def _integer(title: str, *, minimum: int = 0, maximum: int | None = None) -> dict:
    schema = {"type": "integer", "title": title, "minimum": minimum}
    if maximum is not None:
        schema["maximum"] = maximum
    return schema


def _number(title: str, *, minimum: float, maximum: float) -> dict:
    return {"type": "number", "title": title, "minimum": minimum, "maximum": maximum}


def _boolean(title: str) -> dict:
    return {"type": "boolean", "title": title}


def _object(title: str, required: tuple[str, ...], **properties: dict) -> dict:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "title": title,
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }


SCHEMAS: dict[str, dict] = {
    "eligibility": _object(
        N_("資格に関する情報"),
        ("qualification_type", "event", "effective_on"),
        qualification_type=_choice(
            N_("資格区分"),
            "被保険者",
            "任意継続被保険者",
            "特例退職被保険者",
            "被扶養者",
        ),
        event=_choice(N_("異動区分"), "取得", "喪失", "変更"),
        effective_on=_date(N_("異動日")),
        # 健康保険の標準報酬月額: 第1級 58,000円 から 第50級 1,390,000円 (健康保険法第40条).
        standard_monthly_remuneration=_integer(
            N_("標準報酬月額"), minimum=58_000, maximum=1_390_000
        ),
        card_type=_choice(
            N_("証の種類"),
            "資格確認書",
            "資格情報のお知らせ",
            "被保険者証",
            "高齢受給者証",
            "限度額適用認定証",
        ),
        card_issued_on=_date(N_("交付日")),
    ),
    "insured-income": _object(
        N_("被保険者及び被扶養者の収入に関する情報"),
        ("fiscal_year", "annual_income", "income_type"),
        fiscal_year=_integer(N_("年度"), minimum=1990, maximum=2100),
        annual_income=_integer(N_("年収")),
        income_type=_choice(
            N_("種別"),
            "給与",
            "年金",
            "事業",
            "不動産",
            "雇用保険",
            "その他",
        ),
    ),
    "my-number-card-linkage": _object(
        N_("マイナ保険証の紐づけ状況"),
        ("link_status", "confirmed_on"),
        link_status=_choice(N_("紐づけ状態"), "紐づけ済", "未紐づけ", "紐づけ解除"),
        confirmed_on=_date(N_("確認日")),
        certificate_expires_on=_date(N_("電子証明書の有効期限")),
    ),
    "dependant-income-and-relations": _object(
        N_("被扶養者及びその同居家族の収入及び身分関係に関する情報"),
        ("person", "relationship", "living_together", "annual_income"),
        person=_choice(N_("対象者"), "被扶養者", "被扶養者になろうとする者", "同居家族"),
        relationship=_string(N_("続柄"), max_length=20),
        living_together=_boolean(N_("同居")),
        annual_income=_integer(N_("年収")),
        monthly_support=_integer(N_("仕送り額（月額）")),
        decision=_choice(N_("認定結果"), "認定", "非認定", "審査中", "検認済"),
    ),
    "former-member-new-insurer": _object(
        N_("資格喪失者が加入する保険者に関する情報"),
        ("insurer_number", "insurer_name"),
        # 保険者番号: 国民健康保険は6桁、被用者保険は8桁。
        insurer_number=_digits(
            N_("保険者番号"), r"^([0-9]{6}|[0-9]{8})$", N_("6桁または8桁の数字")
        ),
        insurer_name=_string(N_("保険者名")),
        joined_on=_date(N_("加入日")),
    ),
    "cash-benefits": _object(
        N_("現金給付に関する情報"),
        ("benefit_type", "amount", "paid_on"),
        benefit_type=_choice(
            N_("給付種別"),
            "傷病手当金",
            "出産手当金",
            "出産育児一時金",
            "埋葬料",
            "高額療養費",
            "療養費",
            "付加給付",
            "移送費",
        ),
        amount=_integer(N_("支給額")),
        paid_on=_date(N_("支給日")),
        period_from=_date(N_("対象期間（開始）")),
        period_to=_date(N_("対象期間（終了）")),
    ),
    "receipts": _object(
        N_("レセプトに関する情報"),
        ("treatment_month", "institution_code", "institution_name", "setting", "points"),
        treatment_month=_digits(N_("診療年月"), MONTH_PATTERN, N_("年月（YYYY-MM）")),
        # 医療機関コード: 都道府県2桁 + 点数表1桁 + 医療機関7桁。
        institution_code=_digits(N_("医療機関コード"), r"^[0-9]{10}$", N_("10桁の数字")),
        institution_name=_string(N_("医療機関名")),
        claim_type=_choice(N_("レセプト種別"), "医科", "歯科", "調剤"),
        setting=_choice(N_("入院・外来"), "入院", "外来"),
        points=_integer(N_("点数")),
        days=_integer(N_("実日数"), maximum=31),
        diagnoses={
            "type": "array",
            "title": N_("傷病名"),
            "items": _string(N_("傷病名")),
            "maxItems": 20,
        },
    ),
    "bank-accounts": _object(
        N_("加入者の口座情報"),
        ("bank_name", "branch_name", "account_type", "account_number", "holder_kana"),
        bank_code=_digits(N_("金融機関コード"), r"^[0-9]{4}$", N_("4桁の数字")),
        bank_name=_string(N_("金融機関名")),
        branch_code=_digits(N_("支店コード"), r"^[0-9]{3}$", N_("3桁の数字")),
        branch_name=_string(N_("支店名")),
        account_type=_choice(N_("種別"), "普通", "当座"),
        account_number=_digits(N_("口座番号"), r"^[0-9]{7}$", N_("7桁の数字"), mask="last3"),
        # 全銀協の口座名義に使える文字: 全角カタカナ、英大文字、数字、空白と一部の記号。
        holder_kana=_string(
            N_("口座名義（カナ）"),
            pattern=r"^[\u30a1-\u30f4\u30fcA-Z0-9 ().,\-/]+$",
            normalize="kana",
            hint=N_("カタカナ"),
        ),
    ),
    "health-checks": _object(
        N_("健康診査に関する情報"),
        ("examined_on", "facility", "height_cm", "weight_kg", "bmi"),
        examined_on=_date(N_("受診日")),
        facility=_string(N_("健診機関")),
        height_cm=_number(N_("身長（cm）"), minimum=30, maximum=250),
        weight_kg=_number(N_("体重（kg）"), minimum=2, maximum=300),
        bmi=_number(N_("BMI"), minimum=5, maximum=80),
        waist_cm=_number(N_("腹囲（cm）"), minimum=30, maximum=250),
        systolic_bp=_integer(N_("収縮期血圧"), minimum=50, maximum=300),
        diastolic_bp=_integer(N_("拡張期血圧"), minimum=20, maximum=200),
        hba1c=_number(N_("HbA1c（%）"), minimum=3, maximum=20),
        ldl_cholesterol=_integer(N_("LDLコレステロール"), maximum=1000),
        smoker=_boolean(N_("喫煙")),
    ),
    "health-guidance": _object(
        N_("保健指導に関する情報"),
        ("level", "started_on"),
        level=_choice(N_("区分"), "動機付け支援", "積極的支援"),
        started_on=_date(N_("開始日")),
        ended_on=_date(N_("終了日")),
        evaluation=_choice(N_("評価"), "改善", "維持", "悪化", "中断"),
    ),
    "health-programme-subsidies": _object(
        N_("保健事業（各種補助）に関する情報"),
        ("program", "applied_on", "amount"),
        program=_choice(
            N_("補助の種類"),
            "人間ドック補助",
            "インフルエンザ予防接種補助",
            "婦人科検診補助",
            "歯科健診補助",
            "スポーツクラブ利用補助",
        ),
        applied_on=_date(N_("申請日")),
        amount=_integer(N_("補助額")),
        paid_on=_date(N_("支払日")),
    ),
    "health-programmes": _object(
        N_("保健事業に関する情報"),
        ("program", "action", "acted_on"),
        program=_choice(
            N_("事業"),
            "重症化予防",
            "母子保健サービス",
            "コラボヘルス",
            "スコアリングレポート",
            "体育奨励",
            "禁煙支援",
        ),
        action=_choice(N_("実施内容"), "案内", "勧奨", "再勧奨", "参加", "完了"),
        acted_on=_date(N_("実施日")),
    ),
    "work-status": _object(
        N_("被保険者の労務状況に関する情報"),
        ("leave_from", "leave_to", "paid"),
        leave_from=_date(N_("休業期間（開始）")),
        leave_to=_date(N_("休業期間（終了）")),
        reason=_choice(N_("休業の理由"), "傷病", "出産", "育児", "介護", "その他"),
        paid=_boolean(N_("報酬の有無")),
        remuneration=_integer(N_("報酬額")),
        certified_on=_date(N_("事業主証明日")),
    ),
    "medical-status": _object(
        N_("医師等への照会で得た療養状況に関する情報"),
        ("inquired_on", "institution_name", "unable_to_work"),
        inquired_on=_date(N_("照会日")),
        answered_on=_date(N_("回答日")),
        institution_name=_string(N_("照会先医療機関")),
        treatment_status=_choice(N_("療養状況"), "入院", "通院", "自宅療養", "治癒", "中止"),
        unable_to_work=_boolean(N_("労務不能")),
        unable_from=_date(N_("労務不能期間（開始）")),
        unable_to=_date(N_("労務不能期間（終了）")),
    ),
    "third-party-acts": _object(
        N_("第三者行為（交通事故等）に関する情報"),
        ("accident_on", "accident_type", "fault_ratio"),
        accident_on=_date(N_("事故日")),
        accident_type=_choice(N_("事故の種類"), "交通事故", "傷害", "動物による負傷", "その他"),
        counterparty_insurer=_string(N_("相手方保険会社")),
        # 本人の過失の割合（%）。求償額はこれを差し引いて算定する。
        fault_ratio=_integer(N_("過失割合（本人、%）"), maximum=100),
        claimed_amount=_integer(N_("求償額")),
    ),
    "assembly-members": _object(
        N_("当組合の議員に関する情報"),
        ("role", "term_from", "term_to"),
        role=_choice(N_("区分"), "選定議員", "互選議員", "理事", "監事"),
        term_from=_date(N_("任期（開始）")),
        term_to=_date(N_("任期（終了）")),
        elected_from=_string(N_("選出区分・事業所")),
    ),
    "staff": _object(
        N_("当組合の従業員に関する情報"),
        ("employee_number", "department", "hired_on"),
        employee_number=_digits(N_("職員番号"), r"^[0-9]{4,8}$", N_("4〜8桁の数字")),
        department=_string(N_("所属")),
        position=_string(N_("職位")),
        hired_on=_date(N_("入職日")),
    ),
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a payload: the property (empty for the whole) and why, in Japanese."""

    field: str
    message: str


@cache
def _validator(code: str) -> Draft202012Validator:
    # Compiled once per category: the import validates up to millions of payloads.
    schema = SCHEMAS[code]
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _title(code: str, field: str) -> str:
    return _title_in(get_language(), code, field)


@lru_cache(maxsize=4096)
def _title_in(language: str | None, code: str, field: str) -> str:
    # Kept per language: a list of 100 records asked gettext for a thousand titles a page.
    return _(SCHEMAS[code]["properties"].get(field, {}).get("title", field))


def _problems_of(code: str, error) -> list[Problem]:
    """The Japanese account of one jsonschema error; the English `error.message` is never shown."""
    kind, value = error.validator, error.validator_value
    path = [str(part) for part in error.absolute_path]
    field = path[0] if path else ""
    title = _title(code, field)
    if kind == "required":
        missing = [name for name in value if name not in error.instance]
        return [
            Problem(name, _("「%s」を入力してください。") % _title(code, name)) for name in missing
        ]
    if kind == "additionalProperties":
        extra = sorted(set(error.instance) - set(SCHEMAS[code]["properties"]))
        return [Problem(name, _("「%s」はこの類型の項目ではありません。") % name) for name in extra]
    if not field:
        return [Problem("", _("内容は項目名と値の組（JSON オブジェクト）にしてください。"))]
    if kind == "type":
        message = {
            "integer": _("「%(title)s」は整数で入力してください。"),
            "number": _("「%(title)s」は数値で入力してください。"),
            "boolean": _("「%(title)s」は「はい」か「いいえ」で入力してください。"),
            "array": _("「%(title)s」は一覧で入力してください。"),
        }.get(value, _("「%(title)s」は文字で入力してください。"))
    else:
        message = {
            "enum": _("「%(title)s」は次のいずれかにしてください: %(choices)s"),
            "format": _("「%(title)s」は日付（YYYY-MM-DD）で入力してください。"),
            "pattern": _("「%(title)s」は%(hint)sで入力してください。"),
            "minimum": _("「%(title)s」は%(value)s以上にしてください。"),
            "maximum": _("「%(title)s」は%(value)s以下にしてください。"),
            "minLength": _("「%(title)s」を入力してください。"),
            "maxLength": _("「%(title)s」は%(value)s文字以内にしてください。"),
            "maxItems": _("「%(title)s」は%(value)s件以内にしてください。"),
        }.get(kind, _("「%(title)s」の値が正しくありません。"))
    property_schema = SCHEMAS[code]["properties"].get(field, {})
    message %= {
        "title": title,
        "value": value,
        "choices": "、".join(value) if kind == "enum" else "",
        "hint": _(property_schema.get("x-hint", N_("正しい形式"))),
    }
    return [Problem(field, message)]


def problems(code: str, payload) -> list[Problem]:
    """Everything wrong with `payload` for category `code`, one `Problem` per field."""
    if code not in SCHEMAS:
        return [Problem("", _("類型「%s」の内容の定義がありません。") % code)]
    found: list[Problem] = []
    for error in _validator(code).iter_errors(payload):
        found.extend(p for p in _problems_of(code, error) if p not in found)
    return sorted(found, key=lambda p: p.field)


def validate_payload(code: str, payload) -> None:
    """Raise a `ValidationError` on `payload` whose messages name each field in Japanese."""
    found = problems(code, payload)
    if found:
        raise ValidationError({"payload": [p.message for p in found]})


_TRUE = {"true", "1", "yes", "はい", "有", "あり", "○"}
_FALSE = {"false", "0", "no", "いいえ", "無", "なし", "×"}


def _normalize_value(schema: dict, value):
    """A value from a form or a CSV file, normalised and, where it is a text, typed."""
    kind = schema.get("type")
    if kind == "array" and isinstance(value, list):
        return [_normalize_value(schema["items"], item) for item in value]
    if not isinstance(value, str):
        return value
    value = normalize_text(value)
    if kind in ("integer", "number"):
        try:
            number = Decimal(value.replace(",", ""))
        except InvalidOperation:
            return value  # left for validation to refuse, naming the field
        if kind == "integer" and number == number.to_integral_value():
            return int(number)
        return float(number) if kind == "number" else value
    if kind == "boolean":
        lowered = value.lower()
        return True if lowered in _TRUE else False if lowered in _FALSE else value
    if schema.get("format") == "date":
        parsed = parse_date(value)
        return parsed.isoformat() if parsed else value
    style = schema.get("x-normalize", "text")
    if style == "kana":
        return normalize_kana(value)
    if style == "code":
        return normalize_code(value)
    return value


def normalize_payload(code: str, payload):
    """`payload` normalised (NFKC, kana, digits as numbers, dates as ISO), empty values dropped.

    Anything that is not an object is returned as it is, for validation to refuse.
    """
    if not isinstance(payload, dict):
        return payload
    properties = SCHEMAS.get(code, {}).get("properties", {})
    return {
        key: _normalize_value(properties.get(key, {}), value)
        for key, value in payload.items()
        if value not in ("", None, [])
    }


def clean_payload(code: str, payload) -> dict:
    """`payload` normalised, then validated: raises `ValidationError` naming the fields.

    Every writer calls this (through `Record.clean`) or its two halves (the import), so
    that what is stored is always the normalised form.
    """
    payload = normalize_payload(code, payload)
    validate_payload(code, payload)
    return payload


@cache
def masked_fields(code: str) -> dict[str, str]:
    """The fields of category `code` that lists show masked, with the rule (`last3`)."""
    properties = SCHEMAS.get(code, {}).get("properties", {})
    return {key: schema["x-mask"] for key, schema in properties.items() if "x-mask" in schema}


def mask_value(rule: str, value) -> str:
    """`last3`: four asterisks and the last three characters (口座番号 ****123)."""
    text = str(value)
    if rule == "last3":
        return "****" + text[-3:]
    raise ValueError(f"unknown mask rule {rule!r}")


def mask_payload(code: str, payload: dict) -> dict:
    """A copy of `payload` with the masked fields masked, for lists and exports. Shallow: a
    masked value is replaced, never changed in place, so nothing deeper needs copying (a list
    of 100 records deep-copied every payload for it)."""
    masked = dict(payload)
    for key, rule in masked_fields(code).items():
        if key in masked:
            masked[key] = mask_value(rule, masked[key])
    return masked


def titles(code: str) -> dict[str, str]:
    """key -> Japanese title of each field of category `code`, in the schema's order."""
    return {
        key: _(schema["title"])
        for key, schema in SCHEMAS.get(code, {}).get("properties", {}).items()
    }


def _wareki_of(text: str) -> str:
    """An ISO date as 令和7年4月1日; anything else (not a date after all) as it is."""
    try:
        return format_wareki(datetime.date.fromisoformat(text)) if _ISO_DAY.match(text) else text
    except ValueError:
        return text


def display_values(
    code: str, payload: dict, *, masked: bool = True, wareki: bool = False
) -> dict[str, str]:
    """key -> the value as a person writes it (はい／いいえ, 1,200, lists joined by 、), in the
    schema's order (keys it does not know last), masked unless told; with `wareki`, dates in
    和暦 and months as 2019年2月 (what a letter says; a spreadsheet keeps ISO dates)."""
    if masked:
        payload = mask_payload(code, payload)
    properties = SCHEMAS.get(code, {}).get("properties", {})
    shown = {}
    for key in [*properties, *(k for k in payload if k not in properties)]:
        if key not in payload:
            continue
        value = payload[key]
        schema = properties.get(key, {})
        if isinstance(value, bool):
            value = _("はい") if value else _("いいえ")
        elif wareki and isinstance(value, str) and schema.get("format") == "date":
            value = _wareki_of(value)
        elif wareki and isinstance(value, str) and schema.get("pattern") == MONTH_PATTERN:
            year, month = value.split("-")
            value = _("%(y)s年%(m)s月") % {"y": year, "m": int(month)}
        elif isinstance(value, list):
            value = "、".join(str(item) for item in value)
        elif isinstance(value, int) and properties.get(key, {}).get("type") == "integer":
            value = f"{value:,}"
        shown[key] = str(value)
    return shown


def display_items(code: str, payload: dict, *, masked: bool = True) -> list[tuple[str, str]]:
    """(Japanese title, shown value) pairs in the schema's order, masked unless told."""
    return [
        (_title(code, key), value)
        for key, value in display_values(code, payload, masked=masked).items()
    ]
