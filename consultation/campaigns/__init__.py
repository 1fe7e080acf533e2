"""Campaigns: near-identical free-text answers grouped, with each member's own added text."""

from . import hooks  # noqa: F401  (groups follow edits, flags and erasures)
