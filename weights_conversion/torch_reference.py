# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""PyTorch reference networks for the parity tests and the benchmarks.

`AuthorsSMCP` reproduces the authors' models/vgg.py + vgg_test.py layer by
layer (same module names, so its state_dict has the released checkpoints'
keys), with switches for the paper's variants. `TorchvisionVGG16Features`
has torchvision's `vgg16().features` layout and keys. Everything is NCHW and
randomly initialised (see `init_for_parity`): nothing is downloaded.
"""

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

# torchvision vgg16 'D' config.
_VGG16_CFG = (64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512,
              'M', 512, 512, 512, 'M')


def _scaled(c, width):
  return max(1, int(round(c * width)))


def init_for_parity(module: nn.Module) -> None:
  """He-normal weights and non-zero biases on every non-ASPP conv.

  PyTorch's default conv init shrinks the activation variance ~6x a layer,
  so deep features of a random VGG would be almost pure bias and a wrong
  kernel would go unnoticed. This keeps every weight visible in the output.
  """
  for m in module.modules():
    if isinstance(m, nn.Conv2d):
      nn.init.kaiming_normal_(m.weight, nonlinearity='relu')
      nn.init.uniform_(m.bias, -0.1, 0.1)


class TorchvisionVGG16(nn.Module):
  """torchvision.models.vgg16 layout (features + classifier keys)."""

  def __init__(self, width=1.0):
    super().__init__()
    layers, in_ch = [], 3
    for v in _VGG16_CFG:
      if v == 'M':
        layers.append(nn.MaxPool2d(2, 2))
      else:
        v = _scaled(v, width)
        layers += [nn.Conv2d(in_ch, v, 3, padding=1), nn.ReLU(inplace=True)]
        in_ch = v
    self.features = nn.Sequential(*layers)
    self.classifier = nn.Sequential(
        nn.Linear(in_ch * 7 * 7, 32), nn.ReLU(True), nn.Dropout(),
        nn.Linear(32, 32), nn.ReLU(True), nn.Dropout(), nn.Linear(32, 10))
    init_for_parity(self)


def largefov_features(tv_features, width=1.0):
  """The authors' encoder built from a torchvision features list (vgg.py)."""
  feats = list(tv_features.children())
  feats = feats[:23] + feats[24:30]  # drop pool4 (23) and pool5 (30)
  for idx in (23, 25, 27):  # conv5_x: dilation 2
    feats[idx].dilation, feats[idx].padding = (2, 2), (2, 2)
  c = _scaled(512, width)
  feats += [nn.Conv2d(c, c, 3, padding=4, dilation=4), nn.ReLU(True),
            nn.Conv2d(c, c, 3, padding=4, dilation=4), nn.ReLU(True)]
  return nn.Sequential(*feats)


class Classifier_Module(nn.Module):  # pylint: disable=invalid-name
  """The authors' ASPP: sum of four dilated 3x3 convs."""

  def __init__(self, in_ch, num_classes):
    super().__init__()
    self.conv2d_list = nn.ModuleList([
        nn.Conv2d(in_ch, num_classes, 3, padding=r, dilation=r)
        for r in (6, 12, 18, 24)])
    for m in self.conv2d_list:
      m.weight.data.normal_(0, 0.01)

  def forward(self, x):
    return sum(conv(x) for conv in self.conv2d_list)


class PyramidM(nn.Module):
  """The authors' pyramid module (vgg.py:10-74), feat_fuse optional."""

  def __init__(self, c, bottleneck, feat_fuse=True):
    super().__init__()
    conv_relu = lambda: nn.Sequential(nn.Conv2d(c, c, 3, padding=1),
                                      nn.ReLU(True))
    self.p1, self.p2, self.p3 = conv_relu(), conv_relu(), conv_relu()
    self.pool = nn.AvgPool2d(3, 2, 1)
    self.feat_fuse = (
        nn.Sequential(nn.Conv2d(c, c, 3, padding=1), nn.ReLU(True),
                      nn.Conv2d(c, c, 3, padding=1), nn.ReLU(True))
        if feat_fuse else None)
    block = lambda: nn.Sequential(
        nn.Conv2d(c, bottleneck, 1), nn.ReLU(True),
        nn.Conv2d(bottleneck, bottleneck, 3, padding=1), nn.ReLU(True),
        nn.Conv2d(bottleneck, c, 1))
    self.residule1, self.residule2 = block(), block()

  def forward(self, x):
    size = x.shape[-2:]
    up = lambda t: F.interpolate(t, size=size, mode='bilinear',
                                 align_corners=False)
    half = self.pool(x)
    y = self.p1(x) + up(self.p2(half)) + up(self.p3(self.pool(half)))
    if self.feat_fuse is not None:
      y = self.feat_fuse(y)
    y = F.relu(y + self.residule1(y))
    return F.relu(y + self.residule2(y))


