# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Converted PyTorch weights give the PyTorch reference's outputs.

The torch networks are built here with random weights (tests/
torch_reference.py), saved as .pth, converted with the CLIs and compared on
the same inputs. Tolerance: max |diff| < 1e-4 of the output's scale.
"""

import os

import jax.numpy as jnp
import numpy as np
import pytest
import torch

from benchmarks import random_episode
from smcp_jax import errors
from smcp_jax.checkpoints import params_io
from smcp_jax.models import smcp
from tests.helpers import numerics
from tests.helpers import parity as pu
from weights_conversion import common
from weights_conversion import smcp_checkpoint
from weights_conversion import torch_reference
from weights_conversion import torchvision_vgg16

TOL = 1e-4


@pytest.fixture(scope='module')
def authors_pair(tmp_path_factory):
  """The authors' full-width network in torch, and its conversion."""
  torch.manual_seed(0)
  ref = torch_reference.AuthorsSMCP(width=1.0).eval()
  model = pu.convert_authors_model(ref, str(tmp_path_factory.mktemp('full')))
  return ref, model


def test_converted_config_is_the_authors_variant(authors_pair):
  _, model = authors_pair
  assert len(model.head.pyramid.extra_convs) == 2
  assert not model.support_branch_uses_pff
  assert model.mcl_classifier.branches[0].kernel.shape == (3, 3, 512, 21)


def test_encoder_and_mcl_head_parity(authors_pair):
  ref, model = authors_pair
  _, _, query = random_episode.episode(161)
  with torch.no_grad():
    feats_t = ref.features(torch_reference.to_torch_images(query))
    mcl_t = ref.classifier(feats_t)
  feats = model.encoder(jnp.asarray(query))
  assert feats.shape == (1, 20, 20, 512)
  assert numerics.max_rel_diff(feats, pu.to_nhwc(feats_t)) < TOL
  assert numerics.max_rel_diff(model.mcl_classifier(feats),
                               pu.to_nhwc(mcl_t)) < TOL


def test_training_forward_parity(authors_pair):
  ref, model = authors_pair
  support, masks, query = random_episode.episode(161, seed=1)
  expected = pu.torch_train_forward(ref, support, masks, query)
  out = pu.train_forward(model, jnp.asarray(support), jnp.asarray(masks),
                         jnp.asarray(query))
  assert set(out) == set(expected)
  for name in ('support', 'support_mcl'):
    out[name] = out[name][:, 0]  # one shot
  for name, value in expected.items():
    assert numerics.max_rel_diff(out[name], pu.to_nhwc(value)) < TOL, name


@pytest.mark.parametrize('mode', ['support', 'pseudo', 'fused'])
@pytest.mark.parametrize('shots', [1, 2])
def test_inference_parity(authors_pair, mode, shots):
  ref, model = authors_pair
  support, masks, query = random_episode.episode(161, shots=shots, seed=2)
  with torch.no_grad():
    logits_t, pseudo_t = ref.infer(torch_reference.to_torch_images(support),
                                   torch.from_numpy(masks),
                                   torch_reference.to_torch_images(query),
                                   mode=mode)
  out = pu.infer(model, jnp.asarray(support), jnp.asarray(masks),
                 jnp.asarray(query), mode=mode)
  assert numerics.max_rel_diff(out['logits'], pu.to_nhwc(logits_t)) < TOL
  if pseudo_t is not None:
    agree = np.mean(np.asarray(out['pseudo_mask']) == pseudo_t.numpy())
    assert agree > 0.999


@pytest.mark.parametrize('variant', [
    dict(feat_fuse=False, support_pyramid=True),  # the paper's PFF
    dict(use_pff=False, support_pyramid=True),  # the base network
])
def test_paper_variants_parity(tmp_path, variant):
  torch.manual_seed(1)
  ref = torch_reference.AuthorsSMCP(width=0.25, **variant).eval()
  model = pu.convert_authors_model(ref, str(tmp_path),
                                   support_branch_uses_pff=True)
  assert (model.head.pyramid is None) == (not variant.get('use_pff', True))
  support, masks, query = random_episode.episode(129, seed=3)
  expected = pu.torch_train_forward(ref, support, masks, query)
  out = pu.train_forward(model, jnp.asarray(support), jnp.asarray(masks),
                         jnp.asarray(query))
  assert numerics.max_rel_diff(out['query'],
                               pu.to_nhwc(expected['query'])) < TOL
  assert numerics.max_rel_diff(out['support'][:, 0],
                               pu.to_nhwc(expected['support'])) < TOL


