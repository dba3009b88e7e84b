# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Masked average pooling (paper eq. 1 and 6) without upsampled features.

The paper upsamples features F (h, w) to the mask size (H, W) and averages
them under the mask M. The masked sum is linear in M, so
  sum_HW up(F) * M == sum_hw F * up^T(M),
where up^T is the transposed bilinear resize of the mask. That avoids the
(H, W, C) tensor (417x417x512 floats per image) at no loss of exactness.
"""

import jax.numpy as jnp

from smcp_jax.models import resize

# The authors' denominator epsilon (not in eq. 1): an empty mask gives p = 0.
PROTOTYPE_EPS = 1e-5


def masked_average_pooling(features: jnp.ndarray, masks: jnp.ndarray,
                           eps: float = PROTOTYPE_EPS) -> jnp.ndarray:
  """Prototypes (N, C) from features (N, h, w, C) and masks (N, H, W) in [0, 1].

  Computed in float32 whatever the feature dtype.
  """
  masks = masks.astype(jnp.float32)
  weights = resize.resize_bilinear_transpose(masks, features.shape[1:3])
  total = jnp.einsum('nhwc,nhw->nc', features.astype(jnp.float32), weights)
  return total / (jnp.sum(masks, axis=(1, 2))[:, None] + eps)

