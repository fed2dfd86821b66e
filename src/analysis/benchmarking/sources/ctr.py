"""Moved to :mod:`analysis.public_data.ctr`; kept so existing imports work."""

from analysis.public_data.ctr import *  # noqa: F403
