"""The base of a location map that a parser hands over instead of a dict.

A large count has a location per value (776,300 for a 700-station EML count, 4.6 million for a
40 MB CSV); as a dict that is more memory and time than the document. A parser may therefore
set ``ParseContext.deferred_locations`` to a :class:`LocationMap`: a read-only mapping that
computes an entry when asked (``get``) and writes itself as JSON (``iter_json``: the bytes
``orjson.dumps`` of the equivalent dict gives). The pipeline puts it in the document's
``locations``; the writers (:func:`telnorm.service.jsonsafe.iter_dumps`, ``json_default``) stream
it, and the validator's locator reads it like the dict. Implementations:
:class:`telnorm.parsers.eml.locations.DeferredLocations`,
:class:`telnorm.parsers.tabular.locations.TabularLocations`.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator, Mapping
from typing import Any


class LocationMap(Mapping[str, dict[str, Any]]):
    """A read-only map from JSON Pointer to source location, computed and written on demand."""

    @abstractmethod
    def get(self, pointer: str, default: Any = None) -> Any:
        """The location of ``pointer`` (a new dict), or ``default``."""

    @abstractmethod
    def iter_json(self) -> Iterator[bytes]:
        """The map as JSON, in pieces: the bytes ``orjson.dumps(dict(self))`` writes."""

    def __getitem__(self, pointer: str) -> dict[str, Any]:
        found: dict[str, Any] | None = self.get(pointer)
        if found is None:
            raise KeyError(pointer)
        return found

    def __contains__(self, pointer: object) -> bool:
        return isinstance(pointer, str) and self.get(pointer) is not None


__all__ = ["LocationMap"]
