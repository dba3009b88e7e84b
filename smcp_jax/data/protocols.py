# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The field's test protocols: where test episodes come from, how many,
with which seeds, at which resolution, and how they are scored.

Read from each codebase's own test code (docs/protocols.md):
  authors  PANet's, which the SMCP authors use: trainaug episodes (COCO:
           val2014 here, train2014 in PANet; config.test.split changes it),
           5 runs x 1000, seeds 1234 + run, 417x417 squashed (labels by
           PIL's nearest rule), scored against the resized label; a class
           adds an episode's counts only where the label holds it.
  pfenet   VOC val: each image holding a test class of >= 2048 pixels is a
           query in turn (sorted), its class drawn among the test classes
           it holds, supports from that class's images of >= 2048 pixels;
           5001 episodes (COCO 20001: its loop checks the count before
           counting; at most 20 passes over the queries), one run, seed
           321; long side to 473 (floored to a
           multiple of 8, in its floating-point arithmetic), pasted on a
           473x473 canvas (label padding 255, labels by cv2's nearest
           rule); logits upsampled with align_corners=True and scored at
           the original resolution, padded square; every episode adds its
           intersection and union to its class.
  hsnet    VOC val: every (image, test class) pair in turn (COCO: class,
           then image, at random), 1000 episodes, one run, seed 0;
           400x400 squashed (labels by torch's nearest rule), scored
           against the resized label, every episode counted. FSS-1000
           (tested by HSNet only): each image of the test classes is the
           query once, 2400 episodes.
  bam      PFENet's episodes and scoring at exactly 1000 per run (its loop
           checks before counting), 5 runs with BAM's seeds (510, 365, 382,
           322, 988); the mean and the best run reported.
  val      the name before the protocols had theirs: pfenet.

