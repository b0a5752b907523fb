"""The rule language: models as written (``model.py``), the operator table (``operators.py``),
loading and checking (``load.py``), the resolved form (``resolved.py``), conditions in normal
form (``normal.py``) and a ruleset in words (``describe.py``)."""
