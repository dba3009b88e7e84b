# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Makes a custom data set in another layout the custom VOC layout
(data/readers/custom.py), once:

  python -m smcp_jax.custom_layout --from coco --root ROOT
      COCO instances JSON (ROOT/annotations/train.json and val.json,
      ROOT/JPEGImages, ROOT/classes.txt): labels rasterised in place
  python -m smcp_jax.custom_layout --from folders --root IN --out OUT
      a folder per class of images and binary masks (FSS-1000's layout)

docs/custom_data.md shows both.
"""

from absl import flags

from smcp_jax.cli import arguments
from smcp_jax.cli import launcher
from smcp_jax.errors import UserError

FLAGS = flags.FlagValues()
_FROM = flags.DEFINE_enum('from', None, ['coco', 'folders'], 'the layout '
                          'ROOT is in', required=True, flag_values=FLAGS)
_ROOT = flags.DEFINE_string('root', None, 'the data set', required=True,
                            flag_values=FLAGS)
_OUT = flags.DEFINE_string('out', '', 'folders: where the VOC layout goes',
                           flag_values=FLAGS)
arguments.add_hyphenated_aliases(FLAGS)


def run(argv) -> None:
  del argv
  # pylint: disable=g-import-not-at-top
  from smcp_jax.data.readers import custom_coco
  from smcp_jax.data.readers import custom_folders
  if _FROM.value == 'coco':
    for split in ('train', 'val'):
      written = custom_coco.rasterise(_ROOT.value, split)
      print(f'{split}: wrote {written} label PNGs and the list')
    return
  if not _OUT.value:
    raise UserError('--from folders needs --out, a new folder for the VOC '
                    'layout (the images are copied there)')
  classes, images = custom_folders.convert(_ROOT.value, _OUT.value)
  print(f'wrote {images} images of {classes} classes to {_OUT.value}; each '
        'mask names one class, so train it with '
        '--config.model.use_mcl=false')


def main(argv=None):
  launcher.main(run, FLAGS, argv, uses_jax=False)


if __name__ == '__main__':
  main()
