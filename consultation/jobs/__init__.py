"""Background jobs: long work (reports, exports, recounts, e-mail) runs in a worker, on Huey.

``models.Job`` is the record people see; ``operations`` writes it,
``queue`` hands jobs to Huey (SQLite, or Redis when ``REDIS_URL`` is set),
``tasks`` holds what each kind of job does and the one function that runs a
job, in a worker (``flask worker``) or, in tests, in-process.
"""
