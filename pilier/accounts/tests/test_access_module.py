"""pilier.accounts.access on its own: who sees which rows, who may write, and the one bypass.

The roles `client` and `accountant` have no way in yet (later issues); their rules are tested here on an `Actor`
built by hand, so that those issues add a way in, not a rule."""

import itertools
import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory
from django.utils import timezone

from pilier.accounts import access
from pilier.accounts.access import ACCOUNTANT, CLIENT, NOBODY, Actor
from pilier.accounts.models import Role
from pilier.clients.models import Income
from pilier.tests.factories import ClientFactory, UserFactory

pytestmark = pytest.mark.django_db

MISSING = "00000000-0000-4000-8000-000000000000"
NOT_UUIDS = ["not-a-uuid", "", None, 12, "1' OR '1'='1", "0" * 100, "\x00"]


def income_of(client, year=2024):
    return Income.objects.create(client=client, year=year, net_taxable_professional_income=30000)


def unmatched(office, **fields):
    from pilier.couplings.models import UnmatchedRecord

    return UnmatchedRecord.objects.create(
        office=office,
        insurer="NN",
        number=fields.pop("number", "300-0000256"),
        number_key=fields.pop("number_key", uuid.uuid4().hex[:20]),
        type="plci",
        reason="no_mandate",
        data={},
        fingerprint="x",
        seen_at=timezone.now(),
        **fields,
    )


@pytest.fixture
def only_file_manager(world):
    """A restricted file of `office` whose only assignee is Bob, as its file manager (no account manager)."""
    return ClientFactory.create(
        office=world.office, last_name="Fontaine", restricted_access=True, account_manager=None, file_manager=world.bob
    )


@pytest.fixture
def only_account_manager(world):
    """A restricted file of `office` whose only assignee is Bob, as its account manager."""
    return ClientFactory.create(
        office=world.office, last_name="Lambert", restricted_access=True, account_manager=world.bob, file_manager=None
    )


def actors(world):
    """Every kind of actor, by name."""
    return {
        "admin": access.actor_for(world.admin),
        "alice": access.actor_for(world.alice),
        "bob": access.actor_for(world.bob),
        "outsider": access.actor_for(world.outsider),
        "nobody": NOBODY,
        "no role": Actor(user=world.bob),
        "staff without office": Actor(user=world.bob, role=Role.STAFF),
        "client": Actor(user=world.bob, role=CLIENT, files=frozenset({world.client.pk})),
        "accountant": Actor(user=world.bob, role=ACCOUNTANT, files=frozenset({world.client.pk, world.other_client.pk})),
    }


# Resolving the actor ------------------------------------------------------------------------------


def test_the_actor_of_a_staff_member_is_their_office_and_role(world):
    admin, alice = access.actor_for(world.admin), access.actor_for(world.alice)
    assert (admin.role, admin.office, admin.is_office_admin, admin.can_write_files) == (
        Role.OFFICE_ADMIN,
        world.office,
        True,
        True,
    )
    assert (alice.role, alice.office, alice.is_office_admin, alice.can_write_files) == (
        Role.STAFF,
        world.office,
        False,
        True,
    )
    assert access.as_actor(world.alice) == alice and access.as_actor(alice) is alice


@pytest.mark.parametrize("user", [None, AnonymousUser()])
def test_nobody_is_the_actor_of_an_anonymous_visitor(user):
    assert access.actor_for(user) is NOBODY
    assert NOBODY.role is None and not NOBODY.can_write_files and not NOBODY.can_write_incomes


def test_a_user_without_a_membership_has_no_role(world):
    loner = UserFactory.create()
    actor = access.actor_for(loner)
    assert actor.role is None and actor.office is None and not actor.can_write_files


def test_the_request_actor_is_resolved_once(world):
    request = RequestFactory().get("/")
    request.user = world.alice
    first = access.request_actor(request)
    assert first.office == world.office and request.actor is first
    assert access.request_actor(request) is first


def test_the_write_rights_of_each_role(world):
    kinds = actors(world)
    writes_files = {name for name, actor in kinds.items() if actor.can_write_files}
    writes_incomes = {name for name, actor in kinds.items() if actor.can_write_incomes}
    assert writes_files == {"admin", "alice", "bob", "outsider"}
    assert writes_incomes == writes_files | {"accountant"}


