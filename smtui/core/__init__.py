"""The pure core of smtui: config, hyperparameters, requests, instances.

Nothing in this package imports Textual, boto3 or the SageMaker SDK at import time,
and nothing here does I/O beyond reading the files it is handed.
"""
