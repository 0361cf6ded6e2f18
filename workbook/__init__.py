"""The "Open vs. Closed AI, in Depth" workbook package.

Student side (imported from notebooks, kept light): ``workbook.quiz``, ``workbook.data``, later ``workbook.costs`` and
``workbook.writing``. Instructor side (never imported by notebooks): ``workbook.editions`` and the command line
(``python -m workbook``).
"""

__version__ = "0.1.0"
