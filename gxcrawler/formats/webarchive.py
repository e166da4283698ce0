"""Word and browser web archives (MHT, "单个文件网页"), which portals serve as ``.doc``.

The file is a MIME message: a ``multipart/related`` body whose first ``text/html`` part
is the document (quoted-printable or base64, in GB2312/GBK or UTF-8) and whose other
parts are its images, styles and a ``filelist.xml``. The HTML part goes to the
parser's HTML reader, like any page.
"""

from __future__ import annotations

import email
import email.policy
from email.message import Message

from .errors import FormatError


def web_archive_html(content: bytes) -> tuple[bytes, str | None]:
    """The archive's main HTML (undecoded bytes) and the charset its part declares."""
    try:
        message = email.message_from_bytes(content.lstrip(), policy=email.policy.compat32)
        part = _main_html(message)
        if part is None:
            raise FormatError("web archive (MHT) without an HTML part")
        payload = part.get_payload(decode=True)
    except FormatError:
        raise
    except Exception as exc:  # the email package raises many kinds on damaged input
        raise FormatError(f"unreadable web archive (MHT): {exc.__class__.__name__}: {exc}") from exc
    if not isinstance(payload, bytes) or not payload.strip():
        raise FormatError("web archive (MHT) with an empty HTML part")
    return payload, part.get_content_charset()


def _main_html(message: Message) -> Message | None:
    for part in message.walk():
        if part.get_content_type() == "text/html" and not part.is_multipart():
            return part
    return None
