# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Pretrains the toy's narrow encoder on the toy's "ImageNet".

  python -m smcp_jax.toy.encoder --out weights/toy_vgg16

The paper starts from ImageNet VGG-16; the toy demo starts from this: the
encoder's conv1_1..conv5_3 (configs/toy.py's width) trained to segment the
pretraining set of toy/pretrain_set.py (no toy class in it) into each
pixel's shape, colour and texture, through 1x1 heads on conv5_3. Only the
13 convs are written, in the format of converted torchvision weights
(params_io, scope 'backbone'), so `train.init_from` loads either; fc6/fc7
and the heads start from random init in the demo, as in the paper. On one
machine (CPU, the same jax build) the output is the same bit for bit:
images, init and batches are seeded, and XLA's CPU kernels are
deterministic.
"""

import hashlib
import os
import time

from absl import flags
from flax import nnx
import jax.numpy as jnp
import numpy as np
import optax
import tqdm

from smcp_jax import errors
from smcp_jax.checkpoints import params_io
from smcp_jax.cli import arguments
from smcp_jax.cli import launcher
from smcp_jax.data.pipeline import transforms
from smcp_jax.models import layers
from smcp_jax.models import vgg
from smcp_jax.toy import pretrain_set
from smcp_jax.train import losses

FLAGS = flags.FlagValues()
flags.DEFINE_string('out', None, 'params directory', required=True,
                    flag_values=FLAGS)
flags.DEFINE_float('width', 0.25, 'network width', flag_values=FLAGS)
flags.DEFINE_integer('size', 97, 'image side', flag_values=FLAGS)
flags.DEFINE_integer('num_images', 12000, 'pretraining images',
                     flag_values=FLAGS)
flags.DEFINE_integer('steps', 1000, 'training steps', flag_values=FLAGS)
flags.DEFINE_integer('batch', 32, 'images per step', flag_values=FLAGS)
flags.DEFINE_float('lr', 1e-3, 'Adam learning rate', flag_values=FLAGS)
flags.DEFINE_integer('seed', 0, 'random seed', flag_values=FLAGS)
arguments.add_hyphenated_aliases(FLAGS)


class PretrainNet(nnx.Module):
  """The encoder's convs and one 1x1 classifier per labelled factor."""

  def __init__(self, width: float, *, rngs: nnx.Rngs):
    self.encoder = vgg.VGG16LargeFOV(width=width, rngs=rngs)
    channels = layers.scaled(512, width)
    for name, size in pretrain_set.HEAD_SIZES.items():
      setattr(self, f'{name}_head',
              layers.conv(channels, size, kernel_size=1, rngs=rngs))

  def __call__(self, images):
    features = self.encoder.conv_features(images)
    return {name: getattr(self, f'{name}_head')(features)
            for name in pretrain_set.HEAD_SIZES}


def loss_fn(model, images, factor_labels):
  logits = model(images)
  terms = {name: losses.cross_entropy(logits[name], factor_labels[..., i])
           for i, name in enumerate(pretrain_set.HEAD_SIZES)}
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
  images, factor_labels = pretrain_set.make_set(num_images, seed=seed,
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


def run(argv) -> None:
  del argv
  try:  # before minutes of training, not after
    os.makedirs(FLAGS.out, exist_ok=True)
  except OSError as e:
    raise errors.UserError(
        f'--out {FLAGS.out} cannot be made: {e.strerror}') from None
  if not os.access(FLAGS.out, os.W_OK):
    raise errors.UserError(f'--out {FLAGS.out} is not writable')
  start = time.time()
  params, _ = pretrain(width=FLAGS.width, size=FLAGS.size,
                       num_images=FLAGS.num_images, steps=FLAGS.steps,
                       batch=FLAGS.batch, lr=FLAGS.lr, seed=FLAGS.seed)
  params_io.save_params(FLAGS.out, params, model_config={'width': FLAGS.width},
                        scope='backbone', source='toy_pretrain')
  with open(os.path.join(FLAGS.out, params_io.PARAMS_FILE), 'rb') as f:
    digest = hashlib.sha256(f.read()).hexdigest()
  print(f'wrote {FLAGS.out} in {time.time() - start:.0f} s; '
        f'{params_io.PARAMS_FILE} sha256 {digest}')


def main(argv=None):
  launcher.main(run, FLAGS, argv)


if __name__ == '__main__':
  main()
