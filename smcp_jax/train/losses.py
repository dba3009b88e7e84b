# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The SMCP objective, eq. 2-5: L = Lq + Ls + lambda_mcl * Lseg."""

import jax
import jax.numpy as jnp

from smcp_jax.data.labels import IGNORE_LABEL
from smcp_jax.models import resize


def cross_entropy(logits: jnp.ndarray, labels: jnp.ndarray,
                  ignore_label: int = IGNORE_LABEL) -> jnp.ndarray:
  """Mean cross-entropy over the non-ignored pixels of the whole batch.

  Like the authors' `nn.CrossEntropyLoss(ignore_index=255)` applied to
  logits bilinearly upsampled to the label size.

  Args:
    logits: (N, h, w, C) at feature resolution.
    labels: (N, H, W) integer class ids, `ignore_label` where unlabelled.
  """
  logits = resize.resize_bilinear(logits.astype(jnp.float32), labels.shape[1:])
  valid = labels != ignore_label
  safe = jnp.where(valid, labels, 0).astype(jnp.int32)
  log_probs = jax.nn.log_softmax(logits, axis=-1)
  nll = -jnp.take_along_axis(log_probs, safe[..., None], axis=-1)[..., 0]
  return jnp.sum(nll * valid) / jnp.maximum(jnp.sum(valid), 1)


def _merge_shots(x):
  return x.reshape((-1,) + x.shape[2:])


def smcp_loss(outputs: dict[str, jnp.ndarray], batch: dict[str, jnp.ndarray],
              lambda_mcl: float = 0.1) -> tuple[jnp.ndarray, dict]:
  """The total loss and its terms.

  Args:
    outputs: the training forward's logits ('query', and optionally
      'support', 'query_mcl', 'support_mcl').
    batch: 'query_label' (B, H, W) and 'support_label' (B, K, H, W) binary
      labels in {0, 1, 255}; 'query_mcl_label' (B, H, W) and
      'support_mcl_label' (B, K, H, W) multi-class labels.
    lambda_mcl: weight of the multi-class guidance loss Lseg.

  Returns:
    (total, {'loss_query', 'loss_support', 'loss_mcl', 'loss'}); absent
    branches contribute 0.
  """
  terms = {'loss_query': cross_entropy(outputs['query'], batch['query_label'])}
  terms['loss_support'] = (
      cross_entropy(_merge_shots(outputs['support']),
                    _merge_shots(batch['support_label']))
      if 'support' in outputs else jnp.zeros(()))
  # Eq. 3 over the support and the query images, summed as the authors do.
  terms['loss_mcl'] = (
      cross_entropy(outputs['query_mcl'], batch['query_mcl_label'])
      + cross_entropy(_merge_shots(outputs['support_mcl']),
                      _merge_shots(batch['support_mcl_label']))
      if 'query_mcl' in outputs else jnp.zeros(()))
  total = (terms['loss_query'] + terms['loss_support']
           + lambda_mcl * terms['loss_mcl'])
  terms['loss'] = total
  return total, terms
