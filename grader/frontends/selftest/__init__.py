"""The course self-test behind ``grader check``: references score full marks, stubs score zero
(:mod:`selftest`), and the checks catch wrong variants of each reference (:mod:`mutants`)."""
