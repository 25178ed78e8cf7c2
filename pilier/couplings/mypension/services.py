"""A MyPension PDF read into a draft (nothing else written), then confirmed into the client's policies in one
transaction.

`draft_create` refuses, with a message in the user's language and nothing stored, a file that is empty, too
large, not a PDF, unreadable, encrypted, not a MyPension file, or another person's (`Refused`).
`draft_confirm` matches the file again against the policies as they are now (what changed since the review
wins: never a duplicate, never newer reserves overwritten), applies what the broker chose (a contract may be
ignored), and records the import on the draft; a confirmed draft confirmed again does nothing."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pilier.accounts.models import User
from pilier.clients.models import Client
from pilier.lib.api_parser import size_text
from pilier.policies import rules as policy_rules
from pilier.policies.catalogue import Section
from pilier.policies.models import Policy
from pilier.policies.services import policy_update

from . import matching
from .matching import Known, Proposal, Review
from .models import Action, Draft, DraftStatus, MyPensionSettings
from .parsed import Dossier, NotMyPension
from .serialise import dossier_from_json, dossier_to_json

logger = logging.getLogger(__name__)

# A MyPension file is a few pages (a few hundred KB); 10 MB leaves room for a scan-heavy producer.
MAX_PDF_BYTES = 10 * 1024 * 1024


class Refused(Exception):
    """A file refused before anything is stored: `code` for the API and tests, `message` for the user."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def read_pdf(data: bytes) -> Dossier:
    """The parser (pilier/couplings/mypension/parser.py): raises NotMyPension with its refusal code."""
    from .parser import parse

    return parse(data)


def mask_national_number(digits: str) -> str:
    """85073003328 -> "85.07.30-0xx.xx": enough to tell two people apart, not enough to be the number."""
    d = "".join(ch for ch in digits if ch.isdigit())
    if len(d) != 11:
        return "xx.xx.xx-xxx.xx"
    return f"{d[0:2]}.{d[2:4]}.{d[4:6]}-{d[6]}xx.xx"


def refusal_message(code: str) -> str:
    messages = {
        "empty": _("The file is empty."),
        "too_large": _("The file is larger than %(size)s.") % {"size": size_text(MAX_PDF_BYTES)},
        "not_pdf": _("This file is not a PDF. Send the PDF downloaded from mypension.be as it is."),
        "unreadable": _("This PDF cannot be read (damaged or incomplete). Download it again from mypension.be."),
        "encrypted": _("This PDF is protected by a password: it cannot be read. Download it again from mypension.be."),
        "not_mypension": _(
            "This PDF is not a MyPension file: send the complete file downloaded from mypension.be "
            "(“my supplementary pension”)."
        ),
        "no_national_number": _("This file has no national number yet: complete it before importing a MyPension file."),
    }
    return str(messages.get(code, messages["unreadable"]))


# ── Reading the client's policies for matching ────────────────────────────────────────────────────────────────


def _known(client: Client) -> list[Known]:
    return [
        Known(
            id=str(p.pk),
            type=p.type,
            insurer=p.insurer,
            number=p.number,
            number_key=p.number_key,
            institution=p.institution,
            db2p_id=p.db2p_id,
            status=p.status,
            reserves=p.reserves,
            reserves_date=p.reserves_date,
            death_capital=p.death_capital,
        )
        for p in Policy.objects.filter(client=client)
    ]


def _numbers_elsewhere(client: Client) -> set[tuple[str, str]]:
    rows = Policy.objects.filter(office_id=client.office_id).exclude(client=client)
    return set(rows.values_list("insurer", "number_key"))


def review_of(client: Client, dossier: Dossier) -> Review:
    """The proposals for `dossier` against the client's policies as they are now (three queries)."""
    return matching.match(dossier, _known(client), _numbers_elsewhere(client))


def _proposals_json(review: Review) -> dict[str, dict[str, Any]]:
    return {
        p.key: {
            "action": p.action,
            "policy": p.policy,
            "insurer": p.insurer,
            "number": p.number,
            "matched_by": p.matched_by,
            "reason": p.reason,
            "changes": {name: list(pair) for name, pair in p.changes.items()},
        }
        for p in review.proposals
    }


# ── The draft ───────────────────────────────────────────────────────────────────────────────────────────────


def draft_create(*, client: Client, by: User | None, data: bytes, file_name: str) -> Draft:
    """The file read and matched into a draft of `client`; raises Refused (nothing stored)."""
    if not data:
        raise Refused("empty", refusal_message("empty"))
    if len(data) > MAX_PDF_BYTES:
        raise Refused("too_large", refusal_message("too_large"))
    try:
        dossier = read_pdf(data)
    except NotMyPension as exc:
        raise Refused(exc.code, refusal_message(exc.code)) from None
    except Exception:  # a PDF that breaks the reader is an unreadable file for the broker, never a 500
        logger.exception("mypension: the parser failed on %s", file_name)
        raise Refused("unreadable", refusal_message("unreadable")) from None
    if client.national_number_provisional or not client.national_number_digits:
        raise Refused("no_national_number", refusal_message("no_national_number"))
    if dossier.national_number != client.national_number_digits:
        message = _(
            "This MyPension file is another person's: its national number is %(file)s, this client's is "
            "%(client)s. Nothing was imported."
        ) % {
            "file": mask_national_number(dossier.national_number),
            "client": mask_national_number(client.national_number_digits),
        }
        raise Refused("other_person", message)
    review = review_of(client, dossier)
    draft = Draft(
        office_id=client.office_id,
        client=client,
        created_by=by,
        file_name=(file_name or "mypension.pdf")[:255],
        file_size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        language=dossier.language,
        reference_date=dossier.reference_date,
        dossier=dossier_to_json(dossier),
        proposals=_proposals_json(review),
        missing=list(review.missing),
    )
    # The office keeps the PDF with the file, or it is never stored: the draft holds what was read.
    if MyPensionSettings.of(client.office).keep_pdf:
        draft.pdf.save(f"{draft.pk}.pdf", ContentFile(data), save=False)
    draft.save()
    return draft


