# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Checkpoints and params directories, and the network built and loaded from
them: shared by training, evaluation and serving."""
