"""The content the council ships: all 41 articles, valid, and facts in the fictional ranges."""

import re
from pathlib import Path

import pytest

from knowledge_base import load_knowledge_base

REQUIRED_ARTICLES = """
council-tax-pay council-tax-discounts council-tax-support council-tax-moving-home
council-tax-bands council-tax-arrears housing-benefit homelessness housing-repairs
housing-register bin-collection-day recycling garden-waste bulky-waste recycling-centre
noise-complaints pest-control food-hygiene parking-permits parking-fines blue-badge bus-pass
register-birth register-death electoral-register school-admissions free-school-meals
adult-social-care children-families planning-applications building-control business-rates
licences contact-opening-hours customer-service-centres freedom-of-information libraries
get-online-help accessibility-languages councillors jobs
""".split()

# Ofcom's drama ranges, plus 999/101/Text Relay prefix and the national numbers residents know.
PHONE = re.compile(r"\b0\d{2,4}[ \d]{6,9}\d\b")
DRAMA = re.compile(r"^(01632 960\d{3}|020 7946 0\d{3}|0808 157 0\d{3})$")


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base()


def test_exactly_the_41_articles_are_shipped(kb):
    assert sorted(kb.articles) == sorted(REQUIRED_ARTICLES)


def test_every_article_has_at_least_ten_questions(kb):
    short = {a.id: len(a.questions) for a in kb.articles.values() if len(a.questions) < 10}
    assert short == {}


def national_numbers_checked_in_facts() -> set[str]:
    """The real national numbers FACTS.md records with the source they were checked at."""
    facts = (Path(__file__).resolve().parents[2] / "knowledge_base" / "FACTS.md").read_text(encoding="utf-8")
    section = facts.split("## National services", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "https://" in line]
    return {m.group(0).strip() for row in rows for m in PHONE.finditer(row.split("|")[2])}


def test_phone_numbers_come_only_from_the_drama_ranges_or_checked_national_services(kb):
    texts = [a.answer for a in kb.articles.values()] + [m["text"] for m in kb.messages["routes"].values()]
    texts += [t for texts in kb.messages["urgent"].values() for t in texts.values()]
    numbers = {m.group(0).strip() for t in texts for m in PHONE.finditer(t)}
    assert numbers, "expected phone numbers in the content"
    national = national_numbers_checked_in_facts()
    assert national >= {"0800 111 999", "0808 2000 247"}
    assert {n for n in numbers if not DRAMA.match(n) and n not in national} == set()


def test_links_point_to_the_fictional_council_or_real_public_services(kb):
    allowed = (
        "https://www.northbridge.example",
        "https://www.gov.uk/",
        "https://www.lgo.org.uk",
        "https://www.food.gov.uk",
        "https://ratings.food.gov.uk",
    )
    urls = [link.url for a in kb.articles.values() for link in a.links]
    urls += re.findall(r"\]\((https?://[^)\s]+)\)", " ".join(a.answer for a in kb.articles.values()))
    assert [u for u in urls if not u.startswith(allowed)] == []
