# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The VOC-layout reader: a missing root or list, bad files named."""

import os

import numpy as np
import pytest

from smcp_jax.data.readers import pascal
from smcp_jax.data.readers import voc_format
from smcp_jax.errors import DataError


def test_missing_root_and_list(tmp_path, broken_root):
  with pytest.raises(DataError, match='does not exist.*smcp_jax.toy'):
    pascal.PascalVOC(str(tmp_path / 'nope'))
  os.remove(os.path.join(broken_root, voc_format.LIST_DIR, 'val.txt'))
  with pytest.raises(DataError, match='missing list file .*val.txt'):
    pascal.PascalVOC(broken_root).image_ids('val')


def test_bad_files_are_named(broken_root):
  source = pascal.PascalVOC(broken_root)
  os.remove(source.label_path('toy_000001', 'trainaug'))
  with pytest.raises(DataError, match="'toy_000001' has no label"):
    source.load_pair('toy_000001', 'trainaug')
  voc_format.write_label_png(source.label_path('toy_000002', 'trainaug'),
                             np.zeros((10, 12), np.uint8))
  with pytest.raises(DataError, match=r'toy_000002.png is \(12, 10\).*must '
                     'match'):
    source.load_pair('toy_000002', 'trainaug')
  with open(source.image_path('toy_000003'), 'wb') as f:
    f.write(b'garbage')
  with pytest.raises(DataError, match='unreadable image .*toy_000003.jpg'):
    source.load_pair('toy_000003', 'trainaug')
