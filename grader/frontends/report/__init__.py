"""Renderers of a :class:`~grader.engine.results.GradeReport`; none of them computes a score."""
