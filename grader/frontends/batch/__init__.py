"""Grading a whole class: find the submissions, grade them in parallel, write a gradebook and a report.

Pipeline (one module per step): :mod:`discover` (submissions, shards), :mod:`hashing` (what resume
compares), :mod:`zips` (safe extraction), :mod:`process` (one grading process: course loaded once,
one fork server), :mod:`runner` (the pool, progress, resume, Ctrl-C), :mod:`records` (a student's
result file), :mod:`stats` (pass rates, histogram, common failures), :mod:`gradebook` (CSVs) and
:mod:`htmlreport` (the page).
"""
