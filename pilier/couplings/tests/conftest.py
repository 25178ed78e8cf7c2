import io

import pytest
from django.core.files.base import ContentFile

from pilier.couplings import jobs
from pilier.couplings.models import ImportRun
from pilier.couplings.portfolio.records import FIELDS

HEADER = ";".join(FIELDS)


def row(**values) -> dict:
    base = {
        "insurer": "NN",
        "policy_number": "3000000256",
        "type": "plci",
        "status": "active",
        "holder_national_number": "",
        "holder_last_name": "Dubois",
        "holder_first_name": "Marc",
        "holder_birth_date": "",
        "start_date": "2019-01-01",
        "end_date": "",
        "annual_premium": "2451.00",
        "reserves": "12345.67",
        "reserves_date": "2026-01-01",
        "death_capital": "",
        "mandate": "yes",
    }
    base.update(values)
    return base


def csv_bytes(rows: list[dict], *, delimiter=";", encoding="utf-8", header=None) -> bytes:
    lines = [header if header is not None else delimiter.join(FIELDS)]
    lines += [delimiter.join(str(r.get(f, "")) for f in FIELDS) for r in rows]
    return ("\n".join(lines) + "\n").encode(encoding)


@pytest.fixture
def run_import(world):
    """Runs an import of `content` (bytes) for `user`'s office in the foreground; returns the row."""

    def run(content: bytes, *, user=None, name="portfolio.csv"):
        user = user or world.admin
        from pilier.accounts.access import staff_membership

        membership = staff_membership(user)
        assert membership is not None
        job = ImportRun.objects.create(office=membership.office, created_by=user, file_name=name, source="command")
        job.file.save(f"{job.pk}.dat", ContentFile(content), save=True)
        return jobs.run_import(run=job)

    return run


__all__ = ["HEADER", "csv_bytes", "row", "io"]
