"""Refusals that a person can read: operations raise them, views and commands show them."""


class OperationRefused(Exception):
    """An operation cannot be done as asked; the message says why, in plain words."""
