"""Regenerate the README screenshots from the sample model and sample data.

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/make_screenshots.py [--out docs/images] [--size 1366x768]

Writes

* ``main_window.png``: the window as it opens (``leaddesigner.gui.app.main``
  with ``screenshot=``): default settings, each lead scored 30 days after
  its creation;
* ``lead_inspector.png``: the Leads tab, with the inspector explaining a
  near-miss lead (a lead a few points below the MQL threshold) and that lead
  selected in the table.
* ``backtest.png``: the Backtest tab with the outcome ``converted`` and the
  conversion date ``converted_at``;
* ``timeline.png``: the Timeline tab (MQL arrivals, backlog, SLA) over the
  sample period.
* ``workshop_cards.png``, ``workshop_presenter.png`` (1920x1080),
  ``workshop_agreement.png``: the Workshop tab with its first deck, the
  full-screen card, and the agreement after a made-up room of five voted;
* ``health.png``, ``accounts.png``: the Health tab (outcome ``converted``) and the Accounts tab
  with the best account of four or more contacts chosen;
* ``crm_hubspot.png``, ``crm_salesforce.png``, ``crm_marketo.png``: the app
  started from each CRM-shaped export in ``tests/fixtures/crm/`` with no
  model (``leaddesigner gui --leads FILE``), the outcome chosen, and rules
  made from three profiled columns with one click each; the Profile tab in
  front.

Both use no saved settings (QSettings points at a temporary folder) and the
same random seed, so the images change only when the app or the samples do.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _isolate_settings() -> None:
    """Default settings: never read (or write) the user's own QSettings."""
    from PySide6.QtCore import QSettings

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp(prefix="ld-shots-"))


def main_window(out: Path, size: tuple[int, int]) -> None:
    from leaddesigner import paths
    from leaddesigner.gui.app import main

    code = main(paths.default_model(), paths.sample_leads(), paths.sample_activities(), screenshot=out, size=size)
    if code != 0:
        raise SystemExit(f"could not render {out} (exit status {code})")


def _shoot_and_close(app, w, out: Path) -> None:
    from leaddesigner.gui.app import take_screenshot

    ok = take_screenshot(w, out)
    w.doc.wait_for_workers(5000)
    w.hide()
    w.deleteLater()
    app.processEvents()
    if not ok:
        raise SystemExit(f"could not render {out}")


def _loaded_window(size: tuple[int, int]):
    from leaddesigner import paths
    from leaddesigner.gui.app import _wait_until, create_app
    from leaddesigner.gui.window.main_window import MainWindow

    app = create_app()
    w = MainWindow(interactive=False, settings_enabled=False)
    w.resize(*size)
    w.show()
    if not w.open_model(paths.default_model(), ask=False):
        raise SystemExit("cannot open the sample model")
    w.load_data(paths.sample_leads(), paths.sample_activities())
    if not _wait_until(app, lambda: w.doc.ready and w.doc.summary is not None, 300):
        raise SystemExit("the sample data did not load in time")
    return app, w


def lead_inspector(out: Path, size: tuple[int, int]) -> None:
    from PySide6.QtCore import QItemSelectionModel

    app, w = _loaded_window(size)
    w.editor_tabs.setCurrentWidget(w.leads_tab)
    app.processEvents()
    w.inspector.show_near_miss()  # seeded: the same lead every time
    row = w.inspector.row
    view_row = w.leads_model.view_row(row)
    if view_row >= 0:
        idx = w.leads_model.index(view_row, 0)
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        w.leads_view.selectionModel().setCurrentIndex(idx, flags)
        w.leads_view.scrollTo(idx, w.leads_view.ScrollHint.PositionAtCenter)
    _shoot_and_close(app, w, out)


def _shoot_panel(out: Path, size: tuple[int, int], panel: str) -> None:
    from leaddesigner.gui.app import _wait_until

    app, w = _loaded_window(size)
    p = w.panels[panel]
    if panel == "backtest":
        w.set_outcome_column("converted")
        p.set_conversion_column("converted_at", "first_sales_contact_at")
        w.view_tabs.setCurrentWidget(p)
        done = lambda: p.output is not None and not p.busy  # noqa: E731
    elif panel == "health":
        w.set_outcome_column("converted")
        w.view_tabs.setCurrentWidget(p)
        done = lambda: p.result is not None and not p.busy  # noqa: E731
    elif panel == "accounts":
        w.view_tabs.setCurrentWidget(p)
        done = lambda: p.view is not None and not p.busy  # noqa: E731
    else:
        w.view_tabs.setCurrentWidget(p)
        done = lambda: p.up_to_date and p.suggestions is not None  # noqa: E731
    app.processEvents()
    if not _wait_until(app, done, 300):
        raise SystemExit(f"the {panel} tab did not finish in time")
    if panel == "accounts":  # an account with a buying group to show: the best one with four or more contacts
        f = p.view.result.frame
        big = f[f["contacts"] >= 4].sort_values(["score", "account"], ascending=[False, True])
        if len(big):
            p.select_account(big["account"].iloc[0])
            app.processEvents()
    _shoot_and_close(app, w, out)


