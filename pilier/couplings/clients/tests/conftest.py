import io

import pytest

from pilier.couplings.clients import services
from pilier.couplings.clients.models import ClientImport

HEADERS = [
    "N° client",
    "Nom",
    "Prénom",
    "Numéro national",
    "E-mail",
    "Langue",
    "Statut social",
    "Gestionnaire de compte",
]


def csv_bytes(rows, *, headers=HEADERS, delimiter=";", encoding="utf-8", bom=False) -> bytes:
    text = "\r\n".join(delimiter.join(str(cell) for cell in row) for row in [headers, *rows]) + "\r\n"
    data = text.encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows, *, headers=HEADERS) -> bytes:
    import openpyxl  # type: ignore[import-untyped]

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Export Brio — sélection"])  # a title row above the header is not the header... see test
    sheet.delete_rows(1)
    sheet.append(headers)
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def run_import(world, django_capture_on_commit_callbacks):
    """Imports `content` into the world's office as its admin; returns the ClientImport as it ended."""

    def go(content: bytes, *, dry_run=False, mapping=None, name="export.csv", user=None) -> ClientImport:
        with django_capture_on_commit_callbacks(execute=True):
            entry = services.client_import_start(
                office=world.office,
                user=user or world.admin,
                file=io.BytesIO(content),
                file_name=name,
                source="upload",
                mapping=mapping,
                dry_run=dry_run,
            )
        entry = ClientImport.objects.select_related("run").get(pk=entry.pk)
        return entry

    return go
