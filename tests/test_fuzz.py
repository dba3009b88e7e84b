# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Fuzzing the image and mask readers: they load or raise DataError, never
crash the process, raise something else, or hang."""

import contextlib
import io
import signal

from hypothesis import given
from hypothesis import HealthCheck
from hypothesis import settings
from hypothesis import strategies as st
import numpy as np
from PIL import Image
import pytest

from smcp_jax.data.readers import pascal
from smcp_jax.errors import DataError
from smcp_jax.serving import image_io

SECONDS_PER_FILE = 10
READERS = {
    'image_io.read_image': (image_io.read_image, 3),
    'image_io.read_mask': (image_io.read_mask, 2),
    'pascal image': (lambda p: pascal.read_image_file(p, 'RGB'), 3),
    'pascal label': (lambda p: pascal.read_image_file(p, 'label'), 2),
}


@st.composite
def encoded_images(draw):
  """A small valid PNG / JPEG / GIF of some mode."""
  h, w = draw(st.integers(1, 24)), draw(st.integers(1, 24))
  mode = draw(st.sampled_from(['L', 'RGB', 'RGBA', 'P', '1', 'I;16']))
  fmt = draw(st.sampled_from(['PNG', 'JPEG', 'GIF']))
  if fmt == 'JPEG' and mode not in ('L', 'RGB'):
    mode = 'RGB'
  if fmt == 'GIF' and mode in ('RGBA', 'I;16'):
    mode = 'P'
  seed = draw(st.integers(0, 2**16))
  pixels = np.random.default_rng(seed).integers(0, 255, (h, w, 3), np.uint8)
  buffer = io.BytesIO()
  Image.fromarray(pixels).convert(mode).save(buffer, fmt)
  return buffer.getvalue()


@st.composite
def damaged_images(draw):
  """A valid file with flipped bytes, a cut, or junk appended."""
  data = bytearray(draw(encoded_images()))
  kind = draw(st.sampled_from(['flip', 'truncate', 'append']))
  if kind == 'flip':
    for _ in range(draw(st.integers(1, 8))):
      i = draw(st.integers(0, len(data) - 1))
      data[i] = draw(st.integers(0, 255))
  elif kind == 'truncate':
    data = data[:draw(st.integers(0, len(data) - 1))]
  else:
    data += draw(st.binary(min_size=1, max_size=64))
  return bytes(data)


@contextlib.contextmanager
def _time_limit(seconds):
  def fail(signum, frame):
    raise TimeoutError(f'reader hung for over {seconds} s')
  previous = signal.signal(signal.SIGALRM, fail)
  signal.alarm(seconds)
  try:
    yield
  finally:
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def _check(reader, ndim, data, tmp_path):
  path = tmp_path / 'fuzzed.png'
  path.write_bytes(data)
  try:
    with _time_limit(SECONDS_PER_FILE):
      array = reader(str(path))
  except DataError as e:
    assert str(path) in str(e)  # the message names the file
    return
  assert isinstance(array, np.ndarray) and array.ndim == ndim
  assert array.size > 0


FUZZ = settings(max_examples=120, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.mark.parametrize('name', sorted(READERS))
@FUZZ
@given(data=st.one_of(damaged_images(), st.binary(max_size=512)))
def test_reader_loads_or_raises_data_error(name, data, tmp_path):
  reader, ndim = READERS[name]
  _check(reader, ndim, data, tmp_path)


@pytest.mark.parametrize('name', sorted(READERS))
@FUZZ
@given(data=encoded_images())
def test_valid_files_load(name, data, tmp_path):
  reader, ndim = READERS[name]
  path = tmp_path / 'valid.png'
  path.write_bytes(data)
  mode = Image.open(io.BytesIO(data)).mode
  if name == 'pascal label' and mode not in ('P', 'L', 'I', 'I;16'):
    with pytest.raises(DataError, match='single-channel'):
      reader(str(path))
    return
  assert reader(str(path)).ndim == ndim
