"""The confirmed client import, as the runner of an ImportRun of kind client_export (jobs.RUNNERS, set in
apps.py): the file planned again against the office's files as they are now (plan.py, reads only), then
written in one transaction with the run's claim checked in it (writer.py): a crash, or a run recovered from
under its worker, leaves the database as it was; a file imported twice finds its lines unchanged."""

from __future__ import annotations

from typing import IO

from django.db import transaction
from django.utils import timezone

from pilier.couplings.jobs import Outcome, Progress, RunLost
from pilier.couplings.models import ImportRun, ImportStatus

from .models import ClientImport, ClientImportStatus
from .plan import plan_lines
from .readers import read_table
from .writer import Writer, link_waiting_records


def import_client_export(run: ImportRun, stream: IO[bytes], progress: Progress) -> Outcome:
    entry = ClientImport.objects.select_related("office").get(run=run)
    table = read_table(stream)

    def tick(done: int, total: int) -> None:
        progress.applied(done * 70 // 99, total, start=0)

    plan = plan_lines(office=entry.office, mapping=entry.mapping, headers=entry.headers, rows=table.rows, tick=tick)
    now = timezone.now()
    mine = ImportRun.objects.filter(pk=run.pk, status=ImportStatus.RUNNING, attempts=run.attempts)
    with transaction.atomic():
        if not mine.select_for_update().exists():
            raise RunLost(run.pk)
        writer = Writer(office_id=run.office_id, user_id=run.created_by_id, file_name=run.file_name, now=now)
        writer.write(plan)
        progress.applied(90, 100, start=0)
        for message in link_waiting_records(plan=plan, office_id=run.office_id, run=run):
            plan.report.add("warnings", {"line": 0, "message": message})
        report = plan.report
        counts = report.counts
        ClientImport.objects.filter(pk=entry.pk).update(
            status=ClientImportStatus.DONE,
            finished_at=timezone.now(),
            lines=report.lines,
            report=report.as_dict(),
            **{name: counts[name] for name in ("created", "updated", "unchanged", "conflicts", "rejected")},
        )
    outcome = Outcome(
        records=report.lines, created=counts["created"], updated=counts["updated"], unchanged=counts["unchanged"]
    )
    for entry_line in [*report.conflicts, *report.rejected]:
        outcome.reject(entry_line["line"], entry_line["message"])
    outcome.rejected = counts["conflicts"] + counts["rejected"]
    return outcome
