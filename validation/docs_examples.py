#!/usr/bin/python3 -s
"""docs_examples.py: every Python example of the documentation, run on a real results file.

    docs_examples.py TWINSCALE SOURCE_DIR      (ctest docs_python_examples)

Runs `TWINSCALE simulate` on a copy of configs/simulate-quickstart.yaml writing into a
temporary directory, and `TWINSCALE twin import` on the records fixture of
tests/data/twin (records.h5, for docs/personal-twins.md), `twin fit` on its first
day (twins.h5) and `twin replay` with boluses 20% larger (replay.h5), then executes each ```python block of SOURCE_DIR/README.md
and SOURCE_DIR/docs/*.md there with Debian's Python, so an example that reads a
dataset `simulate` does not write (docs/file-formats.md once read
/endpoints/glucose) fails here. A block that imports a module this Python lacks
(pandas is not installed by scripts/setup.sh) is reported as skipped.
Exit: 0 every block ran (or was skipped for a missing module) and at least one
ran, 1 a block failed, 77 no h5py (nothing can run).
"""
import glob
import os
import re
import subprocess
import sys
import tempfile

try:
    import h5py  # noqa: F401
except ImportError as e:
    print(f"SKIP: {e}")
    sys.exit(77)


def blocks(source_dir):
    docs = [os.path.join(source_dir, "README.md")] + sorted(glob.glob(os.path.join(source_dir, "docs", "*.md")))
    for doc in docs:
        for i, code in enumerate(re.findall(r"```python\n(.*?)```", open(doc, encoding="utf-8").read(), re.S)):
            yield os.path.relpath(doc, source_dir), i, code


def main(twinscale, source_dir):
    with tempfile.TemporaryDirectory() as tmp:
        cfg = open(os.path.join(source_dir, "configs", "simulate-quickstart.yaml")).read()
        with open(os.path.join(tmp, "quickstart.yaml"), "w") as f:
            f.write(cfg)  # output.path simulate-quickstart.h5, relative: written in tmp
        subprocess.run([os.path.abspath(twinscale), "simulate", "quickstart.yaml"], cwd=tmp, check=True, capture_output=True)
        data = os.path.join(source_dir, "tests", "data", "twin")
        subprocess.run([os.path.abspath(twinscale), "twin", "import", "--records", os.path.join(data, "records.csv"),
                        "--persons", os.path.join(data, "persons.csv"), "--salt-env", "TW_DOCS_SALT", "-o", "records.h5"],
                       cwd=tmp, check=True, capture_output=True, env={**os.environ, "TW_DOCS_SALT": "docs-examples-salt-0123456789"})
        # the twins and a replay of them (twins.h5, replay.h5) for docs/personal-twins.md
        with open(os.path.join(tmp, "fit.yaml"), "w") as f:
            f.write("kind: twin_fit\nrecords: records.h5\nfit_days: [1, 1]\noutput: {path: twins.h5}\n")
        with open(os.path.join(tmp, "larger-boluses.yaml"), "w") as f:
            f.write("bolus_scale: 1.2\n")
        subprocess.run([os.path.abspath(twinscale), "twin", "fit", "fit.yaml"], cwd=tmp, check=True, capture_output=True)
        subprocess.run([os.path.abspath(twinscale), "twin", "replay", "--twins", "twins.h5", "--records", "records.h5",
                        "--scenario", "larger-boluses.yaml", "-o", "replay.h5"], cwd=tmp, check=True, capture_output=True)
        ran, failed = 0, 0
        for doc, i, code in blocks(source_dir):
            r = subprocess.run([sys.executable, "-s", "-c", code], cwd=tmp, capture_output=True, text=True)
            missing = re.search(r"No module named '([^']+)'", r.stderr)
            if r.returncode and missing and missing.group(1) != "h5py":
                print(f"{doc} python block {i}: skipped (no module {missing.group(1)})")
            elif r.returncode:
                failed += 1
                print(f"{doc} python block {i}: FAILED\n{r.stderr.strip()}")
            else:
                ran += 1
                print(f"{doc} python block {i}: ok")
    print(f"{ran} examples ran, {failed} failed")
    return 1 if failed or not ran else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
