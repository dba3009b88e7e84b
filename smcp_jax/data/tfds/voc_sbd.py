# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""PASCAL VOC 2012 with SBD: which image, label and instances each split
holds, read from the official archives (or their extracted folders), or
from a folder that already has SegmentationClassAug.

From VOC 2012 and SBD (the rule behind the widely used "trainaug" set):
  trainaug  VOC 2012 train + SBD train + SBD val, minus VOC 2012 val
            (10,582 images on the real archives);
  train     VOC 2012 train;  val  VOC 2012 val (1,449).
Labels are VOC's SegmentationClass where VOC has one (its 255 boundary
band kept), SBD's GTcls otherwise (no band, as SBD gives them); instances
are VOC's SegmentationObject or SBD's GTinst.

From a SegmentationClassAug folder (VOCdevkit/VOC2012 with it and
ImageSets/Segmentation/trainaug.txt, as the authors' VOCdevkit.zip and the
toy set): the lists as given, labels as the `files` source reads them
(pascal.SPLITS), so both sources give the same episodes.
"""

import dataclasses
import io
import os

import numpy as np
from PIL import Image
from scipy import io as scipy_io

from smcp_jax.data.labels import BACKGROUND
from smcp_jax.data.labels import IGNORE_LABEL
from smcp_jax.data.readers import voc_format
from smcp_jax.data.readers.pascal import decode_image_bytes
from smcp_jax.data.readers.pascal import read_image_file
from smcp_jax.data.readers.pascal import SPLITS as FOLDER_SPLITS
from smcp_jax.errors import DataError

VOC_ARCHIVE = 'VOCtrainval_11-May-2012.tar'
SBD_ARCHIVE = 'benchmark.tgz'
SPLIT_NAMES = ('trainaug', 'train', 'val')


@dataclasses.dataclass(frozen=True)
class Inputs:
  """Where the parts are: VOC2012's folder, SBD's dataset/ folder (None
  when building from SegmentationClassAug)."""
  voc: str
  sbd: str | None = None

  def image_ids(self, split: str) -> list[str]:
    """The split's ids, sorted."""
    if self.sbd is None:
      return sorted(_read_list(os.path.join(
          self.voc, voc_format.LIST_DIR, FOLDER_SPLITS[split][0])))
    voc = {name: set(_read_list(os.path.join(
        self.voc, voc_format.LIST_DIR, f'{name}.txt')))
           for name in ('train', 'val')}
    if split != 'trainaug':
      return sorted(voc[split])
    sbd = set()
    for name in ('train', 'val'):
      sbd |= set(_read_list(os.path.join(self.sbd, f'{name}.txt')))
    return sorted((voc['train'] | sbd) - voc['val'])

  def example(self, image_id: str, split: str) -> dict:
    """The builder's example: the image's own bytes, label and instances
    as grey PNGs, and the classes present with their pixel counts."""
    image_path = self._image_path(image_id)
    with open(image_path, 'rb') as f:
      image_bytes = f.read()
    image = decode_image_bytes(image_bytes, 'RGB', image_path)
    label = self._label(image_id, split)
    instances = self._instances(image_id)
    for what, array in (('label', label), ('instances', instances)):
      if array is not None and array.shape != image.shape[:2]:
        raise DataError(
            f'the {what} of {image_id} is {array.shape[::-1]} (W, H) but '
            f'its image {image_path} is {image.shape[1::-1]}: the archives '
            'do not belong together; re-download them')
    classes, areas = class_areas(label)
    return {
        'image_id': image_id,
        'image': image_bytes,
        'label': grey_png(label),
        'instances': grey_png(np.zeros_like(label) if instances is None
                              else instances),
        'has_instances': instances is not None,
        'classes': classes,
        'class_areas': areas,
    }

  def _image_path(self, image_id: str) -> str:
    candidates = [os.path.join(self.voc, voc_format.IMAGE_DIR,
                               image_id + '.jpg')]
    if self.sbd:
      candidates.append(os.path.join(self.sbd, 'img', image_id + '.jpg'))
    for path in candidates:
      if os.path.exists(path):
        return path
    raise DataError(f'image {image_id} is listed but missing: none of '
                    f'{candidates}. Re-extract the archives.')

  def _label(self, image_id: str, split: str) -> np.ndarray:
    if self.sbd is None:
      folder = FOLDER_SPLITS[split][1]
    else:
      folder = voc_format.VAL_LABEL_DIR
    path = os.path.join(self.voc, folder, image_id + '.png')
    if os.path.exists(path):
      return read_image_file(path, 'label').astype(np.uint8)
    if self.sbd is None:
      raise DataError(f'image {image_id} of {split} has no label: missing '
                      f'{path}. Add the label or remove the id from the list.')
    mat = os.path.join(self.sbd, 'cls', image_id + '.mat')
    if not os.path.exists(mat):
      raise DataError(f'image {image_id} of {split} has no label: neither '
                      f'{path} (VOC) nor {mat} (SBD). Re-extract '
                      f'{SBD_ARCHIVE}.')
    return read_sbd_mat(mat, 'GTcls')

  def _instances(self, image_id: str) -> np.ndarray | None:
    path = os.path.join(self.voc, voc_format.INSTANCE_DIR, image_id + '.png')
    if os.path.exists(path):
      return read_image_file(path, 'label').astype(np.uint8)
    if self.sbd:
      mat = os.path.join(self.sbd, 'inst', image_id + '.mat')
      if os.path.exists(mat):
        return read_sbd_mat(mat, 'GTinst')
    return None


