# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""TFDS builders of the data sets: versioned, checksummed, sharded, and
readable by index (ArrayRecord), so episodes draw any image without a scan.

  python -m smcp_jax.prepare --dataset pascal --manual_dir DIR \
      --data_dir DIR
  tfds build smcp_pascal --imports smcp_jax.data.tfds.builders \
      --manual_dir DIR --data_dir DIR

Nothing is downloaded: pascal and coco read the files the user placed in
the manual directory; toy generates its images. Every example holds its
image id, the image file's own bytes, the semantic label and the instance
ids as grey PNGs, and the classes present with their areas, so episodes
are drawn without decoding labels. Examples keep their generation order
(sorted ids) and each split's ids and class lists are stored in the
data set's metadata: a reader finds an image's record without reading the
records.
"""

import os

import numpy as np
import tensorflow_datasets as tfds

from smcp_jax.data.readers import coco as coco_lib
from smcp_jax.data.readers import custom
from smcp_jax.data.tfds import voc_sbd
from smcp_jax.toy import generate as toy_lib

_FEATURES = {
    'image_id': tfds.features.Text(),
    'image': tfds.features.Image(encoding_format='jpeg'),
    'label': tfds.features.Image(shape=(None, None, 1),
                                 encoding_format='png'),
    'instances': tfds.features.Image(shape=(None, None, 1),
                                     encoding_format='png'),
    'has_instances': np.bool_,
    'classes': tfds.features.Sequence(np.int32),
    'class_areas': tfds.features.Sequence(np.float64),
}
_FEATURE_DOC = {
    'image': 'the image file as given (JPEG)',
    'label': 'semantic class ids, 0 background, 255 void',
    'instances': 'instance ids (0 where none; has_instances tells)',
    'classes': 'the classes present, sorted; class_areas: their areas '
               '(pixels; COCO: annotation areas, crowds left out)',
}


class _SmcpBuilder(tfds.core.GeneratorBasedBuilder):
  """What the three builders share: features, ArrayRecord, the metadata
  index."""

  def __init__(self, **kwargs):
    kwargs.setdefault('file_format', 'array_record')  # read by index
    super().__init__(**kwargs)

  def _info(self) -> tfds.core.DatasetInfo:
    return tfds.core.DatasetInfo(
        builder=self,
        description=self._DESCRIPTION + '\n\nFeatures: ' + '; '.join(
            f'{k}: {v}' for k, v in _FEATURE_DOC.items()) + '.',
        features=tfds.features.FeaturesDict(_FEATURES),
        homepage=self._HOMEPAGE,
        citation=self._CITATION,
        metadata=tfds.core.MetadataDict(),
        disable_shuffling=True)  # record i is the i-th id of the metadata

  def _log_download_bytes(self) -> None:
    # TFDS prints "Downloading and preparing dataset Unknown size ..." here;
    # these builders download nothing.
    print(f'building {self.info.full_name} in {self.data_dir}', flush=True)

  def _log_download_done(self) -> None:
    pass  # prepare prints the splits it built

  def _indexed(self, split: str, ids, example):
    """Yields the split's examples and records, as they go, the split's
    ids and class lists in the metadata."""
    index = {'image_ids': [], 'classes': [], 'class_areas': []}
    for image_id in ids:
      record = example(image_id)
      index['image_ids'].append(record['image_id'])
      index['classes'].append(list(record['classes']))
      index['class_areas'].append(list(record['class_areas']))
      yield record['image_id'], record
    self.info.metadata[split] = index


class _VocLayoutBuilder(_SmcpBuilder):
  """Builders of a VOC layout (voc_sbd.Inputs): trainaug, train, val."""

  def _voc_splits(self, inputs: voc_sbd.Inputs) -> dict:
    return {split: self._generate_examples(inputs, split)
            for split in voc_sbd.SPLIT_NAMES}

  def _generate_examples(self, inputs, split):
    return self._indexed(split, inputs.image_ids(split),
                         lambda image_id: inputs.example(image_id, split))


class SmcpPascal(_VocLayoutBuilder):
  """PASCAL VOC 2012 + SBD for few-shot segmentation (PASCAL-5i)."""

  VERSION = tfds.core.Version('1.0.0')
  RELEASE_NOTES = {'1.0.0': 'trainaug, train and val.'}
  _DESCRIPTION = (
      'PASCAL VOC 2012 with the SBD labels (PASCAL-5i): trainaug = VOC 2012 '
      'train + SBD train + SBD val - VOC 2012 val (10,582 images), train, '
      'val (1,449). Labels from VOC SegmentationClass where it has one (the '
      '255 boundary band kept), else SBD GTcls.')
  _HOMEPAGE = 'http://host.robots.ox.ac.uk/pascal/VOC/voc2012/'
  _CITATION = """@article{everingham2010pascal,
  title={The PASCAL Visual Object Classes (VOC) Challenge},
  author={Everingham, M. and Van Gool, L. and Williams, C. K. I. and
          Winn, J. and Zisserman, A.},
  journal={IJCV}, volume={88}, number={2}, pages={303--338}, year={2010}}
