# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Regenerates docs/app.png: the web app on the demo's model, with the toy
example loaded and segmented, in headless chromium.

  bash scripts/demo.sh            # once: the toy data and runs/demo
  .venv/bin/python scripts/app_screenshot.py [--out docs/app.png]
"""

import argparse
import shutil
import subprocess
import sys
import time
import urllib.request

from playwright.sync_api import sync_playwright


def main():
  parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  parser.add_argument('--checkpoint', default='runs/demo')
  parser.add_argument('--port', type=int, default=7869)
  parser.add_argument('--out', default='docs/app.png')
  args = parser.parse_args()
  url = f'http://127.0.0.1:{args.port}'
  app = subprocess.Popen([sys.executable, '-m', 'smcp_jax.app',
                          '--checkpoint', args.checkpoint, '--port',
                          str(args.port)])
  try:
    for _ in range(360):
      try:
        urllib.request.urlopen(url, timeout=2)
        break
      except OSError:
        time.sleep(0.5)
    with sync_playwright() as playwright:
      browser = playwright.chromium.launch(
          executable_path=shutil.which('chromium'), args=['--no-sandbox'])
      page = browser.new_page(viewport={'width': 1400, 'height': 1000})
      page.goto(url)
      page.wait_for_selector('#segment')
      page.locator('table tbody tr').first.click()  # the toy example
      time.sleep(2)
      page.click('#segment')
      page.wait_for_function('document.querySelector("#message").innerText'
                             '.includes("segmented with")', timeout=120_000)
      time.sleep(1)
      page.screenshot(path=args.out, full_page=True)
      browser.close()
    print(f'wrote {args.out}')
  finally:
    app.terminate()
    app.wait()


if __name__ == '__main__':
  main()