What cannot be replayed: the other codebases' own random generators and
worker seeding (PFENet and BAM draw in PyTorch workers), so their episodes
follow their rules, not their exact lists; HSNet's fold lists are its own
files (ours: all pairs); PFENet/BAM resize images with cv2 (LINEAR, no
antialiasing), we with PIL; HSNet's network upsamples inside the model
(ours: the authors' network, align_corners=False).

On the toy set, whose images are about a third of PASCAL's, and on a
custom set, sizes scale by data.image_size / 417 and the area filter by its
square; a custom set tests on its val list under every protocol.
"""

import dataclasses

PASCAL_SIZE = 417  # the authors' input size, the reference for scaling
LABEL_RESOLUTIONS = ('resized', 'original')  # scored label: input size | stored
RESIZES = ('squash', 'pad')  # to a square | long side, pasted top-left
QUERY_ORDERS = ('random', 'sequential', 'pairs')
# Which episodes add to a class's counts: those whose scored label holds
# it (PANet's Metric) | every episode of the class (PFENet, HSNet, BAM).
SCORINGS = ('present', 'every')
# The logits' upsampling to the scored label: align_corners False | True.
UPSAMPLINGS = ('half_pixel', 'corners')


@dataclasses.dataclass(frozen=True)
class Protocol:
  """One codebase's test rules. Per-data-set values are (PASCAL, COCO,
  FSS-1000); None where the codebase does not test that data set."""
  splits: tuple[str, str, str | None]
  episodes: tuple[int, int, int | None]
  seeds: tuple[int, ...]  # one per run; 'authors' counts from config.seed
  image_size: int
  resize: str
  label_resolution: str
  min_area: int  # pixels of the class in a query / support, original size
  query_order: tuple[str, str, str | None]
  label_nearest: str  # transforms.NEAREST_RULES
  scoring: str  # SCORINGS
  upsample: str  # UPSAMPLINGS
  report_best: bool = False  # also the best run (BAM prints it)
  # Most passes over the query list (PFENet's loop stops after 20, so a
  # list of under 251 queries gives fewer than 5001 episodes).
  max_passes: int | None = None


PROTOCOLS = {
    'authors': Protocol(('trainaug', 'val2014', None), (1000, 1000, None),
                        (0, 1, 2, 3, 4), 417, 'squash', 'resized', 0,
                        ('random', 'random', None), 'pil', 'present',
                        'half_pixel'),
    'pfenet': Protocol(('val', 'val2014', None), (5001, 20001, None), (321,),
                       473, 'pad', 'original', 2048,
                       ('sequential', 'sequential', None), 'cv2', 'every',
                       'corners', max_passes=20),
    # FSS-1000: every test image is the query once (10 per class).
    'hsnet': Protocol(('val', 'val2014', 'test'), (1000, 1000, 2400), (0,),
                      400, 'squash', 'resized', 0,
                      ('pairs', 'random', 'pairs'), 'torch', 'every',
                      'half_pixel'),
    'bam': Protocol(('val', 'val2014', None), (1000, 1000, None),
                    (510, 365, 382, 322, 988), 473, 'pad', 'original', 2048,
                    ('sequential', 'sequential', None), 'cv2', 'every',
                    'corners', report_best=True),
}
ALIASES = {'val': 'pfenet'}
NAMES = tuple(PROTOCOLS) + tuple(ALIASES)

# test.<field>: its "not set" value, which the protocol then fills.
UNSET = {'split': '', 'label_resolution': '', 'episodes': 0, 'runs': 0,
         'seeds': '', 'image_size': 0, 'resize': '', 'min_area': -1,
         'query_order': '', 'label_nearest': '', 'scoring': '',
         'upsample': ''}


def get(name: str) -> Protocol:
  return PROTOCOLS[ALIASES.get(name, name)]


def parse_seeds(seeds: str) -> tuple[int, ...]:
  """'510,365' -> (510, 365); ValueError names the bad part."""
  try:
    return tuple(int(s) for s in seeds.split(','))
  except ValueError:
    raise ValueError(f'test.seeds must be integers separated by commas, got '
                     f'{seeds!r}') from None


def defaults(name: str, dataset: str, *, image_size: int, seed: int,
             runs: int = 0) -> dict:
  """The test.* values protocol `name` gives on `dataset`, for a network
  trained at `image_size` with `config.seed` = `seed`; `runs` (0: the
  protocol's) picks how many seeds."""
  protocol = get(name)
  which = {'coco': 1, 'fss1000': 2}.get(dataset, 0)
  if protocol.splits[which] is None:
    raise ValueError(f'the {name} protocol does not test {dataset}; '
                     'FSS-1000 is tested under hsnet\'s')
  # The toy and custom sets test at their own training size: the
  # protocol's sizes and area filter scale with it (1 at 417 px).
  scale = image_size / PASCAL_SIZE if dataset in ('toy', 'custom') else 1.0
  seeds = protocol.seeds
  if name == 'authors':
    seeds = tuple(seed + s for s in seeds)
  if runs:
    if runs > len(seeds) and len(seeds) > 1:
      raise ValueError(f'the {name} protocol has {len(seeds)} seeds; for '
                       f'{runs} runs set config.test.seeds too')
    seeds = (seeds if len(seeds) > 1
             else tuple(seeds[0] + r for r in range(runs)))[:runs]
  return {
      # A custom data set's test images are its val list, whatever the
      # protocol (test.split=train tests on the training list, as PANet).
      'split': 'val' if dataset == 'custom' else protocol.splits[which],
      'label_resolution': protocol.label_resolution,
      'episodes': protocol.episodes[which],
      'runs': len(seeds),
      'seeds': ','.join(map(str, seeds)),
      'image_size': (image_size if name == 'authors'
                     else max(8, round(protocol.image_size * scale))),
      'resize': protocol.resize,
      'min_area': round(protocol.min_area * scale**2),
      'query_order': protocol.query_order[which],
      'label_nearest': protocol.label_nearest,
      'scoring': protocol.scoring,
      'upsample': protocol.upsample,
  }
