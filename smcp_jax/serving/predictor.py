# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""One-shot segmentation of a user's images: the Predictor API, and the
fixed-shape batching it shares with evaluation.

  predictor = Predictor('runs/demo')
  [result] = predictor.predict([support], [support_mask], [query])
  result.mask, result.probability  # at the query's resolution
  [result] = predictor.predict_classes(
      {'cat': ([cat], [cat_mask]), 'dog': ([dog], [dog_mask])}, [query])
  result.labels  # 0 background, 1 cat, 2 dog

Images (uint8 RGB arrays or PIL images, any size) are resized to the
network's square input (the authors' protocol: aspect not kept) and the
prediction is upsampled back to each query's own size. The support set is
encoded once per call; queries run in fixed-size batches, so the network is
compiled once per input size. With several local devices, each batch is
split over them (`batch_size` a multiple of their number; else as many
devices as divide it), as training splits its batches.
"""

import dataclasses
import math

from flax import nnx
import jax
import jax.numpy as jnp
import numpy as np
from PIL import Image
from PIL import ImageOps
import tqdm

from smcp_jax.checkpoints import model_io
from smcp_jax.data.pipeline import transforms
from smcp_jax.errors import DataError
from smcp_jax.evaluation import batching
from smcp_jax.models import resize
from smcp_jax.models import smcp
from smcp_jax.serving import image_io


def sigmoid_margin(logits: np.ndarray) -> np.ndarray:
  """The foreground probability of binary logits (..., 2), float32."""
  margin = logits[..., 1] - logits[..., 0]
  return (1.0 / (1.0 + np.exp(-margin))).astype(np.float32)


@dataclasses.dataclass(frozen=True)
class Prediction:
  mask: np.ndarray  # (H, W) bool at the query's resolution
  probability: np.ndarray  # (H, W) float32 foreground probability


@dataclasses.dataclass(frozen=True)
class ClassesPrediction:
  """Several classes segmented at once, at the query's resolution."""
  labels: np.ndarray  # (H, W) uint8: 0 background, j + 1 for class j
  probabilities: np.ndarray  # (N, H, W) float32: class j's binary head's
  names: tuple[str, ...]  # the classes, in label order


def support_mask_for_network(mask: np.ndarray, size: int) -> np.ndarray:
  """A support mask at the network size: nearest like the authors' labels,
  or, when that loses every pixel (a thin scribble, a tiny object), every
  cell the mask touches."""
  image = Image.fromarray(mask.astype(np.uint8) * 255)
  nearest = np.asarray(image.resize((size, size), Image.NEAREST)) > 0
  if nearest.any():
    return nearest
  return np.asarray(image.resize((size, size), Image.BOX)) > 0


def network_input(image: np.ndarray, size: int) -> np.ndarray:
  """A uint8 RGB image as the network takes it: resized to size x size,
  normalised (float32)."""
  return transforms.normalize(transforms.resize_image(image, size))


def _rgb_array(image, where: str) -> np.ndarray:
  """A uint8 RGB array from an array or a PIL image (turned upright by its
  EXIF orientation, as the command line reads files)."""
  if isinstance(image, Image.Image):
    image = image_io.rgb_of(ImageOps.exif_transpose(image), where)
  image = np.asarray(image)
  if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
    raise DataError(f'{where}: expected a uint8 RGB array (H, W, 3) or a '
                    f'PIL image, got {image.dtype} {image.shape}')
  return image


def _mask_array(mask, where: str) -> np.ndarray:
  """A boolean mask from an array (non-zero = foreground) or a PIL image
  (upright, and read as mask files are: image_io.mask_of)."""
  if isinstance(mask, Image.Image):
    return image_io.mask_of(ImageOps.exif_transpose(mask), where=where)
  return np.asarray(mask).astype(bool)


def _check_prototype(prototype: str) -> str:
  if prototype not in smcp.PROTOTYPE_MODES:
    raise ValueError(f'prototype must be one of {smcp.PROTOTYPE_MODES}, '
                     f'got {prototype!r}')
  return prototype


def classes_at(logits: np.ndarray, shape, names) -> ClassesPrediction:
  """The classes' logits (N, h, w, 2) at the network's resolution as a
  prediction at `shape` (the query's (height, width))."""
  up = np.stack([resize.upsampled_logits(way, shape) for way in logits])
  return ClassesPrediction(labels=batching.combine_ways(up),
                           probabilities=sigmoid_margin(up), names=names)


