import yaml

from knowledge_base import load_knowledge_base
from knowledge_base.compiler import ROUTING_ACTION, compile_files, write_files


def test_every_article_becomes_an_intent_with_its_questions_and_a_rule():
    kb = load_knowledge_base()
    files = {name: yaml.safe_load(text) for name, text in compile_files(kb).items()}
    intents = files["domain/generated/knowledge_base.yml"]["intents"]
    assert len(intents) == len(kb.articles) and "faq_council_tax_pay" in intents
    nlu = {item["intent"]: item["examples"] for item in files["data/generated/knowledge_base_nlu.yml"]["nlu"]}
    assert f"- {kb.article('council-tax-pay').questions[0]}\n" in nlu["faq_council_tax_pay"]
    rules = files["data/generated/knowledge_base_rules.yml"]["rules"]
    assert {"intent": "faq_recycling"} in [r["steps"][0] for r in rules]
    assert all(r["steps"][1] == {"action": ROUTING_ACTION} for r in rules)


def test_generated_files_say_they_must_not_be_edited():
    kb = load_knowledge_base()
    assert all(text.startswith("# GENERATED") for text in compile_files(kb).values())


def test_writing_twice_leaves_unchanged_files_untouched(tmp_path):
    kb = load_knowledge_base()
    first = write_files(kb, tmp_path)
    stamps = [p.stat().st_mtime_ns for p in first]
    second = write_files(kb, tmp_path)
    assert [p.stat().st_mtime_ns for p in second] == stamps
    assert not list(tmp_path.glob(".kb-build-*"))
