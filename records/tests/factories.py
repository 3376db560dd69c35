import datetime

import factory

from purposes.tests.factories import CategoryFactory
from records.models import Member, Record
from records.payload_schemas import SCHEMAS


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    symbol = "1001"
    number = factory.Sequence(lambda n: str(n + 1))
    branch = "00"
    name = factory.Faker("name", locale="ja_JP")
    name_kana = factory.Faker("kana_name", locale="ja_JP")
    birth_date = factory.Faker("date_of_birth", minimum_age=20, maximum_age=70)
    sex = Member.Sex.FEMALE
    relationship = Member.Relationship.SELF
    employer = "本社"
    acquired_on = datetime.date(2015, 4, 1)


class DependentFactory(MemberFactory):
    insured = factory.SubFactory(MemberFactory)
    symbol = factory.SelfAttribute("insured.symbol")
    number = factory.SelfAttribute("insured.number")
    branch = factory.Sequence(lambda n: f"{(n % 98) + 1:02d}")
    relationship = Member.Relationship.CHILD
    birth_date = factory.Faker("date_of_birth", minimum_age=0, maximum_age=17)


class RecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Record

    member = factory.SubFactory(MemberFactory)
    category = factory.SubFactory(CategoryFactory)
    date = datetime.date(2026, 4, 1)
    title = factory.Sequence(lambda n: f"記録{n}")
    payload = factory.LazyFunction(dict)


# A realistic payload for each category of the register, valid against records.payload_schemas.
EXAMPLE_PAYLOADS = {
    "eligibility": {
        "qualification_type": "被保険者",
        "event": "取得",
        "effective_on": "2015-04-01",
        "standard_monthly_remuneration": 320_000,
        "card_type": "資格確認書",
        "card_issued_on": "2024-12-02",
    },
    "insured-income": {"fiscal_year": 2025, "annual_income": 4_850_000, "income_type": "給与"},
    "my-number-card-linkage": {"link_status": "紐づけ済", "confirmed_on": "2025-06-30"},
    "dependant-income-and-relations": {
        "person": "被扶養者",
        "relationship": "長男",
        "living_together": True,
        "annual_income": 0,
        "decision": "検認済",
    },
    "former-member-new-insurer": {
        "insurer_number": "06139999",
        "insurer_name": "東京都健康保険組合",
    },
    "cash-benefits": {
        "benefit_type": "傷病手当金",
        "amount": 213_400,
        "paid_on": "2025-09-25",
        "period_from": "2025-08-01",
        "period_to": "2025-08-31",
    },
    "receipts": {
        "treatment_month": "2025-10",
        "institution_code": "1311234567",
        "institution_name": "港区中央クリニック",
        "claim_type": "医科",
        "setting": "外来",
        "points": 1_234,
        "days": 2,
        "diagnoses": ["急性上気道炎"],
    },
    "bank-accounts": {
        "bank_code": "0001",
        "bank_name": "みずほ銀行",
        "branch_code": "001",
        "branch_name": "東京営業部",
        "account_type": "普通",
        "account_number": "1234567",
        "holder_kana": "ヤマダ タロウ",
    },
    "health-checks": {
        "examined_on": "2025-05-20",
        "facility": "芝健診センター",
        "height_cm": 170.2,
        "weight_kg": 68.5,
        "bmi": 23.6,
        "waist_cm": 84.0,
        "systolic_bp": 128,
        "diastolic_bp": 82,
        "hba1c": 5.6,
        "ldl_cholesterol": 132,
        "smoker": False,
    },
    "health-guidance": {
        "level": "動機付け支援",
        "started_on": "2025-07-01",
        "ended_on": "2025-12-26",
        "evaluation": "改善",
    },
    "health-programme-subsidies": {
        "program": "人間ドック補助",
        "applied_on": "2025-06-10",
        "amount": 20_000,
        "paid_on": "2025-07-25",
    },
    "health-programmes": {"program": "重症化予防", "action": "勧奨", "acted_on": "2025-08-05"},
    "work-status": {
        "leave_from": "2025-08-01",
        "leave_to": "2025-08-31",
        "reason": "傷病",
        "paid": False,
        "certified_on": "2025-09-05",
    },
    "medical-status": {
        "inquired_on": "2025-09-01",
        "answered_on": "2025-09-10",
        "institution_name": "芝大門整形外科",
        "treatment_status": "通院",
        "unable_to_work": True,
        "unable_from": "2025-08-01",
        "unable_to": "2025-08-31",
    },
    "third-party-acts": {
        "accident_on": "2025-03-14",
        "accident_type": "交通事故",
        "counterparty_insurer": "東京海上日動火災保険",
        "fault_ratio": 20,
        "claimed_amount": 154_000,
    },
    "assembly-members": {
        "role": "互選議員",
        "term_from": "2024-10-01",
        "term_to": "2027-09-30",
        "elected_from": "本社",
    },
    "staff": {
        "employee_number": "000123",
        "department": "総務課",
        "position": "主任",
        "hired_on": "2012-04-01",
    },
}


def category(code: str):
    """The register's category `code`, named by its schema's title (without the loader)."""
    return CategoryFactory(code=code, name=SCHEMAS[code]["title"])
