"""The grading engine: release labs, grade submissions (record in the kernel, judge in this process), export."""

import sys

# jsonschema, which nbformat validates notebooks with, imports rfc3987_syntax whenever it is installed (the
# format-nongpl extra some Jupyter packages ask for), and that builds a grammar at import: 1.4 CPU-seconds in every
# grader and worker process (python-jsonschema/jsonschema#1428). It only checks the "iri" formats, which no notebook
# schema uses; without it jsonschema skips them.
sys.modules.setdefault("rfc3987_syntax", None)
