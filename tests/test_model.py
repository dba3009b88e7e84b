# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The SMCP module: shapes, variants, batching, dtypes and bad arguments."""

from flax import nnx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from benchmarks import random_episode
from smcp_jax.checkpoints import params_io
from smcp_jax.models import heads
from smcp_jax.models import layers
from smcp_jax.models import smcp
from smcp_jax.models import vgg
from smcp_jax.ops import guided_conv
from tests.helpers import numerics
from tests.helpers import parity as pu
from weights_conversion import torch_reference


def _model(**kwargs):
  return smcp.SMCP(**{'width': 0.125, **kwargs}, rngs=nnx.Rngs(0))


def test_output_stride_and_shapes_at_417():
  model = _model(width=1 / 16)
  support, masks, query = random_episode.episode(417, shots=2, batch=2)
  out = pu.train_forward(model, jnp.asarray(support), jnp.asarray(masks),
                         jnp.asarray(query))
  assert vgg.feature_size(417) == 52
  assert out['query'].shape == (2, 52, 52, 2)
  assert out['support'].shape == (2, 2, 52, 52, 2)
  assert out['query_mcl'].shape == (2, 52, 52, 16)
  assert out['support_mcl'].shape == (2, 2, 52, 52, 16)


def test_parameter_count_equals_authors_network():
  """Full width: as many parameters as the authors' model (VGG fc dropped)."""
  abstract = nnx.eval_shape(lambda: smcp.SMCP(
      num_mcl_classes=21, pff_extra_convs=True, rngs=nnx.Rngs(0)))
  ours = sum(np.prod(v.shape)
             for v in params_io.model_params(abstract).values())
  ref = torch_reference.AuthorsSMCP(width=1.0)
  theirs = sum(p.numel() for p in ref.parameters())
  assert ours == theirs


@pytest.mark.parametrize('kwargs,absent,present', [
    (dict(use_mcl=False), ['mcl_classifier/'], ['head/pyramid/']),
    (dict(use_pff=False), ['head/pyramid/'], ['mcl_classifier/']),
    (dict(pff_extra_convs=True), [], ['head/pyramid/extra_convs/1/']),
    (dict(), ['head/pyramid/extra_convs/'], ['head/pyramid/residual2/']),
])
def test_ablation_switches_change_the_parameters(kwargs, absent, present):
  names = list(params_io.model_params(_model(**kwargs)))
  for prefix in absent:
    assert not any(n.startswith(prefix) for n in names), prefix
  for prefix in present:
    assert any(n.startswith(prefix) for n in names), prefix


def test_training_outputs_follow_switches():
  support, masks, query = (jnp.asarray(a) for a in random_episode.episode(65))
  out = _model(use_mcl=False)(support, masks, query, self_prototype=False)
  assert set(out) == {'query'}


def test_support_branch_pyramid_flag():
  """The authors' support branch skips the PFF; the paper's goes through it."""
  support, masks, query = (jnp.asarray(a) for a in random_episode.episode(65))
  paper = _model(support_branch_uses_pff=True)
  authors = _model(support_branch_uses_pff=False)  # same init (same seed)
  out_p, out_a = paper(support, masks, query), authors(support, masks, query)
  np.testing.assert_allclose(out_p['query'], out_a['query'], rtol=1e-6)
  feats = paper.encoder(support[:, 0])
  proto = jnp.mean(paper._shot_prototypes(feats[:, None], masks), 1)
  np.testing.assert_allclose(out_p['support'][:, 0],
                             paper.head(feats, proto), rtol=1e-5, atol=1e-6)
  np.testing.assert_allclose(out_a['support'][:, 0],
                             paper.head(feats, proto, skip_pyramid=True),
                             rtol=1e-5, atol=1e-6)
  assert numerics.max_rel_diff(out_a['support'], out_p['support']) > 1e-3


@pytest.mark.parametrize('mode', smcp.PROTOTYPE_MODES)
def test_episodes_in_a_batch_are_independent(mode):
  """The authors' mask broadcast breaks for batch > 1; ours must not."""
  model = _model()
  support, masks, query = random_episode.episode(97, shots=2, batch=3, seed=1)
  batched = pu.infer(model, support, masks, query, mode=mode)['logits']
  for b in range(3):
    single = pu.infer(model, support[b:b + 1], masks[b:b + 1],
                      query[b:b + 1], mode=mode)['logits']
    np.testing.assert_allclose(batched[b:b + 1], single, rtol=1e-4,
                               atol=1e-6)