class Predictor:
  """A loaded network that segments queries given a support set."""

  def __init__(self, checkpoint: str, *, config=None,
               prototype: smcp.PrototypeMode = 'fused',
               image_size: int | None = None, batch_size: int = 4,
               compute_dtype: str | None = None):
    """Loads `checkpoint` (a workdir, an exported or converted params dir).

    Args:
      checkpoint: what `evaluate --checkpoint` accepts.
      config: a resolved config (config_lib.resolve) for the checkpoint; by
        default the one saved with it (or the model.json of a params
        directory).
      prototype: 'support', 'pseudo' or 'fused' (Table VI; default fused).
      image_size: network input side; default the training size (417 for a
        converted checkpoint).
      batch_size: queries per forward pass (fixed, so one compile), split
        over the local devices (`mesh`).
      compute_dtype: 'bfloat16' runs the network in it (for GPUs and TPUs;
        emulated, so slower, on most CPUs); default the checkpoint's
        training dtype, or float32.
    """
    _check_prototype(prototype)
    model, self.setup = model_io.load_for_inference(checkpoint, config,
                                                    compute_dtype)
    self.prototype = prototype
    self.image_size = image_size or self.setup.image_size
    self.batch_size = batch_size
    devices = jax.local_devices()
    self.mesh = jax.sharding.Mesh(
        np.array(devices[:math.gcd(batch_size, len(devices))]), ('data',))
    self._split = jax.sharding.NamedSharding(
        self.mesh, jax.sharding.PartitionSpec('data'))
    self._graphdef, params = nnx.split(model, nnx.Param)
    self._params = jax.device_put(params, jax.sharding.NamedSharding(
        self.mesh, jax.sharding.PartitionSpec()))
    self._prototypes = model_io.jit_method(self._graphdef,
                                           smcp.SMCP.support_prototypes)
    self._encode_queries = model_io.jit_method(self._graphdef,
                                               smcp.SMCP.encode_queries)
    self._heads = {}  # (prototype mode, size) -> the heads on features

  # For callers that prepare the batches and read the results themselves
  # (`device_batch`, `stream_logits`).
  network_input = staticmethod(network_input)
  classes_at = staticmethod(classes_at)

  def _support_prototypes(self, support_images, support_masks, size: int,
                          where: str = 'support'):
    """The supports checked, resized and encoded: per-shot prototypes
    (1, K, C)."""
    if not support_images or len(support_images) != len(support_masks):
      raise DataError(f'{where}: give one mask per support image: got '
                      f'{len(support_images)} images and '
                      f'{len(support_masks)} masks')
    supports, masks = [], []
    for i, (image, mask) in enumerate(zip(support_images, support_masks)):
      supports.append(_rgb_array(image, f'{where} {i + 1}'))
      masks.append(_mask_array(mask, f'{where} mask {i + 1}'))
      image_io.check_support(supports[-1], masks[-1], f'{where} {i + 1}')
    shots = jnp.asarray(np.stack(
        [network_input(image, size) for image in supports])[None])
    net_masks = jnp.asarray(np.stack(
        [support_mask_for_network(mask, size) for mask in masks]).astype(
            np.float32)[None])
    return self._prototypes(self._params, shots, net_masks)

  def _query_batches(self, query_images, size: int, progress: bool):
    """(the batch's query arrays, the network's input batch)."""
    queries = [_rgb_array(image, f'query {i + 1}')
               for i, image in enumerate(query_images)]
    for group in tqdm.tqdm(batching.batches(queries, self.batch_size),
                           desc='predict', unit='batch',
                           disable=not progress):
      yield group, self.device_batch(
          [network_input(image, size) for image in group])

  def device_batch(self, inputs: list[np.ndarray]) -> jax.Array:
    """Network inputs (`network_input`'s) as one batch on the devices,
    padded to the fixed batch size and split over the local devices."""
    return jax.device_put(np.stack(batching.pad_batch(inputs,
                                                      self.batch_size)),
                          self._split)

  def _broadcast(self, prototypes):
    return jax.device_put(
        jnp.broadcast_to(prototypes,
                         (self.batch_size,) + prototypes.shape[1:]),
        self._split)

  def predict(self, support_images, support_masks, query_images, *,
              prototype: str | None = None, image_size: int | None = None,
              progress: bool = False) -> list[Prediction]:
    """Segments the supports' class in every query.

    Args:
      support_images: K RGB images (K shots; uint8 arrays or PIL images),
        any sizes.
      support_masks: K masks of their images' sizes (boolean / 0-1 arrays or
        PIL images, non-zero = object): dense masks, scribbles or filled
        boxes.
      query_images: RGB images (uint8 arrays or PIL images), any sizes.
      prototype, image_size: this call's, instead of the constructor's.
      progress: show a progress bar over query batches.
    """
    prototype = _check_prototype(prototype or self.prototype)
    size = image_size or self.image_size
    protos = self._broadcast(self._support_prototypes(
        support_images, support_masks, size))
    return [Prediction(mask=result.labels == 1,
                       probability=result.probabilities[0])
            for result in self._predictions([protos], query_images, size,
                                            prototype, progress, ('',))]

  def _predictions(self, class_protos, query_images, size: int,
                   prototype: str, progress: bool, names):
    """Per query, its ClassesPrediction: the query batch encoded once, each
    class's head on it."""
    batches = self._query_batches(query_images, size, progress)
    for group, logits in self.stream_logits(class_protos, batches, size,
                                            prototype):
      for image, image_logits in zip(group, logits):
        yield classes_at(image_logits, image.shape[:2], names)

  def stream_logits(self, class_protos, batches, size: int, prototype: str):
    """For each (items, device batch or None) of `batches`, yields (items,
    the classes' logits of the whole padded batch (batch_size, N, h, w, 2)
    at the network's resolution, on the host, or None): zip them with the
    batch's own items to drop the padding. One batch stays in flight: the
    next batch runs on the devices while the caller post-processes this
    one's."""
    head = self._from_features(prototype, size)
    in_flight = None
    for items, batch in batches:
      logits = None
      if batch is not None:
        features = self._encode_queries(self._params, batch)
        logits = jnp.stack([head(self._params, protos, features)['logits']
                            for protos in class_protos], axis=1)
      if in_flight is not None:
        yield _fetched(*in_flight)
      in_flight = items, logits
    if in_flight is not None:
      yield _fetched(*in_flight)

  def _from_features(self, mode: str, size: int):
    key = (mode, size)
    if key not in self._heads:
      self._heads[key] = model_io.jit_method(
          self._graphdef, smcp.SMCP.infer_from_features, size=(size, size),
          mode=mode, empty_pseudo_mask=self.setup.empty_pseudo_mask)
    return self._heads[key]

  def predict_classes(self, classes, query_images, *,
                      prototype: str | None = None,
                      image_size: int | None = None,
                      progress: bool = False) -> list[ClassesPrediction]:
    """Segments several classes in every query at once (N-way).

    SMCP is binary: each class's head runs on the query's features, which
    are encoded once per batch, and the answers combine as in N-way
    evaluation (`combine_ways`): a pixel takes the class with the highest
    foreground probability if that class predicts foreground there, else
    background.

    Args:
      classes: {name: (support images, support masks)}, one entry per class
        in label order (label j + 1 for the j-th); each class's supports as
        `predict` takes them, K may differ between classes.
      query_images: RGB images (uint8 arrays or PIL images), any sizes.
      prototype, image_size, progress: as `predict`.
    """
    prototype = _check_prototype(prototype or self.prototype)
    size = image_size or self.image_size
    names = tuple(str(name) for name in classes)
    protos = self.class_prototypes(classes, size)
    return list(self._predictions(protos, query_images, size, prototype,
                                  progress, names))

  def class_prototypes(self, classes, size: int) -> list[jax.Array]:
    """Each class's supports (as `predict_classes` takes them) checked and
    encoded at `size`, broadcast to the batch: what `stream_logits`
    takes."""
    if not classes:
      raise DataError('give at least one class: {name: (support images, '
                      'support masks)}')
    if len(classes) > 255:
      raise DataError(f'{len(classes)} classes: a label map holds at most '
                      '255')
    return [self._broadcast(self._support_prototypes(
        images, masks, size, where=f'class {name!r} support'))
            for name, (images, masks) in classes.items()]


def _fetched(items, logits):
  """(items, the logits on the host)."""
  return items, None if logits is None else np.asarray(logits)
