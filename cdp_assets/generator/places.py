"""Cities, their projects and localities, and the ways sources spell them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Project:
    """A residential project a buyer can ask about."""

    name: str
    locality: str
    site: str


@dataclass(frozen=True, slots=True)
class City:
    """A city the developer builds in, with its landline code and neighbourhoods."""

    name: str
    std_code: str
    spellings: tuple[str, ...]
    projects: tuple[Project, ...]
    residence_areas: tuple[str, ...]


def _city(
    name: str,
    std_code: str,
    spellings: tuple[str, ...],
    projects: tuple[tuple[str, str], ...],
    residence_areas: tuple[str, ...],
) -> City:
    site = name.lower()
    return City(
        name=name,
        std_code=std_code,
        spellings=spellings,
        projects=tuple(
            Project(project, locality, f"{site}-{locality.lower().replace(' ', '-')}")
            for project, locality in projects
        ),
        residence_areas=residence_areas,
    )


CITIES: tuple[City, ...] = (
    _city(
        "Pune",
        "020",
        ("Pune", "PUNE", "pune"),
        (
            ("Skyline Residences", "Baner"),
            ("Green Meadows", "Hinjewadi"),
            ("Riverview Heights", "Kharadi"),
            ("Orchid Towers", "Wakad"),
        ),
        ("Aundh", "Kothrud", "Viman Nagar", "Hadapsar", "Pimple Saudagar", "Magarpatta"),
    ),
    _city(
        "Mumbai",
        "022",
        ("Mumbai", "MUMBAI", "Bombay"),
        (
            ("Sea Breeze Towers", "Andheri West"),
            ("Palm Crest", "Thane West"),
            ("Harbour Heights", "Chembur"),
            ("Lakeshore Greens", "Powai"),
        ),
        ("Borivali", "Malad", "Goregaon", "Mulund", "Dadar", "Vashi", "Kandivali"),
    ),
    _city(
        "Bengaluru",
        "080",
        ("Bengaluru", "Bangalore", "BANGALORE", "Bengaluru "),
        (
            ("Silver Oak Enclave", "Whitefield"),
            ("Lake Vista", "Sarjapur Road"),
            ("Tech Park Residency", "Electronic City"),
            ("Cedar Woods", "Hebbal"),
        ),
        ("Koramangala", "Indiranagar", "HSR Layout", "Jayanagar", "Marathahalli", "BTM Layout"),
    ),
    _city(
        "Hyderabad",
        "040",
        ("Hyderabad", "HYDERABAD", "Hyd"),
        (
            ("Pearl Heights", "Gachibowli"),
            ("Banyan Greens", "Kondapur"),
            ("Crystal Court", "Kokapet"),
        ),
        ("Madhapur", "Kukatpally", "Banjara Hills", "Begumpet", "Miyapur"),
    ),
    _city(
        "Gurugram",
        "0124",
        ("Gurugram", "Gurgaon", "GURGAON"),
        (
            ("Aravali Heights", "Sector 65"),
            ("Golf View Residences", "Golf Course Road"),
            ("Dwarka Greens", "Sector 102"),
        ),
        ("DLF Phase 3", "Sohna Road", "Palam Vihar", "Sector 56", "South City 2"),
    ),
    _city(
        "Chennai",
        "044",
        ("Chennai", "CHENNAI", "Madras"),
        (
            ("Marina Crest", "OMR"),
            ("Temple Tree Residences", "Porur"),
            ("Coastal Greens", "Sholinganallur"),
        ),
        ("Adyar", "Velachery", "Anna Nagar", "T Nagar", "Tambaram"),
    ),
)

# Bigger markets bring more leads.
CITY_WEIGHTS = (26, 24, 22, 12, 10, 6)
