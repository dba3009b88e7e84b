# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The VOC-layout reader: a missing root or list, bad files named."""

import os

import numpy as np
from PIL import Image
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


def test_an_unwritable_class_index_cache_warns_and_still_indexes(
    toy_root, tmp_path, capsys):
  """Issue 26, item 12: a cache folder that cannot be written was a
  traceback; like the compilation cache, it is one warning."""
  source = pascal.PascalVOC(toy_root)
  blocker = tmp_path / 'a_file'
  blocker.write_text('')
  index = source.class_index('val', cache_dir=str(blocker / 'cache'))
  err = capsys.readouterr().err
  assert err.count('warning: the class-index cache') == 1, err
  assert index == source.class_index('val', cache_dir=str(tmp_path / 'ok'))
  assert index  # the toy's val split holds every class


def test_labels_changed_in_place_are_indexed_again(broken_root, tmp_path,
                                                   capsys):
  """Issue 26, item 5: the class lists were cached under the image ids
  alone; labels fixed in place kept the old lists."""
  source = pascal.PascalVOC(broken_root)
  cache = str(tmp_path / 'cache')
  before = source.class_index('val', cache_dir=cache)
  image_id = before[min(before)][0]
  label = source.label_path(image_id, 'val')
  palette = Image.open(label).getpalette()
  blank = Image.new('P', Image.open(label).size, 0)
  blank.putpalette(palette)
  blank.save(label)  # the image now holds no class
  capsys.readouterr()
  after = source.class_index('val', cache_dir=cache)
  assert all(image_id not in images for images in after.values())
  assert after == {c: [i for i in images if i != image_id]
                   for c, images in before.items()
                   if [i for i in images if i != image_id]}
  assert capsys.readouterr().err.count('labels changed since') == 1
  assert len(os.listdir(cache)) == 1  # the stale lists are gone
  assert source.class_index('val', cache_dir=cache) == after
  assert 'labels changed' not in capsys.readouterr().err
