# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The web app's page (`python -m smcp_jax.app`): annotate support images
in the browser, segment many queries, download the masks.

Everything runs on this machine: no analytics, no fonts or scripts from a
CDN, and the page talks to this server alone. The network loads once and
compiles once per input size; requests queue, one model call at a time.
Each request goes through the same checks and files as the predict CLI
(prediction_files), and the download holds those files. Gradio is imported
in build_app, after the command's privacy settings (PRIVATE_ENV).
"""

import functools
import itertools
import os
import tempfile
import zipfile

import numpy as np
from PIL import Image

from smcp_jax.errors import DataError
from smcp_jax.evaluation import visualize
from smcp_jax.models import modes
from smcp_jax.serving import image_io
from smcp_jax.serving import prediction_files

SHOTS = 3  # support slots in the page (k-shot up to 3)
MAX_PIXELS = 40_000_000  # per image; more is refused with a message
MAX_UPLOAD = '25mb'  # per file (Gradio refuses larger uploads)
MIN_SIZE, MAX_SIZE = 33, 1025  # network input sides offered in the page
MAX_QUEUE = 32  # requests waiting; more are turned away until some finish
TOY_ROOT = os.path.join('data', 'toy', 'VOCdevkit', 'VOC2012')
ANNOTATION_COLOUR, PROBLEM_COLOUR = (40, 200, 80), (230, 40, 40)
PRIVATE_ENV = {'GRADIO_ANALYTICS_ENABLED': 'False',
               'HF_HUB_OFFLINE': '1', 'HF_HUB_DISABLE_TELEMETRY': '1'}


def editor_mask(value, where: str):
  """The painted strokes of an ImageEditor value as a boolean mask of its
  background's size, or None when nothing was painted."""
  layers = [np.asarray(layer) for layer in (value or {}).get('layers') or []]
  painted = [layer[..., 3] > 0 for layer in layers
             if layer.ndim == 3 and layer.shape[2] == 4]
  if not painted or not any(p.any() for p in painted):
    return None
  mask = np.logical_or.reduce(painted)
  background = np.asarray(value['background'])
  if mask.shape != background.shape[:2]:
    raise DataError(f'{where}: the painted layer is {mask.shape[1]}x'
                    f'{mask.shape[0]} but the image is {background.shape[1]}x'
                    f'{background.shape[0]}; clear and paint again')
  return mask


def _check_size(image, where: str):
  h, w = image.shape[:2]
  if h * w > MAX_PIXELS:
    raise DataError(f'{where} is {w}x{h} pixels; give an image of at most '
                    f'{MAX_PIXELS // 1_000_000} megapixels')
  return image


def slot_annotation(editor, mask_file, box, number: int):
  """(image, mask, record, kind) of support slot `number`, or None when
  the slot is empty; DataError names what is wrong with it."""
  background = (editor or {}).get('background')
  if background is None:
    if mask_file or (box or '').strip():
      raise DataError(f'support {number}: upload its image first, then '
                      'annotate it')
    return None
  where = f'support {number}'
  image = _check_size(np.asarray(background)[..., :3].astype(np.uint8),
                      where)
  painted = editor_mask(editor, where)
  given = [kind for kind, present in (
      ('painted', painted is not None), ('mask', bool(mask_file)),
      ('box', bool((box or '').strip()))) if present]
  if len(given) != 1:
    raise DataError(
        f'{where}: mark the object with exactly one of: painting on the '
        'image, a mask file, a box x0,y0,x1,y1 '
        f'(got {" and ".join(given) or "none"})')
  kind = given[0]
  if kind == 'painted':
    mask, record = painted, {'image': where, 'painted': True}
  elif kind == 'mask':
    mask = image_io.read_mask(mask_file)
    record = {'image': where, 'mask': os.path.basename(mask_file)}
  else:
    parsed = image_io.parse_box(box)
    mask = image_io.box_mask(parsed, image.shape, f'{where} box')
    record = {'image': where, 'box': list(parsed)}
  image_io.check_support(image, mask, f'{where} ({kind})')
  return image, mask, record, kind


