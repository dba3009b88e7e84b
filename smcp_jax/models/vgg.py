# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""VGG-16 DeepLab-LargeFOV encoder (output stride 8), as used by SMCP.

torchvision VGG-16 convolutions with pool4 and pool5 removed, conv5_x dilated
by 2, and fc6/fc7 replaced by two 3x3 convs of 512 channels dilated by 4
(paper IV-B). A 417x417 input gives a 52x52x512 feature map.
"""

from flax import nnx
import jax
import jax.numpy as jnp

from smcp_jax.models import layers
from smcp_jax.ops import max_pool

# (name, output channels, dilation); 'pool' is a 2x2/2 max-pool.
VGG16_LAYOUT = (
    ('conv1_1', 64, 1), ('conv1_2', 64, 1), 'pool',
    ('conv2_1', 128, 1), ('conv2_2', 128, 1), 'pool',
    ('conv3_1', 256, 1), ('conv3_2', 256, 1), ('conv3_3', 256, 1), 'pool',
    ('conv4_1', 512, 1), ('conv4_2', 512, 1), ('conv4_3', 512, 1),
    ('conv5_1', 512, 2), ('conv5_2', 512, 2), ('conv5_3', 512, 2),
)
CONV_NAMES = tuple(l[0] for l in VGG16_LAYOUT if l != 'pool')
HEAD_NAMES = ('fc6', 'fc7')


def feature_size(image_size: int) -> int:
  """Spatial size of the encoder output for an input side length."""
  return image_size // 2 // 2 // 2


class VGG16LargeFOV(nnx.Module):
  """The encoder E of the paper. Returns features (B, h, w, 512 * width)."""

  def __init__(self, *, width: float = 1.0, dtype=None,
               conv_impl=layers.DEFAULT_CONV, rngs: nnx.Rngs):
    in_ch = 3
    for item in VGG16_LAYOUT:
      if item == 'pool':
        continue
      name, out_ch, dilation = item
      out_ch = layers.scaled(out_ch, width)
      setattr(self, name, layers.conv(
          in_ch, out_ch, dilation=dilation, kernel_init=layers.vgg_kernel_init,
          bias_init=layers.zeros_init, dtype=dtype, conv_impl=conv_impl,
          rngs=rngs))
      in_ch = out_ch
    self.out_features = layers.scaled(512, width)
    # fc6/fc7 are new layers: PyTorch default init, as the authors'.
    self.fc6 = layers.conv(in_ch, self.out_features, dilation=4, dtype=dtype,
                           conv_impl=conv_impl, rngs=rngs)
    self.fc7 = layers.conv(self.out_features, self.out_features, dilation=4,
                           dtype=dtype, conv_impl=conv_impl, rngs=rngs)

  def conv_features(self, images: jnp.ndarray) -> jnp.ndarray:
    """conv5_3's output: what ImageNet (or the toy's pretraining) trains."""
    x = images
    for item in VGG16_LAYOUT:
      if item == 'pool':
        x = max_pool.max_pool2(x)
      else:
        x = jax.nn.relu(getattr(self, item[0])(x))
    return x

  def __call__(self, images: jnp.ndarray) -> jnp.ndarray:
    x = jax.nn.relu(self.fc6(self.conv_features(images)))
    return jax.nn.relu(self.fc7(x))
