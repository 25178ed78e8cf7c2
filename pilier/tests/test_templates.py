"""Templates, read as a screen reader reads them: a field's help text and errors are its description
(`aria-describedby` names ids the page has, `aria-invalid` marks a field in error), the messages and the
import's status are live regions, the menu says which item is the current page, and nothing is inline
(the scan of every template file is in test_headers.py; here the pages with errors are scanned too).

The pages are rendered by Django (the form renderer of pilier/lib/forms_renderer.py, its
templates/forms/field.html) and parsed with html.parser."""

import datetime
import re
from collections import Counter
from html.parser import HTMLParser

import pytest
from django.forms import BaseForm
from django.urls import reverse

from pilier.tests.factories import CareerLineFactory, PolicyFactory
from pilier.tests.test_headers import TEMPLATES, what_a_strict_csp_refuses

pytestmark = pytest.mark.django_db

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Element:
    def __init__(self, tag: str, attrs: dict, parent: "Element | None"):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Element | str] = []

    @property
    def text(self) -> str:
        parts = [c if isinstance(c, str) else c.text for c in self.children]
        return " ".join(" ".join(parts).split())

    def iter(self):
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())


class Page(HTMLParser):
    """The element tree of a page, with its ids counted."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {}, None)
        self._open = self.root
        self.feed(html)
        self.close()
        self.elements = list(self.root.iter())
        self.ids = Counter(e.attrs["id"] for e in self.elements if e.attrs.get("id"))

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {k: ("" if v is None else v) for k, v in attrs}, self._open)
        self._open.children.append(element)
        if tag not in VOID:
            self._open = element

    def handle_startendtag(self, tag, attrs):
        self._open.children.append(Element(tag, {k: ("" if v is None else v) for k, v in attrs}, self._open))

    def handle_endtag(self, tag):
        for node in [self._open, *self._open.ancestors()]:
            if node.tag == tag:
                self._open = node.parent
                return

    def handle_data(self, data):
        self._open.children.append(data)

    def by_id(self, id_: str) -> Element:
        [element] = [e for e in self.elements if e.attrs.get("id") == id_]
        return element

    def select(self, predicate) -> list[Element]:
        return [e for e in self.elements if predicate(e)]


def dangling_descriptions(page: Page) -> list[str]:
    """aria-describedby references to an id the page lacks or holds twice."""
    return [
        f"<{e.tag} name={e.attrs.get('name')!r}> → {ref!r}"
        for e in page.elements
        for ref in e.attrs.get("aria-describedby", "").split()
        if page.ids[ref] != 1
    ]


def described_element(page: Page, field) -> Element:
    """What a screen reader announces a field's description on: the widget, or the fieldset of a group."""
    widget = page.by_id(field.auto_id)
    if field.use_fieldset:
        return next(a for a in widget.ancestors() if a.tag == "fieldset")
    return widget


def inputs_of(page: Page, field) -> list[Element]:
    """The field's controls: its widget, or each radio or box of a group (aria-invalid is theirs, not the group's)."""
    controls = page.select(
        lambda e: e.tag in ("input", "select", "textarea") and e.attrs.get("name") == field.html_name
    )
    assert controls, field.name
    return controls


def description(page: Page, element: Element) -> list[Element]:
    return [page.by_id(ref) for ref in element.attrs.get("aria-describedby", "").split()]


