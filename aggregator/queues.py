"""The RQ queue the scheduler fills and the workers drain, named once for every process.

The web reads its length for /metrics and never enqueues: a source is refreshed by making it due
(`Store.schedule`), and the scheduler hands it to a worker.
"""

QUEUE_NAME = "refresh"
