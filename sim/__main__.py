import sys

from .cli import entry

entry()
