"""Moved to :mod:`analysis.public_data.neighbours`; kept so existing imports work."""

from analysis.public_data.neighbours import *  # noqa: F403
