PY ?= python3

.PHONY: run test lint bench

run:
	$(PY) dev.py run

test:
	$(PY) dev.py test

lint:
	$(PY) dev.py lint

bench:
	$(PY) dev.py bench
