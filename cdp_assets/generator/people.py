"""The people behind the leads, and the many ways channels spell their names, phones and emails."""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from cdp_assets.generator.places import CITIES, CITY_WEIGHTS, City, Project

MALE_FIRST_NAMES = (
    "Rahul", "Amit", "Rohit", "Vikram", "Arjun", "Sanjay", "Rajesh", "Suresh", "Anil", "Karthik",
    "Pradeep", "Manoj", "Nikhil", "Abhishek", "Deepak", "Vivek", "Ashok", "Ramesh", "Sandeep",
    "Harish", "Gaurav", "Varun", "Siddharth", "Aditya", "Naveen", "Srinivas", "Venkat", "Mohit",
    "Kunal", "Tarun", "Rakesh", "Ajay", "Vijay", "Prakash", "Sachin", "Yogesh", "Imran", "Farhan",
    "Joseph", "Arvind",
)  # fmt: skip
FEMALE_FIRST_NAMES = (
    "Priya", "Neha", "Anjali", "Pooja", "Sneha", "Kavita", "Swati", "Divya", "Shruti", "Meera",
    "Lakshmi", "Anita", "Sunita", "Rekha", "Deepa", "Nisha", "Pallavi", "Ritu", "Aishwarya",
    "Shalini", "Madhuri", "Ayesha", "Farah", "Geeta", "Jyoti", "Kiran", "Radha", "Sangeeta",
    "Bhavana", "Harini",
)  # fmt: skip
LAST_NAMES = (
    "Sharma", "Verma", "Gupta", "Patel", "Shah", "Mehta", "Joshi", "Kulkarni", "Deshpande",
    "Patil", "Reddy", "Rao", "Naidu", "Iyer", "Iyengar", "Nair", "Menon", "Pillai", "Singh",
    "Chauhan", "Yadav", "Agarwal", "Bansal", "Malhotra", "Kapoor", "Khanna", "Chopra", "Das",
    "Banerjee", "Mukherjee", "Chatterjee", "Bose", "Ghosh", "Kumar", "Krishnan", "Subramanian",
    "Shetty", "Hegde", "Kamath", "Pawar", "Jadhav", "Shinde", "Gaikwad", "Khan", "Sheikh",
    "Qureshi", "D'Souza", "Fernandes", "Thomas", "Varghese",
)  # fmt: skip

MALE_TITLES = ("Mr", "Dr", "Er", "Shri")
FEMALE_TITLES = ("Mrs", "Ms", "Dr", "Er", "Smt")

MAIL_DOMAINS = (
    ("gmail.com",) * 11
    + ("yahoo.co.in",) * 3
    + ("rediffmail.com", "rediffmail.com", "hotmail.com", "outlook.com", "yahoo.com", "icloud.com")
)
WORK_DOMAINS = ("infosys.com", "tcs.com", "wipro.com", "accenture.com", "hdfcbank.com", "ibm.com")
DOMAIN_TYPOS = {
    "gmail.com": ("gmial.com", "gmai.com", "gmail.co"),
    "yahoo.co.in": ("yaho.co.in", "yahoo.co.n"),
    "rediffmail.com": ("rediffmai.com", "rediffmial.com"),
    "hotmail.com": ("hotmial.com", "hotmai.com"),
    "outlook.com": ("outlok.com",),
    "yahoo.com": ("yaho.com",),
    "icloud.com": ("iclod.com",),
}

PLACEHOLDER_PHONES = ("9999999999", "1234567890", "0000000000")

# Enough distinct 10-digit mobiles (first digit 6-9) for every person, walked in a scrambled
# order so consecutive people get unrelated numbers and no two people share one.
_MOBILE_SPACE = 4_000_000_000
_MOBILE_STRIDE = 2_654_435_761
_MOBILE_OFFSET = 1_234_567_891


@dataclass(slots=True)
class Person:
    """One buyer: who they are, how to reach them and what they are interested in."""

    person_id: str
    first_name: str
    last_name: str
    female: bool
    city: City
    projects: tuple[Project, ...]
    residence_area: str
    mobile: str
    email: str
    alt_mobile: str | None = None
    work_email: str | None = None
    landline: str | None = None
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def project(self) -> Project:
        return self.projects[0]


