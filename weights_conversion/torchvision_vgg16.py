# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
r"""Converts torchvision's ImageNet VGG-16 to smcp-jax encoder parameters.

  python -m weights_conversion.torchvision_vgg16 \
      --pth vgg16-397923af.pth --out weights/vgg16_imagenet

The .pth is torchvision's `VGG16_Weights.IMAGENET1K_V1` file: it is in your
torch cache (~/.cache/torch/hub/checkpoints/) if you ever ran
`torchvision.models.vgg16(weights='IMAGENET1K_V1')`, or at
https://download.pytorch.org/models/vgg16-397923af.pth. Nothing here
downloads it. Point `config.train.init_from` at the output directory.
"""

from smcp_jax.cli import launcher
from smcp_jax.models import vgg
from weights_conversion import common

FLAGS = common.define_flags()

# torchvision `features` indices of conv1_1..conv5_3 (pools at 4, 9, 16, 23, 30).
TORCHVISION_CONV_INDICES = (0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28)
# Modules only the authors' SMCP network has (the fusion head, the ASPPs).
SMCP_ONLY_PREFIXES = ('feat_rd.', 'classifier.conv2d_list.')


def convert_state_dict(state):
  """torchvision VGG-16 state dict -> (flat encoder params, model config)."""
  smcp_keys = sorted(k for k in state if k.startswith(SMCP_ONLY_PREFIXES))
  if smcp_keys:
    raise common.ConversionError(
        f'this is an SMCP checkpoint of the authors (it has {smcp_keys[0]}'
        ', ...), not torchvision\'s VGG-16: convert it with python -m '
        'weights_conversion.smcp_checkpoint')
  width = common.infer_width(state, 'features.0')
  model_config = {'width': width}
  expected = {k: v for k, v in common.expected_param_shapes(model_config).items()
              if k.startswith('encoder/conv')}
  conv_map = {f'features.{i}': f'encoder/{name}'
              for i, name in zip(TORCHVISION_CONV_INDICES, vgg.CONV_NAMES)}
  params = common.convert(state, conv_map, expected,
                          ignored_prefixes=('classifier.',))
  return params, model_config


def run(argv) -> None:
  del argv
  common.convert_file(FLAGS, convert_state_dict=convert_state_dict,
                      scope='backbone', source='torchvision',)


def main(argv=None):
  launcher.main(run, FLAGS, argv, uses_jax=False)


if __name__ == '__main__':
  main()
