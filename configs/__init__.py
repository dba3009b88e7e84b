# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""ml_collections configs: `--config configs/NAME.py`, fields overridable."""
