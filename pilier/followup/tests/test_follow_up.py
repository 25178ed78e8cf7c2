import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from pilier.accounts.access import actor_for
from pilier.clients.services import income_set
from pilier.followup import services, tasks
from pilier.followup.models import FollowUpYear, ProFollowUp
from pilier.followup.selectors import dashboard_counts, follow_up_files
from pilier.policies.services import policy_update
from pilier.tests.factories import PolicyFactory

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


def test_it_activates_pro_follow_up_and_the_file_enters_its_flow_as_to_handle(world, pro):
    services.pro_follow_up_set(client=pro, active=True, by=world.alice)
    row = FollowUpYear.objects.get(client=pro, year=YEAR)
    assert (row.flow, row.case, row.status) == ("prospection", "no_plci", "to_handle")
    assert ProFollowUp.objects.get(client=pro).changed_by == world.alice


def test_it_refuses_pro_follow_up_for_an_employee_with_the_reason_and_writes_nothing(world):
    with translation.override("fr"), pytest.raises(ValidationError) as exc:
        services.pro_follow_up_set(client=world.client, active=True, by=world.alice)
    assert "réservé aux indépendants" in str(exc.value)
    assert not ProFollowUp.objects.exists()


def test_deactivating_keeps_the_history_and_the_years(world, pro):
    services.pro_follow_up_set(client=pro, active=True, by=world.alice)
    services.follow_up_set_status(client=pro, year=YEAR, status="done", by=world.alice)
    services.pro_follow_up_set(client=pro, active=False, by=world.bob)
    follow_up = ProFollowUp.objects.get(client=pro)
    assert not follow_up.active and follow_up.history.count() == 2
    assert FollowUpYear.objects.get(client=pro, year=YEAR).status == "done"
    assert dashboard_counts(actor_for(world.alice), YEAR)["prospection"]["done"] == 0
    services.pro_follow_up_set(client=pro, active=True, by=world.bob)
    assert dashboard_counts(actor_for(world.alice), YEAR)["prospection"]["done"] == 1


def test_the_status_is_set_with_who_and_when(world, pro):
    services.pro_follow_up_set(client=pro, active=True, by=world.alice)
    row = services.follow_up_set_status(client=pro, year=YEAR, status="waiting_for_client", by=world.bob)
    assert row.status_set_by == world.bob and row.status_set_at is not None
    assert row.history.first().history_user == world.bob


def test_the_status_is_refused_for_another_flow_or_status_or_an_inactive_file(world, pro):
    with pytest.raises(ValidationError):
        services.follow_up_set_status(client=pro, year=YEAR, status="done", by=world.alice)
    services.pro_follow_up_set(client=pro, active=True, by=world.alice)
    with pytest.raises(ValidationError) as exc:
        services.follow_up_set_status(client=pro, year=YEAR, flow="optimisation", status="done", by=world.alice)
    assert "prospection" in str(exc.value).lower()
    with pytest.raises(ValidationError):
        services.follow_up_set_status(client=pro, year=YEAR, status="finished", by=world.alice)
    with pytest.raises(ValidationError):
        services.follow_up_set_status(client=pro, year=1990, status="done", by=world.alice)
    assert FollowUpYear.objects.get(client=pro, year=YEAR).status == "to_handle"


def test_an_income_entered_moves_the_file_from_waiting_to_to_handle(world, pro):
    services.pro_follow_up_set(client=pro, active=True, by=world.alice)
    services.follow_up_set_status(client=pro, year=YEAR, status="waiting_for_client", by=world.alice)
    income_set(client=pro, year=YEAR - 1, user=world.bob, net_taxable_professional_income=Decimal("40000"))
    row = FollowUpYear.objects.get(client=pro, year=YEAR)
    assert row.status == "to_handle" and row.status_set_by == world.bob


def test_an_income_does_not_move_a_done_file(world, pro):
    services.pro_follow_up_set(client=pro, active=True, by=world.alice)
    services.follow_up_set_status(client=pro, year=YEAR, status="done", by=world.alice)
    income_set(client=pro, year=YEAR - 1, user=world.bob, net_taxable_professional_income=Decimal("40000"))
    assert FollowUpYear.objects.get(client=pro, year=YEAR).status == "done"


