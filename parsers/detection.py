"""Detection by content: every parser scores the file's first bytes; the best one wins.

Extensions are at most a tie-breaker inside a parser's own score, never the decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telnorm.parsers.api import Detection, Parser
from telnorm.parsers.conventions import MIN_CONFIDENCE
from telnorm.parsers.errors import BinaryInput, EmptyInput, UnknownParser, UnsupportedFormat
from telnorm.parsers.registry import Registry
from telnorm.parsers.text import describe_head


@dataclass(frozen=True)
class Candidate:
    parser: Parser
    detection: Detection

    def describe(self) -> dict[str, Any]:
        return {
            "parser": self.parser.name,
            "format": self.detection.format or self.parser.name,
            "confidence": round(self.detection.confidence, 3),
            "evidence": list(self.detection.evidence),
            "media_type": self.detection.media_type,
        }


def safe_detect(registry: Registry, parser: Parser, head: bytes, filename: str | None) -> Detection:
    """``parser.detect`` that costs only that parser when it misbehaves: an exception, or a
    result that is not a :class:`Detection` with a confidence from 0 to 1, scores 0 for this
    file and marks the parser broken in ``registry``."""
    try:
        detection = parser.detect(head, filename)
    except Exception as exc:  # a plugin's detect must not break detection for all
        reason = f"detect() raised {type(exc).__name__}: {exc}"
        registry.mark_broken(parser, reason)
        return Detection.no(reason)
    if not isinstance(detection, Detection):
        reason = f"detect() returned {type(detection).__name__}, not a Detection"
        registry.mark_broken(parser, reason)
        return Detection.no(reason)
    confidence = detection.confidence
    if not isinstance(confidence, int | float) or not 0.0 <= confidence <= 1.0:
        reason = f"detect() returned a confidence of {confidence!r} (must be 0 to 1)"
        registry.mark_broken(parser, reason)
        return Detection.no(reason)
    return detection


def rank(registry: Registry, head: bytes, filename: str | None) -> list[Candidate]:
    """All parsers' scores for this file, best first (ties by parser name)."""
    results = [
        Candidate(parser, safe_detect(registry, parser, head, filename))
        for parser in registry.parsers
    ]
    results.sort(key=lambda c: (-c.detection.confidence, c.parser.name))
    return results


def choose(
    registry: Registry, head: bytes, filename: str | None, format_name: str | None = None
) -> Candidate:
    """The parser to use: the one named by ``format_name``, else the best-scoring one."""
    if not head:
        raise EmptyInput("The file is empty (0 bytes). Check that the right file was sent.")
    if format_name:
        parser = registry.get(format_name)
        if parser is None:
            raise UnknownParser(
                f"No parser is called {format_name!r}. Known: {', '.join(registry.names)}.",
                known=registry.names,
            )
        detection = safe_detect(registry, parser, head, filename)
        evidence = ("chosen by format=", *detection.evidence)
        return Candidate(
            parser,
            Detection(1.0, evidence, detection.format or parser.name, detection.media_type),
        )
    ranked = rank(registry, head, filename)
    if ranked and ranked[0].detection.confidence >= MIN_CONFIDENCE:
        return ranked[0]
    seen = describe_head(head)
    nearest = [c.describe() for c in ranked[:3] if c.detection.confidence > 0]
    if seen["binary"]:
        raise BinaryInput(
            "The file is binary data (" + seen["kind"] + "), not an election result file. "
            "Send the EML (XML), CSV or spreadsheet export of the count.",
            seen=seen,
            candidates=nearest,
        )
    raise UnsupportedFormat(
        "No parser recognises this file. It starts with: " + repr(seen["text"][:120]),
        seen=seen,
        candidates=nearest,
    )