def assert_fields_described(html: str, *forms: BaseForm, expect_errors: bool = True) -> None:
    """Each field with help text or errors is described by them, through ids the page has; a field in
    error says so (aria-invalid), a field without says nothing."""
    page = Page(html)
    assert dangling_descriptions(page) == []
    assert [e for e in page.elements if "aria-describedby" in e.attrs and not e.attrs["aria-describedby"].strip()] == []
    checked = errors_seen = 0
    for form in forms:
        for field in form:
            if field.is_hidden:
                continue
            element = described_element(page, field)
            described_by = description(page, element)
            if field.help_text:
                helps = [d for d in described_by if d.text == " ".join(str(field.help_text).split())]
                assert helps, (field.name, [d.text for d in described_by])
                checked += 1
            if field.errors:
                [errorlist] = [d for d in described_by if "errorlist" in d.classes()]
                assert errorlist.text == " ".join(" ".join(map(str, field.errors)).split()), field.name
                assert {i.attrs.get("aria-invalid") for i in inputs_of(page, field)} == {"true"}, field.name
                errors_seen += 1
            else:
                assert [i for i in inputs_of(page, field) if "aria-invalid" in i.attrs] == [], field.name
                assert not [d for d in described_by if "errorlist" in d.classes()], field.name
            if not (field.help_text or field.errors):
                assert described_by == [] or field.name == "number", field.name
    assert checked + errors_seen, "no field with help text or errors on this page"
    if expect_errors:
        assert errors_seen, "no field in error on this page"
    assert what_a_strict_csp_refuses(html) == []


def forms_of(response, *names: str) -> list[BaseForm]:
    return [response.context[name] for name in names]


# The main forms, each with errors (and their help texts).


