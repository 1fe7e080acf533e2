"""Consultations made in the admin area: created, edited while upcoming, duplicated,
archived, and their questionnaires imported from and exported to YAML."""
