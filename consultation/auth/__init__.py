"""Accounts, roles and sign-in for the people who run consultations."""