def test_the_wizard_s_first_step_with_errors(client, world):
    client.force_login(world.alice)
    empty = client.get(reverse("clients:new"))
    assert_fields_described(empty.content.decode(), *forms_of(empty, "form"), expect_errors=False)
    response = client.post(
        reverse("clients:new"),
        {"last_name": "", "first_name": "Olivier", "national_number": "85073003329", "language": "fr", "country": "BE"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert {"last_name", "national_number"} <= set(form.errors)
    assert_fields_described(response.content.decode(), form)


def test_the_wizard_s_second_step_and_the_social_status_with_errors(client, world):
    client.force_login(world.alice)
    url = reverse("clients:status", args=[world.client.pk])
    response = client.post(url, {"social_status": ""})
    assert response.status_code == 200
    assert "social_status" in response.context["form"].errors
    assert_fields_described(response.content.decode(), *forms_of(response, "form"))
    page = Page(response.content.decode())
    group = described_element(page, response.context["form"]["social_status"])
    assert group.attrs.get("aria-describedby") == "id_social_status_error"
    [legend] = [e for e in group.iter() if e.tag == "legend"]
    assert legend.text.startswith(str(response.context["form"]["social_status"].label))

    director = client.post(
        url,
        {"social_status": "company_director", "fiscal_year_start": "", "enterprise_number": "123", "company_name": ""},
    )
    assert {"fiscal_year_start", "enterprise_number"} <= set(director.context["form"].errors)
    assert_fields_described(director.content.decode(), *forms_of(director, "form"))


def test_the_policy_form_with_errors(client, world):
    client.force_login(world.alice)
    url = reverse("policies:new", args=[world.client.pk])
    response = client.post(url, {"section": "investment", "type": "", "insurer": "NN", "number": "12", "goal": "x"})
    assert response.status_code == 200
    form = response.context["form"]
    assert {"type", "number"} <= set(form.errors)
    assert_fields_described(response.content.decode(), form)
    # The number is described by the insurer's format too (the hint the policy form's script keeps up to date).
    page = Page(response.content.decode())
    number = page.by_id(form["number"].auto_id)
    assert number.attrs["aria-describedby"].split() == ["insurer-hint", "id_number_error"]
    edit = client.get(reverse("policies:edit", args=[PolicyFactory(client=world.client).pk]))
    assert_fields_described(edit.content.decode(), *forms_of(edit, "form"), expect_errors=False)


def test_the_career_line_and_its_shortcut_with_errors(client, world):
    client.force_login(world.alice)
    response = client.post(
        reverse("clients:career_new", args=[world.client.pk]),
        {"from_year": "2010", "to_year": "1990", "status": "employee", "gross_annual_income": "abc"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert_fields_described(response.content.decode(), *forms_of(response, "form"))
    line = CareerLineFactory(client=world.client)
    edit = client.get(reverse("clients:career_edit", args=[world.client.pk, line.pk]))
    assert_fields_described(edit.content.decode(), *forms_of(edit, "form"), expect_errors=False)
    shortcut = client.post(reverse("clients:career_shortcut", args=[world.client.pk]), {"end_of_studies_year": "x"})
    assert_fields_described(shortcut.content.decode(), *forms_of(shortcut, "form"))


def test_the_login_form_with_errors(client, world):
    response = client.post(reverse("login"), {"username": "", "password": ""})
    assert response.status_code == 200
    assert {"username", "password"} <= set(response.context["form"].errors)
    assert_fields_described(response.content.decode(), *forms_of(response, "form"))


def test_the_import_upload_with_errors(client, world):
    client.force_login(world.alice)
    empty = client.get(reverse("couplings:imports"))
    assert_fields_described(empty.content.decode(), *forms_of(empty, "form"), expect_errors=False)
    response = client.post(reverse("couplings:imports"), {})
    assert "file" in response.context["form"].errors
    assert_fields_described(response.content.decode(), *forms_of(response, "form"))


def test_the_profile_its_token_form_and_the_incomes_with_errors(client, world):
    client.force_login(world.alice)
    profile = client.post(reverse("accounts:profile"), {"first_name": "Alice", "last_name": "", "language": "xx"})
    forms = forms_of(profile, "form", "token_form")
    assert "language" in forms[0].errors
    assert_fields_described(profile.content.decode(), *forms)
    year = datetime.date.today().year - 1
    income = client.post(reverse("clients:income", args=[world.client.pk, year]), {"plci_reference_income": "lots"})
    assert income.status_code == 200
    assert_fields_described(income.content.decode(), *forms_of(income, "form"))


def test_the_analysis_assumptions_refused_are_described_by_their_error(client, world):
    client.force_login(world.alice)
    for url in (reverse("analysis:client", args=[world.client.pk]), reverse("analysis:room")):
        response = client.get(url, {"rate": "NaN", "coefficient": "99"})
        assert response.status_code == 400
        page = Page(response.content.decode())
        assert dangling_descriptions(page) == []
        for name in ("rate", "coefficient"):
            [field] = page.select(lambda e, name=name: e.tag == "input" and e.attrs.get("name") == name)
            assert field.attrs.get("aria-invalid") == "true"
            [errorlist] = description(page, field)
            assert "errorlist" in errorlist.classes() and errorlist.text


def test_the_field_template_keeps_the_classes_the_style_sheet_knows(client, world):
    client.force_login(world.alice)
    response = client.post(reverse("clients:new"), {"last_name": "", "national_number": "1"})
    page = Page(response.content.decode())
    last_name = page.by_id("field-last_name")
    assert last_name.classes() == {"field", "has-error"}
    assert [e.tag for e in last_name.iter() if isinstance(e, Element)][:2] == ["label", "input"]
    national = page.by_id("field-national_number")
    [help_text] = [e for e in national.iter() if "helptext" in e.classes()]
    assert help_text.tag == "span" and help_text.attrs["id"] == "id_national_number_helptext"
    # A checkbox sits inside its label.
    restricted = page.by_id("field-restricted_access")
    [label] = [e for e in restricted.iter() if e.tag == "label"]
    assert [e.attrs.get("type") for e in label.iter() if e.tag == "input"] == ["checkbox"]
    status = client.get(reverse("clients:status", args=[world.client.pk]))
    assert Page(status.content.decode()).by_id("field-social_status").classes() == {"field", "radio-list"}
    assert not list(TEMPLATES.rglob("_field.html")), "the old include is gone"


# Live regions and the current page.


def messages_region(page: Page) -> Element:
    [region] = page.select(lambda e: e.attrs.get("id") == "messages")
    return region


def test_the_messages_are_a_live_region_there_before_a_message_is(client, world):
    client.force_login(world.alice)
    quiet = Page(client.get(reverse("clients:list")).content.decode())
    assert messages_region(quiet).attrs.get("aria-live") == "polite"
    assert messages_region(quiet).text == ""
    response = client.post(
        reverse("clients:status", args=[world.client.pk]), {"social_status": "employee"}, follow=True
    )
    page = Page(response.content.decode())
    region = messages_region(page)
    assert region.attrs.get("aria-live") == "polite"
    assert [e.tag for e in region.iter()][:2] == ["ul", "li"]
    assert region.text == "Statut social enregistré."


def test_the_import_page_announces_the_end_of_its_import(client, world):
    client.force_login(world.alice)
    job = world.import_of(world.office)
    job.status = "queued"
    job.save()
    url = reverse("couplings:detail", args=[job.pk])
    page = Page(client.get(url).content.decode())
    announce = page.by_id("import-announce")
    assert announce.attrs.get("aria-live") == "polite" and announce.attrs.get("role") == "status"
    assert announce.text == ""
    assert not [a for a in page.by_id("import-status").ancestors() if a.attrs.get("id") == "import-announce"]
    polled = Page(client.get(url, headers={"HX-Request": "true"}).content.decode())
    assert polled.ids["import-announce"] == 0, "nothing said while it runs"

    job.status = "done"
    job.save()
    polled = Page(client.get(url, headers={"HX-Request": "true"}).content.decode())
    said = polled.by_id("import-announce")
    assert said.attrs.get("hx-swap-oob") == "innerHTML"
    assert said.text.startswith("Import terminé")
    # A page loaded once the import is over shows the result and has nothing to announce.
    assert Page(client.get(url).content.decode()).by_id("import-announce").text == ""

    job.status, job.failure = "failed", "Fichier illisible."
    job.save()
    polled = Page(client.get(url, headers={"HX-Request": "true"}).content.decode())
    assert "Fichier illisible." in polled.by_id("import-announce").text


def current_items(html: str) -> dict[str, str]:
    """The menu's links marked current: {href: aria-current}."""
    page = Page(html)
    [header] = page.select(lambda e: e.tag == "header")
    links = [e for e in header.iter() if e.tag == "a"]
    for link in links:
        assert ("active" in link.classes()) == ("aria-current" in link.attrs), link.attrs
    return {link.attrs["href"]: link.attrs["aria-current"] for link in links if "aria-current" in link.attrs}


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("clients:list", [], {"/clients/": "page"}),
        ("clients:detail", ["client"], {"/clients/": "true"}),
        ("policies:new", ["client"], {"/clients/": "true"}),
        ("analysis:client", ["client"], {"/clients/": "true"}),
        ("analysis:room", [], {"/analysis/room/": "page"}),
        ("couplings:imports", [], {"/imports/": "page"}),
        ("couplings:unmatched", [], {"/imports/": "true"}),
        ("clients:assignments", [], {"/clients/assignments/": "page"}),
        ("accounts:profile", [], {"/accounts/profile/": "page"}),
    ],
)
def test_the_menu_marks_the_current_page(client, world, name, args, expected):
    client.force_login(world.admin)
    url = reverse(name, args=[world.client.pk if a == "client" else a for a in args])
    response = client.get(url)
    assert response.status_code == 200
    assert current_items(response.content.decode()) == expected


def test_no_template_includes_a_field_by_hand():
    """Fields are rendered by the form renderer (as_field_group), not by an include per field."""
    found = {
        path.relative_to(TEMPLATES).as_posix(): hits
        for path in sorted(TEMPLATES.rglob("*.html"))
        if (hits := re.findall(r"\{%\s*include\s+\"[^\"]*_field\.html\"", path.read_text()))
    }
    assert found == {}
