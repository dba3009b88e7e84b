# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The SMCP objective, eq. 2-5: L = Lq + Ls + lambda_mcl * Lseg."""

import functools

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
  return _upsampled_cross_entropy(logits.astype(jnp.float32), labels,
                                  ignore_label)


# The upsampled logits are held as one (N, H, W) plane per class, the
# softmax's max and sum over classes are element-wise over the planes, and
# the gradient is written out. On the CPU, XLA ran the per-pixel softmax
# over a short minor axis of classes (2 or 21) slowly, transposed the
# upsampled logits for each of its matmuls, and took the label's log-prob
# through a scatter; in planes every step is a loop along W or one plain
# matmul: 5x faster at the toy's 8 x 129 px (docs/performance.md). The
# values are the same sums.
@functools.partial(jax.custom_vjp, nondiff_argnums=(2,))
def _upsampled_cross_entropy(logits, labels, ignore_label):
  return _forward(logits, labels, ignore_label)[0]


def _forward(logits, labels, ignore_label):
  rows, columns = resize.interpolation_matrices(
      logits.shape[1:3], labels.shape[1:], logits.dtype)
  planes = jnp.einsum('cnpw,qw->cnpq',
                      jnp.einsum('nhwc,ph->cnpw', logits, rows), columns)
  classes = range(len(planes))
  top = functools.reduce(jnp.maximum, [planes[c] for c in classes])
  exp = jnp.exp(planes - top)
  total = functools.reduce(jnp.add, [exp[c] for c in classes])
  picked = functools.reduce(
      jnp.add, [jnp.where(labels == c, planes[c], 0) for c in classes])
  valid = labels != ignore_label
  count = jnp.maximum(jnp.sum(valid), 1)
  loss = jnp.sum(jnp.where(valid, top + jnp.log(total) - picked, 0)) / count
  return loss, (exp / total, labels, count, rows, columns)


def _backward(ignore_label, residuals, grad):
  probs, labels, count, rows, columns = residuals
  classes = jnp.arange(len(probs))[:, None, None, None]
  weight = jnp.where(labels != ignore_label, grad / count, 0)
  d_planes = (probs - (labels == classes)) * weight
  d_logits = jnp.einsum('cnpw,ph->nhwc',
                        jnp.einsum('cnpq,qw->cnpw', d_planes, columns), rows)
  return d_logits, None


_upsampled_cross_entropy.defvjp(_forward, _backward)


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
