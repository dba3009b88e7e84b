# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Episodic evaluation: metrics, fixed-shape batches, episode lists, and the
pictures of episodes and predictions."""