# Which clients ------------------------------------------------------------------------------------


def test_which_files_each_actor_sees(world, only_file_manager, only_account_manager):
    kinds = actors(world)
    ordinary = {world.client.pk}
    expected = {
        "admin": ordinary,  # no restricted file is assigned to the office admin
        "alice": ordinary | {world.restricted.pk},
        "bob": ordinary | {only_file_manager.pk, only_account_manager.pk},
        "outsider": {world.other_client.pk},
        "nobody": set(),
        "no role": set(),
        "staff without office": set(),
        "client": {world.client.pk},
        "accountant": {world.client.pk, world.other_client.pk},
    }
    seen = {name: set(access.clients_visible_to(actor).values_list("pk", flat=True)) for name, actor in kinds.items()}
    assert seen == expected


def test_the_rule_for_a_client_in_memory_is_the_rule_for_the_list(world, only_file_manager, only_account_manager):
    """`can_see_client` and `clients_visible_to` say the same for every actor and every file."""
    files = [world.client, world.restricted, world.other_client, only_file_manager, only_account_manager]
    for (name, actor), file in itertools.product(actors(world).items(), files):
        listed = access.clients_visible_to(actor).filter(pk=file.pk).exists()
        assert access.can_see_client(actor, file) is listed, (name, file.last_name)


def test_a_restricted_file_with_only_a_file_manager_is_theirs_alone(world, only_file_manager):
    bob = access.actor_for(world.bob)
    assert access.client_for_user(bob, only_file_manager.pk) == only_file_manager
    assert access.can_see_client(bob, only_file_manager)
    for other in (world.alice, world.admin, world.outsider):
        with pytest.raises(Http404):
            access.client_for_user(other, only_file_manager.pk)
        assert not access.can_see_client(other, only_file_manager)
    assert only_file_manager in access.hidden_clients_of_office(access.actor_for(world.alice))
    assert only_file_manager not in access.hidden_clients_of_office(bob)


def test_the_hidden_files_of_the_office(world, only_file_manager):
    hidden = {
        name: set(access.hidden_clients_of_office(a).values_list("pk", flat=True)) for name, a in actors(world).items()
    }
    assert hidden["admin"] == {world.restricted.pk, only_file_manager.pk}
    assert hidden["alice"] == {only_file_manager.pk}
    assert hidden["bob"] == {world.restricted.pk}
    assert hidden["outsider"] == set()
    assert hidden["client"] == hidden["accountant"] == hidden["nobody"] == set()


# Fetching one object ------------------------------------------------------------------------------


@pytest.fixture
def rows(world):
    """One of each tenant-owned row on `world.client` (the file the client and the accountant were given)
    and on its office."""
    from pilier.couplings.models import ImportRun

    client = world.client
    return {
        "client": client,
        "policy": world.policy_of(client),
        "line": world.line_of(client),
        "income": income_of(client),
        "import": ImportRun.objects.create(office=world.office, file_name="nn.csv", status="done"),
        "record": unmatched(world.office),
    }


KEEP = object()


def fetch(actor, rows, what, *, write=False, ident=KEEP):
    """`what` of `rows` fetched by `actor` through its `*_for_user` helper (`ident`: another id instead)."""

    def id_of(key):
        return rows[key].pk if ident is KEEP else ident

    if what == "client":
        return access.client_for_user(actor, id_of("client"), write=write)
    if what == "incomes":
        return access.client_for_incomes(actor, id_of("client"), write=write)
    if what == "policy":
        return access.policy_for_user(actor, id_of("policy"), write=write)
    if what == "line":
        return access.career_line_for_user(actor, rows["client"], id_of("line"), write=write)
    if what == "income":
        return access.income_for_user(actor, rows["client"], 2024, write=write)
    if what == "import":
        return access.import_for_user(actor, id_of("import"), write=write)
    if what == "record":
        return access.unmatched_for_user(actor, id_of("record"), write=write)
    raise AssertionError(what)


FILE_HELPERS = ["client", "incomes", "policy", "line", "income"]
OFFICE_HELPERS = ["import", "record"]
HELPERS = FILE_HELPERS + OFFICE_HELPERS


