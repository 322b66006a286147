"""`pressroom serve`'s web settings are checked before anything loads, with a message that says what to do."""

from __future__ import annotations

from typer.testing import CliRunner

from pressroom.cli import app as cli
from pressroom.settings import Settings


def test_serve_refuses_an_origin_that_is_not_one(tmp_path) -> None:
    result = CliRunner().invoke(cli, ["serve", "--index", str(tmp_path / "none"), "--allowed-origins", "intranet.example/page"])
    assert result.exit_code == 2
    assert "'intranet.example/page' is not an origin; write scheme://host[:port]" in result.output


def test_serve_refuses_a_bad_users_file(tmp_path, monkeypatch) -> None:
    users = tmp_path / "users"
    users.write_text("kim:not-a-hash\n", encoding="utf-8")
    monkeypatch.setenv("PRESSROOM_USERS_FILE", str(users))
    result = CliRunner().invoke(cli, ["serve", "--index", str(tmp_path / "none")])
    assert result.exit_code == 2 and "expected `name:bcrypt-hash`" in result.output


def test_web_settings_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("PRESSROOM_ALLOWED_ORIGINS", "https://intranet.example, http://127.0.0.1:8081/")
    monkeypatch.setenv("PRESSROOM_ROOT_PATH", "pressroom/")
    monkeypatch.setenv("PRESSROOM_TRUSTED_PROXIES", "10.0.0.0/8")
    monkeypatch.setenv("PRESSROOM_RATE_LIMIT_PER_MINUTE", "0")
    config = Settings().web_config()
    assert config.allowed_origins == ("https://intranet.example", "http://127.0.0.1:8081")
    assert config.root_path == "/pressroom" and config.trusted_proxies == ("10.0.0.0/8",)
    assert config.limits.rate_per_minute == 0 and config.limits.max_question_chars == 2000
    assert config.feedback_db.name == "feedback.db"


def test_users_add_writes_a_file_the_sign_in_reads(tmp_path) -> None:
    from ui.auth import BasicUsers, load_users

    users = tmp_path / "users"
    runner = CliRunner()
    assert runner.invoke(cli, ["users", "add", "kim", "--file", str(users)], input="correct horse\ncorrect horse\n").exit_code == 0
    assert runner.invoke(cli, ["users", "add", "lee", "--file", str(users), "--password", "battery staple"]).exit_code == 0
    changed = runner.invoke(cli, ["users", "add", "kim", "--file", str(users), "--password", "new password"])
    assert changed.exit_code == 0 and "kim can sign in" in changed.output
    check = BasicUsers(load_users(users))
    import base64

    def header(name: str, password: str) -> str:
        return "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()

    assert check.check(header("kim", "new password")) == "kim" and check.check(header("kim", "correct horse")) is None
    assert check.check(header("lee", "battery staple")) == "lee"
    assert oct(users.stat().st_mode & 0o777) == "0o600"
    short = runner.invoke(cli, ["users", "add", "park", "--file", str(users), "--password", "short"])
    assert short.exit_code == 2 and "shorter than 8" in short.output
