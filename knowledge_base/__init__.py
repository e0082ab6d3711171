"""Front Desk knowledge base: content files, their schema, and the one loader/compiler."""

from knowledge_base.articles import Article, ContentError, KnowledgeBase, load_knowledge_base

__all__ = ["Article", "ContentError", "KnowledgeBase", "load_knowledge_base"]
