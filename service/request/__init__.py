"""What one request carries through the cores: its checkpoint and its id and counters.

- ``cancel``: the checkpoint search, compare and coverage call between their steps; once the
  request is abandoned (the client left, the time limit passed) the next one stops the work
  (``service.web.timeout`` is the HTTP wrapper that sets it).
- ``observe``: the request's id for its log lines, JSON logs, and how a search reports that
  it was answered (counted by ``/metrics`` inside a request, nothing on the command line).

These import nothing of the service: every core and the web edge may import them.
"""
