"""Jupyter notebooks as submissions, notebook stubs, and grading from inside a notebook.

- :mod:`grader.frontends.notebook.read`: read and validate an ``.ipynb`` file (nbformat), or say what is wrong.
- :mod:`grader.frontends.notebook.convert`: a notebook's code cells as one module, magics and shell lines
  skipped, with the :class:`~grader.engine.lines.LineMap` from module lines back to cells.
- :mod:`grader.engine.lines`: the one place that maps module lines to (cell, line).
- :mod:`grader.frontends.notebook.stub`: build ``<id>.ipynb`` from a stub ``<id>.py`` and its README.
- :mod:`grader.frontends.notebook.feedback`: ``grader.check("<id>")`` in a notebook cell.

The student's code never runs in the kernel for grading: the kernel only asks the grader, which
grades in sandboxed workers like every other grading run.
"""