def build_request(slots, query_files, query_mask_files, prototype,
                  class_name):
  """A prediction_files.Request from the page's inputs, with the CLI's
  checks and messages.

  Args:
    slots: per support slot (editor value, mask file path, box text).
    query_files, query_mask_files: uploaded file paths (masks optional).
    prototype, class_name: the options.
  """
  supports, masks, records, kinds = [], [], [], set()
  for number, slot in enumerate(slots, 1):
    annotated = slot_annotation(*slot, number)
    if annotated is None:
      continue
    image, mask, record, kind = annotated
    supports.append(image)
    masks.append(mask)
    records.append(record)
    kinds.add(kind)
  if not supports:
    raise DataError('no support image: upload one under "Support 1" and '
                    'mark the object on it (paint, mask file or box)')
  if not query_files:
    raise DataError('no query image: upload the images to segment under '
                    '"Queries"')
  queries = [_check_size(image_io.read_image(path), os.path.basename(path))
             for path in query_files]
  names = [os.path.basename(path) for path in query_files]
  truths = (image_io.read_query_masks(query_mask_files, queries, names)
            if query_mask_files else None)
  return prediction_files.Request(
      supports=supports, support_masks=masks, support_records=records,
      annotation='+'.join(sorted(kinds)), queries=queries,
      query_files=names, truths=truths,
      prototype=prototype, class_name=class_name)


def support_preview(editor, mask_file, box, number: int):
  """(the support image with its annotation drawn as the request will read
  it, a note): the mask tinted and outlined in green; a box that does not
  fit, its part inside the image in red, with the reason in the note."""
  background = (editor or {}).get('background')
  if background is None:
    return None, ''
  try:
    image, mask, _, kind = slot_annotation(editor, mask_file, box, number)
  except DataError as e:
    image = np.asarray(background)[..., :3].astype(np.uint8)
    clipped = _clipped_box(box, image.shape)
    shown = (image if clipped is None
             else visualize.overlay(image, clipped, PROBLEM_COLOUR))
    return shown, f'**Not usable yet:** {e}'
  return (visualize.overlay(image, mask, ANNOTATION_COLOUR),
          f'Support {number}: {int(mask.sum())} pixels marked ({kind}).')


def _clipped_box(box, shape):
  """The part of a typed box inside the image, or None."""
  try:
    x0, y0, x1, y1 = image_io.parse_box(box or '')
  except DataError:
    return None
  h, w = shape[:2]
  mask = np.zeros((h, w), bool)
  mask[max(0, int(np.floor(y0))):max(0, min(h, int(np.ceil(y1)))),
       max(0, int(np.floor(x0))):max(0, min(w, int(np.ceil(x1))))] = True
  return mask if mask.any() else None


def input_size(value) -> int:
  """The network input side asked for in the page, checked."""
  if value is None or int(value) != value or not (
      MIN_SIZE <= value <= MAX_SIZE):
    raise DataError(f'the input size must be a whole number of pixels '
                    f'{MIN_SIZE}..{MAX_SIZE}, got {value}')
  return int(value)


def run_request(predictor, request, folder: str, progress=None,
                image_size: int | None = None) -> dict:
  """Predicts (at `image_size`, default the checkpoint's) and writes the
  request's files and its support masks into `folder`, zipped as
  folder/predictions.zip; returns the summary."""
  predictions = predictor.predict(request.supports, request.support_masks,
                                  request.queries,
                                  prototype=request.prototype,
                                  image_size=image_size)
  if progress is not None:
    progress(0.8, desc='writing the files')
  files = os.path.join(folder, 'predictions')
  os.makedirs(files)
  summary = prediction_files.write(files, request, predictions,
                                   predictor.setup.source)
  for number, mask in enumerate(request.support_masks, 1):
    image_io.write_mask(os.path.join(files, f'support_{number}_mask.png'),
                        mask)
  with zipfile.ZipFile(os.path.join(folder, 'predictions.zip'), 'w') as z:
    for name in sorted(os.listdir(files)):
      z.write(os.path.join(files, name), name)
  summary['predictions'] = predictions
  return summary


