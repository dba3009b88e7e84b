# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Loading a network for evaluation and prediction: what is refused."""

import pytest

from configs import toy
from smcp_jax import errors
from smcp_jax.checkpoints import model_io
from smcp_jax.config_lib import resolution
from smcp_jax.toy import assets


def test_an_encoder_alone_is_not_taken_for_a_trained_model():
  """Issue 26, item 1: evaluate scored the shipped encoder with random heads
  (7.0 mIoU) and predict used it, naming the encoder as the checkpoint."""
  words = (r'holds only an encoder \(scope backbone\).*'
           r'--config\.train\.init_from=.*toy_encoder$')
  with pytest.raises(errors.ConfigError, match=words):
    model_io.load_for_inference(assets.TOY_ENCODER)
  with pytest.raises(errors.ConfigError, match=words):
    model_io.load_model(resolution.resolve(toy.get_config()),
                        assets.TOY_ENCODER)
