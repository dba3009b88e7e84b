# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""SMCP network modules."""
