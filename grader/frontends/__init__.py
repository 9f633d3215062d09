"""The ways in to the engine: the command line (``commands``), a whole class (``batch``), ``--watch``,
``grader.check()`` in a notebook (``notebook``), publishing a course (``publish``), the course's
self-test (``selftest``) and the report formats (``report``), with what they share: finding and reading
a student's files (:mod:`~grader.frontends.submission`) and submission times (:mod:`~grader.frontends.instants`).
"""
