"""Keeping secrets out of what the tool prints, logs and saves."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

_USERINFO_IN_TEXT = re.compile(
    r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)[^/\s@]+@"
)  # scheme://user:pass@ → scheme://***@


def redact_url(url: str) -> str:
    """The URL with any user name and password replaced by '***'."""
    try:
        parts = urlsplit(url)
        if parts.username is None and parts.password is None:
            return url
        netloc = f"***@{parts.hostname or ''}" + (f":{parts.port}" if parts.port else "")
    except ValueError:  # a malformed port, say
        return redact_text(url)
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def redact_text(text: str) -> str:
    """Any URL credentials inside free text (an error message, say) replaced by '***'."""
    return _USERINFO_IN_TEXT.sub(lambda m: f"{m.group('scheme')}***@", text)
