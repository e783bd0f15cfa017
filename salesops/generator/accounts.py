"""Accounts: a book per rep imported at go-live, new ones from lead conversion and outbound
prospecting; a leaver's book moves to a teammate; a prospect becomes a customer on its first win.
Contacts are not exported, but activities point at them (Contact Ids derive from the account)."""

from __future__ import annotations

import numpy as np

from salesops.generator.crm_users import header
from salesops.generator.formats import Codes, ms_col, refs
from salesops.generator.ids import PREFIX, IdAllocator, month_index
from salesops.generator.landing import Landing
from salesops.generator.names import (
    ACCOUNT_DESCRIPTIONS,
    COMPANY_ADJ,
    COMPANY_NOUN,
    COMPANY_SUFFIX,
    COUNTRIES_BY_REGION,
    INDUSTRIES,
    SPECIAL_COMPANIES,
)
from salesops.generator.timeutil import DAY_MS, HOUR_MS, ym_of_day
from salesops.generator.workforce import REGIONS
from salesops.generator.world import People

ACCOUNT_TYPES = ("Prospect", "Customer - Direct", "Customer - Channel")
ACCOUNT_SOURCES = ("Data Migration", "Lead Conversion", "Outbound")
CONTACTS_PER_ACCOUNT = 4
COUNTRIES = tuple(sorted({c for cs in COUNTRIES_BY_REGION.values() for c in cs}))


def company_names(rng: np.random.Generator, n: int) -> list[str]:
    a = rng.integers(len(COMPANY_ADJ), size=n)
    b = rng.integers(len(COMPANY_NOUN), size=n)
    c = rng.integers(len(COMPANY_SUFFIX), size=n)
    special = rng.random(n) < 0.02
    s = rng.integers(len(SPECIAL_COMPANIES), size=n)
    out = []
    for i in range(n):
        if special[i]:
            out.append(SPECIAL_COMPANIES[s[i]])
            continue
        suffix = COMPANY_SUFFIX[c[i]]
        base = f"{COMPANY_ADJ[a[i]]} {COMPANY_NOUN[b[i]]}"
        out.append(base + suffix if suffix.startswith(",") else f"{base} {suffix}".strip())
    return out


def country_for(region: int, rng: np.random.Generator) -> str:
    options = COUNTRIES_BY_REGION[REGIONS[region].name]
    return options[int(rng.integers(len(options)))]


