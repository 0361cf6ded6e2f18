"""Instructor-side grading at course scale: parallel sandboxed autograde, leak-free feedback, grade exports.

Never imported by notebooks. Entry points: :func:`workbook.grading.runner.grade`,
:func:`workbook.grading.feedback.generate_feedback`, :mod:`workbook.grading.export`,
:mod:`workbook.grading.analytics`; on the command line ``python -m workbook grade|feedback|export``.
"""
