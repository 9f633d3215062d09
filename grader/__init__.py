"""grader: an automated exercise grader for deep-learning math.

Check authors write ``from grader import check, expect, text``; students write ``grader.check("<id>")`` in
a notebook cell (see :func:`check`). Heavy names are resolved lazily so that importing a submodule
(the sandbox's fork server, for instance) does not pull in the check API or the grading pipeline.
"""

from __future__ import annotations

from typing import Any

__all__ = ["check", "expect", "text"]


def text(en: str, ko: str) -> dict[str, str]:
    """One text in English and Korean, for a check's hints, messages and names: ``hint=text("...", "...")``.

    Reports show the language the grade is given in (``--lang``, else the course's, else the locale's).
    """
    return {"en": en, "ko": ko}


def check(*args: Any, **kwargs: Any) -> Any:
    """Two uses, told apart by the first positional argument.

    A string means "grade this assignment" (students, in a notebook cell)::

        import grader; grader.check("rnn_backward")          # the saved rnn_backward.ipynb
        grader.check("conv", "my_conv.py")                    # a named file (or a folder, or the course folder)
        grader.check("conv", course="~/course", lang="ko")    # a course elsewhere, messages in Korean

    It grades with the public checks in sandboxed workers (the student's code does not run in the
    kernel) and returns a :class:`grader.frontends.notebook.feedback.Feedback`: shown as a table in Jupyter,
    with ``.score``, ``.max_score``, ``.checks`` and ``.report`` for programs. Where the course and the
    notebook are looked for is documented in :mod:`grader.frontends.notebook.feedback`.

    Anything else is the decorator that marks a check (check authors)::

        @check(points=2, timeout=5, ko="…")
        def backward_matches_numeric_gradient(student, reference, rng):
            '''The English description (the docstring's first line).'''
    """
    if args and isinstance(args[0], str):
        from grader.frontends.notebook.feedback import check_notebook

        return check_notebook(*args, **kwargs)
    from grader.engine.checks.registry import check as check_decorator

    return check_decorator(*args, **kwargs)


def __getattr__(name: str) -> Any:
    if name == "expect":
        from grader.engine.checks import expect

        return expect
    raise AttributeError(f"module 'grader' has no attribute {name!r}")
