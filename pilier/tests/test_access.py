"""Every page and API route, walked as the allowed user, the other office, a non-assigned colleague
on a restricted file (one with both assignees, one with only a file manager), and anonymously; every list
page per office; the files offered to link an unmatched record to. Writing as a read-only actor:
test_read_only_actor.py."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from conftest import api_headers
from pilier.tests.factories import CareerLineFactory, ClientFactory

pytestmark = pytest.mark.django_db

PUBLIC = {
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "set_language",
    "home",
    "favicon",  # the site's icon, for everyone: test_error_pages.py
    "portal:invitation",  # a one-time link: pilier/portal/tests/test_invitations.py
}
POST_ONLY = {
    "clients:delete",
    "clients:reassign",
    "clients:career_delete",
    "accounts:token_create",
    "accounts:token_revoke",
    "policies:main",
    "policies:delete",
    "couplings:unmatched_link",
    "couplings:unmatched_dismiss",
    "followup:activate",
    "followup:status",
    "followup:bulk_status",
    "portal:team_resend",
    "portal:team_revoke",
    "portal:language",
    "portal:mandate",
    "accountants:file",
}
# The client's own pages (pilier/portal): no staff member opens them (test_a_client_sees_their_portal_and_nothing_else).
CLIENT_PAGES = {"portal:home", "portal:pdf", "portal:language", "portal:mandate"}
ADMIN_ONLY = {"portal:letter_template", "clients:assignments", "clients:reassign"}


def page_patterns():
    """(name, needs_client_id) for every named page outside the API."""

    def walk(resolver, namespace=""):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace and entry.namespace.startswith("api"):
                    continue
                ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                yield from walk(entry, ns)
            elif isinstance(entry, URLPattern) and entry.name:
                yield f"{namespace}{entry.name}", list(entry.pattern.converters)

    return sorted(set((name, tuple(params)) for name, params in walk(get_resolver()) if name not in PUBLIC))


PAGES = page_patterns()


def test_the_walk_finds_the_pages():
    names = {name for name, _ in PAGES}
    assert {"clients:list", "clients:detail", "clients:edit", "clients:status", "clients:history"} <= names


MISSING = "00000000-0000-4000-8000-000000000000"
OWNED = ("client_id", "line_id", "policy_id")  # URL parameters that reach a client file
OFFICE_OWNED = ("import_id", "record_id")  # URL parameters that reach the office's imports


def url_for(name, params, target, world=None):
    """The URL of `name` for the file `target` (a Client) or for ids that exist nowhere (MISSING)."""
    kwargs = {}
    for param in params:
        if target == MISSING:
            kwargs[param] = 2025 if param == "year" else MISSING
        elif param == "client_id":
            kwargs[param] = target.pk
        elif param == "line_id":
            kwargs[param] = world.line_of(target).pk
        elif param == "policy_id":
            kwargs[param] = world.policy_of(target).pk
        elif param == "lang":
            kwargs[param] = "fr"
        elif param == "token_id":
            kwargs[param] = MISSING
        elif param == "year":
            kwargs[param] = 2025
        elif param == "import_id":
            kwargs[param] = world.import_of(target.office).pk
        elif param == "record_id":
            kwargs[param] = world.unmatched_of(target.office).pk
    return reverse(name, kwargs=kwargs)


def reaches_a_file(params) -> bool:
    return any(p in OWNED for p in params)


def reaches_the_office(params) -> bool:
    return any(p in OWNED + OFFICE_OWNED for p in params)


def call(client, name, url):
    return client.post(url) if name in POST_ONLY else client.get(url)


@pytest.mark.parametrize(("name", "params"), PAGES)
def test_anonymous_visitors_are_sent_to_the_login_page(client, world, name, params):
    response = call(client, name, url_for(name, params, world.client, world))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("name", "params"), [p for p in PAGES if reaches_the_office(p[1])])
def test_another_offices_file_answers_404(client, world, name, params):
    url = url_for(name, params, world.client, world)
    client.force_login(world.outsider)  # an office admin, of the other office
    assert call(client, name, url).status_code == 404


@pytest.mark.parametrize(("name", "params"), [p for p in PAGES if reaches_a_file(p[1]) and p[0] not in ADMIN_ONLY])
def test_a_restricted_file_answers_404_to_non_assignees_admins_included(client, world, name, params):
    url = url_for(name, params, world.restricted, world)
    for user in (world.bob, world.admin):
        client.force_login(user)
        assert call(client, name, url).status_code == 404


@pytest.mark.parametrize(("name", "params"), [p for p in PAGES if reaches_the_office(p[1])])
def test_a_missing_file_answers_404(client, world, name, params):
    client.force_login(world.admin)
    assert call(client, name, url_for(name, params, MISSING)).status_code == 404


@pytest.mark.parametrize(("name", "params"), [p for p in PAGES if "line_id" in p[1] or "policy_id" in p[1]])
def test_a_line_or_policy_of_another_file_answers_404(client, world, name, params):
    """A valid file in the URL does not open a line or policy of another file."""
    kwargs = {"client_id": world.client.pk} if "client_id" in params else {}
    if "line_id" in params:
        kwargs["line_id"] = world.line_of(world.restricted).pk
    if "policy_id" in params:
        kwargs["policy_id"] = world.policy_of(world.restricted).pk
    client.force_login(world.bob)
    assert call(client, name, reverse(name, kwargs=kwargs)).status_code == 404


@pytest.mark.parametrize(("name", "params"), [p for p in PAGES if p[0] not in POST_ONLY | CLIENT_PAGES])
def test_the_allowed_user_gets_the_page(client, world, name, params):
    url = url_for(name, params, world.restricted, world)
    client.force_login(world.admin if name in ADMIN_ONLY else world.alice)
    assert call(client, name, url).status_code == 200


@pytest.mark.parametrize("name", sorted(ADMIN_ONLY))
def test_admin_pages_are_refused_to_staff(client, world, name):
    client.force_login(world.alice)
    params = dict(PAGES)[name]
    assert call(client, name, url_for(name, params, world.client, world)).status_code == 403


API_ROUTES = [
    ("get", "/api/v1/clients"),
    ("post", "/api/v1/clients"),
    ("get", "/api/v1/clients/{client_id}"),
    ("patch", "/api/v1/clients/{client_id}"),
    ("delete", "/api/v1/clients/{client_id}"),
    ("get", "/api/v1/clients/{client_id}/career-lines"),
    ("post", "/api/v1/clients/{client_id}/career-lines"),
    ("patch", "/api/v1/clients/{client_id}/career-lines/{line_id}"),
    ("delete", "/api/v1/clients/{client_id}/career-lines/{line_id}"),
    ("get", "/api/v1/clients/{client_id}/policies"),
    ("post", "/api/v1/clients/{client_id}/policies"),
    ("get", "/api/v1/policies/{policy_id}"),
    ("patch", "/api/v1/policies/{policy_id}"),
    ("delete", "/api/v1/policies/{policy_id}"),
    ("get", "/api/v1/insurers"),
    ("get", "/api/v1/clients/{client_id}/analysis"),
    ("put", "/api/v1/clients/{client_id}/incomes/{year}"),
    ("post", "/api/v1/portfolio-imports"),
    ("get", "/api/v1/portfolio-imports/{import_id}"),
    ("get", "/api/v1/clients/{client_id}/pro-follow-up"),
    ("put", "/api/v1/clients/{client_id}/pro-follow-up"),
    ("put", "/api/v1/clients/{client_id}/pro-follow-up/{year}"),
    ("get", "/api/v1/pro-follow-up"),
    ("get", "/api/v1/pro-follow-up/files"),
    ("get", "/api/v1/clients/{client_id}/access"),
    ("post", "/api/v1/clients/{client_id}/access"),
    ("delete", "/api/v1/clients/{client_id}/access"),
    ("get", "/api/v1/letter-templates/client-access/{lang}"),  # the office's, not a file's
    ("put", "/api/v1/letter-templates/client-access/{lang}"),
    ("get", "/api/v1/accountants"),  # the directory shared by every office
    ("post", "/api/v1/accountants"),
    ("put", "/api/v1/clients/{client_id}/accountant"),
    ("delete", "/api/v1/clients/{client_id}/accountant"),
]
FILE_ROUTES = [r for r in API_ROUTES if "{" in r[1] and "{lang}" not in r[1]]
# Valid bodies, so that a 404 is not hidden behind a 422.
BODIES = {
    ("put", "/api/v1/clients/{client_id}/pro-follow-up"): {"active": False},
    ("put", "/api/v1/clients/{client_id}/pro-follow-up/{year}"): {"status": "done"},
    ("put", "/api/v1/clients/{client_id}/accountant"): {"accountant": "00000000-0000-0000-0000-000000000000"},
    ("post", "/api/v1/clients/{client_id}/career-lines"): {"from_year": 2010, "status": "employee"},
    ("post", "/api/v1/clients/{client_id}/policies"): {
        "section": "pension",
        "type": "plci",
        "insurer": "ATHORA",
        "number": "GV990001",
    },
}


def api_url(path, target, world):
    """`path` for the file `target` (its career line, its policy) or for ids that exist nowhere."""
    if target == MISSING:
        return path.format(
            client_id=MISSING, line_id=MISSING, policy_id=MISSING, import_id=MISSING, year=2025, lang="fr"
        )
    ids = {"client_id": target.pk, "year": 2025, "lang": "fr"}
    if "{import_id}" in path:
        ids["import_id"] = world.import_of(target.office).pk
    if "{line_id}" in path:
        ids["line_id"] = world.line_of(target).pk
    if "{policy_id}" in path:
        ids["policy_id"] = world.policy_of(target).pk
    return path.format(**ids)


def test_the_api_route_list_is_complete(client, world):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    documented = {(method, path) for path, ops in paths.items() for method in ops}
    assert documented == set(API_ROUTES)


@pytest.mark.parametrize(("method", "path"), API_ROUTES)
def test_the_api_needs_a_token(client, world, method, path):
    url = api_url(path, world.client, world)
    assert getattr(client, method)(url, content_type="application/json").status_code == 401
    bad = api_headers("plr_not-a-token")
    assert getattr(client, method)(url, content_type="application/json", **bad).status_code == 401


@pytest.mark.parametrize(("method", "path"), FILE_ROUTES)
def test_the_api_answers_404_for_another_office_a_restricted_file_or_a_missing_id(client, world, method, path):
    cases = [
        (world.outsider, api_url(path, world.client, world)),
        (world.bob, api_url(path, world.restricted, world)),
        (world.admin, api_url(path, world.restricted, world)),
        (world.alice, api_url(path, MISSING, world)),
    ]
    if "{import_id}" in path:  # an office's import, not a client file: no restricted case
        cases = [cases[0], cases[3]]
    for user, url in cases:
        body = BODIES.get((method, path), {})
        response = getattr(client, method)(url, body, content_type="application/json", **api_headers(world.token(user)))
        assert response.status_code == 404, (user, url, response.content)
    assert world.client.__class__.objects.filter(pk=world.restricted.pk).exists()
    assert world.restricted.policies.exists() or "{policy_id}" not in path


@pytest.mark.parametrize(("method", "path"), [r for r in FILE_ROUTES if "line_id" in r[1]])
def test_the_api_does_not_reach_a_line_through_another_file(client, world, method, path):
    url = path.format(client_id=world.client.pk, line_id=world.line_of(world.restricted).pk)
    response = getattr(client, method)(
        url, data={}, content_type="application/json", **api_headers(world.token(world.bob))
    )
    assert response.status_code == 404


def test_a_session_is_not_enough_for_the_api(client, world):
    client.force_login(world.alice)
    assert client.get("/api/v1/clients").status_code == 401


def test_the_404_page_speaks_the_users_language(client, world):
    client.force_login(world.bob)
    response = client.get(world.restricted.get_absolute_url())
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


# A restricted file whose only assignee is its file manager -----------------------------------------


@pytest.fixture
def managed(world):
    """A restricted file of `office` with a file manager (Bob) and no account manager: Bob's alone."""
    file = ClientFactory.create(
        office=world.office,
        last_name="Fontaine",
        first_name="Lucie",
        client_number="A-777",
        social_status="self_employed",
        restricted_access=True,
        account_manager=None,
        file_manager=world.bob,
    )
    CareerLineFactory(client=file, from_year=2004, status="self_employed")
    return file


