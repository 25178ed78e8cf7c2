import pytest
from django.urls import reverse

from pilier.tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def names(response):
    return [c.last_name for c in response.context["page"].object_list]


def test_it_lists_the_office_files_with_assignees_and_status(client, world):
    client.force_login(world.bob)
    response = client.get(reverse("clients:list"))
    assert names(response) == ["Dubois"]
    html = response.content.decode()
    assert "Alice Aerts" in html
    assert "A-100" in html


def test_it_hides_restricted_files_from_non_assignees_office_admins_included(client, world):
    for user in (world.bob, world.admin):
        client.force_login(user)
        assert "Delvaux" not in names(client.get(reverse("clients:list")))
        assert names(client.get(reverse("clients:list"), {"q": "Delvaux"})) == []
    client.force_login(world.alice)
    assert sorted(names(client.get(reverse("clients:list")))) == ["Delvaux", "Dubois"]


def test_it_never_shows_another_office(client, world):
    client.force_login(world.outsider)
    assert names(client.get(reverse("clients:list"))) == ["Peeters"]


@pytest.mark.parametrize(
    "query",
    ["dubois", "DUBO", "marc dub", "A-100", "a-10"],
)
def test_it_searches_on_name_and_client_number(client, world, query):
    client.force_login(world.bob)
    assert names(client.get(reverse("clients:list"), {"q": query})) == ["Dubois"]


def test_search_ignores_accents(client, world):
    ClientFactory(office=world.office, last_name="Lefèvre", first_name="Zoé")
    client.force_login(world.bob)
    assert names(client.get(reverse("clients:list"), {"q": "lefevre zoe"})) == ["Lefèvre"]
    assert names(client.get(reverse("clients:list"), {"q": "Lefèvre"})) == ["Lefèvre"]


def test_it_searches_on_the_national_number_with_or_without_dots_and_dashes(client, world):
    client.force_login(world.bob)
    formatted = world.client.national_number
    plain = formatted.replace(".", "").replace("-", "")
    for query in (formatted, plain, formatted[:8], plain[:6], plain[4:9]):
        assert names(client.get(reverse("clients:list"), {"q": query})) == ["Dubois"], query


def test_search_as_you_type_answers_the_table_only(client, world):
    client.force_login(world.bob)
    response = client.get(reverse("clients:list"), {"q": "dub"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<table" in html and "<html" not in html
    assert "Dubois".upper() in html


def test_it_sorts_and_paginates(client, world, settings):
    settings.CLIENTS_PER_PAGE = 2
    for name in ("Aa", "Bb", "Cc"):
        ClientFactory(office=world.office, last_name=name, client_number=f"Z-{name}")
    client.force_login(world.bob)
    assert names(client.get(reverse("clients:list"))) == ["Aa", "Bb"]
    assert names(client.get(reverse("clients:list"), {"page": 2})) == ["Cc", "Dubois"]
    assert names(client.get(reverse("clients:list"), {"sort": "-name"})) == ["Dubois", "Cc"]
    assert names(client.get(reverse("clients:list"), {"sort": "-number"})) == ["Cc", "Bb"]
    assert client.get(reverse("clients:list"), {"sort": "bogus"}).status_code == 200


def test_it_marks_incomplete_files(client, world):
    ClientFactory(office=world.office, last_name="Halfway", social_status="")
    client.force_login(world.bob)
    html = client.get(reverse("clients:list"), {"q": "halfway"}).content.decode()
    assert "incomplet" in html


def test_the_list_uses_a_fixed_number_of_queries(client, world, django_assert_num_queries):
    client.force_login(world.bob)
    client.get(reverse("clients:list"))
    # session, user, membership, count, page
    with django_assert_num_queries(5):
        client.get(reverse("clients:list"))
    for _ in range(30):
        ClientFactory(office=world.office, account_manager=world.alice, file_manager=world.bob)
    with django_assert_num_queries(5):
        client.get(reverse("clients:list"), {"q": ""})
    with django_assert_num_queries(5):
        client.get(reverse("clients:list"), {"q": "a"})
