"""Moved to :mod:`analysis.public_data.unmatched`; kept so existing imports work."""

from analysis.public_data.unmatched import *  # noqa: F403
