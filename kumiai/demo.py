"""Demo and benchmark data: Japanese members with records in every category.

`populate` gives a fresh install a few hundred members to look at; `generate` builds the
benchmark scale (100,000 members, 2,000,000 records) in minutes, with PostgreSQL's COPY.
Both are system bulk loads: rows are written directly, every payload valid against its
schema, and each run appends one audit event, not one per row. Both do nothing when their
data is there already, so they are safe to run again.
"""

import datetime
import json
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone
from faker import Faker

from audit.trail import SYSTEM, append
from audit.vocabulary import Action
from purposes.loader import load_register
from purposes.models import Category
from records.models import Member, Record
from records.sealing import seal_stored
from records.services.members import MEMBER_FIELDS

EMPLOYERS = ("本社", "大阪支社", "名古屋支店", "福岡支店", "札幌営業所", "仙台営業所", "広島工場")
# A household's registered address, near its employer (本人限定受取郵便 goes there): the
# house number from the household's number, so that the random sequence stays as it was.
TOWNS = (
    ("105-0011", "東京都港区芝公園"),
    ("530-0001", "大阪府大阪市北区梅田"),
    ("460-0008", "愛知県名古屋市中区栄"),
    ("812-0011", "福岡県福岡市博多区博多駅前"),
    ("060-0001", "北海道札幌市中央区北一条西"),
    ("980-0021", "宮城県仙台市青葉区中央"),
    ("730-0011", "広島県広島市中区基町"),
)
INSTITUTIONS = (
    ("1311234567", "港区中央クリニック"),
    ("1312345670", "芝大門内科"),
    ("1319876543", "東京みなと病院"),
    ("2711112222", "大阪北総合病院"),
    ("2312340001", "名古屋栄眼科"),
    ("4011223344", "博多駅前歯科"),
    ("1344556677", "さくら調剤薬局"),
)
DIAGNOSES = ("急性上気道炎", "高血圧症", "2型糖尿病", "脂質異常症", "腰痛症", "アレルギー性鼻炎")
BANKS = (
    ("0001", "みずほ銀行"),
    ("0005", "三菱UFJ銀行"),
    ("0009", "三井住友銀行"),
    ("9900", "ゆうちょ銀行"),
)

# About 20 records a member, receipts the large majority as in a real society.
CATEGORY_WEIGHTS = {
    "receipts": 120,
    "eligibility": 8,
    "health-checks": 8,
    "insured-income": 6,
    "cash-benefits": 6,
    "health-programmes": 6,
    "my-number-card-linkage": 5,
    "bank-accounts": 4,
    "health-programme-subsidies": 4,
    "dependant-income-and-relations": 4,
    "health-guidance": 3,
    "work-status": 3,
    "medical-status": 3,
    "former-member-new-insurer": 2,
    "third-party-acts": 1,
    "assembly-members": 1,
    "staff": 1,
}


def _day(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randrange(max((end - start).days, 1)))


def _iso(day: datetime.date, plus: int = 0) -> str:
    return (day + datetime.timedelta(days=plus)).isoformat()


