"""Issue 16: refusing to start open by accident, the worker count from the cgroup quota, and
CLI batches that go on past a file that fails or crashes its reader."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from telnorm.parsers.errors import ParseCrashed
from telnorm.service import cpus
from telnorm.service.authconfig import AuthConfigError
from telnorm.service.main import create_app
from telnorm.service.settings import Settings
from tests.hardening.conftest import XLSX_SAMPLE, csv_sample
from tests.hardening.files import bundle, far_xlsx, rezip
from tests.hardening.live import free_port
from tests.service.test_workers import _crash, _pid

TELNORM = Path(sys.executable).parent / "telnorm"


def _env(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELNORM_")}
    env.update({f"TELNORM_{k.upper()}": v for k, v in settings.items()})
    return env


# --- 11. auth misconfiguration --------------------------------------------------------------


@pytest.mark.parametrize("tokens", [[], [""], ["  ", "\t"]])
def test_configured_but_empty_token_list_refuses(tokens: list[str]) -> None:
    settings = Settings(auth_tokens=tokens)
    with pytest.raises(AuthConfigError, match="holds no token"):
        settings.tokens()
    with pytest.raises(AuthConfigError):
        create_app(settings)


@pytest.mark.parametrize("content", ["", "\n\n", "# the token goes here\n   \n"])
def test_token_file_without_a_token_refuses(tmp_path: Path, content: str) -> None:
    path = tmp_path / "tokens"
    path.write_text(content)
    with pytest.raises(AuthConfigError, match="holds no token"):
        Settings(auth_tokens_file=path).tokens()
    with pytest.raises(AuthConfigError, match="cannot be read"):
        Settings(auth_tokens_file=tmp_path / "missing").tokens()


@pytest.mark.parametrize("value", ["", "[]", " , ", '["", " "]'])
def test_empty_environment_value_refuses(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("TELNORM_AUTH_TOKENS", value)
    with pytest.raises(AuthConfigError):
        Settings().tokens()


def test_tokens_as_list_or_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELNORM_AUTH_TOKENS", "alpha, beta")
    assert Settings().tokens() == {"alpha", "beta"}
    monkeypatch.setenv("TELNORM_AUTH_TOKENS", '["gamma"]')
    assert Settings().tokens() == {"gamma"}
    monkeypatch.delenv("TELNORM_AUTH_TOKENS")
    assert Settings().tokens() == frozenset()  # not configured: off


@pytest.mark.parametrize("variable", ["TELNORM_AUTH_TOKENS", "TELNORM_AUTH_TOKENS_FILE"])
def test_serve_refuses_to_start_with_an_empty_token(tmp_path: Path, variable: str) -> None:
    empty = tmp_path / "empty-tokens"
    empty.write_text("# nothing yet\n")
    value = "" if variable == "TELNORM_AUTH_TOKENS" else str(empty)
    port = free_port()
    env = _env()
    env[variable] = value
    done = subprocess.run(
        [str(TELNORM), "serve", "--port", str(port)],
        env=env,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert b"holds no token" in done.stderr
    assert b"does not start open" in done.stderr


def test_health_checks_open_with_auth_on() -> None:
    from fastapi.testclient import TestClient

    with TestClient(create_app(Settings(workers=1, auth_tokens=["s3cret"]))) as client:
        assert client.get("/health").status_code == 200
        assert client.post("/normalise", content=b"x").status_code == 401


# --- worker count from the cgroup quota ---------------------------------------------------


@pytest.mark.parametrize(
    "files,quota,workers",
    [
        ({"cpu.max": "200000 100000\n"}, 2.0, 2),
        ({"cpu.max": "150000 100000\n"}, 1.5, 2),
        ({"cpu.max": "50000 100000\n"}, 0.5, 1),
        ({"cpu.max": "max 100000\n"}, None, None),
        ({"cpu/cpu.cfs_quota_us": "300000\n", "cpu/cpu.cfs_period_us": "100000\n"}, 3.0, 3),
        ({"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"}, None, None),
        ({}, None, None),
    ],
)
def test_workers_follow_the_cgroup_quota(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    files: dict[str, str],
    quota: float | None,
    workers: int | None,
) -> None:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(64)))  # a big host
    monkeypatch.setattr(cpus, "CGROUP_ROOT", tmp_path)
    assert cpus.cgroup_cpu_quota() == quota
    expected = workers if workers is not None else 4  # no quota: the host's, at most 4
    assert cpus.default_workers() == expected
    monkeypatch.delenv("TELNORM_WORKERS", raising=False)
    assert Settings().workers == expected


# --- 3. the CLI batch goes on ------------------------------------------------------------------


def test_cli_batch_goes_on_past_failing_files(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a_good.csv").write_bytes(csv_sample())
    (folder / "b_far.xlsx").write_bytes(
        far_xlsx('<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    )
    (folder / "c_encrypted.zip").write_bytes(
        rezip(bundle({"t.csv": csv_sample()}), flags={"t.csv": 1})
    )
    (folder / "d_good.xlsx").write_bytes(XLSX_SAMPLE.read_bytes())
    out = tmp_path / "out"
    done = subprocess.run(
        [str(TELNORM), "normalise", str(folder), "-o", str(out)],
        env=_env(),
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["a_good.csv.json", "d_good.xlsx.json"]
    errors = done.stderr.decode()
    assert "b_far.xlsx" in errors and "[limit-exceeded]" in errors
    assert "c_encrypted.zip" in errors and "encrypted" in errors
    assert "2 of 4 files normalised, 2 failed." in errors


def test_batch_worker_survives_a_crash() -> None:
    from telnorm.service.batch import batch_pool, closing_pool

    with closing_pool(batch_pool(Settings(workers=1))) as pool:
        assert pool is not None
        first = pool.run_blocking(_pid, (), {})
        with pytest.raises(ParseCrashed):
            pool.run_blocking(_crash, (), {})
        assert pool.run_blocking(_pid, (), {}) != first  # a fresh worker took over