def test_a_managed_paying_plci_puts_the_file_in_optimisation_with_its_room(world, make_pro):
    file = make_pro(policy={"annual_premium": 1000})
    for year in range(YEAR - 4, YEAR):
        income_set(client=file, year=year, user=world.alice, net_taxable_professional_income=Decimal("40000"))
    services.pro_follow_up_set(client=file, active=True, by=world.alice)
    row = FollowUpYear.objects.get(client=file, year=YEAR)
    assert row.flow == "optimisation" and row.premium == Decimal("1000.00")
    assert row.product == "plci" and row.room is not None and row.room > 0


def test_a_change_of_policy_moves_the_file_to_the_other_flow_as_to_handle(world, make_pro):
    file = make_pro(policy={"annual_premium": 1000})
    services.pro_follow_up_set(client=file, active=True, by=world.alice)
    services.follow_up_set_status(client=file, year=YEAR, status="done", by=world.alice)
    policy_update(policy=file.policies.get(), managed=False)
    services.follow_up_prepare(office=world.office, year=YEAR)
    row = FollowUpYear.objects.get(client=file, year=YEAR)
    assert (row.flow, row.case, row.status) == ("prospection", "held_elsewhere", "to_handle")


def test_an_imports_own_sql_is_seen_by_the_policys_updated_at(world, make_pro):
    file = make_pro(policy={"annual_premium": 1000})
    services.pro_follow_up_set(client=file, active=True, by=world.alice)
    from pilier.policies.models import Policy

    Policy.objects.filter(client=file).update(
        status="dormant", updated_at=timezone.now() + datetime.timedelta(seconds=1)
    )
    services.follow_up_prepare(office=world.office, year=YEAR)
    assert FollowUpYear.objects.get(client=file, year=YEAR).case == "dormant"


def test_the_dashboard_counts_per_flow_and_status_and_links_to_the_list(client, world, make_pro):
    files = [make_pro(policy={"annual_premium": 1000}) for _ in range(3)] + [make_pro() for _ in range(2)]
    make_pro(world.other_office)
    for f in files:
        services.pro_follow_up_set(client=f, active=True, by=world.alice)
    services.follow_up_set_status(client=files[0], year=YEAR, status="done", by=world.alice)
    services.follow_up_set_status(client=files[3], year=YEAR, status="waiting_for_client", by=world.alice)
    client.force_login(world.alice)
    html = client.get(reverse("followup:dashboard")).content.decode()
    assert 'id="count-optimisation-to_handle"' in html
    counts = dashboard_counts(actor_for(world.alice), YEAR)
    assert counts == {
        "optimisation": {"to_handle": 2, "waiting_for_client": 0, "done": 1},
        "prospection": {"to_handle": 1, "waiting_for_client": 1, "done": 0},
    }
    response = client.get(reverse("followup:files"), {"year": YEAR, "flow": "optimisation", "status": "to_handle"})
    assert response.status_code == 200
    page = response.content.decode()
    assert str(files[1].pk) in page and str(files[0].pk) not in page and str(files[3].pk) not in page


def test_the_other_office_sees_none_of_it(world, make_pro):
    file = make_pro(policy={"annual_premium": 1000})
    services.pro_follow_up_set(client=file, active=True, by=world.alice)
    assert dashboard_counts(actor_for(world.outsider), YEAR)["optimisation"]["to_handle"] == 0


def test_a_restricted_pro_file_is_counted_for_its_assignees_only(world, make_pro):
    file = make_pro(restricted_access=True, account_manager=world.alice)
    services.pro_follow_up_set(client=file, active=True, by=world.alice)
    assert dashboard_counts(actor_for(world.alice), YEAR)["prospection"]["to_handle"] == 1
    assert dashboard_counts(actor_for(world.bob), YEAR)["prospection"]["to_handle"] == 0