class Accounts:
    def __init__(self, people: People, ids: IdAllocator, rng: np.random.Generator) -> None:
        self.people = people
        self.ids = ids
        self.rng = rng
        self.num: list[int] = []
        self.name: list[str] = []
        self.owner: list[int] = []  # owner at creation
        self.created: list[int] = []
        self.created_by: list[int] = []
        self.industry: list[int] = []
        self.country: list[int] = []
        self.revenue: list[float] = []
        self.employees: list[int] = []
        self.type: list[int] = []
        self.source: list[int] = []
        self.description: list[int] = []
        self.changes: list[tuple[int, int, str, int]] = []  # (account, ms, field, value)
        self.book: dict[int, list[int]] = {}
        self.customer: set[int] = set()
        self._reassign: list[tuple[int, int, int]] = []
        for (person, term), succ in sorted(people.successor.items(), key=lambda kv: kv[0][1]):
            self._reassign.append(((term + 2) * DAY_MS + 15 * HOUR_MS, person, succ))
        self._reassign.sort()
        self._next_reassign = 0

    def create(self, name: str, owner: int, created_ms: int, region: int, source: int,
               customer: bool, created_by: int) -> int:
        rng = self.rng
        i = len(self.num)
        self.num.append(self.ids.one(month_index(*ym_of_day(created_ms // DAY_MS))))
        self.name.append(name)
        self.owner.append(owner)
        self.created.append(created_ms)
        self.created_by.append(created_by)
        self.industry.append(int(rng.integers(len(INDUSTRIES))))
        self.country.append(COUNTRIES.index(country_for(region, rng)))
        emp = int(np.exp(rng.normal(5.5, 1.5)))
        self.employees.append(max(emp, 3))
        self.revenue.append(float(round(emp * rng.uniform(80_000, 250_000), -3))
                            if rng.random() < 0.8 else float("nan"))
        self.type.append(1 + int(rng.random() < 0.2) if customer else 0)
        self.source.append(source)
        self.description.append(int(rng.integers(len(ACCOUNT_DESCRIPTIONS))))
        if customer:
            self.customer.add(i)
        self.book.setdefault(owner, []).append(i)
        return i

    def reassign_until(self, ms: int) -> None:
        """Apply leavers' book reassignments due before `ms`."""
        while self._next_reassign < len(self._reassign):
            t, leaver, succ = self._reassign[self._next_reassign]
            if t >= ms:
                break
            self._next_reassign += 1
            moved = self.book.pop(leaver, [])
            if not moved:
                continue
            succ = self.people.owner_at(succ, t)
            if succ == leaver:
                self.book[leaver] = moved
                continue
            for a in moved:
                self.changes.append((a, t, "OwnerId", succ))
            self.book.setdefault(succ, []).extend(moved)

    def pick(self, owner: int, rng: np.random.Generator, customers_only: bool = False,
             before: int = 2**62) -> int:
        """A random account of the owner's book created before `before` (-1: none)."""
        accounts = [a for a in self.book.get(owner, []) if self.created[a] < before]
        if customers_only:
            accounts = [a for a in accounts if a in self.customer]
        if not accounts:
            return -1
        return accounts[int(rng.integers(len(accounts)))]

    def won(self, account: int, ms: int) -> None:
        if account not in self.customer:
            self.customer.add(account)
            self.changes.append((account, ms, "Type", 1))

    def contact_num(self, account: int | np.ndarray, j: int | np.ndarray) -> np.ndarray:
        return np.asarray(self.num_array()[account]) * CONTACTS_PER_ACCOUNT + j

    def num_array(self) -> np.ndarray:
        cache = getattr(self, "_num_arr", None)
        if cache is None or len(cache) != len(self.num):
            cache = np.array(self.num, np.int64)
            self._num_arr = cache
        return cache

    def emit(self, land: Landing) -> None:
        n = len(self.num)
        changes_by: dict[int, list[tuple[int, str, int]]] = {}
        for a, ms, f, v in self.changes:
            changes_by.setdefault(a, []).append((ms, f, v))
        acc, stamp, owner, typ = [], [], [], []
        for a in range(n):
            o, t = self.owner[a], self.type[a]
            acc.append(a)
            stamp.append(self.created[a])
            owner.append(o)
            typ.append(t)
            last = self.created[a]
            for ms, f, v in sorted(changes_by.get(a, [])):
                ms = max(ms, last + 1000)
                last = ms
                if f == "OwnerId":
                    o = v
                else:
                    t = v
                acc.append(a)
                stamp.append(ms)
                owner.append(o)
                typ.append(t)
        a = np.array(acc, np.int64)
        nums = np.array(self.num, np.int64)[a]
        people = self.people
        frame = {
            "Id": refs(PREFIX["Account"], nums),
            "Name": np.array(self.name, dtype=object)[a],
            "OwnerId": refs(PREFIX["User"], people.user_num[np.array(owner, np.int64)]),
            "CreatedDate": ms_col(np.array(self.created, np.int64)[a]),
            "SystemModstamp": ms_col(stamp),
            "IsDeleted": np.zeros(len(a), bool),
            "Industry": Codes(INDUSTRIES, np.array(self.industry)[a]),
            "BillingCountry": Codes(COUNTRIES, np.array(self.country)[a]),
            "AnnualRevenue": np.array(self.revenue, dtype=float)[a],
            "NumberOfEmployees": np.array(self.employees, np.int64)[a],
            "Type": Codes(ACCOUNT_TYPES, np.array(typ)),
            "AccountSource": Codes(ACCOUNT_SOURCES, np.array(self.source)[a]),
            "Description": Codes(ACCOUNT_DESCRIPTIONS, np.array(self.description)[a]),
            "CreatedById": refs(PREFIX["User"],
                                people.user_num[np.array(self.created_by, np.int64)[a]]),
        }
        frame["LastModifiedDate"] = frame["SystemModstamp"]
        land.emit("Account.csv", header("Account.csv"), frame, nums, np.array(stamp, np.int64))
