"""Moved to :mod:`workbook.core.layout`; re-exported here only for grading/worker.py until it imports the core."""

from workbook.core.layout import IGNORED_NAMES, LEARNER_FILES, Course, find_course_root, is_learner_file

__all__ = ["IGNORED_NAMES", "LEARNER_FILES", "Course", "find_course_root", "is_learner_file"]