@inproceedings{hariharan2011semantic,
  title={Semantic Contours from Inverse Detectors},
  author={Hariharan, B. and Arbel\\'aez, P. and Bourdev, L. and Maji, S. and
          Malik, J.},
  booktitle={ICCV}, year={2011}}"""
  MANUAL_DOWNLOAD_INSTRUCTIONS = f"""\
  Place in the manual directory (--manual_dir):
    {voc_sbd.VOC_ARCHIVE}  (PASCAL VOC 2012 trainval, 1.9 GB, from
        http://host.robots.ox.ac.uk/pascal/VOC/voc2012/), or its extracted
        VOCdevkit/ folder;
    {voc_sbd.SBD_ARCHIVE}  (SBD, 1.4 GB, from
        http://home.bharathh.info/pubs/codes/SBD/download.html), or its
        extracted benchmark_RELEASE/ folder.
  Or, instead of SBD: a VOCdevkit/VOC2012 folder that already holds
  SegmentationClassAug/ and ImageSets/Segmentation/trainaug.txt."""

  def _split_generators(self, dl_manager):
    return self._voc_splits(voc_sbd.find_inputs(
        os.fspath(dl_manager.manual_dir), dl_manager.extract))


class SmcpToy(_VocLayoutBuilder):
  """The generated toy set (PASCAL layout, 20 shape classes)."""

  VERSION = tfds.core.Version('1.0.0')
  RELEASE_NOTES = {'1.0.0': 'trainaug, train and val of the toy set.'}
  BUILDER_CONFIGS = [
      tfds.core.BuilderConfig(
          name='default', description='2,400 training and 600 validation '
          'images of 128x128, seed 0: the set `python -m smcp_jax.toy` '
          'writes, which configs/toy.py trains on.'),
      tfds.core.BuilderConfig(
          name='small', description='120 training and 60 validation images '
          'of 64x64, seed 0: for tests and quick tries.')]
  # The generator's arguments of each config.
  GENERATOR_ARGS = {'default': {},
                    'small': {'num_train': 120, 'num_val': 60, 'size': 64}}
  _DESCRIPTION = ('The toy few-shot segmentation set of smcp-jax: 20 classes '
                  '(shape x colour/texture), generated, no download.')
  _HOMEPAGE = 'https://github.com/smcp-jax/smcp-jax'
  _CITATION = ''

  def _split_generators(self, dl_manager):
    # The images are generated as the toy folder, kept beside TFDS's
    # extracted archives, then read as a folder with SegmentationClassAug.
    folder = os.path.join(os.fspath(dl_manager.download_dir), 'smcp_toy',
                          self.builder_config.name)
    root = toy_lib.generate(folder, **self.GENERATOR_ARGS[
        self.builder_config.name])
    return self._voc_splits(voc_sbd.Inputs(voc=root))


class _CustomInputs(voc_sbd.Inputs):
  """A custom data set's VOC layout (readers/custom.py), read as the
  folder reader reads it."""

  @property
  def _source(self):
    return custom.CustomVOC(self.voc)

  def image_ids(self, split: str) -> list[str]:
    return sorted(self._source.image_ids(split))

  def _image_path(self, image_id: str) -> str:
    return self._source.image_path(image_id)

  def _label(self, image_id: str, split: str):
    return self._source.load_label(image_id, split)


class SmcpCustom(_VocLayoutBuilder):
  """Your own data set, from its custom VOC layout."""

  VERSION = tfds.core.Version('1.0.0')
  RELEASE_NOTES = {'1.0.0': 'train and val, with the class names.'}
  _DESCRIPTION = ('A custom few-shot segmentation set of smcp-jax (the '
                  'custom VOC layout): its train and val lists, its classes '
                  '(classes.txt, in the metadata\'s class_names).')
  _HOMEPAGE = 'https://github.com/smcp-jax/smcp-jax'
  _CITATION = ''
  MANUAL_DOWNLOAD_INSTRUCTIONS = """\
  Point the manual directory (--manual_dir) at the data set's root: the
  folder of classes.txt, JPEGImages/, SegmentationClass/ and
  ImageSets/Segmentation/train.txt and val.txt (docs/custom_data.md)."""

  def _split_generators(self, dl_manager):
    root = os.fspath(dl_manager.manual_dir)
    self.info.metadata['class_names'] = list(custom.class_names(root))
    inputs = _CustomInputs(voc=root)
    return {split: self._generate_examples(inputs, split)
            for split in custom.SPLITS}


class SmcpCoco(_SmcpBuilder):
  """COCO 2014 for COCO-20i, with semantic labels rasterised once."""

  VERSION = tfds.core.Version('1.0.0')
  RELEASE_NOTES = {'1.0.0': 'train2014 and val2014.'}
  _DESCRIPTION = (
      'COCO 2014 for few-shot segmentation (COCO-20i): the 80 categories in '
      'ascending id order are classes 1..80; each image has one semantic '
      'label (smaller objects drawn over larger, crowds 255) and instance '
      'ids.')
  _HOMEPAGE = 'https://cocodataset.org'
  _CITATION = """@inproceedings{lin2014microsoft,
  title={Microsoft COCO: Common Objects in Context},
  author={Lin, T.-Y. and Maire, M. and Belongie, S. and Hays, J. and
          Perona, P. and Ramanan, D. and Doll\\'ar, P. and Zitnick, C. L.},
  booktitle={ECCV}, year={2014}}"""
  MANUAL_DOWNLOAD_INSTRUCTIONS = """\
  Place in the manual directory (--manual_dir), extracted, from
  https://cocodataset.org/#download:
    train2014/ and val2014/  (the images),
    annotations/instances_train2014.json and instances_val2014.json."""

  def _split_generators(self, dl_manager):
    source = coco_lib.COCO20i(os.fspath(dl_manager.manual_dir))
    for split in coco_lib.SPLITS:
      source.image_ids(split)  # names a missing folder or json now
    return {split: self._generate_examples(source, split)
            for split in coco_lib.SPLITS}

  def _generate_examples(self, source, split):
    index = source.class_index(split)
    present = {}
    for c, images in index.items():
      for image_id in images:
        present.setdefault(image_id, []).append(c)
    areas = source.class_areas(split)
    return self._indexed(split, source.image_ids(split),
                         lambda image_id: _coco_example(
                             source, split, image_id,
                             sorted(present.get(image_id, ())), areas))


def _coco_example(source, split, image_id, classes, areas) -> dict:
  image_path = source.image_path(image_id, split)
  image, label = source.load_pair(image_id, split)
  del image
  with open(image_path, 'rb') as f:
    image_bytes = f.read()
  return {
      'image_id': image_id,
      'image': image_bytes,
      'label': voc_sbd.grey_png(label),
      'instances': voc_sbd.grey_png(source.load_instances(image_id, split)),
      'has_instances': True,
      'classes': classes,
      'class_areas': [areas[(c, image_id)] for c in classes],
  }
