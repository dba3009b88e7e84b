# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Rasterises COCO's instance annotations into semantic label PNGs, once,
for training from the folders (data/readers/coco.py).

  python -m smcp_jax.coco_labels --root data/coco
"""

from absl import flags

from smcp_jax.cli import arguments
from smcp_jax.cli import launcher
from smcp_jax.data.readers import coco

FLAGS = flags.FlagValues()
_ROOT = flags.DEFINE_string('root', None, 'folder with annotations/',
                            required=True, flag_values=FLAGS)
_SPLITS = flags.DEFINE_multi_enum('splits', list(coco.SPLITS), coco.SPLITS,
                                  'the splits to rasterise', flag_values=FLAGS)
arguments.add_hyphenated_aliases(FLAGS)


def _parse(flag_values, argv):
  """arguments.parse, also taking --splits a b as earlier versions did."""
  return arguments.parse(flag_values, arguments.spread(argv, ('splits',)))


def run(argv) -> None:
  del argv
  source = coco.COCO20i(_ROOT.value)
  for split in _SPLITS.value:
    print(f'{split}: wrote {source.prepare_labels(split)} label PNGs')


def main(argv=None):
  launcher.main(run, FLAGS, argv, parse=_parse, uses_jax=False)


if __name__ == '__main__':
  main()
