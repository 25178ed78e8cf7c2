"""The file's history about its access: one `AccessEvent` row per portal view and per access change.

`record(client, kind, by=...)` writes one; `access_entries(client, limit=)` reads them as `pilier.lib.history.Entry`
(when, who, what), the shape of the file's other history lines, so that the file's history can merge them by date.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pilier.lib.history import Entry

from .models import AccessEvent, EventKind

if TYPE_CHECKING:
    from pilier.clients.models import Client


def record(client: Client, kind: str, *, by: Any = None, detail: str = "") -> AccessEvent:
    user = by if by is not None and getattr(by, "is_authenticated", False) else None
    return AccessEvent.objects.create(client=client, kind=kind, user=user, detail=detail[:500])


def access_entries(client: Client, *, limit: int = 1000) -> tuple[list[Entry], bool]:
    """The newest `limit` events of the file, newest first (one query)."""
    rows = list(AccessEvent.objects.filter(client=client).select_related("user").order_by("-at")[: limit + 1])
    labels = dict(EventKind.choices)
    entries = []
    for row in rows[:limit]:
        action = str(labels.get(row.kind, row.kind))
        entries.append(
            Entry(
                when=row.at,
                who=str(row.user) if row.user else "—",
                action=f"{action}: {row.detail}" if row.detail else action,
            )
        )
    return entries, len(rows) > limit


def merged(entries: list[Entry], others: list[Entry], *, limit: int) -> list[Entry]:
    """Two newest-first lists as one, newest first, at most `limit` lines."""
    return sorted(entries + others, key=lambda entry: entry.when, reverse=True)[:limit]  # type: ignore[arg-type,return-value]
