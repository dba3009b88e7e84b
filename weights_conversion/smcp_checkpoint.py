# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Converts the authors' released SMCP PyTorch checkpoints to smcp-jax.

  python -m weights_conversion.smcp_checkpoint --pth 25000.pth --out DIR

The checkpoints are `model.state_dict()` of the model wrapped in
nn.DataParallel (keys start with 'module.'). Their network is the code's
variant: PFF with the two extra `feat_fuse` convs, a 21-way (81 for COCO)
multi-class head, and the self-prototype branch skipping the PFF. The output
is a full params directory that `evaluate` and `predict` accept.
"""

from smcp_jax.cli import launcher
from smcp_jax.models import heads
from smcp_jax.models import vgg
from weights_conversion import common

FLAGS = common.define_flags()

# How the authors test (their vgg_test.py): 417x417 inputs, and an empty
# pseudo-mask gives a zero pseudo-prototype.
AUTHORS_INFERENCE = {'image_size': 417, 'empty_pseudo_mask': 'zero'}
# Authors' `features` indices (pool4 removed): conv1_1..conv5_3, fc6, fc7.
AUTHORS_FEATURE_INDICES = (0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 23, 25, 27,
                           29, 31)


def _aspp_map(torch_name, flax_path):
  return {f'{torch_name}.conv2d_list.{i}': f'{flax_path}/branches/{i}'
          for i in range(len(heads.ASPP_RATES))}


def conv_map(*, use_pff: bool, pff_extra_convs: bool) -> dict[str, str]:
  """The authors' module names -> smcp-jax module paths."""
  names = vgg.CONV_NAMES + vgg.HEAD_NAMES
  mapping = {f'features.{i}': f'encoder/{name}'
             for i, name in zip(AUTHORS_FEATURE_INDICES, names)}
  mapping.update(_aspp_map('classifier', 'mcl_classifier'))
  mapping.update(_aspp_map('classifier_2', 'head/classifier'))
  mapping['feat_rd.0'] = 'head/reduce'
  if not use_pff:
    return mapping
  for torch_name, flax_name in (('p1', 'scale1'), ('p2', 'scale2'),
                                ('p3', 'scale4')):
    mapping[f'pyramid_m.{torch_name}.0'] = f'head/pyramid/{flax_name}'
  if pff_extra_convs:
    mapping['pyramid_m.feat_fuse.0'] = 'head/pyramid/extra_convs/0'
    mapping['pyramid_m.feat_fuse.2'] = 'head/pyramid/extra_convs/1'
  for block in (1, 2):
    for index, flax_name in ((0, 'reduce'), (2, 'conv'), (4, 'expand')):
      mapping[f'pyramid_m.residule{block}.{index}'] = (
          f'head/pyramid/residual{block}/{flax_name}')
  return mapping


def convert_state_dict(state):
  """Authors' state dict -> (flat full params, SMCP constructor config).

  The released checkpoints have the PFF with `feat_fuse`; state dicts of the
  same code without `feat_fuse` (the paper's PFF) or without `pyramid_m`
  (the base network) convert too. The self-prototype branch setting is the
  authors' (it only matters for training).
  """
  mcl_key = 'classifier.conv2d_list.0.weight'
  if mcl_key not in state:
    hint = (': for torchvision\'s VGG-16 use python -m '
            'weights_conversion.torchvision_vgg16'
            if 'features.0.weight' in state else '')
    raise common.ConversionError(
        f'missing key {mcl_key!r}: not an SMCP checkpoint of the authors'
        + hint)
  model_config = {
      'width': common.infer_width(state, 'features.0'),
      'num_mcl_classes': int(state[mcl_key].shape[0]),
      'use_mcl': True,
      'use_pff': any(k.startswith('pyramid_m.') for k in state),
      'pff_extra_convs': any(k.startswith('pyramid_m.feat_fuse.')
                             for k in state),
      'support_branch_uses_pff': False,
  }
  mapping = conv_map(use_pff=model_config['use_pff'],
                     pff_extra_convs=model_config['pff_extra_convs'])
  params = common.convert(state, mapping,
                          common.expected_param_shapes(model_config))
  return params, model_config


def run(argv) -> None:
  del argv
  common.convert_file(FLAGS, convert_state_dict=convert_state_dict,
                      scope='full', source='smcp-authors',
                      inference=AUTHORS_INFERENCE)


def main(argv=None):
  launcher.main(run, FLAGS, argv, uses_jax=False)


if __name__ == '__main__':
  main()