def masked_average_pooling(feats, masks, eps=1e-5):
  """The literal eq. 1: upsample features to the mask, then pool (NCHW)."""
  up = F.interpolate(feats, size=masks.shape[-2:], mode='bilinear',
                     align_corners=False)
  return (up * masks[:, None]).sum((2, 3)) / (masks.sum((1, 2))[:, None] + eps)


class AuthorsSMCP(nn.Module):
  """The authors' SMCP; defaults reproduce their code, flags give the paper.

  Args:
    width: channel multiplier (1.0 is theirs).
    num_mcl: multi-class head outputs (21 in their code).
    feat_fuse: their two extra convs in the pyramid.
    use_pff: False gives the base network (feat_rd -> classifier_2).
    support_pyramid: False = their code (self-prototype branch skips the PFF).
    imagenet_vgg: a TorchvisionVGG16 whose convs the encoder takes (shared).
  """

  def __init__(self, width=1.0, num_mcl=21, feat_fuse=True, use_pff=True,
               support_pyramid=False, imagenet_vgg=None):
    super().__init__()
    imagenet_vgg = imagenet_vgg or TorchvisionVGG16(width)
    self.features = largefov_features(imagenet_vgg.features, width)
    c = _scaled(512, width)
    self.feat_rd = nn.Sequential(nn.Conv2d(2 * c, c, 3, padding=1),
                                 nn.ReLU(True))
    self.pyramid_m = (PyramidM(c, _scaled(64, width), feat_fuse)
                      if use_pff else None)
    # The VGG convs come initialised (and maybe shared); init the new layers.
    for new_layer in (*self.features[-4:], self.feat_rd, self.pyramid_m):
      if new_layer is not None:
        init_for_parity(new_layer)
    # The ASPP heads keep the authors' N(0, 0.01) init.
    self.classifier = Classifier_Module(c, num_mcl)
    self.classifier_2 = Classifier_Module(c, 2)
    self.support_pyramid = support_pyramid

  def head(self, feats, proto, pyramid=True):
    tiled = proto[:, :, None, None].expand_as(feats)
    x = self.feat_rd(torch.cat([feats, tiled], 1))
    if self.pyramid_m is not None and pyramid:
      x = self.pyramid_m(x)
    return self.classifier_2(x)

  def forward(self, support, support_mask, query):
    """Training forward, one shot: support (B,3,H,W), support_mask (B,H,W)."""
    fs, fq = self.features(support), self.features(query)
    proto = masked_average_pooling(fs, support_mask)
    return {'query': self.head(fq, proto),
            'support': self.head(fs, proto, pyramid=self.support_pyramid),
            'query_mcl': self.classifier(fq),
            'support_mcl': self.classifier(fs)}

  def infer(self, supports, support_masks, query, mode='fused',
            empty_fallback=False):
    """vgg_test.py with k shots: supports (B,K,3,H,W), masks (B,K,H,W)."""
    b, k = supports.shape[:2]
    fs = self.features(supports.flatten(0, 1))
    protos = masked_average_pooling(fs, support_masks.flatten(0, 1))
    protos = protos.view(b, k, -1)
    support_proto = protos.mean(1)
    fq = self.features(query)
    first = self.head(fq, support_proto)
    if mode == 'support':
      return first, None
    probs = F.interpolate(F.softmax(first, 1), size=query.shape[-2:],
                          mode='bilinear', align_corners=False)
    pseudo = (probs[:, 1] > probs[:, 0]).float()
    pseudo_proto = masked_average_pooling(fq, pseudo)
    if mode == 'pseudo':
      proto = pseudo_proto
    else:
      proto = (protos.sum(1) + pseudo_proto) / (k + 1)
    if empty_fallback:
      empty = pseudo.sum((1, 2)) == 0
      proto = torch.where(empty[:, None], support_proto, proto)
    return self.head(fq, proto), pseudo


def save_as_authors_checkpoint(module: torch.nn.Module, path: str) -> None:
  """Saves like the authors: DataParallel's 'module.' prefix on every key."""
  torch.save({f'module.{k}': v for k, v in module.state_dict().items()}, path)


def to_torch_images(x: np.ndarray) -> torch.Tensor:
  """(..., H, W, 3) numpy -> (..., 3, H, W) torch."""
  return torch.from_numpy(np.moveaxis(x, -1, -3).copy())
