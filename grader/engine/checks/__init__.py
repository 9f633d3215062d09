"""The check API used by course authors: the ``check`` decorator and the ``expect`` helpers."""
