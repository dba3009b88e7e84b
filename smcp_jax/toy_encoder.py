# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Pretrains the toy's narrow encoder on the toy's "ImageNet".

  python -m smcp_jax.toy_encoder --out weights/toy_vgg16

The paper starts from ImageNet VGG-16; the toy demo starts from this: the
encoder's conv1_1..conv5_3 (configs/toy.py's width) trained to segment the
pretraining set of data/toy_pretrain.py (no toy class in it) into each
pixel's shape, colour and texture, through 1x1 heads on conv5_3. Only the
13 convs are written, in the format of converted torchvision weights
(params_io, scope 'backbone'), so `train.init_from` loads either; fc6/fc7
and the heads start from random init in the demo, as in the paper. On one
machine (CPU, the same jax build) the output is the same bit for bit:
images, init and batches are seeded, and XLA's CPU kernels are
deterministic.
"""

import argparse
import hashlib
import os
import sys
import time

from flax import nnx
import jax.numpy as jnp
import numpy as np
import optax
import tqdm

from smcp_jax import losses
from smcp_jax import params_io
from smcp_jax.data import toy_pretrain
from smcp_jax.data import transforms
from smcp_jax.models import layers
from smcp_jax.models import vgg


class PretrainNet(nnx.Module):
  """The encoder's convs and one 1x1 classifier per labelled factor."""

  def __init__(self, width: float, *, rngs: nnx.Rngs):
    self.encoder = vgg.VGG16LargeFOV(width=width, rngs=rngs)
    channels = layers.scaled(512, width)
    for name, size in toy_pretrain.HEAD_SIZES.items():
      setattr(self, f'{name}_head',
              layers.conv(channels, size, kernel_size=1, rngs=rngs))

  def __call__(self, images):
    features = self.encoder.conv_features(images)
    return {name: getattr(self, f'{name}_head')(features)
            for name in toy_pretrain.HEAD_SIZES}


def loss_fn(model, images, factor_labels):
  logits = model(images)
  terms = {name: losses.cross_entropy(logits[name], factor_labels[..., i])
           for i, name in enumerate(toy_pretrain.HEAD_SIZES)}
  return sum(terms.values()), terms


@nnx.jit
def train_step(model, optimizer, images, factor_labels):
  grad_fn = nnx.value_and_grad(loss_fn, has_aux=True)
  (loss, terms), grads = grad_fn(model, images, factor_labels)
  optimizer.update(model, grads)
  return loss, terms


def pretrain(*, width: float, size: int, num_images: int, steps: int,
             batch: int, lr: float, seed: int):
  """Trains; returns (flat encoder conv params, the loss of every step)."""
  images, factor_labels = toy_pretrain.make_set(num_images, seed=seed,
                                                size=size)
  model = PretrainNet(width, rngs=nnx.Rngs(seed))
  schedule = optax.warmup_cosine_decay_schedule(0.0, lr, steps // 20, steps)
  optimizer = nnx.Optimizer(model, optax.adam(schedule), wrt=nnx.Param)
  order = np.random.default_rng(seed)
  curve = []
  bar = tqdm.trange(steps, desc='pretrain', unit='step')
  for step in bar:
    index = order.choice(num_images, batch, replace=False)
    loss, terms = train_step(model, optimizer,
                             jnp.asarray(transforms.normalize(images[index])),
                             jnp.asarray(factor_labels[index], jnp.int32))
    curve.append(loss)
    if step % 20 == 0:
      bar.set_postfix({k: f'{float(v):.3f}' for k, v in terms.items()})
  prefix = params_io.SCOPES['backbone']
  return ({k: v for k, v in params_io.model_params(model).items()
           if k.startswith(prefix)}, [float(l) for l in curve])


def main(argv=None):
  parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  parser.add_argument('--out', required=True, help='params directory')
  parser.add_argument('--width', type=float, default=0.25)
  parser.add_argument('--size', type=int, default=97)
  parser.add_argument('--num_images', type=int, default=12000)
  parser.add_argument('--steps', type=int, default=1000)
  parser.add_argument('--batch', type=int, default=32)
  parser.add_argument('--lr', type=float, default=1e-3)
  parser.add_argument('--seed', type=int, default=0)
  args = parser.parse_args(argv)
  try:  # before minutes of training, not after
    os.makedirs(args.out, exist_ok=True)
  except OSError as e:
    sys.exit(f'error: --out {args.out} cannot be made: {e.strerror}')
  if not os.access(args.out, os.W_OK):
    sys.exit(f'error: --out {args.out} is not writable')
  start = time.time()
  params, _ = pretrain(width=args.width, size=args.size,
                       num_images=args.num_images, steps=args.steps,
                       batch=args.batch, lr=args.lr, seed=args.seed)
  params_io.save_params(args.out, params, model_config={'width': args.width},
                        scope='backbone', source='toy_pretrain')
  with open(os.path.join(args.out, params_io.PARAMS_FILE), 'rb') as f:
    digest = hashlib.sha256(f.read()).hexdigest()
  print(f'wrote {args.out} in {time.time() - start:.0f} s; '
        f'{params_io.PARAMS_FILE} sha256 {digest}')


if __name__ == '__main__':
  main()
