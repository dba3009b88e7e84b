# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The SMCP network: encoder, prototypes, guided head, multi-class guidance.

Layouts are NHWC. Support tensors carry a shot axis: images (B, K, H, W, 3),
masks (B, K, H, W) with 1 on the target class and 0 elsewhere. Logits are
returned at feature resolution (stride 8); losses and metrics upsample them.
"""


from flax import nnx
import jax
import jax.numpy as jnp

from smcp_jax.models import heads
from smcp_jax.models import layers
from smcp_jax.models import modes
from smcp_jax.models import prototype as prototype_lib
from smcp_jax.models import resize
from smcp_jax.models import vgg
from smcp_jax.ops import conv_grad

PrototypeMode = modes.PrototypeMode
EmptyPseudoMask = modes.EmptyPseudoMask
PROTOTYPE_MODES = modes.PROTOTYPE_MODES
EMPTY_PSEUDO_MASK_OPTIONS = modes.EMPTY_PSEUDO_MASK_OPTIONS


class SMCP(nnx.Module):
  """SMCP (Chen et al.) with switches for every row of Tables V-VII.

  Attributes follow the paper: `encoder` (E), `mcl_classifier` (G', the
  multi-class label guidance head), `head` (feature reduction, PFF and the
  binary ASPP classifier G).
  """

  def __init__(
      self,
      *,
      width: float = 1.0,
      num_mcl_classes: int = 16,
      use_mcl: bool = True,
      use_pff: bool = True,
      pff_extra_convs: bool = False,
      support_branch_uses_pff: bool = True,
      dtype=None,
      conv_weight_grad: str = 'auto',
      dilated_conv: str = 'xla',
      conv3x3: str = 'auto',
      rngs: nnx.Rngs,
  ):
    """Builds the network.

    Args:
      width: channel multiplier; 1.0 is the paper's VGG-16 (512 features).
      num_mcl_classes: outputs of the multi-class head: |C_train| + 1 (16 on
        PASCAL-5i) as the paper writes, or 21 / 81 as the authors' code.
      use_mcl: build the multi-class label guidance head (MCL, Table V).
      use_pff: pyramid feature fusion; False gives the base network's single
        3x3 fusion conv (Table V).
      pff_extra_convs: the authors' two extra 3x3 convs inside the PFF (their
        checkpoints need them; not in the paper).
      support_branch_uses_pff: the paper sends the self-prototype branch
        through the same head as the query; the authors' code skips the PFF
        there (False).
      dtype: compute dtype (e.g. jnp.bfloat16); parameters stay float32.
      conv_weight_grad: how the convs compute their weight gradient: 'auto'
        (a faster one for float32 on the CPU), 'xla' or 'patch_matmul'
        (ops.conv_grad); the values do not depend on it.
      dilated_conv: how the dilated convs run: 'xla' as they are, or
        'phases': undilated convs over the d x d phase grids of their input
        (ops.dilated_phases), the same values; on a Hopper GPU cuDNN runs
        dilated convs with slower kernels (docs/performance.md, "On a GPU").
      conv3x3: how the 3x3 convs run: 'auto' (Winograd's F(2x2, 3x3) for
        wide float32 convs on the CPU, ops.winograd), 'direct' (XLA's) or
        'winograd' (every 3x3 conv); the same values up to float rounding.
      rngs: parameter initialisation keys.
    """
    convs = dict(dtype=dtype, rngs=rngs, conv_impl=conv_grad.conv_fn(
        conv_weight_grad, dilated_conv, conv3x3))
    self.encoder = vgg.VGG16LargeFOV(width=width, **convs)
    features = self.encoder.out_features
    self.mcl_classifier = (heads.ASPP(features, num_mcl_classes, **convs)
                           if use_mcl else None)
    self.head = heads.FusionHead(
        features, use_pff=use_pff, pff_extra_convs=pff_extra_convs,
        bottleneck=layers.scaled(64, width), **convs)
    self.support_branch_uses_pff = support_branch_uses_pff

  def _encode(self, support_images, query_images):
    """One encoder pass over all images; returns (B, K, h, w, C), (B, h, w, C)."""
    b, k = support_images.shape[:2]
    feats = self.encoder(jnp.concatenate([_merge_shots(support_images),
                                          query_images]))
    return _split_shots(feats[:b * k], b, k), feats[b * k:]

  @staticmethod
  def _shot_prototypes(support_feats, support_masks):
    """Per-shot prototypes (B, K, C)."""
    b, k = support_feats.shape[:2]
    protos = prototype_lib.masked_average_pooling(
        _merge_shots(support_feats), _merge_shots(support_masks))
    return protos.reshape(b, k, -1)

  def __call__(self, support_images: jnp.ndarray, support_masks: jnp.ndarray,
               query_images: jnp.ndarray, *,
               self_prototype: bool = True) -> dict[str, jnp.ndarray]:
    """Training forward (Fig. 2).

    Returns a dict of float32 logits at feature resolution:
      'query' (B, h, w, 2); 'support' (B, K, h, w, 2) when `self_prototype`;
      'query_mcl' (B, h, w, M) and 'support_mcl' (B, K, h, w, M) with MCL.
    """
    support_feats, query_feats = self._encode(support_images, query_images)
    proto = jnp.mean(self._shot_prototypes(support_feats, support_masks), 1)
    out = {'query': self.head(query_feats, proto)}
    b, k = support_feats.shape[:2]
    if self_prototype:
      logits = self.head(_merge_shots(support_feats),
                         jnp.repeat(proto, k, axis=0),
                         skip_pyramid=not self.support_branch_uses_pff)
      out['support'] = _split_shots(logits, b, k)
    if self.mcl_classifier is not None:
      out['query_mcl'] = self.mcl_classifier(query_feats)
      logits = self.mcl_classifier(_merge_shots(support_feats))
      out['support_mcl'] = _split_shots(logits, b, k)
    return {name: x.astype(jnp.float32) for name, x in out.items()}

  def infer(self, support_images: jnp.ndarray, support_masks: jnp.ndarray,
            query_images: jnp.ndarray, *, mode: PrototypeMode = 'fused',
            empty_pseudo_mask: EmptyPseudoMask = 'zero'
            ) -> dict[str, jnp.ndarray]:
    """Test-time forward with prototype fusion (Fig. 4, Table VI, Fig. 9).

    The query features are computed once and reused by the second pass.

    Args:
      support_images: (B, K, H, W, 3); K shots are averaged.
      support_masks: (B, K, H, W) foreground weights (dense, scribble or box).
      query_images: (B, H, W, 3).
      mode: 'support' (first pass only), 'pseudo' (the query's own
        pseudo-prototype) or 'fused' (mean of the K support prototypes and the
        pseudo-prototype, i.e. k+1 prototypes).
      empty_pseudo_mask: an empty pseudo-mask gives a zero pseudo-prototype
        ('zero', the authors' code: fused then halves the support prototype)
        or falls back to the support prototype ('support').

    Returns:
      'logits' (B, h, w, 2) of the requested mode, 'support_logits' of the
      first pass and 'pseudo_mask' (B, H, W) when a second pass ran.
    """
    support_feats, query_feats = self._encode(support_images, query_images)
    shot_protos = self._shot_prototypes(support_feats, support_masks)
    return self.infer_from_features(shot_protos, query_feats,
                                    query_images.shape[1:3], mode,
                                    empty_pseudo_mask)

  def infer_ways(self, support_images: jnp.ndarray,
                 support_masks: jnp.ndarray, query_images: jnp.ndarray, *,
                 mode: PrototypeMode = 'fused',
                 empty_pseudo_mask: EmptyPseudoMask = 'zero'
                 ) -> dict[str, jnp.ndarray]:
    """N-way inference: SMCP is binary, so the head runs once per way on
    the query's features, which are encoded once.

    Args:
      support_images: (B, N, K, H, W, 3); support_masks: (B, N, K, H, W).
      query_images: (B, H, W, 3).

    Returns:
      'logits' (B, N, h, w, 2): each way's binary logits (combine_ways).
    """
    b, n, k = support_images.shape[:3]
    support_feats, query_feats = self._encode(
        support_images.reshape((b * n, k) + support_images.shape[3:]),
        query_images)
    shot_protos = self._shot_prototypes(
        support_feats, support_masks.reshape((b * n, k)
                                             + support_masks.shape[3:]))
    # Way-major within each episode, as the supports: (B * N, h, w, C).
    query_feats = jnp.repeat(query_feats, n, axis=0)
    out = self.infer_from_features(shot_protos, query_feats,
                                   query_images.shape[1:3], mode,
                                   empty_pseudo_mask)
    logits = out['logits']
    return {'logits': logits.reshape((b, n) + logits.shape[1:])}

  def support_prototypes(self, support_images: jnp.ndarray,
                         support_masks: jnp.ndarray) -> jnp.ndarray:
    """Per-shot prototypes (B, K, C), to reuse over many queries."""
    b, k = support_images.shape[:2]
    feats = self.encoder(_merge_shots(support_images))
    return self._shot_prototypes(_split_shots(feats, b, k), support_masks)

  def encode_queries(self, query_images: jnp.ndarray) -> jnp.ndarray:
    """Query features (B, h, w, C): with `support_prototypes`, the support
    set and each query batch are encoded once however many classes and
    batches follow (infer_from_features)."""
    return self.encoder(query_images)

  def infer_from_features(self, shot_protos, query_feats, size, mode,
                          empty_pseudo_mask):
    """`infer` from per-shot prototypes (B, K, C) and query features at
    input `size` (H, W)."""
    if mode not in PROTOTYPE_MODES:
      raise ValueError(f'mode must be one of {PROTOTYPE_MODES}, got {mode!r}')
    if empty_pseudo_mask not in EMPTY_PSEUDO_MASK_OPTIONS:
      raise ValueError(f'empty_pseudo_mask must be one of '
                       f'{EMPTY_PSEUDO_MASK_OPTIONS}, got {empty_pseudo_mask!r}')
    support_proto = jnp.mean(shot_protos, 1)
    first = self.head(query_feats, support_proto).astype(jnp.float32)
    if mode == 'support':
      return {'logits': first, 'support_logits': first}

    pseudo_mask = _pseudo_mask(first, size)
    pseudo_proto = prototype_lib.masked_average_pooling(query_feats,
                                                        pseudo_mask)
    if mode == 'pseudo':
      proto = pseudo_proto
    else:
      k = shot_protos.shape[1]
      proto = (jnp.sum(shot_protos, 1) + pseudo_proto) / (k + 1)
    if empty_pseudo_mask == 'support':
      empty = jnp.sum(pseudo_mask, axis=(1, 2)) == 0
      proto = jnp.where(empty[:, None], support_proto, proto)
    second = self.head(query_feats, proto).astype(jnp.float32)
    return {'logits': second, 'support_logits': first,
            'pseudo_mask': pseudo_mask}


def _merge_shots(x: jnp.ndarray) -> jnp.ndarray:
  """(B, K, ...) -> (B * K, ...)."""
  return x.reshape((-1,) + x.shape[2:])


def _split_shots(x: jnp.ndarray, b: int, k: int) -> jnp.ndarray:
  """(B * K, ...) -> (B, K, ...)."""
  return x.reshape((b, k) + x.shape[1:])


def _pseudo_mask(logits: jnp.ndarray, size: tuple[int, int]) -> jnp.ndarray:
  """The authors' pseudo-mask: argmax of the upsampled softmax (ties -> 0)."""
  probs = resize.resize_bilinear(jax.nn.softmax(logits, -1), size)
  return (probs[..., 1] > probs[..., 0]).astype(jnp.float32)
