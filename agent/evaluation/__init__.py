"""Evaluation: case files, scoring and reports."""
