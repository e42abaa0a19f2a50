"""smtui: a keyboard-driven terminal app for Amazon SageMaker training."""

__version__ = "0.1.0"
