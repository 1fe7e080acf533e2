"""Responses: submitting a contribution, its answers and its receipt."""
