# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Speed work kept out of the paper's model code: ops whose results equal
the plain JAX ones (tested), computed faster on the CPU."""