def payload_for(code: str, rng: random.Random, day: datetime.date, kana: str) -> dict:
    """A realistic payload of category `code` for a record dated `day`."""
    pick = rng.choice
    if code == "receipts":
        institution = pick(INSTITUTIONS)
        setting = "入院" if rng.random() < 0.05 else "外来"
        return {
            "treatment_month": day.strftime("%Y-%m"),
            "institution_code": institution[0],
            "institution_name": institution[1],
            "claim_type": "調剤"
            if "薬局" in institution[1]
            else "歯科"
            if "歯科" in institution[1]
            else "医科",
            "setting": setting,
            "points": rng.randrange(8_000, 90_000)
            if setting == "入院"
            else rng.randrange(90, 3_000),
            "days": rng.randrange(1, 15),
            "diagnoses": rng.sample(DIAGNOSES, rng.randrange(1, 3)),
        }
    if code == "eligibility":
        return {
            "qualification_type": "被保険者",
            "event": pick(("取得", "変更")),
            "effective_on": _iso(day),
            "standard_monthly_remuneration": pick((200_000, 260_000, 320_000, 410_000, 530_000)),
            "card_type": "資格確認書",
            "card_issued_on": _iso(day, 7),
        }
    if code == "health-checks":
        height = round(rng.gauss(165, 8), 1)
        weight = round(rng.gauss(62, 10), 1)
        return {
            "examined_on": _iso(day),
            "facility": pick(("芝健診センター", "大阪健診クリニック", "名古屋予防医学センター")),
            "height_cm": height,
            "weight_kg": weight,
            "bmi": round(weight / (height / 100) ** 2, 1),
            "waist_cm": round(rng.gauss(82, 8), 1),
            "systolic_bp": rng.randrange(100, 160),
            "diastolic_bp": rng.randrange(60, 100),
            "hba1c": round(rng.uniform(4.8, 7.5), 1),
            "ldl_cholesterol": rng.randrange(70, 200),
            "smoker": rng.random() < 0.2,
        }
    if code == "insured-income":
        return {
            "fiscal_year": day.year,
            "annual_income": rng.randrange(2_000, 12_000) * 1_000,
            "income_type": pick(("給与", "給与", "年金", "事業")),
        }
    if code == "cash-benefits":
        return {
            "benefit_type": pick(("傷病手当金", "高額療養費", "付加給付", "出産育児一時金")),
            "amount": rng.randrange(5_000, 500_000),
            "paid_on": _iso(day),
        }
    if code == "health-programmes":
        return {
            "program": pick(("重症化予防", "コラボヘルス", "スコアリングレポート", "体育奨励")),
            "action": pick(("案内", "勧奨", "参加")),
            "acted_on": _iso(day),
        }
    if code == "my-number-card-linkage":
        return {
            "link_status": pick(("紐づけ済", "紐づけ済", "未紐づけ")),
            "confirmed_on": _iso(day),
        }
    if code == "bank-accounts":
        bank = pick(BANKS)
        return {
            "bank_code": bank[0],
            "bank_name": bank[1],
            "branch_code": f"{rng.randrange(1, 999):03d}",
            "branch_name": pick(("本店", "新橋支店", "梅田支店", "栄支店")),
            "account_type": "普通",
            "account_number": f"{rng.randrange(10**7):07d}",
            "holder_kana": kana,
        }
    if code == "health-programme-subsidies":
        return {
            "program": pick(("人間ドック補助", "インフルエンザ予防接種補助", "婦人科検診補助")),
            "applied_on": _iso(day),
            "amount": pick((1_500, 3_000, 20_000)),
            "paid_on": _iso(day, 30),
        }
    if code == "dependant-income-and-relations":
        return {
            "person": "被扶養者",
            "relationship": pick(("妻", "夫", "長男", "長女", "母")),
            "living_together": rng.random() < 0.9,
            "annual_income": rng.randrange(0, 1_300) * 1_000,
            "decision": pick(("認定", "検認済")),
        }
    if code == "health-guidance":
        return {
            "level": pick(("動機付け支援", "積極的支援")),
            "started_on": _iso(day),
            "ended_on": _iso(day, 180),
            "evaluation": pick(("改善", "維持", "悪化")),
        }
    if code == "work-status":
        return {
            "leave_from": _iso(day),
            "leave_to": _iso(day, 30),
            "reason": pick(("傷病", "出産")),
            "paid": False,
            "certified_on": _iso(day, 35),
        }
    if code == "medical-status":
        return {
            "inquired_on": _iso(day),
            "answered_on": _iso(day, 10),
            "institution_name": pick(INSTITUTIONS)[1],
            "treatment_status": pick(("通院", "入院", "自宅療養")),
            "unable_to_work": True,
            "unable_from": _iso(day, -30),
            "unable_to": _iso(day),
        }
    if code == "former-member-new-insurer":
        return {
            "insurer_number": pick(("138123", "06139999", "01130012")),
            "insurer_name": pick(
                ("港区国民健康保険", "東京都健康保険組合", "全国健康保険協会東京支部")
            ),
        }
    if code == "third-party-acts":
        return {
            "accident_on": _iso(day),
            "accident_type": "交通事故",
            "counterparty_insurer": "東京海上日動火災保険",
            "fault_ratio": pick((0, 10, 20, 30)),
            "claimed_amount": rng.randrange(10_000, 900_000),
        }
    if code == "assembly-members":
        return {
            "role": pick(("選定議員", "互選議員")),
            "term_from": _iso(day),
            "term_to": _iso(day, 3 * 365 - 1),
        }
    if code == "staff":
        return {
            "employee_number": f"{rng.randrange(1, 99999):06d}",
            "department": pick(("総務課", "適用課", "給付課")),
            "hired_on": _iso(day),
        }
    raise KeyError(code)


