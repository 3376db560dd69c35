import datetime

import factory

from purposes.tests.factories import CategoryFactory
from records.models import Member, Record


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
