import datetime

import factory

from purposes.models import Category, Permission, Purpose


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"category-{n}")
    name = factory.Sequence(lambda n: f"類型{n}")
    order = factory.Sequence(int)


class PurposeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Purpose
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"purpose-{n}")
    name = factory.Sequence(lambda n: f"利用目的{n}")


class PermissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Permission

    category = factory.SubFactory(CategoryFactory)
    purpose = factory.SubFactory(PurposeFactory)
    valid_from = datetime.date(2000, 4, 1)