TITLES = {
    "receipts": "{treatment_month} 診療分 {institution_name}",
    "eligibility": "資格{event}（{effective_on}）",
    "health-checks": "健康診査 {examined_on}",
    "insured-income": "{fiscal_year}年度 収入（{income_type}）",
    "cash-benefits": "{benefit_type} {paid_on}支給",
    "health-programmes": "{program}（{action}）",
    "my-number-card-linkage": "マイナ保険証 {link_status}",
    "bank-accounts": "振込口座 {bank_name}",
    "health-programme-subsidies": "{program}",
    "dependant-income-and-relations": "被扶養者の認定（{relationship}）",
    "health-guidance": "特定保健指導（{level}）",
    "work-status": "休業 {leave_from}〜{leave_to}",
    "medical-status": "療養状況の照会 {inquired_on}",
    "former-member-new-insurer": "喪失後の保険者 {insurer_name}",
    "third-party-acts": "第三者行為 {accident_on}",
    "assembly-members": "{role} {term_from}〜{term_to}",
    "staff": "職員 {department}",
}


@dataclass
class Populated:
    members: int = 0
    records: int = 0


@dataclass(frozen=True)
class _Person:
    id: int
    since: datetime.date
    until: datetime.date
    kana: str


def populate(
    *,
    members: int = 300,
    records: int | None = None,
    seed: int = 2026,
    prefix: str = "demo-",
    progress: Callable[[int], None] = lambda rows: None,
    seal: bool = True,
) -> Populated:
    """Create `members` members (households of insured persons and dependents, some who
    lost their qualification) and `records` records (default 20 a member) over every
    category of the register. Does nothing if members of this `prefix` exist already.

    The purpose register is loaded first if the install has none. Rows go in by COPY on
    PostgreSQL and by executemany elsewhere, then the records of the categories stored
    encrypted are sealed (unless `seal` is False: the gate bench's baseline); one audit
    event records the run.
    """
    records = members * 20 if records is None else records
    load_register()
    categories = {
        c.code: c.pk for c in Category.objects.filter(code__in=CATEGORY_WEIGHTS).order_by("pk")
    }
    with transaction.atomic():
        if Member.objects.filter(source_id__startswith=prefix).exists():
            return Populated()
        rng, faker = random.Random(seed), Faker("ja_JP")  # noqa: S311 (made-up data, no secret)
        faker.seed_instance(seed)
        people: list[_Person] = []
        member_rows = list(_households(members, rng, faker, prefix, people))
        _insert(Member, _MEMBER_COLUMNS, member_rows)
        rows = _records(records, _next_id(Record), people, categories, rng, progress)
        _insert(Record, _RECORD_COLUMNS, rows)
        _reset_sequences()
        if seal:  # COPY wrote every title and payload in clear: the 要配慮 ones are sealed now
            seal_stored()
        append(
            action=Action.RECORDS_DEMO_POPULATED,
            actor=SYSTEM,
            target_type="records.member",
            details={"prefix": prefix, "members": len(member_rows), "records": records},
        )
    return Populated(members=len(member_rows), records=records)


# The import's member fields by their column names (the insured person's id), and the id.
_ATTNAMES = {field.name: field.attname for field in Member._meta.concrete_fields}
_MEMBER_COLUMNS = ("id", *(_ATTNAMES[name] for name in MEMBER_FIELDS))
_RECORD_COLUMNS = (
    "id",
    "member_id",
    "category_id",
    "date",
    "title",
    "payload",
    "created_at",
    "updated_at",
)


