# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The toy data set's 20 classes: a shape with an appearance each.

Class c has shape (c-1) % 5 and appearance (fold + shape) % 4, so each
fold's novel classes reuse the shapes and appearances of training classes
in new combinations. Kept apart from the generator (toy.py) so that names
and folds need no image code.
"""

NUM_CLASSES = 20
SHAPES = ('ellipse', 'rectangle', 'triangle', 'cross', 'ring')
# (RGB colour, texture) of the four appearances, and the colours' names.
APPEARANCES = (((220, 40, 40), 'solid'), ((40, 190, 60), 'stripes'),
               ((50, 80, 230), 'checker'), ((235, 200, 30), 'dots'))
COLOUR_NAMES = ('red', 'green', 'blue', 'yellow')


def class_design(class_id: int) -> tuple[str, int]:
  """(shape name, appearance index) of a class id in 1..20."""
  shape = (class_id - 1) % 5
  fold = (class_id - 1) // 5
  return SHAPES[shape], (fold + shape) % 4


def class_name(class_id: int) -> str:
  """E.g. 'red solid ellipse'."""
  shape, appearance = class_design(class_id)
  return f'{COLOUR_NAMES[appearance]} {APPEARANCES[appearance][1]} {shape}'
