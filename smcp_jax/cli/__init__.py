# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""What every command shares: the launcher, flag parsing, the compilation
cache."""