@pytest.mark.parametrize('mode', smcp.PROTOTYPE_MODES)
def test_prototypes_computed_once_give_the_same_inference(mode):
  """Predictor's path (support encoded once, reused) equals `infer`."""
  model = _model()
  support, masks, query = (
      jnp.asarray(a)
      for a in random_episode.episode(97, shots=2, batch=2, seed=3))
  expected = model.infer(support, masks, query, mode=mode)
  protos = model.support_prototypes(support, masks)
  assert protos.shape == (2, 2, model.encoder.out_features)
  got = model.infer_from_features(protos, model.encode_queries(query),
                                  query.shape[1:3], mode, 'zero')
  for key, value in expected.items():
    np.testing.assert_allclose(got[key], value, rtol=1e-4, atol=1e-6)


def test_k_shot_fused_averages_k_plus_one_prototypes():
  model = _model()
  support, masks, query = (jnp.asarray(a) for a in
                           random_episode.episode(97, shots=3))
  out = pu.infer(model, support, masks, query, mode='fused')
  feats = model.encoder(query)
  shots = model._shot_prototypes(
      jax.vmap(model.encoder, in_axes=1, out_axes=1)(support), masks)
  from smcp_jax.models import prototype  # pylint: disable=g-import-not-at-top
  pseudo = prototype.masked_average_pooling(feats, out['pseudo_mask'])
  fused = (shots.sum(1) + pseudo) / 4
  np.testing.assert_allclose(out['logits'], model.head(feats, fused),
                             rtol=1e-4, atol=1e-6)


def test_bfloat16_compute_keeps_float32_params():
  support, masks, query = (jnp.asarray(a) for a in random_episode.episode(65))
  f32, bf16 = _model(), _model(dtype=jnp.bfloat16)
  assert all(v.dtype == jnp.float32
             for v in params_io.model_params(bf16).values())
  out32 = f32.infer(support, masks, query, mode='support')['logits']
  out16 = bf16.infer(support, masks, query, mode='support')['logits']
  assert out16.dtype == jnp.float32
  assert numerics.max_rel_diff(out16, out32) < 0.1


def test_bad_mode_arguments():
  support, masks, query = (jnp.asarray(a) for a in random_episode.episode(33))
  model = _model()
  with pytest.raises(ValueError, match="mode must be one of.*'fuse'"):
    model.infer(support, masks, query, mode='fuse')
  with pytest.raises(ValueError, match='empty_pseudo_mask must be one of'):
    model.infer(support, masks, query, empty_pseudo_mask='halve')


def test_init_is_deterministic_per_seed_and_same_under_jit():
  eager = params_io.model_params(_model())
  again = params_io.model_params(_model())
  jitted = params_io.model_params(nnx.jit(_model)())
  other = params_io.model_params(
      smcp.SMCP(width=0.125, rngs=nnx.Rngs(1)))
  for name in ('encoder/conv1_1/kernel', 'head/classifier/branches/3/bias'):
    np.testing.assert_array_equal(eager[name], again[name])
    np.testing.assert_array_equal(eager[name], jitted[name])
    assert not np.array_equal(eager[name], other[name])


@pytest.mark.parametrize('size,dilation', [((9, 7), 1), ((6, 5), 2)])
def test_untiled_reduction_equals_the_concatenation(size, dilation):
  """The head's reduction of [features, tiled prototype], and its gradients,
  as the literal concatenation through the same conv module."""
  head = heads.FusionHead(8, use_pff=False, rngs=nnx.Rngs(0))
  if dilation != 1:
    head.reduce = layers.conv(16, 8, dilation=dilation, rngs=nnx.Rngs(1))
  rng = np.random.default_rng(0)
  features = jnp.asarray(rng.normal(size=(2, *size, 8)), jnp.float32)
  prototype = jnp.asarray(rng.normal(size=(2, 8)), jnp.float32)

  def literal(module, f, p):
    tiled = jnp.broadcast_to(p[:, None, None], f.shape)
    return jnp.sum(jnp.sin(module.reduce(jnp.concatenate([f, tiled], -1))))

  def untiled(module, f, p):
    return jnp.sum(jnp.sin(guided_conv.conv_of_tiled_concat(module.reduce, f,
                                                          p)))

  grad = nnx.grad(lambda m, f, p, fn: fn(m, f, p), argnums=(0, 1, 2))
  for got, want in zip(jax.tree.leaves(grad(head, features, prototype,
                                            untiled)),
                       jax.tree.leaves(grad(head, features, prototype,
                                            literal))):
    assert numerics.max_rel_diff(got, want) < 1e-5
  np.testing.assert_allclose(untiled(head, features, prototype),
                             literal(head, features, prototype), rtol=1e-5)
