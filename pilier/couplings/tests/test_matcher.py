"""The matcher on its own: the office's keys and records in, decisions and named rows out. No database:
these tests have no django_db mark, so that any query would fail them. Refusals are checked in French (the
users' default language)."""

import json

import pytest
from django.utils import translation

from pilier.clients.models import Client
from pilier.couplings.models import UnmatchedReason, UnmatchedRecord, UnmatchedStatus
from pilier.couplings.portfolio.matcher import (
    Batch,
    ChangedUnmatched,
    Decision,
    KnownPolicy,
    KnownUnmatched,
    LinkedUnmatched,
    Matcher,
    NewPolicy,
    NewUnmatched,
    OfficeKeys,
    unmatched_fingerprint,
)
from pilier.couplings.portfolio.records import FIELDS, PolicyValues, RecordError, parse_record
from pilier.policies.models import INSURER_FIELDS, Policy

from .conftest import row

HOLDER = "85.07.30-033.28"  # the client of the file "c1"
OTHER = "90.01.15-123.63"  # the client of the file "c2"
STORED = PolicyValues("active", "2019-01-01", None, "2451.00", "12345.67", "2026-01-01", None)


@pytest.fixture(autouse=True)
def _in_french():
    with translation.override("fr"):
        yield


def record(line: int = 2, **fields):
    raw = row(**fields)
    return parse_record(line, [raw[name] for name in FIELDS])


def keys(*, policies=(), unmatched=(), groups=()) -> OfficeKeys:
    """An office with two files (c1, c2) with a national number, and the given policies (insurer, number key,
    client, values) and unmatched records (insurer, number key, fingerprint)."""
    return OfficeKeys(
        policies={(insurer, key): KnownPolicy(f"p-{key}", values, client) for insurer, key, client, values in policies},
        groups=set(groups),
        clients={HOLDER.replace(".", "").replace("-", ""): "c1", OTHER.replace(".", "").replace("-", ""): "c2"},
        unmatched={(insurer, key): KnownUnmatched(f"u-{key}", fp, "open") for insurer, key, fp in unmatched},
    )


def matcher(office: OfficeKeys) -> Matcher:
    ids = iter(f"new-{i}" for i in range(1, 100))
    return Matcher(office, number_limit=40, make_id=lambda: next(ids))


NN_KEY = record().key  # NN 3000000256, as the insurer writes it


def empty(batch: Batch) -> bool:
    return not (
        batch.new_policies
        or batch.changed_policies
        or batch.new_unmatched
        or batch.changed_unmatched
        or batch.linked_unmatched
    )


# Rows are named after the columns they fill ------------------------------------------------------------------


def test_each_rows_fields_are_columns_of_its_model():
    policy = {f.attname for f in Policy._meta.concrete_fields}
    unmatched = {f.attname for f in UnmatchedRecord._meta.concrete_fields}
    assert PolicyValues._fields == INSURER_FIELDS
    assert set(NewPolicy._fields) <= policy
    assert set(NewUnmatched._fields) <= unmatched
    assert set(ChangedUnmatched._fields) <= unmatched and ChangedUnmatched._fields[-1] == "id"
    assert set(LinkedUnmatched._fields) <= unmatched and LinkedUnmatched._fields[-1] == "id"
    assert {f.attname for f in Client._meta.concrete_fields} >= {"national_number_digits", "office_id"}


# A policy of the office ---------------------------------------------------------------------------------------------


def test_a_record_with_new_values_updates_the_policy_and_the_keys():
    office = keys(policies=[("NN", NN_KEY, "c1", STORED)])
    match = matcher(office)
    assert match.match(record(annual_premium="3000")) is Decision.UPDATED
    batch = match.take_batch()
    assert batch.changed_policies == {f"p-{NN_KEY}": STORED._replace(annual_premium="3000.00")}
    assert office.policies[("NN", NN_KEY)].values.annual_premium == "3000.00"
    # The same policy again in the file, with those values: nothing more to write.
    assert match.match(record(line=3, annual_premium="3000.00")) is Decision.UNCHANGED
    assert empty(match.take_batch())


def test_an_empty_field_says_nothing():
    match = matcher(keys(policies=[("NN", NN_KEY, "c1", STORED._replace(end_date="2040-01-01"))]))
    assert match.match(record(reserves="", reserves_date="", end_date="")) is Decision.UNCHANGED
    assert empty(match.batch)


def test_a_holder_who_is_not_the_policys_client_is_refused():
    match = matcher(keys(policies=[("NN", NN_KEY, "c1", STORED)]))
    with pytest.raises(RecordError, match="n'est pas celui du dossier"):
        match.match(record(holder_national_number=OTHER, annual_premium="1.00"))
    assert match.match(record(holder_national_number=HOLDER, annual_premium="1.00")) is Decision.UPDATED


def test_an_end_before_the_policys_own_start_is_refused():
    """The record has no start date: the one of the policy is checked against its end (policies.rules)."""
    match = matcher(keys(policies=[("NN", NN_KEY, "c1", STORED)]))
    with pytest.raises(RecordError, match="end_date serait antérieure"):
        match.match(record(start_date="", end_date="2018-12-31"))
    assert empty(match.batch)


# A new policy ---------------------------------------------------------------------------------------------------------


