"""grader: an automated exercise grader for deep-learning math."""
