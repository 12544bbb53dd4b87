"""Shared fixtures: no test ever touches a real ledger or the real clock."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlite_utils import Database
from typer.testing import CliRunner

from duban.cli import app
from duban.ledger import Ledger


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    """Point DUBAN_DB at a temp file and pin DUBAN_TODAY for every test."""
    monkeypatch.setenv("DUBAN_DB", str(tmp_path / "test.db"))
    monkeypatch.setenv("DUBAN_TODAY", "2026-11-16")
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    yield


@pytest.fixture
def ledger() -> Ledger:
    """An in-memory ledger on Monday 2026-11-16 with three units."""
    led = Ledger(Database(memory=True), today=dt.date(2026, 11, 16))
    led.add_unit("市交通运输局", aliases=["市交通局", "交通局"], contact="张三", phone="0771-5550101")
    led.add_unit("市财政局", aliases=["财政局"], contact="李四", phone="0771-5550102")
    led.add_unit("市住房和城乡建设局", aliases=["市住建局", "住建局"], contact="王五", phone="0771-5550103")
    return led


class Duban:
    """Runs the CLI in-process; ``today`` may be changed between calls."""

    def __init__(self, runner: CliRunner):
        self.runner = runner

    def __call__(self, *args: str, today: str | None = None, input: str | None = None):
        env = {"DUBAN_TODAY": today} if today else {}
        return self.runner.invoke(app, list(args), env=env, input=input)


@pytest.fixture
def duban() -> Duban:
    return Duban(CliRunner())


@pytest.fixture
def units(duban) -> Duban:
    """A CLI ledger initialised with three units."""
    assert duban("init").exit_code == 0
    for args in (
        ["市交通运输局", "--alias", "交通局", "--contact", "张三", "--phone", "0771-5550101"],
        ["市财政局", "--alias", "财政局"],
        ["市住房和城乡建设局", "--alias", "市住建局", "--alias", "住建局"],
    ):
        assert duban("unit", "add", *args).exit_code == 0
    return duban