def test_a_mandate_and_a_known_holder_create_the_policy_in_the_holders_file():
    match = matcher(keys())
    assert match.match(record(holder_national_number=HOLDER)) is Decision.CREATED
    (created,) = match.take_batch().new_policies
    assert created == NewPolicy(
        id="new-1",
        client_id="c1",
        section="pension",
        type="plci",
        insurer="NN",
        number="300-0000256",  # the insurer's display form
        status="active",
        start_date="2019-01-01",
        end_date=None,
        annual_premium="2451.00",
        reserves="12345.67",
        reserves_date="2026-01-01",
        death_capital=None,
        is_main=True,  # alone in its group: main by itself
        number_key=NN_KEY,
        main_group="plci",
    )
    # The next record with that number updates the policy just created.
    assert match.match(record(holder_national_number=HOLDER, annual_premium="10")) is Decision.UPDATED
    assert match.take_batch().changed_policies == {"new-1": STORED._replace(annual_premium="10.00")}


def test_only_the_first_policy_of_a_group_is_main():
    match = matcher(keys(groups=[("c2", "plci")]))  # c2 has a PLCI already
    assert match.match(record(holder_national_number=HOLDER)) is Decision.CREATED
    assert match.match(record(holder_national_number=HOLDER, policy_number="3000000257")) is Decision.CREATED
    assert match.match(record(holder_national_number=OTHER, policy_number="3000000258")) is Decision.CREATED
    assert match.match(record(holder_national_number=HOLDER, policy_number="3000000259", type="pension_savings"))
    rows = match.take_batch().new_policies
    assert [(r.client_id, r.main_group, r.is_main) for r in rows] == [
        ("c1", "plci", True),
        ("c1", "plci", False),
        ("c2", "plci", False),
        ("c1", "", False),  # no group: never main
    ]


def test_a_created_policy_links_the_unmatched_record_of_its_number():
    match = matcher(keys(unmatched=[("NN", NN_KEY, "old")]))
    assert match.match(record(holder_national_number=HOLDER)) is Decision.CREATED
    assert match.take_batch().linked_unmatched == [LinkedUnmatched(linked_client_id="c1", id=f"u-{NN_KEY}")]
    assert ("NN", NN_KEY) not in match.keys.unmatched


def test_a_new_number_not_written_the_insurers_way_is_refused():
    match = matcher(keys())
    with pytest.raises(RecordError, match="n'est pas écrit selon le format de NN"):
        match.match(record(holder_national_number=HOLDER, policy_number="3000000256-77"))
    assert empty(match.batch)


def test_a_number_longer_than_the_column_once_written_the_insurers_way_is_refused():
    match = Matcher(keys(), number_limit=10)
    with pytest.raises(RecordError, match="10 au maximum"):
        match.match(record(holder_national_number=HOLDER))  # "300-0000256": 11 characters


# No policy, and no mandate or no file -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"mandate": "no", "holder_national_number": HOLDER}, UnmatchedReason.NO_MANDATE),
        ({"mandate": "no"}, UnmatchedReason.NO_MANDATE),
        ({"mandate": "yes"}, UnmatchedReason.NO_CLIENT),  # no national number
        ({"mandate": "yes", "holder_national_number": "92.02.29-001.08"}, UnmatchedReason.NO_CLIENT),  # no file
    ],
)
def test_a_record_without_policy_is_unmatched_with_its_reason(fields, reason):
    match = matcher(keys())
    assert match.match(record(**fields)) is Decision.UNMATCHED
    (listed,) = match.take_batch().new_unmatched
    assert (listed.id, listed.insurer, listed.number_key, listed.number, listed.reason) == (
        "new-1",
        "NN",
        NN_KEY,
        "3000000256",  # as the insurer wrote it
        reason,
    )
    assert listed.holder_name == "Dubois Marc" and listed.mandate is (fields["mandate"] == "yes")
    assert json.loads(listed.data)["annual_premium"] == "2451.00"
    assert listed.fingerprint == unmatched_fingerprint(listed.data)


def test_an_unmatched_record_seen_again_changes_only_if_its_values_do():
    first = matcher(keys())
    first.match(record(mandate="no"))
    (listed,) = first.take_batch().new_unmatched
    match = matcher(keys(unmatched=[("NN", NN_KEY, listed.fingerprint)]))
    assert match.match(record(mandate="no")) is Decision.UNCHANGED
    assert empty(match.batch)
    assert match.match(record(mandate="no", annual_premium="99")) is Decision.UNMATCHED
    (changed,) = match.take_batch().changed_unmatched
    assert changed.id == f"u-{NN_KEY}" and changed.fingerprint != listed.fingerprint
    assert match.keys.unmatched[("NN", NN_KEY)] == KnownUnmatched(
        f"u-{NN_KEY}", changed.fingerprint, UnmatchedStatus.OPEN
    )


def test_the_same_unmatched_number_twice_in_a_file_is_listed_once_then_changed():
    match = matcher(keys())
    assert match.match(record(mandate="no")) is Decision.UNMATCHED
    assert match.match(record(line=3, mandate="no")) is Decision.UNCHANGED
    assert match.match(record(line=4, mandate="no", reserves="1")) is Decision.UNMATCHED
    batch = match.take_batch()
    assert [r.id for r in batch.new_unmatched] == ["new-1"] and [r.id for r in batch.changed_unmatched] == ["new-1"]