FILE_PAGES = [p for p in PAGES if reaches_a_file(p[1]) and p[0] not in ADMIN_ONLY]


@pytest.mark.parametrize(("name", "params"), [p for p in FILE_PAGES if p[0] not in POST_ONLY])
def test_a_file_restricted_to_its_file_manager_alone_opens_for_them(client, world, managed, name, params):
    client.force_login(world.bob)
    assert call(client, name, url_for(name, params, managed, world)).status_code == 200


@pytest.mark.parametrize(("name", "params"), FILE_PAGES)
def test_a_file_restricted_to_its_file_manager_alone_answers_404_to_the_rest_of_the_office(
    client, world, managed, name, params
):
    url = url_for(name, params, managed, world)
    for user in (world.alice, world.admin, world.outsider):
        client.force_login(user)
        assert call(client, name, url).status_code == 404, user


@pytest.mark.parametrize(("method", "path"), [r for r in FILE_ROUTES if "{import_id}" not in r[1]])
def test_the_api_opens_a_file_restricted_to_its_file_manager_for_them_alone(client, world, managed, method, path):
    url = api_url(path, managed, world)
    body = BODIES.get((method, path), {})
    if method == "get":
        response = client.get(url, **api_headers(world.token(world.bob)))
        assert response.status_code == 200, response.content
    for user in (world.alice, world.admin, world.outsider):
        response = getattr(client, method)(url, body, content_type="application/json", **api_headers(world.token(user)))
        assert response.status_code == 404, (user, response.content)
    assert world.client.__class__.objects.filter(pk=managed.pk).exists()


