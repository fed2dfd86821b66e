"""Moved to :mod:`analysis.public_data.population`; kept so existing imports work."""

from analysis.public_data.population import *  # noqa: F403