@pytest.mark.parametrize("what", HELPERS)
def test_staff_read_and_write_everything_of_their_office(world, rows, what):
    for user in (world.admin, world.alice, world.bob):
        actor = access.actor_for(user)
        assert fetch(actor, rows, what) == fetch(actor, rows, what, write=True)


@pytest.mark.parametrize("what", FILE_HELPERS)
def test_a_client_reads_their_file_and_writes_nothing(world, rows, what):
    actor = actors(world)["client"]
    assert fetch(actor, rows, what) is not None
    with pytest.raises(PermissionDenied):
        fetch(actor, rows, what, write=True)


@pytest.mark.parametrize("what", OFFICE_HELPERS)
@pytest.mark.parametrize("kind", ["client", "accountant"])
def test_neither_a_client_nor_an_accountant_sees_the_offices_imports(world, rows, what, kind):
    actor = actors(world)[kind]
    for write in (False, True):
        with pytest.raises(Http404):
            fetch(actor, rows, what, write=write)
    assert not access.imports_visible_to(actor).exists() and not access.unmatched_visible_to(actor).exists()


@pytest.mark.parametrize("what", FILE_HELPERS)
def test_an_accountant_writes_incomes_only(world, rows, what):
    actor = actors(world)["accountant"]
    assert fetch(actor, rows, what) is not None
    if what in ("incomes", "income"):
        assert fetch(actor, rows, what, write=True) is not None
    else:
        with pytest.raises(PermissionDenied):
            fetch(actor, rows, what, write=True)


@pytest.mark.parametrize("what", HELPERS)
@pytest.mark.parametrize("kind", ["nobody", "no role", "staff without office", "outsider"])
def test_an_actor_without_role_or_of_another_office_gets_404(world, rows, what, kind):
    actor = actors(world)[kind]
    for write in (False, True):
        with pytest.raises(Http404):
            fetch(actor, rows, what, write=write)


@pytest.mark.parametrize("kind", ["nobody", "no role", "staff without office"])
def test_an_actor_without_role_sees_nothing(world, rows, kind):
    actor = actors(world)[kind]
    lists = [
        access.clients_visible_to(actor),
        access.policies_visible_to(actor),
        access.career_lines_visible_to(actor),
        access.incomes_visible_to(actor),
        access.imports_visible_to(actor),
        access.unmatched_visible_to(actor),
        access.hidden_clients_of_office(actor),
    ]
    assert [qs.count() for qs in lists] == [0] * len(lists)


@pytest.mark.parametrize("what", [w for w in HELPERS if w != "income"])  # income: by client and year
@pytest.mark.parametrize("ident", [MISSING, *NOT_UUIDS])
def test_a_missing_id_or_one_that_is_not_a_uuid_is_404(world, rows, what, ident):
    for actor, write in itertools.product((access.actor_for(world.alice), actors(world)["client"]), (False, True)):
        with pytest.raises(Http404):  # 404 before any 403: nothing is told about an id one cannot see
            fetch(actor, rows, what, ident=ident, write=write)


def test_a_client_is_refused_a_file_not_given_to_them_as_404_not_403(world, rows):
    actor = actors(world)["client"]
    for file in (world.restricted, world.other_client):
        for write in (False, True):
            with pytest.raises(Http404):
                access.client_for_user(actor, file.pk, write=write)
            with pytest.raises(Http404):
                access.income_for_user(actor, file, 2024, write=write)


def test_a_line_or_policy_is_reached_through_its_own_file_only(world, rows):
    alice = access.actor_for(world.alice)
    line = world.line_of(world.restricted)
    with pytest.raises(Http404):
        access.career_line_for_user(alice, world.client, line.pk)  # a line of another file, valid file in the URL
    bob = access.actor_for(world.bob)
    with pytest.raises(Http404):
        access.career_line_for_user(bob, world.restricted, line.pk)  # a file Bob cannot see, handed by mistake
    with pytest.raises(Http404):
        access.policy_for_user(bob, world.policy_of(world.restricted).pk)
    with pytest.raises(Http404):
        access.income_for_user(bob, world.restricted, 2024)


# Lists --------------------------------------------------------------------------------------------