def listed_ids(client, user, url, **params) -> str:
    client.force_login(user)
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    "params", [{}, {"q": "Fontaine"}, {"q": "A-777"}, {"q": "lucie fontaine"}, {"sort": "-number"}]
)
def test_the_list_and_the_search_show_a_file_restricted_to_its_file_manager_to_them_alone(
    client, world, managed, params
):
    url = reverse("clients:list")
    html = listed_ids(client, world.bob, url, **params)
    assert str(managed.pk) in html and "FONTAINE" in html
    for user in (world.alice, world.admin):
        html = listed_ids(client, user, url, **params)
        assert str(managed.pk) not in html and "FONTAINE" not in html
    number = {"q": managed.national_number}
    assert str(managed.pk) in listed_ids(client, world.bob, url, **number)
    assert str(managed.pk) not in listed_ids(client, world.alice, url, **number)


@pytest.mark.parametrize("search", ["", "Fontaine", "A-777"])
def test_the_api_list_and_search_show_a_file_restricted_to_its_file_manager_to_them_alone(
    client, world, managed, search
):
    def ids(user):
        response = client.get("/api/v1/clients", {"search": search}, **api_headers(world.token(user)))
        return {item["id"] for item in response.json()["items"]}

    assert str(managed.pk) in ids(world.bob)
    assert str(managed.pk) not in ids(world.alice) | ids(world.admin) | ids(world.outsider)


