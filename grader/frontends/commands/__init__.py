"""One module per command; :mod:`grader.cli` assembles them."""
