# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The errors a user can fix: each names the file, field or value and the
fix. Every command prints a UserError as one `error:` line (exit 1); any
other exception is a bug and keeps its traceback (smcp_jax/cli/launcher.py).
"""


class UserError(ValueError):
  """Bad input: says what is wrong and what to do."""


class DataError(UserError):
  """A data set problem: says which file or value, and what to do."""


class ConfigError(UserError):
  """A config value that cannot work, named with what is allowed."""


class ParamsMismatchError(UserError):
  """Parameters that do not fit the model, listed by name."""


class NonFiniteLoss(UserError, FloatingPointError):
  """Training stopped at a NaN/Inf loss: names the step, its images and the
  settings that avoid it."""
