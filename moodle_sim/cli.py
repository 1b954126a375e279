"""``lms-bridge sim``: serve the Moodle simulator (demo, contract tests, benchmarks)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

import click

from moodle_sim.costs import LAB_LATENCY_MS, LAB_ROW_MS, SimConfig
from moodle_sim.state import SimState

DEFAULT_EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def build_state(seed: str, random_seed: int, examples: Path) -> tuple[SimState, str]:
    """Seed ``examples`` (the project's examples/), ``lab`` (the recorded lab) or a number of teachers."""
    from moodle_sim import seed as seeding

    state = SimState()
    if seed == "examples":
        counts = seeding.seed_examples(state, examples)
        return state, f"примеры: педагогов {counts['teachers']}, курсов {counts['courses']}"
    if seed == "lab":
        from moodle_sim.lab import seed_lab

        seed_lab(state)
        return state, "лабораторный сайт из записей (курсы 2–6, пользователи 2–9)"
    if seed.isdigit():
        counts = seeding.seed_synthetic(state, int(seed), random_seed)
        return state, f"синтетика: педагогов {counts['teachers']}, курсов {counts['courses']}"
    raise click.BadParameter("ожидается examples, lab или число педагогов", param_hint="--seed")


@click.command("sim")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8081, show_default=True, type=int)
@click.option("--token", default="sim-token", show_default=True, help="токен веб-сервиса симулятора")
@click.option("--latency-ms", default=0.0, show_default=True, type=float, help="стоимость одного вызова, мс")
@click.option("--per-row-ms", default=0.0, show_default=True, type=float, help="стоимость строки, мс")
@click.option("--fault-rate", default=0.0, show_default=True, type=click.FloatRange(0, 1), help="доля сбоев")
@click.option("--random-seed", default=0, show_default=True, type=int, help="зерно синтетики и сбоев")
@click.option(
    "--seed", "seed", default="examples", show_default=True, help="examples | lab | ЧИСЛО педагогов"
)
@click.option(
    "--examples",
    type=click.Path(path_type=Path, file_okay=False),
    default=DEFAULT_EXAMPLES,
    show_default=True,
    help="каталог с примерами",
)
@click.option("--max-input-vars", default=1000, show_default=True, type=click.IntRange(min=1))
@click.option(
    "--site",
    "sites",
    multiple=True,
    metavar="ИМЯ[:ПЕДАГОГОВ[:МС[:СБОИ]]]",
    help="несколько сайтов в одном процессе: каждый по адресу /ИМЯ, со своими данными, задержкой и сбоями",
)
@click.option("--log-requests", is_flag=True, help="печатать каждый запрос (адрес с параметрами GET)")
@click.option(
    "--lab-costs", is_flag=True, help="цены лабораторного Moodle: 48 мс вызов + замеренная цена строки"
)
def group(
    host: str,
    port: int,
    token: str,
    latency_ms: float,
    per_row_ms: float,
    fault_rate: float,
    random_seed: int,
    seed: str,
    examples: Path,
    max_input_vars: int,
    lab_costs: bool,
    sites: tuple[str, ...],
    log_requests: bool,
) -> None:
    """Симулятор Moodle 5.1 (веб-сервисы REST) для демонстрации, тестов и замеров."""
    from moodle_sim.app import create_sim_app

    if not log_requests:
        # werkzeug's access log prints query strings, which may carry a wstoken; keep it off by default
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    if sites:
        serve_sites(host, port, token, sites)
        return

    state, summary = build_state(seed, random_seed, examples)
    url = f"http://{host}:{port}"
    row_ms: Mapping[str, float] = {}
    if lab_costs:
        latency_ms, row_ms = LAB_LATENCY_MS, LAB_ROW_MS
        per_row_ms = per_row_ms or LAB_ROW_MS["gradereport_user_get_grade_items"]
    config = SimConfig(
        token=token,
        site_url=url,
        latency_ms=latency_ms,
        row_ms_by_function=row_ms,
        per_row_ms=per_row_ms,
        fault_rate=fault_rate,
        random_seed=random_seed,
        max_input_vars=max_input_vars,
    )
    app = create_sim_app(config, state)
    click.echo(f"Симулятор Moodle: {url} ({summary})")
    click.echo("Для lms-bridge:")
    click.echo(f"  export LMS_BRIDGE_MOODLE_URL={url}")
    # The simulator's own token is not a secret; a real Moodle token is never printed anywhere.
    click.echo(f"  export LMS_BRIDGE_MOODLE_TOKEN={token}")
    click.echo(f"Счётчики: {url}/sim/stats (сброс: POST {url}/sim/reset-stats)")
    app.run(host=host, port=port, threaded=True, use_reloader=False)


def serve_sites(host: str, port: int, token: str, texts: tuple[str, ...]) -> None:
    """``--site``: several simulated sites under one port, ``http://host:port/NAME`` each."""
    from dataclasses import replace

    from werkzeug.serving import run_simple

    from moodle_sim.multisite import create_multisite_app, parse_site

    try:
        specs = [replace(parse_site(t), token=token, random_seed=n) for n, t in enumerate(texts)]
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--site") from None
    base = f"http://{host}:{port}"
    app, _ = create_multisite_app(base, specs)
    for spec in specs:
        click.echo(
            f"Сайт {spec.name}: {base}/{spec.name} (педагогов {spec.teachers}, "
            f"{spec.latency_ms:g} мс на вызов, доля сбоев {spec.fault_rate:g}); "
            f"счётчики: {base}/{spec.name}/sim/stats"
        )
    run_simple(host, port, app, threaded=True, use_reloader=False)
