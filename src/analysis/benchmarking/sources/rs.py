"""Moved to :mod:`analysis.public_data.rs`; kept so existing imports work."""

from analysis.public_data.rs import *  # noqa: F403
