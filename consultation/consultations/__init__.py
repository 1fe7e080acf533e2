"""Consultations: their window, their state and their questionnaire definition."""
