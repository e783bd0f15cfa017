"""Vocabularies for people, companies and free text: realistic, with non-ASCII and CSV-hostile
characters (commas, quotes, newlines) so that readers must quote and decode properly."""

from __future__ import annotations

import unicodedata

FIRST_NAMES: tuple[str, ...] = (
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Charles", "Karen", "Daniel", "Nancy", "Matthew", "Lisa", "Anthony", "Emily", "Mark", "Sandra",
    "Priya", "Arjun", "Wei", "Mei", "Hiroshi", "Yuki", "Sofía", "José", "Zoë", "Chloé", "Søren",
    "Łukasz", "Ana", "Luca", "Giulia", "Mateo", "Fatima", "Omar", "Aisha", "Kwame", "Ingrid",
    "Lars", "Noémie", "François", "Björn", "Ayşe", "Mehmet", "Olga", "Dmitri", "Siobhan", "Niamh",
    "Raj", "Tomás", "Amélie", "Kenji", "Hana", "Jonas", "Freya", "Mohammed", "Leila", "Diego",
    "Camila",
)

LAST_NAMES: tuple[str, ...] = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Wilson", "Anderson", "Taylor", "Moore", "Jackson", "Martin",
    "Lee", "Thompson", "White", "Harris", "Clark", "Lewis", "Walker", "O'Brien", "O'Neill",
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Dubois", "Lefèvre", "Moreau", "Rossi",
    "Bianchi", "Kowalski", "Nowak", "Novák", "Jensen", "Nielsen", "Andersson", "Johansson",
    "Nguyen", "Tran", "Kim", "Park", "Chen", "Wang", "Tanaka", "Suzuki", "Sato", "Patel",
    "Sharma", "Singh", "Okafor", "Mensah", "Yılmaz", "Kaya", "Ivanova", "Petrov", "Murphy",
    "Kelly", "Smith-Jones", "van der Berg", "de la Cruz", "García", "Fernández", "Silva",
)

COMPANY_ADJ: tuple[str, ...] = (
    "Blue", "Northern", "Summit", "Apex", "Bright", "Global", "Pioneer", "Silver", "Green",
    "Quantum", "Atlas", "Cedar", "Harbor", "Iron", "Lumen", "Meridian", "Nova", "Orbit", "Pacific",
    "Red Rock", "Solar", "Terra", "Union", "Vertex", "Westfield", "Zenith", "Crescent", "Falcon",
)
COMPANY_NOUN: tuple[str, ...] = (
    "Analytics", "Logistics", "Health", "Foods", "Systems", "Dynamics", "Energy", "Robotics",
    "Media", "Capital", "Labs", "Works", "Networks", "Pharma", "Retail", "Motors", "Insurance",
    "Software", "Textiles", "Holdings", "Aerospace", "Biotech", "Partners", "Consulting",
)
COMPANY_SUFFIX: tuple[str, ...] = (
    "Inc.", ", Inc.", "LLC", "Ltd", "GmbH", "S.A.", "AG", "Pty Ltd", "Corp.", "", "", "Group",
)
# Occasional hand-written names that stress CSV quoting and UTF-8.
SPECIAL_COMPANIES: tuple[str, ...] = (
    'The "Good Food" Company',
    "Müller Maschinenbau GmbH",
    "Société Lumière SA",
    "株式会社サクラ精機",
    "O'Reilly & Sons, Ltd.",
    "Łódź Logistics Sp. z o.o.",
    "Smith, Barney & Co.",
    "Café Açaí Ltda.",
)

INDUSTRIES: tuple[str, ...] = (
    "Technology", "Healthcare", "Manufacturing", "Retail", "Finance", "Education",
    "Transportation", "Energy", "Media", "Consulting", "Biotechnology", "Insurance",
)

COUNTRIES_BY_REGION: dict[str, tuple[str, ...]] = {
    "NA East": ("United States", "Canada"),
    "NA West": ("United States", "Canada", "Mexico"),
    "EMEA": ("Germany", "France", "United Kingdom", "Netherlands", "Spain", "Sweden", "Poland"),
    "APAC": ("Australia", "Japan", "Singapore", "India", "South Korea"),
}

LEAD_TITLES: tuple[str, ...] = (
    "CFO", "VP Finance", "Head of Operations", "IT Director", "Procurement Manager", "CEO",
    "Sales Operations Manager", "CTO", "Director, Revenue Operations", "Office Manager",
)

NEXT_STEPS: tuple[str, ...] = (
    "Schedule discovery call",
    "Send proposal, incl. 3-year pricing",
    'Book "technical deep dive" with IT',
    "Follow up with economic buyer",
    "Security questionnaire due",
    "Negotiate discount with procurement",
    "Réunion avec le DAF",
    "Send MSA redlines",
    "Demo for the wider team",
    "Confirm budget, timeline & decision process",
    "Reference call with existing customer",
    "Waiting on legal",
)

OPP_PRODUCTS: tuple[str, ...] = (
    "Platform", "Analytics Add-on", "Seats Expansion", "Renewal", "Premium Support", "Pilot",
)

ACCOUNT_DESCRIPTIONS: tuple[str, ...] = (
    "",
    "",
    "",
    "Key account.\nRenewal owner: finance team; prefers quarterly billing.",
    'Migrated from legacy CRM; "strategic" flag kept.',
    "Parent company in another region, see notes",
)

CALL_SUBJECTS: tuple[str, ...] = ("Call", "Discovery call", "Follow-up call", "Cold call")
EMAIL_SUBJECTS: tuple[str, ...] = (
    "Email: Intro", "Email: Following up", 'Email: Re: "Pricing", next steps',
    "Email: Case study you asked for", "Email: Quick question",
)
TASK_SUBJECTS: tuple[str, ...] = (
    "Prepare proposal", "Update account plan", "Send contract", "Internal deal review",
)
LIST_EMAIL_SUBJECTS: tuple[str, ...] = ("Newsletter: Product update", "Webinar invitation")
CADENCE_SUBJECTS: tuple[str, ...] = ("Cadence step: email", "Cadence step: call")
MEETING_SUBJECTS: tuple[str, ...] = (
    "Discovery meeting", "Product demo", "Pricing review", "Executive sponsor meeting",
    "Technical workshop",
)

_TRANSLIT = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ß": "ss", "ı": "i"})


def ascii_slug(text: str, sep: str = "") -> str:
    """Lower-case ASCII form of a name for e-mail addresses (José O'Brien -> jose, obrien)."""
    text = unicodedata.normalize("NFKD", text.translate(_TRANSLIT))
    text = "".join(c for c in text if c.isascii() and (c.isalnum() or c == " "))
    return sep.join(text.lower().split())