def test_the_optimisation_list_is_sorted_by_room_largest_first(world, make_pro):
    small, large = make_pro(policy={"annual_premium": 2500}), make_pro(policy={"annual_premium": 500})
    for f in (small, large):
        for year in range(YEAR - 4, YEAR):
            income_set(client=f, year=year, user=world.alice, net_taxable_professional_income=Decimal("40000"))
        services.pro_follow_up_set(client=f, active=True, by=world.alice)
    rows = list(follow_up_files(actor_for(world.alice), YEAR, "optimisation"))
    assert [r.client_id for r in rows] == [large.pk, small.pk]
    assert rows[0].room > rows[1].room


def test_the_status_is_set_in_bulk_from_the_list(client, world, make_pro):
    files = [make_pro() for _ in range(3)]
    for f in files:
        services.pro_follow_up_set(client=f, active=True, by=world.alice)
    rows = FollowUpYear.objects.filter(client__in=files[:2])
    client.force_login(world.bob)
    response = client.post(
        reverse("followup:bulk_status"),
        {"year": YEAR, "flow": "prospection", "status": "waiting_for_client", "rows": [str(r.pk) for r in rows]},
    )
    assert response.status_code == 302
    statuses = {r.client_id: (r.status, r.status_set_by) for r in FollowUpYear.objects.all()}
    assert statuses[files[0].pk] == statuses[files[1].pk] == ("waiting_for_client", world.bob)
    assert statuses[files[2].pk][0] == "to_handle"


def test_the_bulk_change_does_not_touch_a_row_the_user_does_not_see(client, world, make_pro):
    hidden = make_pro(restricted_access=True, account_manager=world.alice)
    services.pro_follow_up_set(client=hidden, active=True, by=world.alice)
    row = FollowUpYear.objects.get(client=hidden)
    client.force_login(world.bob)
    client.post(
        reverse("followup:bulk_status"), {"year": YEAR, "flow": "prospection", "status": "done", "rows": [str(row.pk)]}
    )
    assert FollowUpYear.objects.get(pk=row.pk).status == "to_handle"


def test_the_file_page_shows_the_actions_and_activates(client, world, pro):
    client.force_login(world.alice)
    page = client.get(pro.get_absolute_url()).content.decode()
    assert "Activer le suivi PRO" in page or "Activate PRO follow-up" in page or 'id="pro-follow-up"' in page
    response = client.post(reverse("followup:activate", args=[pro.pk]), {"active": "1"})
    assert response.status_code == 302 and ProFollowUp.objects.get(client=pro).active
    client.post(reverse("followup:activate", args=[pro.pk]), {"active": "0"})
    assert not ProFollowUp.objects.get(client=pro).active


def test_the_file_page_says_why_an_employee_cannot_have_it(client, world):
    client.force_login(world.alice)
    page = client.get(world.client.get_absolute_url()).content.decode()
    assert 'id="pro-follow-up-reason"' in page
    client.post(reverse("followup:activate", args=[world.client.pk]), {"active": "1"})
    assert not ProFollowUp.objects.exists()


def test_the_status_form_on_the_file(client, world, pro):
    services.pro_follow_up_set(client=pro, active=True, by=world.alice)
    client.force_login(world.alice)
    client.post(reverse("followup:status", args=[pro.pk, YEAR]), {"status": "done"})
    assert FollowUpYear.objects.get(client=pro).status == "done"
    client.post(reverse("followup:status", args=[pro.pk, YEAR]), {"status": "nonsense"})
    assert FollowUpYear.objects.get(client=pro).status == "done"


def test_another_offices_staff_gets_404_on_the_actions(client, world, pro):
    client.force_login(world.outsider)
    assert client.post(reverse("followup:activate", args=[pro.pk]), {"active": "1"}).status_code == 404
    assert not ProFollowUp.objects.exists()


def test_a_policy_saved_marks_the_row_stale(world, make_pro):
    file = make_pro()
    services.pro_follow_up_set(client=file, active=True, by=world.alice)
    assert not FollowUpYear.objects.get(client=file).stale
    PolicyFactory(client=file)
    assert FollowUpYear.objects.get(client=file).stale


