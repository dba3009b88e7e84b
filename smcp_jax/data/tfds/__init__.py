# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""TFDS: builders from the official archives, preparing, reading a built
set by index."""
