# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Test protocols: where test episodes come from and how they are scored."""

# protocol -> (PASCAL split, COCO split, label resolution). The authors (and
# PANet) tested PASCAL on trainaug; their COCO path is broken, so COCO tests
# on val2014 by default (config.test.split='train2014' gives PANet's).
# 'val' is OSLSM / PFENet / HSNet's: VOC val, scored at the original size.
TEST_PROTOCOLS = {'authors': ('trainaug', 'val2014', 'resized'),
                  'val': ('val', 'val2014', 'original')}
# 'resized': the label at the network's input size; 'original': as stored.
LABEL_RESOLUTIONS = ('resized', 'original')


def protocol_defaults(protocol: str, dataset: str) -> tuple[str, str]:
  """(test split, label resolution) that `protocol` uses on `dataset`."""
  voc_split, coco_split, resolution = TEST_PROTOCOLS[protocol]
  return (coco_split if dataset == 'coco' else voc_split), resolution
