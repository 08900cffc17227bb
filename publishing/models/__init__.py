"""Published outputs kept as records: bulletin series and their issues
(通报 / 简报 / 快报), and the typical cases staff choose for the board."""

from .bulletins import Bulletin, BulletinQuerySet, BulletinSeries  # noqa: F401
from .typical import TypicalCase  # noqa: F401
