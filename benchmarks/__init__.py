"""Benchmarks: ``make bench`` (quick) and ``make bench-full`` (large sizes); see README.md there."""