def test_the_office_view_counts_a_file_restricted_to_its_file_manager_for_them_alone(client, world, managed):
    url = reverse("analysis:room")
    assert str(managed.pk) in listed_ids(client, world.bob, url)
    for user in (world.alice, world.admin):
        assert str(managed.pk) not in listed_ids(client, user, url)


def test_the_unmatched_records_of_a_file_restricted_to_its_file_manager_are_theirs_alone(client, world, managed):
    record = world.unmatched_of(world.office)
    record.holder_national_number = managed.national_number
    record.save()
    assert f'id="record-{record.pk}"' in listed_ids(client, world.bob, reverse("couplings:unmatched"))
    page = reverse("couplings:unmatched_record", args=[record.pk])
    assert listed_ids(client, world.bob, page)
    for user in (world.alice, world.admin):
        assert f'id="record-{record.pk}"' not in listed_ids(client, user, reverse("couplings:unmatched"))
        assert client.get(page).status_code == 404


# Lists, per office ---------------------------------------------------------------------------------

# The pages that list an office's rows; every page without a parameter that is not a form is one of them.
LIST_PAGES = [
    "analysis:room",
    "clients:assignments",
    "clients:list",
    "couplings:imports",
    "couplings:unmatched",
    "followup:dashboard",
    "followup:files",
]