def test_each_office_lists_its_own_rows_only(world, rows):
    from pilier.couplings.models import ImportRun

    theirs = ImportRun.objects.create(office=world.other_office, file_name="ag.csv", status="done")
    their_record = unmatched(world.other_office)
    world.policy_of(world.other_client)
    world.line_of(world.other_client)
    income_of(world.other_client)
    for user, office in ((world.admin, world.office), (world.outsider, world.other_office)):
        actor = access.actor_for(user)
        assert {r.office_id for r in access.imports_visible_to(actor)} == {office.pk}
        assert {r.office_id for r in access.unmatched_visible_to(actor)} == {office.pk}
        assert {c.office_id for c in access.clients_visible_to(actor)} == {office.pk}
        for qs in (access.policies_visible_to(actor), access.career_lines_visible_to(actor)):
            assert {row.client.office_id for row in qs} == {office.pk}
        assert {row.client.office_id for row in access.incomes_visible_to(actor)} == {office.pk}
    assert list(access.imports_visible_to(world.outsider)) == [theirs]
    assert list(access.unmatched_visible_to(world.outsider)) == [their_record]


def test_the_rows_under_a_restricted_file_are_listed_for_its_assignees_only(world, only_file_manager):
    for file in (world.restricted, only_file_manager):
        world.policy_of(file), world.line_of(file), income_of(file)
    by = {name: access.actor_for(getattr(world, name)) for name in ("admin", "alice", "bob")}
    expected = {"admin": set(), "alice": {world.restricted.pk}, "bob": {only_file_manager.pk}}
    for name, actor in by.items():
        for qs in (
            access.policies_visible_to(actor),
            access.career_lines_visible_to(actor),
            access.incomes_visible_to(actor),
        ):
            assert set(qs.values_list("client_id", flat=True)) == expected[name], name


def test_an_unmatched_record_of_a_restricted_file_is_listed_for_its_assignees_only(world, only_file_manager):
    held = unmatched(world.office, holder_national_number=only_file_manager.national_number)
    linked = unmatched(world.office, linked_client=only_file_manager, status="linked")
    held_by_alices = unmatched(world.office, holder_national_number=world.restricted.national_number)
    ordinary = unmatched(world.office)
    seen = {
        name: set(access.unmatched_visible_to(access.actor_for(getattr(world, name))).values_list("pk", flat=True))
        for name in ("admin", "alice", "bob")
    }
    assert seen["bob"] == {held.pk, linked.pk, ordinary.pk}
    assert seen["alice"] == {held_by_alices.pk, ordinary.pk}
    assert seen["admin"] == {ordinary.pk}
    with pytest.raises(Http404):
        access.unmatched_for_user(world.alice, held.pk)
    assert access.unmatched_for_user(world.bob, held.pk, write=True) == held


# The bypass ---------------------------------------------------------------------------------------


def test_the_office_admin_alone_gets_every_file_of_the_office(world, only_file_manager):
    everything = set(access.dangerously_all_office_clients(world.admin).values_list("pk", flat=True))
    assert everything == {world.client.pk, world.restricted.pk, only_file_manager.pk}
    assert access.dangerously_office_client_for_admin(world.admin, world.restricted.pk) == world.restricted
    for ident in (world.other_client.pk, MISSING, "not-a-uuid"):
        with pytest.raises(Http404):
            access.dangerously_office_client_for_admin(world.admin, ident)


@pytest.mark.parametrize("kind", ["alice", "bob", "nobody", "no role", "staff without office", "client", "accountant"])
def test_the_bypass_is_refused_to_anyone_but_an_office_admin(world, kind):
    actor = actors(world)[kind]
    with pytest.raises(PermissionDenied):
        access.dangerously_all_office_clients(actor)
    with pytest.raises(PermissionDenied):
        access.dangerously_office_client_for_admin(actor, world.client.pk)


def test_the_office_admin_role_without_an_office_gets_no_bypass(world):
    with pytest.raises(PermissionDenied):
        access.dangerously_all_office_clients(Actor(user=world.admin, role=Role.OFFICE_ADMIN))


def test_helpers_take_a_user_as_well_as_an_actor(world):
    assert access.client_for_user(world.alice, world.restricted.pk) == world.restricted
    with pytest.raises(Http404):
        access.client_for_user(world.bob, world.restricted.pk)
    assert not access.clients_visible_to(world.outsider).filter(office=world.office).exists()
