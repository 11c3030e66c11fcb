"""python -m search.text: regenerate data/userdict.txt."""

from .common import USERDICT_PATH
from .dictionary import write_dictionary

written = write_dictionary()
print(f"wrote {len(written)} terms to {USERDICT_PATH}")
