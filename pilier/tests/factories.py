import datetime
import itertools

import factory

from pilier.accounts.models import Membership, Office, Role, User
from pilier.clients.identifiers import national_number_for
from pilier.clients.models import Client

PASSWORD = "correct-horse-battery"
_serials = itertools.count(1)


def unique_national_number() -> str:
    n = next(_serials)
    born = datetime.date(1950, 1, 1) + datetime.timedelta(days=n // 998)
    return national_number_for(born, 1 + n % 998)


class OfficeFactory(factory.django.DjangoModelFactory[Office]):
    class Meta:
        model = Office

    name = factory.Sequence(lambda n: f"Office {n}")


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.be")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    language = "fr"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    office = factory.SubFactory(OfficeFactory)
    role = Role.STAFF


def staff(office: Office, *, admin: bool = False, **user_fields) -> User:
    user = UserFactory.create(**user_fields)
    MembershipFactory(user=user, office=office, role=Role.OFFICE_ADMIN if admin else Role.STAFF)
    return user


class ClientFactory(factory.django.DjangoModelFactory[Client]):
    class Meta:
        model = Client

    office = factory.SubFactory(OfficeFactory)
    last_name = factory.Faker("last_name")
    first_name = factory.Faker("first_name")
    national_number = factory.LazyFunction(unique_national_number)
    language = "fr"
    social_status = "employee"


class CareerLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "clients.CareerLine"

    client = factory.SubFactory(ClientFactory)
    from_year = 2005
    to_year = None
    status = "employee"
    employer = factory.Faker("company")


_policy_numbers = itertools.count(100000)


class PolicyFactory(factory.django.DjangoModelFactory):
    """A PLCI by default; `section`/`type` and `insurer`/`number` may be given together."""

    class Meta:
        model = "policies.Policy"

    client = factory.SubFactory(ClientFactory)
    office = factory.SelfAttribute("client.office")
    section = "pension"
    type = "plci"
    insurer = "ATHORA"
    number = factory.LazyFunction(lambda: f"GV{next(_policy_numbers)}")
    number_key = factory.SelfAttribute("number")
    annual_premium = 1500
    is_main = False

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from pilier.policies.services import policy_create

        kwargs.pop("office")
        kwargs.pop("number_key")
        client = kwargs.pop("client")
        return policy_create(client=client, **kwargs)
