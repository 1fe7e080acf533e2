"""Themes found in free-text answers, and codes analysts tick on answers by hand."""
