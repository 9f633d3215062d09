"""The only package that knows about processes: the untrusted worker and everything around it.

Parent side: :class:`~grader.sandbox.launcher.Launcher` (the fork server), :class:`StudentSession`
(one submission's worker) and :class:`StudentModule` (the ``student`` a check calls). Worker side:
:mod:`forkserver`, :mod:`worker`, :mod:`limits` and :mod:`guard`. The two sides share only the
data-only :mod:`wire` and :mod:`channel`.
"""
