# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The one error type of the data code: it names the file or value and the fix."""


class DataError(ValueError):
  """A data set problem: says which file or value, and what to do."""
