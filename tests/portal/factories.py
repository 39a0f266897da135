from __future__ import annotations

import factory
from allauth.account.models import EmailAddress

from portal.models import District, Household, HouseholdMember, User

PASSWORD = "correct-horse-battery-9"


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"D{n:03d}")
    name = factory.Sequence(lambda n: f"本町{n}丁目")


class UserFactory(factory.django.DjangoModelFactory):
    """A resident with a verified primary email address who can sign in with PASSWORD."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"resident{n}@example.jp")
    family_name = "山田"
    given_name = factory.Sequence(lambda n: f"花子{n}")
    family_name_kana = "ヤマダ"
    given_name_kana = "ハナコ"
    language = "ja"

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save()
            EmailAddress.objects.get_or_create(
                user=self, email=self.email, defaults={"verified": True, "primary": True}
            )


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    owner = factory.SubFactory(UserFactory)


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HouseholdMember

    household = factory.SubFactory(HouseholdFactory)
    family_name = "山田"
    given_name = "太郎"
    family_name_kana = "ヤマダ"
    given_name_kana = "タロウ"
    relationship = HouseholdMember.Relationship.CHILD
