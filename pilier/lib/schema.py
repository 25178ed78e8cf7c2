"""Types of the API's request bodies that read JSON as the schema says, not as pydantic's lax mode would."""

import datetime
from typing import Annotated

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError


def _not_a_number(value):
    # Lax pydantic reads 0 or 1700000000 as a Unix time; the schema says a `YYYY-MM-DD` string.
    if isinstance(value, int | float):
        raise PydanticCustomError("date_type", "Input should be a valid date")
    return value


IsoDate = Annotated[datetime.date, BeforeValidator(_not_a_number)]