def test_the_list_pages_are_all_walked():
    # the accountants' directory is shared by every office, not an office's list (pilier/accountants/tests)
    forms = {
        "clients:new",
        "accounts:profile",
        "accounts:token_create",
        "followup:bulk_status",
        "accountants:directory",
    }
    assert sorted(name for name, params in PAGES if not params and name not in forms | CLIENT_PAGES) == LIST_PAGES


@pytest.fixture
def both_offices(world):
    """For each office: a self-employed file (the office view lists it), an import, an unmatched record (open)
    and one linked to its file; `rows[office]` are the ids that must appear in its lists only."""
    from pilier.couplings.models import UnmatchedRecord
    from pilier.followup.services import pro_follow_up_set

    rows = {}
    for office, file in ((world.office, world.client), (world.other_office, world.other_client)):
        file.social_status = "self_employed"
        file.save()
        CareerLineFactory(client=file, from_year=2004, status="self_employed")
        pro_follow_up_set(client=file, active=True)
        record = world.unmatched_of(office)
        linked = UnmatchedRecord.objects.create(
            office=office,
            insurer="NN",
            number="300-0000999",
            number_key="3000000999",
            type="plci",
            reason="no_mandate",
            data={},
            fingerprint="y",
            seen_at=record.seen_at,
            status="linked",
            linked_client=file,
        )
        rows[office.pk] = {
            "file": str(file.pk),
            "import": str(world.import_of(office).pk),
            "record": f'id="record-{record.pk}"',
            "linked": f'id="record-{linked.pk}"',
        }
    return rows


# What each list page must show of an office's rows, and with which query.
SHOWN = {
    "analysis:room": [("file", {})],
    "clients:assignments": [("file", {})],
    "clients:list": [("file", {}), ("file", {"q": "a"})],
    "couplings:imports": [("import", {})],
    "couplings:unmatched": [("record", {}), ("linked", {"status": "linked"})],
    "followup:dashboard": [],  # counts only: pilier/followup/tests count per office
    "followup:files": [("file", {"flow": "prospection"})],
}


@pytest.mark.parametrize("name", LIST_PAGES)
def test_a_list_page_shows_the_offices_rows_and_none_of_another_office(client, world, both_offices, name):
    for user, mine, theirs in (
        (world.admin, world.office, world.other_office),
        (world.outsider, world.other_office, world.office),
    ):
        for key, params in SHOWN[name]:
            html = listed_ids(client, user, reverse(name), **params)
            assert both_offices[mine.pk][key] in html, (user, key, params)
            assert both_offices[theirs.pk][key] not in html, (user, key, params)


def test_the_imports_page_counts_the_offices_open_records_only(client, world, both_offices):
    for user in (world.admin, world.outsider):
        html = listed_ids(client, user, reverse("couplings:imports"))
        assert html.split('class="badge warn">')[1].split("<")[0] == "1"


def test_the_api_list_shows_the_offices_files_and_none_of_another_office(client, world, both_offices):
    for user, mine, theirs in (
        (world.admin, world.client, world.other_client),
        (world.outsider, world.other_client, world.client),
    ):
        ids = {c["id"] for c in client.get("/api/v1/clients", **api_headers(world.token(user))).json()["items"]}
        assert str(mine.pk) in ids and str(theirs.pk) not in ids


# Link candidates on an unmatched record --------------------------------------------------------------


