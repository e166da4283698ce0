"""The item a spider yields for each fetched report document."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from gxcrawler.model import ParseResult, Provenance, Region


@dataclass
class ReportItem:
    """One fetched document (report page or attachment) with what the loader must trace.

    ``parse_result`` is filled by :class:`pipelines.parse.ParsePipeline`.
    """

    spider: str
    page_url: str
    document_url: str
    body: bytes
    content_type: str | None
    fetched_at: datetime
    hints: dict = field(default_factory=dict)
    region: Region = field(default_factory=Region)
    etag: str | None = None
    last_modified: str | None = None
    status: int = 200
    #: pictures in the page's body that may be its tables (``discovery.table_images``): fetched by
    #: the parse pipeline and read by OCR with the page when the page has no tables of its own
    image_urls: list[str] = field(default_factory=list)
    #: (url, bytes) of those pictures, once fetched
    images: list[tuple[str, bytes]] = field(default_factory=list)
    #: those that could not be fetched (an error, not a picture): a stored report is kept as it is
    missing_images: list[str] = field(default_factory=list)
    #: the ``fetches`` rows of the pictures fetched (kind ``image``, validators, hash): written with
    #: the page's, so a picture is revalidated on its own when the page is unchanged
    picture_fetches: list[dict] = field(default_factory=list)
    parse_result: ParseResult | None = None

    @property
    def filename(self) -> str:
        return self.document_url.split("?")[0].rstrip("/").rsplit("/", 1)[-1]

    def provenance(self) -> Provenance:
        return Provenance(
            content=self.body,
            page_url=self.page_url,
            document_url=self.document_url,
            fetched_at=self.fetched_at,
            content_type=self.content_type,
            spider=self.spider,
            hints={k: str(v) for k, v in self.hints.items() if v is not None},
            pictures=list(self.images),
            missing_pictures=list(self.missing_images),
        )