def test_empty_pseudo_mask_fallback_parity(tmp_path):
  torch.manual_seed(2)
  ref = torch_reference.AuthorsSMCP(width=0.25).eval()
  with torch.no_grad():  # a strong background bias: the pseudo-mask is empty
    ref.classifier_2.conv2d_list[0].bias[0] = 100.0
  model = pu.convert_authors_model(ref, str(tmp_path))
  support, masks, query = random_episode.episode(129, seed=4)
  args = (jnp.asarray(support), jnp.asarray(masks), jnp.asarray(query))
  support_only = pu.infer(model, *args, mode='support')['logits']
  for fallback in (False, True):
    with torch.no_grad():
      logits_t, pseudo_t = ref.infer(
          torch_reference.to_torch_images(support), torch.from_numpy(masks),
          torch_reference.to_torch_images(query), mode='fused',
          empty_fallback=fallback)
    assert pseudo_t.sum() == 0
    out = pu.infer(model, *args, mode='fused',
                   empty_pseudo_mask='support' if fallback else 'zero')
    assert numerics.max_rel_diff(out['logits'], pu.to_nhwc(logits_t)) < TOL
    # Falling back equals the support-prototype prediction; halving does not.
    assert (numerics.max_rel_diff(out['logits'], support_only)
            < 1e-6) == fallback


def test_full_resolution_parity(tmp_path):
  """417x417 -> 52x52 features: the pools and resizes at the paper's size."""
  torch.manual_seed(3)
  ref = torch_reference.AuthorsSMCP(width=0.25).eval()
  model = pu.convert_authors_model(ref, str(tmp_path))
  support, masks, query = random_episode.episode(417, seed=5)
  with torch.no_grad():
    logits_t, _ = ref.infer(torch_reference.to_torch_images(support),
                            torch.from_numpy(masks),
                            torch_reference.to_torch_images(query))
  out = pu.infer(model, jnp.asarray(support), jnp.asarray(masks),
                 jnp.asarray(query), mode='fused')
  assert out['logits'].shape == (1, 52, 52, 2)
  assert numerics.max_rel_diff(out['logits'], pu.to_nhwc(logits_t)) < TOL


def test_torchvision_backbone_parity(tmp_path):
  """torchvision keys (pool4 at 23) land on the right layers."""
  torch.manual_seed(4)
  tv = torch_reference.TorchvisionVGG16(width=0.25)
  pth = str(tmp_path / 'vgg16.pth')
  torch.save(tv.state_dict(), pth)  # before the encoder shares its convs
  ref = torch_reference.AuthorsSMCP(width=0.25, imagenet_vgg=tv).eval()
  model = pu.convert_authors_model(ref, str(tmp_path))
  # Overwrite the backbone from the torchvision file; fc6/fc7 stay.
  torchvision_vgg16.main(['--pth', pth, '--out', str(tmp_path / 'tv')])
  params, meta = params_io.load_params(str(tmp_path / 'tv'))
  assert meta['scope'] == 'backbone' and meta['model'] == {'width': 0.25}
  assert len(params) == 26
  model.encoder.conv5_1.kernel[...] = jnp.zeros_like(
      model.encoder.conv5_1.kernel[...])
  params_io.assign_params(model, params, scope='backbone')
  _, _, query = random_episode.episode(97, seed=6)
  with torch.no_grad():
    feats_t = ref.features(torch_reference.to_torch_images(query))
  assert numerics.max_rel_diff(model.encoder(jnp.asarray(query)),
                               pu.to_nhwc(feats_t)) < TOL


def test_transposed_kernel_or_wrong_mapping_breaks_parity(tmp_path):
  """The parity checks are sensitive to the mistakes they guard against."""
  torch.manual_seed(5)
  ref = torch_reference.AuthorsSMCP(width=0.25).eval()
  model = pu.convert_authors_model(ref, str(tmp_path))
  support, masks, query = random_episode.episode(129, seed=7)
  expected = pu.to_nhwc(
      pu.torch_train_forward(ref, support, masks, query)['query'])
  args = (jnp.asarray(support), jnp.asarray(masks), jnp.asarray(query))
  assert numerics.max_rel_diff(pu.train_forward(model, *args)['query'],
                               expected) < TOL
  conv = model.encoder.conv3_1
  original = conv.kernel[...]
  conv.kernel[...] = jnp.swapaxes(original, 0, 1)  # kh <-> kw
  assert numerics.max_rel_diff(pu.train_forward(model, *args)['query'],
                               expected) > 1e-2
  conv.kernel[...] = original
  pyramid = model.head.pyramid
  pyramid.scale2, pyramid.scale4 = pyramid.scale4, pyramid.scale2
  assert numerics.max_rel_diff(pu.train_forward(model, *args)['query'],
                               expected) > 1e-2


