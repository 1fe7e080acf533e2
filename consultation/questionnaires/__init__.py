"""Questionnaires as data: YAML definitions, the loader and one class per question type."""