def _next_id(model) -> int:
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def _years_before(day: datetime.date, years: int) -> datetime.date:
    return day.replace(year=day.year - years, day=min(day.day, 28))


def _households(
    count: int, rng: random.Random, faker: Faker, prefix: str, people: list[_Person]
) -> Iterator[tuple]:
    """Member rows, household by household: an insured person, then a spouse and children."""
    today = timezone.localdate()
    next_id = household = _next_id(Member)
    made = 0
    while made < count:
        employer = rng.randrange(len(EMPLOYERS))
        symbol, number = str(1001 + employer), str(household)
        household += 1
        last, last_kana, _roman = faker.last_name_pair()
        insured_sex = rng.choice("12")
        born = _day(rng, _years_before(today, 64), _years_before(today, 22))
        acquired = max(_years_before(today, 30), _day(rng, _years_before(born, -22), today))
        lost = _day(rng, acquired, today) if rng.random() < 0.06 else None
        family = [("self", insured_sex, born)]
        if rng.random() < 0.45:
            family.append(
                (
                    "spouse",
                    "2" if insured_sex == "1" else "1",
                    born + datetime.timedelta(days=rng.randrange(-1800, 1800)),
                )
            )
        for _child in range(rng.choice((0, 0, 1, 2, 2, 3))):
            family.append(("child", rng.choice("12"), _day(rng, _years_before(today, 22), today)))
        insured_id = next_id
        postal_code, town = TOWNS[employer]
        address = f"{town}{household % 9 + 1}-{household % 20 + 1}-{household % 30 + 1}"
        for branch, (relationship, sex, birth) in enumerate(family):
            if made == count:
                return
            if lost and birth >= lost:
                continue  # born after the insured person left: never a dependent here
            first, first_kana, _roman = (
                faker.first_name_male_pair() if sex == "1" else faker.first_name_female_pair()
            )
            kana = f"{last_kana} {first_kana}"
            since = max(acquired, birth)
            people.append(_Person(next_id, since, lost or today, kana))
            yield (
                next_id,
                symbol,
                number,
                f"{branch:02d}",
                f"{last} {first}",
                kana,
                birth,
                sex,
                relationship,
                None if relationship == "self" else insured_id,
                EMPLOYERS[employer] if relationship == "self" else "",
                postal_code,
                address,
                since,
                lost,
                f"{prefix}{next_id}",
            )
            next_id += 1
            made += 1


def _records(
    count: int,
    first_id: int,
    people: list[_Person],
    categories: dict[str, int],
    rng: random.Random,
    progress: Callable[[int], None],
) -> Iterator[tuple]:
    """`count` record rows spread over `people`, every category used, receipts the most.

    A generator read while COPY holds the connection: it must not query the database.
    """
    codes = list(categories)
    weights = [CATEGORY_WEIGHTS[code] for code in codes]
    now = timezone.now()
    for n in range(count):
        person = people[n % len(people)]
        # The first records cover every category once, so that even a small demo shows all.
        code = codes[n] if n < len(codes) else rng.choices(codes, weights)[0]
        day = _day(rng, person.since, person.until)
        payload = payload_for(code, rng, day, person.kana)
        yield (
            first_id + n,
            person.id,
            categories[code],
            day,
            TITLES[code].format(**payload),
            json.dumps(payload, ensure_ascii=False),
            now,
            now,
        )
        if n % 10_000 == 9_999:
            progress(10_000)
    progress(count % 10_000)


def _insert(model, columns: tuple[str, ...], rows: Iterable[tuple]) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: an order of magnitude faster than INSERTs for millions of rows.
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        placeholders = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({names}) VALUES ({placeholders})"  # noqa: S608 (model names)
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) == 5_000:
                cursor.executemany(sql, batch)
                batch.clear()
        cursor.executemany(sql, batch)


def _reset_sequences() -> None:
    # The rows were given explicit ids: move the id sequences past them (PostgreSQL).
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Member, Record]):
            cursor.execute(sql)
