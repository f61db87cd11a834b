"""Rows of the csv module with the line each ends on, for the readers of fixed CSV layouts
(the databank's import file, the protocol's neighbourhood table).

A row the csv module cannot read (a cell larger than its field limit, a stray quote under
``strict``) raises ``csv.Error``, which would surface as a crash; here it becomes the
caller's own located error, so that a bad line is a 4xx naming the line, never a 500.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from typing import Any

from telnorm.parsers.errors import TelnormError


def located_rows(
    reader: Any, refuse: Callable[[int, str], TelnormError]
) -> Iterator[tuple[int, list[str]]]:
    """``(line, row)`` for each row of ``reader`` (a ``csv.reader``), ``line`` the line the
    row ends on; ``refuse(line, reason)`` gives the error raised for a row it cannot read."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise refuse(reader.line_num, str(exc)) from None
        yield reader.line_num, row


__all__ = ["located_rows"]
