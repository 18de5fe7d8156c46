"""oco-reconcile.yaml -> Settings: defaults, every key, every problem at once, no secret echoed."""

from __future__ import annotations

import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from oco_reconcile.core.settings import CredentialNames, Guardrails, Settings
from oco_reconcile.errors import InputError, Problem
from oco_reconcile.inputs.schema import load_schema
from oco_reconcile.inputs.settings import load_settings, read_settings
from oco_reconcile.venues.urls import base_url_problem
from tests.support.paths import REPO_ROOT

REPO = REPO_ROOT
SECRET = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"  # the docs' example key


def settings_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "oco-reconcile.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str) -> tuple[Problem, ...]:
    with pytest.raises(InputError) as raised:
        load_settings(settings_file(tmp_path, text))
    return raised.value.problems


def test_no_settings_file_means_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_settings(None) == Settings()
    assert load_settings(Path("oco-reconcile.yaml")) == Settings()  # the missing default file
    assert Settings().exchange == "sim"


def test_none_reads_the_default_file_when_present(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings_file(tmp_path, "owner: desk1\n")
    loaded = load_settings(None)
    assert loaded.owner == "desk1"
    assert loaded.source == Path("oco-reconcile.yaml")


def test_an_explicit_missing_file_is_a_problem(tmp_path: Path) -> None:
    with pytest.raises(InputError) as raised:
        load_settings(tmp_path / "elsewhere.yaml")
    assert str(raised.value.problems[0]) == f"{tmp_path / 'elsewhere.yaml'}: no such file"


@pytest.mark.parametrize("text", ["", "# only comments\n", "---\n"])
def test_an_empty_settings_file_means_defaults(tmp_path: Path, text: str) -> None:
    assert load_settings(settings_file(tmp_path, text)) == Settings()


def test_every_key_is_read(tmp_path: Path) -> None:
    path = settings_file(
        tmp_path,
        """\
        exchange: https://testnet.binance.vision
        owner: desk7
        prune: false
        allow_empty: true
        confirm_production: true
        recv_window: 3000
        credentials:
          api_key_env: DESK7_KEY
          private_key_file_env: DESK7_PEM
          private_key_passphrase_env: DESK7_PASS
        guardrails:
          max_notional: "10000.5"
          max_total_notional: 50000
          max_distance_pct: 0.1
          symbols: [BTCUSDT, ETHUSDT]
        sim_state: state/sim.json
        max_parallel_symbols: 8
        max_parallel_requests: 24
        """,
    )
    assert load_settings(path) == Settings(
        exchange="https://testnet.binance.vision",
        owner="desk7",
        prune=False,
        allow_empty=True,
        confirm_production=True,
        recv_window_ms=3000,
        credentials=CredentialNames(
            api_key_env="DESK7_KEY",
            private_key_file_env="DESK7_PEM",
            private_key_passphrase_env="DESK7_PASS",
        ),
        guardrails=Guardrails(
            max_notional=Decimal("10000.5"),
            max_total_notional=Decimal("50000"),
            max_distance_pct=Decimal("0.1"),
            symbols=frozenset({"BTCUSDT", "ETHUSDT"}),
        ),
        sim_state="state/sim.json",
        max_parallel_symbols=8,
        max_parallel_requests=24,
    )


def test_guardrail_numbers_are_exact_decimals(tmp_path: Path) -> None:
    loaded = load_settings(settings_file(tmp_path, "guardrails: {max_distance_pct: 0.1}\n"))
    assert str(loaded.guardrails.max_distance_pct) == "0.1"


def test_the_repository_example(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    loaded = load_settings(None)
    assert (loaded.exchange, loaded.owner, loaded.prune) == ("sim", "ocr", True)
    assert loaded.guardrails.symbols == frozenset({"BTCUSDT", "ETHUSDT"})
    assert loaded.guardrails.max_notional == Decimal("10000")
    assert loaded.credentials == CredentialNames()


BAD_SETTINGS = [
    ("exchange: binance\n", "exchange", "must be sim, testnet, demo, production or a base URL"),
    ("exchange: 42\n", "exchange", "must be sim, testnet"),
    ("exchange: production\n", "exchange", "set confirm_production: true"),
    ("exchange: http://api.example.com\n", "exchange", "only allowed to a loopback host"),
    ("exchange: https://\n", "exchange", "with a host"),
    ("exchange: https://h.example?x=1\n", "exchange", "without a query"),
    ("exchange: http://127.0.0.1:port\n", "exchange", "not a valid URL"),
    ("owner: my-desk\n", "owner", "1 to 10 letters or digits"),
    ("owner: abcdefghijk\n", "owner", "1 to 10 letters or digits"),
    ("prune: maybe\n", "prune", "must be true or false, not a string"),
    ("allow_empty: 1\n", "allow_empty", "must be true or false, not an integer"),
    ("recv_window: 0\n", "recv_window", "at least 1"),
    ("recv_window: 60001\n", "recv_window", "at most 60000"),
    ("recv_window: 5000.5\n", "recv_window", "must be an integer, not a decimal number"),
    ("credentials: BINANCE_API_KEY\n", "credentials", "must be a mapping, not a string"),
    ("credentials: {api_key_env: binance_key}\n", "credentials.api_key_env", "NAME of an env"),
    ("credentials: {api_key: X}\n", "credentials.api_key", "did you mean 'api_key_env'?"),
    ("guardrails: {max_notional: 0}\n", "guardrails.max_notional", "greater than 0"),
    ("guardrails: {max_notional: .nan}\n", "guardrails.max_notional", "finite"),
    ("guardrails: {max_distance_pct: abc}\n", "guardrails.max_distance_pct", "not a plain decimal"),
    ("guardrails: {symbols: []}\n", "guardrails.symbols", "at least 1 item"),
    ("guardrails: {symbols: [btcusdt]}\n", "guardrails.symbols[0]", "upper case"),
    ("guardrails: {symbols: [BTCUSDT, BTCUSDT]}\n", "guardrails.symbols", "same value twice"),
    ("guardrails: {max_loss: 5}\n", "guardrails.max_loss", "unknown field"),
    ("sim_state: ''\n", "sim_state", "must not be empty"),
    ("max_parallel_symbols: 0\n", "max_parallel_symbols", "at least 1"),
    ("max_parallel_symbols: 33\n", "max_parallel_symbols", "at most 32"),
    ("max_parallel_requests: 0\n", "max_parallel_requests", "at least 1"),
    ("max_parallel_requests: 65\n", "max_parallel_requests", "at most 64"),
    ("exchnage: sim\n", "exchnage", "did you mean 'exchange'?"),
    ("- sim\n", None, "expected a mapping of settings"),
    ("exchange: [\n", None, "invalid YAML"),
]


@pytest.mark.parametrize(("text", "field", "message"), BAD_SETTINGS)
def test_each_bad_setting_is_one_problem(
    tmp_path: Path, text: str, field: str | None, message: str
) -> None:
    (problem,) = problems(tmp_path, text)
    assert problem.file == str(tmp_path / "oco-reconcile.yaml")
    assert problem.line is not None
    assert problem.field == field
    assert message in problem.message


@pytest.mark.parametrize(
    "url",
    [
        "https://api.binance.com",
        "https://testnet.binance.vision/",
        "http://127.0.0.1:8765",
        "http://127.8.0.1",
        "http://localhost:9000",
        "http://[::1]:8765",
    ],
)
def test_acceptable_base_urls(tmp_path: Path, url: str) -> None:
    assert base_url_problem(url) is None
    assert load_settings(settings_file(tmp_path, f"exchange: '{url}'\n")).exchange == url


def test_production_is_allowed_once_confirmed(tmp_path: Path) -> None:
    path = settings_file(tmp_path, "exchange: production\nconfirm_production: true\n")
    loaded = load_settings(path)
    assert loaded.is_production


def test_all_problems_come_at_once(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        """\
        exchange: production
        owner: "bad owner"
        recv_window: -1
        guardrails: {max_notional: -5, symbols: [x]}
        """,
    )
    assert [(p.line, p.field) for p in found] == [
        (1, "exchange"),
        (2, "owner"),
        (3, "recv_window"),
        (4, "guardrails.max_notional"),
        (4, "guardrails.symbols[0]"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        f"credentials: {{api_key_env: {SECRET}}}\n",
        f"credentials: {{api_secret_env: '{SECRET}'}}\n",
        f"credentials: {{api_secret_env: ['{SECRET}']}}\n",
        f"credentials: '{SECRET}'\n",
        f"exchange: 'https://user:{SECRET}@api.binance.com'\n",
        f"exchange: '{SECRET}'\n",
        f"api_secret: {SECRET}\n",
        f"credentials:\n  api_secret_env: {SECRET}\n  {SECRET}\n",  # a broken paste: invalid YAML
    ],
)
def test_a_secret_pasted_into_settings_is_refused_and_never_echoed(
    tmp_path: Path, text: str
) -> None:
    with pytest.raises(InputError) as raised:
        load_settings(settings_file(tmp_path, text))
    rendered = "\n".join(str(problem) for problem in raised.value.problems)
    assert rendered
    assert SECRET not in rendered
    assert SECRET[:12] not in rendered
    assert SECRET not in str(raised.value)


def test_best_effort_settings_keep_valid_fields(tmp_path: Path) -> None:
    path = settings_file(tmp_path, "owner: desk2\nprune: maybe\nrecv_window: 99999999\n")
    loaded, found = read_settings(path)
    assert loaded.owner == "desk2"  # valid: kept, so bracket checks use it
    assert (loaded.prune, loaded.recv_window_ms) == (True, 5000)  # invalid: defaults
    assert [p.field for p in found] == ["prune", "recv_window"]


@pytest.mark.parametrize(
    ("name", "most"), [("max_parallel_requests", 64), ("max_parallel_symbols", 32)]
)
def test_the_schema_documents_the_default_and_the_bound_the_reader_applies(
    name: str, most: int, tmp_path: Path
) -> None:
    documented = load_schema("config")["properties"][name]
    assert documented["default"] == getattr(Settings(), name)
    assert documented["maximum"] == most
    (tmp_path / "oco-reconcile.yaml").write_text(f"exchange: sim\n{name}: {most}\n")
    assert getattr(load_settings(tmp_path / "oco-reconcile.yaml"), name) == most
    (tmp_path / "oco-reconcile.yaml").write_text(f"exchange: sim\n{name}: {most + 1}\n")
    with pytest.raises(InputError) as refused:
        load_settings(tmp_path / "oco-reconcile.yaml")
    assert [(p.field, p.message) for p in refused.value.problems] == [
        (name, f"must be at most {most}")
    ]
