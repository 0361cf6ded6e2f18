"""The shared core: rules both the student side and the instructor side follow, each kept in exactly one place.

- :mod:`workbook.core.answer_store`: the answer store's file name, format and reader/writer;
- :mod:`workbook.core.atomic`: the one atomic file write;
- :mod:`workbook.core.grader`: "is nbgrader running this notebook headless?";
- :mod:`workbook.core.hidden`: the ``### BEGIN/END HIDDEN TESTS`` region parser;
- :mod:`workbook.core.ids`: the snake_case id rule of questions, options and answers;
- :mod:`workbook.core.layout`: the course folder (root, ``source/``, ``release/``, ``notebooks/``, ignored files);
- :mod:`workbook.core.quiz_keys`: the ``quiz.key(...)`` calls a notebook declares;
- :mod:`workbook.core.widgets`: the one HTML widget helper.

Core imports neither side (tests/test_architecture.py checks it) and nothing heavy at import time.
"""
