"""A fast linear intent model: TF-IDF word and character n-grams, logistic regression.

Pure scikit-learn and NumPy, no Rasa: the Rasa component in ``intent_classifier.py`` wraps
it. Persisted as plain arrays and JSON (no pickle), so a model file can never run code.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from bot.components.patterns import mask_identifiers

_APOSTROPHES = re.compile(r"[\u2018\u2019`]")


def normalise_text(text: str) -> str:
    """Lower-case, unify apostrophes, replace references and postcodes by placeholders."""
    return mask_identifiers(_APOSTROPHES.sub("'", text)).lower()


def _word_vectorizer() -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer="word",
        ngram_range=(1, 2),
        token_pattern=r"(?u)\b\w+\b",
        sublinear_tf=True,
        min_df=1,
        lowercase=False,
    )


def _char_vectorizer() -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(2, 5),
        sublinear_tf=True,
        min_df=2,
        lowercase=False,
    )


@dataclass
class LinearIntentModel:
    """Trained model: two vectorisers and a multinomial logistic regression."""

    word: TfidfVectorizer
    char: TfidfVectorizer
    classes: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray

    @classmethod
    def train(
        cls, texts: Sequence[str], labels: Sequence[str], *, c: float = 10.0, seed: int = 42
    ) -> LinearIntentModel:
        normalised = [normalise_text(t) for t in texts]
        word, char = _word_vectorizer(), _char_vectorizer()
        features = hstack([word.fit_transform(normalised), char.fit_transform(normalised)]).tocsr()
        clf = LogisticRegression(
            C=c, class_weight="balanced", max_iter=3000, random_state=seed, multi_class="multinomial"
        )
        clf.fit(features, list(labels))
        coef, intercept = clf.coef_, clf.intercept_
        if coef.shape[0] == 1:  # two classes: scikit-learn keeps one row; make it one per class
            coef, intercept = np.vstack([-coef / 2, coef / 2]), np.array([-intercept[0] / 2, intercept[0] / 2])
        return cls(word, char, clf.classes_, coef, intercept)

    def _features(self, texts: Sequence[str]) -> csr_matrix:
        normalised = [normalise_text(t) for t in texts]
        return hstack([self.word.transform(normalised), self.char.transform(normalised)]).tocsr()

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities, one row per text, columns in ``self.classes`` order."""
        scores = self._features(texts) @ self.coef.T + self.intercept
        scores = np.asarray(scores)
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        meta = {
            "classes": [str(c) for c in self.classes],
            "word_vocabulary": {k: int(v) for k, v in self.word.vocabulary_.items()},
            "char_vocabulary": {k: int(v) for k, v in self.char.vocabulary_.items()},
        }
        (folder / "linear_intent_model.json").write_text(json.dumps(meta), encoding="utf-8")
        np.savez_compressed(
            folder / "linear_intent_model.npz",
            word_idf=self.word.idf_,
            char_idf=self.char.idf_,
            coef=self.coef,
            intercept=self.intercept,
        )

    @classmethod
    def load(cls, folder: Path) -> LinearIntentModel:
        meta = json.loads((folder / "linear_intent_model.json").read_text(encoding="utf-8"))
        arrays = np.load(folder / "linear_intent_model.npz", allow_pickle=False)
        word, char = _word_vectorizer(), _char_vectorizer()
        word.vocabulary_ = meta["word_vocabulary"]
        char.vocabulary_ = meta["char_vocabulary"]
        word.idf_ = arrays["word_idf"]
        char.idf_ = arrays["char_idf"]
        return cls(word, char, np.array(meta["classes"]), arrays["coef"], arrays["intercept"])
