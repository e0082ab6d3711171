"""Print the CLINC150 out-of-scope lines (one per line in the shared evaluation data, or
the file given) as a `text,route` CSV, every route `out_of_scope`."""

import csv
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from knowledge_base.evaluation import shared_eval_file  # noqa: E402

source = Path(sys.argv[1]) if len(sys.argv) > 1 else shared_eval_file("clinc150_oos_dev.txt")
writer = csv.writer(sys.stdout)
writer.writerow(["text", "route"])
for line in source.read_text(encoding="utf-8").splitlines():
    if line.strip():
        writer.writerow([line.strip(), "out_of_scope"])
