# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Freed heap pages go back to the OS (glibc's malloc_trim)."""

import ctypes
import ctypes.util

import pytest

from smcp_jax.train import host_memory


def _resident_mb() -> float:
  with open('/proc/self/status') as f:
    for line in f:
      if line.startswith('VmRSS'):
        return int(line.split()[1]) / 1024
  raise AssertionError('no VmRSS')


@pytest.mark.skipif(
    not hasattr(ctypes.CDLL(ctypes.util.find_library('c')), 'malloc_trim'),
    reason='not glibc')
def test_freed_heap_leaves_the_resident_set():
  """200 MB in 64 KB blocks (under glibc's mmap threshold, so on the heap),
  every 20th kept so that the free pages sit between live blocks, where
  free() alone never returns them."""
  blocks = [ctypes.create_string_buffer(64 * 1024) for _ in range(3200)]
  for block in blocks:
    ctypes.memset(block, 1, len(block))  # touch every page
  kept = blocks[::20]
  del blocks
  before = _resident_mb()
  assert host_memory.release_freed_heap()
  assert before - _resident_mb() > 100
  del kept
