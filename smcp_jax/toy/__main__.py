# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Generates the toy data set.

  python -m smcp_jax.toy --out data/toy
  python -m smcp_jax.toy --out data/toy_fss --layout fss1000
"""

import os

from absl import flags

from smcp_jax.cli import arguments
from smcp_jax.cli import launcher
from smcp_jax.toy import fss_layout
from smcp_jax.toy import generate

FLAGS = flags.FlagValues()
_OUT = flags.DEFINE_string('out', None, 'output folder', required=True,
                           flag_values=FLAGS)
_NUM_TRAIN = flags.DEFINE_integer('num_train', 2400, 'training images',
                                  flag_values=FLAGS)
_NUM_VAL = flags.DEFINE_integer('num_val', 600, 'validation images',
                                flag_values=FLAGS)
_SIZE = flags.DEFINE_integer('size', 128, 'image side', flag_values=FLAGS)
_SEED = flags.DEFINE_integer('seed', 0, 'random seed', flag_values=FLAGS)
_LAYOUT = flags.DEFINE_enum(
    'layout', 'voc', ['voc', 'fss1000'], "fss1000: also write FSS-1000's "
    'layout, a folder per class, with class lists (toy/fss_layout.py)',
    flag_values=FLAGS)
arguments.add_hyphenated_aliases(FLAGS)


def run(argv) -> None:
  del argv
  out = _OUT.value
  root = generate.generate(out, num_train=_NUM_TRAIN.value,
                           num_val=_NUM_VAL.value, size=_SIZE.value,
                           seed=_SEED.value)
  print(f'wrote the toy data set to {root}')
  if _LAYOUT.value == 'fss1000':
    fss = fss_layout.write_fss_layout(root, out)
    print(f'wrote its FSS-1000 layout to {fss} (class lists: '
          f'{os.path.join(out, "splits")})')


def main(argv=None):
  launcher.main(run, FLAGS, argv, uses_jax=False)


if __name__ == '__main__':
  main()
