"""Each router can be imported first, in a fresh process: no import cycle between the routers and the API.

The routers once imported `FieldErrors` back from `pilier.api`, which imports the routers: importing
`pilier.clients.api` before anything else raised ImportError. The errors now live in the leaf module
`pilier.lib.api_errors`; this keeps it so, whatever module a process (a worker, a command, a test)
imports first."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

MODULES = [
    "pilier.clients.api",
    "pilier.policies.api",
    "pilier.analysis.api",
    "pilier.couplings.api",
    "pilier.api",
    "pilier.lib.api_errors",
    "pilier.lib.api_codes",
]

PROGRAM = """
import django
django.setup()
import importlib, sys
importlib.import_module(sys.argv[1])
from pilier.api import api
print(len(api.get_openapi_schema()["paths"]))
"""


@pytest.mark.parametrize("module", MODULES)
def test_a_router_imports_first_in_a_fresh_process(module: str) -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "pilier.settings", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, module], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[-1]) > 0  # the whole API was built after it
