# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""What several test files share: helpers to import, never another test
file's private functions."""