def _read_list(path: str) -> list[str]:
  if not os.path.exists(path):
    raise DataError(f'missing list file {path}. Re-extract the archive it '
                    'belongs to.')
  return voc_format.read_list(path)


def read_sbd_mat(path: str, field: str) -> np.ndarray:
  """`field`.Segmentation of an SBD .mat file (GTcls: class ids, GTinst:
  instance ids), as uint8."""
  try:
    mat = scipy_io.loadmat(path, squeeze_me=True, struct_as_record=False)
  except Exception as e:  # scipy raises several types for broken files
    raise DataError(f'unreadable SBD file {path}: {type(e).__name__}: {e}. '
                    f'Re-extract {SBD_ARCHIVE}.') from e
  segmentation = getattr(mat.get(field), 'Segmentation', None)
  if segmentation is None:
    raise DataError(f'{path} has no {field}.Segmentation: not an SBD '
                    f'{"cls" if field == "GTcls" else "inst"} file. '
                    f'Re-extract {SBD_ARCHIVE}.')
  return np.asarray(segmentation).astype(np.uint8)


def grey_png(array: np.ndarray) -> bytes:
  buffer = io.BytesIO()
  Image.fromarray(array.astype(np.uint8), 'L').save(buffer, format='PNG')
  return buffer.getvalue()


def class_areas(label: np.ndarray) -> tuple[list[int], list[float]]:
  """The classes in a label (neither background nor 255), sorted, and
  their pixel counts."""
  counts = np.bincount(label.ravel(), minlength=256)
  classes = [int(c) for c in np.flatnonzero(counts)
             if c not in (BACKGROUND, IGNORE_LABEL)]
  return classes, [float(counts[c]) for c in classes]


def find_inputs(manual_dir: str, extract) -> Inputs:
  """The inputs in `manual_dir`: the two archives (extracted with
  `extract`, a path -> folder function) or their folders; or, without SBD,
  a VOC2012 folder holding SegmentationClassAug."""
  voc = _part(manual_dir, VOC_ARCHIVE, ('VOCdevkit/VOC2012', 'VOC2012'),
              'VOCdevkit/VOC2012', extract)
  sbd = _part(manual_dir, SBD_ARCHIVE, ('benchmark_RELEASE/dataset',),
              'benchmark_RELEASE/dataset', extract)
  if voc is None:
    raise DataError(
        f'no VOC 2012 in {manual_dir}: place {VOC_ARCHIVE} there (or its '
        'extracted VOCdevkit/ folder). See MANUAL_DOWNLOAD_INSTRUCTIONS.')
  if sbd is None and not os.path.isdir(
      os.path.join(voc, voc_format.LABEL_DIR)):
    raise DataError(
        f'no SBD in {manual_dir}: place {SBD_ARCHIVE} there (or its '
        'extracted benchmark_RELEASE/ folder), or a SegmentationClassAug '
        f'folder in {voc}.')
  return Inputs(voc=voc, sbd=sbd)


def _part(manual_dir, archive, folders, inside, extract) -> str | None:
  """The folder of one input: extracted from its archive when present,
  else found among `folders`."""
  path = os.path.join(manual_dir, archive)
  if os.path.exists(path):
    try:
      root = os.fspath(extract(path))
    except Exception as e:  # tarfile / gzip raise several types
      raise DataError(f'cannot extract {path}: {type(e).__name__}: {e}. The '
                      'archive is damaged or truncated: download it '
                      'again.') from e
    folder = os.path.join(root, inside)
    if not os.path.isdir(folder):
      raise DataError(f'{path} holds no {inside}/: not the expected '
                      'archive. Download it again.')
    return folder
  for folder in folders:
    if os.path.isdir(os.path.join(manual_dir, folder)):
      return os.path.join(manual_dir, folder)
  return None
