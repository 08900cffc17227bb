"""Wagtail pages of the public website: the home page, notices (公告), the
result board and its LED mode, the bulletin archive, submitting and
tracking a request, and the knowledge base."""

from .blocks import (  # noqa: F401
    IMAGE_RENDITION, BoardSummaryBlock, CaptionedImageBlock, HomeStreamBlock, LatestBulletinsBlock,
    LatestNoticesBlock, LinkCardBlock, LinkCardsBlock, NoticeStreamBlock,
)
from .board import ResultBoardPage  # noqa: F401
from .bulletins import BulletinArchivePage, published_bulletins  # noqa: F401
from .forms import SubmitRequestPage, TrackCasePage  # noqa: F401
from .home import HomePage  # noqa: F401
from .knowledge import KnowledgeSearchPage  # noqa: F401
from .notices import NoticeIndexPage, NoticePage, public_notice, public_notices  # noqa: F401