class PeopleFactory:
    """Makes people one at a time from a shared random stream; a few are namesakes."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._recent: deque[tuple[str, str, bool, City]] = deque(maxlen=500)

    def person(self, index: int) -> Person:
        """The person with this index (people must be made in index order)."""
        rng = self._rng
        if self._recent and rng.random() < 0.02:
            # A namesake: another buyer with the same name in the same city.
            first, last, female, city = rng.choice(self._recent)
        else:
            female = rng.random() < 0.38
            first = rng.choice(FEMALE_FIRST_NAMES if female else MALE_FIRST_NAMES)
            last = rng.choice(LAST_NAMES)
            city = rng.choices(CITIES, weights=CITY_WEIGHTS)[0]
        self._recent.append((first, last, female, city))

        interests = rng.sample(city.projects, 2 if rng.random() < 0.3 else 1)
        return Person(
            person_id=f"P{index + 1:07d}",
            first_name=first,
            last_name=last,
            female=female,
            city=city,
            projects=tuple(interests),
            residence_area=rng.choice(city.residence_areas),
            mobile=mobile_number(index),
            email=_personal_email(rng, first, last, index),
            alt_mobile=mobile_number(index + _MOBILE_SPACE // 2) if rng.random() < 0.08 else None,
            work_email=(
                f"{first}.{last}{index + 11}@{rng.choice(WORK_DOMAINS)}".lower().replace("'", "")
                if rng.random() < 0.1
                else None
            ),
            landline=_landline(rng, city) if rng.random() < 0.03 else None,
        )


def mobile_number(index: int) -> str:
    """A distinct Indian mobile number for each index below four billion."""
    return str(6_000_000_000 + (index * _MOBILE_STRIDE + _MOBILE_OFFSET) % _MOBILE_SPACE)


def _personal_email(rng: random.Random, first: str, last: str, index: int) -> str:
    first, last = first.lower(), last.lower().replace("'", "")
    local = rng.choice(
        (f"{first}.{last}", f"{first}{last}", f"{first}_{last}", f"{first[0]}{last}", first)
    )
    # The index makes every mailbox belong to exactly one person, namesakes included.
    return f"{local}{index + 11}@{rng.choice(MAIL_DOMAINS)}"


def _landline(rng: random.Random, city: City) -> str:
    digits = f"{rng.randrange(2, 7)}{rng.randrange(10**6, 10**7):07d}"
    return f"{city.std_code}-{digits[:4]}-{digits[4:]}"


def spell_phone(mobile: str, style: str) -> str:
    """Write a 10-digit mobile in one of the spellings channels and people use."""
    if style == "plain":
        return mobile
    if style == "plus91":
        return f"+91{mobile}"
    if style == "plus91_dash":
        return f"+91-{mobile}"
    if style == "zero91":
        return f"091-{mobile[:4]}-{mobile[4:]}"
    if style == "dashed":
        return f"{mobile[:3]}-{mobile[3:6]}-{mobile[6:]}"
    if style == "spaced":
        return f"+91 {mobile[:5]} {mobile[5:]}"
    if style == "zero":
        return f"0{mobile}"
    if style == "wa_id":
        return f"91{mobile}"
    raise ValueError(f"unknown phone style {style!r}")


def slip_leading_digits(rng: random.Random, mobile: str) -> str:
    """The mobile with one of its first three digits mistyped; the last seven still agree."""
    position = rng.randrange(3)
    wrong = rng.choice([digit for digit in "6789" if digit != mobile[position]])
    if position:
        wrong = rng.choice([digit for digit in "0123456789" if digit != mobile[position]])
    return mobile[:position] + wrong + mobile[position + 1 :]


def name_variant(rng: random.Random, person: Person) -> str:
    """The person's name as one record spells it: case, initials, titles, typos, first only."""
    first, last = person.first_name, person.last_name
    roll = rng.random()
    if roll < 0.45:
        return f"{first} {last}"
    if roll < 0.55:
        return f"{first} {last}".upper()
    if roll < 0.60:
        return f"{first} {last}".lower()
    if roll < 0.67:
        return f"{first[0]}. {last}" if rng.random() < 0.7 else f"{first[0]} {last}"
    if roll < 0.80:
        title = rng.choice(FEMALE_TITLES if person.female else MALE_TITLES)
        dot = "." if rng.random() < 0.5 else ""
        return f"{title}{dot} {first} {last}"
    if roll < 0.86:
        return f"{first} {typo(rng, last)}" if rng.random() < 0.6 else f"{typo(rng, first)} {last}"
    if roll < 0.93:
        return first
    return f"{first} {last[0]}."


def typo(rng: random.Random, word: str) -> str:
    """One slip of the keyboard: two letters swapped, one dropped or one doubled."""
    if len(word) < 4:
        return word + word[-1]
    position = rng.randrange(1, len(word) - 2)
    kind = rng.randrange(3)
    if kind == 0:
        return word[:position] + word[position + 1] + word[position] + word[position + 2 :]
    if kind == 1:
        return word[:position] + word[position + 1 :]
    return word[:position] + word[position] + word[position:]


def email_variant(rng: random.Random, person: Person) -> str:
    """The email a record carries: usually the personal one, sometimes mistyped or recased."""
    email = person.work_email if person.work_email and rng.random() < 0.25 else person.email
    roll = rng.random()
    if roll < 0.03:
        local, domain = email.split("@")
        typos = DOMAIN_TYPOS.get(domain)
        if typos:
            return f"{local}@{rng.choice(typos)}"
    elif roll < 0.07:
        local, domain = email.split("@")
        return f"{local.capitalize()}@{domain.capitalize()}"
    elif roll < 0.08:
        return f" {email} "
    return email
