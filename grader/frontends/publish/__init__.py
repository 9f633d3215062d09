"""Publishing a course: stubs from solution markers, the student release and the autograder bundle.

- :mod:`markers` turns a reference with ``# BEGIN SOLUTION`` / ``# END SOLUTION`` blocks into its stub;
- :mod:`release` writes what students get and proves that nothing of solutions/ is in it;
- :mod:`bundle` writes the Gradescope-style autograder (solutions and hidden checks included);
- :mod:`package` packs the grader itself (a wheel for students, a source tree for the bundle).
"""
