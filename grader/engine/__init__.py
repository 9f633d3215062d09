"""The grading engine: checks, numeric gradient checks, scoring and the result model, and the one
:class:`~grader.engine.grader.Grader` every front end grades with.

It stands on the sandbox (:mod:`grader.sandbox`, the only package that knows about processes) and the
course model (:mod:`grader.course`), and knows nothing of its front ends (:mod:`grader.frontends`).
"""
