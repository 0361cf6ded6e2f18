"""What grading one student produced, and the summary table printed at the end of a run."""

from __future__ import annotations

from dataclasses import dataclass, field

# Notebook outcomes. Anything but GRADED means the notebook was scored 0 from the point where it broke.
GRADED = "graded"
MISSING = "missing"
UNREADABLE = "unreadable"
TIMED_OUT = "timed out"
KERNEL_DIED = "kernel died"
REJECTED = "rejected"


@dataclass
class NotebookResult:
    """One notebook of one student: its outcome, the executed notebook (JSON) if any, and what went wrong."""

    name: str
    outcome: str
    notebook_json: str | None = None
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class StudentResult:
    """One student: per-notebook results, or ``error`` when the student could not be graded at all."""

    student: str
    notebooks: list[NotebookResult] = field(default_factory=list)
    error: str | None = None
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    score: float | None = None
    max_score: float | None = None

    @property
    def status(self) -> str:
        """``failed`` (no grade recorded), ``timed out``, ``graded with problems`` or ``graded``."""
        if self.error:
            return "failed"
        if any(nb.outcome == TIMED_OUT for nb in self.notebooks):
            return "timed out"
        if self.problems or any(nb.outcome != GRADED or nb.problems for nb in self.notebooks):
            return "graded with problems"
        return "graded"

    @property
    def reasons(self) -> list[str]:
        """One line per problem, naming the notebook."""
        if self.error:
            return [self.error]
        lines = list(self.problems)
        for nb in self.notebooks:
            lines.extend(f"{nb.name}: {problem}" for problem in nb.problems)
        return lines


def summary_table(results: list[StudentResult]) -> str:
    """A plain-text table: one row per student, then the counts per status."""
    rows = [("student", "status", "score", "reason")]
    for result in sorted(results, key=lambda r: r.student):
        score = "" if result.score is None else f"{result.score:g}/{result.max_score:g}"
        reasons = result.reasons or [""]
        rows.append((result.student, result.status, score, reasons[0]))
        rows.extend(("", "", "", more) for more in reasons[1:])
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)) + "  " + row[3]
        for row in rows
    ]
    counts = {
        status: sum(r.status == status for r in results)
        for status in ("graded", "graded with problems", "timed out", "failed")
    }
    lines.append("")
    lines.append(", ".join(f"{status}: {count}" for status, count in counts.items()))
    return "\n".join(line.rstrip() for line in lines)
