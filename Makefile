# Shortcuts; the scripts are the source of truth (README, Dockerfile and CI use them).
.PHONY: demo test install schema bench soak

demo:      ## install everything, load the demo, run the site and a worker
	bash scripts/demo.sh

test:      ## install test packages and run the whole suite (SQLite, then PostgreSQL if reachable)
	bash scripts/test.sh

soak:      ## the long tests: load (50 clients, 60 s), faults (killed worker, PostgreSQL restart), long fuzz runs
	bash scripts/soak.sh

install:   ## install runtime packages only
	bash scripts/setup.sh

schema:    ## regenerate graphql/schema.graphql from the live schema
	.venv/bin/python manage.py export_schema

bench:     ## every benchmark, one table with baselines and ratios (BENCH_ARGS=--quick for small sizes)
	.venv/bin/python benchmarks/run_all.py $(BENCH_ARGS)
