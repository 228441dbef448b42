"""Settings come from the environment through typed helpers that fail loudly."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import pytest

from digipunt.env import ImproperlyConfiguredEnv, env_bool, env_int, env_list, env_str

ROOT = Path(__file__).resolve().parent.parent


def test_env_bool_reads_the_usual_spellings(monkeypatch):
    for raw, expected in [("true", True), ("1", True), ("Yes", True), ("off", False), ("0", False)]:
        monkeypatch.setenv("DIGIPUNT_TEST_FLAG", raw)
        assert env_bool("DIGIPUNT_TEST_FLAG", not expected) is expected


def test_env_bool_refuses_a_value_it_cannot_read(monkeypatch):
    monkeypatch.setenv("DIGIPUNT_TEST_FLAG", "maybe")
    with pytest.raises(ImproperlyConfiguredEnv, match="DIGIPUNT_TEST_FLAG"):
        env_bool("DIGIPUNT_TEST_FLAG", False)


def test_env_int_refuses_words_and_names_the_variable(monkeypatch):
    monkeypatch.setenv("DIGIPUNT_TEST_NUMBER", "ten")
    with pytest.raises(ImproperlyConfiguredEnv, match="DIGIPUNT_TEST_NUMBER"):
        env_int("DIGIPUNT_TEST_NUMBER", 1)


def test_unset_or_empty_variables_give_the_default(monkeypatch):
    monkeypatch.delenv("DIGIPUNT_TEST_UNSET", raising=False)
    assert env_int("DIGIPUNT_TEST_UNSET", 7) == 7
    assert env_str("DIGIPUNT_TEST_UNSET", "x") == "x"
    monkeypatch.setenv("DIGIPUNT_TEST_UNSET", "")
    assert env_bool("DIGIPUNT_TEST_UNSET", True) is True
    assert env_list("DIGIPUNT_TEST_UNSET", ["a"]) == ["a"]


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("DIGIPUNT_TEST_LIST", " a.example, ,b.example ")
    assert env_list("DIGIPUNT_TEST_LIST", []) == ["a.example", "b.example"]


def test_every_variable_the_settings_read_is_documented_in_env_example():
    settings_source = (ROOT / "digipunt" / "settings.py").read_text()
    read = set(re.findall(r'env_(?:str|bool|int|list)\(\s*"([A-Z_]+)"', settings_source))
    documented = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert read, "no variables found: the pattern no longer matches settings.py"
    assert read - documented == set()


def test_without_a_secret_key_production_settings_refuse_to_start(tmp_path):
    import subprocess
    import sys

    env = {"PATH": "/usr/bin:/bin", "DIGIPUNT_VAR_DIR": str(tmp_path), "DEBUG": "false"}
    code = "import digipunt.settings"
    refused = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert refused.returncode != 0
    assert "SECRET_KEY must be set" in refused.stderr
    allowed = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "SECRET_KEY": "x" * 50},
        capture_output=True,
        text=True,
    )
    assert allowed.returncode == 0, allowed.stderr


def test_passwords_are_hashed_with_argon2_and_checked_as_asvs_asks():
    import digipunt.settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    validators = {v["NAME"].rsplit(".", 1)[1] for v in production.AUTH_PASSWORD_VALIDATORS}
    assert validators == {
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "UserAttributeSimilarityValidator",
    }


def test_the_documented_production_environment_passes_check_deploy_without_warnings(tmp_path):
    import subprocess
    import sys

    values = {}
    for line in (ROOT / "deploy" / "production.env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name] = value
    # The check needs no database server; the rest is exactly the documented environment.
    values["DATABASE_URL"] = f"sqlite:///{tmp_path / 'check.sqlite3'}"

    def check(secret_key: str) -> subprocess.CompletedProcess[str]:
        env = {
            "PATH": "/usr/bin:/bin",
            "DIGIPUNT_VAR_DIR": str(tmp_path),
            **values,
            "SECRET_KEY": secret_key,
        }
        return subprocess.run(
            [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )

    # With the placeholder as it stands in the file, the check fails and says why.
    placeholder = check(values["SECRET_KEY"])
    assert placeholder.returncode != 0
    assert "accounts.E001" in placeholder.stdout + placeholder.stderr
    # A short key fails as an error, also at the default fail level (Django only warns).
    short = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "DIGIPUNT_VAR_DIR": str(tmp_path),
            **values,
            "SECRET_KEY": "a-short-but-random-Kq8zP2",
        },
        capture_output=True,
        text=True,
    )
    assert short.returncode != 0
    assert "accounts.E001" in short.stdout + short.stderr
    # With a key made as the file says, no issue at all.
    result = check(secrets.token_urlsafe(50))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_documented_production_environment_can_be_read_by_a_shell(tmp_path):
    import subprocess

    example = ROOT / "deploy" / "production.env.example"
    result = subprocess.run(
        ["/bin/sh", "-c", f"set -a; . '{example}'; printf '%s' \"$DEFAULT_FROM_EMAIL\""],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "no-reply@digipunt.example.be"