def allowed_actions(proposal: Proposal) -> set[str]:
    """What the broker may choose for a contract: the proposed action, or to ignore it."""
    return {proposal.action, Action.IGNORE}


def _check_actions(review: Review, actions: Mapping[str, str]) -> None:
    by_key = {p.key: p for p in review.proposals}
    errors = []
    for key, action in actions.items():
        proposal = by_key.get(key)
        if proposal is None:
            errors.append(
                ValidationError(_("The file has no contract %(key)s."), code="unknown_key", params={"key": key})
            )
        elif action not in allowed_actions(proposal):
            errors.append(
                ValidationError(
                    _("Contract %(key)s can be imported as proposed (%(proposed)s) or ignored, not %(action)s."),
                    code="action_not_allowed",
                    params={"key": key, "proposed": Action(proposal.action).label, "action": action},
                )
            )
    if errors:
        raise ValidationError({"actions": errors})


def _reason(draft: Draft) -> str:
    # simple-history keeps 100 characters of a reason.
    return (_("MyPension import: %(file)s") % {"file": draft.file_name})[:100]


def _create(client: Client, contract_values: dict[str, Any], proposal: Proposal, draft: Draft, by: User | None) -> None:
    contract = contract_values["contract"]
    group = policy_rules.main_group_of(contract.policy_type)
    alone = not group or not Policy.objects.filter(client=client, main_group=group).exists()
    policy = Policy(
        client=client,
        office_id=client.office_id,
        section=Section.PENSION,
        type=contract.policy_type,
        insurer=proposal.insurer,
        number=proposal.number,
        number_key=proposal.number_key,
        status=contract_values["status"],
        reserves=contract_values["reserves"],
        reserves_date=contract_values["reserves_date"],
        death_capital=contract_values["death_capital"],
        managed=proposal.managed,
        mandate=False,
        db2p_id=contract.db2p_id or "",
        institution=contract.institution[:200] if proposal.insurer == matching.OTHER else "",
        is_main=policy_rules.main_after(main_group=group, alone=alone),
    )
    policy.full_clean()
    policy._change_reason = _reason(draft)  # type: ignore[attr-defined]
    if by is not None:
        policy._history_user = by  # type: ignore[attr-defined]
    policy.save()


def _update(proposal: Proposal, values: dict[str, Any], draft: Draft, by: User | None) -> None:
    assert proposal.policy is not None
    policy = Policy.objects.select_related("client").get(pk=proposal.policy)
    fields = {name: values[name] for name in proposal.changes if name != "db2p_id"}
    if "db2p_id" in proposal.changes:
        policy.db2p_id = values["db2p_id"]
    policy._change_reason = _reason(draft)  # type: ignore[attr-defined]
    if by is not None:
        policy._history_user = by  # type: ignore[attr-defined]
    if fields:
        policy_update(policy=policy, by=by, **fields)
    else:
        policy.full_clean()
        policy.save()


def draft_confirm(*, draft: Draft, by: User | None, actions: Mapping[str, str] | None = None) -> dict[str, int]:
    """Writes what the broker confirmed, in one transaction; the counts. Raises ValidationError for an action
    that names no contract of the file or that the contract cannot take."""
    actions = dict(actions or {})
    with transaction.atomic():
        draft = Draft.objects.select_for_update().select_related("client__office").get(pk=draft.pk)
        if draft.status == DraftStatus.CONFIRMED:
            return draft.counts()  # confirmed already: nothing written twice
        client = draft.client
        Client.objects.select_for_update().filter(pk=client.pk).values_list("pk", flat=True).first()
        dossier = dossier_from_json(draft.dossier)
        review = review_of(client, dossier)
        _check_actions(review, actions)
        contracts = {c.key: c for c in dossier.contracts}
        counts = {"created": 0, "updated": 0, "unchanged": 0, "ignored": 0}
        chosen = {}
        for proposal in review.proposals:
            action = actions.get(proposal.key, proposal.action)
            chosen[proposal.key] = action
            contract = contracts[proposal.key]
            values = matching.target_values(contract, dossier.reference_date)
            if action == Action.IGNORE:
                counts["ignored"] += 1
            elif action == Action.CREATE:
                _create(client, {"contract": contract, **values}, proposal, draft, by)
                counts["created"] += 1
            elif action == Action.UPDATE:
                _update(proposal, values, draft, by)
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
        draft.status = DraftStatus.CONFIRMED
        draft.chosen = chosen
        draft.proposals = _proposals_json(review)
        draft.missing = list(review.missing)
        draft.confirmed_by = by
        draft.confirmed_at = timezone.now()
        for name, value in counts.items():
            setattr(draft, name, value)
        keep = MyPensionSettings.of(client.office).keep_pdf
        pdf_name = draft.pdf.name if draft.pdf and not keep else ""
        if pdf_name:
            draft.pdf = ""
        draft.save()
        if pdf_name:
            storage = draft.pdf.storage
            transaction.on_commit(lambda: storage.delete(pdf_name))
    return counts
