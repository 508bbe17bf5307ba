"""The optional ``accounts`` section of a model: how contact scores roll up to the companies that buy.

B2B teams sell to accounts: several people of one company (a buying group) look at the product before
anyone talks to sales. The section says

* which contacts belong together (``key``): a lead-file column (``company_domain``, ``account_id``),
  or, by default, the domain of the e-mail address in the ``email`` attribute; free-mail domains
  (gmail.com, outlook.com, ...) are no account, and neither is a missing key;
* how contact scores combine (``combine``): ``sum`` (optionally limited by ``cap``), ``max``,
  ``top_n`` (the sum of the N best contacts) or ``engaged`` (``points_per_engaged`` for every
  engaged contact); ``contact_score`` picks which contact score combines (``score``, ``fit`` or
  ``engagement``: summing the fit of five people at one company counts the company five times);
* who is engaged: a contact whose engagement score is at least ``engaged_min``;
* the buying group: the roles (values of a persona column) that should be engaged; each role
  covered by at least one engaged contact adds ``points_per_role``;
* account fit rules: conditions on the lead file's columns; an account gets a rule's points once
  when any of its contacts matches it;
* the MQA threshold (marketing-qualified account) and, optionally, how many accounts the team can
  work per week (default: the SDR capacity, one account counting as one lead).

The account score is ``min(combined contact points, cap) + roles covered x points_per_role + the
points of the account rules``. Contact scores combine as the lead export shows them (rounded to two
decimals), so an account's sum is the sum of the numbers a user sees; the SQL export does the same.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from leaddesigner.core.model.types import Condition, condition_from_dict, condition_to_dict, plain_value

#: the ways contact scores combine into an account score
COMBINES = ("sum", "max", "top_n", "engaged")
#: which contact score combines
CONTACT_SCORES = ("score", "fit", "engagement")
#: ``key`` value meaning "the domain of the e-mail address"
EMAIL_DOMAIN = "email_domain"

#: e-mail domains of free mail services: a contact writing from one of them belongs to no account
FREE_MAIL_DOMAINS = (
    "gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.uk", "yahoo.fr", "yahoo.de", "yahoo.es", "yahoo.it",
    "ymail.com", "rocketmail.com", "hotmail.com", "hotmail.co.uk", "hotmail.fr", "hotmail.de", "hotmail.it",
    "hotmail.es", "outlook.com", "outlook.de", "outlook.fr", "live.com", "live.co.uk", "live.fr", "live.de",
    "msn.com", "aol.com", "icloud.com", "me.com", "mac.com", "proton.me", "protonmail.com", "pm.me", "gmx.com",
    "gmx.de", "gmx.net", "gmx.at", "gmx.ch", "web.de", "t-online.de", "freenet.de", "mail.com", "email.com",
    "zoho.com", "yandex.com", "yandex.ru", "ya.ru", "mail.ru", "inbox.ru", "bk.ru", "list.ru", "rambler.ru",
    "qq.com", "163.com", "126.com", "sina.com", "naver.com", "daum.net", "hanmail.net", "rediffmail.com",
    "libero.it", "virgilio.it", "tiscali.it", "orange.fr", "wanadoo.fr", "free.fr", "laposte.net", "sfr.fr",
    "seznam.cz", "wp.pl", "o2.pl", "interia.pl", "onet.pl", "abv.bg", "yahoo.gr", "otenet.gr", "windowslive.com",
    "tutanota.com", "fastmail.com", "hey.com", "att.net", "comcast.net", "verizon.net", "sbcglobal.net",
    "bellsouth.net", "cox.net", "btinternet.com", "sky.com", "virginmedia.com", "ntlworld.com", "bigpond.com",
    "optusnet.com.au", "shaw.ca", "rogers.com", "sympatico.ca", "uol.com.br", "bol.com.br", "terra.com.br",
)


@dataclass
class AccountRule:
    """Points an account gets once when any of its contacts matches ``when``."""

    id: str
    when: Condition
    points: float
    label: str = ""
    enabled: bool = True


@dataclass
class BuyingGroup:
    """The roles (values of ``attribute``, compared case-insensitively) that should be engaged."""

    attribute: str
    roles: list[str]
    points_per_role: float = 0.0


@dataclass
class Accounts:
    key: str = EMAIL_DOMAIN
    #: the attribute with e-mail addresses (for ``key: email_domain``)
    email: str = "email"
    combine: str = "sum"
    top_n: int = 3
    #: upper limit of the combined contact points (None: no limit)
    cap: float | None = None
    contact_score: str = "score"
    #: a contact is engaged when its engagement score is at least this
    engaged_min: float = 1.0
    points_per_engaged: float = 10.0
    buying_group: BuyingGroup | None = None
    rules: list[AccountRule] = field(default_factory=list)
    mqa: float = 100.0
    #: accounts the team can work per week (None: the SDR capacity per week)
    capacity_per_week: float | None = None

    def capacity(self, sdr_per_week: float) -> float:
        return float(self.capacity_per_week) if self.capacity_per_week is not None else float(sdr_per_week)

    def key_text(self) -> str:
        """How contacts are grouped, in words."""
        if self.key == EMAIL_DOMAIN:
            return f"the domain of '{self.email}' (free-mail domains are no account)"
        return f"the column '{self.key}'"

    def combine_text(self) -> str:
        what = {"score": "scores", "fit": "fit scores", "engagement": "engagement scores"}[self.contact_score]
        text = {
            "sum": f"the sum of the contacts' {what}",
            "max": f"the best contact's {what[:-1]}",
            "top_n": f"the sum of the {self.top_n} best contacts' {what}",
            "engaged": f"{_num(self.points_per_engaged)} points per engaged contact",
        }[self.combine]
        if self.cap is not None:
            text += f", at most {_num(self.cap)}"
        return text

    def describe(self) -> list[str]:
        """The settings in plain words (stated by ``score --accounts`` and the account view)."""
        lines = [
            f"Accounts: contacts grouped by {self.key_text()}.",
            f"Account score: {self.combine_text()}"
            + (f", plus {_num(self.buying_group.points_per_role)} per buying-group role covered"
               if self.buying_group and self.buying_group.points_per_role else "")
            + (f", plus {len(self.rules)} account rule{'s' if len(self.rules) != 1 else ''}" if self.rules else "")
            + ".",
            f"Engaged contact: engagement score at least {_num(self.engaged_min)}. MQA: account score at least {_num(self.mqa)}.",
        ]
        if self.buying_group is not None:
            lines.append(f"Buying group ({self.buying_group.attribute}): {', '.join(self.buying_group.roles)}.")
        return lines


def _num(v: float) -> str:
    return f"{v:g}" if float(v) != int(v) else f"{int(v)}"


def accounts_from_dict(d: dict | None) -> Accounts | None:
    if d is None:
        return None
    bg = d.get("buying_group")
    return Accounts(
        key=str(d.get("key", EMAIL_DOMAIN)),
        email=str(d.get("email", "email")),
        combine=str(d.get("combine", "sum")),
        top_n=int(d.get("top_n", 3)),
        cap=None if d.get("cap") is None else float(d["cap"]),
        contact_score=str(d.get("contact_score", "score")),
        engaged_min=float(d.get("engaged_min", 1.0)),
        points_per_engaged=float(d.get("points_per_engaged", 10.0)),
        buying_group=None
        if not bg
        else BuyingGroup(str(bg["attribute"]), [str(r) for r in bg.get("roles") or []], float(bg.get("points_per_role", 0))),
        rules=[
            AccountRule(str(r["id"]), condition_from_dict(r["when"]), float(r["points"]), str(r.get("label") or ""),
                        bool(r.get("enabled", True)))
            for r in d.get("rules") or []
        ],
        mqa=float(d.get("mqa", 100.0)),
        capacity_per_week=None if d.get("capacity_per_week") is None else float(d["capacity_per_week"]),
    )


def accounts_to_dict(a: Accounts) -> dict:
    out: dict[str, Any] = {"key": a.key}
    if a.key == EMAIL_DOMAIN:
        out["email"] = a.email
    out["combine"] = a.combine
    if a.combine == "top_n":
        out["top_n"] = a.top_n
    if a.combine == "engaged":
        out["points_per_engaged"] = plain_value(a.points_per_engaged)
    if a.cap is not None:
        out["cap"] = plain_value(a.cap)
    if a.contact_score != "score":
        out["contact_score"] = a.contact_score
    out["engaged_min"] = plain_value(a.engaged_min)
    if a.buying_group is not None:
        bg = a.buying_group
        out["buying_group"] = {"attribute": bg.attribute, "roles": list(bg.roles)}
        if bg.points_per_role:
            out["buying_group"]["points_per_role"] = plain_value(bg.points_per_role)
    if a.rules:
        rules = []
        for r in a.rules:
            rd: dict[str, Any] = {"id": r.id}
            if r.label:
                rd["label"] = r.label
            if not r.enabled:
                rd["enabled"] = False
            rd["when"] = condition_to_dict(r.when)
            rd["points"] = plain_value(r.points)
            rules.append(rd)
        out["rules"] = rules
    out["mqa"] = plain_value(a.mqa)
    if a.capacity_per_week is not None:
        out["capacity_per_week"] = plain_value(a.capacity_per_week)
    return out
