"""Turn a file of out-of-scope queries (one per line) into a `text,route` CSV on stdout."""

import csv
import sys

writer = csv.writer(sys.stdout)
writer.writerow(["text", "route"])
with open(sys.argv[1], encoding="utf-8") as handle:
    for line in handle:
        if line.strip():
            writer.writerow([line.strip(), "out_of_scope"])