# --- bad input ---------------------------------------------------------------


@pytest.fixture(scope='module')
def small_state():
  torch.manual_seed(6)
  ref = torch_reference.AuthorsSMCP(width=0.125)
  return {k: v.clone() for k, v in ref.state_dict().items()}


def _convert(state, tmp_path, module=smcp_checkpoint):
  pth = str(tmp_path / 'x.pth')
  torch.save(state, pth)
  with pytest.raises(SystemExit) as exit_info:
    module.main(['--pth', pth, '--out', str(tmp_path / 'out')])
  assert not (tmp_path / 'out').exists()  # nothing partial written
  return str(exit_info.value)


def test_missing_file_is_named(tmp_path):
  with pytest.raises(SystemExit, match='checkpoint not found.*nope.pth'):
    smcp_checkpoint.main(['--pth', str(tmp_path / 'nope.pth'),
                          '--out', str(tmp_path / 'out')])


def test_unreadable_file(tmp_path):
  (tmp_path / 'bad.pth').write_bytes(b'not a checkpoint')
  with pytest.raises(common.ConversionError, match='not a readable'):
    common.load_state_dict(str(tmp_path / 'bad.pth'))


def test_missing_unexpected_and_wrong_shape_keys_listed(small_state, tmp_path):
  state = dict(small_state)
  del state['pyramid_m.residule2.4.bias']
  state['pyramid_m.bogus.weight'] = torch.zeros(3)
  state['feat_rd.0.weight'] = torch.zeros(64, 64, 1, 1)
  message = _convert(state, tmp_path)
  assert 'missing (1): pyramid_m.residule2.4.bias' in message
  assert 'unexpected (1): pyramid_m.bogus.weight' in message
  assert ('wrong shape (1): feat_rd.0.weight: expected (64, 128, 3, 3), '
          'got (64, 64, 1, 1)') in message


def test_wrong_checkpoint_kind(small_state, tmp_path):
  tv_state = torch_reference.TorchvisionVGG16(width=0.125).state_dict()
  assert 'not an SMCP checkpoint' in _convert(tv_state, tmp_path)
  assert 'use python -m weights_conversion.torchvision_vgg16' in _convert(
      tv_state, tmp_path)
  message = _convert(small_state, tmp_path, module=torchvision_vgg16)
  assert 'SMCP checkpoint of the authors' in message
  assert 'classifier.conv2d_list.0.bias' in message
  assert 'python -m weights_conversion.smcp_checkpoint' in message


def test_written_files_follow_the_umask_and_need_overwrite(small_state,
                                                           tmp_path):
  pth, out = str(tmp_path / 'x.pth'), tmp_path / 'out'
  torch.save(small_state, pth)
  previous = os.umask(0o022)
  try:
    smcp_checkpoint.main(['--pth', pth, '--out', str(out)])
  finally:
    os.umask(previous)
  for name in (params_io.PARAMS_FILE, params_io.META_FILE):
    assert (out / name).stat().st_mode & 0o777 == 0o644, name
  before = (out / params_io.PARAMS_FILE).stat().st_mtime_ns
  with pytest.raises(SystemExit, match='already holds params.*--overwrite'):
    smcp_checkpoint.main(['--pth', pth, '--out', str(out)])
  assert (out / params_io.PARAMS_FILE).stat().st_mtime_ns == before
  smcp_checkpoint.main(['--pth', pth, '--out', str(out), '--overwrite'])


def test_assign_params_lists_mismatches(small_state):
  params, config = smcp_checkpoint.convert_state_dict(
      {k: v.numpy() for k, v in small_state.items()})
  from flax import nnx  # pylint: disable=g-import-not-at-top
  model = smcp.SMCP(**{**config, 'num_mcl_classes': 16}, rngs=nnx.Rngs(0))
  with pytest.raises(errors.ParamsMismatchError,
                     match=r'wrong shape \(8\).*mcl_classifier/branches/0/'):
    params_io.assign_params(model, params)