def test_the_api_activates_reads_and_counts(api, world, pro, make_pro):
    url = f"/api/v1/clients/{pro.pk}/pro-follow-up"
    assert api.put(url, {"active": True}).json() == {"active": True}
    assert api.get(url).json() == {"active": True}
    assert api.put(f"/api/v1/clients/{world.client.pk}/pro-follow-up", {"active": True}).status_code == 422
    counts = api.get("/api/v1/pro-follow-up", year=YEAR).json()
    assert counts["prospection"] == {"to_handle": 1, "waiting_for_client": 0, "done": 0}
    response = api.put(f"{url}/{YEAR}", {"flow": "prospection", "status": "waiting_for_client"})
    assert response.status_code == 200 and response.json()["status_set_by"] == world.alice.email
    assert api.put(f"{url}/{YEAR}", {"flow": "optimisation", "status": "done"}).status_code == 422
    files = api.get("/api/v1/pro-follow-up/files", year=YEAR, flow="prospection", status="waiting_for_client").json()
    assert [f["client"] for f in files] == [str(pro.pk)] and files[0]["case"] == "no_plci"
    assert api.get("/api/v1/pro-follow-up", year=1990).status_code == 422


# A request computes a bounded number of rooms; the rest is the worker's -----------------------------------


def _stale_pro_files(world, make_pro, n):
    files = [make_pro(policy={"annual_premium": 1000}) for _ in range(n)]
    for f in files:
        services.pro_follow_up_set(client=f, active=True, by=world.alice)
    FollowUpYear.objects.filter(client__in=files).update(stale=True)
    return files


def test_a_request_computes_at_most_its_budget_and_queues_the_rest_once(world, make_pro, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # queued, not run
    from django_tasks import default_task_backend

    _stale_pro_files(world, make_pro, 5)
    left = services.follow_up_prepare(office=world.office, year=YEAR, budget=2)
    assert left == 3
    assert FollowUpYear.objects.filter(office=world.office, year=YEAR, stale=True).count() == 3
    assert [r.task.name for r in default_task_backend.results] == ["refresh_follow_up"]
    assert services.follow_up_prepare(office=world.office, year=YEAR, budget=2) == 1  # still queued: not again
    assert len(default_task_backend.results) == 1
    assert services.follow_up_refresh(office=world.office, year=YEAR) == 1  # what the worker does
    assert services.follow_up_prepare(office=world.office, year=YEAR, budget=2) == 0


def test_the_worker_computes_what_the_request_left_and_the_page_says_so_meanwhile(
    client, world, make_pro, settings, monkeypatch
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    _stale_pro_files(world, make_pro, 4)
    monkeypatch.setattr(services, "IN_REQUEST", 1)
    client.force_login(world.alice)
    page = client.get(reverse("followup:dashboard"), {"year": YEAR}).content.decode()
    assert 'id="follow-up-updating"' in page and 'hx-trigger="every 3s"' in page
    assert api_counts_updating(world) == 3
    tasks.refresh_follow_up.call(str(world.office.pk), YEAR)
    assert not FollowUpYear.objects.filter(office=world.office, stale=True).exists()
    page = client.get(reverse("followup:dashboard"), {"year": YEAR}).content.decode()
    assert 'id="follow-up-updating"' not in page and "every 3s" not in page


def api_counts_updating(world):
    return FollowUpYear.objects.filter(office=world.office, year=YEAR, stale=True).count()


def test_the_api_counts_say_how_many_files_are_still_being_computed(api, world, make_pro, settings, monkeypatch):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    _stale_pro_files(world, make_pro, 3)
    assert api.get("/api/v1/pro-follow-up", year=YEAR).json()["updating"] == 0  # 3 rows: within the budget
    FollowUpYear.objects.filter(office=world.office).update(stale=True)
    monkeypatch.setattr(services, "IN_REQUEST", 1)
    assert api.get("/api/v1/pro-follow-up", year=YEAR).json()["updating"] == 2
