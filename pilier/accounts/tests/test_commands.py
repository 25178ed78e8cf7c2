from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from pilier.accounts.models import ApiToken, Membership, Office, Role, User

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_create_office_creates_the_office_and_its_admin():
    run(
        "create_office",
        "--name",
        "Courtage Gamma",
        "--admin-email",
        "Boss@Gamma.be",
        "--admin-password",
        "long-pass-phrase",
    )
    office = Office.objects.get(name="Courtage Gamma")
    admin = User.objects.get(email="boss@gamma.be")
    assert admin.check_password("long-pass-phrase")
    assert Membership.objects.get(user=admin).role == Role.OFFICE_ADMIN
    assert Membership.objects.get(user=admin).office == office


def test_create_office_refuses_a_weak_password_and_writes_nothing():
    with pytest.raises(CommandError):
        run("create_office", "--name", "X", "--admin-email", "x@x.be", "--admin-password", "123")
    assert not Office.objects.exists() and not User.objects.exists()


def test_create_staff_adds_a_member_to_the_admins_office(world):
    run(
        "create_staff",
        "--office-admin-email",
        "admin@alpha.be",
        "--email",
        "new@alpha.be",
        "--password",
        "long-pass-phrase",
    )
    run(
        "create_staff",
        "--office-admin-email",
        "admin@alpha.be",
        "--email",
        "boss2@alpha.be",
        "--password",
        "long-pass-phrase",
        "--admin",
    )
    assert Membership.objects.get(user__email="new@alpha.be").role == Role.STAFF
    assert Membership.objects.get(user__email="boss2@alpha.be").role == Role.OFFICE_ADMIN
    assert Membership.objects.get(user__email="new@alpha.be").office == world.office


def test_create_staff_needs_an_office_admin(world):
    with pytest.raises(CommandError):
        run(
            "create_staff",
            "--office-admin-email",
            "alice@alpha.be",
            "--email",
            "n@alpha.be",
            "--password",
            "long-pass-phrase",
        )
    with pytest.raises(CommandError):
        run(
            "create_staff",
            "--office-admin-email",
            "admin@alpha.be",
            "--email",
            "bob@alpha.be",
            "--password",
            "long-pass-phrase",
        )


def test_create_api_token_prints_the_token_alone(world, client):
    out = run("create_api_token", "--email", "alice@alpha.be")
    token = out.strip()
    assert out == token + "\n" and token.startswith("plr_")
    assert ApiToken.objects.filter(user=world.alice).count() == 1
    assert client.get("/api/v1/clients", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200


def test_load_demo_loads_once():
    first = run("load_demo")
    second = run("load_demo")
    assert "admin@demo.pilier.be" in first and "already there" in second
    assert Office.objects.count() == 1
    office = Office.objects.get()
    assert office.clients.count() >= 10
    assert office.clients.filter(restricted_access=True).exists()
    assert office.clients.filter(social_status="").exists()
