"""The bearer tokens the settings configure, and refusing a configuration that holds none.

Authentication is off when neither ``TELNORM_AUTH_TOKENS`` nor ``TELNORM_AUTH_TOKENS_FILE`` is
set. When either is set it must yield at least one token: an empty value, a list of blanks or
a token file with only comments would otherwise start the service open to anyone while its
operator believes it is closed. :class:`AuthConfigError` says which setting is wrong; the app
refuses to start with it (``telnorm serve`` prints it and exits 2).
"""

from __future__ import annotations

from pathlib import Path


class AuthConfigError(ValueError):
    """Authentication is configured but yields no usable token."""


def _file_tokens(path: Path) -> set[str]:
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AuthConfigError(
            f"TELNORM_AUTH_TOKENS_FILE={path} cannot be read ({exc}). Authentication was "
            "asked for, so telnorm does not start without its tokens."
        ) from None
    tokens = set()
    for raw in text.splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            tokens.add(line)
    if not tokens:
        raise AuthConfigError(
            f"TELNORM_AUTH_TOKENS_FILE={path} holds no token (only blank lines or # comments). "
            "Put one token per line, or unset TELNORM_AUTH_TOKENS_FILE to run without "
            "authentication; telnorm does not start open by accident."
        )
    return tokens


def auth_tokens(listed: list[str] | None, file: Path | None) -> frozenset[str]:
    """Every configured token; empty only when authentication is not configured at all."""
    tokens: set[str] = set()
    if listed is not None:
        tokens = {token.strip() for token in listed if token.strip()}
        if not tokens:
            raise AuthConfigError(
                "TELNORM_AUTH_TOKENS is set but holds no token (it is empty, [] or only blanks). "
                "Set it to a token (TELNORM_AUTH_TOKENS='[\"s3cret\"]' or s3cret,other), or "
                "unset it to run without authentication; telnorm does not start open by "
                "accident."
            )
    if file is not None:
        tokens |= _file_tokens(file)
    return frozenset(tokens)


__all__ = ["AuthConfigError", "auth_tokens"]
