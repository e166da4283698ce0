"""What a file really is, from its bytes first and from what the server said second.

Portals serve Word web pages and web archives (MHT) as ``.doc``, DOCX as ``.doc``,
spreadsheets as ``.xls`` that are HTML, and attachments from ``download.jsp`` with no
extension and ``application/octet-stream``. So the bytes decide: PDF, the two ZIP
packages (DOCX, XLSX, told apart by their parts), the two OLE2 compound files (Word,
Excel — and WPS's ``.wps``/``.et``, which use the same layouts — told apart by their
streams), RTF, MIME web archives and HTML. The name and ``Content-Type`` are only the
fallback for bytes that say nothing.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HTML = re.compile(rb"<\s*(?:!doctype\s+html|html|head|body|table|meta)\b", re.I)
_MIME_HEADER = re.compile(rb"^(?:[\w-]+:[^\r\n]*\r?\n(?:[ \t][^\r\n]*\r?\n)*)+", re.I)

#: what a name or Content-Type claims, in the kinds the readers know
_BY_EXTENSION = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".doc": "doc",
    ".wps": "wps",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xls": "xls",
    ".et": "et",  # WPS Spreadsheets: LibreOffice files it under "Excel 97" (BIFF8)
    ".ett": "et",
    ".mht": "mht",
    ".mhtml": "mht",
    # pictures: a scanned page or a table pasted as an image (read by OCR)
    ".jpg": "image",
    ".jpeg": "image",
    ".png": "image",
    ".gif": "image",
    ".bmp": "image",
    ".tif": "image",
    ".tiff": "image",
    ".webp": "image",
}
_BY_CONTENT_TYPE = (
    ("pdf", "pdf"),
    ("wordprocessingml", "docx"),
    ("spreadsheetml", "xlsx"),
    ("msword", "doc"),
    ("wps-office.wps", "wps"),
    ("ms-excel", "xls"),
    ("msexcel", "xls"),
    ("wps-office.et", "et"),
    ("multipart/related", "mht"),
    ("message/rfc822", "mht"),
    ("image/", "image"),
)
#: the leading bytes of the picture formats OCR reads, with their MIME types
_IMAGE_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"), (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"), (b"II*\x00", "image/tiff"), (b"MM\x00*", "image/tiff"),
)


def image_mime(content: bytes) -> str | None:
    """The picture format the bytes prove (``image/jpeg`` …), else None: an error page, an empty
    body or a challenge served in a picture's place is not a picture (and is never stored as one)."""
    for magic, mime in _IMAGE_MAGIC:
        if content.startswith(magic):
            return mime
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    if content.startswith(b"BM") and len(content) > 26 and int.from_bytes(content[2:6], "little") == len(content):
        return "image/bmp"
    return None
#: kinds whose files portals often replace by a web page or web archive of the same content
OFFICE_KINDS = frozenset({"doc", "wps", "docx", "xls", "et", "xlsx", "mht"})
#: kinds read by another kind's reader (WPS's formats are Microsoft's layouts; LibreOffice reads RTF)
SAME_READER = {"wps": "doc", "et": "xls", "rtf": "doc"}


#: containers whose parts did not say what they hold
UNPROVEN = {"zip": ("docx", "xlsx"), "ole2": ("doc", "xls")}


def reader_kind(kind: str) -> str:
    """The reader a kind goes to: ``wps`` → ``doc``, ``et`` → ``xls``, ``rtf`` → ``doc``."""
    return SAME_READER.get(kind, kind)


def sniff_binary(content: bytes) -> str | None:
    """The kind the bytes prove, else None.

    ``pdf``, ``docx``, ``xlsx``, ``doc``, ``xls``, ``rtf``, ``mht``, ``html``, ``image``; ``zip`` and ``ole2``
    for a package or compound file whose parts prove neither Word nor Excel (damaged, or
    another kind): the name decides which reader tries, and says why it fails.
    """
    if image_mime(content):
        return "image"
    head = content[:1024].lstrip()
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return zip_kind(content) or "zip"
    if head.startswith(OLE2):
        return ole_kind(content) or "ole2"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if is_web_archive(head):
        return "mht"
    if _HTML.search(content[:4096]):
        return "html"
    return None


def claimed_type(content_type: str | None, filename: str | None) -> str | None:
    """The kind a ``Content-Type`` header or a file name says (``None`` when neither says one)."""
    ct = (content_type or "").lower()
    for marker, kind in _BY_CONTENT_TYPE:
        if marker in ct:
            return kind
    name = (filename or "").lower().split("?")[0].split("#")[0]
    dot = name.rfind(".")
    return _BY_EXTENSION.get(name[dot:]) if dot >= 0 else None


def zip_kind(content: bytes) -> str | None:
    """``xlsx`` for a package with a workbook part, ``docx`` with a document part, else None."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError):
        # a damaged central directory can claim any version or size: not a package we read
        return None
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        return "xlsx"
    if "word/document.xml" in names:
        return "docx"
    return None


def ole_kind(content: bytes) -> str | None:
    """``xls`` for a compound file with a ``Workbook``/``Book`` stream, ``doc`` with a
    ``WordDocument`` stream, None when neither (the name must decide)."""
    streams = ole_streams(content)
    if "worddocument" in streams:
        return "doc"
    if streams & {"workbook", "book"}:
        return "xls"
    return None


def ole_streams(content: bytes, max_sectors: int = 4096) -> set[str]:
    """Lower-cased names of the entries in an OLE2 compound file's directory.

    Follows the directory's sector chain through the FAT (MS-CFB 2.2–2.6); a damaged
    header or chain ends the walk with what was read so far.
    """
    names: set[str] = set()
    try:
        shift = struct.unpack_from("<H", content, 30)[0]
        if not 7 <= shift <= 16:
            return names
        size = 1 << shift
        n_fat, first_dir = struct.unpack_from("<I", content, 44)[0], struct.unpack_from("<I", content, 48)[0]
        difat = [s for s in struct.unpack_from("<109I", content, 76)[: max(0, min(n_fat, 109))]]
        fat: list[int] = []
        for sector in difat:
            start = (sector + 1) * size
            chunk = content[start : start + size]
            fat += struct.unpack(f"<{len(chunk) // 4}I", chunk[: len(chunk) // 4 * 4])
        sector, seen = first_dir, 0
        while sector < 0xFFFFFFFA and seen < max_sectors:
            start = (sector + 1) * size
            block = content[start : start + size]
            for off in range(0, len(block) - 127, 128):
                length = struct.unpack_from("<H", block, off + 64)[0]
                if 2 <= length <= 64:
                    names.add(block[off : off + length - 2].decode("utf-16-le", "replace").lower())
            sector = fat[sector] if sector < len(fat) else 0xFFFFFFFE
            seen += 1
    except (struct.error, IndexError):
        pass
    return names


def is_web_archive(head: bytes) -> bool:
    """A MIME message (MHT, "single file web page") whose body is ``multipart/related`` or HTML."""
    m = _MIME_HEADER.match(head)
    if not m:
        return False
    headers = m.group(0).lower()
    return b"content-type:" in headers and (b"multipart/related" in headers or b"text/html" in headers)