def candidates(client, user, record, query):
    client.force_login(user)
    response = client.get(reverse("couplings:unmatched_record", args=[record.pk]), {"q": query})
    assert response.status_code == 200
    return {c.pk for c in response.context["candidates"]}, response.content.decode()


@pytest.mark.parametrize("query", ["Delvaux", "A-001", "anne", "nationalnumber", "Fontaine", "A-777", "Peeters", "a"])
def test_a_restricted_file_is_never_offered_as_a_candidate_to_someone_not_assigned(client, world, managed, query):
    record = world.unmatched_of(world.office)
    hidden = {  # who must never be offered which file
        world.bob: {world.restricted, world.other_client},
        world.alice: {managed, world.other_client},
        world.admin: {world.restricted, managed, world.other_client},
    }
    for user, files in hidden.items():
        for file in files:
            q = file.national_number if query == "nationalnumber" else query
            offered, html = candidates(client, user, record, q)
            assert file.pk not in offered and str(file.pk) not in html, (user, file, q)
    # The control: the assignees are offered their file.
    assert world.restricted.pk in candidates(client, world.alice, record, "Delvaux")[0]
    assert managed.pk in candidates(client, world.bob, record, "Fontaine")[0]


def test_linking_a_record_to_a_file_one_may_not_see_answers_404_and_links_nothing(client, world, managed):
    record = world.unmatched_of(world.office)
    url = reverse("couplings:unmatched_link", args=[record.pk])
    for user, file in (
        (world.bob, world.restricted),
        (world.alice, managed),
        (world.admin, world.restricted),
        (world.admin, managed),
        (world.bob, world.other_client),
    ):
        client.force_login(user)
        assert client.post(url, {"client": str(file.pk)}).status_code == 404, (user, file)
        record.refresh_from_db()
        assert record.status == "open" and record.linked_client is None
        assert not file.policies.exists()
    for bad in ("", "not-a-uuid", MISSING):
        assert client.post(url, {"client": bad}).status_code == 404
    client.force_login(world.bob)
    assert client.post(url, {"client": str(managed.pk)}).status_code == 302  # the control: Bob's own file
    record.refresh_from_db()
    assert record.linked_client == managed


# As a client of one file (pilier/portal) ------------------------------------------------------------------------


@pytest.fixture
def client_login(world):
    """A client's login to `world.client`, and one to the restricted file: their portal and nothing else."""
    from pilier.accounts.models import User
    from pilier.portal.models import ClientAccess

    def make(file, email):
        user = User.objects.create_user(email, password="a-long-and-new-passphrase")
        ClientAccess.objects.create(user=user, client=file)
        return user

    return make(world.client, "marc@example.be"), make(world.restricted, "anne@example.be")


@pytest.mark.parametrize(("name", "params"), [p for p in PAGES if p[0] not in CLIENT_PAGES])
def test_a_client_gets_404_from_every_other_page_their_own_file_included(client, world, client_login, name, params):
    for user, own, other in (
        (client_login[0], world.client, world.restricted),
        (client_login[1], world.restricted, world.client),
    ):
        client.force_login(user)
        for target in (own, other, world.other_client):
            assert call(client, name, url_for(name, params, target, world)).status_code == 404, (user, target)


@pytest.mark.parametrize("name", sorted(CLIENT_PAGES))
def test_a_client_sees_their_portal_and_nothing_else(client, world, client_login, name):
    client.force_login(client_login[1])  # the restricted file: its client sees it all the same
    response = call(client, name, reverse(name))
    assert response.status_code in ((302, 404) if name in POST_ONLY else (200,))
    for staff_member in (world.alice, world.admin):
        client.force_login(staff_member)
        assert call(client, name, reverse(name)).status_code == 404


@pytest.mark.parametrize(("method", "path"), API_ROUTES)
def test_the_api_answers_401_to_a_client_session_or_token(client, world, client_login, method, path):
    client.force_login(client_login[0])
    url = api_url(path, world.client, world)
    assert getattr(client, method)(url, content_type="application/json").status_code == 401
    headers = api_headers(world.token(client_login[0]))
    assert getattr(client, method)(url, content_type="application/json", **headers).status_code == 401
