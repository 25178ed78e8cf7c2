"""The insurer portfolio import: a file from an insurer updates the office's policies.

    readers.records (CSV / JSON, streamed) → records.RecordReader (each record checked) → matcher.Matcher
    (in memory, no SQL) → writer.Writer (SQL, in batches)

The whole file is read in one pass, in the run's transaction (jobs.run_import): a bad record is rejected with
its line and reason, the others go on; a file that cannot be read, or any error on the way, rolls everything
back.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from typing import IO

from django.utils import timezone
from django.utils.translation import gettext as _

from pilier.couplings.jobs import Outcome, Progress
from pilier.couplings.models import ImportRun
from pilier.policies.models import Policy

from .matcher import Decision, Matcher
from .readers import UnreadableFile, records
from .records import RecordError, RecordReader
from .writer import Writer

BATCH = 2000  # records between two writes


@contextlib.contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """The cyclic garbage collector paused: a pass builds hundreds of thousands of tuples, lists and
    records, none of them in a reference cycle, and the collector would go over all of them again
    and again. Reference counting still frees them."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def import_portfolio(run: ImportRun, stream: IO[bytes], progress: Progress) -> Outcome:
    rows = records(stream, run.file_name)  # an unreadable file stops here
    writer = Writer(run=run, now=timezone.now())
    outcome = Outcome()
    counts = dict.fromkeys(Decision, 0)
    count = 0
    with _no_cyclic_gc():
        keys = writer.load_office_keys()  # tens of thousands of rows: a third faster without the collector
        matcher = Matcher(keys, number_limit=Policy._meta.get_field("number").max_length or 0)
        read, match, reject, insurers = RecordReader().read, matcher.match, outcome.reject, outcome.insurers
        for line, raw in rows:
            count += 1
            try:
                record = read(line, raw)
                insurers.add(record.insurer)
                counts[match(record)] += 1
            except RecordError as exc:
                reject(line, str(exc))
            if count % BATCH == 0:
                writer.write(matcher.take_batch())
                progress.tick()
        writer.write(matcher.take_batch())
    if count == 0:
        raise UnreadableFile(_("The file has no record."))
    outcome.records = count
    for decision, number in counts.items():
        setattr(outcome, decision.value, number)
    return outcome
