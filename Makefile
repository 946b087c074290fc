PY ?= python3

.PHONY: run demo test lint bench screenshots

run:
	$(PY) dev.py run

test:
	$(PY) dev.py test

lint:
	$(PY) dev.py lint

bench:
	$(PY) dev.py bench

demo:
	$(PY) dev.py demo

screenshots:
	$(PY) dev.py screenshots