def workshop(out_dir: Path, size: tuple[int, int]) -> list[Path]:
    """The Workshop tab: a card, the presenter at 1920x1080, the agreement after a room's votes."""
    from leaddesigner.core.workshop.votes import VOTES, Vote

    app, w = _loaded_window(size)
    p = w.panels["workshop"]
    w.view_tabs.setCurrentWidget(p)
    deck = p.deal()  # seed 0: the same cards every time
    p.index = 2
    p.set_revealed(False)
    app.processEvents()
    shots = []
    from leaddesigner.gui.app import take_screenshot

    take_screenshot(w, out_dir / "workshop_cards.png")
    shots.append(out_dir / "workshop_cards.png")
    pres = p.present()
    pres.showNormal()
    pres.resize(1920, 1080)
    app.processEvents()
    pres.grab().save(str(out_dir / "workshop_presenter.png"))
    shots.append(out_dir / "workshop_presenter.png")
    pres.close()
    # a room of five: sales (three) would also call the leads just under the line, marketing follows the model
    t = w.doc.model.thresholds.mql
    for c in deck.cards:
        for who, role in (("Ana", "sales"), ("Ben", "sales"), ("Eve", "sales"), ("Cleo", "marketing"), ("Dev", "marketing")):
            call = c.model_says_call if role == "marketing" else (c.model_says_call or c.score >= t - deck.band)
            p.votes.cast(Vote(c.lead_id, who, VOTES[0] if call else VOTES[1], role))
    p._refresh_agreement()
    p.pages.setCurrentIndex(1)
    p.suggest()
    from leaddesigner.gui.app import _wait_until

    _wait_until(app, lambda: p.suggestion is not None, 120)
    app.processEvents()
    take_screenshot(w, out_dir / "workshop_agreement.png")
    shots.append(out_dir / "workshop_agreement.png")
    w.close()
    w.deleteLater()
    app.processEvents()
    return shots


CRM = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "crm"
#: file, outcome column, values that mean converted, columns made into rules
CRM_SHOTS = {
    "crm_hubspot.png": ("hubspot_contacts.csv", "Lifecycle Stage", ("opportunity", "customer"),
                        ("Industry", "Number of Employees", "Original Source")),
    "crm_salesforce.png": ("salesforce_leads_report.csv", "Converted", None, ("Industry", "Title", "Lead Source")),
    "crm_marketo.png": ("marketo_leads.xlsx", "Person Status", ("Sales Accepted",), ("Industry", "Number of Employees", "Country")),
}


def crm_export(out: Path, size: tuple[int, int], spec: tuple) -> None:
    """The app started from a CRM export (no model): outcome chosen, three rules from the Profile tab."""
    from leaddesigner.core.data.outcome import OutcomeSpec
    from leaddesigner.gui.app import _wait_until, create_app
    from leaddesigner.gui.window.main_window import MainWindow

    name, column, positive, rules = spec
    app = create_app()
    w = MainWindow(interactive=False, settings_enabled=False)
    w.resize(*size)
    w.show()
    w.start_from_file(CRM / name)
    if not _wait_until(app, lambda: bool(w.doc.model.attributes) and w.doc.ready and not w.doc.loading, 300):
        raise SystemExit(f"{name} did not load in time")
    w.doc.set_outcome(OutcomeSpec(column, positive))
    p = w.panels["profile"]
    w.editor_tabs.setCurrentWidget(p)
    if not _wait_until(app, lambda: p.profile is not None and p.profile.outcome is not None and not p.busy, 300):
        raise SystemExit(f"{name}: the profile did not finish in time")
    for col in rules:
        p.select_column(col)
        p.make_rule()
    from leaddesigner.core.edits import commands as C

    w.doc.push(C.SetThreshold("mql", 10))  # as a user drags the MQL line into the scores
    w.doc.flush()
    p.columns_view.scrollToTop()
    p.select_column(rules[0])
    _wait_until(app, lambda: w.doc.ready, 60)
    _shoot_and_close(app, w, out)


def cli(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent / "images"), help="folder for the PNGs")
    ap.add_argument("--size", default="1366x768", help="window size, e.g. 1920x1080")
    args = ap.parse_args(argv)
    w, h = (int(x) for x in args.size.lower().split("x", 1))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    _isolate_settings()
    main_window(out / "main_window.png", (w, h))
    lead_inspector(out / "lead_inspector.png", (w, h))
    _shoot_panel(out / "backtest.png", (w, h), "backtest")
    _shoot_panel(out / "timeline.png", (w, h), "timeline")
    _shoot_panel(out / "health.png", (w, h), "health")
    _shoot_panel(out / "accounts.png", (w, h), "accounts")
    for name, spec in CRM_SHOTS.items():
        crm_export(out / name, (w, h), spec)
    for shot in workshop(out, (w, h)):
        print(shot)
    for name in ("main_window.png", "lead_inspector.png", "backtest.png", "timeline.png", "health.png", "accounts.png", *CRM_SHOTS):
        print(out / name)
    return 0


if __name__ == "__main__":
    sys.exit(cli())