def toy_example(root: str = TOY_ROOT, class_id: int = 1, queries: int = 4):
  """[support image, its mask file, query files, class name] from the toy
  data set (fold 0's first novel class), or None when it is absent."""
  # pylint: disable=g-import-not-at-top
  from smcp_jax.data import folds
  from smcp_jax.data.readers import pascal
  if not os.path.isdir(root):
    return None
  source = pascal.PascalVOC(root)
  found = []
  for image_id in source.image_ids('val')[:200]:
    if class_id in source.load_label(image_id, 'val'):
      found.append(image_id)
    if len(found) == queries + 1:
      break
  if len(found) < 2:
    return None
  folder = tempfile.mkdtemp(prefix='smcp-app-example-')
  mask_file = os.path.join(folder, f'{found[0]}_mask.png')
  image_io.write_mask(mask_file,
                      source.load_label(found[0], 'val') == class_id)
  return [source.image_path(found[0]), mask_file,
          [source.image_path(i) for i in found[1:]],
          folds.class_name('toy', class_id)]


def build_app(predictor, example=None):
  """The page (a gr.Blocks) around a loaded inference.Predictor."""
  import gradio as gr  # pylint: disable=g-import-not-at-top

  numbers = itertools.count(1)  # requests answered, to tell them apart

  def segment(*values, progress=gr.Progress()):
    *slot_values, queries, query_masks, prototype, class_name, size = values
    slots = [slot_values[i:i + 3] for i in range(0, len(slot_values), 3)]
    number = next(numbers)
    progress(0.1, desc='reading the inputs')
    try:
      request = build_request(slots, queries or [], query_masks or [],
                              prototype, class_name.strip())
      size = input_size(size)
    except DataError as e:
      # In the message area, where it stays (a toast fades), with the last
      # results cleared so they are not read as this request's; the form
      # keeps its values, so one field can be corrected.
      return [], [], None, (f'**Request {number}: not run.** '
                            f'{str(e).rstrip(".")}. Correct it and press '
                            'Segment again.')
    progress(0.3, desc='segmenting')
    folder = tempfile.mkdtemp(prefix='smcp-app-')
    summary = run_request(predictor, request, folder, progress, size)
    # Pictures go to the page as this request's own files: Gradio rewrites
    # an image it is handed as an array in place, by content, which a
    # concurrent request with the same picture could read half-written.
    overlays, heat_maps = [], []
    for record, result in zip(summary['queries'], summary['predictions']):
      caption = (f'{record["query"]}: '
                 f'{100 * record["foreground_fraction"]:.1f}% foreground')
      if 'iou' in record:
        caption += f', IoU {record["iou"]:.1f}%'
      overlays.append((os.path.join(folder, 'predictions',
                                    record['overlay']), caption))
      heat_map = os.path.join(folder, record['mask'].replace('_mask',
                                                             '_heat'))
      Image.fromarray(visualize.heat_map(result.probability)).save(heat_map)
      heat_maps.append((heat_map, record['query']))
    shots = len(request.supports)
    count = len(overlays)
    message = (f'Request {number}: {count} '
               f'quer{"y" if count == 1 else "ies"} segmented with {shots} '
               f'support{"s" if shots > 1 else ""} ({request.annotation}), '
               f'{prototype} prototype, {size}x{size} input.')
    return (overlays, heat_maps, os.path.join(folder, 'predictions.zip'),
            message)

  theme = gr.themes.Default(font=['ui-sans-serif', 'system-ui', 'sans-serif'],
                            font_mono=['ui-monospace', 'monospace'])
  with gr.Blocks(title='SMCP one-shot segmentation',
                 analytics_enabled=False) as page:
    gr.Markdown(
        '# SMCP one-shot segmentation\n'
        'Mark an object on a support image; every query is segmented for '
        f'its class. Model: `{predictor.setup.source}`, input '
        f'{predictor.image_size}x{predictor.image_size}. Everything runs on '
        'this machine.')
    slot_inputs, previews = [], []
    with gr.Row():
      with gr.Column():
        with gr.Tabs():
          for number in range(1, SHOTS + 1):
            with gr.Tab(f'Support {number}'):
              editor = gr.ImageEditor(
                  label=f'Support {number}: upload, then paint the object',
                  type='numpy',
                  image_mode='RGBA', sources=['upload', 'clipboard'],
                  transforms=[], layers=False, elem_id=f'support{number}',
                  brush=gr.Brush(colors=['#ff00c8'], color_mode='fixed',
                                 default_size=12))
              mask = gr.File(label='or a mask file (object: above half its '
                             'range)',
                             file_types=['image'], type='filepath',
                             elem_id=f'support{number}_mask')
              box = gr.Textbox(label='or a box: x0,y0,x1,y1 in pixels',
                               placeholder='10,20,200,180',
                               elem_id=f'support{number}_box')
              preview = gr.Image(label=f'Support {number} as the request '
                                 'will read it', interactive=False,
                                 format='png',
                                 elem_id=f'support{number}_preview')
              note = gr.Markdown(elem_id=f'support{number}_note')
              previews.append((preview, note))
              for component in (editor, mask, box):
                component.change(
                    functools.partial(support_preview, number=number),
                    [editor, mask, box], [preview, note],
                    show_progress='hidden', queue=False)
              slot_inputs += [editor, mask, box]
      with gr.Column():
        queries = gr.File(label='Queries (several images)',
                          file_count='multiple', file_types=['image'],
                          type='filepath', elem_id='queries')
        query_masks = gr.File(label='Query masks, in the same order '
                              '(optional: adds the IoU)',
                              file_count='multiple', file_types=['image'],
                              type='filepath', elem_id='query_masks')
        prototype = gr.Radio(list(modes.PROTOTYPE_MODES), value='fused',
                             label='Prototype (fused is the paper\'s)')
        names = predictor.setup.class_names
        class_name = gr.Textbox(
            label='Class name (for the pictures)', elem_id='class_name',
            info=(f'this model\'s data set: {", ".join(names)}' if names
                  else None))
        size = gr.Number(predictor.image_size, precision=0,
                         minimum=MIN_SIZE, maximum=MAX_SIZE,
                         label='Network input side in pixels (the '
                         'checkpoint\'s is the default; larger sees more '
                         'detail, slower)', elem_id='input_size')
        run = gr.Button('Segment', variant='primary', elem_id='segment')
        message = gr.Markdown(elem_id='message')
    with gr.Row():
      overlays = gr.Gallery(label='Predictions', columns=4, height=300,
                            elem_id='overlays')
      heat_maps = gr.Gallery(label='Foreground probability', columns=4,
                             height=300, elem_id='heat_maps')
    download = gr.File(label='Download: masks, probabilities, overlays, '
                       'panel and predictions.json', elem_id='download')
    if example is not None:
      # Loading an example changes no value by the user, so the preview is
      # drawn by the example's own function.
      gr.Examples([example], [slot_inputs[0], slot_inputs[1], queries,
                              class_name], outputs=list(previews[0]),
                  fn=lambda editor, mask, *_: support_preview(
                      editor, mask, '', number=1),
                  run_on_click=True, label='Example from the toy data set')
    # trigger_mode 'once': a page sends no second request while its first
    # is queued or running.
    run.click(segment, [*slot_inputs, queries, query_masks, prototype,
                        class_name, size],
              [overlays, heat_maps, download, message], trigger_mode='once')
  page.queue(default_concurrency_limit=1, max_size=MAX_QUEUE)
  return page, theme
