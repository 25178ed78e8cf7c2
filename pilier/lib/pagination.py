"""The API's pages: `limit` and `offset` within stated bounds, so that no page asks the database for a
row number it cannot hold (an offset past 2**63 is a 500 on SQLite and PostgreSQL alike)."""

from django.conf import settings
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

MAX_LIMIT = settings.NINJA_PAGINATION_MAX_LIMIT
MAX_OFFSET = 1_000_000_000  # far past any office's files, far below the databases' integers


class LimitOffset(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(
            settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=MAX_LIMIT, description=f"Items per page, at most {MAX_LIMIT}"
        )
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Items to skip")

    def __init__(self, **kwargs):
        super().__init__(max_limit=MAX_LIMIT, **kwargs)
