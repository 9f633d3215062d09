"""Renderers of a :class:`~grader.results.GradeReport`; none of them computes a score."""
