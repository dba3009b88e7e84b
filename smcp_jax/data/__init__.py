# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Data sets, episodes and the tf.data pipeline."""
