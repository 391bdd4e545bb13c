"""Static security analysis runs with the suite: a medium or high bandit finding fails CI."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def test_bandit_finds_nothing_of_medium_or_high_severity():
    bandit = Path(sys.executable).with_name("bandit")
    if not bandit.exists():
        found = shutil.which("bandit")
        if found is None:
            pytest.fail("bandit is not installed: it is a test dependency (make test-install)")
        bandit = Path(found)
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [str(bandit), "-q", "-ll", "-c", "pyproject.toml", "-r", "src"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
