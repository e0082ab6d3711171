import numpy as np

from bot.components.linear_model import LinearIntentModel

TEXTS = [
    "pay council tax",
    "council tax payment",
    "bin day",
    "when are bins collected",
    "hello",
    "hi there",
    "NB-2026-000123 update",
    "news on nb-2025-004512",
]
LABELS = ["pay", "pay", "bins", "bins", "greet", "greet", "track", "track"]


def test_trained_model_predicts_its_training_labels():
    model = LinearIntentModel.train(TEXTS, LABELS)
    predicted = model.classes[model.predict_proba(TEXTS).argmax(axis=1)]
    assert list(predicted) == LABELS


def test_any_reference_counts_as_a_reference():
    model = LinearIntentModel.train(TEXTS, LABELS)
    probabilities = model.predict_proba(["NB-2024-999999"])[0]
    assert model.classes[probabilities.argmax()] == "track"


def test_saved_and_loaded_model_gives_identical_probabilities_without_pickle(tmp_path):
    model = LinearIntentModel.train(TEXTS, LABELS)
    model.save(tmp_path)
    loaded = LinearIntentModel.load(tmp_path)
    probe = ["paying my council tax", "bins?", "good morning"]
    np.testing.assert_allclose(loaded.predict_proba(probe), model.predict_proba(probe))
    assert np.allclose(loaded.predict_proba(probe).sum(axis=1), 1.0)


def test_two_intents_give_two_real_probabilities():
    model = LinearIntentModel.train(
        ["pay council tax", "council tax payment", "hello", "hi there"], ["pay", "pay", "greet", "greet"]
    )
    probabilities = model.predict_proba(["pay my council tax", "hello"])
    assert probabilities.shape == (2, 2)
    assert list(model.classes[probabilities.argmax(axis=1)]) == ["pay", "greet"]
    assert 0.5 < probabilities.max(axis=1).min() < 1.0
