"""Moved to :mod:`analysis.public_data._common` (below the domains, so the MTFP can read the
published files too); kept so existing imports work."""

from analysis.public_data._common import *  # noqa: F403
from analysis.public_data._common import TIDY_COLUMNS, cached, check_file, clear_cache, tidy

__all__ = ["TIDY_COLUMNS", "cached", "check_file", "clear_cache", "tidy"]
