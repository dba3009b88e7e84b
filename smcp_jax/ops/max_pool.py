# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""2x2 max-pooling with its own gradient.

XLA's gradient of a max-pool is an argmax reduce-window over four index
arrays and a scatter, several times slower on the CPU
(docs/performance.md). Here the gradient goes to the first maximum of each
window in row-major order, as torch's does, with four compares.
"""

from flax import nnx
import jax
import jax.numpy as jnp


@jax.custom_vjp
def max_pool2(x: jnp.ndarray) -> jnp.ndarray:
  """torch MaxPool2d(2, 2) over NHWC: floor mode, no padding."""
  return nnx.max_pool(x, (2, 2), strides=(2, 2), padding='VALID')


def _max_pool2_fwd(x):
  pooled = max_pool2(x)
  return pooled, (x, pooled)


def _max_pool2_bwd(residuals, g):
  x, pooled = residuals
  n, h, w, c = pooled.shape
  window = x[:, :2 * h, :2 * w].reshape(n, h, 2, w, 2, c)
  taken = jnp.zeros(pooled.shape, bool)
  grads = []
  for i, j in ((0, 0), (0, 1), (1, 0), (1, 1)):
    first = (window[:, :, i, :, j] == pooled) & ~taken
    taken |= first
    grads.append(jnp.where(first, g, 0))
  dx = jnp.stack(grads, axis=3).reshape(n, h, w, 2, 2, c)
  dx = dx.transpose(0, 1, 3, 2, 4, 5).reshape(n, 2 * h, 2 * w, c)
  return (jnp.pad(dx, ((0, 0), (0, x.shape[1] - 2 * h),
                       (0, x.shape[2] - 2 * w), (0, 0))),)


max_pool2.defvjp(_max_pool2_fwd, _max_pool2_bwd)
